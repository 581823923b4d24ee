"""Create, unlock, lock, registrations and the outbox through the public vault API."""

from __future__ import annotations

import uuid

import pytest

from desktop_app.vault import Vault, errors
from desktop_app.vault.models import Outbox
from desktop_app.vault.registrations import (
    count_registrations,
    count_unsynced,
    delete_registration,
    get_registration,
    get_registration_fields,
    page_registrations,
    save_registration,
)
from desktop_app.vault.writer import write
from sqlmodel import select

from vault_testdata import ADMIN, ADMIN_PASSPHRASE, acknowledged_by_server


def test_create_then_unlock_sees_the_same_vault(new_vault, vault_dir):
    assert Vault.exists(vault_dir)
    assert new_vault.is_open and new_vault.user.username == ADMIN and new_vault.user.role == "administrator"
    uuid.UUID(new_vault.device_id)
    assert new_vault.info()["cipher_page_size"] == 8192  # older vaults (tests/vault/fixtures) keep 4096
    device_id = new_vault.device_id
    new_vault.close()
    assert not new_vault.is_open
    with pytest.raises(errors.VaultLocked):
        count_registrations(new_vault)
    again = Vault.unlock(vault_dir, username=ADMIN, passphrase=ADMIN_PASSPHRASE)
    try:
        assert again.device_id == device_id
        assert again.path == vault_dir
    finally:
        again.close()


def test_create_refuses_an_existing_vault_or_a_file(new_vault, vault_dir, tmp_path):
    with pytest.raises(errors.VaultExists):
        Vault.create(vault_dir, admin_username="x", admin_passphrase="quiet river at dawn", kdf_profile="test")
    (tmp_path / "a-file").write_text("not a folder")
    with pytest.raises(errors.InvalidInput):
        Vault.create(tmp_path / "a-file", admin_username="x", admin_passphrase="quiet river at dawn", kdf_profile="test")


def _ops(vault):
    with vault.session(readonly=True) as session:
        return [(o.op, o.record_version, o.payload) for o in session.exec(select(Outbox).order_by(Outbox.seq)).all()]


def test_saves_share_one_pending_op_and_drafts_stay_on_the_laptop(new_vault):
    reg = save_registration(
        new_vault, form_id="htcds_core", form_version="2.0", status="draft", content="<data><n>A</n></data>",
        fields={"title": "Person A", "age": "34", "sex": "F", "phone_owner": "self"},
    )
    assert reg.version == 1 and reg.created_by == ADMIN and reg.sync_state == "local"
    assert _ops(new_vault) == [] and count_unsynced(new_vault) == 0  # a draft does not travel
    updated = save_registration(
        new_vault, record_id=reg.id, form_id="htcds_core", form_version="2.0", status="finalized",
        content="<data><n>B</n></data>", fields={"title": "Person B"},
    )
    assert updated.version == 2 and updated.created_at == reg.created_at and updated.sync_state == "queued"
    stored = get_registration(new_vault, reg.id)
    assert stored.content == "<data><n>B</n></data>" and stored.title == "Person B" and stored.age is None
    assert get_registration_fields(new_vault, reg.id) == {}
    for n in range(3):  # saved again before sync froze it: the same op, now for the newest version
        save_registration(new_vault, record_id=reg.id, form_id="htcds_core", form_version="2.0",
                          status="finalized", content=f"<data><n>C{n}</n></data>")
    assert _ops(new_vault) == [("upsert", 5, "")]  # "send the current state": no copy of the content
    assert count_unsynced(new_vault) == 1
    save_registration(new_vault, record_id=reg.id, form_id="htcds_core", form_version="2.0", status="draft",
                      content="<data><n>D</n></data>")
    assert _ops(new_vault) == [] and get_registration(new_vault, reg.id).sync_state == "local"


def test_deleting_a_record_the_server_never_saw_leaves_no_row(new_vault):
    reg = save_registration(new_vault, form_id="f", form_version="1", status="finalized", content="<a>x</a>")
    delete_registration(new_vault, reg.id)
    assert get_registration(new_vault, reg.id) is None and _ops(new_vault) == []
    assert count_registrations(new_vault, include_deleted=True) == 0


