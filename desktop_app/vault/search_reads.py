"""Reading the search index (tables of migration 0009, written only by writer/search.py): the look-ups a search
makes, the profiles it ranks, the summary lines it shows. Every query keeps to the rows a person may see
(`Visible`, decided by desktop_app/services/access.py) and to live registrations."""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from desktop_app.vault.registrations import EVERYTHING, Visible
from desktop_app.vault.sql import chunks, in_list
from desktop_app.vault.vault import Vault
from waypoint_core.registry.search import (
    FIRST_ENOUGH, RANGE_WEIGHT, Part, best_weights, first_rounds, first_tiers, round_candidates,
)


@dataclass(frozen=True)
class Summary:
    """What a result line shows besides the reasons: the summary columns, never the content."""

    id: str
    form_id: str
    status: str
    title: str | None
    sex: str | None
    age: int | None
    nationality: str | None
    centre: str | None
    registered_on: str | None


def _raw(session: Any) -> Any:
    """The driver's own connection in this session's transaction: result rows without SQLAlchemy's per-row cost
    (a common name's look-up returns thousands of rows)."""
    return session.connection().connection.driver_connection


def key_hits(vault: Vault, keys: Iterable[str], ranges: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(key, record id) rows for exact keys and key ranges [low, high), probed on the index alone (its primary
    key covers them). A record's rows go with it, so every id found is a live record; who may see it is
    `visible_ids`' question, asked of the few the pre-ranking keeps."""
    found: list[tuple[str, str]] = []
    with vault.session(readonly=True) as session:
        raw = _raw(session)
        for part in chunks(sorted(keys)):
            marks, params = in_list(part)
            found += raw.execute(f"SELECT key, record_id FROM search_key WHERE key IN ({marks})", params).fetchall()
        for low, high in ranges:
            found += raw.execute("SELECT key, record_id FROM search_key WHERE key >= :low AND key < :high "
                                 "LIMIT 5000", {"low": low, "high": high}).fetchall()
    return found


# the index's primary key (key, record_id): a probe for one record under a few keys is a few seeks in pages that stay
# in the cache (the rows of those keys), where the record_id index would read a page anywhere in the index per probe
_BY_KEY = "INDEXED BY sqlite_autoindex_search_key_1"
_BY_RECORD = "INDEXED BY ix_search_key_record"


def _part_filter(part: Part, params: dict[str, Any], name: str, alias: str = "") -> str:
    """SQL true when a search_key row holds one of the part's keys or a key in one of its ranges."""
    column = f"{alias}.key" if alias else "key"
    terms = []
    if part.keys:
        marks, named = in_list(list(part.keys), prefix=f"{name}k")
        params.update(named)
        terms.append(f"{column} IN ({marks})")
    for n, (low, high) in enumerate(part.ranges):
        params[f"{name}l{n}"], params[f"{name}h{n}"] = low, high
        terms.append(f"({column} >= :{name}l{n} AND {column} < :{name}h{n})")
    return " OR ".join(terms) if terms else "0"


def _weight(column: str, part: Part, params: dict[str, Any], name: str) -> str:
    """SQL: the weight of the key in `column` for the part (`Part.weights`; a key found in a range only weighs
    `RANGE_WEIGHT`)."""
    weights = part.weights()
    if not weights:
        return str(RANGE_WEIGHT)
    whens = []
    for n, (key, weight) in enumerate(weights.items()):
        params[f"{name}{n}"] = key
        whens.append(f"WHEN :{name}{n} THEN {weight}")
    return f"CASE {column} {' '.join(whens)} ELSE {RANGE_WEIGHT} END"


def _part_weight(part: Part, params: dict[str, Any], name: str) -> str:
    """SQL: the best weight of record `a.record_id` for `part`, NULL when it holds none of its keys. Its keys are
    probed on the primary key; its ranges (the word being typed: weight RANGE_WEIGHT, below any exact key), only
    when no exact key was found, on the record's own rows."""
    tests = []
    if part.keys:
        keys = Part(part.name, part.keys)
        tests.append(f"(SELECT MAX({_weight(f'{name}.key', keys, params, name + 'w')}) FROM search_key {name} "
                     f"{_BY_KEY} WHERE {name}.record_id = a.record_id AND ({_part_filter(keys, params, name, name)}))")
    if part.ranges:
        ranges = Part(part.name, (), part.ranges)
        tests.append(f"(SELECT {RANGE_WEIGHT} FROM search_key {name}r {_BY_RECORD} WHERE {name}r.record_id = "
                     f"a.record_id AND ({_part_filter(ranges, params, name + 'r', name + 'r')}) LIMIT 1)")
    return f"coalesce({', '.join(tests)})" if len(tests) > 1 else tests[0] if tests else "NULL"


def _round_statement(parts: list[Part], sizes: list[int], budget: int) -> tuple[str, dict[str, Any]]:
    """One round of the first stage in one statement, for a round whose rarest part has few rows: that part (`sizes`:
    its rows counted, `_counted`) drives: its rows read on the covering primary key, grouped by record with the
    record's best weight for it; each other part adds the record's best weight for it (`_part_weight`; NULL leaves
    the record out); the candidates in `core.first_order` (weight, then record id), the first `budget`."""
    order = sorted(range(len(parts)), key=lambda i: sizes[i])
    params: dict[str, Any] = {"limit": budget}
    others = "".join(f" + {_part_weight(parts[i], params, f'o{n}')}" for n, i in enumerate(order[1:]))
    drive = parts[order[0]]
    # MATERIALIZED: a HAVING on the weight, or a WHERE that SQLite pushes down into the grouping, evaluated the other
    # parts' probes twice per record
    return (f"WITH found AS MATERIALIZED (SELECT a.record_id AS record_id, max({_weight('a.key', drive, params, 'dw')})"
            f"{others} AS weight FROM search_key a WHERE ({_part_filter(drive, params, 'd', 'a')}) GROUP BY a.record_id)"
            f" SELECT record_id FROM found WHERE weight IS NOT NULL ORDER BY weight DESC, record_id LIMIT :limit",
            params)


# A round whose rarest part has at least TIERS_FROM rows (a common name's sound, a beginning of a few letters) is read
# tier by tier (`core.first_tiers`), each tier's records in record id order, and stops at the budget: the one
# statement above reads, groups and sorts every row of the driving part (thousands at 100,000 people).
TIERS_FROM = 1_000
# a word being typed alone whose key ranges hold this many rows or more drives its lowest tier by walking the record
# index in record id order, stopped at the budget (a common beginning finds it soon); fewer are read whole and sorted
WALK_FROM = 5_000
LEVEL_CAP = WALK_FROM  # rows of a part's keys of one weight counted, to choose what drives a tier
# a probe of a word being typed's ranges reads the record's own rows on the record index, a page anywhere in it,
# where a probe of exact keys reads the pages of those keys' rows, which stay in the cache: about this many times dearer
RANGE_PROBE = 4


def _level_test(part: Part, weight: int, params: dict[str, Any], name: str, *, holds: bool) -> str:
    """SQL true when record `a.record_id`'s weight for `part` is `weight` (one of its `Part.levels`). An exact weight
    is the best weight of the part's exact keys the record holds, probed on the primary key; the weight of a
    beginning (`RANGE_WEIGHT`) is holding none of them, and a key in a range (known already when `holds`)."""
    exact = Part(part.name, part.keys)
    probe = (f"FROM search_key {name} {_BY_KEY} WHERE {name}.record_id = a.record_id AND "
             f"({_part_filter(exact, params, name, name)})")
    if weight != RANGE_WEIGHT:
        return f"(SELECT MAX({_weight(f'{name}.key', exact, params, name + 'w')}) {probe}) = {weight}"
    tests = [f"NOT EXISTS (SELECT 1 {probe})"] if part.keys else []
    if not holds:
        ranges = Part(part.name, (), part.ranges)
        tests.append(f"EXISTS (SELECT 1 FROM search_key {name}r {_BY_RECORD} WHERE {name}r.record_id = a.record_id "
                     f"AND ({_part_filter(ranges, params, name + 'r', name + 'r')}))")
    return " AND ".join(tests)


def _tier_statements(parts: list[Part], levels: list[list[tuple[int, Part]]], chosen: tuple[int, ...],
                     counts: dict[tuple[int, int], int]) -> list[tuple[str, dict[str, Any]]]:
    """Statements whose rows, merged in record id order, are the records of one weight per part (`chosen`: an index
    into each part's `Part.levels`), each record at least once. What drives is the part's keys of its weight with the
    fewest rows (`counts`; a word being typed's ranges as a test cost RANGE_PROBE times more): each of those keys read
    on the primary key (key, record_id), which gives its records in record id order with no sort; every other part's
    weight tested (`_level_test`; the driving part's too unless its heaviest keys drive). A word being typed drives by
    its ranges, read on the primary key and sorted, or, alone and common (`WALK_FROM`), walking the record index."""
    ranged = [i for i, n in enumerate(chosen) if not levels[i][n][1].keys]
    penalty = RANGE_PROBE if ranged else 1
    drive = min(range(len(parts)), key=lambda i: counts[i, chosen[i]] * (1 if i in ranged else penalty))
    params: dict[str, Any] = {}
    # the exact keys' tests first: SQLite evaluates them in the order written, and a range's probe is the dearest
    tests = "".join(f" AND {_level_test(parts[i], levels[i][n][0], params, f'o{i}', holds=i == drive)}"
                    for i, n in sorted(enumerate(chosen), key=lambda c: c[0] in ranged) if i != drive or n)
    level = levels[drive][chosen[drive]][1]
    if level.keys:
        return [(f"SELECT a.record_id FROM search_key a {_BY_KEY} WHERE a.key = :dk{tests} ORDER BY a.record_id",
                 {**params, "dk": key}) for key in level.keys]
    by = _BY_RECORD if len(parts) == 1 and counts[drive, chosen[drive]] >= WALK_FROM else _BY_KEY
    return [(f"SELECT a.record_id FROM search_key a {by} WHERE ({_part_filter(level, params, 'd', 'a')}){tests} "
             "ORDER BY a.record_id", params)]


def _count_statements(part: Part) -> list[tuple[str, dict[str, Any]]]:
    """A part's rows counted key by key and range by range (each one range of the primary key, at most LEVEL_CAP):
    counted in one statement, the parts' keys and ranges made SQLite gather and sort the rows' ids to count each once."""
    by_key = "SELECT count(*) FROM (SELECT 1 FROM search_key WHERE key = :key LIMIT :cap)"
    by_range = "SELECT count(*) FROM (SELECT 1 FROM search_key WHERE key >= :low AND key < :high LIMIT :cap)"
    return ([(by_key, {"key": key, "cap": LEVEL_CAP}) for key in part.keys]
            + [(by_range, {"low": low, "high": high, "cap": LEVEL_CAP}) for low, high in part.ranges])


def _counted(raw: Any, parts: list[Part]) -> tuple[list[list[tuple[int, Part]]], dict[tuple[int, int], int]]:
    """Each part's `Part.levels` and the rows of each level's keys, counted up to LEVEL_CAP a key (or range): what
    chooses the way a round is read and what drives it."""
    levels = [part.levels() for part in parts]
    counts = {(i, n): sum(raw.execute(*statement).fetchone()[0] for statement in _count_statements(level))
              for i, part_levels in enumerate(levels) for n, (_, level) in enumerate(part_levels)}
    return levels, counts


def _round_by_tiers(raw: Any, parts: list[Part], levels: list[list[tuple[int, Part]]],
                    counts: dict[tuple[int, int], int], budget: int) -> list[str]:
    """One round of the first stage tier by tier (`core.first_tiers`): the same candidates in the same order as
    `_round_statement`, each tier's statements merged in record id order and left at the budget."""
    found: list[str] = []
    for tier in first_tiers(parts):
        need = budget - len(found)
        statements = [st for chosen in tier if all(counts[i, n] for i, n in enumerate(chosen))
                      for st in _tier_statements(parts, levels, chosen, counts)]
        cursors = [raw.execute(*statement) for statement in statements]
        try:
            last = None
            for (record_id,) in heapq.merge(*cursors):
                if record_id != last:
                    found.append(last := record_id)
                    need -= 1
                    if not need:
                        return found
        finally:
            for cursor in cursors:
                cursor.close()
    return found


# A round whose parts' keys and ranges hold at most SET_ROWS rows in all is read whole: each key's and each range's
# record ids, read on the primary key (key, record_id), where a key's rows lie together in a few pages, and weighed and
# intersected in memory (core.best_weights, core.round_candidates, as MemoryIndex does). Probing each candidate for
# the other parts read a page of the record index anywhere in it for a beginning, which SQLCipher decrypted: a first
# stage touching a few thousand records spent most of its time there (at 100,000 people, 'Diallo Ali Mous' 50-60 ms
# CPU tier by tier, 16 ms read whole). Beyond SET_ROWS (a beginning of two or three common letters beside other
# words), the reads below, which stop at the budget.
SET_ROWS = 40_000
_KEY_IDS = "SELECT record_id FROM search_key WHERE key = :key LIMIT :cap"
_RANGE_IDS = "SELECT record_id FROM search_key WHERE key >= :low AND key < :high LIMIT :cap"


def _round_by_sets(raw: Any, parts: list[Part], budget: int,
                   read: dict[tuple[str, str | None], list[str]] | None = None) -> list[str] | None:
    """One round of the first stage read whole (see SET_ROWS): the same candidates in the same order as tier by tier;
    None when its keys and ranges hold more than SET_ROWS rows (a part that finds nothing ends the reading: no
    candidate). `read`: the records of each key (key, None) and range (low, high) read by an earlier round, which
    the next reuses (the second round's keys are the first's spellings and their sounds)."""
    read = {} if read is None else read
    left = SET_ROWS

    def records(low: str, high: str | None) -> list[str] | None:
        nonlocal left
        found = read.get((low, high))
        if found is None:
            statement, params = (_KEY_IDS, {"key": low}) if high is None else (_RANGE_IDS, {"low": low, "high": high})
            found = [row[0] for row in raw.execute(statement, {**params, "cap": left + 1}).fetchall()]
        left -= len(found)
        if left < 0:
            return None
        read[low, high] = found
        return found

    bests: list[dict[str, int]] = []
    for part in parts:  # a part's exact keys first: a beginning's ranges are the likeliest to be many rows
        by_key: dict[str, list[str]] = {}
        for key in part.keys:
            if (of_key := records(key, None)) is None:
                return None
            by_key[key] = of_key
        in_ranges: list[list[str]] = []
        for low, high in part.ranges:
            if (of_range := records(low, high)) is None:
                return None
            in_ranges.append(of_range)
        best = best_weights(part, by_key, in_ranges)
        if not best:
            return []
        bests.append(best)
    return round_candidates(bests, budget)


def _round(raw: Any, parts: list[Part], budget: int,
           read: dict[tuple[str, str | None], list[str]] | None = None) -> list[str]:
    """The candidates of one round of the first stage (core.first_rounds) in `core.first_order`, the first `budget`;
    none when a part finds nothing. Read whole when few rows (`_round_by_sets`; `read`: what earlier rounds read so),
    else tier by tier or in one statement, by the rows of each part counted."""
    found = _round_by_sets(raw, parts, budget, read)
    if found is not None:
        return found
    levels, counts = _counted(raw, parts)
    sizes = [sum(counts[i, n] for n in range(len(part_levels))) for i, part_levels in enumerate(levels)]
    if min(sizes) == 0:
        return []
    if min(sizes) >= TIERS_FROM:
        return _round_by_tiers(raw, parts, levels, counts, budget)
    return [row[0] for row in raw.execute(*_round_statement(parts, sizes, budget)).fetchall()]


def first_candidates(vault: Vault, parts: list[Part], budget: int, *, enough: int = FIRST_ENOUGH) -> list[str]:
    """The first stage's candidates (waypoint_core.registry.search.first_parts): records holding a key of every part,
    at most `budget`, exact spellings first (core.first_rounds); when the exact spellings alone find `enough`, those
    are the first results (they rank above any other spelling). Each round's in `core.first_order`, as the server and
    `MemoryIndex.first` choose them. No profile and no record is read here."""
    if not parts:
        return []
    found: dict[str, None] = {}
    read: dict[tuple[str, str | None], list[str]] = {}
    with vault.session(readonly=True) as session:
        raw = _raw(session)
        for round_parts in first_rounds(parts):
            found.update((record_id, None) for record_id in _round(raw, round_parts, budget, read))
            if len(found) >= enough:
                break
    return list(found)[:budget]


def first_plans(vault: Vault, parts: list[Part]) -> list[list[str]]:
    """EXPLAIN QUERY PLAN of the first stage's statements for these parts, read whole, in one statement and tier by
    tier (tests check that none scans a table)."""
    with vault.session(readonly=True) as session:
        raw = _raw(session)
        statements = [st for part in parts for st in _count_statements(part)]
        statements += [(_KEY_IDS, {"key": key, "cap": SET_ROWS}) for part in parts for key in part.keys]
        statements += [(_RANGE_IDS, {"low": low, "high": high, "cap": SET_ROWS}) for part in parts
                       for low, high in part.ranges]
        for round_parts in first_rounds(parts):
            statements.append(_round_statement(round_parts, [1] * len(round_parts), 1))
            levels, counts = _counted(raw, round_parts)
            for walk in (0, WALK_FROM):  # each way a tier can be driven
                counted = {level: walk for level in counts}
                statements += [st for tier in first_tiers(round_parts) for chosen in tier
                               for st in _tier_statements(round_parts, levels, chosen, counted)]
        return [[str(row[-1]) for row in raw.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()]
                for sql, params in statements]


def visible_ids(vault: Vault, record_ids: list[str], visible: Visible = EVERYTHING, *,
                wanted: int | None = None) -> list[str]:
    """These records, in their order, keeping the live ones `visible` (one primary-key look-up each); with `wanted`,
    the first `wanted` of them, the records after the first `wanted` looked up only when some of those are not kept
    (each look-up reads a page of the registrations anywhere in the table)."""
    wanted = len(record_ids) if wanted is None else wanted
    kept: list[str] = []
    with vault.session(readonly=True) as session:
        raw = _raw(session)
        start = 0
        while len(kept) < wanted and start < len(record_ids):
            asked = record_ids[start:start + wanted - len(kept)]
            start += len(asked)
            found: set[str] = set()
            for part in chunks(asked):
                marks, params = in_list(part)
                # "+deleted": without it SQLite reads the list index on `deleted` whole instead of the primary key
                sql = f"SELECT id FROM registration WHERE id IN ({marks}) AND +deleted = 0" + visible.where(params)
                found.update(row[0] for row in raw.execute(sql, params).fetchall())
            kept += [record_id for record_id in asked if record_id in found]
    return kept


def profiles(vault: Vault, record_ids: Iterable[str]) -> dict[str, str]:
    """record id → stored profile JSON."""
    found: dict[str, str] = {}
    with vault.session(readonly=True) as session:
        raw = _raw(session)
        for part in chunks(list(record_ids)):
            marks, params = in_list(part)
            found.update(raw.execute(f"SELECT record_id, profile FROM search_profile WHERE record_id IN ({marks})",
                                     params).fetchall())
    return found


def filtered(vault: Vault, filters: dict[str, frozenset[str]], *, age: tuple[int, int] | None, limit: int,
             visible: Visible = EVERYTHING) -> dict[str, str]:
    """Profiles of the newest indexed registrations whose summary columns pass `filters` (nationality, centre,
    status, sex) and `age` (low, high): a query with no name, number or date."""
    params: dict[str, Any] = {"limit": int(limit)}
    where = ""
    for n, (column, values) in enumerate(sorted(filters.items())):
        if column not in ("nationality", "centre", "status", "sex"):
            continue
        marks, named = in_list(sorted(values), prefix=f"f{n}_")
        params.update(named)
        where += f" AND r.{column} IN ({marks})"
    if age is not None:
        params.update(age_low=age[0], age_high=age[1])
        where += " AND r.age BETWEEN :age_low AND :age_high"
    sql = ("SELECT s.record_id, s.profile FROM registration r JOIN search_profile s ON s.record_id = r.id "
           "WHERE r.deleted = 0" + visible.where(params, "r.") + where + " ORDER BY r.updated_at DESC LIMIT :limit")
    with vault.session(readonly=True) as session:
        return {row[0]: row[1] for row in session.connection().execute(text(sql), params)}


def summaries(vault: Vault, record_ids: Iterable[str]) -> dict[str, Summary]:
    found: dict[str, Summary] = {}
    with vault.session(readonly=True) as session:
        raw = _raw(session)  # the driver's rows: SQLAlchemy's text() parsed the statement's 50 parameters each time
        for part in chunks(list(record_ids)):
            marks, params = in_list(part)
            for row in raw.execute(
                    "SELECT id, form_id, status, title, sex, age, nationality, centre, registered_on FROM registration "
                    f"WHERE id IN ({marks}) AND +deleted = 0", params).fetchall():
                found[row[0]] = Summary(*row)
    return found


def index_size(vault: Vault) -> tuple[int, int]:
    """(profiles, keys) held: for tests and the benchmark."""
    with vault.session(readonly=True) as session:
        conn = session.connection()
        people = int(conn.execute(text("SELECT count(*) FROM search_profile")).scalar_one())
        keys = int(conn.execute(text("SELECT count(*) FROM search_key")).scalar_one())
    return people, keys
