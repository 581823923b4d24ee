"""Remote lock and wipe (issue 11 point 6). A coordinator marks a device lost (`admin mark-lost DEVICE --lock|--wipe`);
the order is signed by the server's key over the device, the order and its time. From then on the device's every
request except `GET /v2/order` and `POST /v2/order/done` is refused with 409 `device_order`, so the device carries
the order out before anything else (desktop_app/sync/orders.py) and reports it. A wipe reported, the device is
revoked at once: its key opens nothing any more. Each step goes into the server's audit chain.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, text

from waypoint_core.protocol import PROTOCOL_VERSION
from waypoint_core.protocol.order_messages import (
    DOMAIN_ORDER, ORDERS, DeviceInfo, DeviceList, DeviceOrder, DeviceOrderRequest, OrderReport, order_bytes,
)

from . import audit, device_journal
from .db import Database, utcnow
from .errors import ProtocolError
from .keys import ServerKeyring

ORDER_PATHS = ("/v2/order", "/v2/order/done")


class OrderError(Exception):
    """An administrator's order that cannot be given (unknown device, unknown order)."""


def mark_lost(db: Database, keyring: ServerKeyring, device_id: str, order: str, *, by: str) -> str:
    if order not in ORDERS:
        raise OrderError(f"the order is one of {', '.join(ORDERS)}")
    issued_at = datetime.now(UTC).isoformat(timespec="seconds")
    order_id = str(uuid.uuid4())
    signature = keyring.signing.sign(DOMAIN_ORDER, order_bytes(device_id=device_id, order=order, order_id=order_id,
                                                               issued_at=issued_at))
    with db.write_engine.begin() as conn:
        if conn.execute(text("SELECT id FROM device WHERE id = :d"), {"d": device_id}).first() is None:
            raise OrderError(f"no device {device_id}")
        conn.execute(text("UPDATE device_order SET done = 'replaced', done_at = :t WHERE device_id = :d AND "
                          "done_at IS NULL"), {"d": device_id, "t": utcnow()})
        conn.execute(text("INSERT INTO device_order (id, device_id, order_kind, issued_at, issued_by, signature) "
                          "VALUES (:i, :d, :o, :a, :b, :s)"),
                     {"i": order_id, "d": device_id, "o": order, "a": issued_at, "b": by, "s": signature})
        device_journal.note(db, "order", order_id=order_id, device_id=device_id, order=order, issued_at=issued_at,
                            issued_by=by, signature=signature)
        audit.record_in(conn, "device.marked_lost", actor=by, detail=f"device {device_id}: {order} ({order_id})")
    return order_id


def _pending(conn: Connection, device_id: str) -> Any:
    return conn.execute(text("SELECT id, order_kind, issued_at, signature FROM device_order WHERE device_id = :d AND "
                             "done_at IS NULL ORDER BY issued_at DESC LIMIT 1"), {"d": device_id}).first()


def refuse_if_ordered(conn: Connection, device_id: str, path: str) -> None:
    """Every request but the order's own two waits until the device carried the order out. On the connection that
    authenticated the request (auth.authenticate's `then`)."""
    if path in ORDER_PATHS:
        return
    if _pending(conn, device_id) is not None:
        raise ProtocolError(409, "device_order", "a coordinator gave this device an order: ask for it "
                                                 "(GET /v2/order) and carry it out first")


def current(db: Database, device_id: str) -> DeviceOrder:
    with db.read_engine.connect() as conn:
        pending = _pending(conn, device_id)
    if pending is None:
        return DeviceOrder(protocol_version=PROTOCOL_VERSION, device_id=device_id, order="none")
    return DeviceOrder(protocol_version=PROTOCOL_VERSION, device_id=device_id, order=pending.order_kind,
                       order_id=pending.id, issued_at=pending.issued_at, signature=pending.signature)


