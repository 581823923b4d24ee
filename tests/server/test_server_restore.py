"""A server restored from an older backup, on SQLite and PostgreSQL: `admin backup` / `admin restore`, a restore
noticed at start, a cursor beyond what the database served, version identity by hash, and what a backup holds.

Each test runs its own server (a restore replaces the whole database).
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import uuid

import psycopg
import pytest
from server_harness import Backend, PG_ADMIN_URL, ServerProcess, enrol_client, server_cli
from sim_device import DeviceClient

from waypoint_core.protocol import KnownRecord, Op, ReconcileResponse, parse_cursor

CANARY = "Nafissatou Canary-Restore"


@pytest.fixture
def fresh(request, tmp_path):
    """A new data folder and, on PostgreSQL, a new database, for one test."""
    from server_harness import fresh_postgres_database, postgres_available

    if request.param == "postgres":
        reason = postgres_available()
        if reason:
            pytest.skip(reason)
        with fresh_postgres_database() as url:
            yield Backend("postgres", tmp_path / "data", url)
    else:
        yield Backend("sqlite", tmp_path / "data", None)


both = pytest.mark.parametrize("fresh", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                               indirect=True)


def op(seq: int, record_id: str, fields: dict, *, base: tuple[int, str] | None = None) -> Op:
    return Op(op_id=str(uuid.uuid4()), device_seq=seq, record_id=record_id, op="upsert", record_version=seq,
              base_version=base[0] if base else None, base_hash=base[1] if base else None, form_id="registration",
              form_version="1", hlc=seq, fields=fields)


def enrol(server: ServerProcess, backend: Backend, centre: str = "Agadez") -> DeviceClient:
    return enrol_client(server, backend.admin_url, centre)


def pull_all(client: DeviceClient, cursor: str = "") -> tuple[dict, str]:
    latest: dict = {}
    while True:
        page = client.pull(cursor, 3)
        latest.update({c.record_id: c for c in page.changes})
        cursor = page.next_cursor
        if not page.has_more:
            return latest, cursor


def refusal(response) -> str:
    return response.json()["error"]


@both
def test_admin_restore_starts_an_epoch_that_devices_notice(fresh, tmp_path):
    server = ServerProcess(data_dir=fresh.data_dir, database_url=fresh.database_url).start()
    try:
        device = enrol(server, fresh)
        records = [str(uuid.uuid4()) for _ in range(5)]
        answer = device.push(device.batch([op(i + 1, r, {"name": f"{CANARY} {i}"}) for i, r in enumerate(records)]))
        first = {r.record_id: (r.server_version, r.version_hash) for r in answer.results}
        _, early_cursor = pull_all(device)
        backup_file = tmp_path / "before.wpbackup"
        saved = json.loads(server_cli(fresh.data_dir, "admin", "backup", str(backup_file),
                                      database_url=fresh.database_url).stdout)
        assert saved["records"] == 5 and (backup_file.stat().st_mode & 0o777) == 0o600
        with gzip.open(backup_file, "rb") as packed:
            assert b"Canary" not in packed.read()  # sealed content only: no name in a backup

        lost = [str(uuid.uuid4()) for _ in range(3)]
        later = device.push(device.batch([op(6 + i, r, {"name": f"lost {i}"}) for i, r in enumerate(lost)]
                                         + [op(9, records[0], {"phone": "0102"}, base=first[records[0]])]))
        edited = later.results[-1]
        _, late_cursor = pull_all(device)
        server.stop()

        restored = server_cli(fresh.data_dir, "admin", "restore", str(backup_file), "--yes",
                              database_url=fresh.database_url)
        summary = json.loads(restored.stdout)
        assert summary["records"] == 5 and "new epoch" in restored.stderr
        server.start()

        # Every old cursor is refused, with its own error and the new epoch, in a signed answer.
        for cursor in (early_cursor, late_cursor):
            stale = device.signed_get(f"/v2/changes?cursor={cursor}&limit=5")
            assert stale.status_code == 409 and refusal(stale) == "epoch_changed" and device.answer_valid(stale)
            assert stale.json()["epoch"] == summary["epoch"] != parse_cursor(cursor)[0]
        # Pushing on from where the device was: the server asks again from what it holds.
        gap = device.post_batch(device.batch([op(10, str(uuid.uuid4()), {"name": "after"})]))
        assert gap.status_code == 409 and gap.json()["expected_seq"] == 6
        # Which of its versions does the server still hold? The device compares hashes, not counters.
        known = [KnownRecord(record_id=records[0], hashes=[edited.version_hash, first[records[0]][1]]),
                 KnownRecord(record_id=records[1], hashes=[first[records[1]][1]]),
                 *[KnownRecord(record_id=r.record_id, hashes=[r.version_hash]) for r in later.results[:3]]]
        body = json.dumps({"protocol_version": 2, "records": [k.model_dump() for k in known]}).encode()
        held = ReconcileResponse.model_validate_json(device.send("POST", "/v2/reconcile", body=body).content)
        by_id = {r.record_id: r for r in held.records}
        assert (by_id[records[0]].held_version, by_id[records[0]].held_hash) == first[records[0]]  # the edit is lost
        assert by_id[records[0]].current_hash == first[records[0]][1]
        assert by_id[records[1]].held_hash == by_id[records[1]].current_hash == first[records[1]][1]
        assert all(by_id[r].held_hash is None and by_id[r].current_hash is None for r in lost)
        assert held.epoch == summary["epoch"]
        latest, _ = pull_all(device)
        assert set(latest) == set(records)
        epochs = [json.loads(line) for line in server_cli(fresh.data_dir, "admin", "epochs",
                                                          database_url=fresh.database_url).stdout.splitlines()]
        assert len(epochs) == 2 and "restored from a backup" in epochs[-1]["reason"]
        device.close()
    finally:
        server.stop()


def _snapshot(backend: Backend, name: str) -> None:
    """What an administrator's own copy looks like: the database file (SQLite) or a database copy (PostgreSQL)."""
    if backend.database_url is None:
        shutil.copy2(backend.data_dir / "server.db", backend.data_dir / name)
        return
    live = backend.database_url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{live}_{name}" TEMPLATE "{live}"')


