"""Migration 0014 (issue 8 point 1: restores are survivable): a device's audit chain as the server holds it may fork.

A laptop whose vault was put back from an older copy continues its chain from the copy's last entry, while the
server already holds later entries with the same numbers. Neither copy is rewritten: the laptop's new entries are
kept as a new **branch** of its chain beside the entries the server had received, which stay as evidence.

- `device_audit_entry.branch`: 1 for every entry stored before this migration; the key becomes (device, branch, seq)
  so two branches may hold the same number. `ix_device_audit_entry_seq` finds an entry by number in any branch.
- `device_audit_fork`: one row per branch after the first: the entry it continues from (`after_seq`, `after_hash`,
  held in branch `parent`) and where the branch it replaced as the device's current one ended (`left_seq`,
  `left_hash`; that branch takes no more entries, so its end is checked against this row as the current branch's
  is against `audit_head`).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Integer, MetaData, String, Table, text

VERSION = 14
NAME = "audit_branches"

metadata = MetaData()

Table("device_audit_fork", metadata,
      Column("device_id", String, primary_key=True), Column("branch", Integer, primary_key=True, autoincrement=False),
      Column("parent", Integer, nullable=False),
      Column("after_seq", BigInteger, nullable=False), Column("after_hash", String, nullable=False),
      Column("left_seq", BigInteger, nullable=False), Column("left_hash", String, nullable=False),
      Column("forked_at", DateTime(timezone=True), nullable=False))

_COLUMNS = "device_id, seq, at, actor, event, outcome, record_id, detail, prev, hash, received_at"


def upgrade(conn, context) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("ALTER TABLE device_audit_entry ADD COLUMN branch INTEGER NOT NULL DEFAULT 1"))
        conn.execute(text("ALTER TABLE device_audit_entry DROP CONSTRAINT device_audit_entry_pkey"))
        conn.execute(text("ALTER TABLE device_audit_entry ADD CONSTRAINT device_audit_entry_pkey "
                          "PRIMARY KEY (device_id, branch, seq)"))
    else:  # SQLite cannot change a primary key: the table is built again, its rows copied as they are
        conn.execute(text(
            "CREATE TABLE device_audit_entry_new (device_id VARCHAR NOT NULL, branch INTEGER NOT NULL DEFAULT 1, "
            "seq BIGINT NOT NULL, at VARCHAR NOT NULL, actor VARCHAR NOT NULL, event VARCHAR NOT NULL, "
            "outcome VARCHAR NOT NULL, record_id VARCHAR, detail TEXT NOT NULL, prev VARCHAR NOT NULL, "
            "hash VARCHAR NOT NULL, received_at DATETIME NOT NULL, PRIMARY KEY (device_id, branch, seq))"))
        conn.execute(text(f"INSERT INTO device_audit_entry_new ({_COLUMNS}, branch) "
                          f"SELECT {_COLUMNS}, 1 FROM device_audit_entry"))
        conn.execute(text("DROP TABLE device_audit_entry"))
        conn.execute(text("ALTER TABLE device_audit_entry_new RENAME TO device_audit_entry"))
    conn.execute(text("CREATE INDEX ix_device_audit_entry_seq ON device_audit_entry (device_id, seq)"))
    metadata.create_all(conn)
