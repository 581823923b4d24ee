"""Users: add, remove with data-key rotation (and its crash-safe ordering), passphrase change,
and the growing wait after wrong passphrases."""

from __future__ import annotations

import json

import pytest

from desktop_app.vault import Vault, database, errors, keyslots, rotation
from desktop_app.vault.registrations import count_registrations, get_registration, save_registration
from vault_testdata import ADMIN, ADMIN_PASSPHRASE

STAFF, STAFF_PASSPHRASE = "moussa", "field staff passphrase"
COORD, COORD_PASSPHRASE = "fatou", "the coordinator passphrase"


def _opens_with(db_path, dek) -> bool:
    try:
        database.connect_raw(db_path, dek, page_size=database.NEW_VAULT_PAGE_SIZE, isolation_level=None).close()
        return True
    except errors.TamperedDatabase:
        return False


@pytest.fixture
def team(new_vault):
    new_vault.add_user(STAFF, STAFF_PASSPHRASE, "field_staff")
    new_vault.add_user(COORD, COORD_PASSPHRASE, "coordinator")
    record = save_registration(new_vault, form_id="f", form_version="1", status="finalized",
                               content="<data>kept through rotation</data>")
    new_vault.record_id = record.id
    return new_vault


def test_remove_user_rotates_the_data_key(team, vault_dir):
    db = vault_dir / "waypoint.db"
    old_dek = team._dek
    team.remove_user(STAFF)
    assert team._dek != old_dek
    assert not _opens_with(db, old_dek), "the removed user's copy of the old key still opens the database"
    assert _opens_with(db, team._dek)
    assert [u.username for u in team.list_users()] == [ADMIN, COORD]
    assert get_registration(team, team.record_id).content == "<data>kept through rotation</data>"
    team.close()
    with pytest.raises(errors.WrongPassphrase):  # as for a name that never was here
        Vault.unlock(vault_dir, username=STAFF, passphrase=STAFF_PASSPHRASE)
    # The coordinator's slot was re-sealed without their passphrase, and opens.
    with Vault.unlock(vault_dir, username=COORD, passphrase=COORD_PASSPHRASE) as coord:
        assert get_registration(coord, team.record_id) is not None
        assert coord.verify().ok
    doc = json.loads((vault_dir / "slots.json").read_text())
    assert doc["generation"] == 2 and doc["pending_generation"] is None
    assert all(list(s["envelopes"]) == ["2"] for s in doc["slots"])


def test_rotation_killed_after_writing_new_slots_finishes_at_next_unlock(team, vault_dir):
    db = vault_dir / "waypoint.db"
    old_dek = team._dek
    doc = keyslots.load(vault_dir, team._directory_key)
    target = next(s for s in doc["slots"] if s["username"] == STAFF)
    team.close()
    new_dek = rotation.start(vault_dir, doc, target)  # step 1 done, then "killed"
    assert _opens_with(db, old_dek)
    with Vault.unlock(vault_dir, username=COORD, passphrase=COORD_PASSPHRASE) as coord:
        assert coord._dek == new_dek
        assert count_registrations(coord) == 1
    assert not _opens_with(db, old_dek)
    assert keyslots.load(vault_dir)["pending_generation"] is None


def test_rotation_killed_after_rekey_finishes_at_next_unlock(team, vault_dir):
    db = vault_dir / "waypoint.db"
    old_dek = team._dek
    doc = keyslots.load(vault_dir, team._directory_key)
    target = next(s for s in doc["slots"] if s["username"] == STAFF)
    team.close()
    new_dek = rotation.start(vault_dir, doc, target)
    rotation.rekey_database(db, old_dek=old_dek, new_dek=new_dek,
                            page_size=database.NEW_VAULT_PAGE_SIZE)  # step 2, then "killed"
    with Vault.unlock(vault_dir, username=ADMIN, passphrase=ADMIN_PASSPHRASE) as admin:
        assert admin._dek == new_dek and admin.verify().ok
    assert keyslots.load(vault_dir)["generation"] == 2


