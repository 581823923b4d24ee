"""Fixtures for the vault tests: a fast test-profile vault in the isolated Waypoint home."""

from __future__ import annotations

import pytest

from desktop_app.vault import Vault
from vault_testdata import ADMIN, ADMIN_PASSPHRASE


@pytest.fixture
def vault_dir(isolated_home):
    return isolated_home / "waypoint" / "data" / "vault"


@pytest.fixture
def new_vault(vault_dir):
    vault, recovery_code = Vault.create(
        vault_dir, admin_username=ADMIN, admin_passphrase=ADMIN_PASSPHRASE, kdf_profile="test"
    )
    vault.recovery_code = recovery_code  # test convenience only
    yield vault
    vault.close()
