"""Migration 0020: a file that a device of another centre sent for a record, held under the sender's centre by the
server before it, is copied to the record's centre (sealed again for it); a record naming a file its writers'
centres do not hold gets nothing."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from sync_server import admin, blobs
from sync_server.atrest import DataKey
from sync_server.db import MigrationContext, migrate, open_database, utcnow
from sync_server.tables import Device, Record, RecordFile, RecordVersion
from waypoint_core.protocol import blob_hash, chunks_of


def _record(conn, record_id: str, centre: str, device_id: str, sha256: str) -> None:
    conn.execute(Record.__table__.insert(), [{
        "id": record_id, "centre_id": centre, "form_id": "f", "form_version": "1", "server_version": 1,
        "deleted": False, "provenance": "{}", "updated_at": utcnow(), "hash": "h", "hlc": 1,
        "origin_device_id": device_id, "state": "unread here"}])
    conn.execute(RecordVersion.__table__.insert(), [{
        "record_id": record_id, "server_version": 1, "device_id": device_id, "device_seq": 1, "form_id": "f",
        "form_version": "1", "deleted": False, "state": "unread here", "changed": "[]", "hlc": 1,
        "created_at": utcnow(), "hash": "h"}])
    conn.execute(RecordFile.__table__.insert(), [{"record_id": record_id, "sha256": sha256, "centre_id": centre}])


def test_migration_0020_copies_a_file_to_its_records_centre(backend):
    """SQLite and PostgreSQL: a fresh database of the module's backend, at schema 19."""
    key = DataKey.generate()
    db = open_database(backend.admin_url, pool_size=2)
    try:
        migrate(db, MigrationContext(data_key=key), up_to=19)
        north, south, far = (admin.add_centre(db, name) for name in ("North", "South", "Far"))
        photo = bytes(range(256)) * 9000  # three chunks
        other = b"a file only Far holds"
        coordinator, rogue = str(uuid.uuid4()), str(uuid.uuid4())
        with db.write_engine.begin() as conn:
            for device_id, centre in ((coordinator, south), (rogue, north)):
                conn.execute(Device.__table__.insert(), [{
                    "id": device_id, "centre_id": centre, "name": device_id, "public_key": device_id,
                    "enrolled_at": utcnow(), "high_water_mark": 1, "served_cursor": 0, "acked_seq": 0}])
            # As the server before 0020 stored them: the coordinator's photo under its own centre, South.
            for data, centre in ((photo, south), (other, far)):
                for chunk in chunks_of(data):
                    blobs.receive_chunk_in(conn, centre, chunk, key, device_id=coordinator, sweep=False)
            _record(conn, str(uuid.uuid4()), north, coordinator, blob_hash(photo))
            _record(conn, str(uuid.uuid4()), north, rogue, blob_hash(other))  # names Far's file: gets nothing
        with pytest.raises(RuntimeError, match="data key"):
            migrate(db, MigrationContext(data_key=None))
        assert migrate(db, MigrationContext(data_key=key), up_to=20) == [20]
        with db.read_engine.connect() as conn:
            held = {(r.centre_id, r.sha256): bool(r.complete) for r in conn.execute(text(
                "SELECT centre_id, sha256, complete FROM blob"))}
            copied = b"".join(key.open(r.data, blobs._chunk_aad(north, blob_hash(photo), r.start_byte))
                              for r in conn.execute(text("SELECT start_byte, data FROM blob_chunk WHERE centre_id = :c "
                                                         "AND sha256 = :s ORDER BY start_byte"),
                                                    {"c": north, "s": blob_hash(photo)}))
        assert held == {(south, blob_hash(photo)): True, (north, blob_hash(photo)): True,
                        (far, blob_hash(other)): True}
        assert copied == photo
    finally:
        db.dispose()
