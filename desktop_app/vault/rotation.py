"""Data key rotation when a user is removed, ordered so that a crash at any point loses nothing.

Generation g is the key the database is encrypted with. Removing a user:
  1. slots.json is rewritten without the removed slot, with every remaining slot holding the data
     key of generation g AND a new one of generation g+1, and `pending_generation = g+1`;
  2. the database is rekeyed to g+1 (`PRAGMA rekey`, one SQLite transaction); a migration backup still in
     `backups/` (only a failed migration keeps one) is erased, never rekeyed: a copy of the vault from
     before must not live on under the new key;
  3. slots.json is rewritten with only generation g+1 and no pending marker.
Killed after 1: the next unlock finds the marker, opens the database with g, and redoes 2 and 3.
Killed during or after 2: the next unlock finds the database opens with g+1 and does 3.
Either way the removed user's slot is gone from step 1 on, and after step 2 their copy of the old
key no longer opens the database.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from desktop_app.vault import database, keyslots
from desktop_app.vault.errors import TamperedDatabase
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
    """Steps 1–3 above; returns the new data key."""
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
    """Steps 2 and 3 (idempotent)."""
    page_size = keyslots.cipher_page_size(doc)
    rekey_database(folder / database.DB_FILE, old_dek=old_dek, new_dek=new_dek, page_size=page_size)
    backup_dir = folder / database.BACKUP_DIR
    if backup_dir.is_dir():
        for backup in sorted(backup_dir.glob("*.bak")):
            database.erase_file(backup)
    finalize(folder, doc)


def finalize(folder: Path, doc: Doc) -> None:
    """Step 3: keep only the new generation."""
    old, new = str(doc["generation"]), doc["pending_generation"]
    for slot in doc["slots"]:
        slot["envelopes"].pop(old, None)
    doc["generation"], doc["pending_generation"] = new, None
    keyslots.save(folder, doc)


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
