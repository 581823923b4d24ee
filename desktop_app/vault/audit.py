"""The device's audit log: the only module that writes or reads table audit_entry (migration 0011).

One hash chain per vault, named by the vault's device id (waypoint_core/access/audit.py hashes and verifies).
`append` adds one entry in its own short transaction (BEGIN IMMEDIATE, so two appends never take the same number)
and moves the head kept in meta ('audit.head': number and hash of the last entry) in the same transaction.
The table refuses UPDATE and DELETE (triggers); nothing here changes an entry. What was uploaded to the server is
remembered in meta ('audit.uploaded'), never by marking entries.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from desktop_app.vault.core import utc_now
from desktop_app.vault.sql import Db
from waypoint_core.access import audit as chain
from waypoint_core.access.audit import Entry, Verified

if TYPE_CHECKING:
    from desktop_app.vault.core import VaultCore as Vault

HEAD_KEY = "audit.head"
UPLOADED_KEY = "audit.uploaded"
_COLUMNS = "seq, at, actor, event, outcome, record_id, detail, prev, hash"
_VERIFY_BATCH = 5000


def _entry(row: tuple[Any, ...]) -> Entry:
    return Entry(int(row[0]), row[1], row[2], row[3], row[4], row[5], row[6] or "", row[7], row[8])


def _meta(db: Db, key: str) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = :k", {"k": key}).first()
    return None if row is None else str(row.value)


def _set_meta(db: Db, key: str, value: str) -> None:
    db.execute("INSERT INTO meta (key, value) VALUES (:k, :v) ON CONFLICT (key) DO UPDATE SET value = :v",
               {"k": key, "v": value})


def last_entry(db: Db) -> Entry | None:
    row = db.execute(f"SELECT {_COLUMNS} FROM audit_entry ORDER BY seq DESC LIMIT 1").first()
    return None if row is None else _entry(tuple(row))


def append_db(db: Db, chain_id: str, *, actor: str, event: str, outcome: str, record_id: str | None = None,
              detail: str = "", at: str | None = None) -> Entry:
    """One entry inside the caller's write transaction (the caller holds the write lock: BEGIN IMMEDIATE).

    It links to the head kept in meta, not to whatever row is last: entries cut from the end stay a visible gap
    ("entry N is missing") even after new ones were added."""
    kept = head(db)
    previous = last_entry(db) if kept is None else Entry(kept[0], "", "", "", "", hash=kept[1])
    entry = chain.link(chain_id, previous, at=at or utc_now(), actor=actor, event=event, outcome=outcome,
                       record_id=record_id, detail=detail)
    db.execute(f"INSERT INTO audit_entry ({_COLUMNS}) VALUES (:seq, :at, :actor, :event, :outcome, :record_id, "
               ":detail, :prev, :hash)", entry.as_json())
    _set_meta(db, HEAD_KEY, f"{entry.seq} {entry.hash}")
    return entry


def append_many_db(db: Db, chain_id: str, events: list[dict[str, Any]], *, at: str | None = None) -> Entry | None:
    """Several entries in the caller's transaction (each dict: actor, event, outcome, record_id?, detail?): the head
    is read and moved once. What a use case touching many records at once records, and how bench/ fills a log."""
    kept = head(db)
    previous = last_entry(db) if kept is None else Entry(kept[0], "", "", "", "", hash=kept[1])
    when = at or utc_now()
    rows = []
    for event in events:
        previous = chain.link(chain_id, previous, at=when, **event)
        rows.append(previous.as_json())
    if not rows or previous is None:
        return None
    db.execute(f"INSERT INTO audit_entry ({_COLUMNS}) VALUES (:seq, :at, :actor, :event, :outcome, :record_id, "
               ":detail, :prev, :hash)", rows)
    _set_meta(db, HEAD_KEY, f"{previous.seq} {previous.hash}")
    return previous


def append(vault: Vault, event: str, *, outcome: str = "done", record_id: str | None = None, detail: str = "",
           actor: str | None = None) -> Entry:
    """Record one event as the signed-in person (or `actor`), in its own transaction."""
    with vault.session() as session:
        return append_db(Db.of(session), vault.device_id, actor=actor or vault.user.username, event=event,
                         outcome=outcome, record_id=record_id, detail=detail)


@dataclass(frozen=True)
class Filter:
    """What the review screen and `waypoint audit list` narrow by (all optional)."""

    actor: str | None = None
    record_id: str | None = None
    event_prefix: str | None = None  # "record." for every record event
    since: str | None = None  # ISO date or time, inclusive
    until: str | None = None  # ISO date or time, exclusive (a date means up to that day's start)
    outcome: str | None = None


def _where(f: Filter) -> tuple[str, dict[str, object]]:
    parts: list[str] = []
    params: dict[str, object] = {}
    if f.actor:
        parts.append("actor = :actor")
        params["actor"] = f.actor
    if f.record_id:
        parts.append("record_id = :record_id")
        params["record_id"] = f.record_id
    if f.event_prefix:
        parts.append("substr(event, 1, :plen) = :prefix")
        params.update(plen=len(f.event_prefix), prefix=f.event_prefix)
    if f.since:
        parts.append("at >= :since")
        params["since"] = f.since
    if f.until:
        parts.append("at < :until")
        params["until"] = f.until
    if f.outcome:
        parts.append("outcome = :outcome")
        params["outcome"] = f.outcome
    return (" WHERE " + " AND ".join(parts)) if parts else "", params


def entries(vault: Vault, f: Filter | None = None, *, offset: int = 0, limit: int = 200,
            newest_first: bool = True) -> list[Entry]:
    where, params = _where(f or Filter())
    order = "DESC" if newest_first else "ASC"
    with vault.session(readonly=True) as session:
        rows = Db.of(session).execute(
            f"SELECT {_COLUMNS} FROM audit_entry{where} ORDER BY seq {order} LIMIT :limit OFFSET :offset",
            {**params, "limit": int(limit), "offset": int(offset)}).all()
    return [_entry(tuple(r)) for r in rows]


def count(vault: Vault, f: Filter | None = None) -> int:
    where, params = _where(f or Filter())
    with vault.session(readonly=True) as session:
        return int(Db.of(session).execute(f"SELECT count(*) FROM audit_entry{where}", params).scalar_one())


def actors(vault: Vault) -> list[str]:
    with vault.session(readonly=True) as session:
        return [r[0] for r in Db.of(session).execute("SELECT DISTINCT actor FROM audit_entry ORDER BY actor").all()]


def _stream(db: Db) -> Iterator[Entry]:
    """Every entry in storage order (rowid = seq), read in batches so a million entries fit in little memory."""
    after = -1
    while True:
        rows = db.execute(f"SELECT {_COLUMNS} FROM audit_entry WHERE seq > :after ORDER BY seq LIMIT :n",
                          {"after": after, "n": _VERIFY_BATCH}).all()
        if not rows:
            return
        for row in rows:
            yield _entry(tuple(row))
        after = int(rows[-1][0])


def head(db: Db) -> tuple[int, str] | None:
    text = _meta(db, HEAD_KEY)
    if not text:
        return None
    seq, _, digest = text.partition(" ")
    return int(seq), digest


def verify_db(db: Db, chain_id: str) -> Verified:
    """The whole chain, and its end against the head kept in meta."""
    return chain.verify(chain_id, _stream(db), head=head(db))


def verify(vault: Vault) -> Verified:
    with vault.session(readonly=True) as session:
        return verify_db(Db.of(session), vault.device_id)


# --- upload (desktop_app/sync) ---------------------------------------------------------------------------------


def uploaded(db: Db) -> int:
    return int(_meta(db, UPLOADED_KEY) or 0)


def to_upload(vault: Vault, *, limit: int = 1000) -> tuple[Entry | None, list[Entry]]:
    """(the last entry the server holds, the next entries to send after it)."""
    with vault.session(readonly=True) as session:
        db = Db.of(session)
        done = uploaded(db)
        before = db.execute(f"SELECT {_COLUMNS} FROM audit_entry WHERE seq = :s", {"s": done}).first()
        return (None if before is None else _entry(tuple(before))), pending_db(db, limit=limit)


def pending_db(db: Db, *, limit: int = 1000) -> list[Entry]:
    """The next entries to send (after the last one the server holds), in the caller's transaction."""
    rows = db.execute(f"SELECT {_COLUMNS} FROM audit_entry WHERE seq > :s ORDER BY seq LIMIT :n",
                      {"s": uploaded(db), "n": int(limit)}).all()
    return [_entry(tuple(r)) for r in rows]


