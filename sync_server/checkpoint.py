"""SQLite's WAL checkpoints taken off the requests: a background thread copies the WAL into the database file once
writes pause, instead of the commit that happens to cross SQLite's 1,000-page mark doing it inside a push.

With `synchronous=NORMAL` a WAL commit writes its pages and returns; the checkpoint is what writes them into the
database file and syncs both to disk. SQLite runs it automatically inside the commit that passes
`wal_autocheckpoint` pages (4 MB), so every few pushes one device waited for the disk on the server's behalf; that was
about half the server's wall time of an incremental push of 1,000 edits (docs/sync-protocol.md). The serving
process instead raises SQLite's own mark to WAL_BOUND_PAGES (db.open_database(deferred_checkpoints=True)), where it
stays as the bound if this thread falls behind or is gone, and this thread checkpoints after write commits once the
write engine has been quiet for IDLE_S with no write transaction open, or AT_MOST_S after the first commit it has
not checkpointed yet, so a long burst of pushes is checkpointed as it goes.

"Quiet" counts a write transaction under way as busy: a pipelined device's next batch begins its transaction 10 to 25
ms after the answer to the one before, and a checkpoint started in that gap ran inside the next push, taking a core
from it (on 2 cores, with the device's own work on the other, about a sixth of the server's time of an incremental push
of 1,000 edits: bench/bench_push_timeline.py). A run of batches is now checkpointed once it ends.

Nothing committed can be lost by waiting: a committed transaction is in the WAL file, which SQLite reads back after
a crash exactly as before; a checkpoint copies pages and never decides what is committed. The WAL cannot grow
without bound: a passive checkpoint that completes lets the next writer start the WAL file again from its
beginning (SQLite), `journal_size_limit` then cuts the file back, and a WAL past WAL_BOUND_PAGES that readers kept
from being reset is checkpointed with RESTART (waits for them, RESTART_WAIT_S at most, so the next writer starts it
again; tried again RESTART_EVERY_S later if they outlasted it).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path

from sqlalchemy import event

from . import logs
from .db import WAL_BOUND_PAGES, Database


RESTART_WAIT_S = 1.0
RESTART_EVERY_S = 10.0  # after a RESTART that readers outlasted, the next one waits this long (passive ones go on)


class Checkpointer:
    IDLE_S = 0.1  # no write transaction for this long: a device's run of batches has ended (they come 10-25 ms apart)
    AT_MOST_S = 0.5  # a burst of pushes without a pause is still checkpointed twice a second, transaction or not

    def __init__(self, db: Database) -> None:
        path = db.sqlite_path
        if path is None:
            raise ValueError("checkpoints are SQLite's")
        self.path: Path = path
        self.db = db
        self._wake = threading.Condition()
        self._first: float | None = None  # monotonic time of the first commit not checkpointed yet
        self._last = 0.0
        self._open = 0  # write connections checked out (a transaction under way)
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._connection: sqlite3.Connection | None = None
        self._restart_after = 0.0
        self.done = 0  # checkpoints taken (tests wait on `_wake` for it to move)

    def start(self) -> None:
        # The write engine is only used as `begin()`: a connection back in its pool has committed (or rolled back: a
        # checkpoint with nothing to copy). SQLAlchemy's "commit" event would come before the driver's commit.
        event.listen(self.db.write_engine.pool, "checkout", self._checkout)
        event.listen(self.db.write_engine.pool, "checkin", self._checkin)
        self._thread = threading.Thread(target=self._run, name="wal-checkpointer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread after one last checkpoint of whatever was committed."""
        event.remove(self.db.write_engine.pool, "checkout", self._checkout)
        event.remove(self.db.write_engine.pool, "checkin", self._checkin)
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _checkout(self, _dbapi_connection: object, _record: object, _proxy: object) -> None:
        with self._wake:
            self._open += 1

    def _checkin(self, _dbapi_connection: object, _record: object) -> None:
        with self._wake:
            self._open = max(0, self._open - 1)  # (a connection checked out before start() comes back uncounted)
            self._last = time.monotonic()
            if self._first is None:
                self._first = self._last
            self._wake.notify_all()

    def _due(self) -> float | None:
        """Seconds until a checkpoint is due (0: now), None when nothing waits. While a write transaction is open
        only AT_MOST_S counts: each checkin wakes the thread to look again."""
        if self._first is None:
            return None
        deadline = self._first + self.AT_MOST_S
        if not self._open:
            deadline = min(deadline, self._last + self.IDLE_S)
        return max(0.0, deadline - time.monotonic())

    def _run(self) -> None:
        try:
            while True:
                with self._wake:
                    while not self._stopping and (wait := self._due()) != 0:
                        self._wake.wait(wait)
                    stopping, waiting = self._stopping, self._first is not None
                    self._first = None
                if waiting:
                    self._checkpoint_logged()
                if stopping:
                    return
        finally:
            if self._connection is not None:
                self._connection.close()

    def _checkpoint_logged(self) -> None:
        try:
            self.checkpoint()
        except Exception as exc:  # SQLite's own mark (WAL_BOUND_PAGES) still bounds the WAL; the next commit retries
            logs.log_event("error", level=logging.ERROR, error=type(exc).__name__, route="wal.checkpoint")
        with self._wake:
            self.done += 1
            self._wake.notify_all()

    def checkpoint(self) -> tuple[int, int, int]:
        """One checkpoint now: (busy, WAL frames, frames checkpointed), as `PRAGMA wal_checkpoint` answers."""
        if self._connection is None:
            # RESTART waits for readers (busy handler) and holds new writers back meanwhile: a second at most, then
            # the next checkpoint tries again
            self._connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                               timeout=RESTART_WAIT_S)
        busy, frames, copied = self._connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        if frames >= WAL_BOUND_PAGES and copied < frames and time.monotonic() >= self._restart_after:
            # readers held it back this long: wait for them, once in a while (writers wait meanwhile)
            busy, frames, copied = self._connection.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()
            if busy:
                self._restart_after = time.monotonic() + RESTART_EVERY_S
        return busy, frames, copied

    def wait_for(self, count: int, timeout: float = 60.0) -> bool:
        """Until `count` checkpoints have been taken (tests)."""
        with self._wake:
            return self._wake.wait_for(lambda: self.done >= count, timeout)