def _put_back(backend: Backend, name: str) -> None:
    """The administrator restores that copy by hand, behind the server's back (no `admin restore`)."""
    if backend.database_url is None:
        for suffix in ("-wal", "-shm"):
            (backend.data_dir / f"server.db{suffix}").unlink(missing_ok=True)
        os.replace(backend.data_dir / name, backend.data_dir / "server.db")
        return
    live = backend.database_url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{live}" WITH (FORCE)')
        conn.execute(f'ALTER DATABASE "{live}_{name}" RENAME TO "{live}"')


@both
def test_a_database_put_back_by_hand_is_noticed_at_start(fresh):
    server = ServerProcess(data_dir=fresh.data_dir, database_url=fresh.database_url).start()
    try:
        device = enrol(server, fresh)
        device.push(device.batch([op(1, str(uuid.uuid4()), {"name": "one"})]))
        server.stop()
        _snapshot(fresh, "copy")
        server.start()
        device.push(device.batch([op(2, str(uuid.uuid4()), {"name": "two"})]))
        _, cursor = pull_all(device)
        server.stop()
        _put_back(fresh, "copy")
        server.start()
        events = [json.loads(line) for line in server.log_path.read_text().splitlines() if line.startswith("{")]
        assert [e["restore_detected"] for e in events if e["event"] == "server_ready"][-1] is True
        stale = device.signed_get(f"/v2/changes?cursor={cursor}&limit=5")
        assert stale.status_code == 409 and refusal(stale) == "epoch_changed"
        device.close()
    finally:
        server.stop()


