"""Why an op was refused, as a stable code and its values, and the English sentence that carries it.

The server refuses an op of a push with a sentence in its result (`OpResult.message`) and, to a device that asks
for it (`POST /v2/push?codes=1`, a USB batch's inner header `codes: true`), the refusal's code and values beside it
(`OpResult.code`, `OpResult.code_values`); the laptop refuses one it cannot send ("not sendable"). The laptop stores
the code and values with the refusal and words that code itself in the person's language, so a server that changes
its English wording changes neither the French nor the advice. The sentence stays on the wire for logs, older
laptops and the administrator.

`parse` reads the code and values back from the sentence: only the fallback for a refusal that came without a code
(stored by a laptop before codes existed, or sent by an older server). A sentence it does not know is shown as the
server wrote it. The sentences are built here (sync_server/push.py, scope.py, consent.py, through the `Refused`
builders below, which give the code and values with the very sentence), so what `parse` reads and what the server
writes cannot drift apart (tests/core/test_refusals.py); every server of protocol 2 has written these same words. A
new refusal adds its code, builder and sentence here and its words in the laptop's interface.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

OTHER_CENTRE = "other_centre"  # the record is of a centre the laptop does not reach
NOT_ALLOWED = "not_allowed"  # roles, action, subject: no role of the laptop's people may do this at all
OUTSIDE_SCOPE = "outside_scope"  # scope, action: allowed, but not on this record (e.g. only one's own)
UNKNOWN_RECIPIENT = "unknown_recipient"  # kind: a referral to a recipient no consent covers
NO_CONSENT = "no_consent"  # purpose, status: the person has not consented to this sharing
NOT_SENDABLE = "not_sendable"  # field, error, detail: the laptop's own, the protocol cannot carry the op
CODES = (OTHER_CENTRE, NOT_ALLOWED, OUTSIDE_SCOPE, UNKNOWN_RECIPIENT, NO_CONSENT, NOT_SENDABLE)

BY_SERVER = "refused by the server: "


@dataclass(frozen=True)
class Refusal:
    code: str
    values: Mapping[str, str] = field(default_factory=dict)


class Refused(NamedTuple):
    """A refusal as the server sends it: the English sentence (`OpResult.message`) and its code and values."""

    message: str
    refusal: Refusal


def other_centre() -> str:
    return "this record belongs to another centre"


def by_server(reason: str) -> str:
    """A refusal of the access policy (`policy.Decision.reason`), as the push result says it."""
    return BY_SERVER + reason


def unknown_recipient(kind: str, known: Iterable[str]) -> str:
    return by_server(f"unknown recipient kind {kind!r} (one of {', '.join(known)})")


def no_consent(purpose: str, status: str) -> str:
    return by_server(f"the person has not consented to this sharing ({purpose}: consent {status.replace('_', ' ')})")


def not_sendable(field_name: str, detail: str) -> str:
    return f"not sendable: {field_name}: {detail}"


# What the server refuses with: the sentence and its code and values, built together.

def refused_other_centre() -> Refused:
    return Refused(other_centre(), Refusal(OTHER_CENTRE))


def refused_by_policy(reason: str, *, roles: Iterable[str], action: str, subject: str,
                      scope: str | None) -> Refused:
    """The access policy's refusal (`policy.decide`: its `reason` and `scope`, for `action` on `subject` by
    `roles`): not allowed at all (no scope) or outside the scope it allows."""
    if scope is None:
        return Refused(by_server(reason), Refusal(NOT_ALLOWED, {
            "roles": ", ".join(sorted(roles)), "action": action.replace("_", " "), "subject": subject}))
    return Refused(by_server(reason), Refusal(OUTSIDE_SCOPE, {"scope": scope, "action": action.replace("_", " ")}))


def refused_unknown_recipient(kind: str, known: Iterable[str]) -> Refused:
    return Refused(unknown_recipient(kind, known), Refusal(UNKNOWN_RECIPIENT, {"kind": kind}))


def refused_no_consent(purpose: str, status: str) -> Refused:
    return Refused(no_consent(purpose, status), Refusal(NO_CONSENT, {"purpose": purpose, "status": status}))


_SENTENCES: tuple[tuple[str, re.Pattern[str]], ...] = tuple((code, re.compile(pattern)) for code, pattern in (
    (OTHER_CENTRE, r"this record belongs to another centre"),
    # policy.decide: "{roles}: not allowed to {action} ({subject})", "outside your scope ({scope}) for {action}"
    (NOT_ALLOWED, re.escape(BY_SERVER) + r"(?P<roles>[a-z_, ]+): not allowed to (?P<action>[a-z ]+) "
                                         r"\((?P<subject>[a-z_]+)\)"),
    (OUTSIDE_SCOPE, re.escape(BY_SERVER) + r"outside your scope \((?P<scope>[a-z]+)\) for (?P<action>[a-z ]+)"),
    (UNKNOWN_RECIPIENT, re.escape(BY_SERVER) + r"unknown recipient kind (?P<kind>'.*'|\".*\") \(one of .*\)"),
    (NO_CONSENT, re.escape(BY_SERVER) + r"the person has not consented to this sharing \((?P<purpose>[a-z_]+): "
                                        r"consent (?P<status>[a-z ]+)\)"),
    (NOT_SENDABLE, r"not sendable: (?P<field>.*?): (?P<detail>.*)"),
))


def parse(message: str | None) -> Refusal | None:
    """The code and values of a refusal's sentence; None for a sentence this version does not know. Only for a
    refusal that came without its code (an older server's, or one stored before codes existed)."""
    for code, pattern in _SENTENCES:
        found = pattern.fullmatch(message or "")
        if found is not None:
            values = {k: v for k, v in found.groupdict().items() if v is not None}
            if code == UNKNOWN_RECIPIENT:
                values["kind"] = values["kind"][1:-1]
            if code == NOT_ALLOWED:
                values["roles"] = "" if values["roles"] == "no role" else values["roles"]
            if code == NO_CONSENT:
                values["status"] = values["status"].replace(" ", "_")
            return Refusal(code, values)
    return None


__all__ = ["BY_SERVER", "CODES", "NOT_ALLOWED", "NOT_SENDABLE", "NO_CONSENT", "OTHER_CENTRE", "OUTSIDE_SCOPE",
           "Refusal", "Refused", "UNKNOWN_RECIPIENT", "by_server", "no_consent", "not_sendable", "other_centre",
           "parse", "refused_by_policy", "refused_no_consent", "refused_other_centre", "refused_unknown_recipient",
           "unknown_recipient"]
