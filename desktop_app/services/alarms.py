"""Bulk-deletion alarms of the centres this laptop's people review, as the server holds them, and undoing one
(coordinators: the review right; issue 11 point 1). A batch that deleted many records at once raised the alarm on
the server (sync_server/scope.py); undoing it brings every record back as a new version that every laptop of the
centre receives at its next sync. The rights check and the credentials are read on the database thread
(`open_alarms`), the requests run on the network pool; the server checks again (sync_server/coordination.py).
"""

from __future__ import annotations

from collections.abc import Callable

from desktop_app.services import access, audit
from desktop_app.sync import store
from desktop_app.sync.transport import ServerConnection
from desktop_app.vault.vault import Vault
from waypoint_core.protocol import PROTOCOL_VERSION
from waypoint_core.protocol.enrolment_messages import AlarmInfo, UndoAlarmRequest, UndoneAlarm

__all__ = ["AlarmInfo", "UndoneAlarm", "open_alarms", "list_alarms", "undo", "note_undone"]


def open_alarms(vault: Vault, *, connect: Callable[..., ServerConnection] = ServerConnection
                ) -> tuple[ServerConnection, str]:
    """(a connection to the server as this laptop, the signed-in person's name): checked and recorded."""
    access.check_review(vault)
    credentials = store.load_credentials(vault)
    connection = credentials.open_with(connect)
    return connection, vault.user.username


def list_alarms(connection: ServerConnection) -> list[AlarmInfo]:
    """Newest first, undone ones included (they say by whom)."""
    return list(connection.with_retries(connection.alarms).alarms)


def undo(connection: ServerConnection, alarm_id: str, *, by: str) -> UndoneAlarm:
    """Asked once (an undo sent twice is refused by the server as already undone, never applied twice)."""
    return connection.undo_alarm(UndoAlarmRequest(protocol_version=PROTOCOL_VERSION, alarm_id=alarm_id, by=by))


def note_undone(vault: Vault, alarm_id: str, restored: int) -> None:
    audit.note(vault, "records.undo_deletion", detail=f"alarm {alarm_id}: {restored} records restored")
