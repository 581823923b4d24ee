"""Who holds the field keys on a laptop, as people join, change role, forget their passphrase or leave."""

from __future__ import annotations

import pytest

from desktop_app.services import records
from desktop_app.vault import Vault, errors
from desktop_app.vault.registrations import get_registration
from desktop_app.vault.sql import Db
from tests.access.team import (
    ADMIN, CANARY, CASE, FIELD, MIGRANT, PASSPHRASES, PERSON, RECOVERY_CODES, instance, make_team, signed_in,
)

NEW_CASE, NEW_PASSPHRASE = "ibrahim", "quiet meadow lantern crossing"


def _wraps(vault) -> dict[str, set[str]]:
    """key id -> the recipients (slot public keys) it is wrapped for."""
    with vault.session(readonly=True) as session:
        rows = Db.of(session).execute("SELECT key_id, recipient FROM field_key_wrap").all()
    out: dict[str, set[str]] = {}
    for row in rows:
        out.setdefault(row.key_id, set()).add(row.recipient)
    return out


def _register(folder, xforms, who=FIELD):
    with signed_in(folder, who) as vault:
        version = records.form_definition(xforms["migrant_registration"]).version
        return records.finalize(vault, form_id=MIGRANT, form_version=version,
                                record_id="00000000-0000-4000-8000-000000000001",
                                content=instance(xforms["migrant_registration"], PERSON))


def _reads(folder, who, record_id) -> bool:
    with signed_in(folder, who) as vault:
        return CANARY in records.reopen(vault, record_id).record.content


def test_a_new_vault_can_seal_from_the_start_and_its_recovery_code_keeps_the_key(isolated_home):
    vault, code = Vault.create(isolated_home / "v", admin_username=ADMIN, admin_passphrase=PASSPHRASES[ADMIN],
                               kdf_profile="test")
    with vault:
        assert vault.sealing_key() is not None and vault.field_keys() == {}
        assert [len(r) for r in _wraps(vault).values()] == [1]  # the recovery slot only
    with Vault.unlock_with_recovery(isolated_home / "v", recovery_code=code) as recovery:
        assert set(recovery.field_keys()) == set(_wraps(recovery))


def test_the_first_case_worker_gets_a_new_key_and_the_next_one_gets_it_from_a_holder(team, xforms):
    saved = _register(team, xforms)
    with signed_in(team, ADMIN) as admin:
        admin.add_user(NEW_CASE, NEW_PASSPHRASE, ["field_staff", "case_worker"])
    PASSPHRASES[NEW_CASE] = NEW_PASSPHRASE
    try:
        with signed_in(team, NEW_CASE) as newcomer:
            assert newcomer.field_keys() == {}  # nobody who holds the keys has signed in since
        assert _reads(team, CASE, saved.record_id)  # kofi signs in: his keys are handed over
        assert _reads(team, NEW_CASE, saved.record_id)
    finally:
        del PASSPHRASES[NEW_CASE]


def test_a_role_given_and_taken_back(team, xforms):
    saved = _register(team, xforms)
    with signed_in(team, ADMIN) as admin:
        assert admin.set_roles(FIELD, ["field_staff", "case_worker"]) == ("field_staff", "case_worker")
        assert {u.username: u.roles for u in admin.list_users()}[FIELD] == ("field_staff", "case_worker")
    assert _reads(team, CASE, saved.record_id) and _reads(team, FIELD, saved.record_id)
    with signed_in(team, FIELD) as fatou:
        taken = dict(fatou.field_keys())  # what a person might copy while they hold the role
        current = fatou.sealing_key().key_id
    with signed_in(team, ADMIN) as admin:
        admin.set_roles(FIELD, ["field_staff"])
        assert admin.verify().ok
    with signed_in(team, FIELD) as fatou:
        assert fatou.roles == ("field_staff",) and fatou.field_keys() == {}
        assert fatou.sealing_key().key_id != current and fatou.sealing_key().key_id not in taken
        assert CANARY not in records.reopen(fatou, saved.record_id).record.content
    assert _reads(team, CASE, saved.record_id)


