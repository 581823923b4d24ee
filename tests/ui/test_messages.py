"""Every vault error becomes one readable sentence, in English and French, never a traceback."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop_app.services.session import Problem, classify
from desktop_app.ui.messages import failure_text
from desktop_app.vault import errors
from tests.ui.test_app_flow import PASSPHRASE, _setup_vault

pytestmark = pytest.mark.gui

CASES = [
    (errors.WrongPassphrase(), Problem.WRONG_CREDENTIALS),
    (errors.UnknownUser("nobody"), Problem.WRONG_CREDENTIALS),  # same words: usernames cannot be probed
    (errors.TooManyAttempts(4.2), Problem.TOO_MANY_ATTEMPTS),
    (errors.TamperedKeySlots(), Problem.TAMPERED),
    (errors.TamperedDatabase(), Problem.TAMPERED),
    (errors.WeakKdfParameters(), Problem.WEAK_KDF),
    (errors.SchemaTooNew(), Problem.SCHEMA_TOO_NEW),
    (errors.VaultNotFound(), Problem.NOT_FOUND),
    (errors.VaultExists(), Problem.ALREADY_EXISTS),
    (errors.VaultFolderNotWritable(), Problem.NOT_WRITABLE),
    (errors.DiskFull(), Problem.DISK_FULL),
    (errors.VaultLocked(), Problem.LOCKED),
    (errors.PermissionDenied(), Problem.NOT_ALLOWED),
    (errors.InvalidInput("user name too long"), Problem.INVALID_INPUT),
    (RuntimeError("boom"), Problem.UNEXPECTED),
]


@pytest.mark.parametrize("error,problem", CASES, ids=lambda v: type(v).__name__)
def test_each_error_has_its_own_sentence_in_both_languages(make_app, error, problem):
    app = make_app(language="en")
    failure = classify(error)
    assert failure.problem is problem
    english = failure_text(failure)
    app.translations.switch("fr")
    french = failure_text(failure)
    app.translations.switch("en")
    assert english and french and english != french
    assert "Traceback" not in english
    if problem is Problem.TOO_MANY_ATTEMPTS:
        assert failure.retry_after_s == 5 and "5 seconds" in english  # rounded up, never "wait 4.2"
    if problem is Problem.INVALID_INPUT:
        assert english.endswith("user name too long")


def test_wrong_recovery_code_gets_its_own_words():
    assert classify(errors.WrongPassphrase(), recovery=True).problem is Problem.WRONG_RECOVERY_CODE


def test_a_tampered_key_file_is_explained_on_the_unlock_screen(qtbot, make_app):
    app = make_app()
    window = app.window
    window.show()
    qtbot.waitExposed(window)
    _setup_vault(qtbot, window)
    slots = app.controller.vault_path / "slots.json"
    data = bytearray(slots.read_bytes())
    middle = len(data) // 2
    data[middle] = ord("A") if data[middle] != ord("A") else ord("B")
    slots.write_bytes(bytes(data))
    page = window.unlock_page
    qtbot.keyClicks(page.passphrase, PASSPHRASE)
    with qtbot.waitSignal(app.controller.failed, timeout=20_000) as failed:
        qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)
    assert failed.args[0].problem is Problem.TAMPERED
    assert page.error.isVisible() and "changed outside Waypoint" in page.error.text()
    assert not app.controller.is_unlocked