@both
def test_a_cursor_beyond_what_the_database_served_is_refused_even_after_the_feed_grows_past_it(fresh):
    """Database and server mark both lost (a host rebuilt from old copies): the devices notice by themselves."""
    server = ServerProcess(data_dir=fresh.data_dir, database_url=fresh.database_url).start()
    try:
        device, other = enrol(server, fresh), enrol(server, fresh)
        device.push(device.batch([op(1, str(uuid.uuid4()), {"name": "one"})]))
        _, early = pull_all(device)
        server.stop()
        _snapshot(fresh, "copy")
        server.start()
        device.push(device.batch([op(2, str(uuid.uuid4()), {"name": "two"}), op(3, str(uuid.uuid4()), {"n": 3})]))
        _, cursor = pull_all(device)
        server.stop()
        _put_back(fresh, "copy")
        (fresh.data_dir / "feed.mark").unlink()
        server.start()
        ahead = device.signed_get(f"/v2/changes?cursor={cursor}&limit=5")
        assert ahead.status_code == 409 and refusal(ahead) == "cursor_ahead" and device.answer_valid(ahead)
        # Another device writes more than was lost: the feed's numbers pass the stale cursor, which stays refused.
        other.push(other.batch([op(i, str(uuid.uuid4()), {"n": i}) for i in range(1, 6)]))
        still = device.signed_get(f"/v2/changes?cursor={cursor}&limit=5")
        assert still.status_code == 409 and refusal(still) == "cursor_ahead"
        # A cursor the database did serve is fine.
        assert device.signed_get(f"/v2/changes?cursor={early}&limit=5").status_code == 200
        device.close(), other.close()
    finally:
        server.stop()


@both
def test_a_reused_version_number_is_not_taken_for_the_version_a_device_saw(fresh):
    """After a restore the server numbers a new version 2 with other content: an op based on the lost version 2 is
    concurrent with it (a conflict for review), not a silent overwrite; the hashes tell the versions apart."""
    server = ServerProcess(data_dir=fresh.data_dir, database_url=fresh.database_url).start()
    try:
        a, b = enrol(server, fresh), enrol(server, fresh)
        record = str(uuid.uuid4())
        created = a.push(a.batch([op(1, record, {"name": "Zara", "phone": "01"})])).results[0]
        server.stop()
        _snapshot(fresh, "copy")
        server.start()
        lost = a.push(a.batch([op(2, record, {"phone": "02"},
                                  base=(created.server_version, created.version_hash))])).results[0]
        server.stop()
        _put_back(fresh, "copy")
        server.start()
        again = b.push(b.batch([op(1, record, {"phone": "03"},
                                   base=(created.server_version, created.version_hash))])).results[0]
        assert again.server_version == lost.server_version == 2 and again.version_hash != lost.version_hash
        late = a.push(a.batch([op(2, record, {"phone": "04"}, base=(lost.server_version, lost.version_hash))]))
        assert late.results[0].status == "conflict"  # concurrent with b's version 2: both kept for review
        a.close(), b.close()
    finally:
        server.stop()


def test_restore_refuses_a_backup_whose_data_key_is_not_at_hand(tmp_path):
    data = tmp_path / "data"
    with ServerProcess(data_dir=data) as server:
        enrol(server, Backend("sqlite", data, None)).close()
        server_cli(data, "admin", "backup", str(tmp_path / "b.wpbackup"))
    elsewhere = tmp_path / "elsewhere"
    server_cli(elsewhere, "admin", "init")
    refused = server_cli(elsewhere, "admin", "restore", str(tmp_path / "b.wpbackup"), "--yes", check=False)
    assert refused.returncode == 2 and "restore the keys folder" in refused.stderr
    not_sure = server_cli(data, "admin", "restore", str(tmp_path / "b.wpbackup"), check=False)
    assert not_sure.returncode == 2 and "--yes" in not_sure.stderr
