"""A lost laptop's order: while a coordinator's lock or wipe order waits, the server refuses every other request of
the device with a signed 409 `device_order` (DeviceOrdered), so the run's first request meets it and nothing is sent
or received before the order is carried out. The run then asks for it (GET /v2/order: signed by the pinned server key
over this device, the order, its id and time), carries it out, reports it, and stops with RemoteLock or RemoteWipe.
A run with no order waiting asks nothing (one request fewer per run).

- lock: written to the audit log, then the vault is closed (everyone signs in again);
- wipe: written to the audit log, then the vault is crypto-erased (desktop_app/vault/erase.py: key slots destroyed,
  files removed). The report is signed with the device key this run holds in memory; the server then revokes it.

An order whose signature does not verify against the pinned key is not obeyed (BadServerAnswer).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

from desktop_app.sync import errors
from desktop_app.vault import audit
from waypoint_core.access import audit as chain
from waypoint_core.protocol import PROTOCOL_VERSION, verify
from waypoint_core.protocol.order_messages import DOMAIN_ORDER, DeviceOrder, OrderReport, order_bytes


def verified(order: DeviceOrder, *, device_id: str, server_key: str) -> bool:
    message = order_bytes(device_id=order.device_id, order=order.order, order_id=order.order_id,
                          issued_at=order.issued_at)
    return order.device_id == device_id and verify(server_key, order.signature, DOMAIN_ORDER, message)


def carry_out(vault: Any, order: DeviceOrder) -> str:
    """Lock or wipe the vault as ordered; what to report."""
    if order.order == "wipe":
        vault.erase_by_order(order.order_id)
        return "wiped"
    audit.append(vault, chain.LOCK, detail=f"remote order {order.order_id}")
    vault.close()
    return "locked"


def obey(connection: Any, credentials: Any, remote: Callable[..., Generator[Any, Any, Any]],
         local: Callable[..., Any]) -> Generator[Any, Any, None]:
    """Steps: ask for an order; none → return; else carry it out, report it and raise RemoteLock/RemoteWipe."""
    order: DeviceOrder = yield from remote(connection, lambda: connection.with_retries(connection.order))
    if order.order == "none":
        return
    if not verified(order, device_id=credentials.device_id, server_key=connection.server_signing_key or ""):
        raise errors.BadServerAnswer("an order not signed by the pinned server key was ignored")
    done = yield local(lambda vault: carry_out(vault, order))
    report = OrderReport(protocol_version=PROTOCOL_VERSION, order_id=order.order_id, done=done)
    yield from remote(connection, lambda: connection.with_retries(lambda: connection.order_done(report)))
    raise errors.RemoteWipe() if done == "wiped" else errors.RemoteLock()
