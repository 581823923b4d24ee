"""Tables derived from record content, written in the transaction that stores each record version (issue 12: the
server's indicators and search without opening every record).

Record content is sealed at rest (atrest.py), so counting or finding people used to mean opening every record of a
centre for each request. Three tables hold what those requests need, and nothing that names anyone:

- `indicator_fact`: one row per live, finalized record that counts for the indicators, as
  `waypoint_core.registry.indicators.fact_of` reads it (the device's own reading): for a registration, the person's
  short id, sex, year of birth, nationality, centre and category; for an assistance event, referral or case, its kind,
  the short id it names (`ref`), its day, assistance type, centre and trafficking status. No name, no document, no
  content. `reports.py` aggregates it with SQL and hands the result to the device's computation.
- `search_key`: the search keys of each live registration that names a person (`waypoint_core.registry.keys.
  search_keys`: phonetic and spelling keys of each name word, document, phone, date of birth), each stored as a keyed
  hash (HMAC-SHA256 under a key derived from the data key, so the database alone reveals no name, number or date);
- `search_prefix`: for the word still being typed, each name key's prefixes of two characters or more, hashed apart,
  beside the hash of the whole key; written once per distinct key (the first record that has it), so a record pays
  for prefixes only when it brings a new word. A key's prefixes stay when no record has it any more: they are
  hashes of a word, not linked to anyone. `search.py` looks the query's keys up and opens only the records it ranks.

The search key is derived from the data key (`KeyHasher.of`), kept beside it in `keys/` and never in the database.
`admin rotate-keys` rotates the signing and batch keys only; a future rotation of the data key must run `rebuild`
(the hashes change with it).

`refresh` rewrites a record's rows from its current values: push (and so USB batches), the undo of a bulk deletion
(scope.py) and the forget purge (forget.py: `forget`) call it beside their write of `record`; migration 0012 fills the tables
from the records already held.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, text

from waypoint_core.registry import indicators
from waypoint_core.registry.keys import search_keys
from waypoint_core.registry.person import prepare
from waypoint_core.registry.stored import person_from_content

from .atrest import DataKey, open_text

CONTENT, DELETED = "#content", "#deleted"  # as merge.py names them (not imported: merge.py is the push's own)
READ = ("sex", "age", "nationality", "centre", "registered_on", "beneficiary_category", "person_ref",
        "assistance_type", "trafficking_status", "record_kind")
FACT_COLUMNS = ("record_id", "centre_id", "short", "sex", "birth_year", "nationality", "centre", "category", "link",
                "ref", "day", "assistance_type", "trafficking_status")
HASH_CHARS = 32  # 128 bits of the HMAC, in hex
IN_CHUNK = 500
MIN_PREFIX = 2  # search.prefix_ranges: the word being typed is looked up from its second character
PREFIXED = ("s:", "n:")  # the keys prefix_ranges looks up by range


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def stored_row(record_id: str, form_id: str, values: dict[str, Any]) -> indicators.StoredRecord | None:
    """The record as the indicators read it; None unless it is live and finalized."""
    if values.get(DELETED) or values.get("@status", "finalized") != "finalized":
        return None
    fields = {name: str(values[name]) for name in READ if values.get(name) not in (None, "")}
    return indicators.StoredRecord(record_id, form_id, _text(fields.get("sex")), _int(fields.get("age")),
                                   _text(fields.get("nationality")), _text(fields.get("centre")),
                                   _text(fields.get("registered_on")), fields)


def fact_row(record_id: str, centre_id: str, form_id: str, values: dict[str, Any]) -> tuple[Any, ...] | None:
    row = stored_row(record_id, form_id, values)
    fact = indicators.fact_of(row) if row is not None else None
    if fact is None:
        return None
    p = fact.person
    return (record_id, centre_id, fact.short, p and p.sex, p and p.birth_year, p and p.nationality, p and p.centre,
            p and p.category, fact.link, fact.ref, fact.day.isoformat() if fact.day else None, fact.assistance_type,
            fact.trafficking_status)


# --- search keys ---------------------------------------------------------------------------------------------------


class KeyHasher:
    """Keyed hashes of search keys: HMAC-SHA256 under a key derived from the data key (kept in the keys folder, never
    in the database), with exact keys and prefixes in separate domains."""

    def __init__(self, secret: bytes) -> None:
        self._exact = hmac.new(secret, b"k\x00", "sha256")
        self._prefix = hmac.new(secret, b"p\x00", "sha256")

    @classmethod
    def of(cls, key: DataKey) -> KeyHasher:
        return cls(hmac.digest(key.raw, b"waypoint/server-search-key/v1", "sha256"))

    @staticmethod
    def _hash(base: hmac.HMAC, text: str) -> str:
        mac = base.copy()
        mac.update(text.encode("utf-8"))
        return mac.hexdigest()[:HASH_CHARS]

    def exact(self, key: str) -> str:
        return self._hash(self._exact, key)

    def prefix(self, prefix: str) -> str:
        return self._hash(self._prefix, prefix)


def person_keys(values: dict[str, Any], record_id: str) -> set[str]:
    """The search keys of a live registration that names a person (the server's search reads the same records:
    every status, tombstones left out); empty for any other record."""
    if values.get(DELETED):
        return set()
    person = person_from_content(record_id, values.get(CONTENT), status=values.get("@status"),
                                 created_at=values.get("@created_at"))
    return search_keys(prepare(person)) if person is not None else set()


def prefixes(key: str) -> list[str]:
    """The prefixes `search.prefix_ranges` may look a name key up by: its tag and two characters or more."""
    return [key[:2 + n] for n in range(MIN_PREFIX, len(key) - 1)] if key[:2] in PREFIXED else []


# --- writing -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """A record's current values after a write (`new`: it had no rows before, nothing to delete)."""

    record_id: str
    centre_id: str
    form_id: str
    values: dict[str, Any]
    new: bool = False


