"""The audit log on the server (issue 11 point 4): devices' chains received and verified, and the server's own.

A device uploads the next entries of its chain (`POST /v2/audit`, waypoint_core/protocol/audit_messages.py). The
server checks that they continue exactly what it holds (waypoint_core/access/audit.py): an entry re-sent must be
identical to the stored one, a new one must follow the last. Anything else is refused with the entry named, and the
refusal goes into the server's own chain, which records what the server and its administrators do. Verification
walks every chain against its head (`audit_head`): an entry altered, removed, reordered or cut from the end of any
chain in the server's database is named with its chain.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, text

from waypoint_core.access import audit as chain
from waypoint_core.access.audit import Entry, Verified
from waypoint_core.protocol import PROTOCOL_VERSION
from waypoint_core.protocol.audit_messages import AuditReceipt, AuditUpload

from .db import Database
from .errors import ProtocolError

SERVER_CHAIN = "server"
_ENTRY = "seq, at, actor, event, outcome, record_id, detail, prev, hash"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _entry(row: Any) -> Entry:
    return Entry(int(row[0]), row[1], row[2], row[3], row[4], row[5], row[6] or "", row[7], row[8])


def _head(conn: Connection, name: str, *, lock: bool = False) -> tuple[str, int, str] | None:
    suffix = " FOR UPDATE" if lock and conn.dialect.name == "postgresql" else ""
    row = conn.execute(text(f"SELECT chain_id, seq, hash FROM audit_head WHERE chain = :c{suffix}"), {"c": name}).first()
    return None if row is None else (str(row[0]), int(row[1]), str(row[2]))


def _set_head(conn: Connection, name: str, chain_id: str, entry: Entry, *, existed: bool) -> None:
    params = {"c": name, "i": chain_id, "s": entry.seq, "h": entry.hash}
    if existed:
        conn.execute(text("UPDATE audit_head SET seq = :s, hash = :h WHERE chain = :c"), params)
    else:
        conn.execute(text("INSERT INTO audit_head (chain, chain_id, seq, hash) VALUES (:c, :i, :s, :h)"), params)


# --- the server's own chain ----------------------------------------------------------------------------------------


def record_in(conn: Connection, event: str, *, actor: str = "server", outcome: str = "done",
              record_id: str | None = None, detail: str = "") -> Entry:
    """One entry of the server's chain inside the caller's transaction."""
    if conn.dialect.name == "postgresql":  # one appender at a time: the head row is the lock
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": 0x57A1_A0D1})
    head = _head(conn, SERVER_CHAIN, lock=True)
    previous = None if head is None else Entry(head[1], "", "", "", "", hash=head[2])
    entry = chain.link(SERVER_CHAIN, previous, at=_now(), actor=actor, event=event, outcome=outcome,
                       record_id=record_id, detail=detail)
    conn.execute(text(f"INSERT INTO server_audit_entry ({_ENTRY}) VALUES (:seq, :at, :actor, :event, :outcome, "
                      ":record_id, :detail, :prev, :hash)"), entry.as_json())
    _set_head(conn, SERVER_CHAIN, SERVER_CHAIN, entry, existed=head is not None)
    return entry


def record(db: Database, event: str, **kwargs: Any) -> Entry:
    """One entry of the server's chain in its own transaction."""
    with db.write_engine.begin() as conn:
        return record_in(conn, event, **kwargs)


# --- devices' chains -----------------------------------------------------------------------------------------------


class AuditRefused(ProtocolError):
    pass


def _refused(message: str) -> AuditRefused:
    return AuditRefused(409, "audit_chain_broken", message)


@dataclass(frozen=True)
class Fork:
    """A branch of a device's chain after the first: it continues entry `after_seq` (held in branch `parent`; 0 is
    the chain's start), and the branch it replaced as the device's current one ended at `left_seq`."""

    branch: int
    parent: int
    after_seq: int
    after_hash: str
    left_seq: int
    left_hash: str
    forked_at: datetime

    def __str__(self) -> str:
        origin = "the chain's start" if self.parent == 0 else f"entry {self.after_seq} of branch {self.parent}"
        return (f"forked at {self.forked_at:%Y-%m-%d %H:%M} UTC: branch {self.branch} continues {origin} (the log "
                f"of an older copy of the vault, put back); branch {self.branch - 1}, received before up to entry "
                f"{self.left_seq}, is kept as it was")


