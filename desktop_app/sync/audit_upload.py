"""The audit log travels with sync: after records, each run records itself (`sync.run`) and sends the entries the
server does not hold yet, batch by batch (`POST /v2/audit`). The server verifies that they continue the chain it
holds and answers with the last entry it stored; that number is kept in the vault, never a mark on the entries.
A refusal names the entry where the chain breaks (ServerRefused, not retried).

A vault put back from an older copy goes on from the copy's last entry while the server holds later ones with the
same numbers: the server keeps both as branches of the chain and says so in its receipt; the laptop then records
`audit.forked` (which entry its log continues, where the server's branch ended) and sends that entry in the same run.

A run with nothing to do would otherwise make a request only to send its own entry: when every entry waiting is a
quiet run's (`sync.run`, nothing pushed, pulled or in conflict) and the oldest is younger than QUIET_WAIT_S, they wait
in the chain for the next run that has anything else to send (a sign-in, a view, a change, a run that moved records),
or for the hour to pass. Nothing is dropped: the entries are in the vault's append-only chain and go in order.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from datetime import UTC, datetime
from typing import Any

from desktop_app.sync import store
from desktop_app.vault import audit
from waypoint_core.access import audit as chain
from waypoint_core.protocol import PROTOCOL_VERSION
from waypoint_core.protocol.audit_messages import MAX_AUDIT_ENTRIES, AuditEntry, AuditUpload


# A quiet run's own entry waits at most this long for a run with something else to send (seconds).
QUIET_WAIT_S = 3600

Upload = tuple[bytes, int, bool]  # a batch's body, its last entry's seq, whether it is full (more may wait behind)


def _detail(summary: dict[str, Any]) -> str:
    detail = (f"pushed {summary.get('pushed', 0)}, pulled {summary.get('pulled', 0)}, "
              f"conflicts {summary.get('conflicts', 0)}")
    if summary.get("failed"):  # a run stopped by an error after it got work done (engine.sync_run): its class only
        detail += f", restores {summary.get('restores', 0)}, stopped by {summary['failed']}"
    return detail


QUIET_DETAIL = _detail({})


QUIET = (chain.SYNC, "done", QUIET_DETAIL)  # a quiet run's entry: (event, outcome, detail)


def _may_wait(oldest_at: str, all_quiet: bool, now: datetime) -> bool:
    """Only quiet runs' entries wait, and none for longer than QUIET_WAIT_S."""
    try:
        oldest = datetime.fromisoformat(oldest_at)
    except ValueError:
        return False
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return all_quiet and (now - oldest).total_seconds() < QUIET_WAIT_S


def _upload_of(chain_id: str, batch: list[chain.Entry]) -> Upload | None:
    if not batch:
        return None
    body = AuditUpload(protocol_version=PROTOCOL_VERSION, chain_id=chain_id,
                       entries=[AuditEntry(**e.as_json()) for e in batch]).canonical()
    return body, batch[-1].seq, len(batch) >= MAX_AUDIT_ENTRIES


def _next_upload(vault: Any) -> Upload | None:
    _before, batch = audit.to_upload(vault, limit=MAX_AUDIT_ENTRIES)
    return _upload_of(vault.device_id, batch)


def server_restored(vault: Any) -> None:
    """After a server restore, entries it had acknowledged may be gone: send the chain again from its start."""
    audit.upload_again(vault)


def note_run(vault: Any, summary: dict[str, Any]) -> Upload | None:
    """The run's entry and the run's summary (store.record_run) in one transaction: one commit, not two. Returns,
    read in that transaction, the first batch of entries to send, or None when nothing waits or when all that waits
    is quiet runs' entries young enough to wait for a run with something else to send (_may_wait).
    A summary with `failed` (the error's class name: a run stopped after it got work done) is entered as `failed`."""
    first: list[Upload | None] = [None]

    def note(db: Any) -> None:
        audit.append_db(db, vault.device_id, actor=vault.user.username, event=chain.SYNC,
                        outcome="failed" if summary.get("failed") else "done", detail=_detail(summary))
        # Asked of the table first: the entries themselves are read only when they go (the quiet runs' entries of
        # the last hour were read at every run only to find that they wait).
        waiting = audit.pending_head(db, limit=MAX_AUDIT_ENTRIES, like=QUIET)
        if waiting is not None and not _may_wait(*waiting, datetime.now(UTC)):
            first[0] = _upload_of(vault.device_id, audit.pending_db(db, limit=MAX_AUDIT_ENTRIES))
    store.record_run(vault, summary, also=note)
    return first[0]


def upload(connection: Any, remote: Callable[..., Generator[Any, Any, Any]], local: Callable[..., Any],
           cancelled: Callable[[], bool], first: Upload | None = None) -> Generator[Any, Any, int]:
    """Steps that send every entry not yet on the server; returns how many the server now holds. `first`: the first
    batch, already read (note_run)."""
    stored = 0
    while not cancelled():
        if first is not None:
            upload, first = first, None
        else:
            upload = yield local(_next_upload)
        if upload is None:
            break
        body, last, full = upload
        receipt = yield from remote(connection, lambda b=body: connection.with_retries(
            lambda: connection.upload_audit(b), cancelled=cancelled))
        yield local(lambda vault, seq=receipt.stored_through: audit.mark_uploaded(vault, seq))
        stored = receipt.stored_through
        if receipt.forked_after is not None:  # recorded here too, and sent next: the log says what the server did
            yield local(lambda vault, r=receipt: forked(vault, r.forked_after, r.left_through))
        elif not full and stored >= last:  # the server holds everything there was: no need to look again
            break
    return stored


def forked(vault: Any, after: int, left_through: int | None) -> None:
    audit.append(vault, chain.AUDIT_FORKED,
                 detail=f"the server holds this laptop's log to entry {left_through}; this copy of the vault goes on "
                        f"from entry {after}: the server keeps both (the vault was put back from an older copy)")
