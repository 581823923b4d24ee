"""Two server processes on one PostgreSQL, pushed to concurrently: a pull cursor never skips a change.

A puller follows the feed through both servers while four devices push through both; every change it ever sees is
recorded. Afterwards a full pull from cursor 0 must contain nothing the follower missed: a change committed after a
cursor was handed out can never sit below that cursor.
"""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from server_harness import ServerProcess, fresh_postgres_database, postgres_available
from sim_device import DeviceClient

from sync_server import admin
from sync_server.db import migrate, migration_modules, open_database
from sync_server.keys import init_keys
from waypoint_core.protocol import Op

pytestmark = pytest.mark.postgres

DEVICES, BATCHES, OPS_PER_BATCH = 4, 25, 4


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory):
    reason = postgres_available()
    if reason:
        pytest.skip(reason)
    data_dir = tmp_path_factory.mktemp("two-servers")
    with fresh_postgres_database() as url:
        db = open_database(url, pool_size=2)
        migrate(db)
        init_keys(data_dir / "keys", db)  # both processes share the organisation's keys
        admin.add_centre(db, "Agadez")
        with ServerProcess(data_dir=data_dir, database_url=url) as one, \
                ServerProcess(data_dir=data_dir, database_url=url) as two:
            yield db, one, two
        db.dispose()


def enrol(db, url: str) -> DeviceClient:
    client = DeviceClient(url)
    client.enrol(admin.create_enrolment_code(db, centre="Agadez", ttl=timedelta(hours=1)))
    return client


def test_cursor_never_skips_a_change_across_two_processes(two_servers):
    db, one, two = two_servers
    urls = [one.url, two.url]
    pushers = [enrol(db, one.url) for _ in range(DEVICES)]
    follower = enrol(db, one.url)
    errors: list[BaseException] = []
    done = threading.Event()

    def push(client: DeviceClient, index: int) -> None:
        try:
            seq = 0
            for n in range(BATCHES):
                client.base_url = urls[(n + index) % 2]
                ops = []
                for _ in range(OPS_PER_BATCH):
                    seq += 1
                    ops.append(Op(op_id=str(uuid.uuid4()), device_seq=seq, record_id=str(uuid.uuid4()), op="upsert",
                                  record_version=1, base_version=None, form_id="registration", form_version="1",
                                  hlc=seq, fields={"n": seq}))
                answer = client.push(client.batch(ops))
                assert answer.high_water_mark == seq
        except BaseException as exc:
            errors.append(exc)

    seen: dict[int, tuple[str, int]] = {}
    cursors: list[str] = []

    def follow() -> None:
        try:
            cursor, last, turn = "", 0, 0
            while True:
                finished = done.is_set()
                follower.base_url = urls[turn % 2]
                turn += 1
                page = follower.pull(cursor, 7)
                for change in page.changes:
                    assert change.seq > last
                    seen[change.seq] = (change.record_id, change.server_version)
                    last = change.seq
                cursor = page.next_cursor
                cursors.append(cursor)
                if finished and not page.has_more:
                    return
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=push, args=(c, i)) for i, c in enumerate(pushers)]
    follower_thread = threading.Thread(target=follow)
    follower_thread.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    follower_thread.join()
    assert not errors, errors

    everything: dict[int, tuple[str, int]] = {}
    with DeviceClient(two.url, key=follower.key, device_id=follower.device_id,
                      server_signing_key=follower.server_signing_key) as auditor:
        cursor = ""
        while True:
            page = auditor.pull(cursor, 500)
            everything.update({c.seq: (c.record_id, c.server_version) for c in page.changes})
            cursor = page.next_cursor
            if not page.has_more:
                break
    assert len(everything) == DEVICES * BATCHES * OPS_PER_BATCH
    assert seen == everything  # the follower missed nothing
    assert len(cursors) > DEVICES  # it really followed while the pushes were running
    for client in (*pushers, follower):
        client.close()


def test_two_processes_starting_together_on_an_empty_database(tmp_path):
    """Both run `admin init` and the migrations at start; the advisory locks make one apply them and create the keys,
    and the other find them."""
    reason = postgres_available()
    if reason:
        pytest.skip(reason)
    with fresh_postgres_database() as url:
        servers = [ServerProcess(data_dir=tmp_path, database_url=url) for _ in range(2)]
        errors: list[BaseException] = []

        def start(server: ServerProcess) -> None:
            try:
                server.start()
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=start, args=(s,)) for s in servers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        try:
            assert not errors, errors
            db = open_database(url, pool_size=1)
            with db.read_engine.connect() as conn:
                from sqlalchemy import text

                applied = conn.execute(text("SELECT version FROM schema_migration")).scalars().all()
                keys = conn.execute(text("SELECT purpose FROM server_key ORDER BY purpose")).scalars().all()
            db.dispose()
            assert applied == [m.VERSION for m in migration_modules()]  # each applied once
            assert keys == ["batch", "data", "signing"]  # one set of keys, although both processes tried to make it
        finally:
            for server in servers:
                server.stop()