_FORK = "branch, parent, after_seq, after_hash, left_seq, left_hash, forked_at"


def _utc(value: Any) -> datetime:
    """A stored time (SQLite gives text without a zone, PostgreSQL a datetime) as an aware UTC datetime."""
    at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _fork(row: Any) -> Fork:
    return Fork(int(row[0]), int(row[1]), int(row[2]), str(row[3]), int(row[4]), str(row[5]), _utc(row[6]))


def forks(conn: Connection, device_id: str) -> list[Fork]:
    rows = conn.execute(text(f"SELECT {_FORK} FROM device_audit_fork WHERE device_id = :d ORDER BY branch"),
                        {"d": device_id}).all()
    return [_fork(r) for r in rows]


def fork_counts(conn: Connection, centres: list[str]) -> dict[str, tuple[int, datetime]]:
    """device id → (how many times its chain forked, the last time) for the devices of these centres that forked."""
    if not centres:
        return {}
    marks = ", ".join(f":c{i}" for i in range(len(centres)))
    rows = conn.execute(text(f"SELECT f.device_id, count(*), max(f.forked_at) FROM device_audit_fork f JOIN device d "
                             f"ON d.id = f.device_id WHERE d.centre_id IN ({marks}) GROUP BY f.device_id"),
                        {f"c{i}": c for i, c in enumerate(centres)}).all()
    return {str(r[0]): (int(r[1]), _utc(r[2])) for r in rows}


def _held(conn: Connection, device_id: str, first: int, last: int) -> dict[tuple[int, str], int]:
    """(seq, hash) → branch of every entry of the device's chain numbered first..last, whichever branch holds it."""
    rows = conn.execute(text("SELECT seq, hash, branch FROM device_audit_entry WHERE device_id = :d "
                             "AND seq >= :a AND seq <= :b"), {"d": device_id, "a": first, "b": last}).all()
    return {(int(r[0]), str(r[1])): int(r[2]) for r in rows}


def _record_fork(conn: Connection, device_id: str, fork: Fork) -> None:
    """The fork's row (what the new branch continues, where the one it leaves ended) and its entry in the server's
    own chain, in the transaction that stores the branch's first entries."""
    conn.execute(text(f"INSERT INTO device_audit_fork (device_id, {_FORK}) VALUES (:d, :b, :p, :after_seq, "
                      ":after_hash, :left_seq, :left_hash, :at)"),
                 {"d": device_id, "b": fork.branch, "p": fork.parent, "after_seq": fork.after_seq,
                  "after_hash": fork.after_hash, "left_seq": fork.left_seq, "left_hash": fork.left_hash,
                  "at": fork.forked_at})
    record_in(conn, "audit.device_log_forked", detail=f"device {device_id}: {fork}")


def _differs(seq: int) -> str:
    return f"entry {seq} differs from the one this device uploaded before"


