"""The sync pieces of the window: a status-bar widget (last sync, progress, reachability, errors), the
"Sync now" action, and `install_sync`, which the composition root calls to wire them into the main window.

The unsynced count itself is the shell's status-bar label (MainWindow.refresh_counts); after every run the
window is told `registrations_changed()`, so the list's sync-state column and that count follow at once.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QToolButton, QWidget

from desktop_app.services import access
from desktop_app.ui.sync_controller import SyncController
from desktop_app.ui.status_user import FittingLabel
from desktop_app.ui.sync_messages import not_enrolled_text


def local_minute(stamp: str) -> str:
    """A time the vault keeps (ISO 8601 in UTC, `utc_now`) as this laptop's local "YYYY-MM-DD HH:MM", as the live
    "Synced HH:MM" is shown: in Niger (UTC+1) a run at 16:50 local was said to be at 15:50 after a restart."""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp.replace("T", " ")[:16]
    if moment.tzinfo is None:  # (kept in UTC, as utc_now writes it)
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


class SyncStatusWidget(QWidget):
    """'Synced 14:02 · 3 registrations sent' / 'Syncing…' / 'Enrolled: Agadez · not synced yet' / the last error.

    It keeps what it shows as a state and words it when shown, so a language switch rewords it at once.
    """

    def __init__(self, *, sync: SyncController, action: QAction) -> None:
        super().__init__(objectName="syncStatus")
        self._sync = sync
        self.label = FittingLabel(objectName="syncStatusLabel")
        self.button = QToolButton(objectName="syncNowButton")
        self.button.setDefaultAction(action)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.button)
        self._state: tuple = ("",)
        # enrolled, centre, last sync, why the server refused this laptop at its last contact (store.REFUSALS),
        # whether that last recorded run stopped on an error after doing some work (its summary's `failed`)
        self._enrolment: tuple[bool, str, str, str, bool] | None = None
        sync.started.connect(lambda: self._show("syncing"))
        sync.reported.connect(lambda report: self._show("synced", datetime.now().strftime("%H:%M"), report))
        sync.failed.connect(lambda message: self._show("failed", message))
        sync.reachable_changed.connect(self._reachable)
        sync.status_changed.connect(self._status)

    def _show(self, *state) -> None:
        self._state = state
        self.render()

    def render(self) -> None:
        kind, *args = self._state
        error = kind == "failed" or (kind == "synced" and bool(args[1].conflicts or args[1].rejected
                                                                  or args[1].not_sendable)) or (
            kind == "status" and self._enrolment is not None and bool(self._enrolment[3] or self._enrolment[4]))
        choices = {"syncing": lambda: [self.tr("Syncing…")],
                   "synced": lambda: self._synced_text(*args),
                   "failed": lambda: [self.tr("Sync failed: %1").replace("%1", args[0])],
                   "needs_enrolment": lambda: [args[0]],
                   "unreachable": lambda: [self.tr("Server not reachable; records stay queued")],
                   "status": lambda: self._enrolment_text()}.get(kind, lambda: [])()
        self.label.show_choices(choices)  # longest first: the status bar shows the longest that fits
        self.label.setProperty("error", error)
        self.label.style().unpolish(self.label)
        self.label.style().polish(self.label)

    def _synced_text(self, when: str, report) -> list[str]:
        """Every count, then only what needs someone's attention, then the time alone."""
        synced = self.tr("Synced %1").replace("%1", when)
        counts = [self.tr("%n registration(s) sent", "", report.sent), self.tr("%n update(s) received", "", report.received)]
        attention = []
        if report.conflicts:
            attention.append(self.tr("%n conflict(s) to review", "", report.conflicts))
        if report.rejected:
            attention.append(self.tr("%n refused by the server", "", report.rejected))
        if report.not_sendable:
            attention.append(self.tr("%n cannot be sent (see conflicts)", "", report.not_sendable))
        if report.from_server:
            attention.append(self.tr("%n new conflict(s) between other devices to review", "", report.from_server))
        if report.renumbered:
            attention.append(self.tr("this laptop's vault was put back from an older copy (or copied): %n unsent "
                                     "change(s) numbered again and sent, nothing lost", "", report.renumbered))
        return [" · ".join([synced, *counts, *attention]), " · ".join([synced, *attention]), synced]

    def _enrolment_text(self) -> list[str]:
        """Where this laptop is enrolled and when it last synced, then the time alone, then where. A last run that
        stopped on an error keeps saying so in every length: "last sync 16:50" alone would read as "all sent"."""
        if self._enrolment is None:
            return []
        enrolled, centre, last, refused, stopped = self._enrolment
        if not enrolled:
            return [self.tr("Not enrolled for sync")]
        where = self.tr("Enrolled: %1").replace("%1", centre) if centre else self.tr("Enrolled for sync")
        if refused:
            said = self.refusal_text(refused)
            return [where + " · " + said, said]
        if last and stopped:
            when = local_minute(last)
            full = self.tr("last sync %1, stopped before the end").replace("%1", when)
            short = self.tr("last sync %1, stopped before the end").replace("%1", when[11:])
            at = self.tr("sync at %1 stopped before the end").replace("%1", when[11:])
            alone = self.tr("last sync stopped before the end")
            return [where + " · " + full, where + " · " + short, *map(_capitalised, (short, at, alone))]
        if last:
            when = local_minute(last)
            return [where + " · " + self.tr("last sync %1").replace("%1", when),
                    where + " · " + when[11:], where]
        return [where + " · " + self.tr("not synced yet"), where]

    def refusal_text(self, reason: str) -> str:
        """What the server said of this laptop at its last contact, and what to do (sync/store.py REFUSALS)."""
        if reason == "revoked":
            return self.tr("the administrator revoked this laptop; nothing entered here is lost (unsent changes stay "
                           "in the vault): ask for a new enrolment code and enrol this laptop again")
        if reason == "cloned":
            return self.tr("this vault is also in use on another computer: ask an administrator for a new enrolment "
                           "code and enrol this laptop again")
        if reason == "unknown":
            return self.tr("the server does not know this laptop: ask an administrator for a new enrolment code and "
                           "enrol this laptop again")
        if reason == "key_changed":
            return self.tr("the server's key changed without proof: ask an administrator; nothing is sent until then")
        return self.tr("the server expects changes this laptop no longer holds under their numbers: ask an "
                       "administrator for a new enrolment code and enrol this laptop again")

    def show_needs_enrolment(self, sentence: str) -> None:
        self._show("needs_enrolment", sentence)

    def _reachable(self, reachable: bool) -> None:
        if not reachable and not self._sync.running:
            self._show("unreachable")

    def _status(self, status: dict) -> None:
        last_run = status.get("last_sync")
        stopped = isinstance(last_run, dict) and bool(last_run.get("failed"))
        self._enrolment = (bool(status.get("enrolled")), status.get("centre_name") or "",
                           status.get("last_sync_at") or "", status.get("refused") or "", stopped)
        # a run's result or an error stays until the next run; otherwise the enrolment is what there is to say
        if self._state[0] in ("", "status") or (self._state[0] == "needs_enrolment" and status.get("enrolled")):
            self._show("status")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.render()
        super().changeEvent(event)


