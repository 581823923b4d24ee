"""Search on the server (issue 12 point 1: "on the device and with the same rules on the server").

`GET /v2/search?q=TEXT&limit=N` answers a signed device with the people of its centre matching what was typed,
best first, each with its record id, score and why it matched ("name: …", "same document number"; the words name no
person's data). The rules are the device's: the query parsed by `waypoint_core.registry.search.parse_query`, its
look-ups (`search.lookups`, `search.prefix_ranges`), pre-ranking (`search.pre_rank`) and ranking (`search.rank`) of
each registration read by `waypoint_core.registry.stored.person_from_content` and prepared by `person.prepare`.

The look-ups go to `search_key` (derived.py: each registration's keys as keyed hashes, written with each version):
the query's keys are hashed with the same key and looked up by equality; the word being typed looks its prefix hash
up in `search_prefix`, which gives the hash of each name key held that begins so, and those are looked up in turn,
so the look-up weights are exactly those of `search.MemoryIndex` over the same records. Only the records `pre_rank`
keeps (at most `search.BUDGET`) are opened and ranked. A query without any key (only an age, a year of birth or
filter words) has nothing to look up: every record of the centre is opened and ranked, as before.

Rights: the device's centre only; cases hold no names and are left out for devices whose people may not view them
(scope.py). The vocabulary of country and centre names the device knows is not on the server, so such words are read
as name words here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date

from sqlalchemy import Connection, bindparam, select
from sqlalchemy import text as sql

from waypoint_core.protocol import PROTOCOL_VERSION, canonical_json
from waypoint_core.registry import search as core
from waypoint_core.registry.person import Profile, prepare
from waypoint_core.registry.stored import person_from_content

from . import scope
from .atrest import DataKey, open_text
from .auth import AuthenticatedDevice
from .db import Database
from .derived import KeyHasher
from .merge import CONTENT, DELETED
from .tables import Record

FETCH_CHUNK = 500
IN_CHUNK = 500
MAX_LIMIT = 100
_NO_CASES = " AND record_id NOT IN (SELECT record_id FROM record_kind WHERE kind = 'case')"


def _profile(key: DataKey, row) -> Profile | None:  # type: ignore[no-untyped-def]
    values = json.loads(open_text(key, row.state, table="record", row_id=row.id, version=row.server_version))
    if values.get(DELETED):
        return None
    person = person_from_content(row.id, values.get(CONTENT), status=values.get("@status"),
                                 created_at=values.get("@created_at"))
    return prepare(person) if person is not None else None


def _profiles(conn: Connection, key: DataKey, centre_id: str, with_cases: bool,
              ids: Iterable[str] | None = None) -> list[Profile]:
    """The live registrations of the centre that name a person, opened: all of them, or those of `ids`."""
    r = Record.__table__
    query = select(r.c.id, r.c.server_version, r.c.state).where(r.c.centre_id == centre_id, r.c.deleted.is_(False))
    if not with_cases:
        query = query.where(r.c.id.not_in(scope.case_ids()))
    found: list[Profile] = []
    chunks = [None] if ids is None else [list(ids)[i:i + IN_CHUNK] for i in range(0, len(list(ids)), IN_CHUNK)]
    for chunk in chunks:
        selected = query if chunk is None else query.where(r.c.id.in_(chunk))
        rows = conn.execution_options(stream_results=True, yield_per=FETCH_CHUNK).execute(selected)
        found += [p for row in rows if (p := _profile(key, row)) is not None]
    return found


def _candidates(conn: Connection, hasher: KeyHasher, centre_id: str, with_cases: bool, query: core.Query) -> list[str]:
    """The ids `search.MemoryIndex` would rank for this query, found through the hashed keys."""
    wanted = core.lookups(query)
    hashed = {hasher.exact(k): v for k, v in wanted.items()}
    where = "centre_id = :c" + ("" if with_cases else _NO_CASES)
    by_key = sql(f"SELECT key_hash, record_id FROM search_key WHERE {where} AND key_hash IN :keys").bindparams(
        bindparam("keys", expanding=True))
    names = sorted(hashed)
    rows: list[tuple[str, str]] = []
    for start in range(0, len(names), IN_CHUNK):
        rows += [(k, rid) for k, rid in conn.execute(by_key, {"c": centre_id, "keys": names[start:start + IN_CHUNK]})]
    by_prefix = sql("SELECT full_hash FROM search_prefix WHERE prefix_hash = :p")
    for low, _high, part, weight in core.prefix_ranges(query):
        words = [full for (full,) in conn.execute(by_prefix, {"p": hasher.prefix(low)})]
        for start in range(0, len(words), IN_CHUNK):
            for full, rid in conn.execute(by_key, {"c": centre_id, "keys": words[start:start + IN_CHUNK]}):
                hashed.setdefault(full, (part, weight))
                rows.append((full, rid))
    return core.pre_rank(hashed, rows)


def search(db: Database, device: AuthenticatedDevice, *, text: str, limit: int, key: DataKey,
           today: date | None = None) -> bytes:
    today = today or date.today()
    query = core.parse_query(text, None, today=today)
    limit = min(limit, MAX_LIMIT)
    hits: list[core.SearchHit] = []
    if not query.empty:
        with db.read_engine.connect() as conn:
            cases = scope.may_receive_cases(conn, device.id, device.centre_id)
            if query.has_keys:
                ids = _candidates(conn, KeyHasher.of(key), device.centre_id, cases, query)
                profiles = _profiles(conn, key, device.centre_id, cases, ids) if ids else []
            else:
                profiles = _profiles(conn, key, device.centre_id, cases)
        found = [core.rank(query, p, today=today) for p in profiles]
        hits = sorted((h for h in found if h is not None), key=lambda h: (-h.score, h.id))[:limit]
    return canonical_json({"protocol_version": PROTOCOL_VERSION, "centre_id": device.centre_id,
                           "results": [{"id": h.id, "score": round(h.score, 4), "why": list(h.why)} for h in hits]})
