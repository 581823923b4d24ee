"""Audit log upload (issue 11 point 4): a device sends the next entries of its chain; the server verifies that they
continue what it holds and answers with what it now holds. A protocol-2 message like the others (canonical JSON,
unknown keys refused), kept in its own module: `POST /v2/audit`, signed by the device, answer signed by the server.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from .messages import NO_CONTROL, Hash, Message, SeqNo

MAX_AUDIT_ENTRIES = 1000
Short = Annotated[str, StringConstraints(max_length=200, pattern=NO_CONTROL)]
Detail = Annotated[str, StringConstraints(max_length=500, pattern=NO_CONTROL)]


class AuditEntry(Message):
    seq: SeqNo
    at: Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=NO_CONTROL)]
    actor: Short
    event: Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=NO_CONTROL)]
    outcome: Literal["allowed", "refused", "done", "failed"]
    record_id: Short | None = None
    detail: Detail = ""
    prev: Hash
    hash: Hash


class AuditUpload(Message):
    protocol_version: int
    chain_id: Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=NO_CONTROL)]
    entries: Annotated[list[AuditEntry], Field(min_length=1, max_length=MAX_AUDIT_ENTRIES)]


class AuditReceipt(Message):
    protocol_version: int
    device_id: str
    stored_through: int  # the last entry of the chain the device sent that the server holds, verified
    head: Hash
    # This upload forked the chain (the laptop's vault was put back from an older copy): what was sent continues
    # entry `forked_after`; the branch the server held until then, kept, ended at entry `left_through`.
    forked_after: int | None = None
    left_through: int | None = None

    def canonical(self, *, exclude: set[str] | None = None) -> bytes:
        """Without a fork, the receipt reads as before (laptops not yet updated refuse keys they do not know)."""
        unset = {k for k in ("forked_after", "left_through") if getattr(self, k) is None}
        return super().canonical(exclude=(exclude or set()) | unset)