def _capitalised(text: str) -> str:
    """A wording written to follow "Enrolled: <centre> · ", standing alone at the start of the line."""
    return text[:1].upper() + text[1:]


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

    def __init__(self, action: QAction, enrol_action: QAction | None = None,
                 batch_action: QAction | None = None, reenrol_action: QAction | None = None) -> None:
        super().__init__()
        self._action, self._enrol_action, self._batch_action = action, enrol_action, batch_action
        self._reenrol_action = reenrol_action
        self.setVisible(False)
        self.retranslate()

    def retranslate(self) -> None:
        self._action.setText(self.tr("Sync now"))
        self._action.setToolTip(self.tr("Send queued registrations and receive changes (F5)"))
        if self._enrol_action is not None:
            self._enrol_action.setText(self.tr("Enrol this laptop for sync…"))
        if self._batch_action is not None:
            self._batch_action.setText(self.tr("USB batch files…"))
        if self._reenrol_action is not None:
            self._reenrol_action.setText(self.tr("Enrol this laptop again…"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def open_enrol_dialog(window, sync: SyncController, *, again: bool = False):
    from desktop_app.ui.sync_enrol_dialog import EnrolDialog

    dialog = EnrolDialog(sync=sync, parent=window, again=again)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.sync_enrol_dialog = dialog
    dialog.open()
    return dialog


def _explain_enrolment(window, sync: SyncController, widget: SyncStatusWidget, controller) -> None:
    """"Sync now" before enrolment: say why nothing happens, and let someone allowed to enrol do it now."""
    can_enrol = _may_enrol(controller)
    widget.show_needs_enrolment(not_enrolled_text(can_enrol=can_enrol))
    if can_enrol:
        open_enrol_dialog(window, sync)


def _may_enrol(controller) -> bool:
    """Whether the signed-in person's roles may enrol this laptop (the manage-devices right; the service checks
    again, audited): the enrol entries are shown to them only, as the place's entry is."""
    user = controller.user
    return user is not None and access.may_manage_devices(tuple(user.roles or (user.role,)))


def _open_batches(window, controller, sync: SyncController):
    from desktop_app.ui.sync_batches import open_batch_dialog

    return open_batch_dialog(window, controller=controller, sync=sync)


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
    batch_action = QAction(window, objectName="syncBatchAction")
    batch_action.triggered.connect(lambda: _open_batches(window, controller, sync))
    window.sync_batch_action = batch_action
    window.registrations_menu.addAction(batch_action)
    batch_action.setEnabled(controller.is_unlocked)
    controller.unlocked.connect(lambda _user: batch_action.setEnabled(True))
    controller.locking.connect(lambda: batch_action.setEnabled(False))
    # An enrolled laptop may be enrolled again with a new code (server keys replaced, device revoked), keeping its
    # records and unsent changes; the service refuses it to anyone but an administrator or coordinator.
    reenrol_action = QAction(window, objectName="syncReenrolAction")
    reenrol_action.triggered.connect(lambda: open_enrol_dialog(window, sync, again=True))
    window.sync_reenrol_action = reenrol_action
    window.registrations_menu.addAction(reenrol_action)
    reenrol_action.setEnabled(False)
    widget = SyncStatusWidget(sync=sync, action=action)
    widget.layout().addWidget(_Retranslator(action, enrol_action, batch_action, reenrol_action))
    # Enrolling (a first time or again) decides the laptop's centre: only for those who manage the laptop
    # (access.check_enrol); hidden for everyone else, as This laptop's centre… is.
    enrolment = {"enrolled": False}

    def show_enrol_entries() -> None:
        allowed = controller.is_unlocked and _may_enrol(controller)
        for entry in (enrol_action, reenrol_action):
            entry.setVisible(allowed)
        enrol_action.setEnabled(allowed and not enrolment["enrolled"])
        reenrol_action.setEnabled(allowed and enrolment["enrolled"])

    def status_changed(status) -> None:
        enrolment["enrolled"] = bool(status.get("enrolled"))
        show_enrol_entries()

    sync.status_changed.connect(status_changed)
    sync.needs_enrolment.connect(lambda: _explain_enrolment(window, sync, widget, controller))
    controller.unlocked.connect(lambda _user: show_enrol_entries())
    show_enrol_entries()
    controller.locking.connect(lambda: (enrol_action.setEnabled(False), reenrol_action.setEnabled(False)))
    window.add_status_widget(widget)
    window.sync_status_widget = widget
    # Reload the list only when the run changed something: a quiet periodic run must not disturb the person's
    # scroll position or selection.
    sync.finished.connect(lambda summary: window.registrations_changed()
                          if summary.acknowledged or summary.pulled or summary.conflicts or summary.rejected
                          or summary.decided else None)
    return sync
