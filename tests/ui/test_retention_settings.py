"""Administration → Retention period… through the real widgets: an administrator sets the period, which is saved
in the vault and applied at once (the retention watch runs again)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from desktop_app.services import retention
from tests.ui.test_app_flow import _setup_vault, _unlock

pytestmark = pytest.mark.gui


def test_an_administrator_sets_the_retention_period(qtbot, make_app):
    app = make_app()
    window = app.window
    window.show()
    qtbot.waitExposed(window)
    _setup_vault(qtbot, window)
    settings = window.retention_settings
    assert not settings.action.isVisible()
    _unlock(qtbot, window)
    assert settings.action.isVisible() and settings.action in window.access.admin_menu.actions()
    settings.action.trigger()
    qtbot.waitUntil(lambda: settings.dialog is not None and settings.dialog.isVisible(), timeout=20_000)
    dialog = settings.dialog
    assert dialog.no_limit.isChecked() and not dialog.days.isEnabled()  # a new vault keeps data without limit
    assert "names, dates of birth" in dialog.explanation.text()
    app.translations.switch("fr")
    qtbot.waitUntil(lambda: dialog.windowTitle() == "Durée de conservation", timeout=5_000)  # LanguageChange is posted
    assert dialog.no_limit.text() == "&Pas de limite sur cet ordinateur"
    app.translations.switch("en")
    qtbot.waitUntil(lambda: dialog.windowTitle() == "Retention period", timeout=5_000)
    dialog.no_limit.click()
    dialog.days.setValue(45)
    with qtbot.waitSignal(settings.saved, timeout=20_000) as saved, \
            qtbot.waitSignal(app.retention.purged, timeout=20_000) as applied:
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert saved.args == [45] and applied.args[0].retention_days == 45
    task = app.controller.run_with_vault(lambda vault, state: retention.retention_days(vault))
    with qtbot.waitSignal(task.succeeded, timeout=20_000) as read:
        pass
    assert read.args == [45]
    with qtbot.waitSignal(app.controller.locked, timeout=10_000):
        window.lock()
    assert not settings.action.isVisible() and settings.dialog is None
