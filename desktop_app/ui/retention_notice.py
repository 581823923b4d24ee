"""The retention period, applied by the app: after each unlock and every hour while unlocked, on the database thread.

What is purged and how is desktop_app/services/retention.py (one use case, one transaction). When a run purged
records, the person is told what went and when: how many registrations, which kinds of data (names, dates of birth,
documents, contact details, photos, narratives), what stays for field work, and the date. The notice is not modal
(field work goes on) and closes when the vault locks. Nothing here touches the database itself.

Administrators set the period in Administration → Retention period… (`RetentionDialog`: a number of days, or no
limit); the period is applied at once after it is saved.
"""

from __future__ import annotations

from PySide6.QtCore import QDateTime, QEvent, QLocale, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.services import access, retention
from desktop_app.ui.tasks import Task
from desktop_app.ui.vault_controller import VaultController

EVERY_MS = 60 * 60 * 1000  # while unlocked, the period is applied again every hour
MAX_DAYS = 36500  # as desktop_app/vault/policy.py


class RetentionWatch(QObject):
    purged = Signal(object)  # the services.retention.Purge of each run (count 0 included), after it committed
    failed = Signal(object)  # the exception of a run that could not complete (its transaction rolled back)

    def __init__(self, *, controller: VaultController, parent_window: QWidget, every_ms: int = EVERY_MS) -> None:
        super().__init__(parent_window)
        self._controller = controller
        self._window = parent_window
        self.notice: QMessageBox | None = None
        self._shown: retention.Purge | None = None  # what the notice says
        self._task: Task | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(every_ms)
        self._timer.timeout.connect(self.start)
        controller.unlocked.connect(self._unlocked)
        controller.locking.connect(self._locking)

    def _unlocked(self, user) -> None:
        if getattr(user, "is_recovery", False):
            return  # the recovery code leads to setting a passphrase, nothing else; the next sign-in applies it
        self._timer.start()
        self.start()

    def start(self) -> None:
        if not self._controller.is_unlocked or self._task is not None:
            return
        session_number = self._controller.session_number
        task = self._controller.run_with_vault(lambda vault, state: retention.apply_retention(vault),
                                               name="db:retention")
        task.succeeded.connect(lambda purge: self._done(session_number, purge))
        task.failed.connect(self.failed.emit)  # tried again at the next unlock or hour; nothing was removed
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
        box = QMessageBox(QMessageBox.Icon.Information, "", "", QMessageBox.StandardButton.Ok, self._window)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.finished.connect(lambda _: self._forget(box))
        self.notice = box
        self._shown = purge
        self._word_notice()
        box.installEventFilter(self)  # the language switched while it is open: it follows, as every screen does
        box.show()

    def _word_notice(self) -> None:
        if self.notice is not None:
            self.notice.setWindowTitle(self.tr("Identifying data removed"))
            self.notice.setText(self.text_for(self._shown))

    def eventFilter(self, watched, event) -> bool:
        if watched is self.notice and event.type() == QEvent.Type.LanguageChange:
            self._word_notice()
        return False

    def _forget(self, box: QMessageBox) -> None:
        if self.notice is box:
            self.notice = None
        box.deleteLater()

    def _close_notice(self) -> None:
        if self.notice is not None:
            self.notice.reject()


class RetentionDialog(QDialog):
    """How many days identifying data stay on this laptop after the server received a registration, or no limit."""

    def __init__(self, days: int | None, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="retentionDialog")
        self.explanation = QLabel(wordWrap=True)
        self.days = QSpinBox(objectName="retentionDays", minimum=0, maximum=MAX_DAYS)
        self.days.setValue(30 if days is None else days)
        self.no_limit = QCheckBox(objectName="retentionNoLimit", checked=days is None)
        self.days.setEnabled(days is not None)
        self.no_limit.toggled.connect(lambda checked: self.days.setEnabled(not checked))
        self.days_label = QLabel()
        self.days_label.setBuddy(self.days)
        form = QFormLayout()
        form.addRow(self.days_label, self.days)
        form.addRow("", self.no_limit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explanation)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.retranslate()

    def chosen(self) -> int | None:
        return None if self.no_limit.isChecked() else self.days.value()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Retention period"))
        self.explanation.setText(self.tr(
            "How long this laptop keeps the identifying data of a registration after the server received it. When "
            "the period has passed, names, dates of birth, documents, contact details, photos and narratives are "
            "removed from this laptop; case numbers, sex, age group, nationality, assistance history and next "
            "appointments stay. The server keeps the full records. A coordinator's laptop can keep them longer."))
        self.days_label.setText(self.tr("&Days after the server received it:"))
        self.days.setSuffix(self.tr(" days"))
        self.no_limit.setText(self.tr("&No limit on this laptop"))


class RetentionSettings(QObject):
    """Administration → Retention period…, for administrators (the vault checks the signed role again)."""

    saved = Signal(object)  # the period now in force (None: no limit)

    def __init__(self, *, window, controller: VaultController, watch: RetentionWatch) -> None:
        super().__init__(window)
        self._window, self._controller, self._watch = window, controller, watch
        self.dialog: RetentionDialog | None = None
        self.action = QAction(window, objectName="retentionAction")
        self.action.triggered.connect(self.open)
        self.action.setVisible(False)
        area = getattr(window, "access", None)
        if area is not None:
            area.admin_menu.addAction(self.action)
        controller.unlocked.connect(self._unlocked)
        controller.locking.connect(self._locking)
        window.installEventFilter(self)
        self.retranslate()

    def _unlocked(self, user) -> None:
        self.action.setVisible(access.roles_allow(user.roles or (user.role,), "manage_users", "organisation"))

    def _locking(self) -> None:
        self.action.setVisible(False)
        if self.dialog is not None:
            self.dialog.reject()

    def open(self) -> None:
        task = self._controller.run_with_vault(lambda vault, state: retention.retention_days(vault),
                                               name="db:retention-days")
        task.succeeded.connect(self._show)

    def _show(self, days: int | None) -> None:
        if not self._controller.is_unlocked:
            return
        dialog = RetentionDialog(days, self._window)
        dialog.accepted.connect(lambda: self._save(dialog.chosen()))
        dialog.finished.connect(lambda _: self._forget(dialog))
        self.dialog = dialog
        dialog.open()

    def _forget(self, dialog: RetentionDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def _save(self, days: int | None) -> None:
        task = self._controller.run_with_vault(lambda vault, state: retention.set_retention_days(vault, days),
                                               name="db:set-retention-days")
        task.succeeded.connect(self._saved)
        task.failed.connect(lambda exc: QMessageBox.warning(self._window, self.tr("Retention period"), str(exc)))

    def _saved(self, days: int | None) -> None:
        self.saved.emit(days)
        self._watch.start()  # the new period applies at once

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        return False

    def retranslate(self) -> None:
        self.action.setText(self.tr("&Retention period…"))
