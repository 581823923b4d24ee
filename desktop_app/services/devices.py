"""The devices of this laptop's centre, as the server knows them, and marking one lost (coordinators and
administrators: manage devices). The rights check and the credentials are read on the database thread
(`open_devices`); the requests themselves run on the network pool with the connection it returns, never touching the
vault. The server checks again that this laptop's people may manage devices (sync_server/orders.py).
"""

from __future__ import annotations

from collections.abc import Callable

from desktop_app.services import access, audit
from desktop_app.sync import store
from desktop_app.sync.transport import ServerConnection
from desktop_app.vault.vault import Vault
from waypoint_core.protocol import PROTOCOL_VERSION
from waypoint_core.protocol.order_messages import DeviceInfo, DeviceOrderRequest

__all__ = ["DeviceInfo", "open_devices", "list_devices", "mark_lost", "note_marked"]


def open_devices(vault: Vault, *, connect: Callable[..., ServerConnection] = ServerConnection
                 ) -> tuple[ServerConnection, str]:
    """(a connection to the server as this laptop, the signed-in person's name): checked and recorded."""
    access.check_manage_devices(vault)
    credentials = store.load_credentials(vault)
    connection = connect(credentials.server_url, ca_bundle=credentials.ca_bundle, device_id=credentials.device_id,
                         device_key=credentials.device_key, server_signing_key=credentials.server_signing_key,
                         server_keys=credentials.server_keys)
    return connection, vault.user.username


def list_devices(connection: ServerConnection) -> list[DeviceInfo]:
    return list(connection.with_retries(connection.devices).devices)


def mark_lost(connection: ServerConnection, device_id: str, order: str, *, by: str) -> list[DeviceInfo]:
    """A signed lock or wipe order the device carries out at its next contact."""
    request = DeviceOrderRequest(protocol_version=PROTOCOL_VERSION, device_id=device_id, order=order, by=by)
    return list(connection.with_retries(lambda: connection.order_device(request)).devices)


def note_marked(vault: Vault, device_id: str, order: str) -> None:
    audit.note(vault, "devices.mark_lost", detail=f"device {device_id}: {order}")
