"""The review desk through the real server: a coordinator's resolution of a conflict is a new version that reaches
the other device and stays in the record's history; a merge decision travels as a record of its own, and the events
stay on the registration they were recorded for."""

from __future__ import annotations

from desktop_app.records import review
from desktop_app.records.store import record_history
from desktop_app.services import desk
from desktop_app.services import sync as sync_service
from desktop_app.vault import Vault
from desktop_app.vault.models import DECISION_FORM
from desktop_app.vault.registrations import count_unsynced, get_registration, get_registration_fields
from records import register
from tests.desk.people import save_event, save_people
from tests.desk.test_desk_review import pair_of_people
from tests.sync.support import PASSPHRASE, fast_connect

COORD, COORD_PASSPHRASE = "zara", "marble canyon violet engine"


def as_coordinator(vault: Vault) -> Vault:
    """The same laptop, now signed in by a coordinator (added by its administrator)."""
    vault.add_user(COORD, COORD_PASSPHRASE, ("coordinator",))
    path = vault.path
    vault.close()
    return Vault.unlock(path, username=COORD, passphrase=COORD_PASSPHRASE)


def test_a_resolution_reaches_every_device_and_stays_in_history(enrolled):
    a, b = enrolled("desk-a"), enrolled("desk-b")
    record_id = register(a, "Djibo Test", 30).id
    sync_service.sync_now(a, connect=fast_connect())
    sync_service.sync_now(b, connect=fast_connect())
    register(a, "Djibo Alpha", 30, record_id=record_id)
    register(b, "Djibo Bravo", 30, record_id=record_id)
    sync_service.sync_now(a, connect=fast_connect())
    sync_service.sync_now(b, connect=fast_connect())
    coordinator = as_coordinator(b)
    try:
        [row] = desk.conflicts_page(coordinator, offset=0, limit=10)
        assert row.record_id == record_id and not row.waiting
        detail = desk.conflict(coordinator, row.conflict_id)
        [name] = [leaf for leaf in detail.differing if leaf.path.endswith("name")]
        assert (name.local, name.remote) == ("Djibo Bravo", "Djibo Alpha")
        # Who saved this laptop's side is known unless the server's identical copy was written over it.
        assert detail.local_by in ("admin", "") and detail.local_at

        desk.resolve_conflict(coordinator, row.conflict_id, keep=review.KEEP_LOCAL, edits={name.path: "Djibo Charlie"})
        assert desk.count_conflicts(coordinator) == 0
        sync_service.sync_now(coordinator, connect=fast_connect())
        sync_service.sync_now(a, connect=fast_connect())
        for vault in (a, coordinator):
            record = get_registration(vault, record_id)
            assert "<name>Djibo Charlie</name>" in record.content, vault.path
            assert record.sync_state == "acknowledged"
            assert count_unsynced(vault) == 0
        history = record_history(coordinator, record_id)
        assert any("Djibo Bravo" in version.content for version in history[:-1])  # what the resolution replaced
        assert get_registration(a, record_id).content == get_registration(coordinator, record_id).content
    finally:
        coordinator.close()


def test_a_merge_decision_travels_and_the_events_stay_as_recorded(enrolled):
    """The decision reaches the other laptop; the merged person's event is not rewritten (it used to be, and went
    back to its centre naming a registration that centre may not hold): the kept person's case file shows it."""
    from desktop_app.services import casefile

    def events_of(vault: Vault, record_id: str) -> list[str]:
        return [e.record_id for e in casefile.case_file(vault, record_id).entries if e.kind == casefile.EVENT]

    a, b = enrolled("merge-a"), enrolled("merge-b")
    coordinator = as_coordinator(b)
    try:
        kept, merged = pair_of_people()
        save_people(coordinator, [kept, merged])
        event = save_event(coordinator, review.short_id(merged.id))
        sync_service.sync_now(coordinator, connect=fast_connect())
        decision = desk.merge(coordinator, kept=kept.id, merged=merged.id)
        assert events_of(coordinator, kept.id) == [event]
        assert get_registration(coordinator, event).sync_state == "acknowledged"  # nothing of the event to send
        sync_service.sync_now(coordinator, connect=fast_connect())
        sync_service.sync_now(a, connect=fast_connect())
        pulled = get_registration(a, decision)
        assert pulled is not None and pulled.form_id == DECISION_FORM
        fields = get_registration_fields(a, decision)
        assert (fields["decision"], fields["kept"], fields["moved"]) == (review.MERGE, kept.id, "[]")
        assert get_registration_fields(a, event)["person_ref"] == review.short_id(merged.id)
        assert get_registration(a, event).server_version == 1  # one version of the event, ever
        desk.undo(coordinator, decision)
        assert events_of(coordinator, kept.id) == [] and events_of(coordinator, merged.id) == [event]
        sync_service.sync_now(coordinator, connect=fast_connect())
        sync_service.sync_now(a, connect=fast_connect())
        assert get_registration_fields(a, decision)["undone"] == "yes"
        assert get_registration_fields(a, event)["person_ref"] == review.short_id(merged.id)
        assert get_registration(a, event).server_version == 1
        assert PASSPHRASE  # the administrator's passphrase still opens laptop a
    finally:
        coordinator.close()
