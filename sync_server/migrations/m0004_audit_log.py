"""Migration 0004 (audit log, issue 11 point 4): each device's audit chain as it uploaded it, verified on arrival,
and the server's own chain for its own actions (enrolments, codes, revocations, refused uploads, ...).

`audit_head` keeps, per chain, the number and hash of the last entry: cutting entries from the end of a chain is
seen against it. Ids, user names, event names and short details only: no person's name or answer.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, MetaData, String, Table, Text

VERSION = 4
NAME = "audit_log"

metadata = MetaData()


def _entry_columns() -> list[Column]:
    return [Column("at", String, nullable=False), Column("actor", String, nullable=False),
            Column("event", String, nullable=False), Column("outcome", String, nullable=False),
            Column("record_id", String), Column("detail", Text, nullable=False),
            Column("prev", String, nullable=False), Column("hash", String, nullable=False)]


Table("device_audit_entry", metadata,
      Column("device_id", String, primary_key=True), Column("seq", BigInteger, primary_key=True, autoincrement=False),
      *_entry_columns(), Column("received_at", DateTime(timezone=True), nullable=False))
Table("server_audit_entry", metadata,
      Column("seq", BigInteger, primary_key=True, autoincrement=False), *_entry_columns())
Table("audit_head", metadata,
      Column("chain", String, primary_key=True),  # "server" or "device:<device id>"
      Column("chain_id", String, nullable=False),  # the name the chain's hashes are bound to
      Column("seq", BigInteger, nullable=False), Column("hash", String, nullable=False))


def upgrade(conn, context) -> None:
    metadata.create_all(conn)
