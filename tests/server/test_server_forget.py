"""The server forgets a deleted record's content once every device of its centre has acknowledged the deletion
(issue 7 point 2), on SQLite and PostgreSQL: a canary name is searched in every sealed state of the database, opened
with the data key, and in a backup made afterwards; ids and version hashes stay, and sync goes on."""

from __future__ import annotations

import gzip
import json
import uuid

from server_harness import server_cli

from sync_server import history
from sync_server.atrest import DataKey, UnreadableRow, is_sealed, open_text
from sync_server.db import Database
from waypoint_core.protocol import Op

CANARY = "Ayodele Canary-Forget"


def op(seq: int, record_id: str, kind: str = "upsert", fields: dict | None = None,
       base: tuple[int, str] | None = None) -> Op:
    return Op(op_id=str(uuid.uuid4()), device_seq=seq, record_id=record_id, op=kind, record_version=seq,
              base_version=base[0] if base else None, base_hash=base[1] if base else None, form_id="registration",
              form_version="1", hlc=seq, fields=fields or {},
              content=f"<data><name>{fields['name']}</name></data>" if fields and "name" in fields else None)


SEALED = {"record": ("state", "id", "server_version"),
          "record_version": (("state", "previous_state"), "record_id", "server_version"),
          "conflict": (("server_state", "device_op"), "id", None)}


def opened_texts(rows: dict[str, list[dict]], key: DataKey) -> list[str]:
    """Every sealed value of these tables' rows, opened with the data key (a value that does not open fails)."""
    texts = []
    for table, found in rows.items():
        columns, row_id, version = SEALED[table]
        for row in found:
            for column in (columns if isinstance(columns, tuple) else (columns,)):
                value = row.get(column)  # a backup made before migration 0021 has no previous_state
                if table == "record_version" and value in (history.CURRENT, None):
                    continue  # the current version's state, held once in record.state (sync_server/history.py)
                assert is_sealed(value), (table, column)
                aad_table = f"{table}.{column}" if table == "conflict" else table
                # previous_state: the state of the version before this row's, sealed for that version
                shift = 1 if column == "previous_state" else 0
                texts.append(open_text(key, value, table=aad_table, row_id=row[row_id],
                                       version=row[version] - shift if version else ""))
    return texts


def database_rows(db: Database) -> dict[str, list[dict]]:
    from sqlalchemy import text

    with db.read_engine.connect() as conn:
        return {table: [dict(r._mapping) for r in conn.execute(text(f"SELECT * FROM {table}"))] for table in SEALED}


def backup_rows(path) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    table, columns = None, []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            if isinstance(item, dict) and "table" in item:
                table, columns = item["table"], item["columns"]
            elif isinstance(item, list) and table in SEALED:
                found.setdefault(table, []).append(dict(zip(columns, item)))
    return found


def hashes(db: Database, record_id: str) -> list[tuple[int, str]]:
    from sqlalchemy import text

    with db.read_engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT server_version, hash FROM record_version WHERE "
                                                    "record_id = :r ORDER BY server_version"), {"r": record_id})]


def pull_to_end(device, cursor: str = "") -> str:
    while True:
        page = device.pull(cursor, 500)
        cursor = page.next_cursor
        if not page.has_more:
            return cursor