def _entries_opened_by(folder, key) -> list[str]:
    """The slot ids of slots.json whose sealed entry (name, role, grant) `key` opens, tried one slot at a time."""
    doc = keyslots.load(folder)
    opened = []
    for slot in doc["slots"]:
        try:
            keyslots.open_entries({**doc, "slots": [dict(slot)]}, key)
        except errors.TamperedKeySlots:
            continue
        opened.append(slot["slot_id"])
    return opened


def _everyone_left_signs_in(folder, recovery_code) -> None:
    for name, passphrase in ((COORD, COORD_PASSPHRASE), (ADMIN, ADMIN_PASSPHRASE)):
        with Vault.unlock(folder, username=name, passphrase=passphrase) as vault:
            assert count_registrations(vault) == 1 and vault.verify().ok
    with Vault.unlock_with_recovery(folder, recovery_code=recovery_code) as recovery:
        assert [u.username for u in recovery.list_users()] == [ADMIN, COORD]
    with pytest.raises(errors.WrongPassphrase):
        Vault.unlock(folder, username=STAFF, passphrase=STAFF_PASSPHRASE)


def test_removing_a_user_rotates_the_key_of_the_slots_entries(team, vault_dir):
    # What the person removed could read while signed in: the key of everyone's entry in slots.json.
    kept_by_removed = team._directory_key
    assert len(_entries_opened_by(vault_dir, kept_by_removed)) == 4
    team.remove_user(STAFF)
    assert team._directory_key != kept_by_removed
    assert _entries_opened_by(vault_dir, kept_by_removed) == [], "the removed user still reads who works here"
    assert len(_entries_opened_by(vault_dir, team._directory_key)) == 3
    assert [u.username for u in team.list_users()] == [ADMIN, COORD]  # this session holds the new key
    meta = team.meta()
    assert keyslots.b64d(meta[keyslots.DIRECTORY_META_KEY]) == team._directory_key
    assert keyslots.PREVIOUS_DIRECTORY_META_KEY not in meta
    team.close()
    _everyone_left_signs_in(vault_dir, team.recovery_code)
    assert _entries_opened_by(vault_dir, kept_by_removed) == []


@pytest.mark.parametrize("killed_after", [1, 2, 3, 4])
def test_a_rotation_killed_at_any_step_opens_for_everyone_left_and_not_with_the_old_directory_key(
        team, vault_dir, killed_after):
    """The steps of rotation.remove_and_rotate, stopped after step `killed_after` (of 5)."""
    old_dek, kept_by_removed = team._dek, team._directory_key
    doc = keyslots.load(vault_dir, kept_by_removed)
    target = next(s for s in doc["slots"] if s["username"] == STAFF)
    team.close()
    new_dek = rotation.start(vault_dir, doc, target)
    if killed_after >= 2:
        rotation.rekey_database(vault_dir / "waypoint.db", old_dek=old_dek, new_dek=new_dek,
                                page_size=database.NEW_VAULT_PAGE_SIZE)
    if killed_after >= 3:
        directory = rotation.new_directory_key(vault_dir, doc, new_dek)
    if killed_after >= 4:
        rotation.finalize(vault_dir, doc, directory)
        assert _entries_opened_by(vault_dir, kept_by_removed) == []
    _everyone_left_signs_in(vault_dir, team.recovery_code)
    after = keyslots.load(vault_dir)
    assert after["generation"] == 2 and after["pending_generation"] is None
    assert _entries_opened_by(vault_dir, kept_by_removed) == []
    assert not _opens_with(vault_dir / "waypoint.db", old_dek)
    if killed_after >= 3:  # the key stored before the crash is the one the entries end up sealed with
        assert len(_entries_opened_by(vault_dir, directory)) == 3


