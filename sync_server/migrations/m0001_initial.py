"""Migration 0001: the first schema (devices, centres, enrolment codes, records, versions, change feed, forms)."""

from __future__ import annotations

from sqlalchemy import text

from .. import tables

VERSION = 1
NAME = "initial"

# The tables as they were at version 1. Later migrations change them with explicit DDL, not create_all.
TABLES = [
    tables.ServerKey, tables.Centre, tables.EnrolmentCode, tables.Device, tables.OpResultRow, tables.Record,
    tables.RecordVersion, tables.ChangeRow, tables.ChangeCounter, tables.Conflict, tables.FormVersion,
]


def upgrade(conn) -> None:
    tables.ServerTable.metadata.create_all(conn, tables=[model.__table__ for model in TABLES])
    conn.execute(text("INSERT INTO change_counter (id, last_seq) VALUES (1, 0)"))
