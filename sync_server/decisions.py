"""The review desk's decisions as the server reads them: which registrations are one person.

A coordinator's laptop merges two registrations of one person at the review desk and pushes the decision, a record
of `DECISION_FORM` (desktop_app/records/review.py) that the server holds like any other (sealed at rest). The
indicators (reports.py) count a merged person once, also through events recorded under the merged registration's
number after the merge; the consent check of referrals (consent.py) applies a withdrawal made on either
registration. Decisions are few (one per merge or "not the same person"), so they are opened when needed.
"""

from __future__ import annotations

import json

from sqlalchemy import Connection, text

from waypoint_core.registry.indicators import DECISION_FIELDS, DECISION_FORM, merges_of

from .atrest import DataKey, open_text

DELETED = "#deleted"  # as merge.py names it
# The form written as a literal: the planner uses the partial index ix_record_decision (migration 0023) only then
_DECISIONS = text(f"SELECT id, server_version, state FROM record WHERE form_id = '{DECISION_FORM}' AND deleted = :no")


def merges(conn: Connection, key: DataKey) -> dict[str, str]:
    """The merges not undone (merged registration -> kept one: `merges_of`), from the live decision records."""
    rows = conn.execute(_DECISIONS, {"no": False}).all()
    decided = []
    for row in rows:
        values = json.loads(open_text(key, row.state, table="record", row_id=row.id, version=row.server_version))
        if not values.get(DELETED) and values.get("@status", "finalized") == "finalized":
            decided.append({name: str(values.get(name) or "") for name in DECISION_FIELDS})
    return merges_of(decided)
