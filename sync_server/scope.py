"""Rights on the server (issue 11 point 1): what each device receives and what it may change, by the roles of the
people who use it, through the same table the device asks (waypoint_core.access.policy).

- A device's roles are named by the coordinator for its enrolment code (`admin enrol-code --roles`) or later
  (`admin device-roles`); a device with none named (enrolled before this) is unrestricted.
- On the server, a device is the actor: `own` means records this device created (the device of their first version),
  `centre` its centre, `region` every centre of its centre's region (`admin centre region CENTRE REGION`, table
  `centre_region`; a centre with no region named is a region of its own). A device whose roles give `region` scope
  to view registrations (coordinators; unrestricted devices) receives the records of every centre of its region
  (`reach`), and its pushes may change them as the policy allows (a coordinator's decision on the desk); a record of
  a centre outside its region is refused ("this record belongs to another centre"). A record keeps its centre: a
  change made by a device of another centre of the region reaches the devices of the record's centre.
- Pull leaves out the cases (trafficking, protection) of a device whose roles may not view them: a field laptop
  with no case worker never receives one. A record is a case when it carries `record_kind = case` (the device sets
  it from the form); once a case, always a case (`record_kind` table), whatever a later op says.
- Push refuses, op by op, an edit, creation or deletion outside the device's rights (`rejected`, with the reason);
  nothing of it is applied, so honest laptops keep their records.
- A device deleting `BULK_DELETE_THRESHOLD` records or more in one batch raises an alarm (table `deletion_alarm`, the
  server's audit chain, a log line); a coordinator lists alarms and undoes one: every record it names comes back as a
  new version holding its last content before the deletion, and travels to every device with the next pull.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Select, column, select, table, text

from waypoint_core.access import policy
from waypoint_core.access.policy import Actor, RecordFacts
from waypoint_core.protocol import canonical_json, now_ms
from waypoint_core.protocol import refusals as refusal_words

from . import audit, device_journal, history
from .atrest import DataKey, aad, seal_text
from .db import Database, utcnow
from .merge import PublicView, split_form

ALL_ROLES: tuple[str, ...] = tuple(policy.ROLES)
BULK_DELETE_THRESHOLD = 10
KIND_FIELD = "record_kind"
DELETED = "#deleted"


class ScopeError(Exception):
    """An administrator's request that cannot be done (unknown device, alarm, role)."""


def check_roles(roles: Sequence[str]) -> tuple[str, ...]:
    unknown = [r for r in roles if r not in ALL_ROLES]
    if unknown or not roles:
        raise ScopeError(f"roles must be among {', '.join(ALL_ROLES)} (got {', '.join(roles) or 'none'})")
    return tuple(dict.fromkeys(roles))


# --- device roles ---------------------------------------------------------------------------------------------------


def roles_of(conn: Connection, device_id: str) -> tuple[str, ...]:
    row = conn.execute(text("SELECT roles FROM device_roles WHERE device_id = :d"), {"d": device_id}).first()
    return ALL_ROLES if row is None else tuple(row[0].split())


def region_of(conn: Connection, centre_id: str) -> str:
    """The centre's region as named by the administrator; a centre with none named is a region of its own."""
    row = conn.execute(text("SELECT region FROM centre_region WHERE centre_id = :c"), {"c": centre_id}).first()
    return f"centre:{centre_id}" if row is None else f"region:{row[0]}"


def centres_of_region(conn: Connection, centre_id: str) -> list[str]:
    """Every centre of the centre's region, itself included."""
    row = conn.execute(text("SELECT region FROM centre_region WHERE centre_id = :c"), {"c": centre_id}).first()
    if row is None:
        return [centre_id]
    found = conn.execute(text("SELECT centre_id FROM centre_region WHERE region = :r"), {"r": row[0]}).scalars()
    return sorted(set(found) | {centre_id})


def actor_of(conn: Connection, device_id: str, centre_id: str) -> Actor:
    return Actor.of(device_id, roles_of(conn, device_id), centre=centre_id, region=region_of(conn, centre_id))


