"""The forms area of the main window: "New registration" (choose a form, then fill it) and opening
a record from the list with the form version it was made with.

Hooked in by the composition root with `FormsArea(window=..., controller=...)`. It only uses the
window's extension points (add_page/show_page, new_registration_requested,
open_registration_requested, registrations_changed) and the controller's run_with_vault/locking.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.services import casefile, forms, places, records
from desktop_app.ui import labels
from desktop_app.ui.forms.closing import CANCEL
from desktop_app.ui.forms.screen import FormScreen, OpenedForm
from desktop_app.ui.forms.view import Restrictions
from waypoint_core.xform import FormDefinition, form_closed, form_opened


class FormChooserPage(QWidget):
    """Which form to fill: the installed forms, newest version of each, by title."""

    chosen = Signal(str)  # form id
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("formChooser")
        self.heading = QLabel(objectName="pageHeading")
        self.explain = QLabel(objectName="hint", wordWrap=True)
        self.list = QListWidget()
        self.list.itemActivated.connect(lambda item: self.chosen.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.problem = QLabel(objectName="error", wordWrap=True)
        self.problem.hide()
        self.open_button = QPushButton(objectName="primary")
        self.cancel_button = QPushButton()
        self.open_button.clicked.connect(self._open_current)
        self.cancel_button.clicked.connect(self.cancelled.emit)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.cancelled.emit,  # back, as on every other screen
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.explain)
        layout.addWidget(self.problem)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self.retranslate()

    def set_forms(self, installed) -> None:
        latest: dict[str, object] = {}
        for form in installed:
            if form.form_id not in latest or form.version > latest[form.form_id].version:
                latest[form.form_id] = form
        self.list.clear()
        self._forms = sorted(latest.values(), key=lambda f: (f.form_id != "waypoint_migrant_registration", f.title))
        for form in self._forms:
            item = QListWidgetItem(labels.form_title(form.title) if form.title else form.form_id, self.list)
            item.setData(Qt.ItemDataRole.UserRole, form.form_id)
            item.setToolTip(f"{form.form_id} · {form.version}")
        self.problem.setVisible(not latest)
        self.open_button.setEnabled(bool(latest))
        if latest:
            self.list.setCurrentRow(0)
        self.list.setFocus()

    def _open_current(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.chosen.emit(item.data(Qt.ItemDataRole.UserRole))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        for row, form in enumerate(getattr(self, "_forms", [])):
            if self.list.item(row) is not None and form.title:
                self.list.item(row).setText(labels.form_title(form.title))
        self.heading.setText(self.tr("New registration"))
        self.explain.setText(self.tr("Choose the form to fill in, then press Enter. Assistance and referrals are "
                                     "added from the person's case file: Find a person (Ctrl+Shift+F), then Enter."))
        self.problem.setText(self.tr("No form is installed in this vault. Ask a coordinator to add one."))
        self.open_button.setText(self.tr("&Open form"))
        self.cancel_button.setText(self.tr("Cancel"))


@dataclass(frozen=True)
class Resume:
    """Where the person was when the vault locked (in memory only: ids and positions, no answer)."""

    form_id: str
    record_id: str
    saved: bool  # the record is in the vault (else: a new, untouched form is opened again)
    page: int
    focus_ref: str | None
    kept_as_draft: bool  # a finalized record's changes could not stay finalized and were kept as a draft
    notice: str = ""  # a sentence to show above the reopened form (a change merged from another laptop)
    person: str | None = None  # the registration number a new event or referral names (from the case file)
    username: str = ""  # whose form it was: only they are put back in it


class FormsArea(QObject):
    """Owns the chooser and the one form screen open at a time."""

    screen_opened = Signal(object)  # FormScreen
    failed = Signal(str)

    def __init__(self, *, window, controller, ui_language=lambda: "en") -> None:
        super().__init__(window)
        self.window = window
        self.controller = controller
        self._ui_language = ui_language
        self.screen: FormScreen | None = None
        self._definitions: dict[tuple[str, str], FormDefinition] = {}  # parsed once per version
        self._resume: Resume | None = None
        # forms left open by others at a lock, by username: put back when that person signs in again, never opened
        # in front of someone else (who would type their person's answers into another person's half-done record)
        self._waiting: dict[str, Resume] = {}
        self._close_window_after = False  # the window's close button waits for the form's question
        self.return_to: QWidget | None = None  # the screen a form opened from (a case file) goes back to
        self._pinned: tuple[str, ...] = ()  # the open form's person questions, given and not retypable
        self.chooser = FormChooserPage()
        window.add_page(self.chooser)
        self.chooser.chosen.connect(self.start_new)
        self.chooser.cancelled.connect(window.show_registrations)
        window.new_registration_requested.connect(self.choose_form)
        window.open_registration_requested.connect(self.open_record)
        window.close_guard = self._may_close_window
        self._build_menu()
        self.menu.installEventFilter(self)  # the menu is a widget: it receives LanguageChange
        controller.locking.connect(self._locking)
        controller.unlocked.connect(self._unlocked)
        self.failed.connect(self._show_failure)
        window.about_to_lock.connect(self._before_lock)
        # the counts are refreshed after every save and every sync that changed records: the open form then
        # checks whether its record changed under it (a change pulled from another laptop)
        window.counts_updated.connect(lambda *_: self.screen.check_stored_version() if self.screen else None)
        # a draft deleted from the list while it is open here: the form stops saving and closes, saying so
        window.draft_deleted.connect(self._deleted_from_list)
        window.record_in_form = lambda: self.screen.record_id if self.screen is not None else None
        self.deleted_notice: QMessageBox | None = None  # "this draft was deleted…": closed when the vault locks

    def _build_menu(self) -> None:
        """The form's commands in a menu too, each with its key (the keys themselves are the screen's: a second
        binding of the same key would be ambiguous), enabled while a form is on screen."""
        bar = self.window.menuBar()
        self.menu = QMenu(self.window)
        bar.insertMenu(self.window.language_menu.menuAction(), self.menu)
        self.menu_actions = {}
        for name, call in (("save", lambda s: s.save_as_draft()), ("finalize", lambda s: s.finalize()),
                           ("next", lambda s: s.view.next_page()), ("previous", lambda s: s.view.previous_page()),
                           ("close", lambda s: s.close_form())):
            action = self.menu.addAction("")
            action.triggered.connect(lambda _=False, c=call: c(self.screen) if self._screen_on_top() else None)
            self.menu_actions[name] = action
        self.window.stack.currentChanged.connect(lambda _: self._update_menu())
        self.retranslate_menu()
        self._update_menu()

    def _screen_on_top(self) -> bool:
        return self.screen is not None and self.window.stack.currentWidget() is self.screen

    def _update_menu(self) -> None:
        on = self._screen_on_top()
        self.menu.menuAction().setVisible(on)
        read_only = on and self.screen is not None and self.screen.read_only  # a purged record: nothing to save
        for name, action in self.menu_actions.items():
            action.setEnabled(on and not (read_only and name in ("save", "finalize")))

    def retranslate_menu(self) -> None:
        self.menu.setTitle(self.tr("F&orm"))
        words = {"save": self.tr("&Save as draft") + "\tCtrl+S", "finalize": self.tr("&Finalize") + "\tCtrl+Enter",
                 "next": self.tr("&Next page") + "\t" + self.tr("Page Down"),
                 "previous": self.tr("&Previous page") + "\t" + self.tr("Page Up"),
                 "close": self.tr("&Close the form") + "\t" + self.tr("Esc")}
        for name, text in words.items():
            self.menu_actions[name].setText(text)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_menu()
        return False

    def _unlocked(self, user) -> None:
        # at every unlock: a new app version brings its forms, and records pulled by sync open with them
        task = self.controller.run_with_vault(lambda vault, state: forms.install_shipped_forms(vault),
                                              name="db:install-shipped-forms")
        task.succeeded.connect(lambda added: self.window.registrations_changed() if added else None)
        username = getattr(user, "username", "")
        if self._resume is not None and self._resume.username != username:
            self._waiting[self._resume.username] = self._resume  # another person's form: kept for them
            self._resume = None
        if self._resume is None:
            self._resume = self._waiting.pop(username, None)
        resume = self._resume
        if resume is not None:  # back where the person was before the lock
            self._reopen_after_lock(resume.record_id) if resume.saved else self.start_new(resume.form_id,
                                                                                           person=resume.person)

    def _reopen_after_lock(self, record_id: str) -> None:
        """The record the form had open at the lock, opened again (for the person who left it: `_unlocked`), unless
        it was deleted meanwhile (another person signed in here, a deletion sync brought): then a box says so. One
        the retention period purged meanwhile is opened again read-only, where the person was, a sentence above it
        saying what happened: what it keeps is still worth seeing, as when it is opened from the list."""
        session_number = self.controller.session_number
        task = self.controller.run_with_vault(lambda vault, state: records.stored_version(vault, record_id),
                                              name="db:resume-form")
        task.succeeded.connect(lambda stored: self._resume_checked(session_number, record_id, stored))
        task.failed.connect(lambda error: self.failed.emit(str(error)))

    def _resume_checked(self, session_number: int, record_id: str, stored) -> None:
        if session_number != self.controller.session_number:
            return  # locked again meanwhile: the next unlock tries again
        if stored is not None and not stored.deleted and not stored.purged:
            self.open_record(record_id)
            return
        if stored is not None and stored.purged:
            # opened read-only (OpenedForm.purged); _put_back puts the person back and shows the notice above it
            if self._resume is not None:
                self._resume = replace(self._resume, notice=self.tr(
                    "While the laptop was locked, the retention rule removed this person's identifying data from "
                    "this laptop. The form is open again where you were, read-only: it cannot be edited here. Nothing "
                    "else was lost."))
            self.open_record(record_id)
            return
        self._resume = None
        text = self.tr("The record that was open in the form was deleted while the laptop was locked (by "
                       "someone else signed in here, or by a deletion sync brought), so the form was not opened "
                       "again. Nothing else was lost.")
        self._say_closed(text)

    def choose_form(self) -> None:
        if self.screen is not None:  # one record at a time: go back to it
            self.window.show_page(self.screen)
            return
        def work(vault, state):
            # shipped forms come with the app: a new app version brings its new form versions
            forms.install_shipped_forms(vault)
            # events and referrals start from the person's case file: no registration number is typed
            return [f for f in forms.creatable_forms(vault)
                    if not casefile.form_names_a_person(vault, f.form_id, f.version)]

        task = self.controller.run_with_vault(work, name="db:list-forms")
        task.succeeded.connect(self._forms_listed)
        task.failed.connect(lambda error: self.failed.emit(str(error)))

    def _forms_listed(self, installed) -> None:
        if not self.controller.is_unlocked:
            return
        self.chooser.set_forms(installed)
        self.window.show_page(self.chooser)

    def start_new(self, form_id: str, *, person: str | None = None, notice: str = "") -> None:
        """A new record of this form; `person`: the registration it names (from the person's case file), shown in
        the form and not retypable; `notice`: a sentence above the form (whom it is for)."""
        cache = self._definitions

        def work(vault, state):
            form = forms.open_new_record_form(vault, form_id)
            key = (form.form_id, form.version)
            definition = cache.get(key) or FormDefinition.from_xml(form.xform)
            # this laptop's country and centre answer the questions the form marks wp:device
            defaults = places.form_defaults(definition, places.get_place(vault))
            pinned = casefile.link_defaults(definition, person) if person else {}
            defaults.update(pinned)
            view = records.sensitive_view(vault, form.form_id, form.version)
            # a follow-up form reads the entities registrations made (this laptop's and those sync brought)
            return (OpenedForm.new(definition, form_id=form.form_id, form_version=form.version,
                                   restrictions=Restrictions(view.sensitive, {}, view.may_read),
                                   entities=records.entity_lists_for(vault, definition)),
                    _metadata(vault), defaults, tuple(pinned), notice)

        self._load(work)

    def open_record(self, record_id: str) -> None:
        if self.screen is not None and self.screen.record_id == record_id:
            self.window.show_page(self.screen)
            return
        cache = self._definitions

        def work(vault, state):
            reopened = records.reopen(vault, record_id)
            stored = records.stored_version(vault, record_id)
            rec = reopened.record
            definition = cache.get((rec.form_id, rec.form_version)) or reopened.definition
            restrictions = Restrictions(reopened.sensitive, reopened.restricted, reopened.may_read_sensitive)
            # the person an event or referral names stays as given (an empty answer can still be given)
            pinned = tuple(casefile.link_defaults(definition, rec.record_id))
            return (OpenedForm(definition, rec.form_id, rec.form_version, rec.record_id, rec.content, rec.status,
                               restrictions, entities=reopened.entities, base=reopened.base,
                               # purged by the retention period: shown read-only, never saved (screen.py)
                               purged=stored is not None and stored.purged), _metadata(vault), {}, pinned)

        self._load(work)

    def _load(self, work) -> None:
        session_number = self.controller.session_number
        task = self.controller.run_with_vault(work, name="db:open-form")
        task.succeeded.connect(lambda result: self._show(session_number, *result))
        task.failed.connect(lambda error: self.failed.emit(str(error)))

    def _show(self, session_number: int, opened: OpenedForm, metadata: dict[str, str],
              defaults: dict[str, str], pinned: tuple[str, ...] = (), notice: str = "") -> None:
        if session_number != self.controller.session_number:
            return  # locked meanwhile: nothing personal may appear
        self._definitions[(opened.form_id, opened.form_version)] = opened.definition
        if self.screen is not None:
            self._drop_screen()
        screen = FormScreen(opened=opened, run_with_vault=self.controller.run_with_vault, metadata=metadata,
                            ui_language=self._ui_language(), defaults=defaults)
        screen.saved.connect(lambda _: self.window.registrations_changed())
        screen.finalized.connect(lambda _: self._leave(screen))
        screen.close_requested.connect(lambda: self._leave(screen))
        screen.reload_requested.connect(lambda notice: self._reload(screen, notice))
        screen.record_deleted.connect(lambda text: self._record_deleted(screen, text))
        self._pinned = tuple(ref for ref in pinned if screen.session.value(ref))
        for ref in self._pinned:
            screen.view.field(ref).pin()
        if notice:
            screen.show_notice(notice)
        self.screen = screen
        self.window.add_page(screen)
        self.window.show_page(screen)
        resume, self._resume = self._resume, None
        if resume is not None and resume.form_id == opened.form_id:
            self._put_back(screen, resume)
        else:
            screen.view.focus_first_field()
        self.screen_opened.emit(screen)
        # the form is built and shown: one collection now, then the heap frozen while the person fills it, so no
        # full collection walks the app and the form inside an answer (waypoint_core/xform/heap.py)
        form_opened()

    def _put_back(self, screen: FormScreen, resume: Resume) -> None:
        view = screen.view
        if 0 <= resume.page < len(view.pages) and view.pages[resume.page].relevant:
            view.go_to_page(resume.page)
        try:
            target = view.field(resume.focus_ref) if resume.focus_ref else None
        except KeyError:
            target = None
        view.focus_field(target) if target is not None and target.isVisibleTo(view) else view.focus_first_field()
        if resume.notice:
            screen.show_notice(resume.notice)
        if resume.kept_as_draft:
            screen.show_notice(self.tr("The vault locked while you were changing this finalized record. Your "
                                       "changes were kept as a draft; the finalized version is in its history. "
                                       "Finalize to make them final, or Close → Discard changes."))

    def _reload(self, screen: FormScreen, notice: str) -> None:
        """Reopen the record on what is stored now (a newer version from another laptop, or a merged save), at the
        same page, with `notice` above it."""
        if screen is not self.screen or not self.controller.is_unlocked:
            return
        self._resume = Resume(form_id=screen.opened.form_id, record_id=screen.record_id, saved=True,
                              page=screen.view.current, focus_ref=None, kept_as_draft=False, notice=notice,
                              username=self._username())
        self._drop_screen()
        self.open_record(screen.record_id)

    def _deleted_from_list(self, record_id: str) -> None:
        screen = self.screen
        if screen is not None and screen.record_id == record_id:
            screen.stop_for_deletion()

    def _record_deleted(self, screen: FormScreen, text: str) -> None:
        """The form's record was deleted while it was open: the form is closed (it saves nothing more) and a box
        says so, in words that name no one."""
        if screen is not self.screen or not self.controller.is_unlocked:
            return
        self._leave(screen)
        self._say_closed(text)

    def _say_closed(self, text: str) -> None:
        """The box that says why a form was closed (or not opened again): one at a time, closed at the lock."""
        if self.deleted_notice is not None:
            self.deleted_notice.close()
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("Form closed"), text, QMessageBox.StandardButton.Ok,
                          self.window)
        box.setObjectName("recordDeletedNotice")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _: setattr(self, "deleted_notice", None) if self.deleted_notice is box else None)
        self.deleted_notice = box
        box.open()  # window-modal, without a nested event loop

    def _leave(self, screen: FormScreen) -> None:
        if screen is self.screen:
            self._drop_screen()
            back, self.return_to = self.return_to, None
            if back is not None and self.window.stack.indexOf(back) >= 0:
                self.window.show_page(back)
            else:
                self.window.show_registrations()
            self.window.registrations_changed()
            if self._close_window_after:
                self._close_window_after = False
                QTimer.singleShot(0, self.window.close)

    def _drop_screen(self) -> None:
        screen, self.screen = self.screen, None
        if self.controller.is_unlocked:
            screen.save_before_lock()  # another record replaces it: its last changes are queued first
        self.window.stack.removeWidget(screen)
        screen.discard()
        form_closed()  # thaw and collect now, at the change of screen, not inside what the person does next

    def _may_close_window(self) -> bool:
        """Closing the window with a form that has changes asks first, as the form's Close does."""
        screen = self.screen
        if screen is None or not self.controller.is_unlocked or not screen.has_changes():
            return True
        self.window.show_page(screen)
        screen.close_form()
        if screen.question is not None:
            self._close_window_after = True
            screen.question.chosen.connect(lambda choice: setattr(self, "_close_window_after", choice != CANCEL))
        return False

    def _show_failure(self, detail: str) -> None:
        if not self.controller.is_unlocked:
            return
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("The form could not be opened"),
                          self.tr("The form could not be opened. Nothing was changed.") + "\n\n" + detail,
                          QMessageBox.StandardButton.Ok, self.window)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()  # window-modal, without a nested event loop

    def _before_lock(self) -> None:
        screen = self.screen
        if screen is None:
            return
        on_screen = self.window.stack.currentWidget() is screen
        kept_as_draft = screen.save_before_lock()
        if on_screen:
            focus = QApplication.focusWidget()
            ref = next((r for r, w in screen.view.fields.items() if focus is not None and w.isAncestorOf(focus)), None)
            self._resume = Resume(form_id=screen.opened.form_id, record_id=screen.record_id,
                                  saved=screen.status != "new" or screen.has_changes(), page=screen.view.current,
                                  focus_ref=ref, kept_as_draft=kept_as_draft,
                                  person=next((screen.session.value(r) for r in self._pinned), None),
                                  username=self._username())

    def _username(self) -> str:
        user = self.controller.user
        return user.username if user is not None else ""

    def _locking(self) -> None:
        self.return_to = None
        if self.deleted_notice is not None:
            self.deleted_notice.close()
        if self.screen is not None:
            self._drop_screen()
        self.chooser.list.clear()


def _metadata(vault) -> dict[str, str]:
    user = vault.user
    return {"deviceid": str(vault.device_id), "username": user.username if user is not None else ""}
