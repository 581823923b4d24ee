"""Emergency erase: who may, the confirmation, and afterwards nothing opens and no canary is left."""

from __future__ import annotations

import pytest

from canary import CANARY_NAME, canary_content, leaks, search_roots
from desktop_app.cli import main
from desktop_app.services import session
from desktop_app.vault import Vault, errors
from desktop_app.vault.registrations import save_registration
from desktop_app.vault.vault import POLICY_ANY_USER_MAY_ERASE
from vault_testdata import ADMIN, ADMIN_PASSPHRASE

STAFF, STAFF_PASSPHRASE = "moussa", "field staff passphrase"


@pytest.fixture
def used_vault(new_vault, vault_dir):
    """A vault with records, a user, a migration backup and a rotated key: every kind of file."""
    new_vault.add_user(STAFF, STAFF_PASSPHRASE, "field_staff")
    new_vault.add_user("fatou", "the coordinator passphrase", "coordinator")
    for i in range(30):
        save_registration(new_vault, form_id="f", form_version="1", status="draft", content=canary_content(i),
                          fields={"title": CANARY_NAME})
    new_vault.remove_user("fatou")
    (vault_dir / "backups").mkdir()
    (vault_dir / "backups" / "waypoint.db.v3.20260101T000000Z.bak").write_bytes(
        (vault_dir / "waypoint.db").read_bytes())
    return new_vault


def _nothing_opens(vault_dir, recovery_code):
    for attempt in (lambda: Vault.unlock(vault_dir, username=ADMIN, passphrase=ADMIN_PASSPHRASE),
                    lambda: Vault.unlock(vault_dir, username=STAFF, passphrase=STAFF_PASSPHRASE),
                    lambda: Vault.unlock_with_recovery(vault_dir, recovery_code=recovery_code)):
        with pytest.raises(errors.VaultNotFound):
            attempt()


def test_administrator_erases_and_nothing_is_left(isolated_home, used_vault, vault_dir):
    started = vault_dir.stat().st_mtime - 1
    code = used_vault.recovery_code
    with pytest.raises(session.NotConfirmed):
        session.erase_open_vault(used_vault, confirmation="yes")
    assert used_vault.is_open and Vault.exists(vault_dir)
    erased = session.erase_open_vault(used_vault, confirmation="erase")
    assert not used_vault.is_open
    assert erased.overwritten == ["slots.json"]
    assert "waypoint.db" in erased.removed and "backups/waypoint.db.v3.20260101T000000Z.bak" in erased.removed
    assert list(vault_dir.iterdir()) == []
    _nothing_opens(vault_dir, code)
    assert leaks(search_roots(isolated_home), started, isolated_home) == []


def test_field_staff_may_erase_only_where_the_policy_allows(used_vault, vault_dir):
    with Vault.unlock(vault_dir, username=STAFF, passphrase=STAFF_PASSPHRASE) as staff:
        assert not staff.may_erase()
        with pytest.raises(errors.PermissionDenied):
            session.erase_open_vault(staff, confirmation="EFFACER")
        with pytest.raises(errors.PermissionDenied):
            staff.set_policy(POLICY_ANY_USER_MAY_ERASE, True)
    assert Vault.exists(vault_dir)
    used_vault.set_policy(POLICY_ANY_USER_MAY_ERASE, True)
    code = used_vault.recovery_code
    used_vault.close()
    session.erase_vault(vault_dir, username=STAFF, passphrase=STAFF_PASSPHRASE, confirmation="EFFACER")
    _nothing_opens(vault_dir, code)


def test_erase_from_the_sign_in_screen_needs_the_right_passphrase(used_vault, vault_dir):
    used_vault.close()
    with pytest.raises(errors.WrongPassphrase):
        session.erase_vault(vault_dir, username=ADMIN, passphrase="not the passphrase", confirmation="ERASE")
    with pytest.raises(session.NotConfirmed):
        session.erase_vault(vault_dir, username=ADMIN, passphrase=ADMIN_PASSPHRASE, confirmation="")
    assert Vault.exists(vault_dir)
    session.erase_vault(vault_dir, username=ADMIN, passphrase=ADMIN_PASSPHRASE, confirmation="ERASE")
    assert not Vault.exists(vault_dir)


def test_waypoint_wipe_on_the_command_line(used_vault, vault_dir, tmp_path, capsys):
    code = used_vault.recovery_code
    used_vault.close()
    pass_file = tmp_path / "admin.pass"
    pass_file.write_text(ADMIN_PASSPHRASE)
    as_admin = ["--vault", str(vault_dir), "--user", ADMIN, "--passphrase-file", str(pass_file)]
    assert main(["wipe", *as_admin]) == 2  # no terminal to ask on, no --confirm: nothing happens
    assert main(["wipe", "--confirm", "please", *as_admin]) == 2
    assert Vault.exists(vault_dir)
    assert main(["policy", "any-user-may-erase", "yes", *as_admin]) == 0
    assert "any-user-may-erase\tyes" in capsys.readouterr().out
    assert main(["wipe", "--confirm", "ERASE", *as_admin]) == 0
    assert "Erased the vault" in capsys.readouterr().out
    _nothing_opens(vault_dir, code)
