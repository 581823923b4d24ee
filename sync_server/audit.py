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


def receive(db: Database, device_id: str, upload: AuditUpload) -> AuditReceipt:
    """Store the entries that continue this device's chain; refuse (409, naming the entry) anything else."""
    if upload.protocol_version != PROTOCOL_VERSION:
        raise ProtocolError(400, "unsupported_version", f"protocol {upload.protocol_version}")
    entries = [Entry(e.seq, e.at, e.actor, e.event, e.outcome, e.record_id, e.detail, e.prev, e.hash)
               for e in upload.entries]
    name = f"device:{device_id}"
    problem: str | None = None
    with db.write_engine.begin() as conn:
        head = _head(conn, name, lock=True)
        if head is not None and head[0] != upload.chain_id:
            problem = "this device's audit log was started under another name: it is not the same log"
        else:
            start = None if head is None else Entry(head[1], "", "", "", "", hash=head[2])
            fresh = [e for e in entries if start is None or e.seq > start.seq]
            for again in (e for e in entries if start is not None and e.seq <= start.seq):
                stored = conn.execute(text("SELECT hash FROM device_audit_entry WHERE device_id = :d AND seq = :s"),
                                      {"d": device_id, "s": again.seq}).first()
                altered = chain.entry_hash(upload.chain_id, again, again.prev) != again.hash
                if stored is None or stored[0] != again.hash or altered:
                    problem = f"entry {again.seq} differs from the one this device uploaded before"
                    break
            if problem is None and fresh:
                result = chain.verify(upload.chain_id, fresh, start=start)
                if result.broken is not None:
                    problem = str(result.broken)
                else:
                    received = datetime.now(UTC)
                    conn.execute(text(f"INSERT INTO device_audit_entry (device_id, {_ENTRY}, received_at) VALUES "
                                      "(:device_id, :seq, :at, :actor, :event, :outcome, :record_id, :detail, :prev, "
                                      ":hash, :received_at)"),
                                 [{**e.as_json(), "device_id": device_id, "received_at": received} for e in fresh])
                    _set_head(conn, name, upload.chain_id, fresh[-1], existed=head is not None)
                    head = (upload.chain_id, fresh[-1].seq, fresh[-1].hash)
    if problem is not None:
        record(db, "audit.device_log_refused", outcome="refused", detail=f"device {device_id}: {problem}")
        raise _refused(problem)
    assert head is not None
    return AuditReceipt(protocol_version=PROTOCOL_VERSION, device_id=device_id, stored_through=head[1], head=head[2])


# --- verification and listing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainReport:
    chain: str  # "server" or "device:<id>"
    result: Verified

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


def verify_all(db: Database) -> list[ChainReport]:
    """The server's chain and every device's, each against its head."""
    reports: list[ChainReport] = []
    with db.read_engine.connect() as conn:
        heads = conn.execute(text("SELECT chain, chain_id, seq, hash FROM audit_head ORDER BY chain")).all()
        devices = {r[0] for r in conn.execute(text("SELECT DISTINCT device_id FROM device_audit_entry")).all()}
        known = {str(h[0]) for h in heads}
        for name, chain_id, seq, digest in heads:
            if name == SERVER_CHAIN:
                entries = _stream(conn, "server_audit_entry", "", {})
            else:
                entries = _stream(conn, "device_audit_entry", "device_id = :d AND", {"d": name.split(":", 1)[1]})
            reports.append(ChainReport(name, chain.verify(chain_id, entries, head=(int(seq), str(digest)))))
        for device_id in sorted(devices - {k.split(":", 1)[1] for k in known if k.startswith("device:")}):
            reports.append(ChainReport(f"device:{device_id}", Verified(0, "", chain.Break(
                1, "truncated", "entries without a recorded head (the head row was removed)"))))
    return reports


def entries(db: Database, *, device_id: str | None = None, limit: int = 100) -> list[Entry]:
    """Newest first: one device's uploaded entries, or the server's own."""
    with db.read_engine.connect() as conn:
        if device_id is None:
            rows = conn.execute(text(f"SELECT {_ENTRY} FROM server_audit_entry ORDER BY seq DESC LIMIT :n"),
                                {"n": limit}).all()
        else:
            rows = conn.execute(text(f"SELECT {_ENTRY} FROM device_audit_entry WHERE device_id = :d "
                                     "ORDER BY seq DESC LIMIT :n"), {"d": device_id, "n": limit}).all()
    return [_entry(r) for r in rows]
