"""The review desk's merges as the features that follow a person read them: which registrations are one person.

A merge (desktop_app/records/review.py) keeps both registrations; its decision, a record that syncs, says which was
kept. `merges` reads the decisions not undone (waypoint_core.registry.indicators.merges_of); `groups` gives each
registration the others that are the same person (all that end at the same survivor). Kept apart from the other
reads so that the writer's own reads (consent, for the search index) may use it without importing the vault's
record layer."""

from __future__ import annotations

from collections.abc import Iterable

from desktop_app.vault.sql import Db, text
from waypoint_core.registry import indicators

# From the merge decisions' own field (ix_registration_field_name_value), never a scan of the registrations: the
# writer reads this at every save (consent, for the search index)
DECISIONS = text("SELECT f.record_id, f.name, f.value FROM registration_field d "
                  "JOIN registration r ON r.id = d.record_id JOIN registration_field f ON f.record_id = d.record_id "
                  "WHERE d.name = 'decision' AND d.value = 'merge' AND r.form_id = :f AND r.deleted = 0 "
                  "AND r.status = 'finalized' AND f.name IN ("
                  + ", ".join(f"'{name}'" for name in indicators.DECISION_FIELDS) + ")")


def merges(db: Db) -> dict[str, str]:
    """Merged registration -> the kept one, for every merge not undone this laptop holds."""
    fields: dict[str, dict[str, str]] = {}
    for record_id, name, value in db.execute(DECISIONS, {"f": indicators.DECISION_FORM}).all():
        fields.setdefault(record_id, {})[name] = value or ""
    return indicators.merges_of(fields.values())


def groups(merged: dict[str, str], persons: Iterable[str]) -> dict[str, list[str]]:
    """For each of `persons` that was merged or kept in a merge: the other registrations of the same person."""
    return indicators.merge_groups(merged, persons)