def test_deleting_a_record_the_server_has_queues_a_tombstone(new_vault):
    reg = save_registration(new_vault, form_id="f", form_version="1", status="finalized", content="<a>x</a>",
                            fields={"title": "Person"})
    acknowledged_by_server(new_vault, reg.id)  # what the sync client does when the server acknowledges the op
    assert _ops(new_vault) == [("upsert", 1, "")]  # acknowledged: what it carried is gone
    delete_registration(new_vault, reg.id)
    assert count_registrations(new_vault) == 0
    assert count_registrations(new_vault, include_deleted=True) == 1
    tombstone = get_registration(new_vault, reg.id)
    assert tombstone.deleted and tombstone.content == "" and tombstone.title is None and tombstone.version == 2
    assert _ops(new_vault) == [("upsert", 1, ""), ("delete", 2, "")]
    assert count_unsynced(new_vault) == 1


def test_a_save_that_edits_a_deleted_registration_never_brings_it_back(new_vault):
    """A form left open on a draft deleted from the list autosaves again: the writer refuses it, whether the deletion
    left no row (a draft that never travelled) or a tombstone (a record the server has)."""
    from desktop_app.vault.writer import RegistrationDraft

    local = save_registration(new_vault, form_id="f", form_version="1", status="draft", content="<a>Ghost</a>",
                              fields={"title": "Ghost Draft"})
    delete_registration(new_vault, local.id)
    again = RegistrationDraft("f", "1", "draft", "<a>Ghost again</a>", local.id, {"title": "Ghost Draft"},
                              edits_stored=True)
    with pytest.raises(errors.RegistrationDeleted), write(new_vault) as w:
        w.save([again])
    assert get_registration(new_vault, local.id) is None
    assert count_registrations(new_vault, include_deleted=True) == 0 and _ops(new_vault) == []

    shared = save_registration(new_vault, form_id="f", form_version="1", status="finalized", content="<a>x</a>")
    acknowledged_by_server(new_vault, shared.id)  # the server acknowledged it: its deletion leaves a tombstone
    delete_registration(new_vault, shared.id)
    for edits_stored in (True, False):
        with pytest.raises(errors.RegistrationDeleted), write(new_vault) as w:
            w.save([RegistrationDraft("f", "1", "draft", "<a>Ghost</a>", shared.id, edits_stored=edits_stored)])
    tombstone = get_registration(new_vault, shared.id)
    assert tombstone.deleted and tombstone.content == "" and tombstone.version == 2
    assert _ops(new_vault) == [("upsert", 1, ""), ("delete", 2, "")]  # the deletion still goes to the server


def test_a_save_never_undoes_a_retention_purge(new_vault):
    """A form left open on a record the retention period purged saves again: the writer refuses it like a deletion
    (RegistrationPurged), whether or not the save says it edits a stored version, and the purge stays whole."""
    from desktop_app.vault.writer import RegistrationDraft

    reg = save_registration(new_vault, form_id="f", form_version="1", status="finalized", content="<a>Named</a>",
                            fields={"title": "Named Person"})
    acknowledged_by_server(new_vault, reg.id)
    with write(new_vault) as w:  # what retention.purge_due does to each record due
        w.purge(reg.id, content="<a/>", fields={}, versions={})
    purged = get_registration(new_vault, reg.id)
    for edits_stored in (True, False):
        with pytest.raises(errors.RegistrationPurged), write(new_vault) as w:
            w.save([RegistrationDraft("f", "1", "draft", "<a>Named again</a>", reg.id, {"title": "Named Person"},
                                      edits_stored=edits_stored)])
    after = get_registration(new_vault, reg.id)
    assert (after.content, after.title, after.version, after.purged_at) == ("<a/>", None, purged.version,
                                                                           purged.purged_at)
    assert _ops(new_vault) == [("upsert", 1, "")]  # nothing queued: the server keeps its record


