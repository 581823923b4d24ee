"""Migration 0022: a rejected op's refusal code and values are stored in op_result beside its sentence; a result
stored before it is answered again without a code (the device reads its sentence, as an older server's)."""

from __future__ import annotations

import uuid

from sqlalchemy import inspect, text

from sync_server import admin, push
from sync_server.atrest import DataKey
from sync_server.db import MigrationContext, migrate, open_database, utcnow
from waypoint_core.protocol import refusals


def test_migration_0022_adds_the_code_and_results_stored_before_are_answered_without_one(backend):
    db = open_database(backend.admin_url, pool_size=2)
    try:
        context = MigrationContext(data_key=DataKey.generate())
        migrate(db, context, up_to=21)
        device, centre = str(uuid.uuid4()), admin.add_centre(db, f"Old {uuid.uuid4().hex[:6]}")
        with db.write_engine.begin() as conn:
            conn.execute(text("INSERT INTO device (id, centre_id, name, public_key, enrolled_at, high_water_mark, "
                              "served_cursor, acked_seq) VALUES (:d, :c, 'old laptop', :k, :t, 1, 0, 0)"),
                         {"d": device, "c": centre, "k": uuid.uuid4().hex, "t": utcnow()})
            conn.execute(text("INSERT INTO op_result (device_id, device_seq, op_id, record_id, status, message) "
                              "VALUES (:d, 1, 'op-1', :r, 'rejected', :m)"),
                         {"d": device, "r": str(uuid.uuid4()), "m": refusals.other_centre()})
        assert migrate(db, context, up_to=22) == [22]
        with db.read_engine.connect() as conn:
            assert {"code", "code_values"} <= {c["name"] for c in inspect(conn).get_columns("op_result")}
            [stored] = push._stored_results(conn, device, 1, 1)
        assert (stored["status"], stored["message"], stored["code"], stored["code_values"]) == (
            "rejected", refusals.other_centre(), None, None)
    finally:
        db.dispose()
