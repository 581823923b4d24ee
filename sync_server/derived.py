"""Tables derived from record content, written after the transaction that stores each record version and caught up
before anything reads them (issue 12: the server's indicators and search without opening every record).

Record content is sealed at rest (atrest.py), so counting or finding people used to mean opening every record of a
centre for each request. Three tables hold what those requests need, and nothing that names anyone:

- `indicator_fact`: one row per live, finalized record that counts for the indicators, as
  `waypoint_core.registry.indicators.fact_of` reads it (the device's own reading): for a registration, the person's
  short id, sex, year of birth, nationality, centre and category; for an assistance event, referral or case, its kind,
  the short id it names (`ref`), its day, assistance type, centre and trafficking status; for an information session
  (forms/info_session.md), its day, centre and `session` (tallies, estimated reach, the registration numbers it
  names: `indicators.session_text`, migration 0018). No name, no document, no content. `reports.py` aggregates it
  with SQL and hands the result to the device's computation.
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

`refresh` rewrites a record's rows from its current values. A push (and so a USB batch) does not call it: deriving
was most of a push of named registrations' server time (about 280 us of CPU each, mostly their search keys), and the
device waits for the push. Every version a push stores has its row in the change feed, and `derived_mark` (migration
0015) holds the feed position up to which the records are derived; `catch_up` derives every record changed after it
from its current state, in transactions of CATCH_UP_CHUNK changes that move the mark with the rows they write. It runs
before each search or indicator read (so a read sees every record committed before it), at server start, and after
pushes on a background thread (`Follower`, once pushes pause), so reads seldom find much to do. A crash or an
error between a push's commit and its derivation loses nothing: the mark did not move, the next catch-up derives those
records. The undo of a bulk deletion (scope.py) writes its versions to the feed too; the forget purge (forget.py:
`forget`) removes rows; migration 0012 filled the tables from the records already held (`rebuild`).
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, inspect, text

from waypoint_core.registry import indicators
from waypoint_core.registry.keys import search_keys
from waypoint_core.registry.person import prepare
from waypoint_core.registry.stored import person_from_content

from . import fastjson, logs
from .atrest import DataKey, aad, open_text

if TYPE_CHECKING:
    from .db import Database

CONTENT, DELETED = "#content", "#deleted"  # as merge.py names them (not imported: merge.py is the push's own)
READ = ("sex", "age", "nationality", "centre", "registered_on", "beneficiary_category", "person_ref",
        "assistance_type", "trafficking_status", "record_kind")
SESSION_READ = (*READ, *indicators.SESSION_FIELDS)  # an information session's answers: of that form's records only
FACT_COLUMNS = ("record_id", "centre_id", "short", "sex", "birth_year", "nationality", "centre", "category", "link",
                "ref", "day", "assistance_type", "trafficking_status", "session")
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
    names = SESSION_READ if form_id == indicators.SESSION_FORM else READ
    fields = {name: str(values[name]) for name in names if values.get(name) not in (None, "")}
    return indicators.StoredRecord(record_id, form_id, _text(fields.get("sex")), _int(fields.get("age")),
                                   _text(fields.get("nationality")), _text(fields.get("centre")),
                                   _text(fields.get("registered_on")), fields)


def fact_row(record_id: str, centre_id: str, form_id: str, values: dict[str, Any]) -> tuple[Any, ...] | None:
    row = stored_row(record_id, form_id, values)
    fact = indicators.fact_of(row) if row is not None else None
    if fact is None:
        return None
    p = fact.person
    if fact.session is not None:  # an information session: its day, centre and tallies (migration 0018)
        return (record_id, centre_id, None, None, None, None, fact.centre, None, None, "", fact.session.day.isoformat(),
                None, None, indicators.session_text(fact.session))
    return (record_id, centre_id, fact.short, p and p.sex, p and p.birth_year, p and p.nationality, p and p.centre,
            p and p.category, fact.link, fact.ref, fact.day.isoformat() if fact.day else None, fact.assistance_type,
            fact.trafficking_status, None)


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
    """A record's values after a write (`new`: it had no rows before, nothing to delete)."""

    record_id: str
    centre_id: str
    form_id: str
    values: dict[str, Any]
    new: bool = False
    version: int = 0  # the record version these values are (0: not said)


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
    """Every record's rows made again from its sealed state (migration 0012); returns the records read. Once the mark
    exists (migration 0015) it moves to the feed's end: every record is derived."""
    if inspect(conn).has_table("derived_mark"):
        conn.exec_driver_sql("UPDATE derived_mark SET last_seq = (SELECT last_seq FROM change_counter WHERE id = 1)")
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


# --- after the commit: the mark --------------------------------------------------------------------------------------

CATCH_UP_CHUNK = 1_000  # changes derived per transaction: a push waiting for SQLite's write lock waits for one of them
_BEHIND = text("SELECT (SELECT last_seq FROM change_counter WHERE id = 1) - (SELECT last_seq FROM derived_mark WHERE id = 1)")
_CHANGED = text("SELECT seq, record_id, server_version FROM change WHERE seq > :m ORDER BY seq LIMIT :n")
_CURRENT = text("SELECT id, centre_id, form_id, server_version, state FROM record WHERE id IN :ids").bindparams(
    bindparam("ids", expanding=True))


