"""The device journal: who may sync, kept where a database restore cannot roll it back.

A restore puts the whole database back to the backup, device table included: a laptop enrolled since the backup would
be refused as unknown for ever, and a device revoked since (typically a seized or lost laptop) would sync again. So
every change to who may sync is also appended to `devices.journal` in the data folder, beside keys/ and feed.mark,
which neither `admin restore` nor a database put back by hand touches: centres added and their regions, enrolment
codes made (their hash only, as the database keeps them: a code is a secret) and revoked, enrolments (and enrolments
again, which are new devices), roles, revocations, lost-device orders and their outcome.

Each line is one JSON entry with a MAC (HMAC-SHA-256 under a key derived from the data key, which lives in keys/, not
in the database) over the previous line's MAC and the entry: a line altered, inserted, removed or moved breaks the
chain and the server refuses to start, saying which line. A last line cut short by a crash (no newline) was never
acknowledged and is left out. The file is owner-only (0600); appends are serialised with a file lock (several
processes: `serve --workers N` and the admin commands) and synced to disk before the database transaction that made
the change commits, so the journal never lacks a change the database holds.

`replay` makes a database hold what the journal says, and only adds: a device it lacks is enrolled again as it was
(its code marked used), a revocation or order it lacks is applied, roles and regions are set to their last journaled
value, a code it lacks is made again as it was (hash, centre, expiry, roles; used if a journaled enrolment used
it), a code's revocation it lacks is applied. It runs at every start (a restore behind the server's back is caught
even without a mark) and inside `admin restore`. Nothing else about a device comes back: what it sent since the
backup, it sends again itself (epochs.py).
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import logging
import os
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Connection, text

from . import logs
from .atrest import DataKey
from .files import StartupRefused, check_private, open_private

JOURNAL_FILE = "devices.journal"
KINDS = ("centre", "region", "enrolled", "revoked", "roles", "order", "order_done", "code", "code_revoked")
_GENESIS = b"waypoint-server device journal 1"


def _mac_key(data_key: DataKey) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_GENESIS).derive(data_key.raw)


def _canonical(entry: dict[str, Any]) -> bytes:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _mac(key: bytes, previous: str, entry: dict[str, Any]) -> str:
    return hmac.new(key, previous.encode() + b"\n" + _canonical(entry), hashlib.sha256).hexdigest()


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _when(value: Any) -> Any:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


class JournalDamaged(StartupRefused):
    """A line does not carry the MAC the chain expects: the file was altered (or damaged)."""


@dataclass(frozen=True)
class DeviceJournal:
    path: Path
    data_key: DataKey

    @classmethod
    def beside(cls, data_dir: Path, data_key: DataKey) -> DeviceJournal:
        return cls(data_dir / JOURNAL_FILE, data_key)

    def note(self, kind: str, **fields: Any) -> None:
        """Append one entry, on disk before returning: called inside the transaction that makes the change."""
        assert kind in KINDS
        key = _mac_key(self.data_key)
        if not self.path.exists():
            try:
                os.close(open_private(self.path))
            except FileExistsError:
                pass
        fd = os.open(self.path, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            with os.fdopen(os.dup(fd), "rb") as handle:
                content = handle.read()
            whole = content[:content.rfind(b"\n") + 1]
            if len(whole) != len(content):  # a line cut short by a crash: never acknowledged, dropped
                os.ftruncate(fd, len(whole))
            lines = whole.splitlines()
            previous = json.loads(lines[-1])["mac"] if lines else ""
            entry = {"n": len(lines) + 1, "at": datetime.now(UTC).isoformat(timespec="seconds"), "kind": kind,
                     **{k: _iso(v) for k, v in fields.items()}}
            line = _canonical({**entry, "mac": _mac(key, previous, entry)}) + b"\n"
            os.lseek(fd, 0, os.SEEK_END)
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)  # releases the lock

    def entries(self) -> list[dict[str, Any]]:
        """Every entry, the chain checked; JournalDamaged names the first line that breaks it."""
        if not self.path.exists():
            return []
        check_private(self.path)
        key = _mac_key(self.data_key)
        content = self.path.read_bytes()
        lines = content[:content.rfind(b"\n") + 1].splitlines()
        previous, found = "", []
        for number, raw in enumerate(lines, start=1):
            try:
                item = json.loads(raw)
                mac = item.pop("mac")
                ok = item.get("n") == number and hmac.compare_digest(mac, _mac(key, previous, item))
            except (ValueError, KeyError, TypeError, AttributeError):
                ok = False
            if not ok:
                raise JournalDamaged(
                    f"{self.path} line {number} was altered or damaged (its MAC does not follow the chain). It keeps "
                    "the enrolments and revocations a database restore must not undo: put back this file from a "
                    "backup of the data folder, or move it aside to start without it (devices enrolled since the "
                    "last database backup must then be enrolled again, and devices revoked since revoked again)")
            previous = mac
            found.append(item)
        return found


def note(db: Any, kind: str, **fields: Any) -> None:
    """Journal a change to who may sync, when the database has a journal (a process holding the keys)."""
    if db.journal is not None:
        db.journal.note(kind, **fields)


def replay_into(db: Any) -> Counter[str]:
    """At start: what the database lacks of the journal, applied in one transaction (usually nothing)."""
    entries = db.journal.entries() if db.journal is not None else []
    if not entries:
        return Counter()
    with db.write_engine.begin() as conn:
        return replay(conn, entries)


def replay(conn: Connection, entries: list[dict[str, Any]]) -> Counter[str]:
    """Make the database hold what the journal says (only adding); returns what was applied, by kind."""
    applied: Counter[str] = Counter()
    for entry in entries:
        if _apply(conn, entry):
            applied[entry["kind"]] += 1
    return applied


def _one(conn: Connection, sql: str, **params: Any) -> Any:
    return conn.execute(text(sql), params).first()


def _apply(conn: Connection, e: dict[str, Any]) -> bool:
    kind = e["kind"]
    if kind == "centre":
        if _one(conn, "SELECT id FROM centre WHERE id = :i OR name = :n", i=e["centre_id"], n=e["name"]):
            return False
        conn.execute(text("INSERT INTO centre (id, name, created_at) VALUES (:i, :n, :t)"),
                     {"i": e["centre_id"], "n": e["name"], "t": _when(e["created_at"])})
        return True
    if kind == "region":
        row = _one(conn, "SELECT region FROM centre_region WHERE centre_id = :c", c=e["centre_id"])
        if (row[0] if row else None) == e["region"] or not _one(conn, "SELECT id FROM centre WHERE id = :c",
                                                                 c=e["centre_id"]):
            return False
        conn.execute(text("DELETE FROM centre_region WHERE centre_id = :c"), {"c": e["centre_id"]})
        if e["region"]:
            conn.execute(text("INSERT INTO centre_region (centre_id, region) VALUES (:c, :r)"),
                         {"c": e["centre_id"], "r": e["region"]})
        return True
    if kind == "enrolled":
        return _enrol_again(conn, e)
    if kind == "revoked":
        return bool(conn.execute(text("UPDATE device SET revoked_at = :t WHERE id = :d AND revoked_at IS NULL"),
                                 {"t": _when(e["at"]), "d": e["device_id"]}).rowcount)
    if kind == "roles":
        if not _one(conn, "SELECT id FROM device WHERE id = :d", d=e["device_id"]):
            return False
        row = _one(conn, "SELECT roles FROM device_roles WHERE device_id = :d", d=e["device_id"])
        if row is not None and row[0] == e["roles"]:
            return False
        conn.execute(text("DELETE FROM device_roles WHERE device_id = :d"), {"d": e["device_id"]})
        conn.execute(text("INSERT INTO device_roles (device_id, roles) VALUES (:d, :r)"),
                     {"d": e["device_id"], "r": e["roles"]})
        return True
    if kind == "order":
        if _one(conn, "SELECT id FROM device_order WHERE id = :i", i=e["order_id"]) or not _one(
                conn, "SELECT id FROM device WHERE id = :d", d=e["device_id"]):
            return False
        conn.execute(text("UPDATE device_order SET done = 'replaced', done_at = :t WHERE device_id = :d AND "
                          "done_at IS NULL"), {"d": e["device_id"], "t": _when(e["at"])})
        conn.execute(text("INSERT INTO device_order (id, device_id, order_kind, issued_at, issued_by, signature) "
                          "VALUES (:i, :d, :o, :a, :b, :s)"),
                     {"i": e["order_id"], "d": e["device_id"], "o": e["order"], "a": e["issued_at"],
                      "b": e["issued_by"], "s": e["signature"]})
        return True
    if kind == "code":
        return _code_again(conn, e)
    if kind == "code_revoked":
        if not _one(conn, "SELECT id FROM enrolment_code WHERE id = :i", i=e["code_id"]):
            return False
        return revoke_code_row(conn, e["code_id"], at=_when(e["revoked_at"]), by=e["revoked_by"])
    if kind == "order_done":
        return bool(conn.execute(text("UPDATE device_order SET done_at = :t, done = :k WHERE id = :i AND "
                                      "done_at IS NULL"), {"t": _when(e["at"]), "k": e["done"],
                                                           "i": e["order_id"]}).rowcount)
    logs.log_event("journal_entry_unknown", level=logging.WARNING, kind=str(kind)[:40], n=e.get("n"))
    return False


def _enrol_again(conn: Connection, e: dict[str, Any]) -> bool:
    if _one(conn, "SELECT id FROM device WHERE id = :d", d=e["device_id"]):
        return False
    if not _one(conn, "SELECT id FROM centre WHERE id = :c", c=e["centre_id"]) or _one(
            conn, "SELECT id FROM device WHERE public_key = :k", k=e["public_key"]):
        logs.log_event("journal_enrolment_not_replayed", level=logging.WARNING, device_id=e["device_id"], n=e["n"])
        return False
    enrolled_at = _when(e["enrolled_at"])
    conn.execute(text("INSERT INTO device (id, centre_id, name, public_key, enrolled_at, high_water_mark, "
                      "served_cursor, acked_seq) VALUES (:i, :c, :n, :k, :t, 0, 0, 0)"),
                 {"i": e["device_id"], "c": e["centre_id"], "n": e["name"], "k": e["public_key"], "t": enrolled_at})
    if e.get("roles"):
        conn.execute(text("DELETE FROM device_roles WHERE device_id = :d"), {"d": e["device_id"]})
        conn.execute(text("INSERT INTO device_roles (device_id, roles) VALUES (:d, :r)"),
                     {"d": e["device_id"], "r": e["roles"]})
    code = e.get("code")
    if code:  # the code it used stays used (a code made since the backup comes back as used)
        if _one(conn, "SELECT id FROM enrolment_code WHERE id = :i", i=code["id"]):
            conn.execute(text("UPDATE enrolment_code SET used_at = :t, device_id = :d WHERE id = :i"),
                         {"t": enrolled_at, "d": e["device_id"], "i": code["id"]})
        elif not _one(conn, "SELECT id FROM enrolment_code WHERE code_hash = :h", h=code["hash"]):
            conn.execute(text("INSERT INTO enrolment_code (id, code_hash, centre_id, created_at, expires_at, used_at, "
                              "device_id) VALUES (:i, :h, :c, :t, :x, :u, :d)"),
                         {"i": code["id"], "h": code["hash"], "c": e["centre_id"], "t": _when(code["created_at"]),
                          "x": _when(code["expires_at"]), "u": enrolled_at, "d": e["device_id"]})
    return True


def revoke_code_row(conn: Connection, code_id: str, *, at: Any, by: str) -> bool:
    """Mark an enrolment code revoked (its enrolment_code_admin row, made if it has none): False when it was revoked
    already. The one write of a revocation, by a coordinator's laptop (coordination.py) and by the replay."""
    if conn.execute(text("UPDATE enrolment_code_admin SET revoked_at = :t, revoked_by = :b WHERE code_id = :i "
                         "AND revoked_at IS NULL"), {"t": at, "b": by, "i": code_id}).rowcount:
        return True
    if _one(conn, "SELECT code_id FROM enrolment_code_admin WHERE code_id = :i", i=code_id):
        return False
    conn.execute(text("INSERT INTO enrolment_code_admin (code_id, created_by, revoked_at, revoked_by) VALUES "
                      "(:i, '', :t, :b)"), {"i": code_id, "t": at, "b": by})
    return True


def _code_again(conn: Connection, e: dict[str, Any]) -> bool:
    """A code made since the backup: back as it was made (only its hash, as ever), still open unless a journaled
    enrolment used it or a journaled revocation revoked it (later entries)."""
    if _one(conn, "SELECT id FROM enrolment_code WHERE id = :i OR code_hash = :h", i=e["code_id"], h=e["hash"]) or \
            not _one(conn, "SELECT id FROM centre WHERE id = :c", c=e["centre_id"]):
        return False
    conn.execute(text("INSERT INTO enrolment_code (id, code_hash, centre_id, created_at, expires_at) "
                      "VALUES (:i, :h, :c, :t, :x)"),
                 {"i": e["code_id"], "h": e["hash"], "c": e["centre_id"], "t": _when(e["created_at"]),
                  "x": _when(e["expires_at"])})
    if e.get("roles"):
        conn.execute(text("INSERT INTO enrolment_code_roles (code_id, roles) VALUES (:c, :r)"),
                     {"c": e["code_id"], "r": e["roles"]})
    if e.get("created_by") is not None:
        conn.execute(text("INSERT INTO enrolment_code_admin (code_id, created_by) VALUES (:c, :b)"),
                     {"c": e["code_id"], "b": e["created_by"]})
    return True
