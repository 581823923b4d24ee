"""Render the app shell's screens to docs/screenshots/ (offscreen; synthetic data only).

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.ui.make_screenshots

Every screen in English and French: setup (3 steps, with a refused passphrase and a suggested
one), unlock (with an error, and its emergency erase panel), the list with 30 synthetic
registrations, the erase dialog, and the locked state. Look at each PNG the way a tired field worker would.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SIZE = (1100, 700)
PASSPHRASE = "quiet river at dawn"


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["WAYPOINT_ALLOW_TEST_KDF"] = "1"  # a throwaway vault: the fast KDF is fine here
    home = tempfile.mkdtemp(prefix="waypoint-shots-")
    os.environ["WAYPOINT_HOME"] = home

    from tests.ui.screens import settle
    from PySide6.QtWidgets import QApplication

    from desktop_app.paths import app_paths
    from desktop_app.ui.app import build_app
    from tests.ui.synthetic import save_synthetic

    qt_app = QApplication([sys.argv[0]])
    OUT.mkdir(parents=True, exist_ok=True)

    def shot(window, name: str) -> None:
        settle(ms=150)
        window.grab().save(str(OUT / f"{name}.png"))
        print("wrote", OUT / f"{name}.png")

    for lang in ("en", "fr"):
        home_lang = Path(home) / lang
        os.environ["WAYPOINT_HOME"] = str(home_lang)
        app = build_app(qt_app=qt_app, paths=app_paths(), kdf_profile="test", language=lang)
        w = app.window
        w.resize(*SIZE)
        w.show()
        setup = w.setup_page
        setup.location.setText(str(Path("/home/fieldworker/.local/share/Waypoint/vault")))
        shot(w, f"{lang}-1-setup-location")
        setup.location.setText(str(app.paths.default_vault))
        setup.location_next.click()
        setup.username.setText("amina.admin")
        setup.passphrase.setText("Agadez2026!")
        setup.repeat.setText("Agadez2026!")
        setup.create_button.click()
        shot(w, f"{lang}-2a-setup-weak-passphrase")
        setup.advice.suggest_button.click()
        shot(w, f"{lang}-2b-setup-suggested-passphrase")
        setup.advice.clear()
        setup.passphrase.setText(PASSPHRASE)
        setup.repeat.setText(PASSPHRASE)
        shot(w, f"{lang}-2-setup-administrator")
        setup.create_button.click()
        settle(lambda: setup.steps.currentIndex() == 2)
        shot(w, f"{lang}-3-setup-recovery-code")
        setup.written_down.setChecked(True)
        setup.finish_button.click()
        unlock = w.unlock_page
        unlock.passphrase.setText("not my passphrase")
        unlock.unlock_button.click()
        settle(lambda: unlock.error.isVisible())
        shot(w, f"{lang}-4-unlock-wrong-passphrase")
        unlock.use_recovery_button.click()
        shot(w, f"{lang}-4b-unlock-recovery-code")
        unlock.back_button.click()
        unlock.erase_link.click()
        unlock.erase_panel.passphrase.setText(PASSPHRASE)
        unlock.erase_panel.word.setText(unlock.erase_panel.tr("ERASE")[:3])
        shot(w, f"{lang}-4a-unlock-emergency-erase")
        unlock.erase_panel.cancel_button.click()
        unlock.passphrase.setText(PASSPHRASE)
        unlock.unlock_button.click()
        settle(lambda: app.controller.is_unlocked)
        place = w.place_page  # the first sign-in asks where the laptop works
        settle(lambda: w.stack.currentWidget() is place)
        place.country.setCurrentIndex(place.country.findData("NE"))
        place.centre.setCurrentIndex(place.centre.findData("ne_agadez"))
        shot(w, f"{lang}-4c-laptop-centre")
        place.save_button.click()
        settle(lambda: w.stack.currentWidget() is w.registrations_page)
        task = app.controller.run_with_vault(lambda vault, state: save_synthetic(vault, 30))
        done = []
        task.finished.connect(lambda: done.append(1))
        settle(lambda: bool(done))
        w.registrations_changed()
        settle(lambda: w.model.rowCount() == 30 and "30" in w.unsynced_label.text())
        shot(w, f"{lang}-5-registration-list")
        table = w.registrations_page.table
        table.selectRow(next(r for r in range(30) if w.model.row_at(r).status == "draft"))
        w.delete_selected_draft()
        settle(ms=150)
        w.delete_question.grab().save(str(OUT / f"{lang}-5b-delete-draft.png"))
        print("wrote", OUT / f"{lang}-5b-delete-draft.png")
        w.delete_question.reject()
        w.registrations_page.search.setText("nobody by this name")
        settle(lambda: w.registrations_page.body.currentWidget() is w.registrations_page.empty and
               not w.model.is_loading)
        shot(w, f"{lang}-5c-search-no-result")
        w.registrations_page.search.clear()
        w.open_erase_dialog()
        dialog = w.erase_dialog
        dialog.panel.word.setText(dialog.panel.tr("ERASE"))
        settle(ms=150)
        dialog.grab().save(str(OUT / f"{lang}-5a-erase-dialog.png"))
        print("wrote", OUT / f"{lang}-5a-erase-dialog.png")
        dialog.reject()
        w.lock(reason="idle")  # as the idle timer does: the notice says why
        settle(lambda: w.stack.currentWidget() is unlock)
        shot(w, f"{lang}-6-locked")
        app.close()
        settle(ms=100)
    return 0


if __name__ == "__main__":
    sys.exit(main())
