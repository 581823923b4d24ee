"""Migration 0006 (rights on the server, issue 11 point 1): which roles use each device, the kind of each record,
and deletion alarms.

- `device_roles`: the roles of the people who use a device, as the coordinator named them for its enrolment code
  (`enrol-code --roles`) or later (`device-roles`); a device without a row is unrestricted (enrolled before this).
- `enrolment_code_roles`: the roles a code gives the device that uses it.
- `record_kind`: the records that are cases (trafficking, protection), so pulls leave them out for devices whose
  roles may not view them without opening sealed content. Filled here from the records already held.
- `deletion_alarm`: a device deleted many records at once; a coordinator can undo it.
"""

from __future__ import annotations

import json

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text, text

from ..atrest import open_text

VERSION = 6
NAME = "scope"

metadata = MetaData()
Table("device_roles", metadata, Column("device_id", String, primary_key=True), Column("roles", String, nullable=False))
Table("enrolment_code_roles", metadata, Column("code_id", String, primary_key=True),
      Column("roles", String, nullable=False))
Table("record_kind", metadata, Column("record_id", String, primary_key=True), Column("kind", String, nullable=False))
Table("deletion_alarm", metadata, Column("id", String, primary_key=True),
      Column("device_id", String, nullable=False), Column("centre_id", String, nullable=False),
      Column("raised_at", DateTime(timezone=True), nullable=False), Column("count", Integer, nullable=False),
      Column("record_ids", Text, nullable=False), Column("undone_at", DateTime(timezone=True)),
      Column("undone_by", String))


def upgrade(conn, context) -> None:
    metadata.create_all(conn)
    fill_record_kind(conn, context)


def fill_record_kind(conn, context) -> None:
    """The cases among the records held (also run by a restore from a backup that lacks `record_kind`)."""
    rows = conn.execute(text("SELECT id, server_version, state FROM record")).all()
    if not rows or context.data_key is None:
        return
    for record_id, version, state in rows:
        values = json.loads(open_text(context.data_key, state, table="record", row_id=record_id, version=version))
        if values.get("record_kind") == "case":
            conn.execute(text("INSERT INTO record_kind (record_id, kind) VALUES (:r, 'case')"), {"r": record_id})
