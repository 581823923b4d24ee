"""Migration 0023: `ix_record_decision`, a partial index of the review desk's decision records (desktop_app/records/
review.py: merges and "not the same person"). The indicators and the consent check of referrals read the merges
(decisions.py) at every report and every batch holding a referral; without it each read scanned every record."""

from __future__ import annotations

from sqlalchemy import text

from waypoint_core.registry.indicators import DECISION_FORM

VERSION = 23
NAME = "decision_index"


def upgrade(conn, context) -> None:
    conn.execute(text(f"CREATE INDEX IF NOT EXISTS ix_record_decision ON record (id) "
                      f"WHERE form_id = '{DECISION_FORM}'"))
