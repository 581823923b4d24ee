"""Migration 0005: attachments (photos, scans, audit files) travel with their record.

blob: one file's bytes as the server holds them, per centre, by SHA-256 (deduplicated inside a centre; never shared
across centres, so a device learns nothing about another centre's files); `received` bytes are in, `complete` once
the whole blob matched its hash. blob_chunk: the bytes, sealed under the data key like record content (atrest.py),
each bound to its centre, blob and offset. record_file: which blobs each record's current version names (its
`@files` field): a blob no record names any more is removed with its chunks.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, DateTime, Index, MetaData, String, Table, Text

VERSION = 5
NAME = "attachments"

metadata = MetaData()
Table("blob", metadata, Column("centre_id", String, primary_key=True), Column("sha256", String, primary_key=True),
      Column("size", BigInteger, nullable=False), Column("received", BigInteger, nullable=False),
      Column("complete", Boolean, nullable=False), Column("created_at", DateTime(timezone=True), nullable=False))
Table("blob_chunk", metadata, Column("centre_id", String, primary_key=True), Column("sha256", String, primary_key=True),
      Column("start_byte", BigInteger, primary_key=True, autoincrement=False), Column("length", BigInteger, nullable=False),
      Column("data", Text, nullable=False))
Table("record_file", metadata, Column("record_id", String, primary_key=True), Column("sha256", String, primary_key=True),
      Column("centre_id", String, nullable=False),
      Index("ix_record_file_blob", "centre_id", "sha256"))


def upgrade(conn, context) -> None:
    metadata.create_all(conn)
