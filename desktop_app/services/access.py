"""The rights check of every use case on the device: one function per use case, all through `_decide`.

The rule itself is waypoint_core.access.policy (the same table the server applies). Here the signed-in person
becomes an `Actor` (their granted roles, their user name, the laptop's centre and country), a record becomes
`RecordFacts` (its kind from its form, who created it, its centre), and each use case asks the table once.
A refusal raises `AccessDenied` (a vault PermissionDenied, so the UI and the CLI already explain it); nothing is
read or written before the check.

Every decision, allowed or refused, goes to the hooks registered with `add_hook` (the audit log wraps them): one
`Check` per use case, naming the use case, the person, the record when there is one, and the outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from desktop_app.records.form_store import list_forms_with_kinds
from desktop_app.services import audit
from desktop_app.records.schema import RECORD_KIND_FIELD
from desktop_app.vault.errors import PermissionDenied
from desktop_app.vault.place import enrolled, home_centre_db, read_place_db
from desktop_app.vault.registrations import Visible, get_registration_fields
from desktop_app.vault.sql import Db
from desktop_app.vault.vault import Vault
from waypoint_core.access import policy
from waypoint_core.access.policy import Action, Actor, RecordFacts, Subject


class AccessDenied(PermissionDenied):
    message = "You are not allowed to do this."


class PlaceFromEnrolment(AccessDenied):
    """This laptop's place asked to change on an enrolled laptop: its centre is its enrolment's (check_set_place)."""

    message = "This laptop is enrolled for sync: its centre is the one it was enrolled for."


class EnrolRefused(AccessDenied):
    """Enrolling this laptop (or enrolling it again) asked by someone without the manage-devices right."""

    message = "Only an administrator or a coordinator can enrol this laptop for sync."


class EnrolCentreRefused(EnrolRefused):
    """An enrolment code of a centre the signed-in person's grant does not cover (check_enrol_centre): refused once
    the server's answer names the code's centre, before the enrolment is kept or anything is pulled. `code_centre`
    and `granted_centre` are the centres' names, for the sentence; `french`: the same sentence for the CLI (the app
    words its own, ui/sync_messages.py)."""

    def __init__(self, reason: str, *, code_centre: str, granted_centre: str) -> None:
        self.code_centre, self.granted_centre = code_centre, granted_centre
        super().__init__(reason)

    def __str__(self) -> str:
        return (f"This enrolment code is for {self.code_centre}, and your role covers {self.granted_centre} only: "
                "this laptop was not enrolled and nothing was taken from the server. The code is used up. Ask for "
                "a code of your own centre, or have an administrator of that centre enrol the laptop.")

    @property
    def french(self) -> str:
        return (f"Ce code d'inscription est pour {self.code_centre}, et votre rôle ne couvre que "
                f"{self.granted_centre} : cet ordinateur n'a pas été inscrit et rien n'a été pris du serveur. Le code "
                "est épuisé. Demandez un code de votre propre centre, ou faites inscrire l'ordinateur par un "
                "administrateur de ce centre.")


@dataclass(frozen=True)
class Check:
    """One decision, as the hooks see it."""

    use_case: str  # e.g. "record.view", "record.delete", "users.manage"
    username: str
    roles: tuple[str, ...]
    allowed: bool
    record_id: str | None = None
    reason: str = ""


Hook = Callable[[Check], None]
_HOOKS: list[Hook] = []


def add_hook(hook: Hook) -> None:
    """Call `hook` with every decision made from now on (the audit log's entry point)."""
    _HOOKS.append(hook)


def remove_hook(hook: Hook) -> None:
    if hook in _HOOKS:
        _HOOKS.remove(hook)


def actor_of(vault: Vault) -> Actor:
    """The signed-in person as the policy sees them. Their grant's scope may pin a centre or region (its name used
    as the code it is compared with); otherwise the laptop's centre is theirs (`place.home_centre_db`: its place's
    code, else on an enrolled laptop the server's name of its enrolment centre) and its place's country their region,
    else on an enrolled laptop the enrolment centre as a region of its own (as the server counts a centre in no
    region). Only a laptop never enrolled and with no place leaves them None: nothing is limited by place there. A
    centre or region the shipped list cannot resolve thus limits to exactly itself, never to everything."""
    scope = vault.grant.scope
    with vault.session(readonly=True) as session:  # one read for both
        db = Db.of(session)
        place, home = read_place_db(db), home_centre_db(db)
    centre = str(scope.get("centre") or home or "") or None
    region = str(scope.get("region") or place.get("country") or (f"centre:{home}" if home else "")) or None
    return Actor.of(vault.user.username, vault.roles, centre=centre, region=region)


def kind_of_form(vault: Vault, form_id: str) -> str:
    """A form's record kind on this laptop: what its installed versions declare (a registration otherwise)."""
    return form_kinds(vault).get(form_id, policy.REGISTRATION)


def form_kinds(vault: Vault) -> dict[str, str]:
    """form id -> kind, from the installed forms (a form is a case if any installed version says so)."""
    kinds: dict[str, str] = {}
    for form_id, kind in list_forms_with_kinds(vault):
        if kinds.get(form_id) != policy.CASE:
            kinds[form_id] = kind
    return kinds


def facts(vault: Vault, *, record_id: str, form_id: str, created_by: str | None, centre: str | None) -> RecordFacts:
    """A stored record as the policy judges it: kind (its form's, or the record_kind it carries), creator, centre."""
    extracted = get_registration_fields(vault, record_id).get(RECORD_KIND_FIELD)
    return RecordFacts(kind=record_kind(vault, form_id=form_id, extracted=extracted), owner=created_by,
                       centre=centre or None)


def _report(vault: Vault, check: Check) -> None:
    """The audit log first (a decision it cannot record does not go ahead), then the hooks."""
    audit.record_check(vault, check)
    for hook in list(_HOOKS):
        hook(check)


def _decide(vault: Vault, use_case: str, action: Action, subject: Subject, record: RecordFacts | None = None,
            *, record_id: str | None = None) -> Actor:
    actor = actor_of(vault)
    decision = policy.decide(actor, action, subject, record)
    check = Check(use_case, actor.owner, tuple(sorted(actor.roles)), decision.allowed, record_id, decision.reason)
    _report(vault, check)
    if not decision.allowed:
        raise AccessDenied(decision.reason)
    return actor


# --- one function per use case -------------------------------------------------------------------------------


def check_view_record(vault: Vault, record_id: str, record: RecordFacts) -> Actor:
    return _decide(vault, "record.view", "view", policy.subject_of(record.kind), record, record_id=record_id)


def check_print_record(vault: Vault, record_id: str, record: RecordFacts) -> Actor:
    """A record printed on paper (issue 11 point 4): the view right, recorded as its own entry ("record.print")."""
    return _decide(vault, "record.print", "view", policy.subject_of(record.kind), record, record_id=record_id)


def check_create_record(vault: Vault, form_id: str) -> Actor:
    kind = kind_of_form(vault, form_id)
    return _decide(vault, "record.create", "create", policy.subject_of(kind))


def check_edit_record(vault: Vault, record_id: str, record: RecordFacts) -> Actor:
    return _decide(vault, "record.edit", "edit", policy.subject_of(record.kind), record, record_id=record_id)


def check_finalize_record(vault: Vault, record_id: str, record: RecordFacts) -> Actor:
    return _decide(vault, "record.finalize", "finalize", policy.subject_of(record.kind), record, record_id=record_id)


def check_delete_record(vault: Vault, record_id: str, record: RecordFacts) -> Actor:
    return _decide(vault, "record.delete", "delete", policy.subject_of(record.kind), record, record_id=record_id)


def check_case_status(vault: Vault, record_id: str, record: RecordFacts, *, change: str) -> Actor:
    """Closing or reopening a person's case: an edit of their registration (use case "case.closed" / "case.reopened")."""
    return _decide(vault, f"case.{change}", "edit", policy.subject_of(record.kind), record, record_id=record_id)


def check_export(vault: Vault, kind: str) -> Actor:
    """Record-level export of one kind (the export itself keeps only records `may_view` allows)."""
    return _decide(vault, "records.export", "export", policy.subject_of(kind))


def check_export_anonymised(vault: Vault) -> Actor:
    """The CTDC anonymised export of trafficking cases: the right to export cases (case workers), recorded apart."""
    return _decide(vault, "records.export_ctdc", "export", policy.subject_of(policy.CASE))


def check_review(vault: Vault) -> Actor:
    """Conflicts and alarms."""
    return _decide(vault, "records.review", "review", "registration")


def check_audit_review(vault: Vault) -> Actor:
    """Reviewing, verifying and exporting the audit log (coordinators: the review right)."""
    return _decide(vault, "audit.review", "review", "registration")


def require_audit_review(vault: Vault) -> None:
    """The same right, checked without a log entry (each page the review screen loads)."""
    if policy.widest_scope(actor_of(vault), "review", "registration") is None:
        raise AccessDenied("reviewing the audit log is for coordinators")


def reviews(vault: Vault) -> bool:
    """Whether the signed-in person may review, asked without a log entry (each sync run asks it, and the run is
    recorded itself)."""
    return policy.widest_scope(actor_of(vault), "review", "registration") is not None


def check_manage_users(vault: Vault) -> Actor:
    return _decide(vault, "users.manage", "manage_users", "organisation")


def check_manage_devices(vault: Vault) -> Actor:
    return _decide(vault, "devices.manage", "manage_devices", "organisation")


def check_set_place(vault: Vault, *, centre: str = "", centre_name: str = "") -> Actor:
    """Setting or changing this laptop's country and centre ("devices.place") to the centre `centre` (a code of the
    shipped list) named `centre_name` (empty both: clearing it). The laptop's centre is every centre-scoped person's
    centre here (`actor_of`), so on a laptop shared with a coordinator who pulled the region it decides whose people
    field staff see: managing the device, the manage-devices right (administrators, coordinators; the first user of
    a new vault is its administrator, so setup's question still works). A grant that names a centre manages that
    centre's laptops only (an administrator's right is centre-scoped): it may set its own centre, by code or name,
    never another nor none. A region-scoped right (coordinators) is not narrowed here: the laptop does not know which
    centres a region holds (the server does; records carry no region on a laptop). On an enrolled laptop nobody
    changes it here (`PlaceFromEnrolment`): the server files and sends the laptop's records by its enrolment centre,
    and the pull stores that centre's records under the place's code, so another place would show another centre's
    people as this one's; enrolling again with a code of the other centre moves it."""
    actor = actor_of(vault)
    granted = str(vault.grant.scope.get("centre") or "") or None
    target = granted if granted is not None and granted in {centre, centre_name} else (centre or centre_name or None)
    # Compared with the grant's centre only: without one, the person's centre is the laptop's own, which is the
    # very thing being set (an administrator corrects a wrong place; docs/access.md).
    judged = Actor.of(actor.owner, actor.roles, centre=granted)
    decision = policy.decide(judged, "manage_devices", "organisation", RecordFacts(centre=target))
    fixed = decision.allowed and enrolled(vault)
    reason = decision.reason or ("this laptop is enrolled for sync: its centre is its enrolment's; enrol it again "
                                 "with a code of another centre to move it" if fixed else "")
    check = Check("devices.place", actor.owner, tuple(sorted(actor.roles)), decision.allowed and not fixed, None,
                  reason)
    _report(vault, check)
    if fixed:
        raise PlaceFromEnrolment(reason)
    if not decision.allowed:
        raise AccessDenied(reason)
    return actor


def check_enrol(vault: Vault, *, again: bool = False) -> Actor:
    """Enrolling this laptop for sync, a first time or again ("devices.enrol"). The enrolment decides the laptop's
    centre (`places.take_place_from_enrolment`), so what every centre-scoped person on it sees and where its records
    are filed, and binds every record of the vault to a server: managing the device, the manage-devices right on
    `organisation` (administrators, coordinators), as setting the place is. Field staff do not enrol a laptop: a
    coordinator or administrator does it, or gives the laptop to them enrolled (docs/access.md). Asked of the roles
    the person's grant gives them now, never of the label their key slot was made with; audited without personal
    data (the use case, the roles, and whether it was a first enrolment or again)."""
    actor = actor_of(vault)
    decision = policy.decide(actor, "manage_devices", "organisation")
    reason = decision.reason + (" (enrol again)" if again and decision.reason else "")
    _report(vault, Check("devices.enrol", actor.owner, tuple(sorted(actor.roles)), decision.allowed, None, reason))
    if not decision.allowed:
        raise EnrolRefused(reason)
    return actor


def check_enrol_centre(vault: Vault, *, centre_id: str, centre_name: str) -> Actor:
    """The centre an enrolment code was made for (the server's answer: `centre_id`, `centre_name`) against the centre
    the signed-in person's grant names ("devices.enrol_centre"). Enrolling makes that centre the laptop's and pulls its
    people, so an administrator whose grant names centre A enrolling with a code of centre B would reach B's people:
    refused (`EnrolCentreRefused`) before the enrolment is kept, as `check_set_place` refuses setting B. A grant that
    names no centre (every centre) enrols into any, and is not asked here; a region-scoped right is not narrowed on
    the laptop (which centres a region holds is the server's knowledge). The grant's centre and the code's compare
    by the shipped list's code or by name (the server's id too). Audited with codes only: the list's code of each
    centre, else the server's id of the code's centre; never a name typed by anyone."""
    actor = actor_of(vault)
    granted = str(vault.grant.scope.get("centre") or "").strip()
    if not granted:
        return actor
    from desktop_app.services.places import find_centre  # places checks its writes here

    ours, theirs = find_centre(granted), find_centre(centre_name)
    same = (granted.casefold() in {centre_name.strip().casefold(), centre_id.casefold()}
            or (ours is not None and theirs is not None and ours.code == theirs.code))
    decision = policy.decide(Actor.of(actor.owner, actor.roles, centre=granted), "manage_devices", "organisation",
                             RecordFacts(centre=granted if same else centre_id))
    code_of_grant = ours.code if ours is not None else "a centre not in the list"
    code_of_code = theirs.code if theirs is not None else f"server centre {centre_id}"
    reason = "" if decision.allowed else (f"{decision.reason}: the enrolment code's centre {code_of_code}, the "
                                          f"grant's {code_of_grant}")
    _report(vault, Check("devices.enrol_centre", actor.owner, tuple(sorted(actor.roles)), decision.allowed, None,
                         reason))
    if not decision.allowed:
        raise EnrolCentreRefused(reason, code_centre=centre_name,
                                 granted_centre=ours.en if ours is not None else granted)
    return actor


def may_manage_devices(roles: tuple[str, ...]) -> bool:
    """Whether these roles manage this laptop at all: enrol it (or enrol it again), set its place, see what waits on it
    whoever may see it. For showing menu entries and asking at the first sign-in (not audited; `check_enrol` and
    `check_set_place` check again, the latter refusing on an enrolled laptop)."""
    return roles_allow(roles, "manage_devices", "organisation")


def may_ask_server_indicators(vault: Vault) -> bool:
    """Whether the signed-in person views registrations across a region (coordinators): the indicators of this
    centre's every laptop, of the region or of another centre of it, asked of the server (not audited: for showing
    the choice; asking is checked by `check_server_indicators`)."""
    return policy.widest_scope(actor_of(vault), "view", policy.REGISTRATION) in ("region", "all")


def check_server_indicators(vault: Vault) -> Actor:
    """Asking the server for indicators wider than this laptop ("indicators.server"): coordinators. The server checks
    again, against the roles of this laptop's people, which centres it may count."""
    actor = actor_of(vault)
    allowed = may_ask_server_indicators(vault)
    held = ", ".join(sorted(actor.roles)) or "no role"
    check = Check("indicators.server", actor.owner, tuple(sorted(actor.roles)), allowed, None,
                  "" if allowed else f"{held}: the server's indicators of a centre or region are for those who view "
                                     "registrations across a region (coordinators)")
    _report(vault, check)
    if not allowed:
        raise AccessDenied(check.reason)
    return actor


def check_apply_retention(vault: Vault) -> Actor:
    """Applying the retention period an administrator set (`waypoint purge`, and the app at unlock): it only
    removes what the organisation's policy says must go, so every signed-in person with a granted role may run it;
    it is a decision all the same, so the audit log and the hooks see it."""
    actor = actor_of(vault)
    allowed = bool(actor.roles)
    check = Check("records.apply_retention", actor.owner, tuple(sorted(actor.roles)), allowed, None,
                  "" if allowed else "no granted role")
    _report(vault, check)
    if not allowed:
        raise AccessDenied(check.reason)
    return actor


def check_read_sensitive(vault: Vault, record_id: str) -> bool:
    """Whether the person may read this record's P3 answers (not raised: the record opens with them restricted)."""
    actor = actor_of(vault)
    allowed = policy.may_read(actor)
    check = Check("record.read_sensitive", actor.owner, tuple(sorted(actor.roles)), allowed, record_id,
                  "" if allowed else "P3 answers are for case workers")
    _report(vault, check)
    return allowed


def may_read_sensitive(vault: Vault) -> bool:
    """Whether the signed-in person's roles may read P3 answers at all (for marking questions; not audited)."""
    return policy.may_read(actor_of(vault))


def roles_allow(roles: tuple[str, ...], action: Action, subject: Subject) -> bool:
    """Whether these roles give `action` on `subject` at all: for showing a menu entry (the use case checks again)."""
    return policy.widest_scope(Actor.of("", roles), action, subject) is not None


def may_create(vault: Vault, form_id: str) -> bool:
    """Whether the person may start a record of this form (the form chooser offers only those)."""
    return policy.widest_scope(actor_of(vault), "create", policy.subject_of(kind_of_form(vault, form_id))) is not None


# --- what a person may see, for lists, search, reports, exports and the desk ------------------------------------


@dataclass(frozen=True)
class Visibility:
    """What the list, search, reports, exports and the desk may show, built once per query from the table: `rows`
    for the vault's queries, `nothing` when the person may see no record at all."""

    rows: Visible
    nothing: bool = False

    def allows(self, *, kind: str, created_by: str | None, centre: str | None) -> bool:
        """The same rule as `rows.where`, for one record already read (the case file's linked records)."""
        return not self.nothing and self.rows.allows(is_case=kind != policy.REGISTRATION, created_by=created_by,
                                                     centre=centre)


def visibility(vault: Vault, action: Action = "view", *, kind: str | None = None) -> Visibility:
    """The records the signed-in person may `action` (view, export) on this laptop: the one definition every reader
    of people applies, from the same table and the same `Actor` as `check_view_record`, so a list never shows what
    opening it would refuse.

    A laptop holds what the server sent for all of its people: the region's records once a coordinator signed in
    and synced. So the signed-in person's own scope narrows here: `own` to what they created, `centre` to their
    centre's records (the record's `centre` column, indexed; a record naming no centre is no centre's, as
    `policy.within` judges it: seen by coordinators only). `region` and `all` narrow nothing on the laptop: it holds
    no more than its region (the server sends a laptop no other region's records) and records carry no region. When
    the kinds a person sees have different scopes, the narrowest counts for both (never wider than the table; the
    table gives no role or pair of roles different view scopes for the two kinds, tests/access/test_centre_scope.py);
    `kind` asks for one kind only (an export of one form)."""
    actor = actor_of(vault)
    kinds = policy.KINDS if kind is None else (policy.CASE if kind != policy.REGISTRATION else policy.REGISTRATION,)
    scopes = {k: policy.widest_scope(actor, action, policy.subject_of(k)) for k in kinds}
    allowed = [k for k, scope in scopes.items() if scope is not None]
    if not allowed:
        return Visibility(Visible(), nothing=True)
    narrowest = min((scopes[k] for k in allowed), key=lambda scope: policy.SCOPES.index(scope))
    case_forms = tuple(sorted(f for f, k in form_kinds(vault).items() if k == policy.CASE))
    return Visibility(Visible(only_kind=allowed[0] if len(allowed) == 1 else None, case_forms=case_forms,
                              created_by=actor.owner if narrowest == "own" else None,
                              centre=actor.centre if narrowest == "centre" else None))


def record_kind(vault: Vault, *, form_id: str, extracted: str | None) -> str:
    """A stored record's kind: its form's, else what it carries (record_kind), else a registration."""
    kinds = form_kinds(vault)
    if kinds.get(form_id) == policy.CASE or extracted == policy.CASE:
        return policy.CASE
    return kinds.get(form_id, policy.REGISTRATION)
