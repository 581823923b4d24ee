"""Migration 0003 (USB batches): every batch file the server imported, by (batch id, part).

A file imported again (the same stick twice, or a copy) is recognised even when it carries nothing to apply (a
laptop that only asked for its changes); the administrator and the courier see when and how each part came in.
No content: ids, counts, a status and the file's SHA-256.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table

VERSION = 3
NAME = "batch_import"

metadata = MetaData()
Table("batch_import", metadata,
      Column("batch_id", String, primary_key=True), Column("part", Integer, primary_key=True),
      Column("parts", Integer, nullable=False), Column("device_id", String, nullable=False, index=True),
      Column("file_sha256", String, nullable=False), Column("status", String, nullable=False),
      Column("ops", Integer, nullable=False), Column("via", String, nullable=False),
      Column("imported_at", DateTime(timezone=True), nullable=False))


def upgrade(conn, context) -> None:
    metadata.create_all(conn)