def _executemany(conn: Connection, sql: str, rows: list[tuple[Any, ...]]) -> None:
    if rows:
        if conn.dialect.paramstyle != "qmark":
            sql = sql.replace("?", "%s")
        conn.exec_driver_sql(sql, rows)


_INSERT_FACT = f"INSERT INTO indicator_fact ({', '.join(FACT_COLUMNS)}) VALUES ({', '.join('?' * len(FACT_COLUMNS))})"
_INSERT_KEY = "INSERT INTO search_key (record_id, centre_id, key_hash) VALUES (?, ?, ?)"
_INSERT_PREFIX = ("INSERT INTO search_prefix (full_hash, prefix_hash) VALUES (?, ?) "
                  "ON CONFLICT (full_hash, prefix_hash) DO NOTHING")


def forget(conn: Connection, record_ids: Iterable[str]) -> None:
    """Remove the derived rows of these records (the prefixes of their words stay: they name no record)."""
    ids = [(record_id,) for record_id in record_ids]
    _executemany(conn, "DELETE FROM indicator_fact WHERE record_id = ?", ids)
    _executemany(conn, "DELETE FROM search_key WHERE record_id = ?", ids)


def refresh(conn: Connection, changes: Iterable[Change], key: DataKey) -> None:
    """Rewrite the derived rows of these records from their current values, in the caller's transaction."""
    changes = list(changes)
    if not changes:
        return
    forget(conn, (c.record_id for c in changes if not c.new))
    hasher = KeyHasher.of(key)
    facts, keys = [], []
    words: dict[str, str] = {}  # hash -> name key, for the keys whose prefixes may be looked up
    for c in changes:
        if (fact := fact_row(c.record_id, c.centre_id, c.form_id, c.values)) is not None:
            facts.append(fact)
        for k in person_keys(c.values, c.record_id):
            hashed = hasher.exact(k)
            keys.append((c.record_id, c.centre_id, hashed))
            if k[:2] in PREFIXED:
                words[hashed] = k
    _executemany(conn, _INSERT_FACT, facts)
    _executemany(conn, _INSERT_KEY, keys)
    if words:  # a word's prefixes are written once, by the first record that has it
        known = _known_words(conn, sorted(words))
        _executemany(conn, _INSERT_PREFIX, [(hashed, hasher.prefix(p)) for hashed, k in sorted(words.items())
                                            if hashed not in known for p in prefixes(k)])


def _known_words(conn: Connection, hashes: list[str]) -> set[str]:
    known: set[str] = set()
    for start in range(0, len(hashes), IN_CHUNK):
        chunk = hashes[start:start + IN_CHUNK]
        known.update(h for (h,) in conn.execute(text(
            "SELECT DISTINCT full_hash FROM search_prefix WHERE full_hash IN :h").bindparams(
            bindparam("h", expanding=True)), {"h": chunk}))
    return known


def rebuild(conn: Connection, key: DataKey, *, chunk: int = 1_000) -> int:
    """Every record's rows made again from its sealed state (migration 0012); returns the records read."""
    conn.exec_driver_sql("DELETE FROM indicator_fact")
    conn.exec_driver_sql("DELETE FROM search_key")
    conn.exec_driver_sql("DELETE FROM search_prefix")
    after, done = "", 0
    while True:
        rows = conn.execute(text("SELECT id, centre_id, form_id, server_version, state FROM record "
                                 "WHERE deleted = :f AND id > :after ORDER BY id LIMIT :n"),
                            {"f": False, "after": after, "n": chunk}).all()
        if not rows:
            return done
        refresh(conn, [Change(r.id, r.centre_id, r.form_id, json.loads(open_text(
            key, r.state, table="record", row_id=r.id, version=r.server_version)), new=True) for r in rows], key)
        after, done = rows[-1].id, done + len(rows)
