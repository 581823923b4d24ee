"""Details of the shell a tired person relies on: settings, busy bar, lockout countdown, no leaks."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QDialogButtonBox

from tests.ui.test_app_flow import PASSPHRASE, _save_through_vault, _setup_vault, _unlock

pytestmark = pytest.mark.gui

CANARY = "Zerihun Canarytest Wolde-Maryam"


def _started(qtbot, make_app):
    app = make_app()
    app.window.show()
    qtbot.waitExposed(app.window)
    _setup_vault(qtbot, app.window)
    return app


def _wrong_attempt(qtbot, app):
    page = app.window.unlock_page
    qtbot.keyClicks(page.passphrase, "definitely wrong")
    with qtbot.waitSignal(app.controller.failed, timeout=20_000) as failed:
        qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)
    return failed.args[0]


def test_busy_bar_shows_while_the_vault_opens(qtbot, make_app):
    app = _started(qtbot, make_app)
    page = app.window.unlock_page
    qtbot.keyClicks(page.passphrase, PASSPHRASE)
    with qtbot.waitSignal(app.controller.unlocked, timeout=20_000):
        qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)
        # The key derivation runs on the database thread: the screen says so and takes no input.
        assert page.busy.isVisible() and not page.modes.isEnabled()
    assert not page.busy.isVisible()


def test_too_many_attempts_shows_a_countdown_then_allows_again(qtbot, make_app):
    app = _started(qtbot, make_app)
    page = app.window.unlock_page
    for _ in range(3):
        assert _wrong_attempt(qtbot, app).problem.value == "wrong_credentials"
    failure = _wrong_attempt(qtbot, app)
    assert failure.problem.value == "too_many_attempts"
    assert "Too many wrong attempts" in page.error.text()
    assert f"Wait {failure.retry_after_s} second" in page.error.text()
    assert not page.unlock_button.isEnabled()
    qtbot.waitUntil(page.unlock_button.isEnabled, timeout=failure.retry_after_s * 1000 + 3000)
    assert not page.error.isVisible()


def test_settings_dialog_changes_idle_minutes_and_language(qtbot, make_app):
    app = _started(qtbot, make_app)
    window = app.window
    _unlock(qtbot, window)
    window.settings_action.trigger()
    dialog = window.settings_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.idle.setValue(2)
    dialog.language.setCurrentIndex(dialog.language.findData("fr"))
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert app.settings.idle_minutes == 2
    assert app.idle.timeout_ms == 2 * 60_000 and app.idle.is_armed
    assert app.settings.language == "fr"
    qtbot.waitUntil(lambda: window.lock_label.text() == "Déverrouillé", timeout=5000)


def test_lock_closes_an_open_settings_dialog(qtbot, make_app):
    app = _started(qtbot, make_app)
    window = app.window
    _unlock(qtbot, window)
    window.open_settings()
    with qtbot.waitSignal(app.controller.locked, timeout=10_000):
        window.lock_action.trigger()
    assert window.settings_dialog is None


def test_search_box_filters_the_list(qtbot, make_app):
    app = _started(qtbot, make_app)
    window = app.window
    _unlock(qtbot, window)
    _save_through_vault(qtbot, app, 12)
    app.controller.run_with_vault(lambda vault, state: _save_canary(vault))
    window.registrations_changed()
    qtbot.waitUntil(lambda: window.model.rowCount() == 13, timeout=10_000)
    qtbot.keyClicks(window.registrations_page.search, "canarytest")
    qtbot.keyClick(window.registrations_page.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.model.rowCount() == 1 and not window.model.is_loading, timeout=10_000)
    assert window.model.row_at(0).title == CANARY


def _save_canary(vault):
    from desktop_app.vault.registrations import save_registration

    return save_registration(
        vault, form_id="registration", form_version="2024.1", status="finalized",
        content=f"<data><name>{CANARY}</name><dob>1991-04-17</dob></data>",
        fields={"title": CANARY, "sex": "male", "age": 34, "nationality": "Ethiopia"},
    )


def test_no_personal_data_in_any_file_the_app_wrote(qtbot, make_app):
    """Seized-laptop check for the shell: after use, search and lock, no file holds the canary."""
    app = _started(qtbot, make_app)
    window = app.window
    _unlock(qtbot, window)
    task = app.controller.run_with_vault(lambda vault, state: _save_canary(vault))
    with qtbot.waitSignal(task.finished, timeout=10_000):
        pass
    window.registrations_changed()
    qtbot.keyClicks(window.registrations_page.search, "Canarytest")
    qtbot.keyClick(window.registrations_page.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=10_000)
    # The person copies the name (to paste it into a referral letter, say): gone at lock.
    qtbot.keySequence(window.registrations_page.search, QKeySequence.StandardKey.SelectAll)
    qtbot.keySequence(window.registrations_page.search, QKeySequence.StandardKey.Copy)
    assert QGuiApplication.clipboard().text() == "Canarytest"
    with qtbot.waitSignal(app.controller.locked, timeout=10_000):
        window.lock()
    assert QGuiApplication.clipboard().text() == ""
    app.close()
    home = app.paths.data.parent
    needles = [CANARY.encode(), b"Canarytest", b"canarytest", b"1991-04-17", CANARY.encode("utf-16-le")]
    scanned = 0
    for path in home.rglob("*"):
        if path.is_file():
            scanned += 1
            data = path.read_bytes()
            assert not any(n in data for n in needles), f"personal data in {path}"
    assert scanned >= 3  # the settings file, the database and the key slots at least
    # The settings file holds no username either: usernames name staff at risk too.
    config_text = b"".join(p.read_bytes() for p in Path(app.paths.config).rglob("*") if p.is_file())
    assert b"amina.admin" not in config_text


def test_choosing_another_folder_opens_setup_or_unlock(qtbot, make_app, tmp_path):
    app = _started(qtbot, make_app)
    window = app.window
    first_vault = app.controller.vault_path
    window.choose_vault_folder(tmp_path / "usb" / "vault")  # nothing there yet: set one up
    assert window.stack.currentWidget() is window.setup_page
    assert window.setup_page.location.text() == str(tmp_path / "usb" / "vault")
    window.choose_vault_folder(first_vault)  # back to the existing one: sign in
    assert window.stack.currentWidget() is window.unlock_page
    assert app.settings.last_vault_path == first_vault
    _unlock(qtbot, window)


def test_escape_leaves_the_recovery_panel(qtbot, make_app):
    app = _started(qtbot, make_app)
    page = app.window.unlock_page
    page.use_recovery_button.click()
    assert page.modes.currentIndex() == 1
    qtbot.keyClicks(page.recovery_code, "ABCD")
    qtbot.keyClick(page.recovery_code, Qt.Key.Key_Escape)
    assert page.modes.currentIndex() == 0 and page.recovery_code.text() == ""


def test_any_key_or_click_restarts_the_idle_countdown(qtbot, make_app):
    app = _started(qtbot, make_app)
    window = app.window
    _unlock(qtbot, window)
    timer = app.idle._timer
    app.idle.set_timeout_ms(60_000)
    qtbot.waitUntil(lambda: timer.remainingTime() < 59_900, timeout=5000)  # some time has passed
    qtbot.keyClick(window.registrations_page.search, Qt.Key.Key_A)  # input anywhere in the app
    assert timer.remainingTime() > 59_900
    qtbot.waitUntil(lambda: timer.remainingTime() < 59_900, timeout=5000)
    qtbot.mouseClick(window.registrations_page.table.viewport(), Qt.MouseButton.LeftButton)
    assert timer.remainingTime() > 59_900 and app.idle.is_armed
