"""Pull: the latest version of each record of the device's centre (its region's: scope.reach) changed since a
cursor, in commit order (push.py), bounded by a count and a byte budget; and reconciliation, which tells a device
which of its versions the server still holds after a restore.

A cursor is "<epoch>.<seq>". A cursor of another epoch is refused with `epoch_changed`; a cursor beyond what this
database ever served the device is refused with `cursor_ahead` (the database lost changes the device has seen: it was
restored). Before a page is answered, the device's served cursor moves to its end, in its own transaction.

Rows are read through a streaming cursor in small chunks and serialised one by one; the page stops at the byte
budget (one change always fits, so a record larger than the budget still travels, alone). A change superseded by a
later version of the same record is skipped: the later one is further on in the feed.

The echo (`own`): after a push, a device's pull would bring back every version its own ops just made, each a no-op
there. A device may name the device_seqs it has just had acknowledged (`own=FROM-TO`, signed with the request); the
page then leaves out a change only if the record's latest version is one an op of this device in that range made and
the server applied as sent (op_result status `applied`, same version): the device holds exactly that version from
the acknowledgement. A merged or contested version, anything another device made since, and every op outside the
range (a device restored from an older backup names only what it had acknowledged in this run) still travel. The
page says the range back (`PullPage.own`); when the page reaches the end of the feed its cursor moves past the changes
left out (the feed's end read first, so a change committed meanwhile is never passed over: feed order is commit order,
push.py). A device can leave out only its own ops, from its own pages.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, exists, func, select, update

from waypoint_core.protocol import (
    PROTOCOL_VERSION, ReconcileRequest, ReconcileResponse, RecordHeld, format_cursor, parse_cursor,
)

from . import epochs, fastjson, forget, logs, review, scope
from .atrest import DataKey, aad
from .auth import AuthenticatedDevice
from .db import Database
from .errors import ProtocolError
from .merge import PublicView
from .tables import Centre, ChangeRow, Device, OpResultRow, Record, RecordVersion

FETCH_CHUNK = 50


def _check_cursor(conn: Any, device: AuthenticatedDevice, cursor: str) -> tuple[str, int]:
    epoch = epochs.current(conn)
    try:
        parsed = parse_cursor(cursor)
    except ValueError:
        raise ProtocolError(422, "malformed", "a cursor is '<epoch>.<seq>' or empty") from None
    if parsed is None:
        return epoch, 0
    if parsed[0] != epoch:
        raise ProtocolError(409, "epoch_changed", "the server's database was restored from a backup since this "
                            "device last pulled: reconcile (send what the server lost, pull again from the start)",
                            epoch=epoch)
    if parsed[1] > device.served_cursor:
        raise ProtocolError(409, "cursor_ahead", "this device has seen changes the server no longer holds (its "
                            "database was restored from a backup): reconcile", epoch=epoch)
    return epoch, parsed[1]


def pull_page(db: Database, *, device: AuthenticatedDevice, cursor: str, limit: int, page_bytes: int,
              key: DataKey, forms: Callable[[Any], list[dict[str, Any]]] | None = None, decisions: bool = False,
              own: tuple[int, int] | None = None, centres: bool = False) -> bytes:
    """The signed-to-be body of one PullPage (JSON), built change by change within the budget. `forms(conn)` (the
    published form list, when the device asked for it with the page, read on the page's connection) travels in the
    page's head; with `decisions`,
    so do the conflicts on this device's ops decided for the page's records (review.decided_for); `own`: the
    device_seqs whose versions, applied as sent, the page leaves out (the echo, above); `centres`: each change names
    its record's centre (`Change.centre_id`, `centre_name`), which the device stores when the content names none."""
    parts: list[bytes] = []
    has_more = False
    versions: dict[str, int] = {}
    decided: list[dict[str, Any]] | None = None
    published: list[dict[str, Any]] | None = None
    with db.read_engine.connect() as conn:
        if forms is not None:
            published = forms(conn)
        epoch, since = _check_cursor(conn, device, cursor)
        next_seq = since
        # Nothing in the whole feed after the cursor (a sync with nothing to do): no scope to read, no page to build.
        # The feed's end is its primary key's last entry; what commits after this read comes in the next pull.
        if _feed_end(conn) > since:
            ct = Centre.__table__
            names = dict(conn.execute(select(ct.c.id, ct.c.name)).tuples().all()) if centres else None
            next_seq, has_more = _changes(conn, device, since, limit, page_bytes, key, own, parts,
                                          versions if decisions else None, names)
        if decisions:
            decided = review.decided_for(conn, device.id, versions)
    if next_seq > device.served_cursor or since > device.acked_seq:
        with db.write_engine.begin() as conn:
            if next_seq > device.served_cursor:
                # Written before the answer leaves: what the server records as served can only be ahead of the device.
                conn.execute(update(Device).where(Device.id == device.id, Device.served_cursor < next_seq)
                             .values(served_cursor=next_seq))
            if since > device.acked_seq and forget.acknowledge(conn, device.id, since):
                # The device stored everything up to `since`: deletions every device has now seen are forgotten.
                purged = forget.purge_acknowledged(conn, device.centre_id, key)
                if purged:
                    logs.log_event("forgotten", centre_id=device.centre_id, records=len(purged))
    head = json.dumps({"protocol_version": PROTOCOL_VERSION, "epoch": epoch, "since": cursor,
                       "next_cursor": format_cursor(epoch, next_seq), "has_more": has_more,
                       **({} if published is None else {"forms": published}),
                       **({} if decided is None else {"decided": decided}),
                       **({} if own is None else {"own": f"{own[0]}-{own[1]}"})},
                      separators=(",", ":"), ensure_ascii=False)
    return head[:-1].encode() + b',"changes":[' + b",".join(parts) + b"]}"


def _feed_end(conn: Any) -> int:
    return conn.exec_driver_sql("SELECT MAX(seq) FROM change").scalar() or 0


def _changes(conn: Any, device: AuthenticatedDevice, since: int, limit: int, page_bytes: int,
             key: DataKey, own: tuple[int, int] | None, parts: list[bytes], versions: dict[str, int] | None,
             centres: dict[str, str] | None = None) -> tuple[int, bool]:
    """The page's changes after `since` into `parts` (each record's version into `versions`, if given; each record's
    centre named from `centres`, centre id -> name, if given): (where the page ends, whether more follow)."""
    c, r = ChangeRow.__table__, Record.__table__
    query = (
        select(c.c.seq, r.c.id, r.c.server_version, r.c.hash, r.c.state, r.c.hlc, r.c.origin_device_id, r.c.centre_id)
        .select_from(c.join(r, and_(r.c.id == c.c.record_id, r.c.server_version == c.c.server_version)))
        .order_by(c.c.seq)
    )
    # its centre's records, or its region's for a coordinator's device (scope.reach); its people once for both
    actor = scope.actor_of(conn, device.id, device.centre_id)
    reach = scope.reach(conn, device.id, device.centre_id, actor=actor)
    query = query.where(c.c.centre_id.in_(reach))
    if not scope.may_receive_cases(conn, device.id, device.centre_id, actor=actor):
        # a device whose people may not view cases never receives one (scope.py)
        query = query.where(r.c.id.not_in(scope.case_ids()))
    next_seq, has_more, size = since, False, 0
    end = None
    if own is not None:
        # Where the feed ends now (read before the page: what commits meanwhile comes after it), so a page that
        # reaches the end can move its cursor past the changes it leaves out.
        end = conn.execute(select(func.max(c.c.seq)).where(c.c.centre_id.in_(reach), c.c.seq > since)
                           ).scalar_one_or_none()
        query = query.where(c.c.seq <= (end or since), ~exists(_own_version(r, device.id, own)))
    rows = conn.execution_options(stream_results=True, yield_per=FETCH_CHUNK).execute(
        query.where(c.c.seq > since).limit(limit + 1))
    for row in rows:
        if len(parts) == limit:
            has_more = True
            break
        encoded = _change_json(row, key, centres)
        if parts and size + len(encoded) > page_bytes:
            has_more = True
            break
        parts.append(encoded)
        size += len(encoded) + 1
        next_seq = row.seq
        if versions is not None:
            versions[row.id] = row.server_version
    rows.close()
    if end is not None and not has_more:
        next_seq = end  # the page reached the end of the feed: past what it left out too
    return next_seq, has_more


def _own_version(r: Any, device_id: str, own: tuple[int, int]) -> Any:
    """The record's latest version was made by an op of this device in `own` and applied as sent (correlated with
    the page's `record` row; two primary-key lookups: record_version, then op_result by (device_id, device_seq))."""
    v, o = RecordVersion.__table__, OpResultRow.__table__
    return (select(1).select_from(v.join(o, and_(o.c.device_id == v.c.device_id, o.c.device_seq == v.c.device_seq)))
            .where(v.c.record_id == r.c.id, v.c.server_version == r.c.server_version, v.c.device_id == device_id,
                   v.c.device_seq.between(own[0], own[1]), o.c.status == "applied",
                   o.c.server_version == r.c.server_version)
            .correlate(r))


def _change_json(row: Any, key: DataKey, centres: dict[str, str] | None = None) -> bytes:
    values = fastjson.loads(key.open(row.state, aad("record", row.id, row.server_version)))
    view = PublicView.of(values)
    change = {"seq": row.seq, "record_id": row.id, "server_version": row.server_version,
              "version_hash": row.hash, "deleted": view.deleted, "form_id": view.form_id,
              "form_version": view.form_version, "fields": view.fields, "content": view.content,
              "hlc": row.hlc, "origin_device_id": row.origin_device_id}
    if centres is not None:  # the record's own centre (it keeps the one it was made in), not the asking device's
        change.update(centre_id=row.centre_id, centre_name=centres.get(row.centre_id))
    return fastjson.dumps(change)


def reconcile(db: Database, *, device: AuthenticatedDevice, request: ReconcileRequest) -> ReconcileResponse:
    """For each record the device knows: the newest of its versions this server holds, and the current one.
    Records of other centres answer as unknown (a device learns nothing about them)."""
    ids = [known.record_id for known in request.records]
    v, r = RecordVersion.__table__, Record.__table__
    with db.read_engine.connect() as conn:
        epoch = epochs.current(conn)
        reach = scope.reach(conn, device.id, device.centre_id)
        current = {row.id: (row.server_version, row.hash) for row in conn.execute(
            select(r.c.id, r.c.server_version, r.c.hash).where(r.c.id.in_(ids), r.c.centre_id.in_(reach)))}
        held: dict[str, dict[str, int]] = {}
        for row in conn.execute(select(v.c.record_id, v.c.hash, v.c.server_version).where(
                v.c.record_id.in_(list(current)))):
            versions = held.setdefault(row.record_id, {})
            versions[row.hash] = max(versions.get(row.hash, 0), row.server_version)
    answers = []
    for known in request.records:
        versions = held.get(known.record_id, {})
        newest = next((h for h in known.hashes if h in versions), None)
        now = current.get(known.record_id)
        answers.append(RecordHeld(record_id=known.record_id, held_version=versions[newest] if newest else None,
                                  held_hash=newest, current_version=now[0] if now else None,
                                  current_hash=now[1] if now else None))
    return ReconcileResponse(protocol_version=PROTOCOL_VERSION, epoch=epoch, records=answers)
