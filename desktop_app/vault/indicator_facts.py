"""What each live, finalized record gives the indicators, kept in `indicator_fact` (migration 0020) so a report reads
one narrow table instead of every record's summary row and extracted fields (issue 12: 100,000 registrations with
300,000 events in under 2 s of CPU).

A row is the shared core's own reading of the record (`waypoint_core.registry.indicators.fact_of`, which the server's
`indicator_fact` holds too): for a registration the person's short id, sex, year of birth, nationality, centre and
category; for an assistance event, referral or case the registration number it names (`ref`), its kind, day,
assistance type, centre and trafficking status; for an information session (forms/info_session.md) its day, centre
and `session`, the tallies, estimated reach and registration numbers it names as text (migration 0025). Beside it,
what the person's rights read (`Visible`): the form, who created the record and its record_kind field. No name, no
content. Records that count for nothing have no row.

The writer (desktop_app/vault/writer/facts.py) rederives a record's row with every save, pull, deletion and purge;
the migration fills the table from the records already held; `verify` checks it against the records.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from desktop_app.vault.sql import Db, chunks, in_json
from waypoint_core.registry import indicators

COLUMNS = ("record_id", "form_id", "created_by", "kind", "short", "sex", "birth_year", "nationality", "centre",
           "category", "link", "ref", "day", "assistance_type", "trafficking_status", "session")
_OWN = ("beneficiary_category", "person_ref", "assistance_type", "trafficking_status", "record_kind")
FIELDS = (*_OWN, *indicators.SESSION_FIELDS)  # an information session's answers: read of that form's records only
SUMMARY = ("sex", "age", "nationality", "centre", "registered_on")  # the summary columns a fact is read from
_HEAD = "id, form_id, created_by, " + ", ".join(SUMMARY)


def fact_row(record_id: str, form_id: str, created_by: str, summary: Mapping[str, Any],
             fields: Mapping[str, str | None]) -> dict[str, Any] | None:
    """The row of a live, finalized record from its summary columns (sex, age, nationality, centre, registered_on)
    and extracted fields; None when it counts for nothing."""
    names = FIELDS if form_id == indicators.SESSION_FORM else _OWN  # not 13 more look-ups per person and event
    extracted = {name: value for name in names if (value := fields.get(name)) is not None}
    fact = indicators.fact_of(indicators.StoredRecord(
        record_id, form_id, summary.get("sex"), summary.get("age"), summary.get("nationality"), summary.get("centre"),
        summary.get("registered_on"), extracted))
    if fact is None:
        return None
    person, link = indicators.fact_rows(fact)
    row = dict.fromkeys(COLUMNS)
    row.update(record_id=record_id, form_id=form_id, created_by=created_by, kind=extracted.get("record_kind"))
    if person is not None:
        row.update(zip(indicators.PERSON_ROW, person))
        del row["id"]
    if link is not None:
        row.update(zip(indicators.LINK_ROW, link))
    if fact.session is not None:  # an information session: its day, centre and what it tallied (no one named)
        row.update(day=fact.session.day.isoformat(), centre=fact.centre, session=indicators.session_text(fact.session))
    return row  # one centre column: a person's and a link's are both the record's centre


def derive(db: Db, record_ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """The rows these records give as they are stored now (every live, finalized record when `record_ids` is None),
    read from their summary columns and extracted fields."""
    names = ", ".join(f"'{name}'" for name in FIELDS)
    heads: list[Any] = []
    extracted: dict[str, dict[str, str]] = {}
    if record_ids is None:
        heads = db.execute(f"SELECT {_HEAD} FROM registration INDEXED BY ix_registration_report "
                           "WHERE status = 'finalized' AND deleted = 0").all()
        for name, record_id, value in db.execute(
                "SELECT name, record_id, value FROM registration_field INDEXED BY ix_registration_field_report "
                f"WHERE name IN ({names}) AND value IS NOT NULL").all():
            extracted.setdefault(record_id, {})[name] = value
    else:
        for part in chunks(record_ids):
            marks, params = in_json(part)
            heads += db.execute(f"SELECT {_HEAD} FROM registration WHERE id IN ({marks}) "
                                "AND status = 'finalized' AND deleted = 0", params).all()
            for name, record_id, value in db.execute(
                    f"SELECT name, record_id, value FROM registration_field WHERE record_id IN ({marks}) "
                    f"AND name IN ({names}) AND value IS NOT NULL", params).all():
                extracted.setdefault(record_id, {})[name] = value
    empty: dict[str, str] = {}
    rows = []
    for head in heads:
        summary = {name: getattr(head, name) for name in SUMMARY}
        row = fact_row(head.id, head.form_id, head.created_by, summary, extracted.get(head.id, empty))
        if row is not None:
            rows.append(row)
    return rows
