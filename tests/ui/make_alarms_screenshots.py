"""Render the Deletion alarms screen to docs/screenshots/ (offscreen; a real server on loopback; synthetic records only).

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.ui.make_alarms_screenshots

In English and French: a bulk deletion as the coordinator sees it, the question before undoing it, and the list once
it is undone.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SIZE = (1100, 560)


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["WAYPOINT_ALLOW_TEST_KDF"] = "1"  # throwaway vaults: the fast KDF is fine here
    home = Path(tempfile.mkdtemp(prefix="waypoint-alarms-shots-"))
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sync"))

    from PySide6.QtWidgets import QApplication, QMessageBox
    from records import register
    from server_harness import ServerProcess

    from desktop_app.paths import app_paths
    from desktop_app.services import sync as sync_service
    from desktop_app.ui.app import build_app
    from desktop_app.vault import Vault
    from desktop_app.vault.registrations import delete_registration
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
            vaults = {}
            for name, roles in (("Coordinator laptop", ["coordinator"]), ("Field laptop 2", ["field_staff"]),
                                ("Office laptop 9", None)):
                folder = home / lang / name.replace(" ", "-")
                vault, _ = Vault.create(folder, admin_username="amina", admin_passphrase=passphrase,
                                        kdf_profile="test")
                code = admin.create_enrolment_code(db, centre=centre, ttl=timedelta(hours=1), roles=roles)
                sync_service.enrol(vault, server_url=server.url, code=code, device_name=name)
                vaults[name] = vault
            field, deleter = vaults["Field laptop 2"], vaults["Office laptop 9"]
            made = [register(field, f"Synthetic Person {n}", 20 + n).id for n in range(14)]
            sync_service.sync_now(field)
            sync_service.sync_now(deleter)
            for record_id in made:
                delete_registration(deleter, record_id)
            sync_service.sync_now(deleter)
            coordinator = vaults["Coordinator laptop"]
            coordinator.add_user("zara", passphrase, ("coordinator",))
            path = coordinator.path
            for vault in vaults.values():
                vault.close()
            app = build_app(qt_app=qt_app, paths=app_paths(), vault_path=path, kdf_profile="test", language=lang)
            w = app.window
            w.resize(*SIZE)
            w.show()
            app.controller.unlock(username="zara", passphrase=passphrase)
            settle(lambda: app.controller.is_unlocked)
            area = w.alarms
            area.action.trigger()
            settle(lambda: area.model.rowCount() == 1)
            shot(w, f"{lang}-access-19-deletion-alarms")
            area.page.undo_button.click()
            settle(lambda: w.findChild(QMessageBox, "undoDeletionQuestion") is not None)
            box = w.findChild(QMessageBox, "undoDeletionQuestion")
            shot(box, f"{lang}-access-20-undo-question")
            box.button(QMessageBox.StandardButton.Yes).click()
            settle(lambda: area.page.status.isVisible())
            shot(w, f"{lang}-access-21-deletion-undone")
            w.lock()
            settle(lambda: not app.controller.is_unlocked and app.controller.is_busy is False)
            app.close()
            settle(ms=100)
        db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
