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
from sqlalchemy import text

from sync_server.db import open_database

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
    # A PostgreSQL server's folder (keys/, no server.db) restored without DATABASE_URL: the backup goes into a new
    # SQLite file there, which the command now names, with what to do on PostgreSQL.
    rebuilt = tmp_path / "rebuilt"
    rebuilt.mkdir(mode=0o700)
    shutil.copytree(data / "keys", rebuilt / "keys")
    into_new = server_cli(rebuilt, "admin", "restore", str(tmp_path / "b.wpbackup"), "--yes")
    assert f"restored into SQLite {rebuilt / 'server.db'} (a new file: if this server runs on PostgreSQL, set " \
           "DATABASE_URL" in into_new.stderr
    assert json.loads(into_new.stdout)["database"] == f"SQLite {rebuilt / 'server.db'}"
    again = server_cli(rebuilt, "admin", "restore", str(tmp_path / "b.wpbackup"), "--yes")
    assert f"restored into SQLite {rebuilt / 'server.db'}\n" in again.stderr  # an existing database: no warning
    not_sure = server_cli(data, "admin", "restore", str(tmp_path / "b.wpbackup"), check=False)
    assert not_sure.returncode == 2 and "--yes" in not_sure.stderr


def _migrated_tables(backend: Backend) -> set[str]:
    """Every table of the database as the migrations left it, read from the database itself."""
    from sqlalchemy import inspect

    from sync_server.db import open_database

    db = open_database(backend.admin_url, pool_size=1)
    try:
        with db.read_engine.connect() as conn:
            return set(inspect(conn).get_table_names())
    finally:
        db.dispose()


