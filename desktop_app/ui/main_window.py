"""The main window: one stack of screens (setup, unlock, registrations, and whatever other areas
add), the menus, and a status bar with who is signed in, what is not yet synced, and the lock.

Extension points for other areas (see docs/ui.md): `add_page`/`show_page`, the
`registrations_menu` and `toolbar`, `add_status_widget`, the `new_registration_requested` and
`open_registration_requested` signals, `registrations_changed()` after a save or a sync, and the
controller's `locking` signal to drop personal data.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QMessageBox, QStackedWidget, QToolBar, QWidget

import desktop_app
from desktop_app.services import records, registrations
from desktop_app.services.session import Failure, SignedInUser
from desktop_app.ui.i18n import Translations
from desktop_app.ui.idle import IdleWatcher
from desktop_app.ui.registration_model import RegistrationListModel
from desktop_app.ui.registrations_page import RegistrationsPage
from desktop_app.ui.security_erase import EraseDialog
from desktop_app.ui.security_files import choose_folder
from desktop_app.ui.settings import AppSettings
from desktop_app.ui.settings_dialog import SettingsDialog
from desktop_app.ui.setup_page import ADMIN, SetupPage
from desktop_app.ui.status_user import FittingLabel, SignedInLabel
from desktop_app.ui.unlock_page import UnlockPage
from desktop_app.ui.vault_controller import VaultController


class ScreenStack(QStackedWidget):
    """The window's screens, one at a time, asking for the room of the screen on show only.

    A QStackedWidget asks for the room of its largest page, shown or not: once a wide screen had been seen (the
    review desk, a French case file), the window could never again be made narrower than it, and on a 1024x600
    netbook its right edge (Finalize, the lock state) went off the screen for every other screen too.
    """

    def __init__(self) -> None:
        super().__init__()
        self.currentChanged.connect(lambda _: self.updateGeometry())

    def minimumSizeHint(self) -> QSize:
        page = self.currentWidget()
        if page is None:
            return super().minimumSizeHint()
        return page.minimumSizeHint().expandedTo(page.minimumSize())

    def sizeHint(self) -> QSize:
        page = self.currentWidget()
        return super().sizeHint() if page is None else page.sizeHint()


class MainWindow(QMainWindow):
    new_registration_requested = Signal()
    open_registration_requested = Signal(str)  # record id
    counts_updated = Signal(int, int)  # total, unsynced
    about_to_lock = Signal()  # the vault is still open: queue last saves now (they run before the lock)
    draft_deleted = Signal(str)  # record id: a draft deleted from the list (a form open on it closes)

    def __init__(
        self,
        *,
        controller: VaultController,
        settings: AppSettings,
        translations: Translations,
        idle: IdleWatcher,
        page_size: int = 200,
    ) -> None:
        super().__init__()
        self.controller = controller
        self.settings = settings
        self.translations = translations
        self.idle = idle
        self._last_username = ""
        self.held: QWidget | None = None  # see hold()
        self.settings_dialog: SettingsDialog | None = None
        self.erase_dialog: EraseDialog | None = None
        self.delete_question: QMessageBox | None = None  # names the person: closed when the vault locks
        self._open_boxes: set[QMessageBox] = set()  # question and failure boxes of this window, closed at the lock
        # another area may hold changes the person must decide about before the window closes (an open form)
        self.close_guard: Callable[[], bool] | None = None
        # the record an open form edits, if any (the forms area sets it): the delete question says the form will close
        self.record_in_form: Callable[[], str | None] = lambda: None

        self.model = RegistrationListModel(page_size=page_size)
        self.setup_page = SetupPage()
        self.unlock_page = UnlockPage()
        self.registrations_page = RegistrationsPage(model=self.model)
        self.stack = ScreenStack()
        for page in (self.setup_page, self.unlock_page, self.registrations_page):
            self.stack.addWidget(page)
        self.setCentralWidget(self.stack)
        self._build_actions()
        self._build_status_bar()

        controller.busy_changed.connect(self._busy_changed)
        controller.migrating.connect(self.unlock_page.show_migration)
        controller.created.connect(self._created)
        controller.unlocked.connect(self._unlocked)
        controller.failed.connect(self._failed)
        controller.locking.connect(self._locking)
        controller.locked.connect(self._update_lock_state)
        controller.erased.connect(self._erased)
        idle.idle.connect(lambda: self.lock(reason="idle"))
        self.setup_page.location_chosen.connect(self._location_chosen)
        self.setup_page.create_requested.connect(
            lambda u, p: controller.create(admin_username=u, admin_passphrase=p)
        )
        self.setup_page.finished.connect(self._setup_finished)
        self.unlock_page.unlock_requested.connect(lambda u, p: controller.unlock(username=u, passphrase=p))
        self.unlock_page.other_folder_requested.connect(self._ask_for_other_folder)
        self.unlock_page.recovery_requested.connect(lambda code: controller.unlock_with_recovery(recovery_code=code))
        self.unlock_page.erase_requested.connect(
            lambda u, p, word: controller.erase(username=u, passphrase=p, confirmation=word))
        # Enter or double-click on a row: the case file area routes people to their case file (casefile_area.py)
        self.open_from_list = self.open_registration_requested.emit
        self.registrations_page.open_requested.connect(lambda record_id: self.open_from_list(record_id))

        geometry = settings.window_geometry
        if geometry is None or not self.restoreGeometry(geometry):
            self._default_size()
        self.retranslate()
        self.start()

    def _default_size(self) -> None:
        # Field laptops often have 1366x768 screens: never open larger than the screen.
        available = self.screen().availableGeometry()
        self.resize(min(1100, int(available.width() * 0.95)), min(720, int(available.height() * 0.9)))

    # --- screens ---------------------------------------------------------------------------
    def start(self) -> None:
        """Show setup on a first run, the unlock screen otherwise."""
        if self.controller.vault_exists():
            self.show_unlock()
        else:
            self.setup_page.prepare(default_location=str(self.controller.vault_path))
            self.show_page(self.setup_page)

    def sign_in_again(self, username: str, *, notice: Callable[[], str]) -> None:
        """Lock and show the sign-in screen for `username` (after the recovery code set their passphrase)."""
        self.lock()
        self._last_username = username
        self.show_unlock(notice=notice)

    def show_unlock(self, *, notice: Callable[[], str] | None = None) -> None:
        """The sign-in screen; `notice` says its sentence (it is said again when the language switches)."""
        self.unlock_page.prepare(
            vault_path=str(self.controller.vault_path), username=self._last_username, notice=notice
        )
        self.show_page(self.unlock_page)

    def add_page(self, page: QWidget) -> None:
        """Let another area (forms, sync, reports) put a full screen into the window."""
        self.stack.addWidget(page)

    def show_page(self, page: QWidget) -> None:
        if page not in (self.setup_page, self.unlock_page) and not self.controller.is_unlocked:
            raise RuntimeError("personal screens only show while the vault is unlocked")
        if self.held is not None and page not in (self.held, self.setup_page, self.unlock_page):
            return  # a step the person must finish first (a new passphrase after a reset): nothing else shows
        self.stack.setCurrentWidget(page)
        # back from a form or a case file, whose focused control is gone: the keys go on in the list, not to the
        # status bar's Sync now (where Qt put the focus: the next Enter started a sync)
        focus = QApplication.focusWidget()
        if page is self.registrations_page and not (focus is not None and page.isAncestorOf(focus)):
            self.registrations_page.search.setFocus(Qt.FocusReason.OtherFocusReason)

    def hold(self, page: QWidget) -> None:
        """Show `page` and nothing else until `release()` (or a lock): the person must finish it first."""
        self.held = None
        self.show_page(page)
        self.held = page
        self._update_lock_state()

    def release(self) -> None:
        self.held = None
        self._update_lock_state()

    def show_registrations(self) -> None:
        self.show_page(self.registrations_page)

    def add_status_widget(self, widget: QWidget) -> None:
        """A permanent status-bar widget, placed before the lock state (which stays rightmost)."""
        # Qt counts the index across the whole bar: after the two normal labels (user, counts).
        self.statusBar().insertPermanentWidget(2 + self._status_widgets, widget)
        self._status_widgets += 1

    # --- setup -----------------------------------------------------------------------------
    def _location_chosen(self, folder: str) -> None:
        self.controller.set_vault_path(Path(folder))
        self.settings.last_vault_path = Path(folder)
        if self.controller.vault_exists():
            self.show_unlock(notice=lambda: self.tr("A vault already exists in this folder. Sign in to open it."))
        else:
            self.setup_page.show_step(ADMIN)

    def _ask_for_other_folder(self) -> None:
        choose_folder(self, self.tr("Choose the vault folder"), str(self.controller.vault_path.parent),
                      lambda folder: self.choose_vault_folder(Path(folder)))

    def choose_vault_folder(self, folder: Path) -> None:
        """Open the vault in another folder; offer setup if there is none there yet."""
        if self.controller.is_unlocked or self.controller.is_busy:
            return
        self.controller.set_vault_path(folder)
        self.settings.last_vault_path = folder
        if self.controller.vault_exists():
            self.show_unlock()
        else:
            self.setup_page.prepare(default_location=str(folder))
            self.show_page(self.setup_page)

    def _created(self, created) -> None:
        self.settings.last_vault_path = self.controller.vault_path
        self._last_username = created.user.username
        self.setup_page.show_recovery_code(created.recovery_code)

    def _setup_finished(self, username: str) -> None:
        self._last_username = username
        self.show_unlock(notice=lambda: self.tr("The vault is ready. Sign in with the passphrase you just chose."))

    # --- unlock and lock -------------------------------------------------------------------
    def _busy_changed(self, busy: bool) -> None:
        self.setup_page.set_busy(busy)
        self.unlock_page.set_busy(busy)

    def _failed(self, failure: Failure) -> None:
        if self.erase_dialog is not None:
            self.erase_dialog.panel.show_failure(failure)
        elif self.stack.currentWidget() is self.setup_page:
            self.setup_page.show_failure(failure)
        else:
            self.unlock_page.show_failure(failure)

    def _unlocked(self, user: SignedInUser) -> None:
        # Kept in memory only (never in settings) to prefill the unlock screen after a lock.
        self._last_username = user.username if user.role != "recovery" and user.username != "recovery" else ""
        self.unlock_page.clear_secrets()
        self.unlock_page.stop_timers()
        self.model.set_source(self._fetch_page)
        self.show_registrations()
        self.registrations_page.reload()
        self.refresh_counts()
        self.idle.arm()
        self._update_lock_state()
        self.registrations_page.search.setFocus()

    def lock(self, *, reason: str = "") -> None:
        """Lock now (menu, Ctrl+L, idle timer with reason "idle", closing the window)."""
        self._lock_reason = reason
        if self.controller.is_unlocked:
            self.about_to_lock.emit()
        self.controller.lock()

    def _locking(self) -> None:
        self.held = None
        self.idle.disarm()
        if self.settings_dialog is not None:
            self.settings_dialog.reject()
        if self.erase_dialog is not None:
            self.erase_dialog.reject()
        for box in list(self._open_boxes):  # "Delete the draft “<name>”?" must not stay over the sign-in screen
            box.reject()
        self.registrations_page.clear()
        self.model.set_source(None)
        self._counts = None
        idle, minutes = getattr(self, "_lock_reason", "") == "idle", self.settings.idle_minutes

        def notice() -> str:
            if idle:
                return self.tr("The vault locked itself after %n minute(s) without use, to protect the records. "
                               "Sign in to continue.", "", minutes)
            return self.tr("The vault is locked.")

        self._lock_reason = ""
        self.show_unlock(notice=notice)
        self._update_lock_state()

    # --- emergency erase -------------------------------------------------------------------
    def open_erase_dialog(self) -> None:
        dialog = EraseDialog(self)
        dialog.panel.erase_requested.connect(lambda _u, _p, word: self.controller.erase_open(confirmation=word))
        dialog.finished.connect(lambda _: self._erase_dialog_closed(dialog))
        self.erase_dialog = dialog
        dialog.open()

    def _erase_dialog_closed(self, dialog: EraseDialog) -> None:
        if self.erase_dialog is dialog:
            self.erase_dialog = None
        dialog.deleteLater()

    def _erased(self, _erased: object) -> None:
        """The vault is gone: back to setup, saying so."""
        self._last_username = ""
        self.unlock_page.clear_secrets()
        self.setup_page.prepare(default_location=str(self.controller.vault_path))
        self.show_page(self.setup_page)
        self.setup_page.show_error(self.tr("The vault was erased. Nothing of it is left on this computer."))
        self._update_lock_state()

    # --- data ------------------------------------------------------------------------------
    def _fetch_page(self, offset, limit, search, deliver, fail) -> None:
        task = self.controller.run_with_vault(
            lambda vault, state: registrations.list_page(vault, offset=offset, limit=limit, search=search),
            name="db:list-page",
        )
        task.succeeded.connect(deliver)
        task.failed.connect(fail)

    def refresh_counts(self) -> None:
        if not self.controller.is_unlocked:
            return
        session_number = self.controller.session_number
        task = self.controller.run_with_vault(lambda vault, state: registrations.list_counts(vault), name="db:counts")
        task.succeeded.connect(lambda counts: self._counts_arrived(session_number, counts))

    def _counts_arrived(self, session_number: int, counts: registrations.ListCounts) -> None:
        if session_number != self.controller.session_number:
            return  # the vault was locked meanwhile
        self._counts = counts
        self._update_lock_state()
        self.counts_updated.emit(counts.total, counts.unsynced)

    def registrations_changed(self) -> None:
        """Call after a registration is saved or a sync changed records: reload list and counts."""
        if self.controller.is_unlocked:
            self.registrations_page.reload()
            self.refresh_counts()

    def focus_search(self) -> None:
        if self.controller.is_unlocked:
            self.show_registrations()
            self.registrations_page.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.registrations_page.search.selectAll()

    def delete_selected_draft(self) -> None:
        """Delete (after a question) the draft selected in the list; a finalized registration is not deleted here."""
        index = self.registrations_page.table.currentIndex()
        if not self.controller.is_unlocked or not index.isValid():
            return
        row = self.model.row_at(index.row())
        title = row.title or self.tr("(no name)")
        if row.status != "draft":
            text = self.tr("“%1” is finalized. Only drafts can be deleted here: a finalized registration stays in "
                           "the person's history.").replace("%1", title)
            buttons = QMessageBox.StandardButton.Ok
        else:
            text = self.tr("Delete the draft “%1” (%2)? It cannot be brought back.").replace("%1", title) \
                .replace("%2", row.short_id)
            if row.record_id == self.record_in_form():
                text += "\n\n" + self.tr("It is open in the form: deleting it closes the form, and nothing typed "
                                          "there is kept.")
            buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Delete draft"), text, buttons, self)
        box.setObjectName("deleteDraftQuestion")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if row.status == "draft":
            box.setDefaultButton(QMessageBox.StandardButton.No)  # the safe answer is the default one
            box.buttonClicked.connect(lambda button: self._delete_draft(row.record_id)
                                      if box.standardButton(button) == QMessageBox.StandardButton.Yes else None)
        self.delete_question = box
        self._open_box(box)  # window-modal, without a nested event loop

    def _delete_draft(self, record_id: str) -> None:
        task = self.controller.run_with_vault(lambda vault, state: records.delete_draft(vault, record_id),
                                              name="db:delete-draft")
        task.succeeded.connect(lambda _: self._draft_deleted(record_id))
        task.failed.connect(self._delete_failed)

    def _draft_deleted(self, record_id: str) -> None:
        self.draft_deleted.emit(record_id)  # first: a form open on it stops saving before anything else runs
        self.registrations_changed()

    def _delete_failed(self, error: BaseException) -> None:
        if isinstance(error, records.RecordAlreadyDeleted):
            # deleted meanwhile (another window, a deletion sync brought): what the person asked is done already
            self.draft_deleted.emit(error.record_id)  # a form still open on it closes, saying so
            box = QMessageBox(QMessageBox.Icon.Information, self.tr("Delete draft"),
                              self.tr("This draft was deleted already (in another window, or by a deletion sync "
                                      "brought). Nothing was changed."), QMessageBox.StandardButton.Ok, self)
            box.setObjectName("draftDeletedAlready")
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self._open_box(box)
            self.registrations_changed()
            return
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Delete draft"),
                          self.tr("The draft could not be deleted; nothing was changed.") + "\n\n" + str(error),
                          QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._open_box(box)
        self.registrations_changed()

    def _open_box(self, box: QMessageBox) -> None:
        self._open_boxes.add(box)
        box.finished.connect(lambda _result: self._box_closed(box))
        box.open()

    def _box_closed(self, box: QMessageBox) -> None:
        self._open_boxes.discard(box)
        if self.delete_question is box:
            self.delete_question = None

    # --- menus and status bar --------------------------------------------------------------
    def _build_actions(self) -> None:
        self.new_action = QAction(self, shortcut=QKeySequence.StandardKey.New)
        self.new_action.triggered.connect(self.new_registration_requested.emit)
        self.list_action = QAction(self, shortcut=QKeySequence("Ctrl+1"))
        self.list_action.triggered.connect(self.show_registrations)
        self.lock_action = QAction(self, shortcut=QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lock)
        self.settings_action = QAction(self)
        self.settings_action.triggered.connect(self.open_settings)
        self.erase_action = QAction(self)
        self.erase_action.triggered.connect(self.open_erase_dialog)
        self.quit_action = QAction(self, shortcut=QKeySequence("Ctrl+Q"))
        self.quit_action.triggered.connect(self.close)
        self.about_action = QAction(self)
        self.about_action.triggered.connect(self._about)
        # Delete on a row of the list (not in the search box): only drafts, and only after a question
        self.delete_action = QAction(self, shortcut=QKeySequence(QKeySequence.StandardKey.Delete))
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.delete_action.triggered.connect(self.delete_selected_draft)
        self.registrations_page.table.addAction(self.delete_action)
        self.search_action = QAction(self, shortcut=QKeySequence(QKeySequence.StandardKey.Find))
        self.search_action.triggered.connect(self.focus_search)
        self.language_group = QActionGroup(self)
        self.language_actions: dict[str, QAction] = {}
        for code, name in (("en", "English"), ("fr", "Français")):
            action = QAction(name, self, checkable=True)  # each language named in itself
            action.setData(code)
            action.triggered.connect(lambda _=False, c=code: self.set_language(c))
            self.language_group.addAction(action)
            self.language_actions[code] = action
        self.language_actions.get(self.translations.language, self.language_actions["en"]).setChecked(True)

        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        self.file_menu.addAction(self.lock_action)
        self.file_menu.addAction(self.settings_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.erase_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        self.registrations_menu = bar.addMenu("")
        self.registrations_menu.addAction(self.new_action)
        self.registrations_menu.addAction(self.list_action)
        self.registrations_menu.addAction(self.search_action)
        self.registrations_menu.addAction(self.delete_action)
        self.language_menu = bar.addMenu("")
        for action in self.language_actions.values():
            self.language_menu.addAction(action)
        self.help_menu = bar.addMenu("")
        self.help_menu.addAction(self.about_action)
        self.toolbar = QToolBar(objectName="mainToolbar", movable=False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.addAction(self.new_action)
        self.toolbar.addAction(self.list_action)
        self.toolbar.addAction(self.lock_action)
        self.addToolBar(self.toolbar)

    def _build_status_bar(self) -> None:
        self._counts: registrations.ListCounts | None = None
        self._status_widgets = 0
        self.user_label = SignedInLabel()
        self.unsynced_label = FittingLabel(objectName="statusUnsynced")
        self.lock_label = QLabel(objectName="statusLock")
        status = self.statusBar()
        status.setSizeGripEnabled(False)
        status.addWidget(self.user_label)
        status.addWidget(self.unsynced_label)
        status.addPermanentWidget(self.lock_label)
        self.user_label.setContentsMargins(6, 0, 12, 0)
        self.lock_label.setContentsMargins(12, 0, 12, 0)

    def _update_lock_state(self) -> None:
        unlocked = self.controller.is_unlocked
        user = self.controller.user
        for action in (self.new_action, self.list_action, self.lock_action, self.erase_action, self.search_action,
                       self.delete_action):
            action.setEnabled(unlocked and (self.held is None or action is self.lock_action))
        self.toolbar.setVisible(unlocked)
        if unlocked and user is not None:
            self.user_label.show_user(user.username, user.roles or (user.role,))
            self.lock_label.setText(self.tr("Unlocked"))
            self.lock_label.setProperty("locked", False)
        else:
            self.user_label.clear_user()
            self.lock_label.setText(self.tr("Locked"))
            self.lock_label.setProperty("locked", True)
        self.lock_label.style().unpolish(self.lock_label)
        self.lock_label.style().polish(self.lock_label)
        if unlocked and self._counts is not None:
            self.unsynced_label.show_choices(self._count_wordings(self._counts))
        else:
            self.unsynced_label.show_choices([])

    def _count_wordings(self, counts: registrations.ListCounts) -> list[str]:
        """The counts, longest first (the status bar shows the longest that fits). Drafts are said apart, in every
        length: they never sync until finalized, so "0 not yet synced" alone read as "everything is sent" while a
        half-done registration was kept only on this laptop."""
        unsynced = self.tr("%n not yet synced", "", counts.unsynced)
        total = self.tr("%n in total", "", counts.total)
        incomplete = [self.tr("%n incomplete (files missing)", "", counts.incomplete)] if counts.incomplete else []
        if not counts.drafts:
            return [" · ".join([unsynced, total, *incomplete]), " · ".join([unsynced, *incomplete])]
        kept = self.tr("%n draft(s) kept here until finalized", "", counts.drafts)
        kept_short = self.tr("%n draft(s) kept here", "", counts.drafts)
        return [" · ".join([unsynced, kept, total, *incomplete]), " · ".join([unsynced, kept_short, total, *incomplete]),
                " · ".join([unsynced, kept_short, *incomplete])]

    # --- settings and language -------------------------------------------------------------
    def open_settings(self) -> None:
        dialog = SettingsDialog(
            idle_minutes=self.settings.idle_minutes, language=self.translations.language, parent=self
        )
        dialog.accepted.connect(lambda: self._apply_settings(dialog))
        dialog.finished.connect(lambda _: self._settings_closed(dialog))
        self.settings_dialog = dialog
        dialog.open()  # window-modal, without a nested event loop

    def _apply_settings(self, dialog: SettingsDialog) -> None:
        self.settings.idle_minutes = dialog.chosen_idle_minutes
        self.idle.set_minutes(dialog.chosen_idle_minutes)
        if dialog.chosen_language != self.translations.language:
            self.set_language(dialog.chosen_language)

    def _settings_closed(self, dialog: SettingsDialog) -> None:
        if self.settings_dialog is dialog:
            self.settings_dialog = None
        dialog.deleteLater()

    def set_language(self, language: str) -> None:
        self.translations.switch(language)
        self.settings.language = language
        self.language_actions[language].setChecked(True)

    def _about(self) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Information,
            self.tr("About Waypoint"),
            self.tr("Waypoint %1").replace("%1", desktop_app.__version__) + "\n\n" + self.tr(
                "Waypoint registers people assisted at transit centres. Every record is encrypted on this "
                "computer and locks when you step away."
            ),
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Waypoint"))
        self.file_menu.setTitle(self.tr("&File"))
        self.registrations_menu.setTitle(self.tr("&Registrations"))
        self.language_menu.setTitle(self.tr("&Language"))
        self.help_menu.setTitle(self.tr("&Help"))
        self.new_action.setText(self.tr("&New registration"))
        self.list_action.setText(self.tr("Registration &list"))
        self.lock_action.setText(self.tr("&Lock"))
        self.lock_action.setToolTip(self.tr("Lock the vault now (Ctrl+L)"))
        self.new_action.setToolTip(self.tr("Start a new registration (Ctrl+N)"))
        self.list_action.setToolTip(self.tr("Back to the registration list (Ctrl+1)"))
        self.search_action.setText(self.tr("&Search…"))
        self.search_action.setToolTip(self.tr("Search the list by name or ID (Ctrl+F)"))
        self.delete_action.setText(self.tr("&Delete draft"))
        self.delete_action.setToolTip(self.tr("Delete the selected draft (Delete); finalized registrations stay"))
        self.settings_action.setText(self.tr("&Settings…"))
        self.erase_action.setText(self.tr("&Erase this vault…"))
        self.quit_action.setText(self.tr("&Quit"))
        self.about_action.setText(self.tr("&About Waypoint"))
        self._update_lock_state()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.close_guard is not None and not self.close_guard():
            event.ignore()  # the form asks first; the window closes once the person has chosen
            return
        self.settings.window_geometry = self.saveGeometry()
        self.settings.sync()
        self.lock()
        super().closeEvent(event)
