"""Consent as data (issue 11 point 5, data-model R1): what a person agreed to, purpose by purpose, and what follows.

Pure: no database, no Qt. The device (desktop_app/services/consent.py) and anything else that judges consent ask
this module, so the rule is written once.

A person's consent starts from the answers of their registration (the shipped form's consent page:
`consent_services`, `consent_share_providers`, … with `consent_method`, `consent_date`, `consent_given_by`) and is
changed afterwards by **changes**: a withdrawal or a consent given again, each for some purposes, with who recorded
it and when. Changes are applied in the order they were made (time, then id); a change always wins over the
registration's answer, so editing the form back to "yes" never undoes a withdrawal: only a new consent does.

Withdrawing consent to services withdraws every purpose (the others rest on it); a purpose is allowed only when it
is given and services are not withdrawn.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Literal

from waypoint_core.access.sealed import is_sealed

Purpose = Literal["services", "share_providers", "share_authorities", "share_unhcr", "reporting",
                  "followup_contact", "matching"]
PURPOSES: tuple[Purpose, ...] = ("services", "share_providers", "share_authorities", "share_unhcr", "reporting",
                                 "followup_contact", "matching")
# the registration form's answer for each purpose (data-model §7.3 A1)
ANSWERS: dict[Purpose, str] = {
    "services": "consent_services", "share_providers": "consent_share_providers",
    "share_authorities": "consent_share_authorities", "share_unhcr": "consent_share_unhcr",
    "reporting": "consent_anonymous_reporting", "followup_contact": "consent_followup_contact",
    "matching": "consent_matching",
}
# every answer the consent page holds that this module reads
READ_ANSWERS: tuple[str, ...] = (*ANSWERS.values(), "consent_method", "consent_date", "consent_given_by",
                                 "legal_basis")
# who a referral or transfer shares the person's data with -> the purpose that must be consented
RECIPIENTS: dict[str, Purpose] = {"providers": "share_providers", "authorities": "share_authorities",
                                  "unhcr": "share_unhcr"}
METHODS: tuple[str, ...] = ("verbal_witnessed", "signed", "thumbprint")

# Consent changes are records of this form (they sync like any record); their fields say what they change.
CHANGE_FORM = "waypoint_consent_change"
PERSON_FIELD = "consent_person"
CHANGE_FIELDS = (PERSON_FIELD, "consent_action", "consent_purposes", "consent_method", "consent_date", "decided_by",
                 "decided_at")
# A referral: a form with the "basis for sharing" question (forms/referral.md); who receives the data (the shipped
# form: providers), about whom, and what is shared. A change of any of these is new sharing.
REFERRAL_CHECK = "consent_checked"
RECIPIENT_KIND = "recipient_kind"
OTHER_BASIS = "other_basis"
SHARING_LEAVES = (REFERRAL_CHECK, RECIPIENT_KIND, "person_ref", "to_org", "data_shared_fields")

Status = Literal["given", "refused", "withdrawn", "not_recorded"]
WITHDRAW, GIVE = "withdraw", "give"
_YES = frozenset({"yes", "true", "1", "true()"})
_NO = frozenset({"no", "false", "0", "false()"})


class ConsentError(ValueError):
    """A consent change that cannot be made as asked; the message says why."""


@dataclass(frozen=True)
class PurposeConsent:
    """One purpose: its status, and when, how and by whom it was given; when and by whom it was withdrawn."""

    purpose: Purpose
    status: Status
    date: str = ""  # the day consent was given (or refused), as recorded
    method: str = ""  # verbal_witnessed | signed | thumbprint
    given_by: str = ""  # self | guardian | other
    withdrawn_at: str = ""  # UTC time the withdrawal was recorded
    withdrawn_by: str = ""  # the user who recorded it
    changed_by: str = ""  # who recorded the last change after registration ("" = as registered)

    @property
    def given(self) -> bool:
        return self.status == "given"


@dataclass(frozen=True)
class Change:
    """A withdrawal or a new consent, for some purposes, as recorded on a device (a record that syncs)."""

    change_id: str
    person: str  # the registration's record id
    action: str  # withdraw | give
    purposes: tuple[Purpose, ...]
    at: str  # UTC time it was recorded (ISO 8601)
    by: str  # the user who recorded it
    method: str = ""  # for a consent given again: how
    date: str = ""  # for a consent given again: the day


@dataclass(frozen=True)
class Consent:
    """A person's consent, purpose by purpose."""

    person: str
    purposes: tuple[PurposeConsent, ...]
    legal_basis: tuple[str, ...] = ()

    def of(self, purpose: Purpose) -> PurposeConsent:
        for entry in self.purposes:
            if entry.purpose == purpose:
                return entry
        raise KeyError(purpose)

    def allows(self, purpose: Purpose) -> bool:
        """Whether the purpose may be served now: consented, and consent to services not withdrawn."""
        if purpose != "services" and self.of("services").status == "withdrawn":
            return False
        return self.of(purpose).given

    def allows_recipient(self, kind: str) -> bool:
        purpose = RECIPIENTS.get(kind)
        if purpose is None:
            raise ConsentError(f"unknown recipient kind {kind!r}: one of {', '.join(RECIPIENTS)}")
        return self.allows(purpose)

    @property
    def withdrawn(self) -> tuple[Purpose, ...]:
        return tuple(e.purpose for e in self.purposes if e.status == "withdrawn")


def parse_purposes(values: Iterable[str]) -> tuple[Purpose, ...]:
    """Purposes named by the caller (any order, repeats ignored), in the canonical order; `all` names every one."""
    wanted: set[str] = set()
    for value in values:
        for word in str(value).replace(",", " ").split():
            if word == "all":
                wanted.update(PURPOSES)
            elif word in PURPOSES:
                wanted.add(word)
            else:
                raise ConsentError(f"unknown purpose {word!r}: one of {', '.join(PURPOSES)} or all")
    if not wanted:
        raise ConsentError("name at least one purpose")
    return tuple(p for p in PURPOSES if p in wanted)


