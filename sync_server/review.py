"""The server's conflicts on a coordinator's review desk (issue 10): `GET /v2/conflicts` lists them, and a push
closes one when its decision arrives.

A conflict opens in a push (push.py, merge.py) when an op changes a field another device changed since the op's base:
the higher (hlc, device) wins and the server makes version V of the record; the row keeps the record before the op
(`server_state`), the op (`device_op`) and who won each field (`winner`). For the desk that becomes two sides:

- `server`: version V, the deterministic winner, as every device has pulled it;
- `lost`: V with each contested field set to the value that lost: the op's value where the server's won, the value
  before the op where the op won (made by the device whose version last set that field before V).

Who may list: a device whose people may `review` registrations (coordinators: their region; the same policy table
as the device, with the device as the actor, scope.py). A device without the right is refused (403 not_allowed);
conflicts of centres outside its review scope are never listed, nor cases when its people may not review cases.
Pages are bounded in count and bytes like pulls (one conflict always fits).

Closing: in the push transaction (`close_decided`), an applied op on a record with an open conflict, from a device
whose people may review that record's centre, made on V or a later version (its base found by hash), is the
decision: the conflict is closed with that device and the version the op made (migration 0011), and the server's
audit chain records it. A field laptop's later edit does not close it. The decision itself is an ordinary change
that every device pulls.

Telling the device whose op opened it (`decided_for`): a pull page asked with `decisions=1` names, beside a change
of the record, the conflicts opened on that device's ops that a decision closed, so the device closes its own row.

Logs carry ids and counts only; values are opened in memory with the data key and never logged.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, DateTime, bindparam, text

from waypoint_core.access import policy
from waypoint_core.protocol import PROTOCOL_VERSION, Op
from waypoint_core.protocol.review_messages import (
    ConflictCursor, ConflictPage, ConflictSide, ConflictState, ServerConflict,
)

from . import audit, history, scope
from .atrest import DataKey, open_text
from .db import Database, utcnow
from .errors import ProtocolError
from .merge import DELETED, PublicView, op_patch

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
IN_CHUNK = 500


# --- who may review which centres -----------------------------------------------------------------------------------


def review_reach(conn: Connection, device_id: str, centre_id: str) -> tuple[list[str] | None, bool]:
    """(the centres whose conflicts the device's people may review, None for all; whether cases are included).
    403 when they may not review at all."""
    actor = scope.actor_of(conn, device_id, centre_id)
    wanted = policy.widest_scope(actor, "review", policy.REGISTRATION)
    if wanted is None:
        raise ProtocolError(403, "not_allowed", "this device's people may not review conflicts")
    cases = policy.widest_scope(actor, "review", policy.CASE) is not None and scope.may_receive_cases(
        conn, device_id, centre_id)
    if wanted == "all":
        return None, cases
    return (scope.centres_of_region(conn, centre_id) if wanted == "region" else [centre_id]), cases


# --- the page -------------------------------------------------------------------------------------------------------


def _cursor(opened_at: Any, conflict_id: str) -> str:
    when = _aware(opened_at)
    micros = (when - _EPOCH) // _MICRO
    return f"{micros}.{conflict_id}"


_MICRO = datetime(1970, 1, 1, 0, 0, 0, 1, tzinfo=UTC) - _EPOCH


def _aware(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _parse_cursor(after: str) -> tuple[datetime, str] | None:
    if not after:
        return None
    micros, _, conflict_id = after.partition(".")
    return _EPOCH + int(micros) * _MICRO, conflict_id


def _state(values: dict[str, Any]) -> ConflictState:
    view = PublicView.of(values)
    return ConflictState(form_id=view.form_id, form_version=view.form_version, deleted=view.deleted,
                         fields=view.fields, content=view.content)


def _version_of(conn: Connection, key: DataKey, record_id: str, *, version: int | None = None,
                device_id: str | None = None, device_seq: int | None = None) -> Any:
    if version is not None:
        row = conn.execute(text("SELECT server_version, state, hash, device_id, hlc FROM record_version "
                                "WHERE record_id = :r AND server_version = :v"), {"r": record_id, "v": version}).first()
    else:
        row = conn.execute(text("SELECT server_version, state, hash, device_id, hlc FROM record_version "
                                "WHERE record_id = :r AND device_id = :d AND device_seq = :s"),
                           {"r": record_id, "d": device_id, "s": device_seq}).first()
    if row is None:
        return None
    values = history.version_values(conn, key, record_id, row.server_version, row.state)
    return row, values


def _last_setter(conn: Connection, record_id: str, field: str, before: int) -> tuple[str | None, int]:
    """The device (and hlc) of the latest version before `before` whose op set `field`."""
    rows = conn.execute(text("SELECT device_id, hlc, changed FROM record_version WHERE record_id = :r AND "
                             "server_version < :v ORDER BY server_version DESC"), {"r": record_id, "v": before})
    for row in rows:
        if field in json.loads(row.changed):
            return row.device_id, int(row.hlc or 0)
    return None, 0


def _conflict(conn: Connection, key: DataKey, row: Any, names: dict[str, str]) -> ServerConflict | None:
    op = Op.model_validate_json(open_text(key, row.device_op, table="conflict.device_op", row_id=row.id))
    before = json.loads(open_text(key, row.server_state, table="conflict.server_state", row_id=row.id))
    made = _version_of(conn, key, row.record_id, device_id=row.device_id, device_seq=row.device_seq)
    if made is None:
        return None  # the version is gone (a restore): nothing to decide on
    version, server_values = made
    winner: dict[str, str] = json.loads(row.winner)
    patch = op_patch(op)
    lost_values = dict(server_values)
    op_lost = any(who == "server" for who in winner.values())
    for field, who in winner.items():
        value = patch.get(field, server_values.get(field)) if who == "server" else before.get(field)
        if value is None:
            lost_values.pop(field, None)
        else:
            lost_values[field] = value
    if op_lost:
        lost_device, lost_hlc = row.device_id, op.hlc
    else:
        lost_device, lost_hlc = _last_setter(conn, row.record_id, sorted(winner)[0], version.server_version)
    base_state, base_version = None, None
    if op.base_hash is not None and op.base_version:
        found = conn.execute(text("SELECT MAX(server_version) FROM record_version WHERE record_id = :r AND "
                                  "hash = :h"), {"r": row.record_id, "h": op.base_hash}).scalar_one_or_none()
        base = _version_of(conn, key, row.record_id, version=found) if found else None
        if base is not None:
            base_version, base_state = base[0].server_version, _state(base[1])
    lost_values.setdefault(DELETED, False)
    return ServerConflict(
        conflict_id=row.id, record_id=row.record_id, centre_id=row.centre_id,
        opened_at=_aware(row.opened_at).isoformat(timespec="seconds"), fields=sorted(winner),
        lost=ConflictSide(state=_state(lost_values), device_id=lost_device,
                          device_name=names.get(lost_device or "", ""), hlc=lost_hlc),
        server=ConflictSide(state=_state(server_values), device_id=version.device_id,
                            device_name=names.get(version.device_id or "", ""), hlc=int(version.hlc or 0),
                            server_version=version.server_version, version_hash=version.hash),
        base=base_state, base_version=base_version)


_PAGE = ("SELECT id, record_id, centre_id, opened_at, server_state, device_op, winner, device_id, device_seq "
         "FROM conflict WHERE resolved_at IS NULL")


def conflict_page(db: Database, key: DataKey, device_id: str, centre_id: str, *, after: ConflictCursor, limit: int,
                  page_bytes: int) -> tuple[bytes, int]:
    """(the canonical JSON of one ConflictPage, how many conflicts it holds)."""
    try:
        start = _parse_cursor(after)
    except ValueError:
        raise ProtocolError(422, "malformed", "after is the next_cursor of the previous page, or empty") from None
    with db.read_engine.connect() as conn:
        centres, cases = review_reach(conn, device_id, centre_id)
        where, params = _PAGE, dict[str, Any]({"n": limit + 1})
        if centres is not None:
            where += " AND centre_id IN :centres"
            params["centres"] = centres
        if not cases:
            where += " AND record_id NOT IN (SELECT record_id FROM record_kind WHERE kind = :case)"
            params["case"] = policy.CASE
        if start is not None:
            where += " AND (opened_at > :t OR (opened_at = :t AND id > :i))"
            params.update(t=start[0], i=start[1])
        statement = text(where + " ORDER BY opened_at, id LIMIT :n")
        if centres is not None:
            statement = statement.bindparams(bindparam("centres", expanding=True))
        if start is not None:  # stored as the table's DateTime column stores it (SQLite: text without a zone)
            statement = statement.bindparams(bindparam("t", type_=DateTime(timezone=True)))
        rows = conn.execute(statement, params).all()
        names: dict[str, str] = dict(conn.execute(text("SELECT id, name FROM device")).tuples().all()) if rows else {}
        chosen: list[ServerConflict] = []
        used, last = 0, None
        for row in rows[:limit]:
            item = _conflict(conn, key, row, names)
            size = len(item.canonical()) if item is not None else 0
            if chosen and used + size > page_bytes:
                break
            last = row
            if item is not None:
                chosen.append(item)
                used += size
        has_more = last is not rows[-1] if rows else False
    next_cursor = _cursor(last.opened_at, last.id) if last is not None else after
    page = ConflictPage(protocol_version=PROTOCOL_VERSION, conflicts=chosen, next_cursor=next_cursor,
                        has_more=has_more)
    return page.canonical(), len(chosen)


# --- closing on a decision ------------------------------------------------------------------------------------------


def close_decided(conn: Connection, device_id: str, centre_id: str, ops: list[Op], results: list[dict[str, Any]]
                  ) -> int:
    """Inside the push transaction: close the open conflicts these ops decide (see the module's docstring).
    Returns how many closed. A batch touching no record with an open conflict costs one indexed read per 500
    records."""
    applied = {r["device_seq"]: r for r in results if r["status"] != "rejected"}
    by_record = {op.record_id: op for op in ops if op.device_seq in applied}
    if not by_record:
        return 0
    ids = sorted(by_record)
    open_rows: list[Any] = []
    # Straight to the driver (as push.py reads the locked rows): SQLAlchemy's expanding IN, compiled again for each
    # list, cost more than the indexed read itself.
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    for start in range(0, len(ids), IN_CHUNK):
        chunk = tuple(ids[start:start + IN_CHUNK])
        open_rows += conn.exec_driver_sql(
            "SELECT c.id, c.record_id, c.centre_id, v.server_version FROM conflict c LEFT JOIN record_version v ON "
            "v.record_id = c.record_id AND v.device_id = c.device_id AND v.device_seq = c.device_seq WHERE "
            f"c.resolved_at IS NULL AND c.record_id IN ({', '.join([mark] * len(chunk))})", chunk).all()
    if not open_rows:
        return 0
    try:
        centres, _cases = review_reach(conn, device_id, centre_id)
    except ProtocolError:
        return 0  # field laptops never decide a conflict by editing the record
    closed, now = 0, utcnow()
    for row in open_rows:
        if row.server_version is None or (centres is not None and row.centre_id not in centres):
            continue
        op = by_record[row.record_id]
        if op.base_hash is None:
            continue
        base = conn.execute(text("SELECT MAX(server_version) FROM record_version WHERE record_id = :r AND hash = :h"),
                            {"r": row.record_id, "h": op.base_hash}).scalar_one_or_none()
        if base is None or base < row.server_version:
            continue
        made = applied[op.device_seq]["server_version"]
        conn.execute(text("UPDATE conflict SET resolved_at = :t, resolved_by = :d, resolved_version = :v "
                          "WHERE id = :i AND resolved_at IS NULL"), {"t": now, "d": device_id, "v": made, "i": row.id})
        audit.record_in(conn, "conflict.resolved", actor=f"device {device_id}", record_id=row.record_id,
                        detail=f"conflict {row.id}: decided on version {base}, new version {made}")
        closed += 1
    return closed


# --- telling the device whose op opened it ---------------------------------------------------------------------------


def decided_for(conn: Connection, device_id: str, versions: dict[str, int]) -> list[dict[str, Any]]:
    """For a pull page (`versions`: record id -> the version the page carries): the conflicts opened on this
    device's ops that a reviewer's decision closed at or before that version (closed on the command line: no
    decided version, left out). The device closes its own row for each (desktop_app/sync/store.py); carried again
    with each later change of the record, which the device ignores once closed. One indexed read per 500 records."""
    if not versions:
        return []
    statement = text("SELECT c.id, c.record_id, c.resolved_version, c.resolved_by, d.name FROM conflict c "
                     "LEFT JOIN device d ON d.id = c.resolved_by WHERE c.device_id = :me AND c.record_id IN :ids "
                     "AND c.resolved_version IS NOT NULL").bindparams(bindparam("ids", expanding=True))
    ids = sorted(versions)
    found: list[dict[str, Any]] = []
    for start in range(0, len(ids), IN_CHUNK):
        for row in conn.execute(statement, {"me": device_id, "ids": ids[start:start + IN_CHUNK]}):
            if int(row.resolved_version) <= versions[row.record_id]:
                found.append({"conflict_id": row.id, "record_id": row.record_id,
                              "server_version": int(row.resolved_version), "decided_by": row.resolved_by or "",
                              "decided_by_name": row.name or ""})
    return sorted(found, key=lambda d: (d["record_id"], d["conflict_id"]))


__all__ = ["close_decided", "conflict_page", "decided_for", "review_reach"]
