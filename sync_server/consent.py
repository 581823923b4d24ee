"""Consent on the server (issue 11 point 5): a referral pushed by a laptop that has not yet pulled the person's
withdrawal is refused here, so nothing is shared beyond what the person consented to, whichever laptop sends it.

The rule is the device's (waypoint_core/access/consent.py): the person's registration answers, then the consent
changes (records of `CHANGE_FORM`, which the server holds like any record) in the order they were made. A new
referral, or an edit that changes whom it is about, who receives it or what is shared, is checked against the
consent of the person it names (by registration number, among the centres the device reaches); one that fails is `rejected` with
the reason, nothing of it applied, and the refusal goes into the server's audit chain. A person the server does not
hold cannot be checked. The server itself runs no duplicate matching and shares nothing with recipients.

Only batches holding a referral pay anything: the consent changes of the centre are read (and opened) then, rare
records, filtered by the person they name.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, text

from waypoint_core.access import consent as rule
from waypoint_core.registry import indicators
from waypoint_core.protocol import refusals as refusal_words

from . import audit, decisions
from .atrest import DataKey, open_text
from .merge import CONTENT


def _values(key: DataKey, row: Any) -> dict[str, Any]:
    return dict(json.loads(open_text(key, row.state, table="record", row_id=row.id, version=row.server_version)))


def _person(conn: Connection, key: DataKey, centres: Sequence[str],
            ref: str) -> tuple[str, str, dict[str, Any]] | None:
    """(record id, centre, values) of the one live registration this number names among the device's centres."""
    short = rule.short_ref(ref).lower()
    if len(short) != 8 or not centres:
        return None
    marks = ", ".join(f":c{i}" for i in range(len(centres)))
    rows = conn.execute(text(f"SELECT id, centre_id, state, server_version FROM record WHERE centre_id IN ({marks}) "
                             "AND id >= :lo AND id < :hi AND deleted = false AND form_id != :cf"),
                        {**{f"c{i}": c for i, c in enumerate(centres)}, "lo": short, "hi": short + "~",
                         "cf": rule.CHANGE_FORM}).all()
    if len(rows) != 1:
        return None
    return rows[0].id, rows[0].centre_id, _values(key, rows[0])


def _changes(conn: Connection, key: DataKey, centre_id: str, person: str) -> list[rule.Change]:
    found = []
    for row in conn.execute(text("SELECT id, state, server_version FROM record WHERE centre_id = :c AND "
                                 "form_id = :cf AND deleted = false"), {"c": centre_id, "cf": rule.CHANGE_FORM}):
        values = _values(key, row)
        if values.get(rule.PERSON_FIELD) == person:
            change = rule.change_of(row.id, {k: None if v is None else str(v) for k, v in values.items()})
            if change is not None:
                found.append(change)
    return found


def _theirs(conn: Connection, key: DataKey, merged: dict[str, str], person: str) -> list[rule.Change]:
    """The consent changes recorded on the other registrations of this person (merged at the review desk), as if
    made on this one: a withdrawal the person made at one centre stands for the registration a referral names at
    another (it was checked against that registration's own changes only)."""
    found: list[rule.Change] = []
    for other in indicators.merge_groups(merged, [person]).get(person, []):
        centre = conn.execute(text("SELECT centre_id FROM record WHERE id = :r AND deleted = false"),
                              {"r": other}).scalar()
        if centre is not None:
            found += [replace(change, person=person) for change in _changes(conn, key, centre, other)]
    return found


def refusals(conn: Connection, key: DataKey, device_id: str, centres: Sequence[str], ops: Sequence[Any],
             records: dict[str, dict[str, Any]]) -> dict[int, refusal_words.Refused]:
    """device_seq -> why a referral op of this batch shares beyond the person's consent (`centres`: those the
    device reaches, where the person it names is looked for)."""
    refused: dict[int, refusal_words.Refused] = {}
    merged: dict[str, str] | None = None  # the review desk's merges, read for the first referral
    for op in ops:
        if op.op == "delete" or op.content is None or rule.REFERRAL_CHECK not in op.content:
            continue  # not a referral: an element name is literal text in the XML, so no parse is needed to know
        referral = rule.referral_of(op.content)
        if referral is None:
            continue
        if referral.kind not in rule.RECIPIENTS:  # no consent can cover a recipient the rule does not know
            refused[op.device_seq] = refusal_words.refused_unknown_recipient(referral.kind, rule.RECIPIENTS)
            audit.record_in(conn, "push.consent_refused", outcome="refused", record_id=op.record_id,
                            detail=f"device {device_id}: referral {op.record_id}: unknown recipient kind")
            continue
        record = records.get(op.record_id)
        if record is not None and not record.get("new"):
            earlier = rule.referral_of(record["values"].get(CONTENT))
            if earlier is not None and earlier.sharing == referral.sharing:
                continue  # the outcome of a referral already made: nothing new shared
        found = _person(conn, key, centres, referral.person_ref)
        if found is None:
            continue
        person, person_centre, values = found
        if merged is None:
            merged = decisions.merges(conn, key)
        consent = rule.apply(rule.from_answers(person, rule.consent_answers(values.get(CONTENT))),
                             _changes(conn, key, person_centre, person) + _theirs(conn, key, merged, person))
        allowed, status = rule.may_share(consent, referral)
        if allowed:
            continue
        why = f"{referral.purpose}: consent {status.replace('_', ' ')}"
        refused[op.device_seq] = refusal_words.refused_no_consent(referral.purpose, status)
        audit.record_in(conn, "push.consent_refused", outcome="refused", record_id=person,
                        detail=f"device {device_id}: referral {op.record_id}: {why}")
    return refused
