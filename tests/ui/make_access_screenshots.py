"""Render the access screens to docs/screenshots/ (offscreen; synthetic people and records only).

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.ui.make_access_screenshots

In English and French: the People screen and its dialogs (add, roles, reset), the step a reset person goes through
first, the recovery code's step, and a registration's restricted answers as field staff and as a case worker see
them. Look at each PNG the way a tired field worker would.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SIZE = (1100, 700)


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["WAYPOINT_ALLOW_TEST_KDF"] = "1"  # throwaway vaults: the fast KDF is fine here
    home = Path(tempfile.mkdtemp(prefix="waypoint-access-shots-"))

    from PySide6.QtWidgets import QApplication

    from desktop_app.paths import app_paths
    from desktop_app.services import records
    from desktop_app.ui.access_people import AddPersonDialog, ResetDialog, RolesDialog
    from desktop_app.ui.app import build_app
    from desktop_app.vault import Vault
    from tests.access.team import (
        ADMIN, CASE, FIELD, MIGRANT, PASSPHRASES, PERSON, RECOVERY_CODES, instance, make_team, shipped_xforms,
    )
    from tests.ui.screens import settle

    qt_app = QApplication([sys.argv[0]])
    OUT.mkdir(parents=True, exist_ok=True)
    xforms = shipped_xforms()

    def shot(widget, name: str) -> None:
        settle(ms=200)
        widget.grab().save(str(OUT / f"{name}.png"))
        print("wrote", OUT / f"{name}.png")

    def sign_in(app, name: str, passphrase: str | None = None) -> None:
        app.controller.unlock(username=name, passphrase=passphrase or PASSPHRASES[name])
        settle(lambda: app.controller.is_unlocked)
        settle(ms=300)

    def sign_out(app) -> None:
        app.window.lock()
        settle(lambda: not app.controller.is_unlocked and app.controller.is_busy is False)
        settle(ms=200)

    for lang in ("en", "fr"):
        os.environ["WAYPOINT_HOME"] = str(home / lang)
        folder = make_team(home / lang / "vault", xforms)
        record_id = "00000000-0000-4000-8000-0000000000a1"
        with Vault.unlock(folder, username=FIELD, passphrase=PASSPHRASES[FIELD]) as vault:
            version = records.form_definition(xforms["migrant_registration"]).version
            records.finalize(vault, form_id=MIGRANT, form_version=version, record_id=record_id,
                             content=instance(xforms["migrant_registration"], PERSON, record_id))
        app = build_app(qt_app=qt_app, paths=app_paths(), vault_path=folder, kdf_profile="test", language=lang)
        w = app.window
        w.resize(*SIZE)
        w.show()

        sign_in(app, ADMIN)
        area = w.access
        area.people_action.trigger()
        settle(lambda: area.model.rowCount() == 4)
        area.people_page.select(CASE)
        shot(w, f"{lang}-access-1-people")
        area.add_person()
        add = w.findChild(AddPersonDialog)
        add.username.setText("ibrahim")
        add.roles.boxes["case_worker"].setChecked(True)
        add.advice.suggest()
        add.adjustSize()
        shot(add, f"{lang}-access-2-add-person")
        add.reject()
        area.change_roles(CASE)
        roles = w.findChild(RolesDialog)
        shot(roles, f"{lang}-access-3-roles")
        roles.reject()
        area.reset_passphrase(FIELD)
        reset = w.findChild(ResetDialog)
        temporary = reset.passphrase.text()
        shot(reset, f"{lang}-access-4-reset-passphrase")
        reset.accept()
        settle(lambda: area.people_page.selected() is not None and area.people_page.selected().must_change_passphrase)
        shot(w, f"{lang}-access-5-people-after-reset")
        sign_out(app)

        sign_in(app, FIELD, temporary)
        page = area.passphrase_page
        settle(lambda: w.stack.currentWidget() is page)
        page.passphrase.setText("my own violet harbour morning")
        page.repeat.setText("my own violet harbour morning")
        shot(w, f"{lang}-access-6-choose-own-passphrase")
        page.save_button.click()
        settle(lambda: w.stack.currentWidget() is w.registrations_page)
        w.open_registration_requested.emit(record_id)
        settle(lambda: app.forms.screen is not None)
        screen = app.forms.screen
        screen.view.go_to_page(screen.view.page_of(screen.view.field("/data/needs/specific_needs")))
        shot(w, f"{lang}-access-7-restricted-as-field-staff")
        sign_out(app)

        sign_in(app, CASE)
        w.open_registration_requested.emit(record_id)
        settle(lambda: app.forms.screen is not None)
        screen = app.forms.screen
        screen.view.go_to_page(screen.view.page_of(screen.view.field("/data/needs/specific_needs")))
        shot(w, f"{lang}-access-8-restricted-as-case-worker")
        sign_out(app)

        app.controller.unlock_with_recovery(recovery_code=RECOVERY_CODES[folder])
        settle(lambda: app.controller.is_unlocked and w.stack.currentWidget() is area.passphrase_page)
        area.passphrase_page.person.setCurrentText(CASE)
        shot(w, f"{lang}-access-9-recovery-code")
        sign_out(app)
        app.close()
        settle(ms=100)

    return 0


if __name__ == "__main__":
    sys.exit(main())
