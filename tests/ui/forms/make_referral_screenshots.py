"""The referral form refusing a kind of recipient the person did not consent to, in English and French, to
docs/screenshots/forms-referral-refused-{en,fr}.png.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.ui.forms.make_referral_screenshots

A throwaway vault (fast test KDF); a synthetic person who consented to sharing with service providers only, and a
referral to the national authorities about them, finalized: the screen says why not at the recipient question.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
OUT = REPO / "docs" / "screenshots"


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["WAYPOINT_ALLOW_TEST_KDF"] = "1"
    from PySide6.QtWidgets import QApplication

    from desktop_app.records import form_store
    from desktop_app.services import forms, records
    from desktop_app.ui.app import RESOURCES, apply_style
    from desktop_app.ui.forms.screen import FormScreen, OpenedForm
    from desktop_app.ui.i18n import Translations
    from desktop_app.ui.tasks import TaskRunner
    from desktop_app.vault.vault import Vault
    from tests.access.team import PERSON, instance
    from tests.ui.forms.test_referral_consent import ANSWERS, PERSON_ID, REFERRAL_ID
    from tests.ui.screens import settle
    from waypoint_core.xform import FormDefinition

    qt_app = QApplication([sys.argv[0]])
    apply_style(qt_app, resources=RESOURCES)
    translations = Translations(app=qt_app, i18n_dir=RESOURCES / "i18n")
    xforms = {p.stem: forms.validate_form_file(p).xform for p in forms.shipped_form_files(REPO / "forms")}
    migrant, referral = FormDefinition.from_xml(xforms["migrant_registration"]), FormDefinition.from_xml(
        xforms["referral"])
    runner = TaskRunner()
    home = Path(tempfile.mkdtemp(prefix="waypoint-referral-shots-"))
    opened: dict = {}

    def create(state):
        vault, _ = Vault.create(home / "vault", admin_username="shots", admin_passphrase="quiet river at dawn",
                                kdf_profile="test")
        for name, xform in xforms.items():
            form_store.install_form(vault, xform=xform, source_name=f"{name}.md", check_role=False)
        records.finalize(vault, form_id="waypoint_migrant_registration", form_version=migrant.version,
                         record_id=PERSON_ID, content=instance(xforms["migrant_registration"], PERSON, PERSON_ID))
        records.save_draft(vault, form_id="waypoint_referral", form_version=referral.version, record_id=REFERRAL_ID,
                           content=instance(xforms["referral"], {**ANSWERS, "referral/recipient_kind": "authorities"},
                                            REFERRAL_ID))
        return vault

    task = runner.run_db(create)
    task.succeeded.connect(lambda vault: opened.setdefault("vault", vault))
    task.failed.connect(lambda error: opened.setdefault("error", error))
    settle(lambda: bool(opened))
    if "error" in opened:
        raise opened["error"]
    vault = opened["vault"]

    def run_with_vault(fn, *, name="db"):
        return runner.run_db(lambda state: fn(vault, state), name=name)

    for language in ("en", "fr"):
        translations.switch(language)
        reopen = runner.run_db(lambda state: records.reopen(vault, REFERRAL_ID))
        reopen.succeeded.connect(lambda value: opened.__setitem__("record", value))
        opened.pop("record", None)
        settle(lambda: "record" in opened)
        again = opened["record"]
        screen = FormScreen(opened=OpenedForm(referral, "waypoint_referral", referral.version, REFERRAL_ID,
                                              content=again.record.content, status="draft", base=again.base),
                            run_with_vault=run_with_vault, metadata={"username": "shots"}, ui_language=language,
                            autosave_ms=60_000)
        screen.set_form_language(next(x for x in screen.session.languages if f"({language})" in x))
        screen.resize(1100, 800)
        screen.show()
        screen.finalize()
        settle(lambda: screen.banner.isVisible() and not screen._saving)
        settle(ms=300)
        path = OUT / f"forms-referral-refused-{language}.png"
        screen.grab().save(str(path))
        print("wrote", path.relative_to(REPO))
        screen._autosave.stop()
        screen.close()
        screen.deleteLater()
        settle(lambda: runner.pending == 0, ms=5000)
    runner.run_db(lambda state: vault.close())
    settle(lambda: runner.pending == 0)
    runner.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
