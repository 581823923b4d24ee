"""Render the Devices screen to docs/screenshots/ (offscreen; a real server on loopback; synthetic laptops only).

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.ui.make_devices_screenshots

In English and French: a centre's laptops as the coordinator sees them, the question before wiping a lost one, the
list once the order is waiting for that laptop's next contact, a new enrolment code asked for and shown, and the
open codes.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SIZE = (1100, 760)


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["WAYPOINT_ALLOW_TEST_KDF"] = "1"  # throwaway vaults: the fast KDF is fine here
    home = Path(tempfile.mkdtemp(prefix="waypoint-devices-shots-"))
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

    from PySide6.QtWidgets import QApplication, QMessageBox
    from server_harness import ServerProcess

    from desktop_app.paths import app_paths
    from desktop_app.services import sync as sync_service
    from desktop_app.ui.app import build_app
    from desktop_app.vault import Vault
    from sync_server import admin
    from sync_server.db import open_database
    from tests.ui.screens import settle

    qt_app = QApplication([sys.argv[0]])
    OUT.mkdir(parents=True, exist_ok=True)
    passphrase = "correct horse battery staple 42"

    def shot(widget, name: str) -> None:
        settle(ms=200)
        widget.grab().save(str(OUT / f"{name}.png"))
        print("wrote", OUT / f"{name}.png")

    with ServerProcess(data_dir=home / "server") as server:
        db = open_database(f"sqlite:///{home / 'server' / 'server.db'}", pool_size=1)
        for lang in ("en", "fr"):
            centre = f"Agadez {lang}"
            admin.add_centre(db, centre)
            os.environ["WAYPOINT_HOME"] = str(home / lang)
            paths = {}
            for name, roles in (("Office laptop", None), ("Field laptop 3", ["field_staff"]),
                                ("Field laptop 7", ["field_staff"]), ("Case laptop", ["field_staff", "case_worker"])):
                folder = home / lang / name.replace(" ", "-")
                vault, _ = Vault.create(folder, admin_username="amina", admin_passphrase=passphrase,
                                        kdf_profile="test")
                code = admin.create_enrolment_code(db, centre=centre, ttl=timedelta(hours=1), roles=roles)
                sync_service.enrol(vault, server_url=server.url, code=code, device_name=name)
                vault.close()
                paths[name] = folder
            app = build_app(qt_app=qt_app, paths=app_paths(), vault_path=paths["Office laptop"], kdf_profile="test",
                            language=lang)
            w = app.window
            w.resize(*SIZE)
            w.show()
            app.controller.unlock(username="amina", passphrase=passphrase)
            settle(lambda: app.controller.is_unlocked)
            area = w.devices
            area.action.trigger()
            settle(lambda: area.model.rowCount() == 4)
            target = next(area.model.device(r) for r in range(4) if area.model.device(r).name == "Field laptop 7")
            area.page.select(target.device_id)
            shot(w, f"{lang}-access-13-devices")
            area.page.wipe_button.click()
            settle(lambda: w.findChild(QMessageBox, "deviceOrderQuestion") is not None)
            box = w.findChild(QMessageBox, "deviceOrderQuestion")
            shot(box, f"{lang}-access-14-wipe-question")
            box.button(QMessageBox.StandardButton.Yes).click()
            settle(lambda: area.page.status.isVisible())
            shot(w, f"{lang}-access-15-wipe-ordered")
            area.page.new_code_button.click()
            settle(lambda: area.dialog is not None)
            dialog = area.dialog
            dialog.role_boxes["case_worker"].setChecked(True)
            shot(dialog, f"{lang}-access-16-new-code")
            dialog.create_button.click()
            settle(lambda: bool(dialog.code_text.text()))
            shot(dialog, f"{lang}-access-17-enrolment-code")
            dialog.accept()
            settle(lambda: area.codes.rowCount() == 1)
            area.page.new_code_button.click()
            settle(lambda: area.dialog is not None and area.dialog is not dialog)
            area.dialog.validity.setCurrentIndex(2)
            area.dialog.create_button.click()
            settle(lambda: area.dialog is not None and bool(area.dialog.code_text.text()))
            area.dialog.accept()
            settle(lambda: area.codes.rowCount() == 2)
            shot(w, f"{lang}-access-18-open-codes")
            w.lock()
            settle(lambda: not app.controller.is_unlocked and app.controller.is_busy is False)
            app.close()
            settle(ms=100)
        db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
