"""The retention period, applied by the app: after each unlock and every hour while unlocked, on the database thread.

What is purged and how is desktop_app/services/retention.py (one use case, one transaction). When a run purged
records, the person is told what went and when: how many registrations, which kinds of data (names, dates of birth,
documents, contact details, photos, narratives), what stays for field work, and the date. The notice is not modal
(field work goes on) and closes when the vault locks. Nothing here touches the database itself.
"""

from __future__ import annotations

from PySide6.QtCore import QDateTime, QLocale, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop_app.services import retention
from desktop_app.ui.tasks import Task
from desktop_app.ui.vault_controller import VaultController

EVERY_MS = 60 * 60 * 1000  # while unlocked, the period is applied again every hour


class RetentionWatch(QObject):
    purged = Signal(object)  # the services.retention.Purge of each run (count 0 included), after it committed

    def __init__(self, *, controller: VaultController, parent_window: QWidget, every_ms: int = EVERY_MS) -> None:
        super().__init__(parent_window)
        self._controller = controller
        self._window = parent_window
        self.notice: QMessageBox | None = None
        self._task: Task | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(every_ms)
        self._timer.timeout.connect(self.start)
        controller.unlocked.connect(lambda _user: self._unlocked())
        controller.locking.connect(self._locking)

    def _unlocked(self) -> None:
        self._timer.start()
        self.start()

    def start(self) -> None:
        if not self._controller.is_unlocked or self._task is not None:
            return
        session_number = self._controller.session_number
        task = self._controller.run_with_vault(lambda vault, state: retention.apply_retention(vault),
                                               name="db:retention")
        task.succeeded.connect(lambda purge: self._done(session_number, purge))
        task.finished.connect(self._finished)
        self._task = task

    def _finished(self) -> None:
        self._task = None

    def _locking(self) -> None:
        self._timer.stop()
        self._close_notice()

    def _done(self, session_number: int, purge: retention.Purge) -> None:
        if session_number != self._controller.session_number:
            return  # locked meanwhile: the next unlock applies it again and says so
        self.purged.emit(purge)
        if purge.count:
            self._show(purge)

    def text_for(self, purge: retention.Purge) -> str:
        when = QDateTime.fromString(purge.at, Qt.DateFormat.ISODateWithMs).toLocalTime()
        return self.tr(
            "The retention period set by your administrator (%1 days after the server received a registration) has "
            "passed for %n registration(s). On %2, Waypoint removed their names, dates of birth, documents, contact "
            "details, photos and narratives from this laptop. Their case numbers, sex, age group, nationality, "
            "assistance history and next appointments stay; the server keeps the full records.",
            "", purge.count).replace("%1", str(purge.retention_days)).replace(
            "%2", QLocale().toString(when, QLocale.FormatType.ShortFormat))

    def _show(self, purge: retention.Purge) -> None:
        self._close_notice()
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("Identifying data removed"), self.text_for(purge),
                          QMessageBox.StandardButton.Ok, self._window)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.finished.connect(lambda _: self._forget(box))
        self.notice = box
        box.show()

    def _forget(self, box: QMessageBox) -> None:
        if self.notice is box:
            self.notice = None
        box.deleteLater()

    def _close_notice(self) -> None:
        if self.notice is not None:
            self.notice.reject()
