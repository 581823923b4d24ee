"""A person's case file at the records level: who a registration number names, what names a person, and the case's
closing and reopening.

- Assistance events, referrals, trafficking cases and case status changes name their person by the registration
  number the list shows (`person_ref`: the short id, with or without "WP-"; the full id is accepted too). A person is
  a live record that names no one itself (a registration), never a case, a review decision or a status change.
  `ensure_person` is what the records store asks before it finalizes a record that names a person: a number that
  names no one on this laptop ("NOPE1234") is refused (records pulled by sync are not checked: their person may
  arrive in a later page, or be outside what this laptop receives).
- Closing and reopening a case are records of their own form (`CASE_STATUS_FORM`), saved through the vault's one
  writer like review decisions, so they sync to every device and the server and keep their history: who, when, the
  change (closed / reopened), a reason code and an optional note. The case's state is the latest of them; a
  registration without any is as its own closure answers say (`case_closed`).
No rights here: desktop_app/services/casefile.py asks services/access.py first.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date
from typing import Any

from desktop_app.vault import report_reads
from desktop_app.vault.models import CASE_STATUS_FORM, CONSENT_FORM, SYSTEM_FORMS
from desktop_app.vault.sql import Db, chunks, in_list, text
from desktop_app.vault.vault import Vault
from desktop_app.vault.writer import RegistrationDraft, Writer, write
from waypoint_core.registry import indicators

PERSON_REF = "person_ref"
STATUS_VERSION = "1"
CLOSED, REOPENED = "closed", "reopened"
# data-model.md §7.3 A7 (the registration form's own closure_reason codes)
CLOSE_REASONS = ("returned", "left_voluntarily", "onward", "transferred", "duplicate", "deceased", "other")
REOPEN_REASONS = ("came_back", "new_need", "closed_by_mistake", "other")
NOTE_MAX = 500
_HEX = frozenset("0123456789abcdef")
NOT_PEOPLE = SYSTEM_FORMS  # review decisions, consent changes, case status changes


class UnknownPerson(ValueError):
    """A record names a person (registration number) that is no registration on this laptop."""


class CaseStatusError(ValueError):
    """A case cannot be closed or reopened as asked; the message says why (in English, for the CLI and the logs),
    `why` says it as one of the WHY_* words, which the UI turns into a sentence in the interface language."""

    def __init__(self, message: str, *, why: str) -> None:
        super().__init__(message)
        self.why = why


# Why a close or reopen was refused (CaseStatusError.why)
WHY_UNKNOWN_CHANGE, WHY_REASON, WHY_ALREADY_CLOSED, WHY_NOT_CLOSED, WHY_NOTE, WHY_GONE = (
    "unknown_change", "reason", "already_closed", "not_closed", "note", "gone")


def short_id(record_id: str) -> str:
    """The registration number the list shows and events name."""
    return record_id.replace("-", "")[:8].upper()


def ref_key(written: str | None) -> str | None:
    """A registration number as written (`WP-1a2b3c4d`, `1A2B3C4D`, a full id) → the id's first 8 hex digits, or
    None when it cannot be one."""
    value = (written or "").strip().lower()
    if value.startswith("wp-"):
        value = value[3:]
    value = value.strip()
    if len(value) == 36 and value.count("-") == 4:
        value = value.replace("-", "")[:8]
    return value if len(value) == 8 and _HEX.issuperset(value) else None


def ref_values(record_id: str) -> list[str]:
    """How a record may name this person (what events and referrals hold): every way `ref_key` accepts it written
    in one case or the other (the store lets `WP-1a2b3c4d` through, so the case file must find it too)."""
    short = short_id(record_id)
    numbers = (short, short.lower(), record_id.lower(), record_id.upper())
    return [f"{prefix}{number}" for prefix in ("", "WP-", "wp-", "Wp-") for number in numbers]


def people_named(db: Db, written: str | None) -> list[str]:
    """Ids of live people that a registration number names (usually one; two only if two ids share 8 digits)."""
    key = ref_key(written)
    if key is None:
        return []
    marks, params = in_list(list(NOT_PEOPLE))
    params.update(lo=f"{key}-", hi=f"{key}.")
    rows = db.execute(text(
        "SELECT r.id FROM registration r WHERE r.id >= :lo AND r.id < :hi AND r.deleted = 0 "
        f"AND r.form_id NOT IN ({marks}) AND NOT EXISTS (SELECT 1 FROM registration_field f "
        f"WHERE f.record_id = r.id AND f.name IN ('{PERSON_REF}', 'record_kind')) ORDER BY r.id"), params).all()
    return [row.id for row in rows]


def find_person(vault: Vault, written: str | None) -> str | None:
    with vault.session(readonly=True) as session:
        found = people_named(Db.of(session), written)
    return found[0] if found else None


def is_person(db: Db, record_id: str) -> bool:
    return record_id in people_named(db, record_id)


def ensure_person(db: Db, written: str | None) -> str:
    """The id of the person a record names, or UnknownPerson."""
    found = people_named(db, written)
    if not found:
        shown = (written or "").strip()[:40]
        raise UnknownPerson(f"no person registered on this laptop has the registration number {shown!r}; "
                            "add events and referrals from the person's case file")
    return found[0]


# --- reading a case file ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    """A stored record as the case file reads it: its summary columns and extracted fields, never its content."""

    id: str
    form_id: str
    status: str
    title: str
    sex: str | None
    age: int | None
    nationality: str | None
    centre: str | None
    registered_on: str | None
    created_at: str
    created_by: str
    fields: dict[str, str]


_COLUMNS = "id, form_id, status, title, sex, age, nationality, centre, registered_on, created_at, created_by"


def _rows(db: Db, ids: list[str]) -> list[Row]:
    out: list[Row] = []
    for part in chunks(ids):
        marks, params = in_list(part)
        fields: dict[str, dict[str, str]] = {}
        for row in db.execute(text(f"SELECT record_id, name, value FROM registration_field "
                                   f"WHERE record_id IN ({marks}) AND value IS NOT NULL"), params).all():
            fields.setdefault(row.record_id, {})[row.name] = row.value
        for row in db.execute(text(f"SELECT {_COLUMNS} FROM registration WHERE id IN ({marks}) AND deleted = 0"),
                              params).all():
            out.append(Row(row.id, row.form_id, row.status, row.title or "", row.sex, row.age, row.nationality,
                           row.centre, row.registered_on, row.created_at or "", row.created_by or "",
                           fields.get(row.id, {})))
    return out


def read_person(vault: Vault, record_id: str) -> Row | None:
    """The person's registration row, or None when the id names no live person."""
    with vault.session(readonly=True) as session:
        db = Db.of(session)
        if not is_person(db, record_id):
            return None
        found = _rows(db, [record_id])
    return found[0] if found else None


