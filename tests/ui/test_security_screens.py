"""The vault's protections through the real widgets: passphrase rules in setup, the emergency erase
from the sign-in screen and from the app, the integrity alert, the clipboard cleared on lock."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence

from desktop_app.services import session
from tests.ui.test_app_flow import PASSPHRASE, _setup_vault, _unlock, _unlocked_app

pytestmark = pytest.mark.gui

WEAK = ["password", "Agadez2026!", "P@ssw0rd2026", "Niamey1234"]


def _to_admin_step(qtbot, make_app, **kwargs):
    app = make_app(**kwargs)
    app.window.show()
    qtbot.waitExposed(app.window)
    setup = app.window.setup_page
    setup.location_next.click()
    qtbot.keyClicks(setup.username, "amina.admin")
    return app, setup


@pytest.mark.parametrize("weak", WEAK)
def test_setup_refuses_each_weak_passphrase_and_says_why(qtbot, make_app, weak):
    app, setup = _to_admin_step(qtbot, make_app)
    qtbot.keyClicks(setup.passphrase, weak)
    qtbot.keyClicks(setup.repeat, weak)
    assert not setup.advice.acceptable
    assert setup.advice.hint.text().startswith(("Very weak.", "Weak.", "Almost"))
    qtbot.keyClick(setup.repeat, Qt.Key.Key_Return)
    assert setup.error.isVisible() and setup.error.text().startswith("This passphrase is too easy to guess.")
    assert not app.controller.is_busy and not app.controller.vault_exists()


def test_the_old_error_goes_when_the_passphrase_changes(qtbot, make_app):
    """Issue 13: 'too short' stayed on screen while the hint already said 'Strong'."""
    app, setup = _to_admin_step(qtbot, make_app)
    qtbot.keyClicks(setup.passphrase, "short")
    setup.create_button.click()
    assert setup.error.isVisible() and "shorter than 12" in setup.error.text()
    qtbot.keyClicks(setup.passphrase, " but now a longer sentence")
    assert not setup.error.isVisible()
    assert setup.advice.hint.text() in ("Strong.", "Very strong.")


def test_setup_offers_a_generated_passphrase_that_is_accepted(qtbot, make_app):
    app, setup = _to_admin_step(qtbot, make_app)
    qtbot.keyClicks(setup.passphrase, "Niamey1234")
    setup.advice.suggest_button.click()
    phrase = setup.passphrase.text()
    assert len(phrase.split()) == 6 and setup.repeat.text() == phrase
    assert setup.advice.suggestion.isVisible() and phrase in setup.advice.suggestion.text()
    assert setup.advice.suggestion.textInteractionFlags() == Qt.TextInteractionFlag.NoTextInteraction
    assert setup.advice.acceptable
    with qtbot.waitSignal(app.controller.created, timeout=20_000):
        setup.create_button.click()
    assert not setup.advice.suggestion.isVisible() and setup.passphrase.text() == ""


def test_french_setup_explains_in_french_and_suggests_french_words(qtbot, make_app):
    from desktop_app.vault.passphrases import _generator_words

    app, setup = _to_admin_step(qtbot, make_app, language="fr")
    qtbot.keyClicks(setup.passphrase, "Agadez2026!")
    setup.create_button.click()
    assert setup.error.text().startswith("Cette phrase secrète est trop facile à deviner.")
    assert "un lieu de la région" in setup.error.text()
    setup.advice.suggest_button.click()
    assert set(setup.passphrase.text().split()) <= set(_generator_words("fr"))


def _erase_from_sign_in(qtbot, app, *, username="amina.admin", passphrase=PASSPHRASE, word="ERASE"):
    page = app.window.unlock_page
    qtbot.mouseClick(page.erase_link, Qt.MouseButton.LeftButton)
    panel = page.erase_panel
    assert page.modes.currentIndex() == 2 and panel.username.text() == username
    qtbot.keyClicks(panel.passphrase, passphrase)
    qtbot.keyClicks(panel.word, word[:-1])
    assert not panel.erase_button.isEnabled()  # not before the whole word
    qtbot.keyClicks(panel.word, word[-1])
    assert panel.erase_button.isEnabled()
    return panel


def test_erase_from_the_sign_in_screen(qtbot, make_app):
    app = make_app()
    app.window.show()
    qtbot.waitExposed(app.window)
    code = _setup_vault(qtbot, app.window)
    folder = app.controller.vault_path
    panel = _erase_from_sign_in(qtbot, app, word="erase")
    with qtbot.waitSignal(app.controller.erased, timeout=20_000):
        qtbot.mouseClick(panel.erase_button, Qt.MouseButton.LeftButton)
    assert app.window.stack.currentWidget() is app.window.setup_page
    assert "erased" in app.window.setup_page.error.text()
    assert list(folder.iterdir()) == []
    assert not app.controller.vault_exists()
    with pytest.raises(Exception) as refused:
        session.unlock_with_recovery(folder, recovery_code=code)
    assert session.classify(refused.value).problem is session.Problem.NOT_FOUND


def test_erase_from_the_sign_in_screen_with_a_wrong_passphrase_erases_nothing(qtbot, make_app):
    app = make_app()
    app.window.show()
    qtbot.waitExposed(app.window)
    _setup_vault(qtbot, app.window)
    panel = _erase_from_sign_in(qtbot, app, passphrase="not the passphrase at all")
    with qtbot.waitSignal(app.controller.failed, timeout=20_000):
        qtbot.keyClick(panel.word, Qt.Key.Key_Return)
    assert panel.error.isVisible() and "not right" in panel.error.text()
    assert panel.passphrase.text() == "" and panel.word.text() == ""
    assert app.controller.vault_exists()
    qtbot.keyClick(panel.word, Qt.Key.Key_Escape)
    assert app.window.unlock_page.modes.currentIndex() == 0


def test_erase_from_the_app_menu_in_french(qtbot, make_app):
    app = make_app(language="fr")
    window = app.window
    window.show()
    qtbot.waitExposed(window)
    _setup_vault(qtbot, window)
    _unlock(qtbot, window)
    window.erase_action.trigger()
    panel = window.erase_dialog.panel
    assert not panel.username.isVisible()  # already signed in: the word is enough
    assert "EFFACER" in panel.word_label.text()
    qtbot.keyClicks(panel.word, "EFFACER")
    with qtbot.waitSignal(app.controller.erased, timeout=20_000):
        qtbot.keyClick(panel.word, Qt.Key.Key_Return)
    assert window.erase_dialog is None and not app.controller.is_unlocked
    assert window.stack.currentWidget() is window.setup_page
    assert not app.controller.vault_exists()


def test_a_damaged_page_is_reported_after_unlock(qtbot, make_app):
    app = _unlocked_app(qtbot, make_app)
    from tests.ui.synthetic import save_synthetic
    task = app.controller.run_with_vault(lambda vault, state: save_synthetic(vault, 200))
    with qtbot.waitSignal(task.finished, timeout=20_000):
        pass
    with qtbot.waitSignal(app.controller.locked, timeout=10_000):
        app.window.lock()
    db = app.controller.vault_path / "waypoint.db"
    data = bytearray(db.read_bytes())
    data[len(data) - 8192 + 300] ^= 0x40  # deep in the file: the fast check at unlock does not read it
    db.write_bytes(bytes(data))
    with qtbot.waitSignal(app.integrity.checked, timeout=20_000) as checked:
        _unlock(qtbot, app.window)
    assert checked.args[0] and "damaged or altered there" in checked.args[0][0]
    alert = app.integrity.alert
    assert alert is not None and alert.isVisible() and alert.windowTitle() == "The vault is damaged"
    with qtbot.waitSignal(app.controller.locked, timeout=10_000):
        app.window.lock()
    assert app.integrity.alert is None


def test_a_sound_vault_raises_no_alert(qtbot, make_app):
    app = make_app()
    app.window.show()
    qtbot.waitExposed(app.window)
    _setup_vault(qtbot, app.window)
    with qtbot.waitSignal(app.integrity.checked, timeout=20_000) as checked:
        _unlock(qtbot, app.window)
    assert checked.args[0] == [] and app.integrity.alert is None


def test_what_waypoint_copied_is_cleared_when_the_vault_locks(qtbot, make_app):
    app = _unlocked_app(qtbot, make_app)
    window = app.window
    search = window.registrations_page.search
    search.setFocus()
    qtbot.keyClicks(search, "Zerihun Clipboardtest")
    qtbot.keySequence(search, QKeySequence.StandardKey.SelectAll)
    qtbot.keySequence(search, QKeySequence.StandardKey.Copy)
    clipboard = QGuiApplication.clipboard()
    assert clipboard.text() == "Zerihun Clipboardtest" and app.clipboard.holds_ours
    with qtbot.waitSignal(app.controller.locked, timeout=10_000):
        window.lock()
    assert clipboard.text() == ""
