"""Why an op was refused, as a stable code and its values, and the English sentence that carries it.

The server refuses an op of a push with a sentence in its result (`OpResult.message`); the laptop refuses one it
cannot send ("not sendable"). Both are English and stored on the laptop as they came. The laptop shows them in the
person's language by reading the code and values back from the sentence (`parse`) and wording that code itself;
a sentence it does not know (a newer server's) is shown as the server wrote it.

The sentences are the wire's: the server builds them here (sync_server/push.py, scope.py, consent.py), so what
`parse` reads and what the server writes cannot drift apart (tests/core/test_refusals.py parses every refusal the
access policy can give), and every server of protocol 2 has written these same words, so an older server's
refusals are read too. A new refusal adds its code and sentence here and its words in the laptop's interface.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

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
    """The code and values of a refusal's sentence; None for a sentence this version does not know."""
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
           "Refusal", "UNKNOWN_RECIPIENT", "by_server", "no_consent", "not_sendable", "other_centre", "parse",
           "unknown_recipient"]
