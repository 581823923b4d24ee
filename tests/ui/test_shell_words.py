"""What the shell says, in English and French, seen through the real widgets: names instead of codes in the list,
a "no results" message, why the vault locked, the version in About, the recovery button not cut off in French,
one word for "finalized", form titles in the chosen language."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox

import desktop_app
from desktop_app.paths import app_paths
from desktop_app.services import places
from desktop_app.ui import labels
from desktop_app.ui.registration_model import FORM, NATIONALITY
from desktop_app.vault.vault import Vault

pytestmark = pytest.mark.gui

PASSPHRASE = "quiet river at dawn"


def _app_with_vault(qtbot, make_app, *, language="en"):
    vault = Vault.create(app_paths().default_vault, admin_username="amina.admin", admin_passphrase=PASSPHRASE,
                         kdf_profile="test")[0]
    places.set_place(vault, country="NE", centre="ne_agadez")  # not asked at the first sign-in
    vault.close()
    app = make_app(language=language)
    app.window.resize(1100, 720)
    app.window.show()
    qtbot.waitExposed(app.window)
    return app


def _unlock(qtbot, app):
    page = app.window.unlock_page
    if not page.username.text():
        qtbot.keyClicks(page.username, "amina.admin")
    qtbot.keyClicks(page.passphrase, PASSPHRASE)
    with qtbot.waitSignal(app.controller.unlocked, timeout=20_000):
        qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)


def _save(qtbot, app, fn):
    task = app.controller.run_with_vault(lambda vault, state: fn(vault))
    with qtbot.waitSignal(task.succeeded, timeout=20_000) as done:
        pass
    return done.args[0]


def test_the_list_shows_country_names_and_form_titles_not_codes(qtbot, make_app):
    from desktop_app.vault.registrations import save_registration

    app = _app_with_vault(qtbot, make_app)
    _unlock(qtbot, app)
    window = app.window
    _save(qtbot, app, lambda vault: save_registration(
        vault, form_id="waypoint_migrant_registration", form_version="2026120610", status="draft",
        content="<data/>", fields={"title": "Amna Idris", "nationality": "SD", "sex": "female"}).id)
    window.registrations_changed()
    model = window.model
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=20_000)
    qtbot.waitUntil(lambda: model.index(0, FORM).data() == "Registration: assisted migrant", timeout=20_000)
    assert model.index(0, NATIONALITY).data() == "Sudan"
    assert "2026120610" in model.index(0, FORM).data(Qt.ItemDataRole.ToolTipRole)  # still there for support
    window.set_language("fr")
    qtbot.waitUntil(lambda: model.index(0, NATIONALITY).data() == "Soudan", timeout=5_000)
    assert model.index(0, FORM).data() == "Enregistrement : migrant assisté"


def test_a_search_without_results_says_so(qtbot, make_app):
    app = _app_with_vault(qtbot, make_app)
    _unlock(qtbot, app)
    from tests.ui.synthetic import save_synthetic

    _save(qtbot, app, lambda vault: save_synthetic(vault, 3))
    app.window.registrations_changed()
    page = app.window.registrations_page
    qtbot.waitUntil(lambda: app.window.model.rowCount() == 3, timeout=10_000)
    qtbot.keyClicks(page.search, "nobody by this name")
    qtbot.waitUntil(lambda: page.body.currentWidget() is page.empty and "No registration matches" in page.empty.text(),
                    timeout=10_000)
    assert page.empty.isVisible()


def test_the_idle_lock_says_why_it_locked(qtbot, make_app):
    app = _app_with_vault(qtbot, make_app)
    _unlock(qtbot, app)
    app.idle.set_timeout_ms(100)
    with qtbot.waitSignal(app.controller.locked, timeout=10_000):
        pass
    notice = app.window.unlock_page.notice
    assert notice.isVisible() and "without use" in notice.text()
    app.window.lock_action.setEnabled(True)
    # locking by hand says only that it is locked
    app.idle.set_minutes(5)
    _unlock(qtbot, app)
    with qtbot.waitSignal(app.controller.locked, timeout=10_000):
        app.window.lock()
    assert "without use" not in notice.text()


def test_the_sign_in_screens_sentence_follows_a_language_switch(qtbot, make_app):
    """The sentence above the sign-in (why the vault locked) stayed in the language it was first said in when the
    language was switched there, while everything around it was reworded."""
    app = _app_with_vault(qtbot, make_app)
    _unlock(qtbot, app)
    app.idle.set_timeout_ms(100)
    with qtbot.waitSignal(app.controller.locked, timeout=10_000):
        pass
    page = app.window.unlock_page
    assert page.notice.isVisible() and "without use" in page.notice.text()
    app.window.set_language("fr")
    qtbot.waitUntil(lambda: page.heading.text() == "Déverrouiller le coffre-fort", timeout=5_000)
    qtbot.waitUntil(lambda: "sans utilisation" in page.notice.text(), timeout=5_000)
    app.window.set_language("en")
    qtbot.waitUntil(lambda: "without use" in page.notice.text(), timeout=5_000)
    app.idle.set_minutes(5)
    _unlock(qtbot, app)
    with qtbot.waitSignal(app.controller.locked, timeout=10_000):
        app.window.lock()
    app.window.set_language("fr")
    qtbot.waitUntil(lambda: page.notice.text() == "Le coffre-fort est verrouillé.", timeout=5_000)


def test_about_shows_the_version(qtbot, make_app):
    app = _app_with_vault(qtbot, make_app)
    app.window.about_action.trigger()
    box = app.window.findChild(QMessageBox)
    assert box is not None and box.isVisible()
    assert desktop_app.__version__ in box.text()
    box.close()


def test_the_recovery_code_button_is_not_cut_off_in_french(qtbot, make_app):
    app = _app_with_vault(qtbot, make_app, language="fr")
    page = app.window.unlock_page
    page.use_recovery_button.click()
    button = page.recovery_button
    qtbot.waitUntil(button.isVisible, timeout=5_000)
    assert button.text().startswith("&Déverrouiller") or "Déverrouiller" in button.text()
    assert button.width() >= button.sizeHint().width()


def test_one_word_for_finalized_in_the_form_and_the_list(qtbot, make_app):
    app = make_app(language="fr")
    in_list = labels.status_name("finalized")
    in_form = QCoreApplication.translate("FormScreen", "Finalized")
    assert in_list == in_form and in_list != "Finalized"
    app.window.close()


def test_the_form_chooser_shows_titles_in_the_chosen_language(qtbot, make_app):
    app = _app_with_vault(qtbot, make_app, language="fr")
    _unlock(qtbot, app)
    app.window.new_action.trigger()
    chooser = app.forms.chooser
    qtbot.waitUntil(lambda: app.window.stack.currentWidget() is chooser, timeout=60_000)
    titles = [chooser.list.item(i).text() for i in range(chooser.list.count())]
    assert "Enregistrement : migrant assisté" in titles
    assert not any(" / " in title for title in titles)


def test_a_record_whose_files_have_not_arrived_says_so_in_the_list_and_the_status_bar(qtbot, make_app):
    from desktop_app.ui.registration_model import SYNC
    from desktop_app.vault.registrations import save_registration
    from desktop_app.vault.writer import write
    from waypoint_core.protocol import FileRef, blob_hash, manifest_text

    def pulled_with_a_missing_scan(vault):
        record_id = save_registration(
            vault, form_id="waypoint_migrant_registration", form_version="2026120610", status="finalized",
            content="<data/>", fields={"title": "Issa Moussa", "nationality": "NE", "sex": "male"}).id
        with write(vault) as w:  # as a pulled version naming a scan that has not arrived does
            w.follow_manifest(record_id, manifest_text([FileRef(name="scan.pdf", mime="application/pdf",
                                                                sha256=blob_hash(b"synthetic scan"), size=14)]))
        return record_id

    app = _app_with_vault(qtbot, make_app)
    _unlock(qtbot, app)
    window = app.window
    _save(qtbot, app, pulled_with_a_missing_scan)
    window.registrations_changed()
    model = window.model
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=20_000)
    assert model.index(0, SYNC).data().endswith("incomplete: 1 file missing")
    assert "not arrived" in model.index(0, SYNC).data(Qt.ItemDataRole.ToolTipRole)
    qtbot.waitUntil(lambda: "1 incomplete (files missing)" in window.unsynced_label.text(), timeout=10_000)
    window.set_language("fr")
    qtbot.waitUntil(lambda: model.index(0, SYNC).data().endswith("incomplet\u00a0: 1 fichier manquant"), timeout=5_000)
    qtbot.waitUntil(lambda: "1 incomplet (fichiers manquants)" in window.unsynced_label.text(), timeout=5_000)


def test_the_signed_in_line_fits_in_french_with_two_roles(qtbot, make_app):
    """At the app's usual size the French line for a person with two roles was cut mid-word ("Connecté : kofi
    (Personnel de terrain, Gestionnaire d…"); it now gives up whole words, and the tooltip says every role."""
    vault = Vault.create(app_paths().default_vault, admin_username="amina.admin", admin_passphrase=PASSPHRASE,
                         kdf_profile="test")[0]
    places.set_place(vault, country="NE", centre="ne_agadez")
    vault.add_user("kofi", "tangerine orbit ladder whisper", ("field_staff", "case_worker"))
    vault.close()
    app = make_app(language="fr")
    app.window.resize(1100, 720)
    app.window.show()
    qtbot.waitExposed(app.window)
    with qtbot.waitSignal(app.controller.unlocked, timeout=20_000):
        app.controller.unlock(username="kofi", passphrase="tangerine orbit ladder whisper")
    label = app.window.user_label
    full = "Connecté\xa0: kofi (Personnel de terrain, Gestionnaire de cas)"
    qtbot.waitUntil(lambda: label.text() == full and label.isVisible(), timeout=5_000)
    # once the status bar has laid the line out: the whole line or the first role and how many more
    qtbot.waitUntil(lambda: label.shown_text() in (full, "Connecté\xa0: kofi (Personnel de terrain +1)"),
                    timeout=5_000)
    shown = label.shown_text()
    assert label.fontMetrics().horizontalAdvance(shown) <= label.contentsRect().width()
    assert label.toolTip() == full


def test_the_signed_in_line_gives_up_whole_words_as_room_shrinks(qtbot):
    from desktop_app.ui.status_user import SignedInLabel

    label = SignedInLabel()
    qtbot.addWidget(label)
    label.show_user("kofi", ("field_staff", "case_worker"))
    full, shorter, least = ("Signed in: kofi (Field staff, Case worker)", "Signed in: kofi (Field staff +1)",
                            "Signed in: kofi")
    width = label.fontMetrics().horizontalAdvance
    assert label.sizeHint().width() >= width(full) and label.minimumSizeHint().width() < width(shorter)
    for room, shown in ((width(full) + 40, full), (width(shorter) + 20, shorter), (width(least) + 20, least)):
        label.resize(room, label.sizeHint().height())
        assert label.shown_text() == shown and label.text() == label.toolTip() == full
    label.show_user("amina.admin", ("administrator",))  # one role: nothing to count
    label.resize(width("Signed in: amina.admin") + 20, label.sizeHint().height())
    assert label.shown_text() == "Signed in: amina.admin"
    label.resize(500, label.sizeHint().height())
    assert label.shown_text() == "Signed in: amina.admin (Administrator)"
    label.clear_user()
    assert label.text() == label.shown_text() == label.toolTip() == ""


def test_a_status_line_that_fits_nowhere_is_cut_with_an_ellipsis_and_keeps_its_words_in_the_tooltip(qtbot):
    from desktop_app.ui.status_user import FittingLabel

    label = FittingLabel()
    qtbot.addWidget(label)
    choices = ["Inscrit\xa0: Agadez · dernière synchronisation 2026-12-07 07:45", "Inscrit\xa0: Agadez · 07:45",
               "Inscrit\xa0: Agadez"]
    label.show_choices(choices)
    width = label.fontMetrics().horizontalAdvance
    for room, shown in ((width(choices[0]) + 30, choices[0]), (width(choices[1]) + 10, choices[1]),
                        (width(choices[2]) + 10, choices[2])):
        label.resize(room, label.sizeHint().height())
        assert label.shown_text() == shown
    label.resize(width(choices[2]) // 2, label.sizeHint().height())
    assert label.shown_text().endswith("…") and label.text() == label.toolTip() == choices[0]
