"""Migration 0016 (issue 8 point 12: a pull's server time): the tombstones not purged yet, indexed by centre.

A pull that moves its device's acknowledgement asks whether any of the centre's tombstones can now be purged
(forget.py). That question read every record of the feed up to the floor (each row with its sealed state): about
30 ms of CPU per pull at 10,000 records, growing with the database. Nearly always no tombstone is waiting; this
partial index holds only those that are, so the answer "none" costs one index probe.
"""

from __future__ import annotations

from sqlalchemy import text

VERSION = 16
NAME = "unpurged_tombstones"


def upgrade(conn, context) -> None:
    conn.execute(text("CREATE INDEX ix_record_unpurged_tombstone ON record (centre_id) "
                      "WHERE deleted = true AND purged_at IS NULL"))
