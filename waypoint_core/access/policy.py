"""Who may do what to which records: one table of roles × actions × scope, shared by the device and the server.

The device's services and the server both ask this module, never a copy of it, so a button hidden in the app and
an operation refused by the server follow the same rule. A role grants, per subject, an action up to a scope:

- subjects: `registration` (people, assistance events, referrals), `case` (trafficking and protection cases: forms
  that declare `wp:kind="case"`), and `organisation` (users and devices);
- actions: view, create, edit, finalize, delete, export, review (conflicts, alarms), manage users, manage devices;
- scopes, narrowest first: `own` (records the actor created), `centre`, `region`, `all`.

A person may hold several roles (a grant's `roles` list); they get the widest scope any of them gives. Answers of
class P3 (trafficking details, gender-based violence, health, narratives) are readable only by the roles in
`SENSITIVE_READERS`; everyone else may record such an answer but never read it back (waypoint_core.access.sealed).

The table follows ../shared/reference/data-model.md (R7, §7.1): least privilege, export separate from view,
coordinators review and delete across their region but read no P3 answer, administrators manage people and devices
and register people at their centre but never see a trafficking case.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

Role = Literal["field_staff", "case_worker", "coordinator", "administrator"]
Action = Literal["view", "create", "edit", "finalize", "delete", "export", "review", "manage_users",
                 "manage_devices"]
Scope = Literal["own", "centre", "region", "all"]
Subject = Literal["registration", "case", "organisation"]
Kind = Literal["registration", "case"]

FIELD_STAFF: Final = "field_staff"
CASE_WORKER: Final = "case_worker"
COORDINATOR: Final = "coordinator"
ADMINISTRATOR: Final = "administrator"
ROLES: Final[tuple[Role, ...]] = ("field_staff", "case_worker", "coordinator", "administrator")
ACTIONS: Final[tuple[Action, ...]] = ("view", "create", "edit", "finalize", "delete", "export", "review",
                                      "manage_users", "manage_devices")
SCOPES: Final[tuple[Scope, ...]] = ("own", "centre", "region", "all")  # narrowest first
KINDS: Final[tuple[Kind, ...]] = ("registration", "case")
REGISTRATION: Final = "registration"
CASE: Final = "case"
SENSITIVE: Final = "P3"

_ENTRY = ("view", "create", "edit", "finalize")

# role -> subject -> action -> scope. Anything absent is refused.
POLICY: Final[Mapping[str, Mapping[str, Mapping[str, Scope]]]] = {
    "field_staff": {
        "registration": {**dict.fromkeys(_ENTRY, "centre"), "delete": "own"},
    },
    "case_worker": {
        "registration": {**dict.fromkeys(_ENTRY, "centre"), "delete": "own"},
        "case": {**dict.fromkeys(_ENTRY, "centre"), "delete": "own", "export": "centre"},
    },
    "coordinator": {
        "registration": {**dict.fromkeys(_ENTRY, "region"), "delete": "region", "export": "region",
                         "review": "region"},
        "case": {"view": "region", "delete": "region", "review": "region"},
        "organisation": {"manage_devices": "region"},
    },
    "administrator": {
        "registration": {**dict.fromkeys(_ENTRY, "centre"), "delete": "own"},
        "organisation": {"manage_users": "all", "manage_devices": "centre"},
    },
}

# Who may read answers of a sensitivity class (everyone may write them: they are sealed for these roles).
SENSITIVE_READERS: Final[Mapping[str, frozenset[str]]] = {SENSITIVE: frozenset({"case_worker"})}


@dataclass(frozen=True)
class Actor:
    """Who acts: a signed-in person on a device, or (on the server) a device by the roles of its people.

    `owner` names what `own` records are: a user name on the device, a device id on the server. `centre` and
    `region` are None where this side does not know them (a laptop never enrolled): no limit from that dimension.
    """

    owner: str
    roles: frozenset[str]
    centre: str | None = None
    region: str | None = None

    @staticmethod
    def of(owner: str, roles: Iterable[str], *, centre: str | None = None, region: str | None = None) -> Actor:
        return Actor(owner, frozenset(r for r in roles if r in ROLES), centre or None, region or None)


@dataclass(frozen=True)
class RecordFacts:
    """What scope is judged on: the record's kind, who created it, and where."""

    kind: str = REGISTRATION
    owner: str | None = None
    centre: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class Decision:
    allowed: bool
    scope: Scope | None  # the widest scope the actor's roles give for this action (None: none at all)
    reason: str  # one sentence for a refusal, "" when allowed

    def __bool__(self) -> bool:
        return self.allowed


def subject_of(kind: str) -> Subject:
    """A record's subject in the table; an unknown kind counts as a case (the narrower rights)."""
    return "registration" if kind == REGISTRATION else "case"


def widest_scope(actor: Actor, action: Action, subject: Subject) -> Scope | None:
    """The widest scope any of the actor's roles grants for `action` on `subject`, or None."""
    best: int | None = None
    for role in actor.roles:
        scope = POLICY.get(role, {}).get(subject, {}).get(action)
        if scope is not None and (best is None or SCOPES.index(scope) > best):
            best = SCOPES.index(scope)
    return None if best is None else SCOPES[best]


def within(scope: Scope, actor: Actor, record: RecordFacts) -> bool:
    """Whether `record` lies inside `scope` as seen from `actor`. An actor's unknown place does not limit (see Actor);
    a record naming no region is inside any (records carry no region on a laptop). A record naming no centre is
    inside no actor's centre: on a laptop shared across centres its centre is unknown, not everyone's (a laptop gives
    the records it makes its own centre and those it pulls the server's; docs/access.md)."""
    if scope == "all":
        return True
    if scope == "own":
        return record.owner is not None and record.owner == actor.owner
    if scope == "region":
        return actor.region is None or record.region is None or record.region == actor.region
    return actor.centre is None or record.centre == actor.centre


def decide(actor: Actor, action: Action, subject: Subject, record: RecordFacts | None = None) -> Decision:
    """May `actor` do `action` on `subject` (and on this record, when one is given)?"""
    scope = widest_scope(actor, action, subject)
    if scope is None:
        held = ", ".join(sorted(actor.roles)) or "no role"
        return Decision(False, None, f"{held}: not allowed to {action.replace('_', ' ')} ({subject})")
    if record is not None and not within(scope, actor, record):
        return Decision(False, scope, f"outside your scope ({scope}) for {action.replace('_', ' ')}")
    return Decision(True, scope, "")


def may_read(actor: Actor, sensitivity: str = SENSITIVE) -> bool:
    """Whether the actor may read answers of this sensitivity class (P3: case workers only)."""
    readers = SENSITIVE_READERS.get(sensitivity)
    return readers is None or bool(readers & actor.roles)


def viewable_kinds(actor: Actor) -> frozenset[str]:
    """The record kinds the actor may see at all (before scope)."""
    return frozenset(k for k in KINDS if widest_scope(actor, "view", subject_of(k)) is not None)


def table_rows() -> list[tuple[str, str, str, str]]:
    """(role, subject, action, scope) for every grant: what docs/access.md prints and the tests walk."""
    return [(role, subject, action, scope)
            for role, subjects in POLICY.items() for subject, actions in subjects.items()
            for action, scope in actions.items()]
