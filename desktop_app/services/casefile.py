"""A person's case file (issue 12 point 2): their registration, assistance events, referrals, cases and case status
changes on one timeline, in one call; closing and reopening the case with a reason; the next appointment and the
open referrals at a glance; what a new event or referral of this person starts with.

Rights first (services/access.py): the case file is a view of the person's registration ("record.view", audited);
each linked record is shown only if the person may see it (field staff and administrators never see a trafficking
case, `own` scopes only their own records). Closing and reopening are an edit of the registration
("case.closed" / "case.reopened", audited), written through the vault's one writer as records that sync
(records/casefile.py); a printed case file is recorded too ("record.print", `record_print`). Events and referrals
are read from their extracted fields, never their content. No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from desktop_app.records import casefile as store
from desktop_app.records.casefile import (
    CLOSE_REASONS,
    CLOSED,
    REOPEN_REASONS,
    REOPENED,
    WHY_ALREADY_CLOSED,
    WHY_GONE,
    WHY_NOT_CLOSED,
    WHY_NOTE,
    WHY_REASON,
    WHY_UNKNOWN_CHANGE,
    CaseStatusError,
    UnknownPerson,
    short_id,
)
from desktop_app.services import access, consent
from desktop_app.vault.models import CASE_STATUS_FORM, CONSENT_FORM
from desktop_app.vault.vault import Vault
from waypoint_core.access import policy
from waypoint_core.xform import FormDefinition

EVENT_FORM = "waypoint_assistance_event"
REFERRAL_FORM = "waypoint_referral"
OPEN_REFERRAL = ("pending", "accepted")  # referral_status codes still waiting for an outcome
REGISTRATION, EVENT, REFERRAL, CASE, STATUS, CONSENT = "registration", "event", "referral", "case", "status", "consent"
OPEN = "open"

__all__ = ["CLOSE_REASONS", "CLOSED", "CaseFile", "CaseStatusError", "Entry", "NotAPerson", "OPEN", "Person",
           "REOPEN_REASONS", "REOPENED", "UnknownPerson", "case_file", "close_case", "find_person", "link_defaults",
           "record_print", "reopen_case", "short_id", "WHY_ALREADY_CLOSED", "WHY_GONE", "WHY_NOT_CLOSED", "WHY_NOTE",
           "WHY_REASON", "WHY_UNKNOWN_CHANGE"]


class NotAPerson(LookupError):
    """The id names no person on this laptop (a deleted registration, an event, a decision)."""


@dataclass(frozen=True)
class Person:
    record_id: str
    short_id: str
    title: str
    sex: str | None
    age: int | None
    nationality: str | None
    centre: str | None
    registered_on: str | None
    status: str  # draft | finalized (the registration itself)
    form_id: str


@dataclass(frozen=True)
class Entry:
    """One line of the timeline. `kind`: registration | event | referral | case | status. `what`: a code the
    interface words (assistance type, service, trafficking status, closed/reopened); `detail`: the few extracted
    answers worth showing (modality, receiving organisation, referral status, reason, note, next appointment)."""

    record_id: str
    kind: str
    day: str  # ISO date: the event's date, the referral's date sent, the registration's date
    what: str
    by: str
    draft: bool
    detail: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseFile:
    person: Person
    entries: tuple[Entry, ...]  # oldest first
    state: str  # open | closed
    state_reason: str  # the reason code of the last close or reopen ("" if none)
    state_since: str  # when (ISO date) the case got its state ("" if never closed)
    next_appointment: Entry | None  # the event whose next appointment is the nearest from today on
    open_referrals: tuple[Entry, ...]
    hidden: int = 0  # linked records this person may not see (never described)
    may_contact: bool = True  # consent to follow-up contact given and not withdrawn (services/consent.py)

    @property
    def closed(self) -> bool:
        return self.state == CLOSED


def _facts(vault: Vault, row: store.Row) -> access.RecordFacts:
    return access.facts(vault, record_id=row.id, form_id=row.form_id, created_by=row.created_by, centre=row.centre)


def _person_row(vault: Vault, record_id: str) -> store.Row:
    row = store.read_person(vault, record_id)
    if row is None:
        raise NotAPerson(f"no person {record_id} on this laptop")
    return row


def case_file(vault: Vault, record_id: str, *, today: date | None = None) -> CaseFile:
    """The person's case file as the signed-in person may see it (rights checked and audited first)."""
    row = _person_row(vault, record_id)
    access.check_view_record(vault, row.id, _facts(vault, row))
    seen = access.visibility(vault)
    kinds = access.form_kinds(vault)
    person = Person(row.id, short_id(row.id), row.title, row.sex, row.age, row.nationality, row.centre,
                    row.registered_on, row.status, row.form_id)
    entries = [Entry(row.id, REGISTRATION, (row.registered_on or row.created_at)[:10], row.form_id, row.created_by,
                     row.status == "draft")]
    hidden = 0
    statuses: list[Entry] = []
    for linked in store.read_linked(vault, row.id):
        kind = policy.CASE if (kinds.get(linked.form_id) == policy.CASE
                               or linked.fields.get("record_kind") == policy.CASE) else policy.REGISTRATION
        if not seen.allows(kind=kind, created_by=linked.created_by, centre=linked.centre):
            hidden += 1
            continue
        entry = _entry(linked, kind)
        entries.append(entry)
        if entry.kind == STATUS:
            statuses.append(entry)
    entries.sort(key=lambda e: (e.day, e.kind != REGISTRATION, e.detail.get("at", "")))
    state, reason, since = _state(row, statuses)
    day = (today or date.today()).isoformat()
    upcoming = [e for e in entries if e.kind == EVENT and not e.draft and e.detail.get("next_appointment", "") >= day]
    upcoming.sort(key=lambda e: e.detail["next_appointment"])
    waiting = tuple(e for e in entries if e.kind == REFERRAL and not e.draft
                    and e.detail.get("status", "pending") in OPEN_REFERRAL)
    may_contact = consent.contact_flags(vault, [row.id]).get(row.id, True)
    return CaseFile(person, tuple(entries), state, reason, since, upcoming[0] if upcoming else None, waiting, hidden,
                    may_contact)


