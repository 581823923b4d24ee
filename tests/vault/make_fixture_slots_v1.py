"""Writes tests/vault/fixtures/slots-v1: a team vault whose slots.json is format 1 (names and roles in the clear),
kept in the repository so the upgrade to format 2 (desktop_app/vault/keyslots.py) is tested against a file made by
an old release. Run once, at the last commit writing format 1 (c12bda4); the current code writes format 2.

Usage: WAYPOINT_ALLOW_TEST_KDF=1 .venv/bin/python tests/vault/make_fixture_slots_v1.py
Synthetic names and content only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from desktop_app.vault import Vault
from desktop_app.vault.registrations import save_registration

FIXTURE = Path(__file__).parent / "fixtures" / "slots-v1"
PEOPLE = {  # name: (passphrase, roles)
    "Amina Canary": ("velvet harbour quietly ninety lanterns", ("administrator",)),
    "Idrissa Diallo": ("copper meadow whistles under seven moons", ("field_staff",)),
    "Fatou Sow": ("granite orchid travels beyond amber rivers", ("coordinator", "case_worker")),
}
STAFF_TEMPORARY = "temporary passphrase given by amina today"  # Idrissa's, reset: must change at sign-in


def main() -> None:
    admin, (admin_passphrase, _) = next(iter(PEOPLE.items()))
    vault, code = Vault.create(FIXTURE, admin_username=admin, admin_passphrase=admin_passphrase, kdf_profile="test")
    with vault:
        for name, (passphrase, roles) in list(PEOPLE.items())[1:]:
            vault.add_user(name, passphrase, list(roles))
        vault.change_passphrase("Idrissa Diallo", None, STAFF_TEMPORARY, must_change=True)
        for i in range(5):
            save_registration(vault, form_id="fixture_form", form_version="1", status="finalized",
                              content=f"<data><n>Synthetic {i}</n></data>", fields={"title": f"Synthetic {i}"})
    (FIXTURE / "recovery-code.txt").write_text(code + "\n")
    assert json.loads((FIXTURE / "slots.json").read_text())["format"] == "waypoint-keyslots/1"


if __name__ == "__main__":
    main()
