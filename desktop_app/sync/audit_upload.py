"""The audit log travels with sync: after records, each run records itself (`sync.run`) and sends the entries the
server does not hold yet, batch by batch (`POST /v2/audit`). The server verifies that they continue the chain it
holds and answers with the last entry it stored; that number is kept in the vault, never a mark on the entries.
A refusal names the entry where the chain breaks (ServerRefused, not retried).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

from desktop_app.sync import store
from desktop_app.vault import audit
from waypoint_core.access import audit as chain
from waypoint_core.protocol import PROTOCOL_VERSION
from waypoint_core.protocol.audit_messages import MAX_AUDIT_ENTRIES, AuditEntry, AuditUpload


def _next_upload(vault: Any) -> tuple[bytes, int, bool] | None:
    """The next batch's body, its last entry's seq, and whether it is full (more entries may wait behind it)."""
    _before, batch = audit.to_upload(vault, limit=MAX_AUDIT_ENTRIES)
    if not batch:
        return None
    body = AuditUpload(protocol_version=PROTOCOL_VERSION, chain_id=vault.device_id,
                       entries=[AuditEntry(**e.as_json()) for e in batch]).canonical()
    return body, batch[-1].seq, len(batch) >= MAX_AUDIT_ENTRIES


def server_restored(vault: Any) -> None:
    """After a server restore, entries it had acknowledged may be gone: send the chain again from its start."""
    audit.upload_again(vault)


def note_run(vault: Any, summary: dict[str, Any]) -> None:
    """The run's entry and the run's summary (store.record_run) in one transaction: one commit, not two."""
    def note(db: Any) -> None:
        audit.append_db(db, vault.device_id, actor=vault.user.username, event=chain.SYNC,
                        outcome="done", detail=f"pushed {summary.get('pushed', 0)}, pulled {summary.get('pulled', 0)}, "
                                               f"conflicts {summary.get('conflicts', 0)}")
    store.record_run(vault, summary, also=note)


def upload(connection: Any, remote: Callable[..., Generator[Any, Any, Any]], local: Callable[..., Any],
           cancelled: Callable[[], bool]) -> Generator[Any, Any, int]:
    """Steps that send every entry not yet on the server; returns how many the server now holds."""
    stored = 0
    while not cancelled():
        upload = yield local(_next_upload)
        if upload is None:
            break
        body, last, full = upload
        receipt = yield from remote(connection, lambda b=body: connection.with_retries(
            lambda: connection.upload_audit(b), cancelled=cancelled))
        yield local(lambda vault, seq=receipt.stored_through: audit.mark_uploaded(vault, seq))
        stored = receipt.stored_through
        if not full and stored >= last:  # the server holds everything there was: no need to look again
            break
    return stored