def _entry(row: store.Row, kind: str) -> Entry:
    f = row.fields
    day = (row.registered_on or row.created_at)[:10]
    draft = row.status == "draft"
    if row.form_id == CASE_STATUS_FORM:
        return Entry(row.id, STATUS, (f.get("decided_at") or row.created_at)[:10], f.get("change", ""),
                     f.get("decided_by") or row.created_by, draft,
                     {"reason": f.get("reason", ""), "note": f.get("note", ""),
                      "at": f.get("decided_at") or row.created_at})
    if row.form_id == CONSENT_FORM:  # consent withdrawn or given again (services/consent.py)
        return Entry(row.id, CONSENT, (f.get("decided_at") or row.created_at)[:10], f.get("consent_action", ""),
                     f.get("decided_by") or row.created_by, draft,
                     {"purposes": f.get("consent_purposes", ""), "at": f.get("decided_at") or row.created_at})
    if kind == policy.CASE:
        # the case's existence and identification status only: its details are opened from the case itself
        return Entry(row.id, CASE, day, f.get("trafficking_status", ""), row.created_by, draft,
                     {"at": row.created_at})
    if "assistance_type" in f or row.form_id == EVENT_FORM:
        detail = {"modality": f.get("modality", ""), "at": row.created_at}
        if f.get("next_appointment"):
            detail["next_appointment"] = f["next_appointment"][:10]
        return Entry(row.id, EVENT, day, f.get("assistance_type", ""), row.created_by, draft, detail)
    if "service_type" in f or row.form_id == REFERRAL_FORM:
        return Entry(row.id, REFERRAL, day, f.get("service_type", ""), row.created_by, draft,
                     {"to_org": f.get("to_org", ""), "status": f.get("status", "pending"), "at": row.created_at})
    return Entry(row.id, EVENT, day, row.title, row.created_by, draft, {"at": row.created_at})


