"""Roles an administrator granted: a self-raised role is refused at unlock and by verify, and the
refusal changes no file."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.vault import Vault, database, errors, grants, keyslots
from desktop_app.vault.vault import normalise_recovery_code
from vault_testdata import ADMIN, ADMIN_PASSPHRASE, insider_slots, opened_slots

STAFF, STAFF_PASSPHRASE = "moussa", "field staff passphrase"
FIXTURE = Path(__file__).parent / "fixtures" / "vault-v1"


@pytest.fixture
def team(new_vault, vault_dir):
    new_vault.add_user(STAFF, STAFF_PASSPHRASE, "field_staff")
    new_vault.close()
    return vault_dir


def _fingerprint(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != "lockout.json"}


def _raise_own_role(folder, *, kind="user", new_secret=STAFF_PASSPHRASE):
    """What the issue describes: knowing only their own passphrase, a field-staff user re-wraps their
    own slot as an administrator's (a valid wrap: the tag is made with their own key; the entry is sealed with the
    key any signed-in person can read from the database)."""
    doc = insider_slots(folder, STAFF, STAFF_PASSPHRASE)
    slot = next(s for s in doc["slots"] if s["username"] == STAFF)
    private_key = keyslots.unlock_slot(doc, slot, STAFF_PASSPHRASE)
    slot["role"], slot["kind"] = "administrator", kind
    keyslots.rewrap(doc, slot, private_key, new_secret, keyslots.KdfParams.from_json(doc["kdf"]))
    keyslots.save(folder, doc)


def test_self_raised_role_is_refused_at_unlock_and_changes_nothing(team):
    _raise_own_role(team)
    before = _fingerprint(team)
    with pytest.raises(errors.RoleNotGranted) as refused:
        Vault.unlock(team, username=STAFF, passphrase=STAFF_PASSPHRASE)
    assert "granted field_staff" in str(refused.value)
    assert _fingerprint(team) == before
    assert not (team / "waypoint.db-wal").exists()


def test_verify_names_the_self_raised_slot(team):
    _raise_own_role(team)
    with Vault.unlock(team, username=ADMIN, passphrase=ADMIN_PASSPHRASE) as admin:
        report = admin.verify()
    assert not report.ok
    assert any(STAFF in p and "claims the role 'administrator'" in p for p in report.problems)


def test_the_attack_of_the_issue_goes_nowhere_from_the_command_line(team, capsys):
    _raise_own_role(team)
    staff_file = team.parent / "staff.pass"
    staff_file.write_text(STAFF_PASSPHRASE)
    as_staff = ["--vault", str(team), "--user", STAFF, "--passphrase-file", str(staff_file)]
    assert main(["users", "passwd", ADMIN, "--new-passphrase-file", str(staff_file), *as_staff]) == 2
    assert main(["users", "remove", ADMIN, *as_staff]) == 2
    assert "was not granted by an administrator" in capsys.readouterr().err
    admin_file = team.parent / "admin.pass"
    admin_file.write_text(ADMIN_PASSPHRASE)
    assert main(["verify", "--vault", str(team), "--user", ADMIN, "--passphrase-file", str(admin_file)]) == 1
    assert f"slot '{STAFF}'" in capsys.readouterr().err


def test_a_slot_turned_into_a_recovery_slot_is_refused(team):
    _raise_own_role(team, kind="recovery", new_secret=normalise_recovery_code(STAFF_PASSPHRASE))
    doc = insider_slots(team, ADMIN, ADMIN_PASSPHRASE)
    doc["slots"] = [s for s in doc["slots"] if not (s["kind"] == "recovery" and s["username"] == "recovery")]
    keyslots.save(team, doc)
    with pytest.raises(errors.RoleNotGranted):
        Vault.unlock_with_recovery(team, recovery_code=STAFF_PASSPHRASE)


def test_another_slots_grant_copied_in_is_refused(team):
    doc = insider_slots(team, STAFF, STAFF_PASSPHRASE)
    admin = next(s for s in doc["slots"] if s["username"] == ADMIN)
    _raise_own_role(team)
    doc = insider_slots(team, STAFF, STAFF_PASSPHRASE)
    next(s for s in doc["slots"] if s["username"] == STAFF)["grant"] = admin["grant"]
    keyslots.save(team, doc)
    with pytest.raises(errors.RoleNotGranted, match="made for another slot"):
        Vault.unlock(team, username=STAFF, passphrase=STAFF_PASSPHRASE)


def test_grants_follow_passphrase_changes_resets_and_a_new_recovery_code(team):
    with Vault.unlock(team, username=STAFF, passphrase=STAFF_PASSPHRASE) as staff:
        assert staff.grant.roles == ("field_staff",) and staff.user.role == "field_staff"
        staff.change_passphrase(STAFF, STAFF_PASSPHRASE, "a fresh passphrase for moussa")
    with Vault.unlock(team, username=ADMIN, passphrase=ADMIN_PASSPHRASE) as admin:
        admin.change_passphrase(STAFF, None, "reset by the administrator today")
        code = admin.replace_recovery_code()
        admin.add_user("fatou", "the coordinator passphrase", "administrator")
        assert admin.verify().ok
    Vault.unlock(team, username=STAFF, passphrase="reset by the administrator today").close()
    with Vault.unlock_with_recovery(team, recovery_code=code) as recovery:
        assert recovery.grant.is_administrator
    with Vault.unlock(team, username="fatou", passphrase="the coordinator passphrase") as fatou:
        fatou.add_user("idrissa", "idrissa has a long passphrase", "field_staff")  # she holds the authority


def test_replacing_the_authority_inside_the_database_is_caught_at_the_next_administrator_unlock(team):
    with Vault.unlock(team, username=ADMIN, passphrase=ADMIN_PASSPHRASE) as admin:
        dek = admin._dek  # what someone with their own tools and the data key could do
    doc = opened_slots(team, dek)
    forged = grants.new_authority()
    for slot in doc["slots"]:
        grants.sign(doc, slot, forged, issued_by="forger")
    keyslots.save(team, doc)
    conn = database.connect_raw(team / "waypoint.db", dek, page_size=keyslots.cipher_page_size(doc), isolation_level=None)
    conn.execute("UPDATE meta SET value = ? WHERE key = ?", (grants.public_text(forged), grants.AUTHORITY_META_KEY))
    conn.close()
    with pytest.raises(errors.RoleNotGranted, match="not the one the administrators hold"):
        Vault.unlock(team, username=ADMIN, passphrase=ADMIN_PASSPHRASE)


def test_a_vault_from_before_grants_gets_its_authority_from_the_user_table(tmp_path):
    folder = tmp_path / "v1"
    shutil.copytree(FIXTURE, folder)
    assert all("grant" not in s for s in json.loads((folder / "slots.json").read_text())["slots"])
    username = json.loads((folder / "slots.json").read_text())["slots"][0]["username"]
    with Vault.unlock(folder, username=username, passphrase="fixture passphrase v1") as vault:
        assert vault.grant.is_administrator
        assert vault.verify().ok
        dek = vault._dek
    assert all("grant" not in s for s in json.loads((folder / "slots.json").read_text())["slots"])  # sealed
    assert all("grant" in s for s in opened_slots(folder, dek)["slots"])
