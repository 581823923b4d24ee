"""Render the Exports screen to docs/screenshots/ (offscreen; synthetic people only), in English and French: as a
case worker sees it (a form's records and the CTDC export), then during an export (progress and Cancel).

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.ui.make_exports_screenshots
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SIZE = (1000, 680)


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["WAYPOINT_ALLOW_TEST_KDF"] = "1"
    home = Path(tempfile.mkdtemp(prefix="waypoint-exports-shots-"))

    from PySide6.QtWidgets import QApplication

    from desktop_app.paths import app_paths
    from desktop_app.ui.app import build_app
    from tests.access.team import CASE, PASSPHRASES, make_team, shipped_xforms
    from tests.ui.screens import settle

    qt_app = QApplication([sys.argv[0]])
    OUT.mkdir(parents=True, exist_ok=True)
    xforms = shipped_xforms()

    def shot(widget, name: str) -> None:
        settle(ms=250)
        widget.grab().save(str(OUT / f"{name}.png"))
        print("wrote", OUT / f"{name}.png")

    for lang in ("en", "fr"):
        os.environ["WAYPOINT_HOME"] = str(home / lang)
        folder = make_team(home / lang / "vault", xforms)
        app = build_app(qt_app=qt_app, paths=app_paths(), vault_path=folder, kdf_profile="test", language=lang)
        w = app.window
        w.resize(*SIZE)
        w.show()
        app.controller.unlock(username=CASE, passphrase=PASSPHRASES[CASE])
        settle(lambda: app.controller.is_unlocked)
        area = w.exports_area
        area.open()
        page = area.page
        settle(lambda: page.form.count() > 0)
        page.hxl.setChecked(True)
        shot(w, f"{lang}-registry-7-exports")
        page.set_running(True)  # the state an export of 100,000 records shows at 42,000
        page.show_progress(42_000, 100_000)
        page.status.setText(area.tr("Exporting…"))
        shot(w, f"{lang}-registry-8-export-progress")
        page.set_running(False)
        app.controller.lock()
        settle(lambda: not app.controller.is_unlocked)
        w.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