CONSENT_PERSON = "consent_person"  # what a consent change calls its person (desktop_app/vault/consent_reads.py)
# A registration's own changes, which stay its own when it is merged into another (`read_linked`)
OWN_CHANGES = frozenset({CASE_STATUS_FORM, CONSENT_FORM})


def read_linked(vault: Vault, record_id: str) -> list[Row]:
    """Every live record that names this person (events, referrals, cases, status changes, consent changes), oldest
    first; with the events, referrals and cases that name a registration merged into this one at the review desk
    (a merge not undone): the desk leaves each naming the registration it was recorded for (before or after the
    merge, the number on the card that centre gave), and the kept person's file adds them here. The merged
    registration's own status and consent changes stay its own."""
    marks, params = in_list(ref_values(record_id))
    params["person"] = record_id
    with vault.session(readonly=True) as session:
        db = Db.of(session)
        ids = [row.record_id for row in db.execute(text(
            f"SELECT DISTINCT record_id FROM registration_field WHERE (name = '{PERSON_REF}' AND value IN ({marks})) "
            f"OR (name = '{CONSENT_PERSON}' AND value = :person)"), params).all()]
        merged = report_reads.merges_in(session.connection().connection.driver_connection)
        gone = [m for m in merged if m != record_id and indicators.merge_survivor(merged, m) == record_id]
        theirs: list[str] = []
        for part in chunks([ref for m in gone for ref in ref_values(m)]):
            refs, named = in_list(part)
            theirs += [row.record_id for row in db.execute(text(
                f"SELECT DISTINCT record_id FROM registration_field WHERE name = '{PERSON_REF}' "
                f"AND value IN ({refs})"), named).all()]
        rows = _rows(db, ids) + [r for r in _rows(db, sorted(set(theirs) - set(ids))) if r.form_id not in OWN_CHANGES]
    return sorted(rows, key=lambda r: (r.registered_on or r.created_at[:10], r.created_at, r.id))