def test_deleting_a_registration_deleted_already_says_so(new_vault):
    """Two windows delete the same record: the second finds its tombstone (False: nothing to do) or, for a draft that
    never travelled, no row (RegistrationGone, not a bare 'invalid input')."""
    local = save_registration(new_vault, form_id="f", form_version="1", status="draft", content="<a/>")
    delete_registration(new_vault, local.id)
    with pytest.raises(errors.RegistrationGone), write(new_vault) as w:
        w.delete(local.id)
    shared = save_registration(new_vault, form_id="f", form_version="1", status="finalized", content="<a/>")
    acknowledged_by_server(new_vault, shared.id)
    delete_registration(new_vault, shared.id)
    with write(new_vault) as w:
        assert w.delete(shared.id) is False
    assert _ops(new_vault) == [("upsert", 1, ""), ("delete", 2, "")]  # one deletion goes to the server, not two


def test_failed_save_writes_neither_record_nor_outbox(new_vault):
    with pytest.raises(errors.InvalidInput):
        save_registration(new_vault, form_id="f", form_version="1", status="sent", content="<x/>")
    with pytest.raises(errors.InvalidInput):
        save_registration(new_vault, form_id="f", form_version="1", status="draft", content="<x/>",
                          fields={"age": "forty"})
    assert count_registrations(new_vault, include_deleted=True) == 0
    assert count_unsynced(new_vault) == 0


def test_paging_is_newest_first_and_search_matches_title(new_vault):
    ids = [
        save_registration(new_vault, form_id="f", form_version="1", status="draft", content=f"<i>{i}</i>",
                          fields={"title": f"Person {i:02d}" + (" 50%_off" if i == 7 else "")}).id
        for i in range(25)
    ]
    first = page_registrations(new_vault, offset=0, limit=10)
    second = page_registrations(new_vault, offset=10, limit=10)
    last = page_registrations(new_vault, offset=20, limit=10)
    assert [s.id for s in first + second + last] == list(reversed(ids))
    assert [s.title for s in page_registrations(new_vault, offset=0, limit=5, search="person 1")] == [
        f"Person {i:02d}" for i in range(19, 9, -1)][:5]
    assert [s.title for s in page_registrations(new_vault, offset=0, limit=5, search="50%_")] == [
        "Person 07 50%_off"]
    assert count_registrations(new_vault, status="draft") == 25
    assert count_registrations(new_vault, status="finalized") == 0
    short_id = ids[3].replace("-", "")[:8].upper()  # as the list shows it
    assert ids[3] in [s.id for s in page_registrations(new_vault, offset=0, limit=25, search=short_id)]
    assert ids[3] in [s.id for s in page_registrations(new_vault, offset=0, limit=25, search=short_id[:5])]


def test_search_finds_a_name_typed_without_its_accents_case_or_apostrophes(new_vault):
    # a tired worker types "traore" for Traoré: a search that missed it led to the person being registered twice
    titles = ["Aïcha Traoré", "Mamadou N’Diaye", "FRANÇOISE Ɓello", "Ousmane O'Neil", "Moussa Keita"]
    for title in titles:
        save_registration(new_vault, form_id="f", form_version="1", status="draft", content="<i/>",
                          fields={"title": title})

    def found(search):
        return sorted(s.title for s in page_registrations(new_vault, offset=0, limit=10, search=search))

    assert found("traore") == ["Aïcha Traoré"]
    assert found("AICHA") == found("aïcha") == found("Aïcha Traoré") == ["Aïcha Traoré"]
    assert found("ndiaye") == found("N'Diaye") == ["Mamadou N’Diaye"]
    assert found("francoise bello") == found("Françoise") == ["FRANÇOISE Ɓello"]
    assert found("oneil") == ["Ousmane O'Neil"]
    assert found("ou") == ["Mamadou N’Diaye", "Moussa Keita", "Ousmane O'Neil"]
    assert found("traoré keita") == []