def test_a_deleted_record_is_forgotten_once_every_device_acknowledged_it(make_device, admin_db, data_key, backend,
                                                                        server, tmp_path):
    centre = f"Forget {uuid.uuid4().hex[:8]}"
    a, b, c = make_device(centre), make_device(centre), make_device(centre)
    gone, kept = str(uuid.uuid4()), str(uuid.uuid4())
    created = a.push(a.batch([op(1, gone, fields={"name": f"{CANARY} gone", "phone": "0101"}),
                              op(2, kept, fields={"name": f"{CANARY} kept"})])).results
    # b edits the record concurrently with a's deletion's base: a conflict row holds both sides (content too).
    b.push(b.batch([op(1, gone, fields={"name": f"{CANARY} gone II"})]))
    cursors = {id(device): pull_to_end(device) for device in (a, b, c)}
    a.push(a.batch([op(3, gone, "delete", base=(created[0].server_version, created[0].version_hash))]))
    before = hashes(admin_db, gone)

    # a and b acknowledge the deletion (they ask for what follows it); c has not pulled it yet: nothing is forgotten.
    for device in (a, b):
        cursors[id(device)] = pull_to_end(device, pull_to_end(device, cursors[id(device)]))
    assert sum(f"{CANARY} gone" in t for t in opened_texts(database_rows(admin_db), data_key)) > 0

    cursors[id(c)] = pull_to_end(c, cursors[id(c)])  # c receives the tombstone...
    assert sum(f"{CANARY} gone" in t for t in opened_texts(database_rows(admin_db), data_key)) > 0
    pull_to_end(c, cursors[id(c)])  # ...and acknowledges it with its next request
    texts = opened_texts(database_rows(admin_db), data_key)
    assert not any(f"{CANARY} gone" in t for t in texts)
    assert any(f"{CANARY} kept" in t for t in texts)  # the search reads content: the living record is there
    assert hashes(admin_db, gone) == before  # ids, versions and hashes stay

    backup = tmp_path / "after.wpbackup"
    server_cli(backend.data_dir, "admin", "backup", str(backup), database_url=backend.database_url)
    in_backup = opened_texts(backup_rows(backup), data_key)
    assert in_backup and not any(f"{CANARY} gone" in t for t in in_backup)
    assert any(f"{CANARY} kept" in t for t in in_backup)

    # Sync goes on: a new device receives the living record, never the forgotten one's content; an op made on the
    # deleted record's old version is still merged against its kept history (hashes), without an error.
    d = make_device(centre)
    latest = {}
    cursor = ""
    while True:
        page = d.pull(cursor, 500)
        latest.update({change.record_id: change for change in page.changes})
        cursor = page.next_cursor
        if not page.has_more:
            break
    assert latest[gone].deleted and latest[gone].fields == {} and latest[kept].fields["name"] == f"{CANARY} kept"
    late = c.push(c.batch([op(1, gone, fields={"phone": "0202"},
                              base=(created[0].server_version, created[0].version_hash))])).results[0]
    assert late.status in ("merged", "conflict")
    try:
        opened_texts(database_rows(admin_db), DataKey.generate())
        raise AssertionError("another key opened the database")
    except UnreadableRow:
        pass


def test_a_pull_asks_for_waiting_tombstones_through_their_index(make_device, admin_db, backend):
    """A pull that moves its acknowledgement first asks whether any tombstone waits (forget._WAITING): the partial
    index of migration 0008 answers it, instead of a read of the centre's feed and records; migration 0016's copy of
    that index is gone (0017)."""
    from sqlalchemy import text

    from sync_server import forget

    centre = f"Waiting {uuid.uuid4().hex[:8]}"
    a = make_device(centre)
    record = str(uuid.uuid4())
    created = a.push(a.batch([op(1, record, fields={"name": "Synthetic Waiting"})])).results[0]
    with admin_db.read_engine.connect() as conn:
        centre_id = conn.execute(text("SELECT centre_id FROM record WHERE id = :r"), {"r": record}).scalar_one()
        assert conn.execute(forget._WAITING, {"c": centre_id}).first() is None
        if not admin_db.is_postgres:
            plan = " ".join(str(row[-1]) for row in conn.execute(text("EXPLAIN QUERY PLAN " + str(forget._WAITING)),
                                                                 {"c": centre_id}))
            assert "USING INDEX ix_record_unpurged " in plan + " ", plan
            assert conn.execute(text("SELECT name FROM sqlite_master WHERE name = 'ix_record_unpurged_tombstone'")
                                ).first() is None
    a.push(a.batch([op(2, record, "delete", base=(created.server_version, created.version_hash))]))
    with admin_db.read_engine.connect() as conn:
        assert conn.execute(forget._WAITING, {"c": centre_id}).first() is not None
    pull_to_end(a, pull_to_end(a, ""))  # the only device acknowledges the deletion: it is purged
    with admin_db.read_engine.connect() as conn:
        assert conn.execute(forget._WAITING, {"c": centre_id}).first() is None
        assert conn.execute(text("SELECT purged_at FROM record WHERE id = :r"), {"r": record}).scalar_one()
