"""Reads of consent (issue 11 point 5): a registration's consent answers and the consent changes that name it.

A consent change (a withdrawal, or consent given again) is a record of `CONSENT_FORM`, saved by the one writer like
the review desk's decisions, so it syncs to the server and every device. Its extracted fields (registration_field,
which travel with the record) say what it changes: `consent_person` (the registration's id), `consent_action`
(withdraw | give), `consent_purposes` (space-separated), `consent_method`, `consent_date`, `decided_by`,
`decided_at`. The rule that folds them over the answers is waypoint_core/access/consent.py.

Functions taking a `Db` run inside the caller's transaction (the writer's, when it rederives the search index).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from desktop_app.vault import merge_reads
from desktop_app.vault.models import CONSENT_FORM
from desktop_app.vault.sql import Db, chunks, in_json, text
from desktop_app.vault.vault import Vault
from waypoint_core.access import consent as core

PERSON_FIELD = core.PERSON_FIELD


def answers_of(content: str) -> dict[str, str]:
    """The consent page's answers (by their conventional names, first occurrence, never a sealed one)."""
    return core.consent_answers(content)


def changes_for(db: Db, persons: Sequence[str]) -> dict[str, list[core.Change]]:
    """The live consent changes naming each of these registrations (person id -> changes, in no order), with those
    naming another registration of the same person (merged at the review desk, the merge not undone), as if made on
    this one: a withdrawal the person made at one centre stands at the other. Before, a coordinator who merged two
    registrations saw the kept one as consenting, and could contact or refer the person against a withdrawal recorded
    on the merged one."""
    persons = list(dict.fromkeys(persons))
    same = merge_reads.groups(merge_reads.merges(db), persons)
    own: dict[str, list[core.Change]] = {}
    for part in chunks(list(dict.fromkeys([*persons, *(o for others in same.values() for o in others)]))):
        marks, params = in_json(part)
        ids = [row.record_id for row in db.execute(text(
            f"SELECT f.record_id FROM registration_field f JOIN registration r ON r.id = f.record_id "
            f"WHERE f.name = '{PERSON_FIELD}' AND f.value IN ({marks}) AND r.deleted = 0 AND r.form_id = :cf"),
            {**params, "cf": CONSENT_FORM}).all()]
        for change in _changes(db, ids):
            own.setdefault(change.person, []).append(change)
    out = {person: list(own[person]) for person in persons if person in own}
    for person, others in same.items():
        theirs = [replace(change, person=person) for other in others for change in own.get(other, [])]
        if theirs:
            out.setdefault(person, []).extend(theirs)
    return out


def _changes(db: Db, change_ids: list[str]) -> list[core.Change]:
    values: dict[str, dict[str, str | None]] = {}
    for part in chunks(change_ids):
        marks, params = in_json(part)
        for row in db.execute(text(f"SELECT record_id, name, value FROM registration_field WHERE record_id IN "
                                   f"({marks})"), params).all():
            values.setdefault(row.record_id, {})[row.name] = row.value
    return [change for change_id, v in values.items() if (change := core.change_of(change_id, v)) is not None]


def persons_named(db: Db, change_ids: Sequence[str]) -> list[str]:
    """The registrations these records change the consent of (records that are not consent changes name none)."""
    out: list[str] = []
    for part in chunks(list(change_ids)):
        marks, params = in_json(part)
        out += [row.value for row in db.execute(text(
            f"SELECT value FROM registration_field WHERE name = '{PERSON_FIELD}' AND record_id IN ({marks})"),
            params).all() if row.value]
    return out


def consent_db(db: Db, person: str, content: str) -> core.Consent:
    return core.apply(core.from_answers(person, answers_of(content)), changes_for(db, [person]).get(person, []))


def consent_many(vault: Vault, persons: Sequence[str]) -> dict[str, core.Consent]:
    """The consent of each live registration among `persons` (ids not found are left out)."""
    out: dict[str, core.Consent] = {}
    with vault.session(readonly=True) as session:
        db = Db.of(session)
        changes = changes_for(db, persons)
        for part in chunks(list(dict.fromkeys(persons))):
            marks, params = in_json(part)
            for row in db.execute(text(f"SELECT id, content FROM registration WHERE id IN ({marks}) AND deleted = 0"),
                                  params).all():
                out[row.id] = core.apply(core.from_answers(row.id, answers_of(row.content)), changes.get(row.id, []))
    return out


def history(vault: Vault, person: str) -> list[core.Change]:
    """The consent changes naming a registration, oldest first."""
    with vault.session(readonly=True) as session:
        found = changes_for(Db.of(session), [person]).get(person, [])
    return sorted(found, key=lambda c: (c.at, c.change_id))


def person_by_ref(vault: Vault, ref: str) -> str | None:
    """The live registration a registration number names (the short id, with or without "WP-", or the whole id)."""
    value = (ref or "").strip()
    short = core.short_ref(value)
    with vault.session(readonly=True) as session:
        db = Db.of(session)
        if len(value) == 36:
            row = db.execute(text("SELECT id FROM registration WHERE id = :i AND deleted = 0"), {"i": value.lower()}).first()
            return None if row is None else str(row.id)
        if len(short) != 8:
            return None
        rows = db.execute(text("SELECT id FROM registration WHERE id >= :lo AND id < :hi AND deleted = 0 "
                               "AND form_id != :cf"),
                          {"lo": short.lower(), "hi": short.lower() + "~", "cf": CONSENT_FORM}).all()
    return str(rows[0].id) if len(rows) == 1 else None
