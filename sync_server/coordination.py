"""What a coordinator's laptop manages from the app (issue 11 points 1 and 3): enrolment codes for the centres in its
scope, the devices of those centres (orders.py lists them and marks one lost through `centres_in_scope`), and the
bulk-deletion alarms of those centres with their undo (scope.py does the undo).

Every request is the laptop's, signed like any /v2 request; the server asks the same policy table as the device,
with the laptop as the actor (its roles: scope.py):

- enrolment codes and devices: the manage-devices right. Its scope says which centres: `centre` the laptop's own,
  `region` every centre of its centre's region (scope.centres_of_region: `admin centre region`; a centre in no
  region is a region of its own), `all` every centre. Coordinators have it for their region, administrators for
  their centre.
- alarms: the review right on registrations (coordinators: region), in the same way.

A code made here names at least one role for the device it enrols (never unrestricted), expires within 7 days and
enrols one device. It may name field staff and case worker; coordinator and administrator only when the asking
laptop's people hold that role themselves, so a laptop cannot mint a device wider than its own. The code is in
the signed answer once; the server keeps its hash. A revoked code enrols nothing. Each code made or revoked, and
each alarm undone, goes into the server's audit chain naming the person and their laptop.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, text

from waypoint_core.access import policy
from waypoint_core.protocol import PROTOCOL_VERSION
from waypoint_core.protocol.enrolment_messages import (
    AlarmInfo, AlarmList, CentreInfo, EnrolmentCodeInfo, EnrolmentCodeList, NewCode, NewCodeRequest,
    RevokeCodeRequest, UndoAlarmRequest, UndoneAlarm,
)

from . import admin, audit, device_journal, scope
from .atrest import DataKey
from .db import Database, utcnow
from .errors import ProtocolError

# Roles a laptop may give a new device only when its own people hold them.
GUARDED_ROLES = frozenset({policy.COORDINATOR, policy.ADMINISTRATOR})


# --- scope: which centres ----------------------------------------------------------------------------------------


def _scope_for(conn: Connection, device_id: str, centre_id: str, action: policy.Action,
               subject: policy.Subject) -> policy.Scope:
    found = policy.widest_scope(scope.actor_of(conn, device_id, centre_id), action, subject)
    if found is None:
        what = "manage devices" if action == "manage_devices" else "review alarms"
        raise ProtocolError(403, "not_allowed", f"this device's people may not {what}")
    return found


def centres_in_scope(conn: Connection, device_id: str, centre_id: str, *, action: policy.Action = "manage_devices",
                     subject: policy.Subject = "organisation") -> list[CentreInfo]:
    """The centres the laptop may act on for `action` (403 when it may not at all), its own first."""
    wanted = _scope_for(conn, device_id, centre_id, action, subject)
    rows = conn.execute(text("SELECT c.id, c.name, r.region FROM centre c LEFT JOIN centre_region r ON "
                             "r.centre_id = c.id ORDER BY c.name")).all()
    region = set(scope.centres_of_region(conn, centre_id)) if wanted == "region" else {centre_id}
    chosen = [r for r in rows if wanted == "all" or r.id in region]
    chosen.sort(key=lambda r: (r.id != centre_id, r.name))
    return [CentreInfo(centre_id=r.id, name=r.name, region=r.region or "") for r in chosen]


def _ids(centres: list[CentreInfo]) -> dict[str, str]:
    return {c.centre_id: c.name for c in centres}


def _marks(ids: Any) -> tuple[str, dict[str, str]]:
    values = list(ids)
    return ", ".join(f":m{i}" for i in range(len(values))), {f"m{i}": v for i, v in enumerate(values)}


# --- enrolment codes ---------------------------------------------------------------------------------------------


def _open_codes(conn: Connection, centres: dict[str, str]) -> list[EnrolmentCodeInfo]:
    marks, params = _marks(centres)
    rows = conn.execute(text(
        "SELECT e.id, e.centre_id, e.created_at, e.expires_at, r.roles, a.created_by FROM enrolment_code e "
        "LEFT JOIN enrolment_code_roles r ON r.code_id = e.id LEFT JOIN enrolment_code_admin a ON a.code_id = e.id "
        f"WHERE e.used_at IS NULL AND e.expires_at > :now AND a.revoked_at IS NULL AND e.centre_id IN ({marks}) "
        "ORDER BY e.expires_at, e.id"), {"now": utcnow(), **params}).all()
    return [EnrolmentCodeInfo(code_id=r.id, centre_id=r.centre_id, centre_name=centres[r.centre_id],
                              roles=(r.roles or "").split(), created_at=_iso(r.created_at),
                              expires_at=_iso(r.expires_at), created_by=r.created_by or "") for r in rows]


def _iso(value: Any) -> str:
    return str(value)[:19].replace(" ", "T")


def code_list(db: Database, device_id: str, centre_id: str) -> EnrolmentCodeList:
    with db.read_engine.connect() as conn:
        centres = centres_in_scope(conn, device_id, centre_id)
        codes = _open_codes(conn, _ids(centres))
    return EnrolmentCodeList(protocol_version=PROTOCOL_VERSION, centres=centres, codes=codes)


def new_code(db: Database, device_id: str, centre_id: str, request: NewCodeRequest) -> NewCode:
    with db.read_engine.connect() as conn:
        centres = _ids(centres_in_scope(conn, device_id, centre_id))
        own_roles = set(scope.roles_of(conn, device_id))
    if request.centre_id not in centres:
        raise ProtocolError(403, "outside_scope", "this device's people may not enrol devices for that centre")
    try:
        roles = scope.check_roles(request.roles)
    except scope.ScopeError as exc:
        raise ProtocolError(422, "malformed", str(exc)) from None
    wider = sorted(set(roles) & GUARDED_ROLES - own_roles)
    if wider:
        raise ProtocolError(403, "not_allowed", f"this device's people do not hold the role {', '.join(wider)} "
                                                "themselves, so they may not give it to a new device")
    by = f"{request.by} (device {device_id})"
    code = admin.create_enrolment_code(db, centre=request.centre_id, ttl=timedelta(hours=request.hours), roles=roles,
                                       created_by=by)
    code_hash = admin.hash_code(code)
    with db.write_engine.begin() as conn:
        code_id = conn.execute(text("SELECT id FROM enrolment_code WHERE code_hash = :h"), {"h": code_hash}
                               ).scalar_one()
        audit.record_in(conn, "enrolment_code.created", actor=by,
                        detail=f"code {code_id}: centre {request.centre_id}, {request.hours} h, roles "
                               f"{' '.join(roles)}")
        info = next(c for c in _open_codes(conn, centres) if c.code_id == code_id)
    return NewCode(protocol_version=PROTOCOL_VERSION, code=code, info=info)


def revoke_code(db: Database, device_id: str, centre_id: str, request: RevokeCodeRequest) -> EnrolmentCodeList:
    by = f"{request.by} (device {device_id})"
    with db.write_engine.begin() as conn:
        in_scope = centres_in_scope(conn, device_id, centre_id)
        centres = _ids(in_scope)
        row = conn.execute(text("SELECT centre_id, used_at FROM enrolment_code WHERE id = :c"),
                           {"c": request.code_id}).first()
        if row is None or row.centre_id not in centres:
            raise ProtocolError(404, "not_found", "no such enrolment code for a centre you manage")
        if row.used_at is not None:
            raise ProtocolError(409, "code_used", "this enrolment code has already enrolled a device: mark that "
                                                  "device lost instead")
        now = utcnow()
        if not device_journal.revoke_code_row(conn, request.code_id, at=now, by=by):
            raise ProtocolError(409, "code_revoked", "this enrolment code was already revoked")
        audit.record_in(conn, "enrolment_code.revoked", actor=by, detail=f"code {request.code_id}")
        # a restore must not make a code revoked since the backup enrol a device again
        device_journal.note(db, "code_revoked", code_id=request.code_id, revoked_at=now, revoked_by=by)
        codes = _open_codes(conn, centres)
    return EnrolmentCodeList(protocol_version=PROTOCOL_VERSION, centres=in_scope, codes=codes)


def code_revoked(conn: Connection, code_id: str) -> bool:
    """At enrolment (admin.enrol): a revoked code enrols nothing."""
    row = conn.execute(text("SELECT revoked_at FROM enrolment_code_admin WHERE code_id = :c"), {"c": code_id}).first()
    return row is not None and row[0] is not None


def list_codes(db: Database) -> list[dict[str, Any]]:
    """Every open code (the command line: `admin enrol-codes`)."""
    with db.read_engine.connect() as conn:
        centres = {r[0]: r[1] for r in conn.execute(text("SELECT id, name FROM centre")).all()}
        if not centres:
            return []
        return [c.model_dump() for c in _open_codes(conn, centres)]


# --- bulk-deletion alarms ----------------------------------------------------------------------------------------


def _alarms(conn: Connection, centres: dict[str, str]) -> list[AlarmInfo]:
    marks, params = _marks(centres)
    rows = conn.execute(text(
        "SELECT a.id, a.device_id, d.name AS device_name, a.centre_id, a.raised_at, a.count, a.undone_at, "
        "a.undone_by FROM deletion_alarm a LEFT JOIN device d ON d.id = a.device_id "
        f"WHERE a.centre_id IN ({marks}) ORDER BY a.raised_at DESC, a.id"), params).all()
    return [AlarmInfo(alarm_id=r.id, device_id=r.device_id, device_name=r.device_name or "",
                      centre_id=r.centre_id, centre_name=centres[r.centre_id], raised_at=_iso(r.raised_at),
                      count=r.count, undone_at=_iso(r.undone_at) if r.undone_at is not None else "",
                      undone_by=r.undone_by or "") for r in rows]


def _alarm_centres(conn: Connection, device_id: str, centre_id: str) -> dict[str, str]:
    return _ids(centres_in_scope(conn, device_id, centre_id, action="review", subject="registration"))


def alarm_list(db: Database, device_id: str, centre_id: str) -> AlarmList:
    with db.read_engine.connect() as conn:
        return AlarmList(protocol_version=PROTOCOL_VERSION, alarms=_alarms(conn, _alarm_centres(conn, device_id,
                                                                                                 centre_id)))


def undo_alarm(db: Database, key: DataKey, device_id: str, centre_id: str, request: UndoAlarmRequest) -> UndoneAlarm:
    with db.read_engine.connect() as conn:
        centres = _alarm_centres(conn, device_id, centre_id)
        row = conn.execute(text("SELECT centre_id, undone_at FROM deletion_alarm WHERE id = :i"),
                           {"i": request.alarm_id}).first()
        may_delete = policy.widest_scope(scope.actor_of(conn, device_id, centre_id), "delete", "registration")
    if row is None or row.centre_id not in centres:
        raise ProtocolError(404, "not_found", "no such alarm for a centre you review")
    if may_delete is None:
        raise ProtocolError(403, "not_allowed", "this device's people may not undo deletions")
    if row.undone_at is not None:
        raise ProtocolError(409, "alarm_undone", "this deletion was already undone")
    try:
        restored = scope.undo_deletion(db, key, request.alarm_id, by=f"{request.by} (device {device_id})")
    except scope.ScopeError as exc:
        raise ProtocolError(409, "alarm_undone", str(exc)) from None
    with db.read_engine.connect() as conn:
        alarms = _alarms(conn, centres)
    return UndoneAlarm(protocol_version=PROTOCOL_VERSION, restored=restored, alarms=alarms)
