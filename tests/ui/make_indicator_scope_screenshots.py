"""Render the Indicators screen's Data chooser to docs/screenshots/ (offscreen; synthetic records only): a
coordinator's laptop asking the real server on loopback for its region's figures, and the same request while the
server is down.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.ui.make_indicator_scope_screenshots

In English and French. Look at each PNG the way a tired coordinator would.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "screenshots"
SIZE = (1100, 720)


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["WAYPOINT_ALLOW_TEST_KDF"] = "1"
    sys.path[:0] = [str(ROOT / "tests" / "server"), str(ROOT / "tests" / "sync")]
    home = Path(tempfile.mkdtemp(prefix="waypoint-scope-shots-"))

    from indicator_region import PERIOD, REGION, build_region, enrol_coordinator
    from PySide6.QtCore import QDate
    from PySide6.QtWidgets import QApplication
    from server_harness import Backend, ServerProcess, free_port

    from desktop_app.paths import app_paths
    from desktop_app.services import server_reports
    from desktop_app.ui.app import build_app
    from tests.access.team import COORD, PASSPHRASES, shipped_xforms
    from tests.sync.support import ServerAdmin
    from tests.ui.screens import settle

    qt_app = QApplication([sys.argv[0]])
    OUT.mkdir(parents=True, exist_ok=True)
    xforms = shipped_xforms()
    backend = Backend("sqlite", home / "server", None)
    backend.data_dir.mkdir()
    server = ServerProcess(data_dir=backend.data_dir).start()
    admin = ServerAdmin(backend)

    def shot(widget, name: str) -> None:
        settle(ms=250)
        widget.grab().save(str(OUT / f"{name}.png"))
        print("wrote", OUT / f"{name}.png")

    try:
        build_region(server, admin, home / "en" / "vault", xforms, scale=4)
        enrol_coordinator(server, admin, home / "fr" / "vault", xforms)
        for lang in ("en", "fr"):
            os.environ["WAYPOINT_HOME"] = str(home / lang)
            app = build_app(qt_app=qt_app, paths=app_paths(), vault_path=home / lang / "vault", kdf_profile="test",
                            language=lang)
            w = app.window
            w.resize(*SIZE)
            w.show()
            app.controller.unlock(username=COORD, passphrase=PASSPHRASES[COORD])
            settle(lambda: app.controller.is_unlocked)
            area = w.reports_area
            settle(lambda: area.page.scope.count() > 0 and area.may_ask_server)
            area.open()
            page = area.page
            settle(lambda: page.source.count() == 4)  # the server named the region and its other centre
            page.start.setDate(QDate.fromString(PERIOD[0], "yyyy-MM-dd"))
            page.end.setDate(QDate.fromString(PERIOD[1], "yyyy-MM-dd"))
            page.source.setCurrentIndex(page.source.findData(server_reports.OWN_REGION))
            page.compute_button.click()
            settle(lambda: page.shown is not None and page.shown.computed_by == "server")
            page.dimension.setCurrentIndex(page.dimension.findData("centre"))
            shot(w, f"{lang}-registry-11-indicators-my-region-from-server")
            down = f"http://127.0.0.1:{free_port()}"
            area.server.connect = lambda url, _down=down, **kw: server_reports.ServerConnection(_down, **kw)
            page.compute_button.click()
            settle(lambda: page.compute_button.isEnabled() and not page.progress.isVisible()
                   and not page.status.text().startswith(("Computed", "Calculé")))
            shot(w, f"{lang}-registry-12-indicators-server-unreachable")
            assert REGION in page.source.currentText()
            w.lock()
            settle(lambda: not app.controller.is_unlocked and app.controller.is_busy is False)
            app.close()
            settle(ms=100)
    finally:
        admin.close()
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
