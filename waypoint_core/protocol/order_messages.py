"""Remote lock and wipe (issue 11 point 6): the order a coordinator gave for a lost device, signed by the server's
key over what it orders and to whom, and the device's report that it carried it out. Own module: `GET /v2/order`,
`POST /v2/order/done` (both signed by the device; answers signed by the server like every /v2 answer).
"""

from __future__ import annotations

from typing import Literal

from .messages import Message
from .signing import canonical_json

DOMAIN_ORDER = b"waypoint/device-order/v1\x00"
ORDERS = ("lock", "wipe")


def order_bytes(*, device_id: str, order: str, order_id: str, issued_at: str) -> bytes:
    return canonical_json({"device_id": device_id, "order": order, "order_id": order_id, "issued_at": issued_at})


class DeviceOrder(Message):
    protocol_version: int
    device_id: str
    order: Literal["none", "lock", "wipe"]
    order_id: str = ""
    issued_at: str = ""
    signature: str = ""  # the server's signing key over order_bytes(...), DOMAIN_ORDER


class OrderReport(Message):
    protocol_version: int
    order_id: str
    done: Literal["locked", "wiped"]


class DeviceInfo(Message):
    device_id: str
    name: str
    enrolled_at: str
    revoked: bool
    roles: list[str]
    order: str = ""  # a pending order: lock | wipe ("" none)
    this_device: bool = False
    centre_name: str = ""
    # Its audit log forked on the server this many times (its vault put back from an older copy; docs/access.md
    # section 4), the last at `audit_forked_at` (ISO, UTC).
    audit_forks: int = 0
    audit_forked_at: str = ""
    # Its vault is in use on two machines: a second live copy was found and told to enrol again as a new device, last
    # at `cloned_at` (ISO, UTC; sync_server/forks.py).
    cloned_at: str = ""


_FORK_FIELDS = ("audit_forks", "audit_forked_at", "cloned_at")


class DeviceList(Message):
    """The devices of the centres the asking device's people manage (`GET /v2/devices`; sync_server/coordination.py
    says which: its centre, or every centre of its region)."""

    protocol_version: int
    devices: list[DeviceInfo]

    def canonical(self, *, exclude: set[str] | None = None) -> bytes:
        """Each fork field only when a device has it: without, the list reads as before (laptops not yet updated
        refuse keys they do not know)."""
        if exclude:
            return super().canonical(exclude=exclude)
        unset = {name for name in _FORK_FIELDS if not any(getattr(d, name) for d in self.devices)}
        if not unset:
            return super().canonical()
        return canonical_json(self.model_dump(mode="json", exclude={"devices": {"__all__": unset}}))


class DeviceOrderRequest(Message):
    """A coordinator marks a device of a centre they manage lost from the app (`POST /v2/devices/order`)."""

    protocol_version: int
    device_id: str
    order: Literal["lock", "wipe"]
    by: str  # the signed-in coordinator's name, for the server's audit chain
