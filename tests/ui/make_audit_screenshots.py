"""Render the audit log screen to docs/screenshots/ (offscreen; synthetic people and records only).

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.ui.make_audit_screenshots

In English and French: a coordinator's audit log after a day's work, narrowed to one person, and the same log
after someone altered an entry with tools of their own (verification names it).
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
    home = Path(tempfile.mkdtemp(prefix="waypoint-audit-shots-"))

    from PySide6.QtWidgets import QApplication

    from desktop_app.paths import app_paths
    from desktop_app.services import records
    from desktop_app.services.access import AccessDenied
    from desktop_app.ui.app import build_app
    from desktop_app.vault import Vault, database, keyslots
    from tests.access.team import (
        ADMIN, CASE, COORD, FIELD, MIGRANT, PASSPHRASES, PERSON, instance, make_team, shipped_xforms,
    )
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
        with Vault.unlock(folder, username=CASE, passphrase=PASSPHRASES[CASE]) as vault:
            records.reopen(vault, record_id)
        with Vault.unlock(folder, username=ADMIN, passphrase=PASSPHRASES[ADMIN]) as vault:
            try:
                records.delete(vault, record_id)
            except AccessDenied:
                pass
        app = build_app(qt_app=qt_app, paths=app_paths(), vault_path=folder, kdf_profile="test", language=lang)
        w = app.window
        w.resize(*SIZE)
        w.show()
        app.controller.unlock(username=COORD, passphrase=PASSPHRASES[COORD])
        settle(lambda: app.controller.is_unlocked)
        settle(ms=300)
        area = w.audit
        area.action.trigger()
        settle(lambda: area.model.rowCount() > 0)
        area.page.verify_button.click()
        settle(lambda: area.page.status.isVisible() and "…" not in area.page.status.text())
        shot(w, f"{lang}-access-10-audit-log")
        area.page.person.setCurrentIndex(area.page.person.findData(ADMIN))
        settle(lambda: area.model.rowCount() > 0 and {area.model.entry(r).actor
                                                      for r in range(area.model.rowCount())} == {ADMIN})
        shot(w, f"{lang}-access-11-audit-by-person")
        dek = app.controller._open.vault._dek
        w.lock()
        settle(lambda: not app.controller.is_unlocked and app.controller.is_busy is False)
        conn = database.connect_raw(folder / database.DB_FILE, dek,
                                    page_size=keyslots.cipher_page_size(keyslots.load(folder)), isolation_level=None)
        try:
            conn.execute("DROP TRIGGER audit_entry_no_update")
            conn.execute("UPDATE audit_entry SET detail = 'nothing to see' WHERE event = 'record.delete'")
        finally:
            conn.close()
        app.controller.unlock(username=COORD, passphrase=PASSPHRASES[COORD])
        settle(lambda: app.controller.is_unlocked)
        settle(ms=300)
        area.action.trigger()
        settle(lambda: area.model.rowCount() > 0)
        area.page.verify_button.click()
        settle(lambda: area.page.error.isVisible())
        shot(w, f"{lang}-access-12-audit-altered")
        w.lock()
        settle(lambda: not app.controller.is_unlocked and app.controller.is_busy is False)
        app.close()
        settle(ms=100)
    return 0


if __name__ == "__main__":
    sys.exit(main())
