"""Tampering fails closed, each with its own error, and the failed open changes no file."""

from __future__ import annotations

import hashlib
import json

import pytest

from desktop_app.vault import Vault, errors, keyslots
from desktop_app.vault.registrations import save_registration
from vault_testdata import ADMIN, ADMIN_PASSPHRASE

STAFF, STAFF_PASSPHRASE = "moussa", "field staff passphrase"


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
    a, b = (next(s for s in doc["slots"] if s["username"] == n) for n in (ADMIN, STAFF))
    for key in ("kdf", "check", "wrapped_private_key", "public_key", "envelopes"):
        a[key], b[key] = b[key], a[key]


def test_swapped_user_slots_without_fixing_the_checksum(closed_vault):
    doc = json.loads((closed_vault / "slots.json").read_text())
    _swap_crypto(doc)
    (closed_vault / "slots.json").write_text(json.dumps(doc))
    with pytest.raises(errors.TamperedKeySlots):
        Vault.unlock(closed_vault, username=ADMIN, passphrase=STAFF_PASSPHRASE)


def test_swapped_user_slots_with_the_checksum_fixed(closed_vault):
    _rewrite_slots(closed_vault, _swap_crypto)
    before = _fingerprint(closed_vault)
    # The staff member's own key material now sits under the administrator's name: the wrap is
    # bound to the name, id and role it was made for, so it refuses to open there.
    with pytest.raises(errors.TamperedKeySlots):
        Vault.unlock(closed_vault, username=ADMIN, passphrase=STAFF_PASSPHRASE)
    with pytest.raises(errors.TamperedKeySlots):
        Vault.unlock(closed_vault, username=STAFF, passphrase=ADMIN_PASSPHRASE)
    assert _fingerprint(closed_vault) == before


def test_role_raised_in_the_slot_file(closed_vault):
    def promote(doc):
        next(s for s in doc["slots"] if s["username"] == STAFF)["role"] = "administrator"

    _rewrite_slots(closed_vault, promote)
    with pytest.raises(errors.TamperedKeySlots):
        Vault.unlock(closed_vault, username=STAFF, passphrase=STAFF_PASSPHRASE)


def test_sealed_data_key_replaced(closed_vault):
    def replace_envelope(doc):
        staff = next(s for s in doc["slots"] if s["username"] == STAFF)
        admin = next(s for s in doc["slots"] if s["username"] == ADMIN)
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


def test_flipped_byte_in_a_later_database_page(closed_vault):
    db = closed_vault / "waypoint.db"
    _flip(db, db.stat().st_size - 4096 + 200)
    before = _fingerprint(closed_vault)
    # Page 1 is intact, so the vault opens; the damaged page is refused when it is read, and
    # verify (which reads every page) refuses the vault.
    vault = Vault.unlock(closed_vault, username=ADMIN, passphrase=ADMIN_PASSPHRASE)
    try:
        with pytest.raises(errors.TamperedDatabase):
            vault.verify()
    finally:
        vault.close()
    assert _fingerprint(closed_vault) == before


def test_database_replaced_by_another_vaults_database(closed_vault, tmp_path):
    other, _ = Vault.create(tmp_path / "other", admin_username=ADMIN, admin_passphrase=ADMIN_PASSPHRASE,
                            kdf_profile="test")
    other.close()
    (closed_vault / "waypoint.db").write_bytes((tmp_path / "other" / "waypoint.db").read_bytes())
    with pytest.raises(errors.TamperedDatabase):
        Vault.unlock(closed_vault, username=ADMIN, passphrase=ADMIN_PASSPHRASE)
