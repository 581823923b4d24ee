"""Search on the server (issue 12 point 1: "on the device and with the same rules on the server").

`GET /v2/search?q=TEXT&limit=N` answers a signed device with the people of its centre matching what was typed,
best first, each with its record id, score and why it matched ("name: …", "same document number"; the words name no
person's data). The rules are the device's: the query parsed by `waypoint_core.registry.search.parse_query`, each
registration read by `waypoint_core.registry.stored.person_from_content` and prepared by `person.prepare`, the keys,
look-ups, pre-ranking and ranking of `search.MemoryIndex`. Rights: the device's centre only; cases hold no names
and are left out for devices whose people may not view them (scope.py). Limits: the index is built from the
centre's records for each query (no server-side index table yet), and the vocabulary of country and centre names
the device knows is not on the server, so such words are read as name words here.
"""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from waypoint_core.protocol import PROTOCOL_VERSION, canonical_json
from waypoint_core.registry import search as core
from waypoint_core.registry.person import prepare
from waypoint_core.registry.stored import person_from_content

from . import scope
from .atrest import DataKey, open_text
from .auth import AuthenticatedDevice
from .db import Database
from .merge import CONTENT, DELETED
from .tables import Record

FETCH_CHUNK = 500
MAX_LIMIT = 100


def _index(db: Database, device: AuthenticatedDevice, key: DataKey) -> core.MemoryIndex:
    r = Record.__table__
    query = (select(r.c.id, r.c.server_version, r.c.state)
             .where(r.c.centre_id == device.centre_id, r.c.deleted.is_(False)))
    index = core.MemoryIndex()
    with db.read_engine.connect() as conn:
        if not scope.may_receive_cases(conn, device.id, device.centre_id):
            query = query.where(r.c.id.not_in(scope.case_ids()))
        rows = conn.execution_options(stream_results=True, yield_per=FETCH_CHUNK).execute(query)
        for row in rows:
            values = json.loads(open_text(key, row.state, table="record", row_id=row.id, version=row.server_version))
            if values.get(DELETED):
                continue
            person = person_from_content(row.id, values.get(CONTENT), status=values.get("@status"),
                                         created_at=values.get("@created_at"))
            if person is not None:
                index.add(prepare(person))
    return index


def search(db: Database, device: AuthenticatedDevice, *, text: str, limit: int, key: DataKey,
           today: date | None = None) -> bytes:
    today = today or date.today()
    query = core.parse_query(text, None, today=today)
    hits = [] if query.empty else _index(db, device, key).search(query, today=today, limit=min(limit, MAX_LIMIT))
    return canonical_json({"protocol_version": PROTOCOL_VERSION, "centre_id": device.centre_id,
                           "results": [{"id": h.id, "score": round(h.score, 4), "why": list(h.why)} for h in hits]})