def report(db: Database, device_id: str, done: OrderReport) -> DeviceOrder:
    """The device carried the order out: noted, and after a wipe the device is revoked at once."""
    with db.write_engine.begin() as conn:
        row = conn.execute(text("SELECT order_kind FROM device_order WHERE id = :i AND device_id = :d AND "
                                "done_at IS NULL"), {"i": done.order_id, "d": device_id}).first()
        if row is None:
            raise ProtocolError(409, "no_such_order", "no pending order with this id for this device")
        expected = "wiped" if row.order_kind == "wipe" else "locked"
        if done.done != expected:
            raise ProtocolError(409, "wrong_report", f"the order was to {row.order_kind}")
        now = utcnow()
        conn.execute(text("UPDATE device_order SET done_at = :t, done = :k WHERE id = :i"),
                     {"t": now, "k": done.done, "i": done.order_id})
        device_journal.note(db, "order_done", order_id=done.order_id, done=done.done)
        if row.order_kind == "wipe":
            conn.execute(text("UPDATE device SET revoked_at = :t WHERE id = :d AND revoked_at IS NULL"),
                         {"t": now, "d": device_id})
            device_journal.note(db, "revoked", device_id=device_id)
        audit.record_in(conn, f"device.{done.done}", actor=f"device {device_id}",
                        detail=f"order {done.order_id} carried out" + ("; device revoked" if expected == "wiped"
                                                                          else ""))
    return DeviceOrder(protocol_version=PROTOCOL_VERSION, device_id=device_id, order="none")


def list_orders(db: Database) -> list[dict[str, Any]]:
    with db.read_engine.connect() as conn:
        rows = conn.execute(text("SELECT id, device_id, order_kind, issued_at, issued_by, done_at, done FROM "
                                 "device_order ORDER BY issued_at")).all()
    return [dict(r._mapping) for r in rows]


# --- from the app: a coordinator's laptop lists the devices of the centres it manages and marks one lost -----------


def device_list(db: Database, device_id: str, centre_id: str) -> DeviceList:
    """The devices of every centre the laptop's people manage (coordination.py: its centre, or its region)."""
    from . import coordination, scope
    from . import forks as vault_forks

    with db.read_engine.connect() as conn:
        centres = {c.centre_id: c.name for c in coordination.centres_in_scope(conn, device_id, centre_id)}
        marks = ", ".join(f":c{i}" for i in range(len(centres)))
        rows = conn.execute(text(f"SELECT id, name, centre_id, enrolled_at, revoked_at, forks FROM device "
                                 f"WHERE centre_id IN ({marks}) ORDER BY name, id"),
                            {f"c{i}": c for i, c in enumerate(centres)}).all()
        forked = audit.fork_counts(conn, list(centres))
        devices = []
        for row in rows:
            pending = _pending(conn, row.id)
            forks, last = forked.get(row.id, (0, None))
            devices.append(DeviceInfo(device_id=row.id, name=row.name, enrolled_at=str(row.enrolled_at)[:19],
                                      revoked=row.revoked_at is not None, roles=list(scope.roles_of(conn, row.id)),
                                      order=pending.order_kind if pending is not None else "",
                                      this_device=row.id == device_id, centre_name=centres[row.centre_id],
                                      audit_forks=forks,
                                      audit_forked_at="" if last is None else last.isoformat(timespec="seconds"),
                                      cloned_at=vault_forks.cloned_at(row.forks)))
    return DeviceList(protocol_version=PROTOCOL_VERSION, devices=devices)


def order_from_device(db: Database, keyring: ServerKeyring, device_id: str, centre_id: str,
                      request: DeviceOrderRequest) -> DeviceList:
    from . import coordination

    with db.read_engine.connect() as conn:
        centres = {c.centre_id for c in coordination.centres_in_scope(conn, device_id, centre_id)}
        target = conn.execute(text("SELECT centre_id, revoked_at FROM device WHERE id = :d"),
                              {"d": request.device_id}).first()
    if target is None or target.centre_id not in centres:
        raise ProtocolError(404, "not_found", "no such device in a centre you manage")
    if request.device_id == device_id:
        raise ProtocolError(409, "own_device", "a device cannot mark itself lost")
    mark_lost(db, keyring, request.device_id, request.order, by=f"{request.by} (device {device_id})")
    return device_list(db, device_id, centre_id)
