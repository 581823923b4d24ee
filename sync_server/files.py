"""The server's files are private: the data folder 0700, database, key and backup files 0600, whatever the umask.

A file another account can read is refused rather than silently tightened: it may already have been copied, and the
administrator must know. Every refusal says which file and what to run.
"""

from __future__ import annotations

import fcntl
import os
import secrets
from pathlib import Path


class StartupRefused(RuntimeError):
    """The server must not start (or an admin command must not run): the message says what to do."""


def private_dir(path: Path) -> Path:
    """Create the folder (and parents) if needed; the folder itself ends up 0700 whatever the umask."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


def open_private(path: Path, flags: int = os.O_WRONLY | os.O_CREAT | os.O_EXCL) -> int:
    """os.open with mode 0600 enforced after creation (the umask can only remove bits, but be explicit)."""
    fd = os.open(path, flags, 0o600)
    os.fchmod(fd, 0o600)
    return fd


def write_private(path: Path, data: bytes) -> None:
    """Replace `path` atomically with an owner-only file holding `data`."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = open_private(temp)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def check_private(path: Path) -> None:
    """Refuse a file (or folder) that the group or others may read or write."""
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise StartupRefused(f"{path} can be read by other accounts (mode {mode:o}); it may already have been "
                             f"copied. Check who had access, then `chmod {'700' if path.is_dir() else '600'} {path}`")


def prepare_sqlite_file(path: Path) -> None:
    """Create the SQLite file owner-only before SQLite does (its -wal and -shm then get the same mode), and refuse
    to run on database files others can read."""
    private_dir(path.parent)
    if not path.exists():
        try:
            os.close(open_private(path))
        except FileExistsError:
            pass  # another process created it at the same moment, with the same mode
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"),
                      path.with_name(path.name + "-journal")):
        if candidate.exists():
            check_private(candidate)


SERVE_LOCK = "serve.lock"


def _lock(data_dir: Path, mode: int, refusal: str) -> int:
    fd = open_private(data_dir / SERVE_LOCK, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, mode | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise StartupRefused(refusal) from None
    return fd


def hold_serving(data_dir: Path) -> int:
    """A serving process holds the data folder's lock shared for its whole life (the fd it returns), so that
    `admin restore` cannot replace the database under it (several servers on one folder share it)."""
    return _lock(data_dir, fcntl.LOCK_SH, f"a restore is under way on {data_dir}: start the server once it has "
                                          "finished")


def hold_for_restore(data_dir: Path) -> int:
    """`admin restore` holds the lock alone: refused while any server runs on this data folder."""
    return _lock(data_dir, fcntl.LOCK_EX, f"a server is running on this data folder ({data_dir}): stop it first, "
                                          "then run the restore again (nothing was changed)")
