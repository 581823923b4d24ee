"""Consent as data (issue 11 point 5, data-model R1): each person's consent per purpose, its withdrawal, and the
checks of the features that depend on it. No Qt; runs on the UI's database thread or in the CLI.

- **What is consented** starts from the registration's consent page and changes afterwards through consent
  changes (a withdrawal, or consent given again), records of `CONSENT_FORM` saved by the vault's one writer: they
  sync like any record, so the server and every device hold them. The rule folding them is
  waypoint_core/access/consent.py; the reads are desktop_app/vault/consent_reads.py.
- **Withdrawal takes effect at once**: the change, the search index's consent to matching, the removal of the
  desk's candidate pairs and the audit entry (`record.consent_withdrawn`) are one transaction.
- **The features check it**: duplicate matching (the desk's candidates and the warning before finalizing read
  consent to matching from the search index, which the writer keeps equal to the consent now), referrals (finalizing
  one for a person who has not consented to sharing with that kind of recipient is refused: `check_referral`,
  called by services/records.py), follow-up contact (`check_contact`, `contact_flags`), record-level exports
  (services/record_export.py leaves out registrations whose consent to reporting was refused or withdrawn). Each
  refusal is audited (`record.consent_refused`, naming the purpose).
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from desktop_app.services import access, audit
from desktop_app.vault import consent_reads
from desktop_app.vault.errors import InvalidInput, PermissionDenied
from desktop_app.vault.models import CONSENT_FORM, SYSTEM_FORMS, Registration
from desktop_app.vault.registrations import get_registration
from desktop_app.vault.vault import Vault
from desktop_app.vault.writer import RegistrationDraft, write
from waypoint_core.access import audit as events
from waypoint_core.access import consent as rule
from waypoint_core.access.policy import RecordFacts
from waypoint_core.access.consent import (
    GIVE, METHODS, PURPOSES, RECIPIENTS, WITHDRAW, Change, Consent, ConsentError, Purpose, PurposeConsent,
)

__all__ = ["Change", "Consent", "ConsentError", "ConsentChangeRefused", "ConsentRefused", "ConsentView", "GIVE",
           "METHODS", "PURPOSES", "Purpose", "PurposeConsent", "RECIPIENTS", "WITHDRAW", "check_contact",
           "check_referral", "contact_flags", "give", "reporting_refused", "resolve", "show", "withdraw"]

CHANGE_VERSION = "1"


class ConsentRefused(PermissionDenied):
    """`purpose` and `status` say what was refused and why (the form screen words it for the person); `question`:
    the form question that asked it (a referral's `recipient_kind`), or ""."""

    message = "The person has not consented to this."

    def __init__(self, text: str = "", *, purpose: str = "", status: str = "", question: str = "") -> None:
        super().__init__(text)
        self.purpose, self.status, self.question = purpose, status, question


class ConsentChangeRefused(InvalidInput):
    message = "This consent change cannot be made."


def resolve(vault: Vault, ref: str) -> str:
    """A registration's id from its id or its registration number (short id, with or without "WP-")."""
    found = consent_reads.person_by_ref(vault, ref)
    if found is None:
        raise InvalidInput(f"no registration {ref}")
    return found


@dataclass(frozen=True)
class ConsentView:
    """What the consent panel and `waypoint consent show` show: the consent now and how it came to be."""

    record_id: str
    consent: Consent
    changes: tuple[Change, ...]  # oldest first
    title: str = ""  # the name the registration list shows

    @property
    def short_id(self) -> str:
        return self.record_id.replace("-", "")[:8].upper()


def _person(vault: Vault, record_id: str) -> Registration:
    reg = get_registration(vault, record_id)
    if reg is None or reg.deleted or reg.form_id in SYSTEM_FORMS:
        raise InvalidInput(f"no registration {record_id}")
    return reg


def _facts(vault: Vault, reg: Registration) -> RecordFacts:
    return access.facts(vault, record_id=reg.id, form_id=reg.form_id, created_by=reg.created_by, centre=reg.centre)


def show(vault: Vault, record_id: str) -> ConsentView:
    """A person's consent, purpose by purpose, with the changes recorded since registration (view right)."""
    reg = _person(vault, record_id)
    access.check_view_record(vault, reg.id, _facts(vault, reg))
    consent = consent_reads.consent_many(vault, [reg.id])[reg.id]
    return ConsentView(reg.id, consent, tuple(consent_reads.history(vault, reg.id)), reg.title or "")


def withdraw(vault: Vault, record_id: str, purposes: Sequence[str]) -> ConsentView:
    """The person withdraws consent to these purposes (`all`: every one), from now on. Needs the edit right on the
    registration. One transaction: the change (a record that syncs), the search index, the desk's candidate pairs
    and the audit entry."""
    return _change(vault, record_id, WITHDRAW, _purposes(purposes))


def give(vault: Vault, record_id: str, purposes: Sequence[str], *, method: str, on: date | None = None) -> ConsentView:
    """The person gives consent (again, or for the first time) to these purposes, `method` saying how."""
    return _change(vault, record_id, GIVE, _purposes(purposes), method=method,
                   on=(on or date.today()).isoformat())


def _purposes(values: Sequence[str]) -> tuple[Purpose, ...]:
    try:
        return rule.parse_purposes(values)
    except ConsentError as exc:
        raise ConsentChangeRefused(str(exc)) from exc


def _change(vault: Vault, record_id: str, action: str, purposes: tuple[Purpose, ...], *, method: str = "",
            on: str = "") -> ConsentView:
    reg = _person(vault, record_id)
    access.check_edit_record(vault, reg.id, _facts(vault, reg))
    change_id = str(uuid.uuid4())
    with write(vault) as w:
        current = consent_reads.consent_db(w.db, reg.id, reg.content)
        try:
            rule.check_change(current, action, purposes, method=method)
        except ConsentError as exc:
            raise ConsentChangeRefused(str(exc)) from exc
        if action == WITHDRAW:  # only what is given can be withdrawn (withdrawing services stops every purpose)
            purposes = tuple(p for p in purposes if current.of(p).status == "given")
        values = {consent_reads.PERSON_FIELD: reg.id, "consent_action": action, "consent_purposes": " ".join(purposes),
                  "consent_method": method, "consent_date": on, "decided_by": w.username, "decided_at": w.now}
        w.save([RegistrationDraft(CONSENT_FORM, CHANGE_VERSION, "finalized", _content(change_id, values), change_id,
                                  dict(values))])
        audit.note_in(w.db, vault, events.CONSENT_WITHDRAWN if action == WITHDRAW else events.CONSENT_GIVEN,
                      record_id=reg.id, detail=" ".join(purposes) + (f" ({method})" if method else ""))
    return show(vault, reg.id)


def _content(change_id: str, values: dict[str, str]) -> str:
    root = ET.Element(CONSENT_FORM, {"id": CONSENT_FORM, "version": CHANGE_VERSION})
    for name, value in values.items():
        ET.SubElement(root, name).text = value
    meta = ET.SubElement(root, "meta")
    ET.SubElement(meta, "instanceID").text = f"uuid:{change_id}"
    return ET.tostring(root, encoding="unicode")


def _refuse(vault: Vault, record_id: str, purpose: str, use: str, status: str, question: str = "") -> None:
    audit.note(vault, events.CONSENT_REFUSED, outcome="refused", record_id=record_id, detail=f"{use}: {purpose} {status}")
    raise ConsentRefused(f"{purpose.replace('_', ' ')}: consent {status.replace('_', ' ')}", purpose=purpose,
                         status=status, question=question)


# --- the features' checks ----------------------------------------------------------------------------------------


def check_contact(vault: Vault, record_id: str) -> Consent:
    """Before contacting a person again (a follow-up call, a next appointment): refused, and audited, unless they
    consented to follow-up contact and have not withdrawn it."""
    reg = _person(vault, record_id)
    access.check_view_record(vault, reg.id, _facts(vault, reg))
    consent = consent_reads.consent_many(vault, [reg.id])[reg.id]
    if not consent.allows("followup_contact"):
        entry = consent.of("followup_contact")
        status = "withdrawn" if consent.of("services").status == "withdrawn" else entry.status
        _refuse(vault, reg.id, "followup_contact", "contact", status)
    return consent


def contact_flags(vault: Vault, record_ids: Sequence[str]) -> dict[str, bool]:
    """For a follow-up list: whether each person may be contacted (False: do not contact). Ids not found: left out."""
    return {person: consent.allows("followup_contact")
            for person, consent in consent_reads.consent_many(vault, record_ids).items()}


def check_referral(vault: Vault, content: str, *, record_id: str | None = None, before: str | None = None) -> None:
    """Before finalizing a referral (a form with the `consent_checked` question): the person it names
    (`person_ref`) must have consented to sharing with that kind of recipient (`recipient_kind`: providers,
    authorities or unhcr; providers when the form does not ask, as version 2026120601 of the shipped form did not;
    any other kind is refused). "Another legal basis" stands only where consent was never refused or withdrawn for
    it; it is audited as an exception. A person not on this laptop cannot be checked here. `before`: the content
    of the referral as last finalized; an edit that changes neither the person, the recipient nor what is shared
    (recording the outcome of a referral made before a withdrawal) is not new sharing and is not checked."""
    referral = rule.referral_of(content)
    if referral is None:
        return
    if before is not None and (earlier := rule.referral_of(before)) is not None and earlier.sharing == referral.sharing:
        return
    try:
        purpose = referral.purpose  # an unknown kind of recipient is refused, the person found here or not
    except ConsentError as exc:
        raise InvalidInput(str(exc)) from exc
    person = consent_reads.person_by_ref(vault, referral.person_ref)
    if person is None:
        return
    allowed, status = rule.may_share(consent_reads.consent_many(vault, [person])[person], referral)
    if status == "exception":
        audit.note(vault, events.CONSENT_EXCEPTION, record_id=person,
                   detail=f"referral {record_id or ''}: {purpose} by another legal basis".strip())
    if not allowed:
        _refuse(vault, person, purpose, "referral", status, rule.RECIPIENT_KIND)


def reporting_refused(vault: Vault, record_ids: Sequence[str]) -> set[str]:
    """Among these registrations, those whose consent to reporting was refused or withdrawn (left out of
    record-level exports)."""
    return {person for person, consent in consent_reads.consent_many(vault, record_ids).items()
            if consent.of("reporting").status in ("refused", "withdrawn")
            or consent.of("services").status == "withdrawn"}
