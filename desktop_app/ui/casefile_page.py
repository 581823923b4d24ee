"""The case file screen (issue 12 point 2): who the person is, the state of their case, the next appointment and the
open referrals at a glance, and every registration, assistance, referral and status change on one timeline.

Widgets only: desktop_app/ui/casefile_area.py loads the case file on the database thread and answers the buttons.
Print… sends what the screen shows to a printer (casefile_print.py). Keyboard: Alt+letter on every button; Enter
(or double-click) on a timeline row opens that record's form; Escape goes back to where the person came from.
The Consent tab is the place another area's consent panel sits in (`set_consent_widget`).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.services.casefile import CLOSE_REASONS, REOPEN_REASONS, CaseFile
from desktop_app.ui import labels
from desktop_app.ui.casefile_model import (
    DETAILS,
    RECORD_ID_ROLE,
    TimelineModel,
    Words,
    entry_details,
    entry_what,
    reason_name,
    state_name,
)

BADGE_STYLE = {
    "open": "background: #e3f1e6; color: #1f5f2e; border: 1px solid #8cc49a;",
    "closed": "background: #eceff1; color: #37474f; border: 1px solid #a7b4bb;",
}


class CaseFilePage(QWidget):
    add_event_requested = Signal()
    add_referral_requested = Signal()
    status_change_requested = Signal()
    print_requested = Signal()
    open_record_requested = Signal(str)  # a record of the timeline (or the registration itself)
    back_requested = Signal()
    shown = Signal()

    def __init__(self, model: TimelineModel) -> None:
        super().__init__(objectName="caseFilePage")
        self.model = model
        self.case: CaseFile | None = None
        self.words = Words()
        self.heading = QLabel(objectName="pageHeading", wordWrap=True)
        self.badge = QLabel(objectName="caseBadge")
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.facts = QLabel(objectName="hint", wordWrap=True)
        self.state_line = QLabel(wordWrap=True, objectName="caseState")
        self.glance = QFrame(objectName="caseGlance")
        self.glance.setFrameShape(QFrame.Shape.StyledPanel)
        self.appointment_title = QLabel()
        self.appointment = QLabel(wordWrap=True, objectName="nextAppointment")
        self.referrals_title = QLabel()
        self.referrals = QLabel(wordWrap=True, objectName="openReferrals")
        glance = QFormLayout(self.glance)
        glance.addRow(self.appointment_title, self.appointment)
        glance.addRow(self.referrals_title, self.referrals)
        self.add_event_button = QPushButton(objectName="primary")
        self.add_referral_button = QPushButton()
        self.status_button = QPushButton()
        self.open_button = QPushButton()
        self.print_button = QPushButton(objectName="casePrint")
        self.back_button = QPushButton()
        self.add_event_button.clicked.connect(self.add_event_requested.emit)
        self.add_referral_button.clicked.connect(self.add_referral_requested.emit)
        self.status_button.clicked.connect(self.status_change_requested.emit)
        self.open_button.clicked.connect(self._open_registration)
        self.print_button.clicked.connect(self.print_requested.emit)
        self.back_button.clicked.connect(self.back_requested.emit)
        self.table = QTableView(objectName="caseTimeline")
        self.table.setTabKeyNavigation(False)  # Tab leaves it, never trapped
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(DETAILS, QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(lambda index: self.open_record_requested.emit(index.data(RECORD_ID_ROLE)))
        self.hidden_note = QLabel(objectName="hint", wordWrap=True)
        self.hidden_note.hide()
        self.consent_slot = QWidget(objectName="consentSlot")
        self.consent_layout = QVBoxLayout(self.consent_slot)
        self.consent_placeholder = QLabel(objectName="emptyState", wordWrap=True)
        self.consent_layout.addWidget(self.consent_placeholder)
        self.tabs = QTabWidget(objectName="caseTabs")
        timeline = QWidget()
        timeline_layout = QVBoxLayout(timeline)
        timeline_layout.setContentsMargins(0, 6, 0, 0)
        timeline_layout.addWidget(self.table, 1)
        timeline_layout.addWidget(self.hidden_note)
        self.tabs.addTab(timeline, "")
        self.tabs.addTab(self.consent_slot, "")
        self.problem = QLabel(objectName="error", wordWrap=True)
        self.problem.hide()

        # Print and Back act on the page, beside the name: with the four case actions on one row, French made the
        # window 1092 pixels wide, its right edge off a 1024-pixel screen
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.print_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignTop)
        buttons = QHBoxLayout()
        for button in (self.add_event_button, self.add_referral_button, self.status_button, self.open_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.facts)
        layout.addWidget(self.state_line)
        layout.addWidget(self.glance)
        layout.addLayout(buttons)
        layout.addWidget(self.problem)
        layout.addWidget(self.tabs, 1)
        # Tab goes through the case actions first, then Print and Back (placed first, in the top row)
        QWidget.setTabOrder(self.open_button, self.print_button)
        QWidget.setTabOrder(self.print_button, self.back_button)
        self.setEnabled(False)
        self.retranslate()

    # --- showing a case file -----------------------------------------------------------------------
    def show_case(self, case: CaseFile, words: Words) -> None:
        self.case, self.words = case, words
        self.problem.hide()
        self.model.show(case, words)
        self.setEnabled(True)
        self._update_words()
        if self.model.rowCount():
            self.table.selectRow(self.model.rowCount() - 1)  # the latest, where the next step starts

    def show_failure(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()

    def clear(self) -> None:
        """Nothing personal stays on screen (lock)."""
        self.case = None
        self.model.clear()
        self.heading.clear()
        self.facts.clear()
        self.state_line.clear()
        self.appointment.clear()
        self.referrals.clear()
        self.hidden_note.hide()
        self.problem.hide()
        self.badge.clear()
        self.setEnabled(False)

    def set_consent_widget(self, widget: QWidget) -> None:
        """Put another area's consent panel in the Consent tab (instead of the placeholder)."""
        self.consent_placeholder.hide()
        self.consent_layout.addWidget(widget, 1)

    def _open_registration(self) -> None:
        if self.case is not None:
            self.open_record_requested.emit(self.case.person.record_id)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.shown.emit()

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.back_requested.emit()
            return
        super().keyPressEvent(event)

    # --- words -----------------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.add_event_button.setText(self.tr("Add &assistance"))
        self.add_event_button.setToolTip(self.tr("Record assistance given to this person (the form opens with "
                                                 "this person already chosen)"))
        self.add_referral_button.setText(self.tr("Add a r&eferral"))
        self.add_referral_button.setToolTip(self.tr("Refer this person to another service (the form opens with "
                                                    "this person already chosen)"))
        self.open_button.setText(self.tr("&Open the registration"))
        self.print_button.setText(self.tr("Pr&int…"))
        self.print_button.setToolTip(self.tr("Print this case file for the person (on a printer, never to a file; "
                                             "the print is recorded in the audit log)"))
        self.back_button.setText(self.tr("&Back"))
        self.tabs.setTabText(0, self.tr("&Timeline"))
        self.tabs.setTabText(1, self.tr("Co&nsent"))
        self.consent_placeholder.setText(self.tr("The person's consent and what they agreed to share will show "
                                                 "here."))
        self.appointment_title.setText(self.tr("Next appointment:"))
        self.referrals_title.setText(self.tr("Open referrals:"))
        self.model.retranslate()
        self._update_words()

    def _update_words(self) -> None:
        case = self.case
        closed = case is not None and case.closed
        self.status_button.setText(self.tr("Reo&pen the case…") if closed else self.tr("Clo&se the case…"))
        if case is None:
            return
        person = case.person
        no_name = self.tr("(no name)")
        self.heading.setText(f"{person.title or no_name}  ·  {person.short_id}")
        facts = [labels.sex_name(person.sex or "") if person.sex else "",
                 self.tr("%n year(s)", "", person.age) if person.age is not None else "",
                 labels.country_name(person.nationality or "") if person.nationality else "",
                 _centre(person.centre),
                 self.tr("registered on %1").replace("%1", person.registered_on) if person.registered_on else ""]
        if person.status == "draft":
            facts.append(self.tr("registration not finalized"))
        self.facts.setText(" · ".join(f for f in facts if f))
        self.badge.setText(state_name(case.state))
        self.badge.setStyleSheet(f"QLabel {{ {BADGE_STYLE.get(case.state, '')} border-radius: 4px; "
                                 "padding: 4px 12px; font-weight: 600; }")
        if case.closed:
            line = self.tr("Case closed")
            if case.state_since:
                line += " " + self.tr("on %1").replace("%1", case.state_since)
            if case.state_reason:  # French puts a non-breaking space before the colon
                line = self.tr("%1: %2").replace("%1", line).replace("%2", reason_name(case.state_reason))
        elif case.state_reason:
            line = self.tr("Case reopened on %1: %2").replace("%1", case.state_since).replace(
                "%2", reason_name(case.state_reason))
        else:
            line = self.tr("Case open")
        self.state_line.setText(line)
        if case.next_appointment is not None:
            entry = case.next_appointment
            self.appointment.setText(self.tr("%1, after %2 of %3").replace("%1", entry.detail["next_appointment"])
                                     .replace("%2", entry_what(entry, self.words)).replace("%3", entry.day))
        else:
            self.appointment.setText(self.tr("none planned"))
        if not case.may_contact:
            self.appointment.setText(self.appointment.text() + " — " + self.tr(
                "do not contact: no consent to being contacted again"))
        if case.open_referrals:
            self.referrals.setText("\n".join(f"{e.day}  {entry_what(e, self.words)} · {entry_details(e, self.words)}"
                                             for e in case.open_referrals))
        else:
            self.referrals.setText(self.tr("none"))
        self.hidden_note.setText(self.tr("%n linked record(s) not shown: your role does not give access to them.",
                                         "", case.hidden))
        self.hidden_note.setVisible(case.hidden > 0)


