"""A record's history: each version is a row of record_version, and the current version's state is stored once.

The state of a record's current version lives in `record.state` only; its `record_version.state` is empty
(`CURRENT`). When a later version arrives, the push that stores it writes the superseded state, sealed for the
superseded version's own row, into the new version's row as `previous_state` (migration 0021): the row is inserted
whole, where updating the superseded row afterwards cost a statement per edit and grew a row in place. So every
version but the current one has its state: in its own row, or in the `previous_state` of the row that follows it.
Rows written before this rule (and versions written by the undo of a bulk deletion, or purged by forget.py) hold
their state in both places, which readers take as it is; before migration 0021 a push wrote the superseded state
into that version's own row, which readers take as it is too. A push of a new registration thus writes its content
once instead of twice.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, text

from .atrest import DataKey, UnreadableRow, open_text

CURRENT = ""  # record_version.state of the current version: read record.state (or the next row's previous_state)


def version_values(conn: Connection, key: DataKey, record_id: str, version: int, sealed: str) -> dict[str, Any]:
    """The values of `version` of a record, given that version's `record_version.state`."""
    if sealed != CURRENT:
        return dict(json.loads(open_text(key, sealed, table="record_version", row_id=record_id, version=version)))
    row = conn.execute(text("SELECT state, server_version FROM record WHERE id = :r"), {"r": record_id}).first()
    if row is not None and row.server_version == version:
        return dict(json.loads(open_text(key, row.state, table="record", row_id=record_id, version=version)))
    later = conn.execute(text("SELECT previous_state FROM record_version WHERE record_id = :r AND server_version = :v"),
                         {"r": record_id, "v": version + 1}).first()
    if later is None or later.previous_state is None:
        raise UnreadableRow(f"record {record_id}: version {version} has no state of its own and is not current")
    return dict(json.loads(open_text(key, later.previous_state, table="record_version", row_id=record_id,
                                     version=version)))