def reach(conn: Connection, device_id: str, centre_id: str, *, actor: Actor | None = None) -> list[str]:
    """The centres whose records the device receives and may push to: its region's when its roles give `region`
    scope (or wider) to view registrations, else its own centre. `actor`: the device's, if already read."""
    scope = policy.widest_scope(actor or actor_of(conn, device_id, centre_id), "view", policy.REGISTRATION)
    return centres_of_region(conn, centre_id) if scope in ("region", "all") else [centre_id]


def set_centre_region(conn: Connection, centre_id: str, region: str | None) -> None:
    """Name the centre's region (None: the centre is a region of its own again)."""
    conn.execute(text("DELETE FROM centre_region WHERE centre_id = :c"), {"c": centre_id})
    if region:
        conn.execute(text("INSERT INTO centre_region (centre_id, region) VALUES (:c, :r)"),
                     {"c": centre_id, "r": region})
    audit.record_in(conn, "centre.region", actor="admin", detail=f"centre {centre_id}: region {region or '(none)'}")


def regions(conn: Connection) -> dict[str, str]:
    """centre id -> region, for the centres that have one named."""
    return {r[0]: r[1] for r in conn.execute(text("SELECT centre_id, region FROM centre_region")).all()}


def set_code_roles(conn: Connection, code_id: str, roles: Sequence[str]) -> None:
    conn.execute(text("INSERT INTO enrolment_code_roles (code_id, roles) VALUES (:c, :r)"),
                 {"c": code_id, "r": " ".join(check_roles(roles))})


def take_code_roles(conn: Connection, *, code_id: str, device_id: str) -> None:
    """At enrolment: the device gets the roles its code named (none named: unrestricted)."""
    row = conn.execute(text("SELECT roles FROM enrolment_code_roles WHERE code_id = :c"), {"c": code_id}).first()
    if row is not None:
        conn.execute(text("INSERT INTO device_roles (device_id, roles) VALUES (:d, :r)"), {"d": device_id, "r": row[0]})


def set_device_roles(db: Database, device_id: str, roles: Sequence[str]) -> tuple[str, ...]:
    chosen = check_roles(roles)
    with db.write_engine.begin() as conn:
        if conn.execute(text("SELECT id FROM device WHERE id = :d"), {"d": device_id}).first() is None:
            raise ScopeError(f"no device {device_id}")
        before = " ".join(roles_of(conn, device_id))
        conn.execute(text("DELETE FROM device_roles WHERE device_id = :d"), {"d": device_id})
        conn.execute(text("INSERT INTO device_roles (device_id, roles) VALUES (:d, :r)"),
                     {"d": device_id, "r": " ".join(chosen)})
        device_journal.note(db, "roles", device_id=device_id, roles=" ".join(chosen))
        audit.record_in(conn, "device.roles", actor="admin", detail=f"device {device_id}: {before} -> "
                                                                    f"{' '.join(chosen)}")
    return chosen


# --- what a device receives -----------------------------------------------------------------------------------------


_RECORD_KIND = table("record_kind", column("record_id"), column("kind"))


def case_ids() -> Select[Any]:
    """The ids of the records that are cases (for a pull query to leave out)."""
    return select(_RECORD_KIND.c.record_id).where(_RECORD_KIND.c.kind == policy.CASE)


def may_receive_cases(conn: Connection, device_id: str, centre_id: str, *, actor: Actor | None = None) -> bool:
    return policy.widest_scope(actor or actor_of(conn, device_id, centre_id), "view", "case") is not None


# --- what a device may change ---------------------------------------------------------------------------------------


# Straight to the driver, one statement text per chunk size: SQLAlchemy's expanding IN (compiled again for each
# list, its literal marks rendered per id) was about a third of scope's time for a batch of 500 edits.
_KINDS = "SELECT record_id, kind FROM record_kind WHERE record_id IN ({marks})"
_CREATORS = "SELECT record_id, device_id FROM record_version WHERE server_version = 1 AND record_id IN ({marks})"
IN_CHUNK = 500