def test_change_passphrase_rewraps_one_slot_only(team, vault_dir):
    before = {s["username"]: s for s in keyslots.load(vault_dir, team._directory_key)["slots"]}
    directory = team._directory_key
    team.close()
    with Vault.unlock(vault_dir, username=STAFF, passphrase=STAFF_PASSPHRASE) as staff:
        with pytest.raises(errors.WrongPassphrase):
            staff.change_passphrase(STAFF, "not my passphrase", "a brand new passphrase of mine")
        with pytest.raises(errors.PermissionDenied):
            staff.change_passphrase(ADMIN, STAFF_PASSPHRASE, "a brand new passphrase of mine")
        staff.change_passphrase(STAFF, STAFF_PASSPHRASE, "a brand new passphrase of mine")
    after = {s["username"]: s for s in keyslots.load(vault_dir, directory)["slots"]}
    assert {n for n in before if before[n] != after[n]} == {STAFF}
    assert after[STAFF]["envelopes"] == before[STAFF]["envelopes"]  # same key pair, new wrap
    assert after[STAFF]["kdf"]["salt"] != before[STAFF]["kdf"]["salt"]
    with pytest.raises(errors.WrongPassphrase):
        Vault.unlock(vault_dir, username=STAFF, passphrase=STAFF_PASSPHRASE)
    Vault.unlock(vault_dir, username=STAFF, passphrase="a brand new passphrase of mine").close()


def test_add_user_refuses_duplicates_bad_roles_and_reused_names(team):
    with pytest.raises(errors.InvalidInput):
        team.add_user(STAFF, "yet another good passphrase", "field_staff")
    with pytest.raises(errors.InvalidInput):
        team.add_user("newcomer", "yet another good passphrase", "superuser")
    with pytest.raises(errors.InvalidInput):
        team.add_user("recovery", "yet another good passphrase", "field_staff")
    team.remove_user(STAFF)
    with pytest.raises(errors.InvalidInput):
        team.add_user(STAFF, "yet another good passphrase", "field_staff")


def test_last_administrator_and_self_cannot_be_removed(team):
    with pytest.raises(errors.InvalidInput):
        team.remove_user(ADMIN)
    with pytest.raises(errors.UnknownUser):
        team.remove_user("nobody")


def test_wrong_passphrases_make_a_growing_wait(new_vault, vault_dir):
    new_vault.close()
    now = [1_000_000.0]

    def clock():
        return now[0]

    def attempt(passphrase):
        return Vault.unlock(vault_dir, username=ADMIN, passphrase=passphrase, clock=clock)

    for _ in range(3):
        with pytest.raises(errors.WrongPassphrase):
            attempt("guess")
    waits = []
    for _ in range(4):
        with pytest.raises(errors.TooManyAttempts) as refused:
            attempt(ADMIN_PASSPHRASE)  # refused without even trying, right passphrase or not
        waits.append(refused.value.retry_after_s)
        now[0] += refused.value.retry_after_s
        with pytest.raises(errors.WrongPassphrase):
            attempt("guess")
    assert waits == sorted(waits) and waits[-1] > waits[0] > 0
    with pytest.raises(errors.TooManyAttempts):
        attempt(ADMIN_PASSPHRASE)
    now[0] += 3600
    attempt(ADMIN_PASSPHRASE).close()  # success resets the count
    with pytest.raises(errors.WrongPassphrase):
        attempt("guess")


def test_a_damaged_lockout_file_does_not_reset_the_count(new_vault, vault_dir):
    new_vault.close()
    (vault_dir / "lockout.json").write_text("{ not json")
    now = 1_700_000_000.0
    with pytest.raises(errors.TooManyAttempts) as first:
        Vault.unlock(vault_dir, username=ADMIN, passphrase=ADMIN_PASSPHRASE, clock=lambda: now)
    with pytest.raises(errors.TooManyAttempts) as second:
        Vault.unlock(vault_dir, username=ADMIN, passphrase=ADMIN_PASSPHRASE, clock=lambda: now + 1)
    assert second.value.retry_after_s == first.value.retry_after_s - 1
    Vault.unlock(vault_dir, username=ADMIN, passphrase=ADMIN_PASSPHRASE,
                 clock=lambda: now + first.value.retry_after_s).close()