def receive(db: Database, device_id: str, upload: AuditUpload) -> AuditReceipt:
    """Store the entries that continue this device's chain; refuse (409, naming the entry) anything else.

    Entries the server holds (in any branch) may come again, identical. The rest must be a chain in themselves that
    continues an entry the server holds: the current head (the usual case), or an earlier entry, when the laptop's
    vault was put back from an older copy and its log went on from there. That continuation is stored as a new
    branch beside what the server holds, nothing of which is changed; the fork goes into the server's own chain and
    the receipt names it. An entry the server holds, sent changed, is refused as before."""
    if upload.protocol_version != PROTOCOL_VERSION:
        raise ProtocolError(400, "unsupported_version", f"protocol {upload.protocol_version}")
    chain_id = upload.chain_id
    entries = [Entry(e.seq, e.at, e.actor, e.event, e.outcome, e.record_id, e.detail, e.prev, e.hash)
               for e in upload.entries]
    name = f"device:{device_id}"
    problem: str | None = None
    forked: Fork | None = None
    with db.write_engine.begin() as conn:
        head = _head(conn, name, lock=True)
        if head is not None and head[0] != chain_id:
            problem = "this device's audit log was started under another name: it is not the same log"
        else:
            held = _held(conn, device_id, entries[0].seq - 1, entries[-1].seq)
            held[(0, chain.genesis(chain_id))] = 0
            again = 0  # the entries sent again: held, hashing to their content, each following the one before
            for entry in entries:
                if (entry.seq, entry.hash) not in held:
                    break
                before = entries[again - 1] if again else None
                if chain.entry_hash(chain_id, entry, entry.prev) != entry.hash or (
                        before is not None and (entry.seq != before.seq + 1 or entry.prev != before.hash)):
                    problem = _differs(entry.seq)
                    break
                again += 1
            fresh = entries[again:]
            if problem is None and fresh:
                first = fresh[0]
                if again:
                    start: Entry | None = entries[again - 1]
                elif (first.seq - 1, first.prev) in held and head is not None:
                    start = Entry(first.seq - 1, "", "", "", "", hash=first.prev)
                else:  # continues nothing the server holds: checked against the head, to name what is wrong
                    start = None if head is None else Entry(head[1], "", "", "", "", hash=head[2])
                if start is not None and start.seq == 0:
                    start = None
                result = chain.verify(chain_id, fresh, start=start)
                if result.broken is not None:
                    problem = (f"{_differs(first.seq)} ({result.broken})" if head is not None and first.seq <= head[1]
                               else str(result.broken))
                else:
                    continued = (0, chain.genesis(chain_id)) if start is None else (start.seq, start.hash)
                    current = conn.execute(text("SELECT max(branch) FROM device_audit_fork WHERE device_id = :d"),
                                           {"d": device_id}).scalar() or 1
                    branch = int(current)
                    if head is not None and continued != (head[1], head[2]):
                        branch += 1
                        forked = Fork(branch, held[continued], continued[0], continued[1], head[1], head[2],
                                      datetime.now(UTC))
                        _record_fork(conn, device_id, forked)
                    received = datetime.now(UTC)
                    conn.execute(text(f"INSERT INTO device_audit_entry (device_id, branch, {_ENTRY}, received_at) "
                                      "VALUES (:device_id, :branch, :seq, :at, :actor, :event, :outcome, :record_id, "
                                      ":detail, :prev, :hash, :received_at)"),
                                 [{**e.as_json(), "device_id": device_id, "branch": branch, "received_at": received}
                                  for e in fresh])
                    _set_head(conn, name, chain_id, fresh[-1], existed=head is not None)
    if problem is not None:
        record(db, "audit.device_log_refused", outcome="refused", detail=f"device {device_id}: {problem}")
        raise _refused(problem)
    # What the server holds of the chain the laptop sent: up to its last entry (not the server's head, which after
    # a restore of the laptop may lie on a branch the laptop no longer holds).
    return AuditReceipt(protocol_version=PROTOCOL_VERSION, device_id=device_id, stored_through=entries[-1].seq,
                        head=entries[-1].hash, forked_after=None if forked is None else forked.after_seq,
                        left_through=None if forked is None else forked.left_seq)


# --- verification and listing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainReport:
    chain: str  # "server" or "device:<id>"
    result: Verified
    forks: tuple[Fork, ...] = ()  # a device's chain: its branches after the first

    @property
    def ok(self) -> bool:
        return self.result.ok


def _stream(conn: Connection, table: str, where: str, params: dict[str, Any]) -> Iterator[Entry]:
    after = -1
    while True:
        rows = conn.execute(text(f"SELECT {_ENTRY} FROM {table} WHERE {where} seq > :after ORDER BY seq LIMIT 5000"),
                            {**params, "after": after}).all()
        if not rows:
            return
        for row in rows:
            yield _entry(row)
        after = int(rows[-1][0])


