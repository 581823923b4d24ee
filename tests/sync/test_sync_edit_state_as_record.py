"""An edit frozen for sync keeps no copy of the state it sends when that is its registration's (outbox.payload
STATE_AS_RECORD, desktop_app/vault/writer/bases.py), nor of its content (outbox.wire WIRE_CONTENT_AS_RECORD: the op
without its content, put back from the registration and checked by hash when read again): the acknowledgement stored
after a power cut (nothing held in memory) makes that state the merge base, a save while the edit is in flight
writes the state sent out first, and a later edit is diffed against what was sent; deleting the record while its edit
is in flight sends nothing of it; against the real server on loopback."""

from __future__ import annotations

from tests.sync.support import PASSPHRASE, fast_connect
from records import register

from desktop_app.services import sync as sync_service
from desktop_app.sync import store
from desktop_app.sync.state import state_from_payload
from desktop_app.vault import Vault
from desktop_app.vault.registrations import count_unsynced, delete_registration, get_registration
from desktop_app.vault.sql import Db, text
from desktop_app.vault.writer import STATE_AS_RECORD, base_state, kept_as_record, record_states
from desktop_app.vault.writer.outbox import wire_sha256


def _wires(vault) -> dict[str, tuple[str, str]]:
    """record_id -> (wire, wire_sha256) of its op frozen and not acknowledged."""
    with vault.session(readonly=True) as session:
        return {row.record_id: (row.wire, row.wire_sha256) for row in Db.of(session).execute(text(
            "SELECT record_id, wire, wire_sha256 FROM outbox WHERE device_seq IS NOT NULL AND acked_at IS NULL")).all()}


def _payloads(vault) -> dict[str, str]:
    """record_id -> payload of its op frozen and not acknowledged."""
    with vault.session(readonly=True) as session:
        return {row.record_id: row.payload for row in Db.of(session).execute(text(
            "SELECT record_id, payload FROM outbox WHERE device_seq IS NOT NULL AND acked_at IS NULL")).all()}


def _base_and_record(vault, record_id: str):
    with vault.session(readonly=True) as session:
        conn = Db.of(session)
        base = conn.execute(text("SELECT base FROM sync_record WHERE record_id = :r"), {"r": record_id}).scalar_one()
        return base_state(conn, record_id, base), record_states(conn, [record_id])[record_id]


def _reopen(vault) -> Vault:
    path = vault.path
    vault.close()
    return Vault.unlock(path, username="admin", passphrase=PASSPHRASE)


def test_an_edit_in_flight_keeps_no_copy_and_its_answer_after_a_power_cut_makes_the_base(enrolled):
    vault, other = enrolled("edit-a"), enrolled("edit-b")
    ids = [register(vault, f"Edit Person {n}", 30 + n).id for n in range(3)]
    sync_service.sync_now(vault, connect=fast_connect())
    for n, record_id in enumerate(ids):
        register(vault, f"Edited Person {n}", 60 + n, record_id=record_id)
    batch = store.next_batch(vault, store.load_credentials(vault), max_ops=10)
    assert batch is not None and batch.op_count == 3
    assert _payloads(vault) == {record_id: STATE_AS_RECORD for record_id in ids}  # no 2 KB copy beside the diff
    for wire, _sha256 in _wires(vault).values():
        assert wire.startswith("@content:") and "<" not in wire  # the diff's fields, not the instance XML
    vault = _reopen(vault)  # power cut before the answer was stored: nothing of the freeze is in memory
    try:
        again = store.next_batch(vault, store.load_credentials(vault), max_ops=10)
        assert again.body == batch.body
        summary = sync_service.sync_now(vault, connect=fast_connect())
        assert summary.acknowledged == 3 and summary.conflicts == 0 and count_unsynced(vault) == 0
        for record_id in ids:
            base, record = _base_and_record(vault, record_id)
            assert base == record  # the state the edit sent, read from the registration
        sync_service.sync_now(other, connect=fast_connect())
        assert sorted((r.title, r.age) for r in (get_registration(other, i) for i in ids)) == [
            (f"Edited Person {n}", 60 + n) for n in range(3)]
    finally:
        vault.close()


def test_a_save_while_an_edit_is_in_flight_writes_the_state_sent_out_first(enrolled):
    vault, other = enrolled("edit-again-a"), enrolled("edit-again-b")
    record = register(vault, "Before Edit", 40)
    sync_service.sync_now(vault, connect=fast_connect())
    register(vault, "Sent Edit", 41, record_id=record.id)
    batch = store.next_batch(vault, store.load_credentials(vault), max_ops=10)
    assert _payloads(vault) == {record.id: STATE_AS_RECORD}
    with vault.session(readonly=True) as session:
        sent = record_states(Db.of(session), [record.id])[record.id]
    register(vault, "Later Edit", 42, record_id=record.id)  # saved while the edit is on the wire
    payload = _payloads(vault)[record.id]
    assert payload != STATE_AS_RECORD and state_from_payload(payload) == sent  # written out whole, as it was sent
    wire, sha256 = _wires(vault)[record.id]
    assert not kept_as_record(wire) and "Sent Edit" in wire and wire_sha256(wire) == sha256
    vault = _reopen(vault)
    try:
        again = store.next_batch(vault, store.load_credentials(vault), max_ops=10)
        assert again.body == batch.body
        summary = sync_service.sync_now(vault, connect=fast_connect())
        assert summary.acknowledged == 2 and summary.conflicts == 0 and count_unsynced(vault) == 0
        base, record_now = _base_and_record(vault, record.id)
        assert base == record_now and (record_now["fields"]["title"], record_now["fields"]["age"]) == ("Later Edit", 42)
        sync_service.sync_now(other, connect=fast_connect())
        copy = get_registration(other, record.id)
        assert (copy.title, copy.age) == ("Later Edit", 42)
    finally:
        vault.close()


def test_a_record_deleted_while_its_edit_is_in_flight_sends_nothing_of_it(enrolled):
    vault, other = enrolled("edit-forget-a"), enrolled("edit-forget-b")
    record = register(vault, "Kept Then Gone", 35)
    sync_service.sync_now(vault, connect=fast_connect())
    sync_service.sync_now(other, connect=fast_connect())
    register(vault, "Edited Then Gone", 36, record_id=record.id)
    store.next_batch(vault, store.load_credentials(vault), max_ops=10)
    delete_registration(vault, record.id)
    wire, sha256 = _wires(vault)[record.id]
    assert not kept_as_record(wire) and "Gone" not in wire and "<" not in wire and wire_sha256(wire) == sha256
    assert _payloads(vault)[record.id] == ""
    summary = sync_service.sync_now(vault, connect=fast_connect())
    assert summary.acknowledged == 2 and count_unsynced(vault) == 0
    sync_service.sync_now(other, connect=fast_connect())
    copy = get_registration(other, record.id)
    assert copy is not None and copy.deleted and "Gone" not in (copy.content or "") and copy.title is None