def behind(conn: Connection) -> int:
    """How many changes of the feed are not derived yet (committed ones: the counter moves in the push's transaction)."""
    return int(conn.execute(_BEHIND).scalar_one())


def catch_up(db: Database, key: DataKey, known: Mapping[str, Change] | None = None) -> int:
    """Derive the records changed after the mark, from their current state; returns the changes read (0: the tables
    were up to date, which costs one read). `known`: values of record versions this process wrote (by record id),
    used instead of opening the record when they are its latest version in the feed read."""
    with db.read_engine.connect() as conn:
        if behind(conn) <= 0:
            return 0
    done = 0
    while True:
        with db.write_engine.begin() as conn:
            read = catch_up_chunk(conn, key, known or {})
        if not read:
            return done
        done += read


def catch_up_chunk(conn: Connection, key: DataKey, known: Mapping[str, Change], *, chunk: int = CATCH_UP_CHUNK) -> int:
    """One step of `catch_up` in the caller's write transaction: the next `chunk` changes after the mark derived and
    the mark moved past them. The mark's row is locked first (PostgreSQL; SQLite's write transaction holds the whole
    database), so two catch-ups never derive the same changes, and the feed is read under it: a change of seq N is
    committed only after every lower one (push.py), so nothing is skipped."""
    lock = " FOR UPDATE" if conn.dialect.name == "postgresql" else ""
    mark = conn.execute(text(f"SELECT last_seq FROM derived_mark WHERE id = 1{lock}")).scalar_one()
    rows = conn.execute(_CHANGED, {"m": mark, "n": chunk}).all()
    if not rows:
        return 0
    latest = {record_id: version for _seq, record_id, version in rows}  # in seq order: each record's last
    # A record whose first version is after the mark was never derived (only a catch-up derives, one at a time, and
    # `rebuild` moves the mark to the end): no rows to delete first.
    new = {record_id for _seq, record_id, version in rows if version == 1}
    # A version's values never change (a later one has its own change, derived after): the values this process
    # wrote for a record's last version read here are its state as of the mark, without opening the record.
    changes = [Change(c.record_id, c.centre_id, c.form_id, c.values, c.record_id in new) for record_id, version
               in latest.items() if (c := known.get(record_id)) is not None and c.version == version]
    found = {c.record_id for c in changes}
    ids = sorted(latest.keys() - found)
    for start in range(0, len(ids), IN_CHUNK):
        for r in conn.execute(_CURRENT, {"ids": ids[start:start + IN_CHUNK]}):
            values = fastjson.loads(key.open(r.state, aad("record", r.id, r.server_version)))
            changes.append(Change(r.id, r.centre_id, r.form_id, values, r.id in new))
            found.add(r.id)
    forget(conn, [record_id for record_id in ids if record_id not in found])  # no record row: nothing to derive
    refresh(conn, changes, key)
    conn.execute(text("UPDATE derived_mark SET last_seq = :s WHERE id = 1"), {"s": rows[-1][0]})
    return len(rows)


class Follower:
    """Catches the derived tables up on a background thread after pushes, once they pause (QUIET_S without a new
    one, or AT_MOST_S after the first not derived), so that a burst of batches is not slowed by it and a read
    seldom has much left to derive. Whatever it has not done, the next read or the next start does."""

    QUIET_S = 1.0
    AT_MOST_S = 10.0
    KEEP = 20_000  # record versions' values kept for the next catch-up (beyond: opened from the database)

    def __init__(self, db: Database, key: DataKey) -> None:
        self.db, self.key = db, key
        self._wake = threading.Condition()
        self._first: float | None = None  # monotonic time of the first push not derived yet
        self._last = 0.0
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._known: dict[str, Change] = {}

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="derived-follower", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def noted(self, written: Iterable[Change] = ()) -> None:
        """A push committed changes (`written`: the values of the versions it wrote, with their numbers)."""
        with self._wake:
            for change in written:
                if len(self._known) < self.KEEP or change.record_id in self._known:
                    self._known[change.record_id] = change
            self._last = time.monotonic()
            if self._first is None:
                self._first = self._last
            self._wake.notify()

    def _due(self) -> float | None:
        """Seconds until a catch-up is due (0: now), None when nothing waits."""
        if self._first is None:
            return None
        now = time.monotonic()
        return max(0.0, min(self._last + self.QUIET_S, self._first + self.AT_MOST_S) - now)

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._stopping and (wait := self._due()) != 0:
                    self._wake.wait(wait)
                if self._stopping:
                    return
                # every version noted so far is committed, so this catch-up (to the feed's end) derives it
                self._first, known, self._known = None, self._known, {}
            try:
                catch_up(self.db, self.key, known)
            except Exception as exc:  # the next read or start derives what this left
                logs.log_event("error", level=logging.ERROR, error=type(exc).__name__, route="derived.catch_up")