def _centre(code: str | None) -> str:
    from desktop_app.services import places

    centre = places.find_centre(code) if code else None
    return centre.name(labels.ui_language()) if centre is not None else (code or "")


class ReasonDialog(QDialog):
    """Closing or reopening a case: the reason (required), a short note (required for "other")."""

    def __init__(self, *, closing: bool, parent: QWidget) -> None:
        super().__init__(parent, objectName="caseReasonDialog")
        self.closing = closing
        self.reason = QComboBox(objectName="caseReason")
        self.reason.addItem("", "")
        for code in CLOSE_REASONS if closing else REOPEN_REASONS:
            self.reason.addItem(reason_name(code), code)
        self.note = QLineEdit(objectName="caseNote")
        self.note.setMaxLength(500)
        self.reason_label = QLabel()
        self.reason_label.setBuddy(self.reason)
        self.note_label = QLabel()
        self.note_label.setBuddy(self.note)
        self.explain = QLabel(wordWrap=True, objectName="hint")
        self.problem = QLabel(objectName="error", wordWrap=True)
        self.problem.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.reason_label, self.reason)
        form.addRow(self.note_label, self.note)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explain)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        self._problem = ""
        self.retranslate()
        # "Other" needs a note: its label says so as soon as it is chosen, not only after OK refuses
        self.reason.currentIndexChanged.connect(lambda _: self._label_note())

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.reason.setFocus()  # the first thing to answer, whatever open() chose

    @property
    def chosen(self) -> tuple[str, str]:
        return str(self.reason.currentData() or ""), self.note.text().strip()

    def _accept(self) -> None:
        reason, note = self.chosen
        if not reason:
            self._problem = "reason"
        elif reason == "other" and not note:
            self._problem = "note"
            self.note.setFocus()
        else:
            self.accept()
            return
        self._say_problem()
        self.problem.show()

    def _say_problem(self) -> None:
        self.problem.setText(self.tr("Choose a reason.") if self._problem == "reason"
                             else self.tr("Say why in the note.") if self._problem == "note" else "")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:  # switched with the dialog open: said again in the new language
            self.retranslate()
        super().changeEvent(event)

    def _label_note(self) -> None:
        self.note_label.setText(self.tr("&Note (required for Other):") if self.reason.currentData() == "other"
                                else self.tr("&Note (optional):"))

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Close the case") if self.closing else self.tr("Reopen the case"))
        self.explain.setText(self.tr("The case closes for everyone on the next sync; it can be reopened.")
                             if self.closing else self.tr("The case reopens for everyone on the next sync."))
        self.reason_label.setText(self.tr("&Reason:"))
        self._label_note()
        # Alt+letters of their own beside &Reason and &Note (tests/ui/test_screen_mnemonics.py)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            self.tr("&Close the case") if self.closing else self.tr("Re&open the case"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("C&ancel"))
        for i in range(1, self.reason.count()):
            self.reason.setItemText(i, reason_name(self.reason.itemData(i)))
        self._say_problem()
