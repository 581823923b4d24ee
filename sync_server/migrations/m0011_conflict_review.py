"""Migration 0011 (issue 10: the server's conflicts on a coordinator's review desk, sync_server/review.py): who closed
a conflict and with which version. A conflict closes when a device whose people may review it sends a change made on
the version the conflict produced (or a later one): `resolved_by` names that device, `resolved_version` the version
its change made. Conflicts closed on the command line (`admin resolve`) have neither. The open conflicts of a centre
are paged in the order they opened."""

from __future__ import annotations

from sqlalchemy import text

VERSION = 11
NAME = "conflict_review"


def upgrade(conn, context) -> None:
    conn.execute(text("ALTER TABLE conflict ADD COLUMN resolved_by VARCHAR"))
    conn.execute(text("ALTER TABLE conflict ADD COLUMN resolved_version BIGINT"))
    conn.execute(text("CREATE INDEX ix_conflict_open_by_centre ON conflict (centre_id, opened_at, id) "
                      "WHERE resolved_at IS NULL"))
