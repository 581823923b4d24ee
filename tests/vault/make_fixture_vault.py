"""Writes tests/vault/fixtures/vault-v1: a real schema-1 vault kept in the repository so every later
migration is tested against a file made by an old release (run once, when schema 1 was current).

Usage: WAYPOINT_ALLOW_TEST_KDF=1 .venv/bin/python tests/vault/make_fixture_vault.py
Synthetic content only.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from desktop_app.vault import Vault, database
from desktop_app.vault.registrations import delete_registration, save_registration

FIXTURE = Path(__file__).parent / "fixtures" / "vault-v1"
ADMIN, PASSPHRASE, STAFF, STAFF_PASSPHRASE = "admin-v1", "fixture passphrase v1", "staff-v1", "staff passphrase v1"


def main() -> None:
    # Made with migration 0001 only, whatever later migrations exist now.
    only_v1 = Path(tempfile.mkdtemp())
    shutil.copy(database.MIGRATIONS_DIR / "0001_initial.sql", only_v1)
    database.MIGRATIONS_DIR = only_v1
    vault, code = Vault.create(FIXTURE, admin_username=ADMIN, admin_passphrase=PASSPHRASE, kdf_profile="test")
    with vault:
        vault.add_user(STAFF, STAFF_PASSPHRASE, "field_staff")
        for i in range(30):
            reg = save_registration(
                vault, form_id="fixture_form", form_version="1", status="finalized" if i % 2 else "draft",
                content=f"<data><n>Synthetic {i}</n></data>",
                fields={"title": f"Synthetic {i}", "age": 20 + i, "sex": "F" if i % 2 else "M", "extra": str(i)},
            )
            if i == 29:
                delete_registration(vault, reg.id)
    (FIXTURE / "recovery-code.txt").write_text(code + "\n")


if __name__ == "__main__":
    main()
