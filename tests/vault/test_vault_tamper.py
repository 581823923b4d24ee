"""Tampering fails closed, each with its own error, and the failed open changes no file."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.vault import Vault, database, errors, keyslots
from desktop_app.vault.registrations import save_registration
from vault_testdata import ADMIN, ADMIN_PASSPHRASE, insider_slots

STAFF, STAFF_PASSPHRASE = "moussa", "field staff passphrase"
FIXTURE = Path(__file__).parent / "fixtures" / "vault-v1"


@pytest.fixture
def closed_vault(new_vault, vault_dir):
    new_vault.add_user(STAFF, STAFF_PASSPHRASE, "field_staff")
    for i in range(40):
        save_registration(new_vault, form_id="f", form_version="1", status="draft",
                          content=f"<data><i>{i}</i>{'x' * 2000}</data>", fields={"title": f"Person {i}"})
    new_vault.close()
    return vault_dir


def _fingerprint(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()
            and p.name != "lockout.json"}


def _flip(path, offset):
    data = bytearray(path.read_bytes())
    data[offset % len(data)] ^= 0x01
    path.write_bytes(bytes(data))


def _rewrite_slots(folder, change):
    doc = json.loads((folder / "slots.json").read_text())
    change(doc)
    keyslots.save(folder, doc)  # a careful attacker also fixes the checksum


@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_flipped_byte_in_slot_file(closed_vault, where):
    path = closed_vault / "slots.json"
    size = path.stat().st_size
    _flip(path, {"start": 2, "middle": size // 2, "end": size - 3}[where])
    before = _fingerprint(closed_vault)
    with pytest.raises(errors.TamperedKeySlots):
        Vault.unlock(closed_vault, username=ADMIN, passphrase=ADMIN_PASSPHRASE)
    assert _fingerprint(closed_vault) == before


def test_slot_file_that_is_not_json(closed_vault):
    (closed_vault / "slots.json").write_bytes(b"\x00garbage{")
    with pytest.raises(errors.TamperedKeySlots):
        Vault.unlock(closed_vault, username=ADMIN, passphrase=ADMIN_PASSPHRASE)


def _swap_crypto(doc):
    # The slots are found as sign-in finds them: by the lookup of a name the attacker guessed.
    a, b = (keyslots.find_user_slot(doc, n) for n in (ADMIN, STAFF))
    for key in ("kdf", "check", "wrapped_private_key", "public_key", "envelopes"):
        a[key], b[key] = b[key], a[key]


def _swap_lookups(doc):
    a, b = (keyslots.find_user_slot(doc, n) for n in (ADMIN, STAFF))
    a["lookup"], b["lookup"] = b["lookup"], a["lookup"]


def test_swapped_user_slots_without_fixing_the_checksum(closed_vault):
    doc = json.loads((closed_vault / "slots.json").read_text())
    _swap_crypto(doc)
    (closed_vault / "slots.json").write_text(json.dumps(doc))
    with pytest.raises(errors.TamperedKeySlots):
        Vault.unlock(closed_vault, username=ADMIN, passphrase=STAFF_PASSPHRASE)


@pytest.mark.parametrize("swap", [_swap_crypto, _swap_lookups])
def test_swapped_user_slots_with_the_checksum_fixed(closed_vault, swap):
    _rewrite_slots(closed_vault, swap)
    before = _fingerprint(closed_vault)
    # The staff member's own key material now sits under the administrator's name: the wrap is
    # bound to the name's lookup and the ids it was made for, so it refuses to open there.
    with pytest.raises(errors.TamperedKeySlots):
        Vault.unlock(closed_vault, username=ADMIN, passphrase=STAFF_PASSPHRASE)
    with pytest.raises(errors.TamperedKeySlots):
        Vault.unlock(closed_vault, username=STAFF, passphrase=ADMIN_PASSPHRASE)
    assert _fingerprint(closed_vault) == before


def test_role_written_in_the_clear_into_the_slot_file(closed_vault):
    doc = json.loads((closed_vault / "slots.json").read_text())
    keyslots.find_user_slot(doc, STAFF)["role"] = "administrator"
    doc["digest"] = hashlib.sha256(keyslots.canonical({k: v for k, v in doc.items() if k != "digest"})).hexdigest()
    (closed_vault / "slots.json").write_text(json.dumps(doc))  # keyslots.save would not write it in the clear
    with pytest.raises(errors.TamperedKeySlots):
        Vault.unlock(closed_vault, username=STAFF, passphrase=STAFF_PASSPHRASE)


def test_role_raised_in_the_sealed_entry_by_someone_signed_in(closed_vault):
    """The entries' key is in the database, so a signed-in person can re-seal their own entry: the role grant
    (signed by an administrator, desktop_app/vault/grants.py) still refuses it."""
    doc = insider_slots(closed_vault, STAFF, STAFF_PASSPHRASE)
    keyslots.find_user_slot(doc, STAFF)["role"] = "administrator"
    keyslots.save(closed_vault, doc)
    with pytest.raises(errors.RoleNotGranted):
        Vault.unlock(closed_vault, username=STAFF, passphrase=STAFF_PASSPHRASE)


def test_sealed_entries_swapped_between_slots(closed_vault):
    def swap_entries(doc):
        a, b = (keyslots.find_user_slot(doc, n) for n in (ADMIN, STAFF))
        a["entry"], b["entry"] = b["entry"], a["entry"]

    _rewrite_slots(closed_vault, swap_entries)
    before = _fingerprint(closed_vault)
    for name, passphrase in ((ADMIN, ADMIN_PASSPHRASE), (STAFF, STAFF_PASSPHRASE)):
        with pytest.raises(errors.TamperedKeySlots):
            Vault.unlock(closed_vault, username=name, passphrase=passphrase)
    assert _fingerprint(closed_vault) == before


def test_sealed_data_key_replaced(closed_vault):
    def replace_envelope(doc):
        staff, admin = (keyslots.find_user_slot(doc, n) for n in (STAFF, ADMIN))
        staff["envelopes"] = admin["envelopes"]

    _rewrite_slots(closed_vault, replace_envelope)
    with pytest.raises(errors.TamperedKeySlots):
        Vault.unlock(closed_vault, username=STAFF, passphrase=STAFF_PASSPHRASE)


def test_flipped_byte_in_the_first_database_page(closed_vault):
    _flip(closed_vault / "waypoint.db", 100)
    before = _fingerprint(closed_vault)
    with pytest.raises(errors.TamperedDatabase):
        Vault.unlock(closed_vault, username=ADMIN, passphrase=ADMIN_PASSPHRASE)
    assert _fingerprint(closed_vault) == before


def test_flipped_byte_deep_in_the_database_is_reported_by_the_page_check_and_verify(closed_vault):
    db = closed_vault / "waypoint.db"
    _flip(db, db.stat().st_size - 8192 + 200)
    before = _fingerprint(closed_vault)
    # The fast check at unlock reads page 1, the identity and the schema: the vault opens. The full
    # page check (the app runs it in the background after unlock) and verify say which page is bad.
    vault = Vault.unlock(closed_vault, username=ADMIN, passphrase=ADMIN_PASSPHRASE)
    try:
        problems = vault.check_pages()
        report = vault.verify()
    finally:
        vault.close()
    assert problems and all("damaged or altered there" in p for p in problems)
    assert any("page" in p for p in problems)
    assert not report.ok and report.problems == problems
    # Nothing repaired or hid the damage: the key slots are untouched (the sign-in and the lock went into the
    # audit log, so the database changed) and the next sign-in finds the same damaged page.
    assert _fingerprint(closed_vault)["slots.json"] == before["slots.json"]
    again = Vault.unlock(closed_vault, username=ADMIN, passphrase=ADMIN_PASSPHRASE)
    try:
        assert again.check_pages() == problems
    finally:
        again.close()


def test_database_replaced_by_another_vaults_database(closed_vault, tmp_path):
    other, _ = Vault.create(tmp_path / "other", admin_username=ADMIN, admin_passphrase=ADMIN_PASSPHRASE,
                            kdf_profile="test")
    other.close()
    (closed_vault / "waypoint.db").write_bytes((tmp_path / "other" / "waypoint.db").read_bytes())
    before = _fingerprint(closed_vault)
    with pytest.raises(errors.ForeignDatabase, match="belongs to another vault"):
        Vault.unlock(closed_vault, username=ADMIN, passphrase=ADMIN_PASSPHRASE)
    assert _fingerprint(closed_vault) == before


def test_zero_byte_database_is_not_a_vault_and_is_left_as_it_is(closed_vault):
    (closed_vault / "waypoint.db").write_bytes(b"")
    before = _fingerprint(closed_vault)
    with pytest.raises(errors.NotAVault, match="empty"):
        Vault.unlock(closed_vault, username=ADMIN, passphrase=ADMIN_PASSPHRASE)
    assert _fingerprint(closed_vault) == before
    assert (closed_vault / "waypoint.db").stat().st_size == 0
    assert not (closed_vault / "waypoint.db-wal").exists()


def test_database_cut_short_is_refused(closed_vault):
    db = closed_vault / "waypoint.db"
    db.write_bytes(db.read_bytes()[:-1000])
    with pytest.raises(errors.TamperedDatabase, match="not a whole number"):
        Vault.unlock(closed_vault, username=ADMIN, passphrase=ADMIN_PASSPHRASE)


def _open_raw(folder, passphrase, username):
    doc = keyslots.load(folder)
    slot = next(s for s in doc["slots"] if s["username"] == username)
    dek = keyslots.open_data_key(doc, slot, keyslots.unlock_slot(doc, slot, passphrase), doc["generation"])
    return database.connect_raw(folder / "waypoint.db", dek, page_size=keyslots.cipher_page_size(doc),
                                isolation_level=None)


def test_database_without_its_identity_is_refused_before_any_migration(tmp_path):
    """A schema-1 vault (so a migration would run) whose meta row is gone: refused, not migrated."""
    folder = tmp_path / "v1"
    shutil.copytree(FIXTURE, folder)
    conn = _open_raw(folder, "fixture passphrase v1", "admin-v1")
    conn.execute("DELETE FROM meta WHERE key = 'vault_id'")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    conn.close()
    before = _fingerprint(folder)
    with pytest.raises(errors.NotAVault, match="no vault identity"):
        Vault.unlock(folder, username="admin-v1", passphrase="fixture passphrase v1")
    assert _fingerprint(folder) == before
    assert not (folder / "backups").exists()  # no migration started


def test_each_refusal_has_its_own_words_on_the_command_line(closed_vault, tmp_path, capsys):
    pass_file = tmp_path / "p"
    pass_file.write_text(ADMIN_PASSPHRASE)
    args = ["verify", "--vault", str(closed_vault), "--user", ADMIN, "--passphrase-file", str(pass_file)]
    (closed_vault / "waypoint.db").write_bytes(b"")
    assert main(args) == 2
    assert "is not a Waypoint vault (it is empty" in capsys.readouterr().err


def test_the_page_check_stops_when_asked_and_says_so(closed_vault):
    """The app stops the background check when the vault locks, so the lock never waits behind it."""
    from desktop_app.vault.checks import CheckStopped

    polled = []
    with Vault.unlock(closed_vault, username=ADMIN, passphrase=ADMIN_PASSPHRASE) as vault:
        with pytest.raises(CheckStopped):
            vault.check_pages(should_stop=lambda: polled.append(1) or True)
        assert polled
        assert vault.check_pages(should_stop=lambda: False) == []
