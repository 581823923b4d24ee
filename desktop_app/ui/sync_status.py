"""The sync pieces of the window: a status-bar widget (last sync, progress, reachability, errors), the
"Sync now" action, and `install_sync`, which the composition root calls to wire them into the main window.

The unsynced count itself is the shell's status-bar label (MainWindow.refresh_counts); after every run the
window is told `registrations_changed()`, so the list's sync-state column and that count follow at once.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from desktop_app.ui.sync_controller import SyncController


class SyncStatusWidget(QWidget):
    """'Synced 14:02 · 12 sent, 3 received' / 'Syncing… 200 sent' / 'Server not reachable' / the last error."""

    def __init__(self, *, sync: SyncController, action: QAction) -> None:
        super().__init__(objectName="syncStatus")
        self._sync = sync
        self.label = QLabel(objectName="syncStatusLabel")
        self.button = QToolButton(objectName="syncNowButton")
        self.button.setDefaultAction(action)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.button)
        self._text = ""
        sync.started.connect(lambda: self._show(self.tr("Syncing…")))
        sync.progress.connect(self._progress)
        sync.finished.connect(self._finished)
        sync.failed.connect(lambda message: self._show(self.tr("Sync failed: %s") % message, error=True))
        sync.reachable_changed.connect(self._reachable)
        sync.status_changed.connect(self._status)

    def _show(self, text: str, *, error: bool = False) -> None:
        self.label.setText(text)
        self.label.setProperty("error", error)
        self.label.setToolTip(text)

    def _progress(self, pushed: int, pulled: int) -> None:
        self._show(self.tr("Syncing… %1 sent, %2 received").replace("%1", str(pushed)).replace("%2", str(pulled)))

    def _finished(self, summary) -> None:
        text = self.tr("Synced %1 · %2 sent, %3 received").replace("%1", datetime.now().strftime("%H:%M")) \
            .replace("%2", str(summary.acknowledged)).replace("%3", str(summary.pulled))
        if summary.conflicts:
            text += " · " + self.tr("%n conflict(s) to review", "", summary.conflicts)
        if summary.rejected:
            text += " · " + self.tr("%n refused by the server", "", summary.rejected)
        self._show(text, error=bool(summary.conflicts or summary.rejected))

    def _reachable(self, reachable: bool) -> None:
        if not reachable and not self._sync.running:
            self._show(self.tr("Server not reachable; records stay queued"))

    def _status(self, status: dict) -> None:
        if not status.get("enrolled"):
            self._show(self.tr("Not enrolled for sync"))
        elif not self.label.text() and status.get("last_sync_at"):
            self._show(self.tr("Last sync %1").replace("%1", status["last_sync_at"].replace("T", " ")[:16]))


def make_sync_action(parent: QWidget, sync: SyncController, controller) -> QAction:
    """"Sync now": offered only while the vault is unlocked and no run is going on."""
    action = QAction(parent, objectName="syncNowAction", shortcut=QKeySequence("F5"))
    action.triggered.connect(sync.sync_now)

    def update(*_args) -> None:
        action.setEnabled(controller.is_unlocked and not sync.running)

    for signal in (sync.started, sync.finished, sync.failed, controller.unlocked, controller.locked):
        signal.connect(update)
    controller.locking.connect(lambda: action.setEnabled(False))
    update()
    return action


class _Retranslator(QWidget):
    """Keeps the action's words in the current language (the window retranslates only its own)."""

    def __init__(self, action: QAction, enrol_action: QAction | None = None) -> None:
        super().__init__()
        self._action, self._enrol_action = action, enrol_action
        self.setVisible(False)
        self.retranslate()

    def retranslate(self) -> None:
        self._action.setText(self.tr("Sync now"))
        self._action.setToolTip(self.tr("Send queued registrations and receive changes (F5)"))
        if self._enrol_action is not None:
            self._enrol_action.setText(self.tr("Enrol this laptop for sync…"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def open_enrol_dialog(window, sync: SyncController):
    from desktop_app.ui.sync_enrol_dialog import EnrolDialog

    dialog = EnrolDialog(sync=sync, parent=window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.sync_enrol_dialog = dialog
    dialog.open()
    return dialog


def install_sync(*, window, tasks, controller, probe_interval_ms: int = 60_000, connect=None) -> SyncController:
    """Wire sync into the main window: menu action, toolbar button, status widget, refresh after a run."""
    sync = SyncController(tasks=tasks, controller=controller, probe_interval_ms=probe_interval_ms, connect=connect)
    sync.setParent(window)
    action = make_sync_action(window, sync, controller)
    window.sync_action = action
    window.registrations_menu.addAction(action)
    enrol_action = QAction(window, objectName="syncEnrolAction")
    enrol_action.triggered.connect(lambda: open_enrol_dialog(window, sync))
    window.sync_enrol_action = enrol_action
    window.registrations_menu.addAction(enrol_action)
    widget = SyncStatusWidget(sync=sync, action=action)
    widget.layout().addWidget(_Retranslator(action, enrol_action))
    sync.status_changed.connect(lambda status: enrol_action.setEnabled(not status.get("enrolled")))
    enrol_action.setEnabled(controller.is_unlocked)
    controller.locking.connect(lambda: enrol_action.setEnabled(False))
    window.add_status_widget(widget)
    window.sync_status_widget = widget
    # Reload the list only when the run changed something: a quiet periodic run must not disturb the person's
    # scroll position or selection.
    sync.finished.connect(lambda summary: window.registrations_changed()
                          if summary.acknowledged or summary.pulled or summary.conflicts or summary.rejected else None)
    return sync
