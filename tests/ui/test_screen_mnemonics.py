"""No two controls of one screen answer the same Alt+letter, in English and French: every page of the main window's
stacks (buttons and labels with a mnemonic), built by the app as `waypoint-app` builds it. The setup and unlock
pages hold stacks of their own and are checked step by step in test_i18n.py."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QAbstractButton, QLabel, QStackedWidget

pytestmark = pytest.mark.gui
NESTED = {"setupPage", "unlockPage"}  # test_i18n.py::test_no_two_mnemonics_clash_on_one_screen


def mnemonic(text: str) -> str | None:
    plain = text.replace("&&", "")
    return plain[plain.index("&") + 1].lower() if "&" in plain and plain.index("&") + 1 < len(plain) else None


def clashes(page) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {}
    for widget in page.findChildren(QAbstractButton) + page.findChildren(QLabel):
        key = mnemonic(widget.text())
        if key is not None:
            keys.setdefault(key, []).append(widget.text())
    return {key: texts for key, texts in keys.items() if len(texts) > 1}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_no_two_controls_of_a_screen_share_an_alt_letter(make_app, language):
    window = make_app(language=language).window
    pages = {stack.widget(i).objectName(): stack.widget(i)
             for stack in window.findChildren(QStackedWidget) for i in range(stack.count())}
    assert {"devicesPage", "auditPage"} <= set(pages)
    found = {name: clashes(page) for name, page in pages.items() if name not in NESTED}
    shared = {name: texts for name, texts in found.items() if texts}
    assert not shared, f"{language}: controls sharing an Alt-letter: {shared}"


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("closing", [True, False])
def test_the_close_and_reopen_dialog_answers_alt_letters(make_app, qtbot, language, closing):
    """Found on a field day (2026-12-07): the close-case / reopen-case dialog's buttons had no Alt+letter (Enter
    and Esc worked). Each of its controls now has its own, beside &Reason and &Note, in English and French."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox

    from desktop_app.ui.casefile_page import ReasonDialog

    window = make_app(language=language).window
    dialog = ReasonDialog(closing=closing, parent=window)
    dialog.open()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5_000)  # shortcuts reach the active one
    buttons = [dialog.buttons.button(b) for b in (QDialogButtonBox.StandardButton.Ok,
                                                   QDialogButtonBox.StandardButton.Cancel)]
    assert all(mnemonic(b.text()) for b in buttons), [b.text() for b in buttons]
    assert not clashes(dialog), f"{language}: controls sharing an Alt-letter: {clashes(dialog)}"
    # Alt+ the Cancel button's letter closes the dialog, as Esc does
    with qtbot.waitSignal(dialog.finished, timeout=5_000) as finished:
        qtbot.keyClick(dialog.reason, mnemonic(buttons[1].text()), Qt.KeyboardModifier.AltModifier)
    assert finished.args == [QDialog.DialogCode.Rejected.value]