def _state(person: store.Row, statuses: list[Entry]) -> tuple[str, str, str]:
    """The latest close or reopen decides; without any, the registration's own closure answers."""
    done = [e for e in statuses if not e.draft]
    if done:
        last = max(done, key=lambda e: (e.detail.get("at", ""), e.record_id))
        return (CLOSED if last.what == CLOSED else OPEN), last.detail.get("reason", ""), last.day
    if person.fields.get("case_closed") == "yes":
        return CLOSED, person.fields.get("closure_reason", ""), (person.fields.get("closure_date") or "")[:10]
    return OPEN, "", ""


def _change(vault: Vault, record_id: str, change: str, reason: str, note: str) -> str:
    row = _person_row(vault, record_id)
    access.check_case_status(vault, row.id, _facts(vault, row), change=change)
    current = case_file(vault, row.id)
    return store.change_status(vault, row.id, change=change, reason=reason, note=note, current=current.state)


def close_case(vault: Vault, record_id: str, *, reason: str, note: str = "") -> str:
    """Close the person's case with a reason code (CLOSE_REASONS; "other" needs a note). Returns the change's id."""
    return _change(vault, record_id, CLOSED, reason, note)


def reopen_case(vault: Vault, record_id: str, *, reason: str, note: str = "") -> str:
    """Reopen a closed case with a reason code (REOPEN_REASONS; "other" needs a note)."""
    return _change(vault, record_id, REOPENED, reason, note)


def record_print(vault: Vault, record_id: str) -> None:
    """A person's case file was printed (issue 11 point 4): the view right checked again and the print recorded in
    the audit log ("record.print", the registration's id). The UI calls it once the printer took the document; a
    printer that writes a file is refused before (ui/security_print.py), so nothing is recorded as printed."""
    row = _person_row(vault, record_id)
    access.check_print_record(vault, row.id, _facts(vault, row))


def link_defaults(definition: FormDefinition, record_id: str) -> dict[str, str]:
    """{question ref: registration number} for the person question(s) of a new event or referral opened from this
    person's case file (what the form shows, and does not let anyone retype)."""
    return {path: short_id(record_id) for path in definition.binds
            if path.rsplit("/", 1)[-1] == store.PERSON_REF and "[" not in path}


def find_person(vault: Vault, written: str) -> str | None:
    """The id of the person a registration number (short id, with or without "WP-") or id names, or None."""
    return store.find_person(vault, written)


def is_person(vault: Vault, record_id: str, *, finalized: bool = False) -> bool:
    """Whether a record is a person's registration (its case file opens), not an event, referral or case;
    `finalized`: and no longer a draft (a draft in the list reopens its form, to be finished)."""
    row = store.read_person(vault, record_id)
    return row is not None and (not finalized or row.status == "finalized")


def form_names_a_person(vault: Vault, form_id: str, version: str) -> bool:
    """Whether records of this installed form name a person (started from the case file, not the form chooser)."""
    from desktop_app.records.form_store import get_form_xform
    from desktop_app.services.records import form_definition

    return names_a_person(form_definition(get_form_xform(vault, form_id, version)))


def names_a_person(definition: FormDefinition) -> bool:
    """Whether a form's records name a person as events and referrals do (a required person question; a case's is
    optional and it is started from the form chooser)."""
    return any(path.rsplit("/", 1)[-1] == store.PERSON_REF and bind.required is not None
               for path, bind in definition.binds.items())


LABELLED = frozenset(("assistance_type", "modality", "service_type", "status", "trafficking_status"))


def choice_labels(vault: Vault, language: str) -> dict[str, dict[str, str]]:
    """{question name: {code: label}} for the codes the timeline shows (assistance types, services, referral
    statuses, trafficking statuses), in the interface language, from the latest installed forms' own choices."""
    from desktop_app.records.form_store import get_form_xform
    from desktop_app.services import forms

    labels: dict[str, dict[str, str]] = {}
    for form in forms.forms_for_new_records(vault):
        if form.form_id not in (EVENT_FORM, REFERRAL_FORM, "waypoint_vot_case"):
            continue
        for name, codes in forms.choice_labels_of(get_form_xform(vault, form.form_id, form.version), language, LABELLED).items():
            labels.setdefault(name, {}).update(codes)
    return labels
