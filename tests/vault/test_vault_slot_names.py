"""slots.json names nobody: a seized vault folder shows no staff name and no role, sign-in still finds each person by
the name they type, a name not in the vault is answered like a wrong passphrase, and a format-1 file (names and
roles in the clear) is upgraded at the first sign-in without losing a slot (desktop_app/vault/keyslots.py)."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.vault import Vault, database, errors, keyslots, lockout
from desktop_app.vault.registrations import count_registrations
from vault_testdata import opened_slots

ADMIN, ADMIN_PASSPHRASE = "Amina Canary", "velvet harbour quietly ninety lanterns"
STAFF, STAFF_PASSPHRASE = "Kofi Mensah-Traoré", "copper meadow whistles under seven moons"
COORD, COORD_PASSPHRASE = "Fatou Sow", "granite orchid travels beyond amber rivers"
ROLE_WORDS = ("administrator", "field_staff", "field staff", "coordinator", "case_worker", "case worker")
# The words a slot file would use to say who someone is; with their quotes, as JSON keys (no base64 holds a quote).
FIELD_WORDS = ('"username"', '"role"', '"roles"', '"role_label"', '"grant"', '"authority"', '"must_change_passphrase"')

FIXTURE = Path(__file__).parent / "fixtures" / "slots-v1"  # made by the last release writing format 1
OLD_ADMIN, OLD_ADMIN_PASSPHRASE = "Amina Canary", "velvet harbour quietly ninety lanterns"
OLD_STAFF, OLD_STAFF_PASSPHRASE = "Idrissa Diallo", "temporary passphrase given by amina today"
OLD_COORD, OLD_COORD_PASSPHRASE = "Fatou Sow", "granite orchid travels beyond amber rivers"


def _needles(*names: str) -> dict[str, bytes]:
    """Each name, its parts of 5 letters or more (shorter ones turn up by chance in encrypted bytes), each role
    word; as typed, lower and upper case, in the usual encodings and as JSON would escape them."""
    parts = [part for name in names for part in name.replace("-", " ").split() if len(part) >= 5]
    found: dict[str, bytes] = {}
    for text in [*names, *parts, *ROLE_WORDS]:
        for variant in (text, text.lower(), text.upper()):
            for encoding in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le"):
                found[f"{variant}/{encoding}"] = variant.encode(encoding)
            found[f"{variant}/json"] = json.dumps(variant).encode()  # \u escapes of accented letters
            if text in names:  # a shorter word's base64 is too few characters not to turn up by chance
                found[f"{variant}/base64"] = base64.b64encode(variant.encode())[:-4]
    found.update({f"field {word}": word.encode() for word in FIELD_WORDS})
    return found


def _found_in(folder: Path, needles: dict[str, bytes]) -> list[str]:
    files = [p for p in sorted(folder.rglob("*")) if p.is_file()]
    assert any(p.name == keyslots.SLOTS_FILE for p in files)
    return [f"{p.relative_to(folder)}: {label}" for p in files for label, needle in needles.items()
            if needle in p.read_bytes()]


@pytest.fixture
def team(vault_dir):
    vault, _ = Vault.create(vault_dir, admin_username=ADMIN, admin_passphrase=ADMIN_PASSPHRASE, kdf_profile="test")
    with vault:
        vault.add_user(STAFF, STAFF_PASSPHRASE, "field_staff")
        vault.add_user(COORD, COORD_PASSPHRASE, ["coordinator", "case_worker"])
        vault.change_passphrase(COORD, None, COORD_PASSPHRASE + " again", must_change=True)
        vault.change_passphrase(COORD, None, COORD_PASSPHRASE)
    return vault_dir


def test_a_seized_vault_folder_names_no_one_and_no_role(team):
    with Vault.unlock(team, username=STAFF, passphrase=STAFF_PASSPHRASE):
        pass
    with pytest.raises(errors.WrongPassphrase):
        Vault.unlock(team, username="Amina Canari", passphrase=ADMIN_PASSPHRASE)
    assert (team / lockout.LOCKOUT_FILE).is_file()
    assert _found_in(team, _needles(ADMIN, STAFF, COORD)) == []
    # Nor does the shape of a slot say who administers: every person's slot has the same fields, and every
    # sealed entry the same length (an administrator's holds the role authority, padded away).
    doc = json.loads((team / keyslots.SLOTS_FILE).read_text())
    people = [s for s in doc["slots"] if s["kind"] == "user"]
    assert len({frozenset(s) for s in people}) == 1
    assert len({len(s["entry"]) for s in doc["slots"]}) == 1
    # The search would have found them in the clear: the old format's file holds them all.
    assert _found_in(FIXTURE, _needles(OLD_ADMIN, OLD_STAFF, OLD_COORD))


def test_each_person_signs_in_by_the_name_they_type(team):
    for name, passphrase, roles in ((ADMIN, ADMIN_PASSPHRASE, ("administrator",)),
                                    (STAFF, STAFF_PASSPHRASE, ("field_staff",)),
                                    (COORD, COORD_PASSPHRASE, ("coordinator", "case_worker"))):
        with Vault.unlock(team, username=f" {name} ", passphrase=passphrase) as vault:
            assert vault.user.username == name and vault.grant.roles == roles
            assert vault.user.role == roles[0]
    with Vault.unlock(team, username=ADMIN, passphrase=ADMIN_PASSPHRASE) as admin:
        listed = {u.username: (u.role, u.roles) for u in admin.list_users()}
        assert listed == {ADMIN: ("administrator", ("administrator",)), STAFF: ("field_staff", ("field_staff",)),
                          COORD: ("coordinator", ("coordinator", "case_worker"))}
        assert admin.verify().ok
        admin.remove_user(STAFF)
        assert [u.username for u in admin.list_users()] == [ADMIN, COORD]
    with Vault.unlock(team, username=COORD, passphrase=COORD_PASSPHRASE) as coord:
        assert coord.must_change_passphrase is False  # the flag went with the second reset, sealed in the entry


def test_a_wrong_name_is_answered_like_a_wrong_passphrase(team):
    attempts = [(ADMIN, "not the passphrase at all"), ("Amina", ADMIN_PASSPHRASE), ("amina canary", ADMIN_PASSPHRASE),
                ("nobody here", "whatever")]
    answers = []
    for name, passphrase in attempts:
        lockout.reset(team, now=0)
        with pytest.raises(errors.VaultError) as refused:
            Vault.unlock(team, username=name, passphrase=passphrase)
        answers.append((type(refused.value), str(refused.value)))
        assert lockout.failures(team, now=0)[0] == 1  # each counts towards the wait alike
    assert set(answers) == {(errors.WrongPassphrase, errors.WrongPassphrase.message)}


def test_the_command_line_says_the_same_for_a_wrong_name_and_a_wrong_passphrase(team, capsys):
    said = []
    for name, passphrase in ((ADMIN, "not the passphrase at all"), ("Someone Else", ADMIN_PASSPHRASE)):
        secret = team.parent / "pass.txt"
        secret.write_text(passphrase)
        assert main(["users", "list", "--vault", str(team), "--user", name, "--passphrase-file", str(secret)]) != 0
        said.append(capsys.readouterr().err)
        lockout.reset(team, now=0)
    assert said[0] == said[1] and "Wrong user name or passphrase" in said[0]


def test_a_lookup_edited_in_the_file_fails_closed(team):
    doc = keyslots.load(team)
    slot = keyslots.find_user_slot(doc, STAFF)
    slot["lookup"] = keyslots.username_lookup(doc, "Someone Else")  # the staff slot made to answer another name
    keyslots.save(team, doc)
    with pytest.raises(errors.TamperedKeySlots):
        Vault.unlock(team, username="Someone Else", passphrase=STAFF_PASSPHRASE)


# --- the upgrade from format 1 ----------------------------------------------------------------------------------


@pytest.fixture
def old_team(tmp_path):
    folder = tmp_path / "slots-v1"
    shutil.copytree(FIXTURE, folder)
    assert json.loads((folder / keyslots.SLOTS_FILE).read_text())["format"] == keyslots.FORMAT_V1
    return folder


def _slot_ids(folder: Path) -> set[str]:
    return {s["slot_id"] for s in json.loads((folder / keyslots.SLOTS_FILE).read_text())["slots"]}


def _recovery_code(folder: Path) -> str:
    return (folder / "recovery-code.txt").read_text().strip()


def _everyone_signs_in(folder: Path) -> None:
    with Vault.unlock(folder, username=OLD_STAFF, passphrase=OLD_STAFF_PASSPHRASE) as staff:
        assert staff.grant.roles == ("field_staff",) and staff.must_change_passphrase
    with Vault.unlock(folder, username=OLD_COORD, passphrase=OLD_COORD_PASSPHRASE) as coord:
        assert coord.grant.roles == ("coordinator", "case_worker")
    with Vault.unlock_with_recovery(folder, recovery_code=_recovery_code(folder)) as recovery:
        assert recovery.grant.is_administrator
    with Vault.unlock(folder, username=OLD_ADMIN, passphrase=OLD_ADMIN_PASSPHRASE) as admin:
        assert {u.username for u in admin.list_users()} == {OLD_ADMIN, OLD_STAFF, OLD_COORD}
        assert admin.verify().ok and count_registrations(admin) == 5


def test_a_format_1_file_is_upgraded_at_the_first_sign_in_and_every_slot_still_opens(old_team):
    slot_ids = _slot_ids(old_team)
    with Vault.unlock(old_team, username=OLD_COORD, passphrase=OLD_COORD_PASSPHRASE) as coord:  # not an administrator
        assert coord.grant.roles == ("coordinator", "case_worker")
    doc = json.loads((old_team / keyslots.SLOTS_FILE).read_text())
    assert doc["format"] == keyslots.FORMAT and _slot_ids(old_team) == slot_ids
    assert _found_in(old_team, _needles(OLD_ADMIN, OLD_STAFF, OLD_COORD)) == []
    # Only the coordinator's wrap could be remade (it needs the passphrase); the others wait for their own sign-in.
    legacy = {s["slot_id"] for s in doc["slots"] if s.get(keyslots.LEGACY_WRAP)}
    assert len(legacy) == len(slot_ids) - 1
    _everyone_signs_in(old_team)
    doc = json.loads((old_team / keyslots.SLOTS_FILE).read_text())
    assert not any(s.get(keyslots.LEGACY_WRAP) for s in doc["slots"]) and _slot_ids(old_team) == slot_ids
    _everyone_signs_in(old_team)


def test_a_not_yet_rewrapped_slot_refuses_another_name_and_a_wrong_passphrase(old_team):
    Vault.unlock(old_team, username=OLD_ADMIN, passphrase=OLD_ADMIN_PASSPHRASE).close()
    with pytest.raises(errors.WrongPassphrase):
        Vault.unlock(old_team, username=OLD_STAFF, passphrase=OLD_COORD_PASSPHRASE)
    # The staff member's slot, still wrapped as format 1 wrapped it, given the coordinator's lookup: the format-1
    # wrap names its person, and it is not the one typed.
    doc = keyslots.load(old_team)
    staff, coord = (keyslots.find_user_slot(doc, n) for n in (OLD_STAFF, OLD_COORD))
    assert staff.get(keyslots.LEGACY_WRAP)
    staff["lookup"], coord["lookup"] = coord["lookup"], staff["lookup"]
    keyslots.save(old_team, doc)
    with pytest.raises(errors.TamperedKeySlots):
        Vault.unlock(old_team, username=OLD_COORD, passphrase=OLD_STAFF_PASSPHRASE)


def test_killed_between_storing_the_key_and_rewriting_the_file_the_vault_still_opens(old_team):
    """The upgrade stores the entries' key in the database, then replaces slots.json in one rename. Killed in
    between, the database holds a key and the file is still format 1; killed inside the write, a temporary file
    lies beside it. Both are made here as a kill would leave them: every slot still opens and the upgrade happens."""
    doc = keyslots.load(old_team)
    slot = keyslots.find_user_slot(doc, OLD_ADMIN)
    dek = keyslots.open_data_key(doc, slot, keyslots.unlock_slot(doc, slot, OLD_ADMIN_PASSPHRASE), doc["generation"])
    conn = database.connect_raw(old_team / database.DB_FILE, dek, page_size=keyslots.cipher_page_size(doc),
                                isolation_level=None)
    try:
        conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)",
                     (keyslots.DIRECTORY_META_KEY, keyslots.b64e(b"k" * 32)))
    finally:
        conn.close()
    half = (old_team / keyslots.SLOTS_FILE).read_bytes()[:1000]
    (old_team / f".{keyslots.SLOTS_FILE}.0123456789abcdef.tmp").write_bytes(half)
    slot_ids = _slot_ids(old_team)
    _everyone_signs_in(old_team)
    assert json.loads((old_team / keyslots.SLOTS_FILE).read_text())["format"] == keyslots.FORMAT
    assert _slot_ids(old_team) == slot_ids
    assert opened_slots(old_team, dek)  # sealed with the key the database held