def closed_cases(vault: Vault, people: list[str] | None = None) -> set[str]:
    """The people (of `people`, or all) whose case is closed, by the case file's rule (services/casefile.py `_state`):
    the latest finalized close or reopen decides (by when it was decided, then its id); without any, the
    registration's own closure answer (`case_closed` yes). What search reads to find cases "closed" or "open"."""
    params: dict[str, Any] = {"form": CASE_STATUS_FORM}
    among, own = "", ""
    if people is not None and not people:
        return set()
    changes: dict[str, tuple[str, str, str]] = {}  # person -> (at, status record id, change) of the latest
    closed_own: set[str] = set()
    with vault.session(readonly=True) as session:
        db = Db.of(session)
        for part in (chunks(people) if people is not None else [None]):
            named = dict(params)
            if part is not None:
                marks, ids = in_list(part)
                named.update(ids)
                among = (f" AND r.id IN (SELECT record_id FROM registration_field WHERE name = 'person' "
                         f"AND value IN ({marks}))")
                own = f" AND record_id IN ({marks})"
            found: dict[str, dict[str, str]] = {}
            created: dict[str, str] = {}
            for row in db.execute(text(
                    # driven by the status changes' own field on the (name, value) index (CROSS JOIN keeps that order):
                    # SQLite otherwise read every finalized registration on the status index (265 ms at 100,000 people
                    # for 600 changes; 22 ms so)
                    "SELECT r.id, r.created_at, f.name, f.value FROM registration_field c "
                    "CROSS JOIN registration r ON r.id = c.record_id CROSS JOIN registration_field f ON f.record_id = r.id "
                    f"WHERE c.name = 'change' AND c.value IN ('{CLOSED}', '{REOPENED}') AND r.form_id = :form "
                    "AND r.status = 'finalized' AND r.deleted = 0 "
                    f"AND f.name IN ('person', 'change', 'decided_at'){among}"), named).all():
                found.setdefault(row.id, {})[row.name] = row.value
                created[row.id] = row.created_at or ""
            for status_id, values in found.items():
                person = values.get("person")
                if not person:
                    continue
                latest = ((values.get("decided_at") or created[status_id]), status_id, values.get("change", ""))
                if person not in changes or latest[:2] > changes[person][:2]:
                    changes[person] = latest
            closed_own.update(row.record_id for row in db.execute(text(
                "SELECT record_id FROM registration_field WHERE name = 'case_closed' AND value = 'yes'" + own),
                named).all())
    closed = {person for person, (_, _, change) in changes.items() if change == CLOSED}
    return closed | {person for person in closed_own if person not in changes}


# --- closing and reopening -----------------------------------------------------------------------------------------

def _status_content(status_id: str, values: dict[str, str]) -> str:
    root = ET.Element("data", {"id": CASE_STATUS_FORM, "version": STATUS_VERSION})
    for name, value in values.items():
        ET.SubElement(root, name).text = value
    meta = ET.SubElement(root, "meta")
    ET.SubElement(meta, "instanceID").text = f"uuid:{status_id}"
    return ET.tostring(root, encoding="unicode")


def change_status(vault: Vault, person_id: str, *, change: str, reason: str, note: str = "",
                  current: str) -> str:
    """Close or reopen a person's case (a new record of the status form, through the writer: it syncs). `current`:
    the state the caller saw; a case already in the asked state is refused. Returns the status record's id."""
    if change not in (CLOSED, REOPENED):
        raise CaseStatusError(f"unknown change {change!r}", why=WHY_UNKNOWN_CHANGE)
    allowed = CLOSE_REASONS if change == CLOSED else REOPEN_REASONS
    if reason not in allowed:
        raise CaseStatusError(f"the reason must be one of {', '.join(allowed)}", why=WHY_REASON)
    if (change == CLOSED) == (current == CLOSED):
        if change == CLOSED:
            raise CaseStatusError("this case is already closed", why=WHY_ALREADY_CLOSED)
        raise CaseStatusError("this case is not closed", why=WHY_NOT_CLOSED)
    note = " ".join((note or "").split())[:NOTE_MAX]
    if reason == "other" and not note:
        raise CaseStatusError("say in the note why ('other' reason)", why=WHY_NOTE)
    status_id = str(uuid.uuid4())
    with write(vault) as w:
        person = _person_row(w, person_id)
        today = w.now[:10]
        values = {PERSON_REF: short_id(person_id), "person": person_id, "change": change, "reason": reason,
                  "note": note, "decided_by": w.username, "decided_at": w.now}
        fields: dict[str, Any] = {**values, "title": change, "centre": person.get("centre"), "registered_on": today}
        w.save([RegistrationDraft(CASE_STATUS_FORM, STATUS_VERSION, "finalized", _status_content(status_id, values),
                                  status_id, fields)])
    return status_id


def _person_row(w: Writer, person_id: str) -> dict[str, Any]:
    if not is_person(w.db, person_id):
        raise CaseStatusError("this registration is no longer on this laptop", why=WHY_GONE)
    row = w.db.execute(text("SELECT centre FROM registration WHERE id = :r"), {"r": person_id}).first()
    return {"centre": row.centre if row is not None else None}


def today() -> str:
    return date.today().isoformat()
