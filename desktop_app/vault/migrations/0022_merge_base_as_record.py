"""0022 (sync, issue 8 point 12): a merge base (sync_record.base) equal to what its registration holds now becomes
'' (AS_RECORD: "the registration's current state", desktop_app/vault/writer/bases.py) instead of a second ~2 KB copy
of the record. A base that differs stays whole, as does a newer server state held to show later (stale 2).

The number also keeps an older Waypoint, which would read '' as a broken base, from opening a vault that holds one.
"""

from __future__ import annotations

import json
from typing import Any

from desktop_app.vault.sql import Db, chunks, in_json, text
from desktop_app.vault.states import state_from_columns


def upgrade(conn: Any) -> None:
    db = Db(conn)
    held = [row[0] for row in db.execute(text("SELECT record_id FROM sync_record WHERE base != '' AND stale = 0 "
                                              "ORDER BY record_id")).all()]
    for part in chunks(held):
        marks, params = in_json(part)
        extras: dict[str, dict[str, Any]] = {}
        for row in db.execute(text(f"SELECT record_id, name, value FROM registration_field WHERE record_id IN "
                                   f"({marks})"), params).all():
            extras.setdefault(row.record_id, {})[row.name] = row.value
        states = {row.id: state_from_columns(row._asdict(), extras.get(row.id, {})) for row in db.execute(
            text(f"SELECT * FROM registration WHERE id IN ({marks})"), params).all()}
        same = [{"r": row.record_id} for row in db.execute(text(
            f"SELECT record_id, base FROM sync_record WHERE record_id IN ({marks})"), params).all()
            if row.record_id in states and json.loads(row.base) == states[row.record_id]]
        if same:
            db.execute(text("UPDATE sync_record SET base = '' WHERE record_id = :r"), same)
