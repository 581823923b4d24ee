"""Emergency erase: make the vault unreadable for good, in about the time it takes to delete files.

The data key exists only sealed inside slots.json, so destroying that file is a crypto-erase of
the database and of every backup. Order: the slot file (and any half-written temporary copy) is
overwritten with random bytes of the same length, flushed to the disk and removed, then the
folder entry is flushed; only then are the database, its -wal and -shm, the backups and the
lockout counter removed. The encrypted files are deleted, not overwritten: without the key they
are noise, and overwriting a large database would take minutes when seconds matter.

What no program can promise: on flash storage and journalling file systems an overwrite may
land in a new block and leave the old one until the drive reuses it. The old slot file still
needs a passphrase (Argon2id) to open; full-disk encryption of the laptop closes that gap.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.vault import database, keyslots, lockout

CONFIRMATION_WORDS = ("ERASE", "EFFACER")  # what a person types to confirm, in English or French


@dataclass
class ErasedFiles:
    overwritten: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def confirmation_matches(typed: str) -> bool:
    return typed.strip().upper() in CONFIRMATION_WORDS


def _overwrite(path: Path) -> None:
    size = path.stat().st_size
    fd = os.open(path, os.O_WRONLY)
    try:
        remaining = max(size, 1)
        while remaining:
            chunk = os.urandom(min(remaining, 1 << 20))
            remaining -= os.write(fd, chunk)
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def erase_folder(folder: Path) -> ErasedFiles:
    """Destroy the key slots first, then remove every file of the vault in `folder`."""
    result = ErasedFiles()
    key_files = [folder / keyslots.SLOTS_FILE, *folder.glob(f".{keyslots.SLOTS_FILE}.*.tmp")]
    for path in key_files:
        if path.is_file():
            _overwrite(path)
            path.unlink()
            result.overwritten.append(path.name)
    _fsync_folder(folder)
    db_files = [folder / (database.DB_FILE + suffix) for suffix in ("", "-wal", "-shm", "-journal")]
    for path in [*db_files, folder / lockout.LOCKOUT_FILE, *folder.glob(".write-probe-*")]:
        if path.is_file():
            path.unlink()
            result.removed.append(path.name)
    backups = folder / database.BACKUP_DIR
    if backups.is_dir():
        for path in sorted(backups.iterdir()):
            if path.is_file():
                path.unlink()
                result.removed.append(f"{database.BACKUP_DIR}/{path.name}")
        if not any(backups.iterdir()):
            backups.rmdir()
    _fsync_folder(folder)
    return result
