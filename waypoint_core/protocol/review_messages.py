"""The server's open conflicts for a coordinator's review desk (issue 10): conflicts the server decided between other
devices (two laptops changed the same answer), each with both sides, so a laptop whose people may review can show
them and decide. Own module; signed and answered like every /v2 exchange:

- `GET /v2/conflicts?after=CURSOR&limit=N` -> ConflictPage: the open conflicts of the records within the device's
  reach (its people's `review` scope: coordinators, their region), oldest first, bounded in count and bytes.

A conflict names the op that met it: the side that lost (`lost`: its values, the device that made them and when,
hlc in ms) and the server version it lost to (`server`: the version the server made when the conflict opened, the
deterministic winner). A decision is a plain change made on top of `server` (its version and hash as the base); the
server closes the conflict when such a change arrives from a device that may review it.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from .messages import Message

CONFLICT_PAGE_DEFAULT = 100
CONFLICT_PAGE_MAX = 500
# Cursor: the last conflict of the previous page, "<opened_at in µs since the epoch>.<conflict id>"; "" = the start.
ConflictCursor = Annotated[str, StringConstraints(max_length=80, pattern=r"^([0-9]{1,19}\.[0-9a-f-]{36})?$")]


class ConflictState(Message):
    """A record's values as a pull hands them out (a tombstone carries no data)."""

    form_id: str
    form_version: str
    deleted: bool
    fields: dict[str, str | int | bool | None]
    content: str | None


class ConflictSide(Message):
    """One side of a conflict: the record as this side would have it, who made it, when (hlc, ms)."""

    state: ConflictState
    device_id: str | None  # None: not known (a version older than the server's history)
    device_name: str = ""
    hlc: int = 0
    server_version: int | None = None  # the server's version for the winning side; None for the losing side
    version_hash: str | None = None


class ServerConflict(Message):
    conflict_id: str
    record_id: str
    centre_id: str
    opened_at: str  # ISO 8601, UTC
    fields: Annotated[list[str], Field(max_length=10_000)]  # the contested fields ("#content": the instance's answers)
    lost: ConflictSide
    server: ConflictSide
    base: ConflictState | None = None  # the version both sides started from, when the server still holds it
    base_version: int | None = None


class ConflictPage(Message):
    protocol_version: int
    conflicts: list[ServerConflict]
    next_cursor: str  # give it as `after` for the next page
    has_more: bool
