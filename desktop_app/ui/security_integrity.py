"""After each unlock, every page of the database is checked in the background; damage is reported.

Unlock itself only runs the fast checks (page 1, identity, schema): reading a large vault through
SQLCipher's page check takes seconds to minutes. So the full check is queued on the database
thread right after the first list page and counts, and a damaged page (a failing disk, or a file
altered outside Waypoint) is shown to the person at once instead of surfacing later as a failed
save. The check reads only; it changes nothing, and a lock stops it at once (it would otherwise
hold the lock back by as long as it takes: seconds on a large vault).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop_app.services import session
from desktop_app.ui.tasks import Task
from desktop_app.ui.vault_controller import VaultController


class IntegrityWatch(QObject):
    checked = Signal(list)  # the problems found (empty: every page is sound), after each unlock

    def __init__(self, *, controller: VaultController, parent_window: QWidget) -> None:
        super().__init__(parent_window)
        self._controller = controller
        self._window = parent_window
        self.alert: QMessageBox | None = None
        self._task: Task | None = None
        controller.unlocked.connect(lambda _user: self.start())
        controller.locking.connect(self._locking)

    def start(self) -> None:
        if not self._controller.is_unlocked:
            return
        session_number = self._controller.session_number
        task = self._controller.run_with_vault(
            lambda vault, state: session.check_integrity(vault, should_stop=lambda: state.cancelled),
            name="db:integrity-check")
        task.succeeded.connect(lambda problems: self._done(session_number, problems))
        task.failed.connect(lambda exc: self._done(session_number, [str(exc)]))
        self._task = task

    def _locking(self) -> None:
        # A lock must not wait seconds behind the check: stop it (it polls the flag as SQLite reads).
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self._close_alert()

    def _done(self, session_number: int, problems: list[str] | None) -> None:
        if session_number != self._controller.session_number or problems is None:
            return  # locked meanwhile: nothing to say to whoever is at the screen now
        self.checked.emit(problems)
        if problems:
            self._show(problems)

    def _show(self, problems: list[str]) -> None:
        self._close_alert()
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("The vault is damaged"),
            self.tr("Waypoint checked every part of the vault after you signed in and found damage: the disk is "
                    "failing or the file was changed outside Waypoint. Records in the damaged part may not open "
                    "or save. Sync what you can now and tell your administrator; do not erase anything."),
            QMessageBox.StandardButton.Ok,
            self._window,
        )
        box.setDetailedText("\n".join(problems))
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.finished.connect(lambda _: self._forget(box))
        self.alert = box
        box.open()

    def _forget(self, box: QMessageBox) -> None:
        if self.alert is box:
            self.alert = None
        box.deleteLater()

    def _close_alert(self) -> None:
        if self.alert is not None:
            self.alert.reject()
