"""Shared constants and steps for the vault tests (synthetic names only)."""

ADMIN = "amina"
ADMIN_PASSPHRASE = "correct horse battery staple"


def acknowledged_by_server(vault, record_id: str) -> None:
    """What the sync client does once the server has a record: its op frozen and acknowledged, the record
    'acknowledged' at version 1 (its deletion then leaves a tombstone; the retention period counts from here)."""
    from desktop_app.vault.writer import write

    with write(vault) as w:
        seq = w.pending_unfrozen([record_id])[record_id]
        w.freeze_ops([{"d": 1, "w": '{"op": "upsert"}', "b": "batch", "s": seq, "p": '{"state": {}}'}])
        w.acknowledge_ops([{"s": seq, "r": '{"status": "applied"}'}])
        w.set_server_states([{"v": 1, "s": "acknowledged", "r": record_id}])


def opened_slots(folder, dek):
    """slots.json with every slot's entry (name, role, grant) opened and re-sealable by keyslots.save: what anyone
    signed in, who holds the data key, can do with tools of their own (the key of the entries is in the database)."""
    from desktop_app.vault import database, keyslots

    doc = keyslots.load(folder)
    conn = database.connect_raw(folder / database.DB_FILE, dek, page_size=keyslots.cipher_page_size(doc),
                                isolation_level=None)
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (keyslots.DIRECTORY_META_KEY,)).fetchone()
    finally:
        conn.close()
    keyslots.open_entries(doc, keyslots.b64d(row[0]))
    return doc


def insider_slots(folder, username, passphrase):
    """opened_slots for someone who knows only their own name and passphrase."""
    from desktop_app.vault import keyslots

    doc = keyslots.load(folder)
    slot = keyslots.find_user_slot(doc, username)
    private_key = keyslots.unlock_slot(doc, slot, passphrase, username=username)
    return opened_slots(folder, keyslots.open_data_key(doc, slot, private_key, doc["generation"]))
