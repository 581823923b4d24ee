"""The serving process's WAL checkpoints (sync_server/checkpoint.py): a commit leaves the WAL to the background
checkpointer instead of copying it into the database file itself; the checkpointer copies it once writes pause; a
process killed with the WAL not checkpointed loses no committed row; the WAL file is started again and cut back."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from sync_server import checkpoint
from sync_server.checkpoint import Checkpointer
from sync_server.db import WAL_KEEP_BYTES, open_database

ROW = 8_000  # bytes of a row: two 4 KiB pages each, so a few hundred rows pass SQLite's own 1,000-page mark


def _write(db, rows: int, start: int = 0) -> None:
    with db.write_engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS filler (n INTEGER PRIMARY KEY, data BLOB NOT NULL)"))
        conn.execute(text("INSERT INTO filler (n, data) VALUES (:n, randomblob(:size))"),
                     [{"n": n, "size": ROW} for n in range(start, start + rows)])


def _wal_frames(path: Path) -> int:
    """Frames in the WAL file (its size; a WAL started again keeps its size until cut back)."""
    wal = path.with_name(path.name + "-wal")
    return max(0, (wal.stat().st_size - 32) // (4096 + 24)) if wal.exists() else 0


@pytest.mark.parametrize("deferred", [False, True])
def test_a_commit_checkpoints_only_without_the_checkpointer(tmp_path, deferred):
    path = tmp_path / "server.db"
    db = open_database(f"sqlite:///{path}", pool_size=1, deferred_checkpoints=deferred)
    try:
        _write(db, 1)
        size = path.stat().st_size
        _write(db, 800, start=1)  # about 1,600 pages: past SQLite's own mark of 1,000
        grown = path.stat().st_size - size
        if deferred:
            assert grown == 0  # every page is in the WAL still: the commit did not wait for a checkpoint
        else:
            assert grown > 800 * ROW  # SQLite's automatic checkpoint ran inside the commit
    finally:
        db.dispose()


@contextmanager
def _checkpointed(tmp_path: Path) -> Iterator[tuple[Path, Any, Checkpointer]]:
    """A serving process's database (deferred checkpoints) with its checkpointer running; both stopped after."""
    path = tmp_path / "server.db"
    db = open_database(f"sqlite:///{path}", pool_size=1, deferred_checkpoints=True)
    checkpointer = Checkpointer(db)
    checkpointer.start()
    try:
        yield path, db, checkpointer
    finally:
        checkpointer.stop()
        db.dispose()


def test_the_checkpointer_copies_the_wal_once_writes_pause(tmp_path):
    with _checkpointed(tmp_path) as (path, db, checkpointer):
        _write(db, 800)
        assert checkpointer.wait_for(1)
        assert path.stat().st_size > 800 * ROW  # the rows are in the database file now
        with sqlite3.connect(path, isolation_level=None) as raw:
            busy, frames, copied = raw.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        raw.close()
        assert busy == 0 and copied == frames  # nothing was left to copy
        before = _wal_frames(path)
        _write(db, 10, start=800)
        assert _wal_frames(path) <= before  # the next writer started the WAL again from its beginning
        assert checkpointer.wait_for(2)
    with open_database(f"sqlite:///{path}", pool_size=1).read_engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM filler")).scalar_one() == 810


def test_a_wal_past_the_keep_size_is_cut_back_after_a_checkpoint(tmp_path):
    path = tmp_path / "server.db"
    db = open_database(f"sqlite:///{path}", pool_size=1, deferred_checkpoints=True)
    checkpointer = Checkpointer(db)
    try:
        rows = WAL_KEEP_BYTES // ROW + 500  # a WAL well past the size kept
        _write(db, rows)
        assert _wal_frames(path) * 4096 > WAL_KEEP_BYTES
        busy, frames, copied = checkpointer.checkpoint()
        assert busy == 0 and copied == frames
        _write(db, 1, start=rows)  # the next writer starts the WAL again and cuts the file back
        assert _wal_frames(path) * 4096 <= WAL_KEEP_BYTES
    finally:
        db.dispose()


def test_a_process_killed_before_any_checkpoint_loses_no_committed_row(tmp_path):
    """The server's own engine, deferred checkpoints, committed writes and no checkpoint: SIGKILL, then every
    committed row is there (SQLite reads the WAL back at the next open)."""
    path = tmp_path / "server.db"
    script = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_server_checkpoint import _write
        from sync_server.db import open_database
        db = open_database("sqlite:///{path}", pool_size=1, deferred_checkpoints=True)
        for n in range(5):
            _write(db, 300, start=n * 300)  # five commits, 3,000 pages in the WAL, none checkpointed
        print("committed", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.stdout.strip() == "committed" and done.returncode == -signal.SIGKILL, done.stderr
    assert _wal_frames(path) > 2_000 and os.path.getsize(path) < 300 * ROW
    db = open_database(f"sqlite:///{path}", pool_size=1)
    try:
        with db.read_engine.connect() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM filler")).scalar_one() == 1_500
    finally:
        db.dispose()


def test_a_wal_held_past_the_bound_by_a_reader_is_checkpointed_once_it_ends(tmp_path, monkeypatch):
    """A reader on an old snapshot keeps a passive checkpoint from copying the WAL; past the bound the checkpointer
    waits for it (RESTART), at most RESTART_WAIT_S, and the next checkpoint after the reader ends empties it."""
    monkeypatch.setattr(checkpoint, "WAL_BOUND_PAGES", 100)
    path = tmp_path / "server.db"
    db = open_database(f"sqlite:///{path}", pool_size=1, deferred_checkpoints=True)
    checkpointer = checkpoint.Checkpointer(db)
    try:
        _write(db, 1)
        reader = sqlite3.connect(path, isolation_level=None)
        reader.execute("BEGIN")
        reader.execute("SELECT COUNT(*) FROM filler").fetchone()  # holds the snapshot of one row
        _write(db, 200, start=1)
        busy, frames, copied = checkpointer.checkpoint()
        assert busy == 1 and copied < frames and frames >= 100  # the reader still holds it: given up, not stuck
        reader.execute("COMMIT")
        reader.close()
        busy, frames, copied = checkpointer.checkpoint()
        assert busy == 0 and copied == frames
        before = _wal_frames(path)
        _write(db, 1, start=201)
        assert _wal_frames(path) <= before
    finally:
        db.dispose()


def test_no_checkpoint_while_a_write_transaction_is_open_until_the_bound(tmp_path, monkeypatch):
    """A write transaction under way is not a pause: a checkpoint waits for it (a pipelined device's next batch),
    IDLE_S after it ends; AT_MOST_S after the first commit not checkpointed, one is taken all the same."""
    monkeypatch.setattr(Checkpointer, "IDLE_S", 0.05)
    monkeypatch.setattr(Checkpointer, "AT_MOST_S", 1.5)
    with _checkpointed(tmp_path) as (_path, db, checkpointer):
        _write(db, 50)
        with db.write_engine.begin() as conn:  # the next batch's transaction, begun before IDLE_S passed
            conn.execute(text("INSERT INTO filler (n, data) VALUES (50, randomblob(10))"))
            assert not checkpointer.wait_for(1, timeout=0.5)  # ten times IDLE_S, and no checkpoint
            assert checkpointer.wait_for(1, timeout=5)  # AT_MOST_S after the first commit: taken all the same
        assert checkpointer.wait_for(2, timeout=5)  # and the commit that ended the transaction, once quiet
        busy, frames, copied = checkpointer.checkpoint()
        assert busy == 0 and copied == frames  # nothing was left to copy
