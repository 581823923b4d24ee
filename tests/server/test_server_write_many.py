"""push.write_many (the push's executemany straight to the driver) stores rows exactly as SQLAlchemy's own insert and
update do, on SQLite and on PostgreSQL: the same text for a timestamp, the same booleans, NULLs and numbers."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from server_harness import fresh_postgres_database, postgres_available
from sqlalchemy import select

from sync_server.db import migrate, open_database, utcnow
from sync_server.push import insert_many, write_many
from sync_server.tables import Record, RecordVersion


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request):
    if request.param == "postgres":
        reason = postgres_available()
        if reason:
            pytest.skip(reason)
        with fresh_postgres_database() as url:
            database = open_database(url, pool_size=1)
            migrate(database)
            yield database
            database.dispose()
    else:
        with tempfile.TemporaryDirectory() as folder:
            database = open_database(f"sqlite:///{Path(folder) / 'server.db'}", pool_size=1)
            migrate(database)
            yield database
            database.dispose()


def _raw(conn, table: str, key: str) -> list[tuple]:
    return [tuple(str(v) for v in row) for row in conn.exec_driver_sql(f"SELECT * FROM {table} ORDER BY {key}")]


def test_write_many_stores_what_sqlalchemy_stores(db):
    now = utcnow()
    version = {"record_id": "r", "server_version": 1, "device_id": None, "device_seq": 2**40, "form_id": "f «é»",
               "form_version": "1", "deleted": True, "state": "sealed", "changed": "[]", "hlc": 2**61,
               "created_at": now, "hash": "h"}
    record = {"id": "r", "centre_id": "c", "form_id": "f", "form_version": "1", "server_version": 1, "deleted": False,
              "state": "s", "provenance": "{}", "updated_at": now, "hash": "h", "hlc": 7, "origin_device_id": None}
    with db.write_engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO centre (id, name, created_at) VALUES ('c', 'C', CURRENT_TIMESTAMP)")
        conn.execute(RecordVersion.__table__.insert(), [version, {**version, "server_version": 2, "deleted": False}])
        insert_many(conn, RecordVersion.__table__, [{**version, "record_id": "s"},
                                                   {**version, "record_id": "s", "server_version": 2,
                                                    "deleted": False}])
        rows = _raw(conn, "record_version", "record_id, server_version")
        assert [r[1:] for r in rows[:2]] == [r[1:] for r in rows[2:]]
        assert conn.execute(select(RecordVersion.__table__.c.created_at)).scalars().all() == [now] * 4

        conn.execute(Record.__table__.insert(), [record, {**record, "id": "s"}])
        changed = {**record, "server_version": 2, "deleted": True, "hlc": 9, "origin_device_id": "d"}
        conn.execute(Record.__table__.update().where(Record.__table__.c.id == "r"),
                     {k: v for k, v in changed.items() if k != "id"})
        write_many(conn, Record.__table__, [{k: v for k, v in changed.items() if k != "id"} | {"id": "s"}],
                   update_by="id")
        first, second = _raw(conn, "record", "id")
        assert first[1:] == second[1:]