def _verify_device(conn: Connection, device_id: str, chain_id: str, head: tuple[int, str]) -> ChainReport:
    """Each branch of the device's chain from the entry it continues (held in an earlier branch) to its end: the
    current one's against the head, an earlier one's against where it ended when the next began."""
    name = f"device:{device_id}"
    branched = forks(conn, device_id)
    by_branch = {f.branch: f for f in branched}
    ends = {f.branch - 1: (f.left_seq, f.left_hash) for f in branched}
    present = {int(r[0]) for r in conn.execute(
        text("SELECT DISTINCT branch FROM device_audit_entry WHERE device_id = :d"), {"d": device_id}).all()}
    current = max(present | set(by_branch) | {1})
    for branch in range(2, current + 1):
        if branch not in by_branch:
            return ChainReport(name, Verified(0, "", chain.Break(
                1, "missing", f"the fork that began branch {branch} is not recorded")), tuple(branched))
    ends[current] = head
    total = 0
    for branch in range(1, current + 1):
        start: Entry | None = None
        where = ""
        if branch > 1:
            fork = by_branch[branch]
            where = f" (branch {branch}, after the fork at entry {fork.after_seq})"
            if fork.after_seq > 0:
                holds = conn.execute(text("SELECT 1 FROM device_audit_entry WHERE device_id = :d AND branch = :b "
                                          "AND seq = :s AND hash = :h"),
                                     {"d": device_id, "b": fork.parent, "s": fork.after_seq,
                                      "h": fork.after_hash}).first()
                if holds is None or fork.parent >= branch:
                    return ChainReport(name, Verified(total, "", chain.Break(
                        fork.after_seq, "does_not_follow", f"branch {branch} continues entry {fork.after_seq} of "
                        f"branch {fork.parent}, which is not there as it was")), tuple(branched))
                start = Entry(fork.after_seq, "", "", "", "", hash=fork.after_hash)
            elif fork.after_hash != chain.genesis(chain_id):
                return ChainReport(name, Verified(total, "", chain.Break(
                    1, "does_not_follow", f"branch {branch} does not start this device's chain")), tuple(branched))
        entries = _stream(conn, "device_audit_entry", "device_id = :d AND branch = :b AND",
                          {"d": device_id, "b": branch})
        result = chain.verify(chain_id, entries, start=start, head=ends[branch])
        total += result.count
        if result.broken is not None:
            broken = result.broken
            return ChainReport(name, Verified(total, result.head, chain.Break(broken.seq, broken.problem,
                                                                              f"{broken.message}{where}")),
                               tuple(branched))
    return ChainReport(name, Verified(total, head[1]), tuple(branched))


def verify_all(db: Database) -> list[ChainReport]:
    """The server's chain and every device's (each branch of it), each against its head."""
    reports: list[ChainReport] = []
    with db.read_engine.connect() as conn:
        heads = conn.execute(text("SELECT chain, chain_id, seq, hash FROM audit_head ORDER BY chain")).all()
        devices = {r[0] for r in conn.execute(text("SELECT DISTINCT device_id FROM device_audit_entry")).all()}
        known = {str(h[0]) for h in heads}
        for name, chain_id, seq, digest in heads:
            if name == SERVER_CHAIN:
                entries = _stream(conn, "server_audit_entry", "", {})
                reports.append(ChainReport(name, chain.verify(chain_id, entries, head=(int(seq), str(digest)))))
            else:
                reports.append(_verify_device(conn, name.split(":", 1)[1], str(chain_id), (int(seq), str(digest))))
        for device_id in sorted(devices - {k.split(":", 1)[1] for k in known if k.startswith("device:")}):
            reports.append(ChainReport(f"device:{device_id}", Verified(0, "", chain.Break(
                1, "truncated", "entries without a recorded head (the head row was removed)"))))
    return reports


def entries(db: Database, *, device_id: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """Newest first: one device's uploaded entries (the newest branch first, each entry with its branch, the first
    of a branch after a fork with the entry it continues), or the server's own."""
    with db.read_engine.connect() as conn:
        if device_id is None:
            rows = conn.execute(text(f"SELECT {_ENTRY} FROM server_audit_entry ORDER BY seq DESC LIMIT :n"),
                                {"n": limit}).all()
            return [_entry(r).as_json() for r in rows]
        rows = conn.execute(text(f"SELECT {_ENTRY}, branch FROM device_audit_entry WHERE device_id = :d "
                                 "ORDER BY branch DESC, seq DESC LIMIT :n"), {"d": device_id, "n": limit}).all()
        starts = {(f.branch, f.after_seq + 1): f for f in forks(conn, device_id)}
    listed = []
    for row in rows:
        item: dict[str, Any] = {**_entry(row).as_json(), "branch": int(row[9])}
        fork = starts.get((item["branch"], item["seq"]))
        if fork is not None:
            item["forked"] = str(fork)
        listed.append(item)
    return listed
