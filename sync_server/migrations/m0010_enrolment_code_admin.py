"""Migration 0010 (issue 11 point 3: coordinators manage enrolment codes from the app, sync_server/coordination.py):
`enrolment_code_admin`, who made a code from a laptop, and its revocation (a revoked code enrols nothing). A code
made on the server's command line has no row until it is revoked."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, MetaData, String, Table

VERSION = 10
NAME = "enrolment_code_admin"

metadata = MetaData()
Table("enrolment_code_admin", metadata, Column("code_id", String, primary_key=True),
      Column("created_by", String, nullable=False, default=""), Column("revoked_at", DateTime(timezone=True)),
      Column("revoked_by", String))


def upgrade(conn, context) -> None:
    metadata.create_all(conn)
