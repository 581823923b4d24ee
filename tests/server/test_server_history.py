"""A record's history after migration 0021 (sync_server/history.py): histories written before it still open."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import inspect, text

from sync_server import admin, history
from sync_server.atrest import DataKey, UnreadableRow, seal_text
from sync_server.db import MigrationContext, migrate, open_database, utcnow


def test_migration_0021_adds_previous_state_and_older_histories_still_open(backend):
    """SQLite and PostgreSQL, a fresh database of the module's backend. A history written before 0021 holds each
    superseded state in its own row: it still opens; a version that left its state to `record` and was superseded
    without it (an undo of a bulk deletion before 0021) says so."""
    key = DataKey.generate()
    db = open_database(backend.admin_url, pool_size=2)
    try:
        migrate(db, MigrationContext(data_key=key), up_to=20)
        record, centre = str(uuid.uuid4()), admin.add_centre(db, f"Old {uuid.uuid4().hex[:6]}")
        states = {v: f'{{"#form":"registration\\u001f1","age":{v}}}' for v in (1, 2, 3)}
        with db.write_engine.begin() as conn:
            conn.execute(text("INSERT INTO record (id, centre_id, form_id, form_version, server_version, deleted, state, "
                              "provenance, updated_at, hash, hlc) VALUES (:r, :c, 'registration', '1', 3, :f, :s, '{}', "
                              ":t, 'h3', 3)"), {"r": record, "c": centre, "f": False, "t": utcnow(),
                                                 "s": seal_text(key, states[3], table="record", row_id=record, version=3)})
            for v in (1, 2, 3):
                own = {1: seal_text(key, states[1], table="record_version", row_id=record, version=1),
                       2: history.CURRENT, 3: history.CURRENT}[v]
                conn.execute(text("INSERT INTO record_version (record_id, server_version, form_id, form_version, deleted, "
                                  "state, changed, hlc, created_at, hash) VALUES (:r, :v, 'registration', '1', :f, :s, "
                                  "'[]', :v, :t, :h)"), {"r": record, "v": v, "f": False, "s": own, "t": utcnow(),
                                                          "h": f"h{v}"})
        assert migrate(db, MigrationContext(data_key=key), up_to=21) == [21]
        with db.read_engine.connect() as conn:
            assert "previous_state" in {c["name"] for c in inspect(conn).get_columns("record_version")}
        assert admin.record_state(db, key, record, version=1)["age"] == 1
        assert admin.record_state(db, key, record, version=3)["age"] == 3
        with pytest.raises(UnreadableRow):
            admin.record_state(db, key, record, version=2)
    finally:
        db.dispose()