def _backed_up_tables(path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [item["table"] for item in map(json.loads, handle) if isinstance(item, dict) and "table" in item]


def _instant(value):
    """A time as the instant it names: SQLite keeps a `+00:00` written by raw SQL as text, a restore writes the same
    UTC time without it."""
    from datetime import UTC, datetime

    return value.astimezone(UTC).replace(tzinfo=None) if isinstance(value, datetime) and value.tzinfo else value


def _all_rows(backend: Backend) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order (what a restore must give back)."""
    from sqlalchemy import MetaData, select

    from sync_server.db import open_database

    db = open_database(backend.admin_url, pool_size=1)
    try:
        with db.read_engine.connect() as conn:
            metadata = MetaData()
            metadata.reflect(conn)
            return {name: sorted((tuple(map(_instant, row)) for row in conn.execute(select(table))), key=repr)
                    for name, table in metadata.tables.items()}
    finally:
        db.dispose()


@both
def test_a_backup_holds_every_table_of_the_migrated_schema(fresh, tmp_path):
    """A table a migration adds is in every backup, or named in backup.EXCLUDED with its reason (a hand-kept list
    once left out everything from migration 4 on: roles, lost-device orders, alarms, the audit chains)."""
    from sync_server.backup import EXCLUDED
    from sync_server.db import latest_schema_version

    server_cli(fresh.data_dir, "admin", "init", database_url=fresh.database_url)
    path = tmp_path / "all.wpbackup"
    header = json.loads(server_cli(fresh.data_dir, "admin", "backup", str(path), database_url=fresh.database_url)
                        .stdout)
    migrated = _migrated_tables(fresh)
    assert {"device_roles", "enrolment_code_roles", "record_kind", "deletion_alarm", "device_order",
            "server_audit_entry", "device_audit_entry", "audit_head", "batch_import"} <= migrated
    assert all(reason.strip() for reason in EXCLUDED.values()) and set(EXCLUDED) <= migrated
    backed = _backed_up_tables(path)
    assert len(backed) == len(set(backed))
    assert set(backed) == migrated - set(EXCLUDED), f"not in a backup: {sorted(migrated - set(EXCLUDED) - set(backed))}"
    assert header["epoch"] and max(_all_rows(fresh)["schema_migration"])[0] == latest_schema_version()


def _upload_audit(device: DeviceClient, events: list[str]) -> None:
    from waypoint_core.access import audit as chain

    entries, previous = [], None
    for event in events:
        previous = chain.link(f"device:{device.device_id}", previous, at="2026-01-05T10:00:00Z", actor="amina",
                              event=event, outcome="done")
        entries.append(previous.as_json())
    body = json.dumps({"protocol_version": 2, "chain_id": f"device:{device.device_id}", "entries": entries}).encode()
    answer = device.send("POST", "/v2/audit", body=body)
    assert answer.status_code == 200, answer.text


@both
def test_roles_orders_alarms_codes_and_audit_chains_survive_a_backup_and_restore(fresh, tmp_path):
    server = ServerProcess(data_dir=fresh.data_dir, database_url=fresh.database_url).start()
    try:
        def cli(*args: str, check: bool = True):
            return server_cli(fresh.data_dir, "admin", *args, database_url=fresh.database_url, check=check)

        worker, lost = enrol(server, fresh), enrol(server, fresh)
        cli("device-roles", worker.device_id, "field_staff", "case_worker")
        code = cli("enrol-code", "--centre", "Agadez", "--hours", "24", "--roles", "field_staff").stdout
        records = [str(uuid.uuid4()) for _ in range(12)]
        created = worker.push(worker.batch([op(i + 1, r, {"name": f"person {i}"}) for i, r in enumerate(records)]))
        worker.push(worker.batch([Op(op_id=str(uuid.uuid4()), device_seq=13 + i, record_id=r.record_id, op="delete",
                                     record_version=2, base_version=r.server_version, base_hash=r.version_hash,
                                     form_id="registration", form_version="1", hlc=13 + i, fields={})
                                  for i, r in enumerate(created.results)]))
        _upload_audit(worker, ["session.sign_in", "records.create", "records.delete"])
        cli("mark-lost", lost.device_id, "--lock", "--by", "coordinator-zara")
        alarms = [json.loads(line) for line in cli("alarms").stdout.splitlines()]
        assert [a["count"] for a in alarms] == [12]
        assert cli("audit", "verify").returncode == 0
        server.stop()
        before = _all_rows(fresh)
        for table in ("device_roles", "enrolment_code_roles", "deletion_alarm", "device_order", "enrolment_code",
                      "server_audit_entry", "device_audit_entry", "audit_head"):
            assert before[table], table
        backup_file = tmp_path / "roles.wpbackup"
        cli("backup", str(backup_file))

        # After the backup: the alarm is undone, the roles and the order change. The restore takes the undo back; the
        # roles and the wipe order, being who may sync and how, stay (the device journal, replayed).
        server.start()
        cli("undo-deletion", alarms[0]["id"])
        cli("device-roles", worker.device_id, "field_staff")
        cli("mark-lost", worker.device_id, "--wipe")
        server.stop()
        restored = cli("restore", str(backup_file), "--yes")
        assert json.loads(restored.stdout)["missing_tables"] == [] and "older waypoint-server" not in restored.stderr

        after = _all_rows(fresh)
        assert after["server_epoch"][:len(before["server_epoch"])] == before["server_epoch"]
        assert len(after["server_epoch"]) == len(before["server_epoch"]) + 1
        journaled = ("server_epoch", "device_roles", "device_order")
        assert {name: rows for name, rows in after.items() if name not in journaled} == \
            {name: rows for name, rows in before.items() if name not in journaled}
        assert json.loads(restored.stdout)["journal_replayed"] == {"roles": 1, "order": 1}
        assert sorted(after["device_roles"]) == sorted(
            (d, "field_staff" if d == worker.device_id else roles) for d, roles in before["device_roles"])
        assert set(before["device_order"]) < set(after["device_order"]) and len(after["device_order"]) == 2
        verified = cli("audit", "verify", check=False)
        assert verified.returncode == 0 and f"device:{worker.device_id}: verified, 3 entries" in verified.stdout, \
            verified.stderr
        assert [json.loads(line)["id"] for line in cli("alarms").stdout.splitlines()] == [alarms[0]["id"]]
        assert [(o["device_id"], o["order_kind"], o["done_at"]) for o in map(json.loads, cli("orders").stdout.splitlines())
                ] == [(lost.device_id, "lock", None), (worker.device_id, "wipe", None)]
        assert len(cli("enrol-codes").stdout.splitlines()) == 1
        server.start()  # the code made before the backup still enrols a device, with the roles it was made for
        late = DeviceClient(server.url)
        late.enrol(code.strip().splitlines()[-1])
        assert (late.device_id, "field_staff") in _all_rows(fresh)["device_roles"]
        worker.close(), lost.close(), late.close()
    finally:
        server.stop()


def _after_the_backup(server: ServerProcess, backend: Backend, revoked: DeviceClient) -> tuple[DeviceClient, str]:
    """Since the backup: a centre added, a laptop enrolled there with a role (its record acknowledged), another
    device revoked; all through the real admin commands and the real enrolment endpoint."""
    admin = lambda *args: server_cli(backend.data_dir, "admin", *args, database_url=backend.database_url).stdout  # noqa: E731
    admin("centre", "add", "Tahoua")
    code = admin("enrol-code", "--centre", "Tahoua", "--roles", "field_staff").strip()
    late = DeviceClient(server.url)
    late.enrol(code, name="late laptop")
    record = str(uuid.uuid4())
    assert late.push(late.batch([op(1, record, {"name": "enrolled after the backup"})])).results[0].status \
        == "applied"
    admin("revoke", revoked.device_id)
    assert revoked.post_batch(revoked.batch([op(2, str(uuid.uuid4()), {"name": "x"})])).status_code == 403
    return late, code


def _journal_kept_them(server: ServerProcess, backend: Backend, late: DeviceClient, revoked: DeviceClient,
                       code: str) -> None:
    # The revoked device stays revoked.
    refused = revoked.post_batch(revoked.batch([op(2, str(uuid.uuid4()), {"name": "seized laptop"})]))
    assert refused.status_code == 403 and refusal(refused) == "device_revoked"
    # The laptop enrolled since the backup is known, at its centre with its role; the server asks it again for
    # everything it sent (what it holds from that laptop is nothing), and takes it.
    lost = late.post_batch(late.batch([op(2, str(uuid.uuid4()), {"name": "next"})]))
    assert lost.status_code == 409 and lost.json()["expected_seq"] == 1
    again = late.push(late.batch([op(1, str(uuid.uuid4()), {"name": "sent again"})]))
    assert again.results[0].status == "applied"
    assert late.pull("", 5).changes  # and it pulls
    devices = {d["id"]: d for d in map(json.loads, server_cli(backend.data_dir, "admin", "devices",
                                                             database_url=backend.database_url).stdout.splitlines())}
    assert devices[late.device_id]["centre"] == "Tahoua" and devices[late.device_id]["revoked_at"] is None
    assert devices[revoked.device_id]["revoked_at"] is not None
    db = open_database(backend.admin_url, pool_size=1)
    try:
        with db.read_engine.connect() as conn:
            roles = conn.execute(text("SELECT roles FROM device_roles WHERE device_id = :d"),
                                 {"d": late.device_id}).all()
    finally:
        db.dispose()
    assert [tuple(r) for r in roles] == [("field_staff",)]
    # Its code stays used: nobody enrols a second laptop with it.
    with DeviceClient(server.url) as other, pytest.raises(Exception, match="already been used"):
        other.enrol(code)


@both
def test_devices_enrolled_or_revoked_after_the_backup_stay_so_after_admin_restore(fresh, tmp_path):
    server = ServerProcess(data_dir=fresh.data_dir, database_url=fresh.database_url).start()
    try:
        seized = enrol(server, fresh)
        seized.push(seized.batch([op(1, str(uuid.uuid4()), {"name": "before"})]))
        backup_file = tmp_path / "before.wpbackup"
        server_cli(fresh.data_dir, "admin", "backup", str(backup_file), database_url=fresh.database_url)
        late, code = _after_the_backup(server, fresh, seized)
        journal = fresh.data_dir / "devices.journal"
        assert journal.stat().st_mode & 0o777 == 0o600 and b"Canary" not in journal.read_bytes()

        # Not while the server runs on this data folder (a push would go into the file moved aside).
        busy = server_cli(fresh.data_dir, "admin", "restore", str(backup_file), "--yes",
                          database_url=fresh.database_url, check=False)
        assert busy.returncode == 2 and "a server is running on this data folder" in busy.stderr
        assert late.push(late.batch([op(2, str(uuid.uuid4()), {"name": "still served"})])).results
        server.stop()

        summary = json.loads(server_cli(fresh.data_dir, "admin", "restore", str(backup_file), "--yes",
                                        database_url=fresh.database_url).stdout)
        assert summary["journal_replayed"] == {"centre": 1, "code": 1, "enrolled": 1, "revoked": 1}
        server.start()
        _journal_kept_them(server, fresh, late, seized, code)
        late.close()
        seized.close()
    finally:
        server.stop()


@both
def test_devices_enrolled_or_revoked_after_a_copy_put_back_by_hand_stay_so(fresh):
    server = ServerProcess(data_dir=fresh.data_dir, database_url=fresh.database_url).start()
    try:
        seized = enrol(server, fresh)
        server.stop()
        _snapshot(fresh, "copy")
        server.start()
        late, code = _after_the_backup(server, fresh, seized)
        server.stop()
        _put_back(fresh, "copy")
        server.start()
        events = [json.loads(line) for line in server.log_path.read_text().splitlines() if line.startswith("{")]
        ready = [e for e in events if e["event"] == "server_ready"][-1]
        assert ready["journal_replayed"] == {"centre": 1, "code": 1, "enrolled": 1, "revoked": 1}
        _journal_kept_them(server, fresh, late, seized, code)
        server.stop()
        server.start()  # nothing more to replay: the database holds it all
        events = [json.loads(line) for line in server.log_path.read_text().splitlines() if line.startswith("{")]
        assert [e for e in events if e["event"] == "server_ready"][-1]["journal_replayed"] == {}
        late.close()
        seized.close()
    finally:
        server.stop()


def test_an_altered_device_journal_is_refused_naming_its_line(tmp_path):
    data = tmp_path / "data"
    server = ServerProcess(data_dir=data).start()
    try:
        seized = enrol(server, Backend("sqlite", data, None))
        backup_file = tmp_path / "before.wpbackup"
        server_cli(data, "admin", "backup", str(backup_file))
        _after_the_backup(server, Backend("sqlite", data, None), seized)
    finally:
        server.stop()
    journal = data / "devices.journal"
    lines = journal.read_bytes().splitlines(keepends=True)
    assert [json.loads(line)["kind"] for line in lines] == ["enrolled", "centre", "code", "enrolled", "revoked"]
    # The revocation made to name another device: refused, nothing restored.
    journal.write_bytes(b"".join(lines[:4]) + lines[4].replace(seized.device_id.encode(), str(uuid.uuid4()).encode()))
    refused = server_cli(data, "admin", "restore", str(backup_file), "--yes", check=False)
    assert refused.returncode == 2 and "devices.journal line 5 was altered" in refused.stderr
    # The late laptop's enrolment taken out of the middle: the chain breaks there.
    journal.write_bytes(lines[0] + lines[1] + lines[2] + lines[4])
    refused = server_cli(data, "admin", "restore", str(backup_file), "--yes", check=False)
    assert refused.returncode == 2 and "line 4 was altered" in refused.stderr
    assert "Tahoua" in server_cli(data, "admin", "centre", "list").stdout  # nothing restored
    # A last line cut short by a crash was never acknowledged: left out, the rest is replayed.
    journal.write_bytes(b"".join(lines) + lines[4][:20])
    summary = json.loads(server_cli(data, "admin", "restore", str(backup_file), "--yes").stdout)
    assert summary["journal_replayed"] == {"centre": 1, "code": 1, "enrolled": 1, "revoked": 1}
    seized.close()


def test_a_backup_cut_short_or_onto_a_full_disk_is_said_in_words_and_never_half_kept(tmp_path):
    # A backup copied off a stick that was pulled out, and a backup written onto a disk that fills up: both once ended
    # in a traceback; the cut one also left a half-built database beside the real one, and a backup killed while it
    # was written stayed under the name the administrator keeps.
    from test_server_logs import full_tmpfs

    data = tmp_path / "data"
    with ServerProcess(data_dir=data) as server:
        device = enrol(server, Backend("sqlite", data, None))
        record = str(uuid.uuid4())
        assert device.post_batch(device.batch([op(1, record, {"name": CANARY})])).status_code == 200
        device.close()
        whole = tmp_path / "whole.wpbackup"
        server_cli(data, "admin", "backup", str(whole))
    cut = tmp_path / "cut.wpbackup"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    before = sorted(p.name for p in data.iterdir())
    refused = server_cli(data, "admin", "restore", str(cut), "--yes", check=False)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert f"{cut} is damaged or cut short" in refused.stderr and "nothing was changed" in refused.stderr
    assert sorted(p.name for p in data.iterdir()) == before  # no half-built copy left beside the database
    missing = server_cli(data, "admin", "restore", str(tmp_path / "no-such.wpbackup"), "--yes", check=False)
    assert missing.returncode == 2 and "no such file" in missing.stderr and "Traceback" not in missing.stderr
    assert server_cli(data, "admin", "restore", str(whole), "--yes").returncode == 0  # the whole one still restores

    with full_tmpfs(1) as full:
        with open(full / "filler", "wb", buffering=0) as filler, pytest.raises(OSError):
            while True:  # the disk full to the last block
                filler.write(b"\0" * 4096)
        onto = full / "onto-full.wpbackup"
        failed = server_cli(data, "admin", "backup", str(onto), check=False)
        assert failed.returncode == 2 and "Traceback" not in failed.stderr
        assert f"the backup could not be written to {onto}" in failed.stderr and "choose a place" in failed.stderr
        assert sorted(p.name for p in full.iterdir()) == ["filler"]  # nothing half-written, under any name
