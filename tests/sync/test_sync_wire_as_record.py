"""An op frozen whole from its registration keeps a stub for its wire op, not a 2 KB copy of the record
(desktop_app/vault/writer/bases.py, WIRE_AS_RECORD): sent again after a power cut byte for byte, written out whole
before the registration changes while the op is in flight, without content once the person is forgotten, and never
sent with another content than the first time (WireLost), against the real server on loopback."""

from __future__ import annotations

import json
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.sync.support import PASSPHRASE, fast_connect
from records import register

from desktop_app.services import sync as sync_service
from desktop_app.sync import store
from desktop_app.vault import Vault
from desktop_app.vault.registrations import count_unsynced, delete_registration, get_registration
from desktop_app.vault.sql import Db, text
from desktop_app.vault.writer import WireLost, content_stub, kept_as_record, wire_stub
from desktop_app.vault.writer.bases import WIRE_AS_RECORD, WIRE_CONTENT_AS_RECORD
from desktop_app.vault.writer.outbox import wire_sha256
from waypoint_core.protocol import Op, PushBatch


def _in_flight(vault) -> dict[str, tuple[int, str, str]]:
    """record_id -> (device_seq, wire, wire_sha256) of its op frozen and not acknowledged."""
    with vault.session(readonly=True) as session:
        return {row.record_id: (row.device_seq, row.wire, row.wire_sha256) for row in Db.of(session).execute(text(
            "SELECT record_id, device_seq, wire, wire_sha256 FROM outbox WHERE device_seq IS NOT NULL "
            "AND acked_at IS NULL")).all()}


def _reopen(vault) -> Vault:
    path = vault.path
    vault.close()
    return Vault.unlock(path, username="admin", passphrase=PASSPHRASE)


def test_a_frozen_first_op_keeps_a_stub_and_is_sent_again_byte_for_byte(enrolled):
    vault = enrolled("stub")
    ids = [register(vault, f"Stub Person {n}", 30 + n).id for n in range(5)]
    batch = store.next_batch(vault, store.load_credentials(vault), max_ops=5)
    frozen = _in_flight(vault)
    assert set(frozen) == set(ids)
    for op in PushBatch.model_validate_json(batch.body).ops:
        _seq, wire, sha256 = frozen[op.record_id]
        assert kept_as_record(wire) and "Stub Person" not in wire  # no copy of the record
        assert sha256 == wire_sha256(op.model_dump_json())  # the hash of what was sent
    vault = _reopen(vault)  # power cut before the answer was stored
    try:
        again = store.next_batch(vault, store.load_credentials(vault), max_ops=5)
        assert again.body == batch.body
        summary = sync_service.sync_now(vault, connect=fast_connect())
        assert summary.acknowledged == 5 and count_unsynced(vault) == 0
        with vault.session(readonly=True) as session:
            assert Db.of(session).execute(text("SELECT COUNT(*) FROM outbox WHERE wire IS NOT NULL")).scalar_one() == 0
    finally:
        vault.close()


def test_a_record_saved_while_its_op_is_in_flight_keeps_what_was_sent(enrolled):
    vault, other = enrolled("in-flight-a"), enrolled("in-flight-b")
    record = register(vault, "First Name", 41)
    batch = store.next_batch(vault, store.load_credentials(vault), max_ops=10)
    register(vault, "Second Name", 42, record_id=record.id)  # saved while the op is on the wire
    _seq, wire, sha256 = _in_flight(vault)[record.id]
    assert not kept_as_record(wire) and "First Name" in wire and wire_sha256(wire) == sha256  # written out whole
    vault = _reopen(vault)
    try:
        again = store.next_batch(vault, store.load_credentials(vault), max_ops=10)
        assert again.body == batch.body  # the first save, as it was sent; the second goes in its own op
        summary = sync_service.sync_now(vault, connect=fast_connect())
        assert summary.acknowledged == 2 and count_unsynced(vault) == 0
        sync_service.sync_now(other, connect=fast_connect())
        copy = get_registration(other, record.id)
        assert (copy.title, copy.age) == ("Second Name", 42)
    finally:
        vault.close()


def test_a_record_deleted_while_its_op_is_in_flight_sends_nothing_of_it(enrolled):
    vault, other = enrolled("forget-a"), enrolled("forget-b")
    record = register(vault, "Forgotten Person", 33)
    store.next_batch(vault, store.load_credentials(vault), max_ops=10)
    delete_registration(vault, record.id)
    _seq, wire, sha256 = _in_flight(vault)[record.id]
    op = json.loads(wire)  # whole JSON again, carrying nothing of the person
    assert (op["fields"], op["content"]) == ({}, None) and "Forgotten" not in wire and wire_sha256(wire) == sha256
    summary = sync_service.sync_now(vault, connect=fast_connect())
    assert summary.acknowledged == 2 and count_unsynced(vault) == 0
    sync_service.sync_now(other, connect=fast_connect())
    assert get_registration(other, record.id) is None


def test_a_registration_changed_behind_the_writer_is_never_sent_under_the_frozen_op(enrolled):
    vault = enrolled("behind")
    record = register(vault, "Behind Person", 50)
    store.next_batch(vault, store.load_credentials(vault), max_ops=10)
    with vault.session() as session:  # what no code may do: change the record without the writer
        Db.of(session).execute(text("UPDATE registration SET content = 'changed' WHERE id = :r"), {"r": record.id})
    with pytest.raises(WireLost):
        store.next_batch(vault, store.load_credentials(vault), max_ops=10)


TRICKY = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters=[
    chr(c) for c in range(0x20) if c not in (9, 10, 13)]), max_size=40) | st.sampled_from(
    [',"fields":', ',"content":', '","fields":{', '\\",\\"content\\":', "\u2028", "é"])


@settings(max_examples=300, deadline=None)
@given(fields=st.dictionaries(st.sampled_from(["content", "fields", "name", ',"fields":', "@status"]),
                              st.one_of(st.none(), st.integers(), st.booleans(), TRICKY), max_size=4),
       content=st.one_of(st.none(), TRICKY), form=TRICKY.filter(lambda s: s.strip() != "" and s.isprintable()),
       base=st.one_of(st.none(), st.integers(min_value=0, max_value=2**62)))
def test_a_stub_cut_from_the_wire_op_is_the_stub_encoded(fields, content, form, base):
    """The freeze cuts the stubs from the wire op it has just encoded (writer/bases.py): the same text, byte for byte,
    as encoding the op again without its fields and content, whatever its values hold."""
    op = Op(op_id=str(uuid.uuid4()), device_seq=1, record_id=str(uuid.uuid4()), op="upsert", record_version=1,
            base_version=base, form_id=form, form_version=form, hlc=5, fields=fields, content=content)
    wire = op.model_dump_json()
    assert wire_stub(op, wire) == wire_stub(op) == WIRE_AS_RECORD + op.model_dump_json(exclude={"fields", "content"})
    assert content_stub(op, wire) == content_stub(op) == WIRE_CONTENT_AS_RECORD + op.model_dump_json(
        exclude={"content"})
