"""Render each shipped form in the form screen, in English and French, to docs/screenshots/forms-*.png; with
../shared/corpus beside the repository, also questions whose choices come from attachments (select one from
map, search()).

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.ui.forms.make_form_screenshots

A throwaway vault (fast test KDF) in a temporary folder takes the autosaves; answers are synthetic.
Each form is shown on the page a field worker spends most time on, with a few answers given, so the
picture shows choices, hints, required marks and a message beside a field.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
OUT = REPO / "docs" / "screenshots"
SIZE = (1100, 800)

# form stem -> (answers given through the view, ref of a question whose page is shown, refs "left" empty)
SCENES = {
    "migrant_registration": (
        [("/data/consent/consent_given_by", "self"), ("/data/consent/consent_services", "yes"),
         ("/data/consent/legal_basis", "consent"), ("/data/consent/consent_share_providers", "yes")],
        "/data/consent/consent_services", []),
    # the repeat of trafficking stages, with one stage started
    "vot_case": (
        [("/data/consent/consent_services", "yes"), ("/data/consent/legal_basis", "consent"),
         ("/data/trafficking_event[1]/event_type", "Recruitment")],
        "/data/trafficking_event[1]", []),
    # a number too short shows its message under the field
    "assistance_event": ([("/data/event/person_ref", "12")], "/data/event/person_ref", ["/data/event/person_ref"]),
    "referral": ([], None, []),
}
FOCUSED = {"map-select"}
# corpus forms with attachments (folder, form file, picture name) -> the same kind of scene
ATTACHMENT_SCENES = {
    ("wf_all-question-types_xml", "wf_all-question-types-v2024091201-3.xml", "map-select"): (
        [("/data/select_one_question_types/map", "2")], "/data/select_one_question_types/map", []),
    ("co_different-search-appearances", "co_different-search-appearances.xml", "search-select"): (
        [("/different-search-appearances/fruit1", "oranges")], "/different-search-appearances/fruit1", []),
}


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["WAYPOINT_ALLOW_TEST_KDF"] = "1"  # a throwaway vault: the fast KDF is fine here
    from tests.ui.screens import settle
    from PySide6.QtWidgets import QApplication

    from desktop_app.records import form_store
    from desktop_app.services import forms
    from desktop_app.ui.app import RESOURCES, apply_style
    from desktop_app.ui.forms.screen import FormScreen, OpenedForm
    from desktop_app.ui.i18n import Translations
    from desktop_app.ui.tasks import TaskRunner
    from desktop_app.vault.vault import Vault
    from waypoint_core.xform import FormDefinition

    qt_app = QApplication([sys.argv[0]])
    apply_style(qt_app, resources=RESOURCES)
    translations = Translations(app=qt_app, i18n_dir=RESOURCES / "i18n")
    OUT.mkdir(parents=True, exist_ok=True)
    from tests.corpus import CORPUS
    xforms = {p.stem: forms.validate_form_file(p).xform for p in forms.shipped_form_files(REPO / "forms")}
    scenes = dict(SCENES)
    if CORPUS is not None:  # installed as `forms add` does: the attachments are carried in the form
        for (folder, name, stem), scene in ATTACHMENT_SCENES.items():
            media = CORPUS / "features" / folder
            xform = forms.validate_form_file(media / name, media_dir=media).xform
            # the search() fixture has no version to pin records to: give it one (ODK Central would, at upload)
            xform = xform.replace('<different-search-appearances id="different-search-appearances">',
                                  '<different-search-appearances id="different-search-appearances" version="1">', 1)
            xforms[stem] = xform
            scenes[stem] = scene
    runner = TaskRunner()
    home = Path(tempfile.mkdtemp(prefix="waypoint-form-shots-"))

    opened = {}

    def create(state):
        vault, _ = Vault.create(home / "vault", admin_username="shots", admin_passphrase="quiet river at dawn",
                                kdf_profile="test")
        for name, xform in xforms.items():
            form_store.install_form(vault, xform=xform, source_name=f"{name}.md", check_role=False)
        return vault

    task = runner.run_db(create)
    task.succeeded.connect(lambda vault: opened.setdefault("vault", vault))
    task.failed.connect(lambda error: print("could not create the vault:", error))
    settle(lambda: "vault" in opened)
    vault = opened["vault"]

    def run_with_vault(fn, *, name="db"):
        return runner.run_db(lambda state: fn(vault, state), name=name)

    for stem, xform in sorted(xforms.items()):
        definition = FormDefinition.from_xml(xform)
        answers, page_ref, flagged = scenes.get(stem, ([], None, []))
        for language in ("en", "fr"):
            translations.switch(language)
            screen = FormScreen(opened=OpenedForm.new(definition, form_id=definition.form_id,
                                                      form_version=definition.version),
                                run_with_vault=run_with_vault, metadata={"username": "shots"},
                                ui_language=language)
            screen.resize(*SIZE)
            screen.show()
            for ref, value in answers:
                screen.view.go_to_page(screen.view.page_of_ref(ref))
                screen.view.field(ref)  # built, as when the person reaches it
                screen.view._answer(ref, value)
            if page_ref:
                screen.view.go_to_page(screen.view.page_of_ref(page_ref))
                if stem in FOCUSED:  # a question far down its page: scrolled into view, as finalize does
                    screen.view.focus_field(screen.view.field(page_ref))
            for ref in flagged:
                screen.view.field(ref).mark_touched()
            settle(lambda: not screen._saving, ms=3000)
            settle(ms=200)
            path = OUT / f"forms-{stem.replace('_', '-')}-{language}.png"
            screen.grab().save(str(path))
            print("wrote", path.relative_to(REPO))
            if stem == "migrant_registration":
                # the identity page: a date of birth typed as digits, an impossible one said beside it
                screen.view.go_to_page(screen.view.page_of_ref("/data/identity/given_name"))
                for ref, text in (("/data/identity/given_name", "Awa"), ("/data/identity/family_name", "Diallo")):
                    screen.view.field(ref).edit.setText(text)
                    screen.view._answer(ref, text)
                birth = screen.view.field("/data/identity/date_of_birth")
                birth.edit.set_digits("31021998")
                birth._left()
                settle(ms=200)
                path = OUT / f"forms-migrant-registration-identity-{language}.png"
                screen.grab().save(str(path))
                print("wrote", path.relative_to(REPO))
                screen.close_form()  # answers given: the form asks what to keep
                settle(ms=200)
                path = OUT / f"forms-close-question-{language}.png"
                screen.question.box.grab().save(str(path))
                print("wrote", path.relative_to(REPO))
                screen.question.box.close()
            screen._autosave.stop()
            screen.close()
            screen.deleteLater()
            settle(lambda: runner.pending == 0, ms=5000)
    closing = runner.run_db(lambda state: vault.close())
    settle(lambda: closing.state.cancelled or runner.pending == 0)
    runner.shutdown()
    translations.uninstall()
    return 0


if __name__ == "__main__":
    sys.exit(main())
