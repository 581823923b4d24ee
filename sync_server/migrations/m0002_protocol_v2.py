"""Migration 0002 (protocol 2): feed epochs, key rotations, version hashes, served cursors, content sealed at rest.

Rows written before this migration are given their version hash and sealed under the data key (so `admin init` must
have created it); on SQLite the file is then vacuumed so no freed page keeps the clear text.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime

from sqlalchemy import BigInteger, Column, DateTime, Integer, MetaData, String, Table, Text, text

from ..atrest import seal_text
from ..files import StartupRefused
from ..merge import state_hash

VERSION = 2
NAME = "protocol_v2"

metadata = MetaData()
Table("server_epoch", metadata, Column("n", Integer, primary_key=True), Column("epoch", String, nullable=False,
                                                                                 unique=True),
      Column("started_at", DateTime(timezone=True), nullable=False), Column("reason", String, nullable=False),
      Column("last_seq", BigInteger, nullable=False))
Table("key_rotation", metadata, Column("id", Integer, primary_key=True),
      Column("previous_signing_key_id", String, nullable=False), Column("signing_key_id", String, nullable=False),
      Column("statement", Text, nullable=False), Column("created_at", DateTime(timezone=True), nullable=False))

COLUMNS = [
    "ALTER TABLE device ADD COLUMN served_cursor BIGINT NOT NULL DEFAULT 0",
    "ALTER TABLE op_result ADD COLUMN version_hash VARCHAR",
    "ALTER TABLE record ADD COLUMN hash VARCHAR NOT NULL DEFAULT ''",
    "ALTER TABLE record ADD COLUMN hlc BIGINT NOT NULL DEFAULT 0",
    "ALTER TABLE record ADD COLUMN origin_device_id VARCHAR",
    "ALTER TABLE record_version ADD COLUMN hash VARCHAR NOT NULL DEFAULT ''",
    "CREATE INDEX ix_record_version_hash ON record_version (record_id, hash)",
]


def upgrade(conn, context) -> None:
    metadata.create_all(conn)
    for statement in COLUMNS:
        conn.execute(text(statement))
    last_seq = conn.execute(text("SELECT last_seq FROM change_counter WHERE id = 1")).scalar_one()
    # Devices enrolled before this version have been served everything up to here, as far as anyone can tell.
    conn.execute(text("UPDATE device SET served_cursor = :s"), {"s": last_seq})
    conn.execute(text("INSERT INTO server_epoch (n, epoch, started_at, reason, last_seq) VALUES (1, :e, :t, :r, :s)"),
                 {"e": secrets.token_hex(8), "t": datetime.now(UTC), "r": "first epoch", "s": last_seq})
    _seal_existing(conn, context)


def _seal_existing(conn, context) -> None:
    versions = conn.execute(text("SELECT record_id, server_version, state FROM record_version")).all()
    conflicts = conn.execute(text("SELECT id, server_state, device_op FROM conflict")).all()
    if not versions and not conflicts:
        return
    key = context.data_key
    if key is None:
        raise StartupRefused("this database holds records in clear: run `waypoint-server admin init` first (it "
                             "creates the data key they are then encrypted with)")
    for record_id, server_version, state in versions:
        conn.execute(text("UPDATE record_version SET state = :s, hash = :h WHERE record_id = :r AND server_version = :v"),
                     {"s": seal_text(key, state, table="record_version", row_id=record_id, version=server_version),
                      "h": state_hash(json.loads(state)), "r": record_id, "v": server_version})
    for record_id, server_version, state in conn.execute(text("SELECT id, server_version, state FROM record")).all():
        latest = conn.execute(text("SELECT hlc, device_id FROM record_version WHERE record_id = :r AND "
                                   "server_version = :v"), {"r": record_id, "v": server_version}).first()
        conn.execute(text("UPDATE record SET state = :s, hash = :h, hlc = :l, origin_device_id = :o WHERE id = :r"),
                     {"s": seal_text(key, state, table="record", row_id=record_id, version=server_version),
                      "h": state_hash(json.loads(state)), "l": latest[0] if latest else 0,
                      "o": latest[1] if latest else None, "r": record_id})
    for conflict_id, server_state, device_op in conflicts:
        conn.execute(text("UPDATE conflict SET server_state = :s, device_op = :d WHERE id = :i"),
                     {"s": seal_text(key, server_state, table="conflict.server_state", row_id=conflict_id),
                      "d": seal_text(key, device_op, table="conflict.device_op", row_id=conflict_id), "i": conflict_id})
    context.vacuum = True
