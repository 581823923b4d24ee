"""Render a person's case file to docs/screenshots/ (offscreen; synthetic people only), in English and French:
the case file with its timeline, next appointment and open referrals; the reason asked when closing; the case
closed; and the assistance form opened from it with the person already chosen.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.ui.make_casefile_screenshots

Look at each PNG the way a tired field worker would.
"""

from __future__ import annotations

import os
import sys
import tempfile
import uuid
from datetime import date, timedelta
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SIZE = (1100, 720)


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["WAYPOINT_ALLOW_TEST_KDF"] = "1"
    home = Path(tempfile.mkdtemp(prefix="waypoint-casefile-shots-"))

    from PySide6.QtWidgets import QApplication

    from desktop_app.paths import app_paths
    from desktop_app.services import casefile, places, records
    from desktop_app.ui.app import build_app
    from desktop_app.vault import Vault
    from tests.access.team import ADMIN, FIELD, MIGRANT, PASSPHRASES, PERSON, instance, make_team, shipped_xforms
    from tests.registry.test_casefile import add_event, add_referral, version_of
    from tests.ui.screens import settle

    qt_app = QApplication([sys.argv[0]])
    OUT.mkdir(parents=True, exist_ok=True)
    xforms = shipped_xforms()
    today = date.today()

    def shot(widget, name: str) -> None:
        settle(ms=250)
        widget.grab().save(str(OUT / f"{name}.png"))
        print("wrote", OUT / f"{name}.png")

    def populate(vault) -> str:
        person = str(uuid.uuid4())
        answers = {**PERSON, "centre_page/registered_on": (today - timedelta(days=14)).isoformat(),
                   "identity/given_name": "Aïcha", "identity/family_name": "Bello",
                   "identity/nationality": "NG", "identity/date_of_birth": "1999-04-02"}
        records.finalize(vault, form_id=MIGRANT, form_version=version_of(xforms["migrant_registration"]),
                         content=instance(xforms["migrant_registration"], answers, person), record_id=person)
        short = casefile.short_id(person)
        day = (today - timedelta(days=12)).isoformat()
        add_event(vault, xforms, short, kind="accommodation", day=day)
        add_event(vault, xforms, short, kind="health_primary", day=(today - timedelta(days=10)).isoformat(),
                  next_appointment=(today + timedelta(days=4)).isoformat())
        add_referral(vault, xforms, short, status="completed", service="health_referral")
        add_referral(vault, xforms, short, status="pending", service="legal")
        add_event(vault, xforms, short, kind="counselling_info", day=(today - timedelta(days=2)).isoformat())
        return person

    for lang in ("en", "fr"):
        os.environ["WAYPOINT_HOME"] = str(home / lang)
        folder = make_team(home / lang / "vault", xforms)
        with Vault.unlock(folder, username=ADMIN, passphrase=PASSPHRASES[ADMIN]) as vault:
            places.set_place(vault, country="NE", centre="ne_agadez")  # by those who manage the laptop
        with Vault.unlock(folder, username=FIELD, passphrase=PASSPHRASES[FIELD]) as vault:
            person = populate(vault)
        app = build_app(qt_app=qt_app, paths=app_paths(), vault_path=folder, kdf_profile="test", language=lang)
        w = app.window
        w.resize(*SIZE)
        w.show()
        app.controller.unlock(username=FIELD, passphrase=PASSPHRASES[FIELD])
        settle(lambda: app.controller.is_unlocked)
        settle(ms=300)

        area = w.casefile_area
        page = area.page
        area.open(person)
        settle(lambda: w.stack.currentWidget() is page and page.case is not None)
        shot(w, f"{lang}-casefile-1-timeline")
        settle(lambda: area.consent.view is not None)
        page.tabs.setCurrentIndex(1)
        shot(w, f"{lang}-casefile-5-consent")
        page.tabs.setCurrentIndex(0)

        page.status_button.click()
        settle(lambda: area.dialog is not None and area.dialog.isVisible())
        dialog = area.dialog
        dialog.reason.setCurrentIndex(dialog.reason.findData("onward"))
        dialog.note.setText("Left for Arlit with her group" if lang == "en" else "Partie vers Arlit avec son groupe")
        dialog.adjustSize()
        shot(dialog, f"{lang}-casefile-2-close-reason")
        dialog.accept()
        settle(lambda: page.case is not None and page.case.closed)
        shot(w, f"{lang}-casefile-3-closed")

        page.add_event_button.click()  # the form opens with the person chosen, and says for whom
        settle(lambda: app.forms.screen is not None and w.stack.currentWidget() is app.forms.screen)
        shot(w, f"{lang}-casefile-4-add-assistance")
        w.lock()
        settle(lambda: not app.controller.is_unlocked and app.controller.is_busy is False)
        app.close()
        settle(ms=100)
    return 0


if __name__ == "__main__":
    sys.exit(main())
