"""Issue 8 point 12 with point 10, against the real server on loopback: after a push's acknowledgement and after a
pull the merge base is stored as "the registration itself" (AS_RECORD, desktop_app/vault/writer/bases.py), and every
kind of writer that changes the record copies it out first, so a three-way merge still starts from the version the
server acknowledged: disjoint answers merge, the same answer changed on both laptops opens a conflict.

Names are generated; no personal data."""

from __future__ import annotations

import uuid

import pytest
from records import FORM_ID, FORM_VERSION, instance, register

from desktop_app.records import review
from desktop_app.services import attachments
from desktop_app.services import sync as sync_service
from desktop_app.vault import Vault
from desktop_app.vault.registrations import get_registration, get_registration_fields, save_registrations
from desktop_app.vault.sql import Db, text
from desktop_app.vault.states import State
from desktop_app.vault.writer import AS_RECORD, RegistrationDraft, base_state, blind, record_states, write
from tests.desk.people import save_event, save_people
from tests.sync.support import fast_connect, sqlite_backend
from waypoint_core.registry.person import PersonRecord

# SQLite only: the merge base, its copies and the three-way merge are the laptop's (a's sync merges on
# a's side); the server's own merges and conflicts on both databases are tested in test_sync_conflicts.py,
# test_sync_server_conflicts.py and tests/server.
backend = sqlite_backend()

NAME = "Kadi Synthetic"
SCAN = ("scan.jpg", "image/jpeg", b"\xff\xd8 synthetic scan " * 64)


def _sync(vault: Vault):
    return sync_service.sync_now(vault, connect=fast_connect())


def held_base(vault: Vault, record_id: str) -> tuple[str, State | None]:
    """(sync_record.base as stored, the state it names)."""
    with vault.session(readonly=True) as session:
        db = Db.of(session)
        stored = db.execute(text("SELECT base FROM sync_record WHERE record_id = :r"), {"r": record_id}).scalar_one()
        return stored, base_state(db, record_id, stored)


def state_of(vault: Vault, record_id: str) -> State:
    with vault.session(readonly=True) as session:
        return record_states(Db.of(session), [record_id])[record_id]


@pytest.fixture
def shared(enrolled):
    """Laptop a registers a person and syncs; laptop b pulls it. Both hold version 1, as the server acknowledged it."""
    centre = f"Base {uuid.uuid4().hex}"  # a centre of its own: no other test's records
    a, b = enrolled("base-a", centre=centre), enrolled("base-b", centre=centre)
    record_id = register(a, NAME, 30).id
    assert _sync(a).acknowledged == 1
    assert _sync(b).pulled == 1
    return a, b, record_id


def test_the_acknowledged_and_the_pulled_base_is_the_record_itself(shared):
    a, b, record_id = shared
    for vault in (a, b):
        stored, state = held_base(vault, record_id)
        assert stored == AS_RECORD
        assert state == state_of(vault, record_id)
    assert state_of(a, record_id)["content"] == state_of(b, record_id)["content"] == instance(NAME, 30)


# --- every writer that changes the record keeps the acknowledged version as its base -------------------------------

def _finalize(vault: Vault, record_id: str) -> None:
    register(vault, NAME, 30, record_id=record_id, phone="+227 111")


def _draft(vault: Vault, record_id: str) -> None:
    register(vault, NAME, 30, record_id=record_id, phone="+227 111", status="draft")


def _import(vault: Vault, record_id: str) -> None:  # a batch: many records in one save
    save_registrations(vault, [
        RegistrationDraft(FORM_ID, FORM_VERSION, "finalized", instance(NAME, 30, phone="+227 111"), record_id,
                          {"title": NAME, "age": 30, "nationality": "NE", "phone": "+227 111"}),
        RegistrationDraft(FORM_ID, FORM_VERSION, "finalized", instance("Other Synthetic", 50), None,
                          {"title": "Other Synthetic", "age": 50})])


def _files_then_edit(vault: Vault, record_id: str) -> None:  # the form's files first (the manifest), then its save
    attachments.save_attachments(vault, record_id=record_id, files=[SCAN])
    _finalize(vault, record_id)


EDITS = {"finalize": _finalize, "draft": _draft, "import": _import, "files": _files_then_edit}