def test_roles_limit_user_management(new_vault, vault_dir):
    new_vault.add_user("moussa", "field staff passphrase 12", "field_staff")
    new_vault.close()
    staff = Vault.unlock(vault_dir, username="moussa", passphrase="field staff passphrase 12")
    try:
        assert staff.user.role == "field_staff"
        with pytest.raises(errors.PermissionDenied):
            staff.add_user("other", "the other administrator passphrase", "administrator")
        with pytest.raises(errors.PermissionDenied):
            staff.remove_user(ADMIN)
        save_registration(staff, form_id="f", form_version="1", status="draft", content="<x/>")
    finally:
        staff.close()


def test_unknown_user_and_missing_vault(new_vault, vault_dir, tmp_path):
    with pytest.raises(errors.WrongPassphrase):
        Vault.unlock(vault_dir, username="nobody", passphrase="x")
    with pytest.raises(errors.VaultNotFound):
        Vault.unlock(tmp_path / "no-such-folder", username=ADMIN, passphrase=ADMIN_PASSPHRASE)


def test_recovery_code_opens_as_administrator(new_vault, vault_dir):
    code = new_vault.recovery_code
    new_vault.close()
    recovered = Vault.unlock_with_recovery(vault_dir, recovery_code=code.lower().replace("-", " "))
    try:
        assert recovered.user.role == "administrator" and recovered.user.username == "recovery"
        recovered.change_passphrase(ADMIN, None, "a new passphrase for amina")
    finally:
        recovered.close()
    Vault.unlock(vault_dir, username=ADMIN, passphrase="a new passphrase for amina").close()
    with pytest.raises(errors.WrongPassphrase):
        Vault.unlock_with_recovery(vault_dir, recovery_code="AAAA-" * 7 + "AAAA")


def test_replacing_the_recovery_code_retires_the_old_one(new_vault, vault_dir):
    old = new_vault.recovery_code
    new = new_vault.replace_recovery_code()
    new_vault.close()
    assert new != old
    with pytest.raises(errors.WrongPassphrase):
        Vault.unlock_with_recovery(vault_dir, recovery_code=old)
    Vault.unlock_with_recovery(vault_dir, recovery_code=new).close()


def test_batch_save_is_all_or_nothing(new_vault):
    from desktop_app.vault.registrations import RegistrationDraft, save_registrations

    good = RegistrationDraft("f", "1", "draft", "<a/>")
    with pytest.raises(errors.InvalidInput):
        save_registrations(new_vault, [good, RegistrationDraft("f", "1", "nonsense", "<b/>")])
    assert count_registrations(new_vault) == 0 and count_unsynced(new_vault) == 0
    ids = save_registrations(new_vault, [good, RegistrationDraft("f", "1", "finalized", "<b/>")])
    assert len(ids) == 2 and count_unsynced(new_vault) == 1  # the draft stays on this laptop


def test_deleting_a_registration_removes_its_files(new_vault):
    from desktop_app.vault.models import Attachment
    from desktop_app.vault.registrations import delete_registration, save_registration
    from desktop_app.vault.writer import write

    vault = new_vault
    reg = save_registration(vault, form_id="f", form_version="1", status="draft", content="<data/>")
    with write(vault) as w:  # the one writer stores files (with their SHA-256 and size)
        w.put_files(reg.id, [("photo.jpg", "image/jpeg", b"synthetic")])
    with vault.session(readonly=True) as session:
        assert len(session.exec(select(Attachment).where(Attachment.record_id == reg.id)).all()) == 1
    delete_registration(vault, reg.id)
    with vault.session(readonly=True) as session:
        assert session.exec(select(Attachment).where(Attachment.record_id == reg.id)).all() == []


def test_reading_is_one_read_transaction_and_refuses_a_write(new_vault):
    """Vault.reading: several read-only steps share one session (one snapshot); a write inside it would not be seen
    by the reads after it, so it is refused; afterwards sessions are their own again."""
    with new_vault.reading():
        with new_vault.session(readonly=True) as first, new_vault.session(readonly=True) as second:
            assert first is second
        with new_vault.reading(), new_vault.session(readonly=True) as nested:
            assert nested is first
        with pytest.raises(RuntimeError), new_vault.session():
            pass
    with new_vault.session(readonly=True) as after:
        assert after is not first
    with new_vault.session() as writing:
        assert writing is not first
