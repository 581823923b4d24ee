"""Migration 0007 (remote lock and wipe, issue 11 point 6): the order a coordinator gave for a lost device and
whether the device carried it out."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, MetaData, String, Table, Text

VERSION = 7
NAME = "device_orders"

metadata = MetaData()
Table("device_order", metadata,
      Column("id", String, primary_key=True), Column("device_id", String, nullable=False, index=True),
      Column("order_kind", String, nullable=False),  # lock | wipe
      Column("issued_at", String, nullable=False), Column("issued_by", String, nullable=False),
      Column("signature", Text, nullable=False), Column("done_at", DateTime(timezone=True)),
      Column("done", String))


def upgrade(conn, context) -> None:
    metadata.create_all(conn)
