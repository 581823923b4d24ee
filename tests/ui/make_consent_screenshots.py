"""Render the consent panel to docs/screenshots/ (offscreen; synthetic people only).

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.ui.make_consent_screenshots

In English and French: a person's consent per purpose (Registrations → Consent…), the withdrawal question, and the
panel after the withdrawal.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SIZE = (1000, 620)


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["WAYPOINT_ALLOW_TEST_KDF"] = "1"  # throwaway vaults: the fast KDF is fine here
    home = Path(tempfile.mkdtemp(prefix="waypoint-consent-shots-"))

    from PySide6.QtWidgets import QApplication

    from desktop_app.paths import app_paths
    from desktop_app.services import records
    from desktop_app.ui.app import build_app
    from desktop_app.vault import Vault
    from tests.access.team import FIELD, MIGRANT, PASSPHRASES, PERSON, instance, make_team, shipped_xforms
    from tests.ui.screens import settle

    qt_app = QApplication([sys.argv[0]])
    OUT.mkdir(parents=True, exist_ok=True)
    xforms = shipped_xforms()

    def shot(widget, name: str) -> None:
        settle(ms=200)
        widget.grab().save(str(OUT / f"{name}.png"))
        print("wrote", OUT / f"{name}.png")

    for lang in ("en", "fr"):
        os.environ["WAYPOINT_HOME"] = str(home / lang)
        folder = make_team(home / lang / "vault", xforms)
        record_id = "7c1e93d2-5b4f-4a8e-9f02-3d6b8e41a0c5"
        version = records.form_definition(xforms["migrant_registration"]).version
        with Vault.unlock(folder, username=FIELD, passphrase=PASSPHRASES[FIELD]) as vault:
            records.finalize(vault, form_id=MIGRANT, form_version=version, record_id=record_id,
                             content=instance(xforms["migrant_registration"], PERSON, record_id))
        app = build_app(qt_app=qt_app, paths=app_paths(), vault_path=folder, kdf_profile="test", language=lang)
        w = app.window
        w.resize(*SIZE)
        w.show()
        app.controller.unlock(username=FIELD, passphrase=PASSPHRASES[FIELD])
        settle(lambda: app.controller.is_unlocked)
        settle(lambda: w.model.rowCount() == 1)
        w.registrations_page.table.setCurrentIndex(w.model.index(0, 0))
        area = w.consent
        area.action.trigger()
        settle(lambda: area.panel.model.rowCount() == 7)
        shot(w, f"{lang}-consent-1-panel")
        area.panel.withdraw_button.click()
        dialog = area.panel.dialog
        dialog.boxes["matching"].setChecked(True)
        dialog.boxes["followup_contact"].setChecked(True)
        dialog.confirm.setChecked(True)
        shot(dialog, f"{lang}-consent-2-withdraw-question")
        dialog.withdraw_button.click()
        settle(lambda: area.panel.notice.isVisible())
        shot(w, f"{lang}-consent-3-withdrawn")
        w.lock()
        settle(lambda: not app.controller.is_unlocked and app.controller.is_busy is False)
        app.close()
        settle(ms=100)
    return 0


if __name__ == "__main__":
    sys.exit(main())