def test_roles_that_cannot_be_given_or_taken(team):
    with signed_in(team, ADMIN) as admin:
        with pytest.raises(errors.InvalidInput, match="from yourself"):
            admin.set_roles(ADMIN, ["field_staff"])
        with pytest.raises(errors.InvalidInput, match="unknown role"):
            admin.set_roles(FIELD, ["superuser"])
        with pytest.raises(errors.InvalidInput, match="at least one role"):
            admin.set_roles(FIELD, [])
        admin.set_roles(CASE, ["case_worker", "administrator"])
    with signed_in(team, CASE) as kofi:  # now an administrator too: holds the role authority
        assert kofi.grant.is_administrator
        kofi.set_roles(ADMIN, ["field_staff"])
    with Vault.unlock_with_recovery(team, recovery_code=RECOVERY_CODES[team]) as recovery:
        with pytest.raises(errors.InvalidInput, match="last administrator"):
            recovery.set_roles(CASE, ["case_worker"])
    with signed_in(team, ADMIN) as amina:
        assert not amina.grant.is_administrator
        with pytest.raises(errors.PermissionDenied):
            amina.add_user("someone", NEW_PASSPHRASE, "field_staff")
    with signed_in(team, FIELD) as fatou:
        with pytest.raises(errors.PermissionDenied):
            fatou.set_roles(FIELD, ["administrator"])


def test_a_reset_passphrase_must_be_changed_and_the_recovery_code_hands_the_keys_back(team, xforms):
    saved = _register(team, xforms)
    with signed_in(team, ADMIN) as admin:
        admin.change_passphrase(CASE, None, "temporary lantern orchard river", must_change=True)
    with Vault.unlock(team, username=CASE, passphrase="temporary lantern orchard river") as kofi:
        assert kofi.must_change_passphrase
        assert kofi.field_keys() == {}  # his new slot: the keys were wrapped for the old one
        kofi.change_passphrase(CASE, "temporary lantern orchard river", PASSPHRASES[CASE])
        assert not kofi.must_change_passphrase
    with signed_in(team, CASE) as kofi:
        assert not kofi.must_change_passphrase
    assert not _reads(team, CASE, saved.record_id)
    with Vault.unlock_with_recovery(team, recovery_code=RECOVERY_CODES[team]):
        pass  # the organisation's copy hands the keys to every case worker
    assert _reads(team, CASE, saved.record_id)


def test_removing_a_case_worker_renews_the_key(team, xforms):
    _register(team, xforms)
    with signed_in(team, CASE) as kofi:
        old = kofi.sealing_key().key_id
    with signed_in(team, ADMIN) as admin:
        admin.add_user(NEW_CASE, NEW_PASSPHRASE, ["case_worker"])
        admin.remove_user(CASE)
        new = admin.sealing_key().key_id
        assert new != old
        assert all(len(recipients) >= 1 for recipients in _wraps(admin).values())


def test_the_recovery_code_is_replaced_only_by_who_can_hand_its_keys_over(isolated_home, xforms):
    folder = isolated_home / "v"
    vault, code = Vault.create(folder, admin_username=ADMIN, admin_passphrase=PASSPHRASES[ADMIN], kdf_profile="test")
    with vault:
        first = vault.replace_recovery_code()  # nothing sealed yet: the unused key is simply replaced
        from desktop_app.records.form_store import install_form
        install_form(vault, xform=xforms["migrant_registration"], source_name="m.md", check_role=False)
        vault.add_user(FIELD, PASSPHRASES[FIELD], ["field_staff"])
    saved = _register(folder, xforms)  # sealed to a key only the recovery slot holds
    with Vault.unlock(folder, username=ADMIN, passphrase=PASSPHRASES[ADMIN]) as admin:
        with pytest.raises(errors.InvalidInput, match="recovery code"):
            admin.replace_recovery_code()
    with Vault.unlock_with_recovery(folder, recovery_code=first) as recovery:
        second = recovery.replace_recovery_code()
    with Vault.unlock_with_recovery(folder, recovery_code=second) as recovery:
        token = get_registration(recovery, saved.record_id).content
        assert "wp:p3:1:" in token and recovery.field_keys()
    assert code != first != second


def test_a_team_made_by_the_helper_verifies(isolated_home, xforms):
    folder = make_team(isolated_home / "t", xforms)
    with signed_in(folder, ADMIN) as admin:
        assert admin.verify().ok