def pending_head(db: Db, *, limit: int, like: tuple[str, str, str]) -> tuple[str, bool] | None:
    """Whether entries wait to be sent, without reading them: (the time of the first, whether the next `limit` are
    all entries of (event, outcome, detail) `like`), or None when none waits. In the caller's transaction."""
    done = uploaded(db)
    first = db.execute("SELECT at FROM audit_entry WHERE seq > :s ORDER BY seq LIMIT 1", {"s": done}).first()
    if first is None:
        return None
    other = db.execute("SELECT 1 FROM (SELECT event, outcome, detail FROM audit_entry WHERE seq > :s ORDER BY seq "
                       "LIMIT :n) WHERE event IS NOT :e OR outcome IS NOT :o OR detail IS NOT :d LIMIT 1",
                       {"s": done, "n": int(limit), "e": like[0], "o": like[1], "d": like[2]}).first()
    return str(first.at), other is None


def upload_again(vault: Vault) -> None:
    """The server's database was restored from a backup: it may have lost entries it had acknowledged. The next
    upload starts again from the first entry (the server checks again the ones it holds and stores the rest)."""
    with vault.session() as session:
        _set_meta(Db.of(session), UPLOADED_KEY, "0")


def mark_uploaded(vault: Vault, seq: int) -> None:
    with vault.session() as session:
        db = Db.of(session)
        if seq > uploaded(db):
            _set_meta(db, UPLOADED_KEY, str(int(seq)))