def _by_id(conn: Connection, statement: str, record_ids: list[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    for start in range(0, len(record_ids), IN_CHUNK):
        chunk = tuple(record_ids[start:start + IN_CHUNK])
        found.update((r[0], r[1]) for r in conn.exec_driver_sql(
            statement.format(marks=", ".join([mark] * len(chunk))), chunk))
    return found


def _kinds(conn: Connection, record_ids: list[str]) -> dict[str, str]:
    return _by_id(conn, _KINDS, record_ids)


def _creators(conn: Connection, record_ids: list[str]) -> dict[str, str | None]:
    return _by_id(conn, _CREATORS, record_ids)


def refusals(conn: Connection, device_id: str, centre_id: str, ops: Sequence[Any],
             existing: dict[str, dict[str, Any]]) -> dict[int, refusal_words.Refused]:
    """device_seq -> why the op is outside the device's rights (sentence, code and values), for the ops of a batch
    (`existing`: the records the batch touches as push.py locked them)."""
    actor = actor_of(conn, device_id, centre_id)
    # Only records the server already holds can have a stored kind or a creator: a batch of new registrations
    # asks nothing more here.
    ids = sorted({op.record_id for op in ops if (r := existing.get(op.record_id)) is not None and not r.get("new")})
    kinds, creators = _kinds(conn, ids), _creators(conn, ids)
    region_cache: dict[str, str] = {centre_id: actor.region or centre_id}
    refused: dict[int, refusal_words.Refused] = {}
    created_here: set[str] = set()
    decisions: dict[tuple[str, str, RecordFacts | None], policy.Decision] = {}
    for op in ops:
        record = existing.get(op.record_id)
        is_new = (record is None or record.get("new")) and op.record_id not in created_here
        stored_kind = kinds.get(op.record_id) or (
            policy.CASE if record and record.get("values", {}).get(KIND_FIELD) == policy.CASE else None)
        said_kind = policy.CASE if (op.fields or {}).get(KIND_FIELD) == policy.CASE else policy.REGISTRATION
        kind = stored_kind or said_kind
        if is_new:
            action: policy.Action = "create"
            facts = None
        else:
            action = "delete" if op.op == "delete" else "edit"
            owner = device_id if op.record_id in created_here else creators.get(op.record_id)
            where = record["centre_id"] if record and not record.get("new") else centre_id
            if where not in region_cache:
                region_cache[where] = region_of(conn, where)
            facts = RecordFacts(kind=kind, owner=owner, centre=where, region=region_cache[where])
        # A decision depends on nothing else: a batch's ops mostly share a few, taken once each.
        asked = (action, kind, facts)
        decision = decisions.get(asked)
        if decision is None:
            decision = decisions[asked] = policy.decide(actor, action, policy.subject_of(kind), facts)
        if not decision.allowed:
            refused[op.device_seq] = refusal_words.refused_by_policy(
                decision.reason, roles=actor.roles, action=action, subject=policy.subject_of(kind),
                scope=decision.scope)
        elif is_new:
            created_here.add(op.record_id)
    return refused


def note_kinds(conn: Connection, ops: Sequence[Any], applied: set[int]) -> None:
    """Records that became cases with this batch (kept a case for good)."""
    cases = sorted({op.record_id for op in ops if op.device_seq in applied
                    and (op.fields or {}).get(KIND_FIELD) == policy.CASE})
    known = _kinds(conn, cases)
    for record_id in cases:
        if record_id not in known:
            conn.execute(text("INSERT INTO record_kind (record_id, kind) VALUES (:r, 'case')"), {"r": record_id})


# --- bulk deletion: alarm and undo ----------------------------------------------------------------------------------


def check_bulk_deletion(conn: Connection, device_id: str, centre_id: str, deleted: list[str]) -> str | None:
    """An alarm when one batch deleted many records; its id, or None."""
    if len(deleted) < BULK_DELETE_THRESHOLD:
        return None
    alarm_id = str(uuid.uuid4())
    conn.execute(text("INSERT INTO deletion_alarm (id, device_id, centre_id, raised_at, count, record_ids) VALUES "
                      "(:i, :d, :c, :t, :n, :r)"),
                 {"i": alarm_id, "d": device_id, "c": centre_id, "t": utcnow(), "n": len(deleted),
                  "r": json.dumps(sorted(deleted))})
    audit.record_in(conn, "alarm.bulk_deletion", outcome="done",
                    detail=f"alarm {alarm_id}: device {device_id} deleted {len(deleted)} records in one batch")
    return alarm_id


def list_alarms(db: Database, *, open_only: bool = True) -> list[dict[str, Any]]:
    with db.read_engine.connect() as conn:
        rows = conn.execute(text("SELECT id, device_id, centre_id, raised_at, count, undone_at, undone_by FROM "
                                 "deletion_alarm" + (" WHERE undone_at IS NULL" if open_only else "") +
                                 " ORDER BY raised_at")).all()
    return [dict(r._mapping) for r in rows]


def undo_deletion(db: Database, key: DataKey, alarm_id: str, *, by: str) -> int:
    """Bring back every record the alarm names that is still deleted: a new version with its last content before the
    deletion, in the change feed (every device of the centre receives it). Returns how many came back."""
    restored = 0
    with db.write_engine.begin() as conn:
        alarm = conn.execute(text("SELECT record_ids, centre_id, undone_at FROM deletion_alarm WHERE id = :i"),
                             {"i": alarm_id}).first()
        if alarm is None:
            raise ScopeError(f"no alarm {alarm_id}")
        if alarm.undone_at is not None:
            raise ScopeError(f"alarm {alarm_id} was already undone")
        feed = []
        now = utcnow()
        for record_id in json.loads(alarm.record_ids):
            row = conn.execute(text("SELECT server_version, deleted, hlc, centre_id, state FROM record WHERE id = :r"),
                               {"r": record_id}).first()
            if row is None or not row.deleted:
                continue
            before = conn.execute(text("SELECT server_version, state FROM record_version WHERE record_id = :r AND "
                                       "deleted = :f AND server_version < :v ORDER BY server_version DESC LIMIT 1"),
                                  {"r": record_id, "f": False, "v": row.server_version}).first()
            if before is None:
                continue
            values = history.version_values(conn, key, record_id, before.server_version, before.state)
            values.pop(DELETED, None)
            version, hlc = row.server_version + 1, max(int(row.hlc) + 1, now_ms())
            state_json = canonical_json(values).decode()
            digest = PublicView.of(values).hash
            form_id, form_version = split_form(values)
            # the deleted version's state leaves `record`: kept in this row for that version (history.py)
            deleted_state = key.seal(key.open(row.state, aad("record", record_id, row.server_version)),
                                     aad("record_version", record_id, row.server_version))
            conn.execute(text("INSERT INTO record_version (record_id, server_version, device_id, device_seq, form_id, "
                              "form_version, deleted, state, changed, hlc, created_at, hash, previous_state) VALUES "
                              "(:r, :v, NULL, NULL, :f, :fv, :d, :s, :c, :h, :t, :hash, :p)"),
                         {"r": record_id, "v": version, "f": form_id, "fv": form_version, "d": False, "p": deleted_state,
                          "s": seal_text(key, state_json, table="record_version", row_id=record_id, version=version),
                          "c": canonical_json(sorted(values)).decode(), "h": hlc, "t": now, "hash": digest})
            conn.execute(text("UPDATE record SET server_version = :v, deleted = :d, state = :s, updated_at = :t, "
                              "hash = :hash, hlc = :h, origin_device_id = NULL WHERE id = :r"),
                         {"r": record_id, "v": version, "d": False, "t": now, "hash": digest, "h": hlc,
                          "s": seal_text(key, state_json, table="record", row_id=record_id, version=version)})
            feed.append({"record_id": record_id, "server_version": version, "centre_id": row.centre_id})
            restored += 1
        conn.execute(text("UPDATE deletion_alarm SET undone_at = :t, undone_by = :b WHERE id = :i"),
                     {"t": now, "b": by, "i": alarm_id})
        if feed:
            last = conn.execute(text("UPDATE change_counter SET last_seq = last_seq + :n WHERE id = 1 "
                                     "RETURNING last_seq"), {"n": len(feed)}).scalar_one()
            first = last - len(feed) + 1
            conn.execute(text("INSERT INTO change (seq, record_id, server_version, centre_id) VALUES "
                              "(:seq, :record_id, :server_version, :centre_id)"),
                         [{"seq": first + i, **row} for i, row in enumerate(feed)])
        audit.record_in(conn, "alarm.undone", actor=by, detail=f"alarm {alarm_id}: {restored} records restored")
    return restored
