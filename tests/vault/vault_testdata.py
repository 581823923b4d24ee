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