def _status(answer: str | None) -> Status:
    value = (answer or "").strip().lower()
    if value in _YES:
        return "given"
    if value in _NO:
        return "refused"
    return "not_recorded"


def from_answers(person: str, answers: Mapping[str, str]) -> Consent:
    """A person's consent as their registration recorded it. Purposes the form did not ask (consent to services
    refused: the other questions are not asked) are refused when services were refused."""
    services = _status(answers.get(ANSWERS["services"]))
    common = {"date": (answers.get("consent_date") or "").strip(),
              "method": (answers.get("consent_method") or "").strip(),
              "given_by": (answers.get("consent_given_by") or "").strip()}
    entries = []
    for purpose in PURPOSES:
        status = _status(answers.get(ANSWERS[purpose]))
        if status == "not_recorded" and services == "refused":
            status = "refused"
        entries.append(PurposeConsent(purpose, status, **common))
    basis = tuple(sorted((answers.get("legal_basis") or "").split()))
    return Consent(person, tuple(entries), basis)


def apply(consent: Consent, changes: Iterable[Change]) -> Consent:
    """The consent after these changes, applied in the order they were made (time, then id). Changes naming
    another person are ignored."""
    entries = {e.purpose: e for e in consent.purposes}
    for change in sorted((c for c in changes if c.person == consent.person), key=lambda c: (c.at, c.change_id)):
        for purpose in change.purposes:
            before = entries[purpose]
            if change.action == WITHDRAW:
                entries[purpose] = replace(before, status="withdrawn", withdrawn_at=change.at,
                                           withdrawn_by=change.by, changed_by=change.by)
            elif change.action == GIVE:
                entries[purpose] = replace(before, status="given", date=change.date or change.at[:10],
                                           method=change.method or before.method, withdrawn_at="",
                                           withdrawn_by="", changed_by=change.by)
    return replace(consent, purposes=tuple(entries[p] for p in PURPOSES))


def check_change(consent: Consent, action: str, purposes: tuple[Purpose, ...], *, method: str = "") -> None:
    """Refuse a change that would mean nothing or is incomplete: withdrawing what is not given, or giving consent
    again without saying how it was given."""
    if action == WITHDRAW:
        given = [p for p in purposes if consent.of(p).status == "given"]
        if not given:
            raise ConsentError("nothing to withdraw: none of these purposes is consented")
    elif action == GIVE:
        if method not in METHODS:
            raise ConsentError(f"say how consent was given: one of {', '.join(METHODS)}")
    else:
        raise ConsentError(f"unknown change {action!r}")


def change_of(change_id: str, fields: Mapping[str, str | None]) -> Change | None:
    """A consent change from its record's extracted fields, or None when they name no person or purpose."""
    purposes = tuple(p for p in PURPOSES if p in (fields.get("consent_purposes") or "").split())
    person = fields.get(PERSON_FIELD) or ""
    if not person or not purposes:
        return None
    return Change(change_id, person, fields.get("consent_action") or "", purposes, fields.get("decided_at") or "",
                  fields.get("decided_by") or "", fields.get("consent_method") or "", fields.get("consent_date") or "")


def leaves(content: str | None, names: Iterable[str]) -> dict[str, str]:
    """The first answers of these names in an instance (never a sealed one); {} when it does not parse."""
    wanted = set(names)
    try:
        root = ET.fromstring((content or "").encode("utf-8"))
    except ET.ParseError:
        return {}
    found: dict[str, str] = {}
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1]
        if name in wanted and name not in found and len(element) == 0:
            value = (element.text or "").strip()
            if not is_sealed(value):
                found[name] = value
    return found


def consent_answers(content: str | None) -> dict[str, str]:
    """The consent page's answers of a registration (empty ones left out)."""
    return {k: v for k, v in leaves(content, READ_ANSWERS).items() if v}


@dataclass(frozen=True)
class Referral:
    """What a referral shares: about whom (`person_ref`, a registration number), with whom (`kind`), on what basis."""

    person_ref: str
    kind: str
    basis: str
    sharing: tuple[tuple[str, str], ...]

    @property
    def purpose(self) -> Purpose:
        purpose = RECIPIENTS.get(self.kind)
        if purpose is None:
            raise ConsentError(f"unknown recipient kind {self.kind!r}: one of {', '.join(RECIPIENTS)}")
        return purpose


def referral_of(content: str | None) -> Referral | None:
    """The referral an instance records, or None when it is not one (no `consent_checked` question)."""
    found = leaves(content, SHARING_LEAVES)
    if REFERRAL_CHECK not in found:
        return None
    return Referral(found.get("person_ref", ""), found.get(RECIPIENT_KIND) or "providers", found[REFERRAL_CHECK],
                    tuple(sorted(found.items())))


def may_share(consent: Consent, referral: Referral) -> tuple[bool, str]:
    """(allowed, status) for a referral of this person: consented to that recipient kind, or another legal basis
    where that consent was never recorded (never after a refusal or a withdrawal). `status` names why not, or
    "exception" when allowed on another basis."""
    purpose = referral.purpose
    if consent.allows(purpose):
        return True, "given"
    status = "withdrawn" if consent.of("services").status == "withdrawn" else consent.of(purpose).status
    if referral.basis == OTHER_BASIS and status == "not_recorded":
        return True, "exception"
    return False, status


def short_ref(ref: str) -> str:
    """A registration number as written (with or without "WP-", any case) as the 8 characters of the short id."""
    return (ref or "").strip().upper().removeprefix("WP-").replace("-", "")[:8]
