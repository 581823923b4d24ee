"""Conflicts end to end through the real server: the same field edited on two devices → a conflict row on the
device holding both versions; different fields → merged on both devices; a rejected op is surfaced, never lost."""

from __future__ import annotations

import json

from tests.sync.support import fast_connect
from records import register

from desktop_app.services import sync as sync_service
from desktop_app.sync import store
from desktop_app.vault import Vault
from desktop_app.vault.registrations import count_unsynced, get_registration, get_registration_fields


def open_conflicts(vault: Vault, record_id: str) -> list[dict]:
    from sqlalchemy import text

    with vault.session(readonly=True) as session:
        rows = session.connection().execute(
            text("SELECT local, remote FROM conflict WHERE record_id = :r AND resolved_at IS NULL"),
            {"r": record_id}).all()
    return [{"local": json.loads(local), "remote": json.loads(remote)} for local, remote in rows]


def shared_record(a: Vault, b: Vault, name: str) -> str:
    record_id = register(a, name, 30).id
    sync_service.sync_now(a, connect=fast_connect())
    sync_service.sync_now(b, connect=fast_connect())
    assert get_registration(b, record_id).server_version == 1
    return record_id


def test_same_field_on_two_devices_opens_a_conflict_with_both_versions(enrolled):
    a, b = enrolled("same-a"), enrolled("same-b")
    record_id = shared_record(a, b, "Djibo Test")
    register(a, "Djibo Alpha", 30, record_id=record_id)
    register(b, "Djibo Bravo", 30, record_id=record_id)
    sync_service.sync_now(a, connect=fast_connect())
    summary = sync_service.sync_now(b, connect=fast_connect())

    assert summary.conflicts >= 1
    assert get_registration(b, record_id).sync_state == "conflict"
    [conflict] = open_conflicts(b, record_id)
    assert conflict["local"]["fields"]["title"] == "Djibo Bravo"
    assert conflict["remote"]["state"]["fields"]["title"] == "Djibo Alpha"
    assert "<name>Djibo Bravo</name>" in conflict["local"]["content"]
    assert "<name>Djibo Alpha</name>" in conflict["remote"]["state"]["content"]
    # Both devices converge on the server's deterministic winner; nothing stays queued.
    sync_service.sync_now(a, connect=fast_connect())
    winner_a, winner_b = get_registration(a, record_id), get_registration(b, record_id)
    assert winner_a.title == winner_b.title and winner_a.title in ("Djibo Alpha", "Djibo Bravo")
    assert winner_a.content == winner_b.content
    assert count_unsynced(a) == count_unsynced(b) == 0


def test_different_fields_on_two_devices_merge(enrolled):
    a, b = enrolled("diff-a"), enrolled("diff-b")
    record_id = shared_record(a, b, "Fati Test")
    register(a, "Fati Test", 41, record_id=record_id)  # a: age
    register(b, "Fati Test", 30, record_id=record_id, phone="+227 000 0001")  # b: phone
    sync_service.sync_now(a, connect=fast_connect())
    summary = sync_service.sync_now(b, connect=fast_connect())
    sync_service.sync_now(a, connect=fast_connect())

    assert summary.conflicts == 0 and summary.merged >= 1
    for vault in (a, b):
        merged = get_registration(vault, record_id)
        assert merged.sync_state == "acknowledged", vault.path
        assert merged.age == 41 and "<age>41</age>" in merged.content
        assert "<phone>+227 000 0001</phone>" in merged.content
        assert get_registration_fields(vault, record_id)["phone"] == "+227 000 0001"
        assert open_conflicts(vault, record_id) == []
    assert get_registration(a, record_id).content == get_registration(b, record_id).content


def test_conflict_decided_by_the_server_when_the_op_was_already_frozen(enrolled):
    """b's edit was frozen into a batch before a's edit reached the server (an interrupted run)."""
    a, b = enrolled("frozen-a"), enrolled("frozen-b")
    record_id = shared_record(a, b, "Hawa Test")
    register(b, "Hawa Bravo", 30, record_id=record_id)
    assert store.next_batch(b, store.load_credentials(b)) is not None  # frozen with base_version 1
    register(a, "Hawa Alpha", 30, record_id=record_id)
    sync_service.sync_now(a, connect=fast_connect())
    summary = sync_service.sync_now(b, connect=fast_connect())

    assert summary.conflicts == 1
    [conflict] = open_conflicts(b, record_id)
    assert conflict["local"]["fields"]["title"] == "Hawa Bravo"
    assert conflict["remote"]["conflict_id"] and conflict["remote"]["state"] is not None
    assert get_registration(b, record_id).sync_state == "conflict"
    assert count_unsynced(b) == 0


def test_an_op_the_server_rejects_is_kept_and_shown(enrolled):
    """A record of another centre cannot be written from this one: rejected, surfaced, still in the vault."""
    a, b = enrolled("niamey-a", centre="Niamey"), enrolled("gao-b", centre="Gao")
    record_id = register(a, "Ibrahim Test", 22).id
    sync_service.sync_now(a, connect=fast_connect())
    register(b, "Someone Else", 50, record_id=record_id)  # same id, other centre
    summary = sync_service.sync_now(b, connect=fast_connect())

    assert summary.rejected == 1 and "another centre" in summary.rejected_messages[0]
    kept = get_registration(b, record_id)
    assert kept.title == "Someone Else" and kept.sync_state == "conflict"
    [conflict] = open_conflicts(b, record_id)
    assert "another centre" in conflict["remote"]["rejected"]
    status = store.status(b)
    assert status["rejected"] == 1 and status["open_conflicts"] == 1 and status["unsynced"] == 0
