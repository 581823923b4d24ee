"""Data key rotation when a user is removed, ordered so that a crash at any point loses nothing.

Generation g is the key the database is encrypted with; K the directory key the slots' entries (names, roles,
grants: keyslots.py) are sealed with, kept inside the database. Removing a user:
  1. slots.json is rewritten without the removed slot, with every remaining slot holding the data
     key of generation g AND a new one of generation g+1, and `pending_generation = g+1`;
  2. the database is rekeyed to g+1 (`PRAGMA rekey`, one SQLite transaction); a migration backup still in
     `backups/` (only a failed migration keeps one) is erased, never rekeyed: a copy of the vault from
     before must not live on under the new key;
  3. inside the database, now under g+1 only, a new random directory key K' becomes the current one and K is
     kept as the previous one (one transaction): the key goes in before the file that needs it, as in the
     upgrade from format 1;
  4. slots.json is rewritten with only generation g+1, no pending marker, and every entry sealed under K';
  5. K is deleted from the database.
Killed after 1: the next unlock finds the marker, opens the database with g, and redoes 2 to 5.
Killed during or after 2: the next unlock finds the database opens with g+1 and does 3 to 5.
Killed after 3: the marker is still there and the entries still open with the previous key, so K' is kept and 4
and 5 are done. Killed after 4: the file is final and opens with K'; K stays in the database (it opens no entry
of any file written since) until the next rotation puts the then current key in its place.
Either way the removed user's slot is gone from step 1 on, after step 2 their copy of the old
key no longer opens the database, and from step 4 on their copy of K opens no entry of the file: K' was never
written under a data key they held. A format-1 file (nothing sealed) has no directory key to rotate: 3 and 5 are
skipped, and its upgrade at the same unlock makes one under the new data key.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from desktop_app.vault import database, keyslots, users
from desktop_app.vault.errors import TamperedDatabase, TamperedKeySlots
from desktop_app.vault.keyslots import Doc, Slot


def current_data_key(folder: Path, doc: Doc, slot: Slot, private_key: X25519PrivateKey) -> bytes:
    """The key that opens the database now, finishing an interrupted rotation first if there is one."""
    dek = keyslots.open_data_key(doc, slot, private_key, doc["generation"])
    if doc["pending_generation"] is None:
        return dek
    new_dek = keyslots.open_data_key(doc, slot, private_key, doc["pending_generation"])
    finish(folder, doc, old_dek=dek, new_dek=new_dek)
    return new_dek


def remove_and_rotate(folder: Path, doc: Doc, target: Slot, *, old_dek: bytes) -> bytes:
    """Steps 1–5 above; returns the new data key (the new directory key is the doc's: keyslots.directory_key)."""
    new_dek = start(folder, doc, target)
    finish(folder, doc, old_dek=old_dek, new_dek=new_dek)
    return new_dek


def start(folder: Path, doc: Doc, target: Slot) -> bytes:
    """Step 1: drop the slot, seal a new data key for everyone left, mark the rotation pending."""
    new_dek = os.urandom(32)
    pending = doc["generation"] + 1
    doc["slots"] = [s for s in doc["slots"] if s["slot_id"] != target["slot_id"]]
    for slot in doc["slots"]:
        keyslots.seal_data_key(doc, slot, pending, new_dek)
    doc["pending_generation"] = pending
    keyslots.save(folder, doc)
    return new_dek


def finish(folder: Path, doc: Doc, *, old_dek: bytes, new_dek: bytes) -> None:
    """Steps 2 to 5 (idempotent)."""
    page_size = keyslots.cipher_page_size(doc)
    rekey_database(folder / database.DB_FILE, old_dek=old_dek, new_dek=new_dek, page_size=page_size)
    backup_dir = folder / database.BACKUP_DIR
    if backup_dir.is_dir():
        for backup in sorted(backup_dir.glob("*.bak")):
            database.erase_file(backup)
    directory = new_directory_key(folder, doc, new_dek)
    finalize(folder, doc, directory)
    forget_previous_directory_key(folder, doc, new_dek)


def new_directory_key(folder: Path, doc: Doc, dek: bytes) -> bytes | None:
    """Step 3: a new directory key stored as the current one in the database (open with `dek`, the new data key),
    the one the entries are sealed with kept as the previous one; the doc's entries are opened. Killed after it,
    the key it stored is returned again. None for a format-1 file."""
    if doc["format"] == keyslots.FORMAT_V1:
        return None
    with _connected(folder, doc, dek) as conn:
        current = users.stored_directory_key(conn)
        previous = users.stored_directory_key(conn, keyslots.PREVIOUS_DIRECTORY_META_KEY)
        sealed_with = keyslots.directory_key(doc) or _open_entries(doc, current, previous)
        if current is not None and previous is not None and hmac.compare_digest(sealed_with, previous):
            return current  # stored before a crash: the entries still open with the previous key
        if current is None or not hmac.compare_digest(sealed_with, current):
            raise TamperedKeySlots("the key slots' entries do not open with the key the database holds")
        new = os.urandom(32)
        conn.execute("BEGIN IMMEDIATE")
        users.store_directory_key(conn, current, keyslots.PREVIOUS_DIRECTORY_META_KEY)
        users.store_directory_key(conn, new)
        conn.execute("COMMIT")
        return new


def _open_entries(doc: Doc, *keys: bytes | None) -> bytes:
    """Open the doc's entries with the first of `keys` that opens them all; that key."""
    for key in keys:
        if key is None:
            continue
        try:
            keyslots.open_entries(doc, key)
        except TamperedKeySlots:
            continue
        return key
    raise TamperedKeySlots("the key slots' entries do not open with any key the database holds")


def finalize(folder: Path, doc: Doc, directory: bytes | None) -> None:
    """Step 4: keep only the new generation; every entry sealed under the new `directory` key (format 2)."""
    if directory is not None:
        keyslots.reseal_entries(doc, directory)
    old, new = str(doc["generation"]), doc["pending_generation"]
    for slot in doc["slots"]:
        slot["envelopes"].pop(old, None)
    doc["generation"], doc["pending_generation"] = new, None
    keyslots.save(folder, doc)


def forget_previous_directory_key(folder: Path, doc: Doc, dek: bytes) -> None:
    """Step 5: the directory key from before the rotation leaves the database."""
    if doc["format"] == keyslots.FORMAT_V1:
        return
    with _connected(folder, doc, dek) as conn:
        conn.execute("DELETE FROM meta WHERE key = ?", (keyslots.PREVIOUS_DIRECTORY_META_KEY,))


@contextmanager
def _connected(folder: Path, doc: Doc, dek: bytes) -> Iterator[database.Connection]:
    """A raw connection in autocommit mode, closed after; driver errors become the vault's own."""
    conn = database.connect_raw(folder / database.DB_FILE, dek, page_size=keyslots.cipher_page_size(doc),
                                isolation_level=None)
    try:
        yield conn
    except Exception as exc:
        mapped = database.map_db_error(exc)
        if mapped is exc:
            raise
        raise mapped from exc
    finally:
        conn.close()


def rekey_database(db_path: Path, *, old_dek: bytes, new_dek: bytes, page_size: int) -> None:
    """Rekey one SQLCipher file from old to new; nothing to do if it already opens with new."""
    try:
        database.connect_raw(db_path, new_dek, page_size=page_size, isolation_level=None).close()
        return
    except TamperedDatabase:
        pass
    conn = database.connect_raw(db_path, old_dek, page_size=page_size, isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        conn.execute(f"PRAGMA rekey = \"x'{new_dek.hex()}'\"")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    except Exception as exc:
        mapped = database.map_db_error(exc)
        raise mapped from exc
    finally:
        conn.close()