@pytest.mark.parametrize("edit", [*sorted(EDITS), "files alone"])
def test_a_local_change_keeps_the_acknowledged_version_as_its_base(shared, edit):
    a, _b, record_id = shared
    acknowledged = state_of(a, record_id)
    if edit == "files alone":  # the manifest changes, nothing else (no op: the form's save comes later)
        attachments.save_attachments(a, record_id=record_id, files=[SCAN])
    else:
        EDITS[edit](a, record_id)
    stored, state = held_base(a, record_id)
    assert stored != AS_RECORD and state == acknowledged
    assert state_of(a, record_id) != acknowledged


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_disjoint_answers_merge_from_the_acknowledged_base(shared, edit):
    """a changes the phone (not sent yet); b changes the age and syncs; a's sync merges the two on a's side."""
    a, b, record_id = shared
    EDITS[edit](a, record_id)
    register(b, NAME, 41, record_id=record_id)
    assert _sync(b).acknowledged == 1
    summary = _sync(a)
    assert summary.conflicts == 0 and summary.merged == 1
    merged = get_registration(a, record_id)
    assert merged.age == 41 and "<age>41</age>" in merged.content  # theirs
    assert "<phone>+227 111</phone>" in merged.content  # and ours, not silently overwritten
    assert get_registration_fields(a, record_id)["phone"] == "+227 111"
    if edit == "files":
        assert "@files" in get_registration_fields(a, record_id)
        assert attachments.read_attachment(a, record_id=record_id, name=SCAN[0]) == SCAN[2]
    if edit != "draft":  # a draft stays on this laptop
        assert merged.sync_state == "acknowledged"
        _sync(b)
        there = get_registration(b, record_id)
        assert there.content == merged.content
        if edit == "files":
            assert "@files" in get_registration_fields(b, record_id)


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_the_same_answer_changed_on_both_laptops_is_a_conflict(shared, edit):
    a, b, record_id = shared
    EDITS[edit](a, record_id)
    register(b, NAME, 30, record_id=record_id, phone="+227 222")
    assert _sync(b).acknowledged == 1
    assert _sync(a).conflicts >= 1
    assert get_registration(a, record_id).sync_state == "conflict"
    with a.session(readonly=True) as session:
        local, remote = Db.of(session).execute(text(
            "SELECT json_extract(local, '$.content'), json_extract(remote, '$.state.content') FROM conflict "
            "WHERE record_id = :r AND resolved_at IS NULL"), {"r": record_id}).first()
    assert "<phone>+227 111</phone>" in local and "<phone>+227 222</phone>" in remote


def test_a_pulled_base_is_kept_when_the_record_is_edited_and_merges(shared):
    """b's base came from a pull (AS_RECORD): b edits the phone, a edits the age and syncs, b merges both."""
    a, b, record_id = shared
    pulled = state_of(b, record_id)
    _finalize(b, record_id)
    stored, state = held_base(b, record_id)
    assert stored != AS_RECORD and state == pulled
    register(a, NAME, 41, record_id=record_id)
    assert _sync(a).acknowledged == 1
    assert _sync(b).merged == 1
    merged = get_registration(b, record_id)
    assert merged.age == 41 and "<phone>+227 111</phone>" in merged.content
    # b's merged version was acknowledged: it is the base now (held whole: the merge raised the record's version
    # beyond the one its op was queued at, and such doubt keeps the base whole)
    assert held_base(b, record_id)[1] == state_of(b, record_id)


# --- forgetting: deletion, refused consent, retention keep the names of the acknowledged version, no values ----------

def _delete(w, record_id: str) -> None:
    w.delete(record_id)


def _withhold(w, record_id: str) -> None:
    w.withhold(record_id, keep_file=lambda name: False)


def _purge(w, record_id: str) -> None:
    w.purge(record_id, content="<data/>", fields={"title": "withheld"}, versions={})


FORGET = {"delete": _delete, "consent refused": _withhold, "retention": _purge}


@pytest.mark.parametrize("forget", sorted(FORGET))
def test_forgetting_blinds_the_acknowledged_base(shared, forget):
    a, _b, record_id = shared
    acknowledged = state_of(a, record_id)
    assert held_base(a, record_id)[0] == AS_RECORD
    with write(a) as w:
        FORGET[forget](w, record_id)
    stored, state = held_base(a, record_id)
    assert state == blind(acknowledged)
    assert NAME not in stored and "Kadi" not in stored


# --- the review desk's merge leaves the records that name them; undoing an older version's merge rewrites them ------

def test_the_desk_merge_and_undo_keep_the_acknowledged_base(enrolled):
    """A merge no longer rewrites the merged person's events (the readers follow the decision): the event keeps the
    acknowledged version as its base and has nothing to send. Undoing a merge an older version decided still moves
    back what that merge rewrote, and that rewrite keeps the acknowledged base like every writer."""
    import json

    centre = f"Desk {uuid.uuid4().hex}"
    a = enrolled("desk-a", centre=centre)
    kept = PersonRecord(id=str(uuid.uuid4()), given_name="Mariama", family_name="Synthetic",
                        sex="female", age_years=31, nationality="NE")
    merged = PersonRecord(id=str(uuid.uuid4()), given_name="Mariam", family_name="Synthetic",
                          sex="female", age_years=31, nationality="NE")
    save_people(a, [kept, merged])
    event = save_event(a, review.short_id(merged.id))
    _sync(a)
    acknowledged = state_of(a, event)
    assert held_base(a, event)[0] == AS_RECORD
    decision = review.merge(a, kept=kept.id, merged=merged.id)
    assert review.short_id(kept.id) != review.short_id(merged.id)
    assert get_registration_fields(a, event)["person_ref"] == review.short_id(merged.id)
    assert held_base(a, event) == (AS_RECORD, acknowledged) and state_of(a, event) == acknowledged
    assert get_registration(a, event).sync_state == "acknowledged"
    assert review.undo(a, decision) == 0
    assert held_base(a, event) == (AS_RECORD, acknowledged)

    older = review.merge(a, kept=kept.id, merged=merged.id)
    with write(a) as w:  # as a merge of an older version left it: the event rewritten, listed in the decision
        review._rewrite_ref(w, event, review.short_id(kept.id))
        values = review._decision_values(w, older)
        values["moved"] = json.dumps([[event, review.short_id(merged.id)]])
        review._save_decision(w, older, values)
    assert held_base(a, event)[1] == acknowledged
    assert review.undo(a, older) == 1
    assert held_base(a, event)[1] == acknowledged
    assert get_registration_fields(a, event)["person_ref"] == review.short_id(merged.id)
    _sync(a)
    assert held_base(a, event) == (AS_RECORD, state_of(a, event))
