"""The case file area: opens a person's case file from Find a person and from the registration list (Enter or
double-click on a person), and answers its buttons (issue 12 point 2).

`install_casefile(window=, controller=, forms=)` (the composition root calls it) adds the screen and routes: a
person opens their case file, any other record (an event, a referral) its form as before. Add assistance / Add a
referral open the shipped form with the person already chosen and not retypable (services.casefile.link_defaults);
after the form is finalized or closed the case file comes back, reloaded. Close / Reopen ask for a reason first.
Print… opens the system print dialog (no file output), prints what the screen shows and records the print.
Every read and write runs on the database thread through services/casefile.py; a lock clears the screen.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from desktop_app.services import casefile
from desktop_app.services.access import AccessDenied
from desktop_app.services.session import classify
from desktop_app.ui import labels
from desktop_app.ui.casefile_model import TimelineModel, Words
from desktop_app.ui.casefile_page import CaseFilePage, ReasonDialog
from desktop_app.ui.casefile_print import case_document
from desktop_app.ui.consent_panel import ConsentPanel
from desktop_app.ui.i18n import Retranslator
from desktop_app.ui.messages import failure_text
from desktop_app.ui.security_print import PrintToFileRefused, print_dialog, print_document


class CaseFileArea(QObject):
    def __init__(self, *, window, controller, forms=None) -> None:
        super().__init__(window)
        self.window, self.controller, self.forms = window, controller, forms
        self.model = TimelineModel()
        self.page = CaseFilePage(self.model)
        window.add_page(self.page)
        self.record_id: str | None = None
        self.came_from = None  # the screen Back returns to
        self.dialog: ReasonDialog | None = None
        self.print_box: QDialog | None = None  # the system print dialog while it is open
        self.page.add_event_requested.connect(lambda: self._add(casefile.EVENT_FORM))
        self.page.add_referral_requested.connect(lambda: self._add(casefile.REFERRAL_FORM))
        self.page.status_change_requested.connect(self.ask_status_change)
        self.page.open_record_requested.connect(self._open_record)
        self.page.print_requested.connect(self.ask_print)
        self.page.back_requested.connect(self._back)
        self.page.shown.connect(self.reload)
        # the person's consent, in the Consent tab (consent_panel.py: its own widget and catalogue)
        self.consent = ConsentPanel(run_with_vault=controller.run_with_vault)
        self.page.set_consent_widget(self.consent)
        self.consent.changed.connect(lambda _id: self.reload())
        self.consent.loaded.connect(lambda _id: None if self.controller.is_unlocked else self.consent.clear())
        controller.locking.connect(self._locking)
        # where people are opened from
        window.open_from_list = self.open_or_form
        search = getattr(window, "search_area", None)
        if search is not None:
            search.open_person = self.open

    # --- opening -------------------------------------------------------------------------------------
    def open(self, record_id: str) -> None:
        """Show this person's case file (a record that is no person opens its form instead)."""
        if not self.controller.is_unlocked or not record_id:
            return
        current = self.window.stack.currentWidget()
        if current is not self.page:
            self.came_from = current
        if record_id != self.record_id:
            self.page.clear()
            self.consent.clear()
        self.record_id = record_id
        self._load(show=True)
        self.consent.show_person(record_id)

    def open_or_form(self, record_id: str) -> None:
        """From the registration list: a person's case file, or the form of anything else (a draft registration
        too: the person is finishing it)."""
        if not self.controller.is_unlocked or not record_id:
            return
        task = self.controller.run_with_vault(
            lambda vault, state: casefile.is_person(vault, record_id, finalized=True), name="db:is-person")
        task.succeeded.connect(lambda person: self.open(record_id) if person
                               else self.window.open_registration_requested.emit(record_id))

    def reload(self) -> None:
        if self.record_id is not None and self.controller.is_unlocked:
            self._load(show=False)

    def _load(self, *, show: bool) -> None:
        record_id, session_number = self.record_id, self.controller.session_number
        language = labels.ui_language()

        def work(vault, state):
            return casefile.case_file(vault, record_id), casefile.choice_labels(vault, language)

        task = self.controller.run_with_vault(work, name="db:case-file")
        task.succeeded.connect(lambda result: self._arrived(session_number, record_id, show, *result))
        task.failed.connect(lambda error: self._failed(session_number, record_id, show, error))

    def _arrived(self, session_number: int, record_id: str, show: bool, case, choices) -> None:
        if session_number != self.controller.session_number or record_id != self.record_id:
            return
        self.page.show_case(case, Words(choices))
        if show:
            self.window.show_page(self.page)
        focus = QApplication.focusWidget()
        # opened, or back from a form opened here (whose focused control is gone: Qt gave the focus to Sync now)
        if show or (self.window.stack.currentWidget() is self.page and not (focus and self.page.isAncestorOf(focus))):
            self.page.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _failed(self, session_number: int, record_id: str, show: bool, error: BaseException) -> None:
        if session_number != self.controller.session_number or record_id != self.record_id:
            return
        if isinstance(error, casefile.NotAPerson) and show:
            self.record_id = None
            self.consent.clear()
            self.window.open_registration_requested.emit(record_id)  # not a person: its form, as before
            return
        self.page.show_failure(self.tr("The case file could not be opened. %1").replace("%1", self.open_error_text(error)))
        if show:
            self.window.show_page(self.page)

    def open_error_text(self, error: BaseException) -> str:
        """Why a case file could not be opened, in the interface language (the exception's English text showed as
        it was, in French too): a person no longer here (purged, or gone since the list was read), a role that may
        not see them; else the sentence every vault failure has (messages.py: lock, disk, unexpected)."""
        if isinstance(error, casefile.NotAPerson):
            return self.tr("This registration is no longer on this laptop.")
        if isinstance(error, AccessDenied):
            return self.tr("Your role does not allow you to see this person's case file.")
        return failure_text(classify(error))

    def _open_record(self, record_id: str) -> None:
        if record_id:
            self._return_here()
            self.window.open_registration_requested.emit(record_id)

    def _back(self) -> None:
        target = self.came_from
        if target is not None and self.window.stack.indexOf(target) >= 0 and target is not self.page:
            self.window.show_page(target)
        else:
            self.window.show_registrations()

    # --- adding an event or a referral -------------------------------------------------------------------
    def _add(self, form_id: str) -> None:
        if self.forms is None or self.record_id is None or self.page.case is None:
            return
        self._return_here()
        person = self.page.case.person
        notice = self.tr("For %1 (%2), from their case file. Finalize or close the form to go back to it.")
        self.forms.start_new(form_id, person=self.record_id,
                             notice=notice.replace("%1", person.title or "—").replace("%2", person.short_id))

    def _return_here(self) -> None:
        if self.forms is not None:
            self.forms.return_to = self.page

    # --- closing and reopening ----------------------------------------------------------------------------
    def ask_status_change(self) -> None:
        case = self.page.case
        if case is None or self.dialog is not None:
            return
        dialog = ReasonDialog(closing=not case.closed, parent=self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._change(case.person.record_id, not case.closed, *dialog.chosen))
        dialog.finished.connect(lambda _: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()

    def _change(self, record_id: str, closing: bool, reason: str, note: str) -> None:
        change = casefile.close_case if closing else casefile.reopen_case
        task = self.controller.run_with_vault(lambda vault, state: change(vault, record_id, reason=reason, note=note),
                                              name="db:case-status")
        task.succeeded.connect(lambda _id: (self.reload(), self.window.registrations_changed()))
        task.failed.connect(self._change_failed)

    def _change_failed(self, error: BaseException) -> None:
        if not self.controller.is_unlocked:
            return
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("The case was not changed"),
                          self.tr("The case was not changed. %1").replace("%1", self.change_error_text(error)),
                          QMessageBox.StandardButton.Ok, self.window)
        box.setObjectName("caseStatusProblem")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.reload()

    def change_error_text(self, error: BaseException) -> str:
        """Why a close or reopen was refused, in the interface language: the records layer's reasons (their English
        message showed as it was, in French too), else the sentence every vault failure has (messages.py)."""
        why = error.why if isinstance(error, casefile.CaseStatusError) else (
            casefile.WHY_GONE if isinstance(error, casefile.NotAPerson) else "")
        if why == casefile.WHY_ALREADY_CLOSED:
            return self.tr("This case is already closed: it was closed meanwhile, on this laptop or through sync.")
        if why == casefile.WHY_NOT_CLOSED:
            return self.tr("This case is already open: it was reopened meanwhile, on this laptop or through sync.")
        if why == casefile.WHY_NOTE:
            return self.tr("The reason “Other” needs a note saying why.")
        if why in (casefile.WHY_REASON, casefile.WHY_UNKNOWN_CHANGE):
            return self.tr("This reason cannot be chosen for this change. Choose one from the list.")
        if why == casefile.WHY_GONE:
            return self.tr("This registration is no longer on this laptop.")
        return failure_text(classify(error))

    # --- printing (issue 11 point 4) --------------------------------------------------------------------------
    def ask_print(self) -> None:
        """The system's print dialog, without "print to file"; an accepted print goes to `print_to`."""
        if self.page.case is None or self.print_box is not None:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = print_dialog(printer, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.print_to(printer))
        dialog.finished.connect(lambda _: setattr(self, "print_box", None))
        self.print_box = dialog
        QDialog.open(dialog)  # window-modal, as the other dialogs (QPrintDialog.open wants a receiver)

    def print_to(self, printer: QPrinter) -> bool:
        """Print what the case file shows on `printer`, then record the print (services.casefile.record_print, on
        the database thread). A printer that writes a file is refused: nothing printed, nothing recorded."""
        case = self.page.case
        if case is None or not self.controller.is_unlocked:
            return False
        try:
            print_document(case_document(self.page), printer)
        except PrintToFileRefused:
            self._warn(self.tr("Not printed"), self.tr("Waypoint prints on a printer only, never to a file: a file "
                                                       "would be a copy of the person outside the vault."))
            return False
        record_id = case.person.record_id
        task = self.controller.run_with_vault(lambda vault, state: casefile.record_print(vault, record_id),
                                              name="db:record-print")
        task.failed.connect(lambda error: self._warn(self.tr("The print was not recorded"), str(error)))
        return True

    def _warn(self, title: str, text: str) -> None:
        if not self.controller.is_unlocked:
            return
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self.window)
        box.setObjectName("casePrintProblem")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def _locking(self) -> None:
        self.record_id = None
        self.came_from = None
        if self.dialog is not None:
            self.dialog.reject()
        if self.print_box is not None:
            self.print_box.reject()
        self.page.clear()
        self.consent.clear()

    def retranslate(self) -> None:
        self.reload()  # the forms' choice labels in the new language


def install_casefile(*, window, controller, forms=None) -> CaseFileArea:
    area = CaseFileArea(window=window, controller=controller, forms=forms)
    area.retranslator = Retranslator(area.window, area.retranslate)
    window.casefile_area = area
    return area
