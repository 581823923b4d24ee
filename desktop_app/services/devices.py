"""The devices of the centres this laptop's people manage, as the server knows them, marking one lost, and the
one-time enrolment codes of those centres: made, listed, revoked (coordinators for their region, administrators for
their centre: manage devices). The rights check and the credentials are read on the database thread
(`open_devices`); the requests themselves run on the network pool with the connection it returns, never touching the
vault. The server checks again that this laptop's people may manage devices, and for which centres
(sync_server/coordination.py). What was done is noted in this laptop's audit log on the database thread afterwards
(`note_*`); the server's own chain records it too.
"""

from __future__ import annotations

from collections.abc import Callable

from desktop_app.services import access, audit
from desktop_app.sync import store
from desktop_app.sync.transport import ServerConnection
from desktop_app.vault.vault import Vault
from waypoint_core.protocol import PROTOCOL_VERSION
from waypoint_core.protocol.enrolment_messages import (
    MAX_CODE_HOURS, MIN_CODE_HOURS, CentreInfo, EnrolmentCodeInfo, EnrolmentCodeList, NewCode, NewCodeRequest,
    RevokeCodeRequest,
)
from waypoint_core.protocol.order_messages import DeviceInfo, DeviceOrderRequest

__all__ = ["CentreInfo", "DeviceInfo", "EnrolmentCodeInfo", "EnrolmentCodeList", "NewCode", "MAX_CODE_HOURS",
           "MIN_CODE_HOURS", "open_devices", "list_devices", "mark_lost", "note_marked", "list_codes", "new_code",
           "revoke_code", "note_code_made", "note_code_revoked"]


def open_devices(vault: Vault, *, connect: Callable[..., ServerConnection] = ServerConnection
                 ) -> tuple[ServerConnection, str]:
    """(a connection to the server as this laptop, the signed-in person's name): checked and recorded."""
    access.check_manage_devices(vault)
    credentials = store.load_credentials(vault)
    connection = credentials.open_with(connect)
    return connection, vault.user.username


def list_devices(connection: ServerConnection) -> list[DeviceInfo]:
    return list(connection.with_retries(connection.devices).devices)


def mark_lost(connection: ServerConnection, device_id: str, order: str, *, by: str) -> list[DeviceInfo]:
    """A signed lock or wipe order the device carries out at its next contact."""
    request = DeviceOrderRequest(protocol_version=PROTOCOL_VERSION, device_id=device_id, order=order, by=by)
    return list(connection.with_retries(lambda: connection.order_device(request)).devices)


def note_marked(vault: Vault, device_id: str, order: str) -> None:
    audit.note(vault, "devices.mark_lost", detail=f"device {device_id}: {order}")


def list_codes(connection: ServerConnection) -> EnrolmentCodeList:
    """The centres this laptop's people may enrol devices for, and their open codes."""
    found: EnrolmentCodeList = connection.with_retries(connection.enrolment_codes)
    return found


def new_code(connection: ServerConnection, centre_id: str, roles: list[str], hours: int, *, by: str) -> NewCode:
    """A one-time code for one device of `centre_id`, whose people hold `roles`. Asked once, never retried: a lost
    answer leaves a code nobody saw, listed as open for the coordinator to revoke, never two codes for one ask."""
    if not roles:
        raise ValueError("a new device's people hold at least one role")
    return connection.new_enrolment_code(NewCodeRequest(protocol_version=PROTOCOL_VERSION, centre_id=centre_id,
                                                        roles=roles, hours=hours, by=by))


def revoke_code(connection: ServerConnection, code_id: str, *, by: str) -> EnrolmentCodeList:
    request = RevokeCodeRequest(protocol_version=PROTOCOL_VERSION, code_id=code_id, by=by)
    return connection.revoke_enrolment_code(request)


def note_code_made(vault: Vault, made: NewCode) -> None:
    info = made.info
    audit.note(vault, "devices.enrolment_code", detail=f"code {info.code_id}: centre {info.centre_id}, roles "
                                                       f"{' '.join(info.roles)}, until {info.expires_at}")


def note_code_revoked(vault: Vault, code_id: str) -> None:
    audit.note(vault, "devices.enrolment_code_revoked", detail=f"code {code_id}")
