"""Feed epochs: how a restored database is noticed, by the server at start and by every device at its next contact.

Feed positions (cursors) only mean something in one history of the database. A database restored from a backup
numbers new changes again from the backup's last position, so a device's cursor could silently skip them. Each
history is an epoch (a random id); every cursor and every answer carries it. A new epoch starts when:

* `admin restore` loads a backup;
* the server starts and its mark file (data folder, beside the keys: the epoch and the last feed position this
  server wrote) shows a database that went back: same epoch but a shorter feed, or an epoch this database never had;
* (per device, without a new epoch) a device presents a cursor beyond what this database ever served it: the device
  is told `cursor_ahead` and reconciles (pull.py).

The mark is rewritten after each push; several processes may race on it, which can only make it lag (never a false
alarm). A host rebuilt with an old data folder and an old database together is caught by the devices' check.
"""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, text

from . import logs
from .db import Database, utcnow
from .files import write_private

MARK_FILE = "feed.mark"


def current(conn: Connection) -> str:
    return conn.execute(text("SELECT epoch FROM server_epoch ORDER BY n DESC LIMIT 1")).scalar_one()


def last_seq(conn: Connection) -> int:
    return conn.execute(text("SELECT last_seq FROM change_counter WHERE id = 1")).scalar_one()


def start(conn: Connection, reason: str) -> str:
    """A new epoch, from now on; every cursor of an older one is refused with `epoch_changed`."""
    epoch = secrets.token_hex(8)
    n = conn.execute(text("SELECT COALESCE(MAX(n), 0) + 1 FROM server_epoch")).scalar_one()
    conn.execute(text("INSERT INTO server_epoch (n, epoch, started_at, reason, last_seq) VALUES (:n, :e, :t, :r, :s)"),
                 {"n": n, "e": epoch, "t": utcnow(), "r": reason[:500], "s": last_seq(conn)})
    return epoch


@dataclass(frozen=True)
class Mark:
    epoch: str
    last_seq: int


def read_mark(data_dir: Path) -> Mark | None:
    try:
        value = json.loads((data_dir / MARK_FILE).read_text("utf-8"))
        return Mark(str(value["epoch"]), int(value["last_seq"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_mark(data_dir: Path, epoch: str, seq: int) -> None:
    write_private(data_dir / MARK_FILE, json.dumps({"epoch": epoch, "last_seq": seq}).encode())


def note_push(data_dir: Path, epoch: str, seq: int) -> None:
    """After a committed push: the mark is a hint for the next start, so failing to write it (a full disk) must not
    fail a push that is already stored; it is logged instead."""
    try:
        write_mark(data_dir, epoch, seq)
    except OSError as exc:
        logs.log_event("mark_not_written", level=logging.WARNING, error=type(exc).__name__)


def check_at_start(db: Database, data_dir: Path) -> str | None:
    """Compare the database with the mark; start a new epoch when it went back. Returns why, or None."""
    mark = read_mark(data_dir)
    reason = None
    with db.write_engine.begin() as conn:
        epoch, seq = current(conn), last_seq(conn)
        if mark is not None:
            known = {row[0] for row in conn.execute(text("SELECT epoch FROM server_epoch"))}
            if mark.epoch not in known:
                reason = f"this server last wrote epoch {mark.epoch}, which this database never had"
            elif mark.epoch == epoch and mark.last_seq > seq:
                reason = f"the change feed ends at {seq}, but this server had written up to {mark.last_seq}"
        if reason is not None:
            epoch = start(conn, f"restored database detected at start: {reason}")
    write_mark(data_dir, epoch, seq)
    return reason


def epochs(db: Database) -> list[dict[str, object]]:
    with db.read_engine.connect() as conn:
        rows = conn.execute(text("SELECT n, epoch, started_at, reason, last_seq FROM server_epoch ORDER BY n"))
        return [dict(row._mapping) for row in rows]
