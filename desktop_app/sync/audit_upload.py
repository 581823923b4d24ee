"""The audit log travels with sync: after records, each run records itself (`sync.run`) and sends the entries the
server does not hold yet, batch by batch (`POST /v2/audit`). The server verifies that they continue the chain it
holds and answers with the last entry it stored; that number is kept in the vault, never a mark on the entries.
A refusal names the entry where the chain breaks (ServerRefused, not retried).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

from desktop_app.vault import audit
from waypoint_core.access import audit as chain
from waypoint_core.protocol import PROTOCOL_VERSION
from waypoint_core.protocol.audit_messages import MAX_AUDIT_ENTRIES, AuditEntry, AuditUpload


def _next_upload(vault: Any) -> bytes | None:
    _before, batch = audit.to_upload(vault, limit=MAX_AUDIT_ENTRIES)
    if not batch:
        return None
    return AuditUpload(protocol_version=PROTOCOL_VERSION, chain_id=vault.device_id,
                       entries=[AuditEntry(**e.as_json()) for e in batch]).canonical()


def server_restored(vault: Any) -> None:
    """After a server restore, entries it had acknowledged may be gone: send the chain again from its start."""
    audit.upload_again(vault)


def note_run(vault: Any, summary: dict[str, Any]) -> None:
    audit.append(vault, chain.SYNC, detail=f"pushed {summary.get('pushed', 0)}, pulled {summary.get('pulled', 0)}, "
                                           f"conflicts {summary.get('conflicts', 0)}")


def upload(connection: Any, remote: Callable[..., Generator[Any, Any, Any]], local: Callable[..., Any],
           cancelled: Callable[[], bool]) -> Generator[Any, Any, int]:
    """Steps that send every entry not yet on the server; returns how many the server now holds."""
    stored = 0
    while not cancelled():
        body = yield local(_next_upload)
        if body is None:
            break
        receipt = yield from remote(connection, lambda b=body: connection.with_retries(
            lambda: connection.upload_audit(b), cancelled=cancelled))
        yield local(lambda vault, seq=receipt.stored_through: audit.mark_uploaded(vault, seq))
        stored = receipt.stored_through
    return stored
