"""Search on the server (issue 12 point 1: "on the device and with the same rules on the server").

`POST /v2/search` with a SearchRequest `{protocol_version, q: TEXT, limit: N, stage: first|refined}` (in the signed
body, never in the URL: a reverse proxy's access log keeps URLs) answers a signed device with the people of its
centre matching what was typed, best first, each with its record id, score and why it matched ("name: …", "same
document number"; the words name no person's data), in the device's two stages (docs/registry.md, "First results,
then the refined search"):

- `first` (the default, as one types): `first_results`, records holding an exact key of every part of the query
  (`search.first_parts`, in the rounds of `search.first_rounds`: spellings, then every exact key; stopped when a round
  found `search.FIRST_ENOUGH`), each round's in the one order `search.first_order` (the weights of the keys held,
  then the record id), at most `search.FIRST_BUDGET` opened and ranked: the device's candidates for the same
  people; the answer says `"complete": false` and the caller asks for the refined stage next (as the device's
  screen does), whose answer replaces it;
- `refined`: `search`, below: exact keys and their one-edit neighbours, pre-ranked, the best `search.BUDGET` ranked.

Both rank by the device's rules: the query parsed by `waypoint_core.registry.search.parse_query`, its look-ups
(`search.lookups`, `search.prefix_ranges`), pre-ranking (`search.pre_rank`) and ranking (`search.rank`) of each
registration read by `waypoint_core.registry.stored.person_from_content` and prepared by `person.prepare`.

The look-ups go to `search_key` (derived.py: each registration's keys as keyed hashes, written with each version):
the query's keys are hashed with the same key and looked up by equality; the word being typed looks its prefix hash
up in `search_prefix`, which gives the hash of each name key held that begins so, and those are looked up in turn,
so the look-up weights are exactly those of `search.MemoryIndex` over the same records. Only the records `pre_rank`
keeps (at most `search.BUDGET`) are opened and ranked. In the first stage the part with the fewest rows drives: its
rows are read on `ix_search_key_hash_record` and grouped by record with the record's best key weight; every other
part adds the record's best weight for it, probed on `ix_search_key_record_hash` (migration 0013), a record without
any of its keys left out; then `ORDER BY` weight and record id, `LIMIT` the budget, in SQL (no record opened, no row
to Python but the candidates). A query without any key (only an age, a year of birth or filter words) has nothing to
look up: every record of the centre is opened and ranked, in either stage.

Rights: the device's centre only; cases hold no names and are left out for devices whose people may not view them
(scope.py).

Filter words are read as the device reads them: the one vocabulary (`waypoint_core.registry.search_words`) built from
the place lists shipped beside the server (forms/lists: country names → nationality, centre names and towns →
centre, sex and status words). The case words ("open", "closed", "clôturé"…) filter on the case file's state, which
the server does not hold: that filter is left out here, the rest of the query answered, and the answer says so
(`"ignored_filters": ["case"]`; docs/registry.md).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from sqlalchemy import Connection, bindparam, select
from sqlalchemy import text as sql

from waypoint_core.protocol import PROTOCOL_VERSION, canonical_json
from waypoint_core.protocol.messages import SEARCH_MAX_LIMIT
from waypoint_core.registry import search as core
from waypoint_core.registry.person import Profile, prepare
from waypoint_core.registry.search_words import vocabulary_from_lists
from waypoint_core.registry.stored import person_from_content

from . import scope
from .atrest import DataKey, open_text
from .auth import AuthenticatedDevice
from .db import Database
from .derived import KeyHasher, catch_up
from .merge import CONTENT, DELETED
from .tables import Record

FETCH_CHUNK = 500
IN_CHUNK = 500
MAX_LIMIT = SEARCH_MAX_LIMIT  # a SearchRequest's limit
PART_CAP = 20_000  # a part's rows counted up to this, to choose the rarest part to drive the first stage
_BY_PREFIX = sql("SELECT full_hash FROM search_prefix WHERE prefix_hash = :p")
_NO_CASES = " AND record_id NOT IN (SELECT record_id FROM record_kind WHERE kind = 'case')"
LISTS_DIR = Path(__file__).resolve().parents[1] / "forms" / "lists"  # the place lists the device ships too
UNHELD_FILTERS = ("case",)  # filters on what only the device holds (the case file's state): left out, and said


def parse(text: str, today: date) -> tuple[core.Query, list[str]]:
    """The query read by the device's rules and vocabulary, without the filters the server cannot evaluate; and
    those left out."""
    query = core.parse_query(text, vocabulary_from_lists(LISTS_DIR), today=today)
    ignored = [name for name in UNHELD_FILTERS if name in query.filters]
    if ignored:
        query = dataclasses.replace(query, filters={k: v for k, v in query.filters.items() if k not in ignored})
    return query, ignored


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
    if ids is not None:
        return _profiles_of(conn, key, centre_id, with_cases, list(ids))
    r = Record.__table__
    query = select(r.c.id, r.c.server_version, r.c.state).where(r.c.centre_id == centre_id, r.c.deleted.is_(False))
    if not with_cases:
        query = query.where(r.c.id.not_in(scope.case_ids()))
    rows = conn.execution_options(stream_results=True, yield_per=FETCH_CHUNK).execute(query)
    return [p for row in rows if (p := _profile(key, row)) is not None]


# Records by primary key: `centre_id || ''` keeps SQLite from reading the centre's whole index instead (with the
# centre bound as a parameter it preferred ix_record_centre_id: 150 ms at 80,000 records for 100 ids); a case is
# probed by its record (NOT EXISTS) rather than by listing every case.
_BY_ID = sql("SELECT id, server_version, state FROM record WHERE id IN :ids AND centre_id || '' = :c AND deleted = :f"
             ).bindparams(bindparam("ids", expanding=True))
_BY_ID_NO_CASES = sql(
    "SELECT id, server_version, state FROM record WHERE id IN :ids AND centre_id || '' = :c AND deleted = :f "
    "AND NOT EXISTS (SELECT 1 FROM record_kind k WHERE k.record_id = record.id AND k.kind = 'case')"
).bindparams(bindparam("ids", expanding=True))


def _profiles_of(conn: Connection, key: DataKey, centre_id: str, with_cases: bool, ids: list[str]) -> list[Profile]:
    statement = _BY_ID if with_cases else _BY_ID_NO_CASES
    found: list[Profile] = []
    for start in range(0, len(ids), IN_CHUNK):
        rows = conn.execute(statement, {"ids": ids[start:start + IN_CHUNK], "c": centre_id, "f": False})
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
    for low, _high, part, weight in core.prefix_ranges(query):
        words = [full for (full,) in conn.execute(_BY_PREFIX, {"p": hasher.prefix(low)})]
        for start in range(0, len(words), IN_CHUNK):
            for full, rid in conn.execute(by_key, {"c": centre_id, "keys": words[start:start + IN_CHUNK]}):
                hashed.setdefault(full, (part, weight))
                rows.append((full, rid))
    return core.pre_rank(hashed, rows)


def _part_weights(conn: Connection, hasher: KeyHasher, part: core.Part) -> dict[str, int]:
    """A first-stage part's keys as hashes, each with its weight (`Part.weights`): its exact keys, and for the word
    being typed the keys beginning with it (through `search_prefix`, as `_candidates` finds them), which weigh
    `core.RANGE_WEIGHT` unless they are exact keys too."""
    weights: dict[str, int] = {}
    for low, _high in part.ranges:
        weights.update((full, core.RANGE_WEIGHT) for (full,) in conn.execute(_BY_PREFIX, {"p": hasher.prefix(low)}))
    for plain, weight in part.weights().items():
        hashed = hasher.exact(plain)
        weights[hashed] = max(weights.get(hashed, 0), weight)
    return weights


def _marks(name: str, values: list[str], args: dict[str, object]) -> str:
    args.update((f"{name}{n}", value) for n, value in enumerate(values))
    return ", ".join(f":{name}{n}" for n in range(len(values)))


def _weight(column: str, name: str, weights: dict[str, int], args: dict[str, object]) -> str:
    """SQL: the weight of the key in `column` for a part, its exact keys named, any other key of the part (one
    found by its beginning) `core.RANGE_WEIGHT`."""
    exact = [(hashed, weight) for hashed, weight in weights.items() if weight != core.RANGE_WEIGHT]
    if not exact:
        return str(core.RANGE_WEIGHT)
    args.update((f"{name}{n}", hashed) for n, (hashed, _) in enumerate(exact))
    whens = " ".join(f"WHEN :{name}{n} THEN {weight}" for n, (_, weight) in enumerate(exact))
    return f"CASE {column} {whens} ELSE {core.RANGE_WEIGHT} END"


def _rows_of(conn: Connection, centre_id: str, keys: list[str]) -> int:
    """How many key rows of the centre a part has, counted up to PART_CAP."""
    args: dict[str, object] = {"c": centre_id}
    return int(conn.execute(sql(f"SELECT COUNT(*) FROM (SELECT 1 FROM search_key WHERE centre_id = :c AND key_hash IN "
                                f"({_marks('k', keys, args)}) LIMIT {PART_CAP}) AS part"), args).scalar_one())


def _round_statement(dialect: str, centre_id: str, with_cases: bool, weighted: list[dict[str, int]],
                     sizes: list[int], budget: int) -> tuple[str, dict[str, object]]:
    """One round of the first stage: the part with the fewest rows drives (its rows read on
    `ix_search_key_hash_record`, grouped by record with the record's best weight for it); each other part adds the
    record's best weight for it, probed on `ix_search_key_record_hash` (NULL, and the record left out, when it has no
    key of the part); the candidates in `core.first_order` (weight, then record id, byte order on PostgreSQL too),
    the first `budget`."""
    args: dict[str, object] = {"c": centre_id, "n": budget}
    order = sorted(range(len(weighted)), key=lambda i: sizes[i])
    drive = weighted[order[0]]
    others = "".join(
        f" + (SELECT MAX({_weight(f'o{n}.key_hash', f'w{n}_', weighted[i], args)}) FROM search_key o{n} "
        f"WHERE o{n}.record_id = a.record_id AND o{n}.key_hash IN ({_marks(f'p{n}_', list(weighted[i]), args)}))"
        for n, i in enumerate(order[1:]))
    cases = "" if with_cases else " AND a.record_id NOT IN (SELECT record_id FROM record_kind WHERE kind = 'case')"
    by_bytes = ' COLLATE "C"' if dialect == "postgresql" else ""
    # MATERIALIZED: a WHERE on the weight pushed down into the grouping (SQLite) evaluated the probes twice per record
    return (f"WITH found AS MATERIALIZED (SELECT a.record_id AS record_id, "
            f"MAX({_weight('a.key_hash', 'dw', drive, args)}){others} AS weight FROM search_key a WHERE a.centre_id = :c"
            f" AND a.key_hash IN ({_marks('d', list(drive), args)}){cases} GROUP BY a.record_id) SELECT record_id FROM "
            f"found WHERE weight IS NOT NULL ORDER BY weight DESC, record_id{by_bytes} LIMIT :n", args)


# A round whose parts' keys hold at most SET_ROWS rows of the centre in all is read whole: each weight's record ids of
# each part, on ix_search_key_hash_record, weighed and intersected in memory (`core.heaviest`,
# `core.round_candidates`), as the device reads such a round (desktop_app/vault/search_reads.py). Beyond it, the one
# statement below (the rarest part drives, the others probed per record).
SET_ROWS = 40_000


def _round_by_sets(conn: Connection, centre_id: str, with_cases: bool, weighted: list[dict[str, int]],
                   budget: int) -> list[str] | None:
    """One round read whole (SET_ROWS): the same candidates in the same order as `_round_statement`; None when its
    keys hold more than SET_ROWS rows of the centre (a part that finds nothing ends the reading: no candidate)."""
    left = SET_ROWS
    cases = "" if with_cases else _NO_CASES
    bests: list[dict[str, int]] = []
    for weights in weighted:
        weighed: list[tuple[int, list[str]]] = []
        for weight in sorted(set(weights.values()), reverse=True):
            args: dict[str, object] = {"c": centre_id, "n": left + 1}
            keys = _marks("k", [hashed for hashed, w in weights.items() if w == weight], args)
            ids = [rid for (rid,) in conn.execute(sql(
                f"SELECT record_id FROM search_key WHERE centre_id = :c AND key_hash IN ({keys}){cases} LIMIT :n"),
                args)]
            left -= len(ids)
            if left < 0:
                return None
            weighed.append((weight, ids))
        best = core.heaviest(weighed)
        if not best:
            return []
        bests.append(best)
    return core.round_candidates(bests, budget)


def first_candidates(conn: Connection, hasher: KeyHasher, centre_id: str, with_cases: bool, parts: list[core.Part],
                     budget: int) -> list[str]:
    """The first stage's candidates: records of the centre holding a key of every part, at most `budget`, exact
    spellings first (`core.first_rounds`; a round that found `core.FIRST_ENOUGH` is the last), each round's in
    `core.first_order`, as `MemoryIndex.first` and the device choose them: read whole when few rows
    (`_round_by_sets`), else in one statement. No record is opened."""
    found: dict[str, None] = {}
    for round_parts in core.first_rounds(parts):
        weighted = [_part_weights(conn, hasher, part) for part in round_parts]
        if all(weighted):
            whole = _round_by_sets(conn, centre_id, with_cases, weighted, budget)
            if whole is not None:
                found.update((rid, None) for rid in whole)
            elif min(sizes := [_rows_of(conn, centre_id, list(weights)) for weights in weighted]):
                statement, args = _round_statement(conn.dialect.name, centre_id, with_cases, weighted, sizes, budget)
                found.update((rid, None) for (rid,) in conn.execute(sql(statement), args))
        if len(found) >= core.FIRST_ENOUGH:
            break
    return list(found)[:budget]


def first_results(db: Database, device: AuthenticatedDevice, *, text: str, limit: int, key: DataKey,
                  today: date | None = None, budget: int = core.FIRST_BUDGET) -> bytes:
    """The first stage (see the module docstring); a query without any key is answered in full at once. `budget`
    (the records ranked) is smaller only in tests, which compare the candidates' order with the device's."""
    today = today or date.today()
    query, ignored = parse(text, today)
    parts = core.first_parts(query)
    if not parts:
        return search(db, device, text=text, limit=limit, key=key, today=today)
    catch_up(db, key)  # every record committed before this read has its keys
    with db.read_engine.connect() as conn:
        cases = scope.may_receive_cases(conn, device.id, device.centre_id)
        ids = first_candidates(conn, KeyHasher.of(key), device.centre_id, cases, parts, budget + budget // 4)
        profiles = _profiles(conn, key, device.centre_id, cases, ids) if ids else []
    order = {rid: n for n, rid in enumerate(ids)}
    profiles = sorted(profiles, key=lambda p: order[p.id])[:budget]
    return _answer(device, query, profiles, limit=limit, today=today, complete=False, ignored=ignored)


def _answer(device: AuthenticatedDevice, query: core.Query, profiles: list[Profile], *, limit: int, today: date,
            complete: bool, ignored: list[str]) -> bytes:
    found = [core.rank(query, p, today=today) for p in profiles]
    hits = sorted((h for h in found if h is not None), key=lambda h: (-h.score, h.id))[:min(limit, MAX_LIMIT)]
    return canonical_json({"protocol_version": PROTOCOL_VERSION, "centre_id": device.centre_id, "complete": complete,
                           "results": [{"id": h.id, "score": round(h.score, 4), "why": list(h.why)} for h in hits],
                           "ignored_filters": ignored})


def search(db: Database, device: AuthenticatedDevice, *, text: str, limit: int, key: DataKey,
           today: date | None = None) -> bytes:
    """The refined search (see the module docstring)."""
    today = today or date.today()
    query, ignored = parse(text, today)
    profiles: list[Profile] = []
    if not query.empty:
        catch_up(db, key)  # every record committed before this read has its keys
        with db.read_engine.connect() as conn:
            cases = scope.may_receive_cases(conn, device.id, device.centre_id)
            if query.has_keys:
                ids = _candidates(conn, KeyHasher.of(key), device.centre_id, cases, query)
                profiles = _profiles(conn, key, device.centre_id, cases, ids) if ids else []
            else:
                profiles = _profiles(conn, key, device.centre_id, cases)
    return _answer(device, query, profiles, limit=limit, today=today, complete=True, ignored=ignored)
