"""The Argon2id floor, calibration, and the fence around the fast test profile."""

from __future__ import annotations

import json
import shutil

import pytest

from desktop_app.vault import Vault, errors, keyslots
from desktop_app.vault.kdf import FLOOR, TEST_PROFILE_ENV, KdfParams, calibrate, check_floor
from vault_testdata import ADMIN, ADMIN_PASSPHRASE


def test_floor_refuses_each_weak_parameter():
    check_floor(FLOOR, profile="production")
    for weak in (KdfParams(FLOOR.memory_kib // 2, 3, 4), KdfParams(FLOOR.memory_kib, 2, 4),
                 KdfParams(FLOOR.memory_kib, 3, 2)):
        with pytest.raises(errors.WeakKdfParameters):
            check_floor(weak, profile="production")


def test_calibration_never_goes_below_the_floor():
    params, seconds = calibrate()
    assert params.meets_floor()
    assert params.memory_kib >= FLOOR.memory_kib and params.iterations >= 3 and params.lanes >= 4
    assert seconds > 0


@pytest.fixture(scope="module")
def production_vault_template(tmp_path_factory):
    """One production-profile vault (calibration is slow by design), copied for each test."""
    folder = tmp_path_factory.mktemp("production") / "vault"
    vault, _ = Vault.create(folder, admin_username=ADMIN, admin_passphrase=ADMIN_PASSPHRASE)
    vault.close()
    return folder


@pytest.fixture
def production_vault(production_vault_template, vault_dir):
    shutil.copytree(production_vault_template, vault_dir)
    return vault_dir


def test_production_vault_uses_calibrated_parameters_and_refuses_a_weakened_slot(production_vault):
    vault_dir = production_vault
    doc = json.loads((vault_dir / "slots.json").read_text())
    assert doc["kdf_profile"] == "production"
    for slot in doc["slots"]:
        assert KdfParams.from_json(slot["kdf"]).meets_floor()

    # Lower one slot's parameters (checksum fixed, as an attacker would): refused before any
    # derivation, with its own error, even though the passphrase is right.
    admin = keyslots.find_user_slot(doc, ADMIN)
    admin["kdf"]["m"] = 1024
    keyslots.save(vault_dir, doc)
    with pytest.raises(errors.WeakKdfParameters):
        Vault.unlock(vault_dir, username=ADMIN, passphrase=ADMIN_PASSPHRASE)


def test_relabelling_a_production_vault_as_test_does_not_open_it(production_vault):
    vault_dir = production_vault
    doc = json.loads((vault_dir / "slots.json").read_text())
    doc["kdf_profile"] = "test"  # the profile is bound into every slot's authenticated data
    keyslots.save(vault_dir, doc)
    with pytest.raises(errors.TamperedKeySlots):
        Vault.unlock(vault_dir, username=ADMIN, passphrase=ADMIN_PASSPHRASE)


def test_test_profile_vault_is_refused_where_test_kdf_is_not_allowed(new_vault, vault_dir, monkeypatch):
    new_vault.close()
    monkeypatch.delenv(TEST_PROFILE_ENV)
    with pytest.raises(errors.WeakKdfParameters):
        Vault.unlock(vault_dir, username=ADMIN, passphrase=ADMIN_PASSPHRASE)
    with pytest.raises(errors.WeakKdfParameters):
        Vault.create(vault_dir.parent / "other", admin_username=ADMIN, admin_passphrase=ADMIN_PASSPHRASE,
                     kdf_profile="test")


def test_slot_parameters_out_of_range_are_tampering(new_vault, vault_dir):
    new_vault.close()
    doc = json.loads((vault_dir / "slots.json").read_text())
    keyslots.find_user_slot(doc, ADMIN)["kdf"]["m"] = 64 * 1024 * 1024  # 64 GiB: would exhaust the machine
    keyslots.save(vault_dir, doc)
    with pytest.raises(errors.TamperedKeySlots):
        Vault.unlock(vault_dir, username=ADMIN, passphrase=ADMIN_PASSPHRASE)


def test_production_passphrase_needs_a_minimum_length(vault_dir):
    with pytest.raises(errors.InvalidInput):
        Vault.create(vault_dir, admin_username=ADMIN, admin_passphrase="short")
    assert not Vault.exists(vault_dir)
