"""Migration 0001: the first schema (devices, centres, enrolment codes, records, versions, change feed, forms).

The tables are written out here as they were at version 1, in their own MetaData, so that later changes to
sync_server/tables.py never change what this migration creates (later migrations alter them with explicit DDL).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger, Boolean, Column, DateTime, ForeignKey, Index, Integer, MetaData, String, Table, Text, UniqueConstraint,
    text,
)

VERSION = 1
NAME = "initial"

metadata = MetaData()


def _when(name: str, nullable: bool = False) -> Column:
    return Column(name, DateTime(timezone=True), nullable=nullable)


Table("server_key", metadata, Column("key_id", String, primary_key=True), Column("purpose", String, nullable=False),
      Column("public_key", String, nullable=False), _when("created_at"), Column("active", Boolean, nullable=False))
Table("centre", metadata, Column("id", String, primary_key=True), Column("name", String, nullable=False, unique=True),
      _when("created_at"))
Table("enrolment_code", metadata, Column("id", String, primary_key=True),
      Column("code_hash", String, nullable=False, unique=True),
      Column("centre_id", String, ForeignKey("centre.id"), nullable=False), _when("created_at"), _when("expires_at"),
      _when("used_at", True), Column("device_id", String))
Table("device", metadata, Column("id", String, primary_key=True),
      Column("centre_id", String, ForeignKey("centre.id"), nullable=False, index=True),
      Column("name", String, nullable=False), Column("public_key", String, nullable=False, unique=True),
      _when("enrolled_at"), _when("revoked_at", True), Column("high_water_mark", BigInteger, nullable=False))
Table("op_result", metadata, Column("id", Integer, primary_key=True),
      Column("device_id", String, ForeignKey("device.id"), nullable=False),
      Column("device_seq", BigInteger, nullable=False), Column("op_id", String, nullable=False, index=True),
      Column("record_id", String, nullable=False), Column("status", String, nullable=False),
      Column("server_version", Integer), Column("conflict_id", String), Column("message", String),
      UniqueConstraint("device_id", "device_seq", name="uq_op_result_device_seq"))
Table("record", metadata, Column("id", String, primary_key=True),
      Column("centre_id", String, ForeignKey("centre.id"), nullable=False, index=True),
      Column("form_id", String, nullable=False), Column("form_version", String, nullable=False),
      Column("server_version", Integer, nullable=False), Column("deleted", Boolean, nullable=False),
      Column("state", Text, nullable=False), Column("provenance", Text, nullable=False), _when("updated_at"))
Table("record_version", metadata, Column("record_id", String, primary_key=True),
      Column("server_version", Integer, primary_key=True), Column("device_id", String),
      Column("device_seq", BigInteger), Column("form_id", String, nullable=False),
      Column("form_version", String, nullable=False), Column("deleted", Boolean, nullable=False),
      Column("state", Text, nullable=False), Column("changed", Text, nullable=False),
      Column("hlc", BigInteger, nullable=False), _when("created_at"))
Table("change", metadata, Column("seq", BigInteger, primary_key=True, autoincrement=False),
      Column("record_id", String, nullable=False), Column("server_version", Integer, nullable=False),
      Column("centre_id", String, nullable=False), Index("ix_change_centre_seq", "centre_id", "seq"))
Table("change_counter", metadata, Column("id", Integer, primary_key=True),
      Column("last_seq", BigInteger, nullable=False))
Table("conflict", metadata, Column("id", String, primary_key=True),
      Column("record_id", String, nullable=False, index=True), Column("centre_id", String, nullable=False),
      _when("opened_at"), Column("fields", Text, nullable=False), Column("server_state", Text, nullable=False),
      Column("device_op", Text, nullable=False), Column("winner", Text, nullable=False),
      Column("device_id", String, nullable=False), Column("device_seq", BigInteger, nullable=False),
      _when("resolved_at", True))
Table("form_version", metadata, Column("form_id", String, primary_key=True), Column("version", String, primary_key=True),
      Column("title", String, nullable=False), Column("xform", Text, nullable=False),
      Column("sha256", String, nullable=False), Column("signature", String, nullable=False), _when("published_at"))


def upgrade(conn, _context=None) -> None:
    metadata.create_all(conn)
    conn.execute(text("INSERT INTO change_counter (id, last_seq) VALUES (1, 0)"))
