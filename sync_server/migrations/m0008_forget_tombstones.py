"""Migration 0008 (the server forgets): what each device has acknowledged of the change feed, and when a deleted
record's content was purged from the server's history (sync_server/forget.py).

A device acknowledges a feed position by asking for the changes after it (it stored everything up to there). Devices
enrolled before this version start at 0: the first content purged is that of deletions they have pulled since.
"""

from __future__ import annotations

from sqlalchemy import text

VERSION = 8
NAME = "forget_tombstones"


def upgrade(conn, context) -> None:
    timestamp = "TIMESTAMP WITH TIME ZONE" if conn.dialect.name == "postgresql" else "DATETIME"
    conn.execute(text("ALTER TABLE device ADD COLUMN acked_seq BIGINT NOT NULL DEFAULT 0"))
    conn.execute(text(f"ALTER TABLE record ADD COLUMN purged_at {timestamp}"))
    # The tombstones still holding content, by centre: small, and read at each acknowledgement.
    conn.execute(text("CREATE INDEX ix_record_unpurged ON record (centre_id) WHERE deleted = true AND purged_at IS NULL"))
