"""A record's history: each version is a row of record_version, and the current version's state is stored once.

The state of a record's current version lives in `record.state` only; its `record_version.state` is empty
(`CURRENT`). When a later version arrives, the push that stores it writes the previous state into that version's
row, sealed for it (push.py), so every version but the current one holds its own state. Rows written before this
rule (and versions written by the undo of a bulk deletion, or purged by forget.py) hold their state in both places,
which readers take as it is. A push of a new registration thus writes its content once instead of twice.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, text

from .atrest import DataKey, UnreadableRow, open_text

CURRENT = ""  # record_version.state of the current version: read record.state


def version_values(conn: Connection, key: DataKey, record_id: str, version: int, sealed: str) -> dict[str, Any]:
    """The values of `version` of a record, given that version's `record_version.state`."""
    if sealed != CURRENT:
        return dict(json.loads(open_text(key, sealed, table="record_version", row_id=record_id, version=version)))
    row = conn.execute(text("SELECT state, server_version FROM record WHERE id = :r"), {"r": record_id}).first()
    if row is None or row.server_version != version:
        raise UnreadableRow(f"record {record_id}: version {version} has no state of its own and is not current")
    return dict(json.loads(open_text(key, row.state, table="record", row_id=record_id, version=version)))
