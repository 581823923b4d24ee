"""Find a person: a search screen with results as you type, ranked, each saying why it matched (issue 12).

`install_search(window=, controller=, forms=)` (the composition root calls it) adds the screen, the
Registrations → Find a person… action (Ctrl+Shift+F, also on the toolbar), and, when a form area is given, the
question a new registration asks before it is finalized when it looks like someone already registered.

Keyboard: type in the box (results follow after a short pause); Down moves into the results, Enter on the box or
on a result opens it, Escape goes back to the box (then to the registration list). Every search runs
services/search.py on the database thread, in two stages: the first results (`first_results`: exact keys only, shown
at once, "looking for other spellings…") and, queued when they arrive and the text is still the same, the refined
search (`search`: close spellings too), which replaces them. An answer older than the text on screen is dropped, and
a lock clears the box and the results.
"""

from __future__ import annotations

import re

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.services import places
from desktop_app.services.search import SearchOutcome, SearchResult
from desktop_app.services import search as search_service
from desktop_app.ui import labels
from desktop_app.ui.i18n import Retranslator

NAME, SHORT_ID, SEX, AGE, NATIONALITY, CENTRE, MATCH, WHY = range(8)
RECORD_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_DELAY_MS = 150  # a pause in typing; each search is one task on the database thread, then its refinement


_KINDS = {
    "exact": lambda n: QCoreApplication.translate("SearchReasons", "%n exact", "", n),
    "spelling variant": lambda n: QCoreApplication.translate("SearchReasons", "%n spelling variant(s)", "", n),
    "Arabic/Latin transliteration": lambda n: QCoreApplication.translate(
        "SearchReasons", "%n Arabic/Latin transliteration(s)", "", n),
    "close spelling": lambda n: QCoreApplication.translate("SearchReasons", "%n close spelling(s)", "", n),
    "weak": lambda n: QCoreApplication.translate("SearchReasons", "%n weak", "", n),
}
_NAME = re.compile(r"^name: (\d+) words? \((.*)\)(, given and family names in the other order)?$")


def reason_text(reason: str) -> str:
    """One reason of waypoint_core.registry (English) in the interface language."""
    if match := _NAME.match(reason):
        words = int(match.group(1))
        details = []
        for part in match.group(2).split(", "):
            count, _, kind = part.partition(" ")
            details.append(_KINDS[kind](int(count)) if kind in _KINDS and count.isdigit() else part)
        text = QCoreApplication.translate("SearchReasons", "name: %n word(s)", "", words) + " (" + \
            ", ".join(details) + ")"
        if match.group(3):
            text += ", " + QCoreApplication.translate("SearchReasons", "given and family names in the other order")
        return text
    fixed = {
        "name: no word in common":
            QCoreApplication.translate("SearchReasons", "name: no word in common"),
        "name begins with the last word typed":
            QCoreApplication.translate("SearchReasons", "name begins with the last word typed"),
        "same document number":
            QCoreApplication.translate("SearchReasons", "same document number"),
        "document number one character apart":
            QCoreApplication.translate("SearchReasons", "document number one character apart"),
        "same phone number":
            QCoreApplication.translate("SearchReasons", "same phone number"),
        "same date of birth":
            QCoreApplication.translate("SearchReasons", "same date of birth"),
        "age fits":
            QCoreApplication.translate("SearchReasons", "age fits"),
        "year of birth fits":
            QCoreApplication.translate("SearchReasons", "year of birth fits"),
        "nationality matches":
            QCoreApplication.translate("SearchReasons", "nationality matches"),
        "centre matches":
            QCoreApplication.translate("SearchReasons", "centre matches"),
        "status matches":
            QCoreApplication.translate("SearchReasons", "status matches"),
        "sex matches":
            QCoreApplication.translate("SearchReasons", "sex matches"),
        "case closed":
            QCoreApplication.translate("SearchReasons", "case closed"),
        "case open":
            QCoreApplication.translate("SearchReasons", "case open"),
        "same nationality":
            QCoreApplication.translate("SearchReasons", "same nationality"),
        "same sex":
            QCoreApplication.translate("SearchReasons", "same sex"),
        "age fits the date of birth":
            QCoreApplication.translate("SearchReasons", "age fits the date of birth"),
        "ages close":
            QCoreApplication.translate("SearchReasons", "ages close"),
        "ages fit":
            QCoreApplication.translate("SearchReasons", "ages fit"),
        "different document numbers":
            QCoreApplication.translate("SearchReasons", "different document numbers"),
        "different numbers for the same type of document":
            QCoreApplication.translate("SearchReasons", "different numbers for the same type of document"),
        "different nationality":
            QCoreApplication.translate("SearchReasons", "different nationality"),
        "different sex":
            QCoreApplication.translate("SearchReasons", "different sex"),
        "date of birth with day and month swapped":
            QCoreApplication.translate("SearchReasons", "date of birth with day and month swapped"),
        "document numbers one character apart":
            QCoreApplication.translate("SearchReasons", "document numbers one character apart"),
        "same month and year of birth":
            QCoreApplication.translate("SearchReasons", "same month and year of birth"),
        "same phone number (last eight digits)":
            QCoreApplication.translate("SearchReasons", "same phone number (last eight digits)"),
        "same year of birth":
            QCoreApplication.translate("SearchReasons", "same year of birth"),
        "years of birth one year apart":
            QCoreApplication.translate("SearchReasons", "years of birth one year apart"),
    }
    return fixed.get(reason, reason)


def centre_name(code: str) -> str:
    centre = places.find_centre(code) if code else None
    return centre.name(labels.ui_language()) if centre is not None else code


class SearchResultModel(QAbstractTableModel):
    """The ranked results of one search (at most a page of them: a search is refined, not scrolled)."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[SearchResult] = []

    def set_results(self, results: tuple[SearchResult, ...] | list[SearchResult]) -> None:
        self.beginResetModel()
        self._rows = list(results)
        self.endResetModel()

    def clear(self) -> None:
        self.set_results([])

    def result(self, row: int) -> SearchResult:
        return self._rows[row]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 8

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return (self.tr("Name"), self.tr("ID"), self.tr("Sex"), self.tr("Age"), self.tr("Nationality"),
                self.tr("Centre"), self.tr("Match"), self.tr("Why it matched"))[section]

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == RECORD_ID_ROLE:
            return row.record_id
        column = index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (AGE, MATCH):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == WHY:
            return "\n".join(reason_text(r) for r in row.why)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if column == NAME:
            return row.title or self.tr("(no name)")
        if column == SHORT_ID:
            return row.short_id
        if column == SEX:
            return labels.sex_name(row.sex)
        if column == AGE:
            return "" if row.age is None else str(row.age)
        if column == NATIONALITY:
            return labels.country_name(row.nationality)
        if column == CENTRE:
            return centre_name(row.centre)
        if column == MATCH:
            return f"{round(row.score * 100)} %"
        return "; ".join(reason_text(r) for r in row.why)

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 7)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 7))


class SearchPage(QWidget):
    """The screen: a box, a line saying what was found, the ranked results."""

    search_requested = Signal(str)
    open_requested = Signal(str)  # record id
    back_requested = Signal()

    def __init__(self, model: SearchResultModel) -> None:
        super().__init__(objectName="searchPage")
        self.model = model
        self.heading = QLabel(objectName="pageHeading")
        self.intro = QLabel(wordWrap=True)
        self.box = QLineEdit(objectName="personSearch", clearButtonEnabled=True)
        self.box.setMaxLength(120)
        self.box_label = QLabel()
        self.box_label.setBuddy(self.box)
        self.summary = QLabel(objectName="searchSummary", wordWrap=True)
        self.table = QTableView(objectName="searchResults")
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
        header.setSectionResizeMode(WHY, QHeaderView.ResizeMode.Stretch)
        self.empty = QLabel(objectName="emptyState", wordWrap=True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body = QStackedWidget()
        self.body.addWidget(self.table)
        self.body.addWidget(self.empty)
        self.problem = QLabel(objectName="error", wordWrap=True)
        self.problem.hide()
        layout = QVBoxLayout(self)
        for widget in (self.heading, self.intro, self.box_label, self.box, self.summary, self.problem):
            layout.addWidget(widget)
        layout.addWidget(self.body, 1)
        self._delay = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._delay.timeout.connect(self._request)
        self.box.textChanged.connect(lambda _: self._delay.start())
        self.box.returnPressed.connect(self._enter)
        self.box.installEventFilter(self)
        self.table.installEventFilter(self)
        self.table.activated.connect(lambda index: self.open_requested.emit(index.data(RECORD_ID_ROLE)))
        self.outcome: SearchOutcome | None = None
        self.retranslate()

    def _request(self) -> None:
        self._delay.stop()
        self.search_requested.emit(self.box.text())

    def _enter(self) -> None:
        """Enter on the box: search now, or open the first result when it already shows for this text."""
        if self._delay.isActive() or self.outcome is None or self.outcome.text != self.box.text():
            self._request()
        elif self.model.rowCount():
            self.open_requested.emit(self.model.result(0).record_id)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if watched is self.box and key == Qt.Key.Key_Down and self.model.rowCount():
                self.table.setFocus(Qt.FocusReason.TabFocusReason)
                self.table.selectRow(0)
                return True
            if watched is self.table and key == Qt.Key.Key_Escape:
                self.box.setFocus(Qt.FocusReason.ShortcutFocusReason)
                return True
            if watched is self.box and key == Qt.Key.Key_Escape:
                self.back_requested.emit()
                return True
        return False

    def show_outcome(self, outcome: SearchOutcome) -> None:
        if outcome.text != self.box.text():
            return  # the person typed on: a newer search is coming
        self.outcome = outcome
        self.problem.hide()
        self.model.set_results(outcome.results)
        self._update_words()

    def show_failure(self) -> None:
        self.problem.setText(self.tr("The search could not run. Lock and unlock the vault, then try again."))
        self.problem.show()

    def clear(self) -> None:
        self._delay.stop()
        self.box.blockSignals(True)
        # setText, not clear(): clear() is an edit Ctrl+Z undoes, which gave the next person to sign in the name
        # typed before the lock; setText empties the undo history too
        self.box.setText("")
        self.box.blockSignals(False)
        self.outcome = None
        self.problem.hide()
        self.model.clear()
        self._update_words()

    def _update_words(self) -> None:
        outcome = self.outcome
        if outcome is None or not outcome.text.strip():
            self.summary.setText("")
            self.empty.setText(self.tr("Type a name in any spelling or in Arabic script, a document or phone "
                                       "number, a date of birth or an age, a country or a centre."))
            self.body.setCurrentWidget(self.empty)
            return
        words = self.tr("%n person(s) found", "", len(outcome.results))
        filters = []
        for name, values in sorted(outcome.understood.items()):
            shown = ", ".join(labels.country_name(v) if name == "nationality" else centre_name(v)
                              if name == "centre" else labels.sex_name(v) if name == "sex"
                              else labels.status_name(v) for v in values)
            what = {"nationality": self.tr("nationality"), "centre": self.tr("centre"),
                    "sex": self.tr("sex"), "status": self.tr("status")}.get(name, name)
            filters.append(self.tr("%1: %2").replace("%1", what).replace("%2", shown))  # French: a space before ':'
        if filters:
            words += " · " + self.tr("only %1").replace("%1", "; ".join(filters))
        if not outcome.complete:
            words += " · " + self.tr("looking for other spellings…")
        self.summary.setText(words)
        if outcome.results:
            self.body.setCurrentWidget(self.table)
        elif not outcome.complete:  # nothing by exact keys: the refined search is on its way
            self.empty.setText(self.tr("No exact match yet. Looking for other spellings…"))
            self.body.setCurrentWidget(self.empty)
        else:
            self.empty.setText(self.tr("No one matches. Try another spelling, fewer words, or a number."))
            self.body.setCurrentWidget(self.empty)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Find a person"))
        self.intro.setText(self.tr("Results follow what you type, best first, each with why it matched. Down "
                                   "moves into the results, Enter opens one, Escape comes back here."))
        self.box_label.setText(self.tr("&Search for"))
        self.box.setPlaceholderText(self.tr("e.g. Ousmane Diallo, عثمان, AB 123 4567, 25 Mali"))
        self.model.retranslate()
        self._update_words()


class DuplicateQuestion(QMessageBox):
    """Before finalizing: "this person may already be registered", with who and why; the safe answer is default."""

    def __init__(self, found: list[SearchResult], parent: QWidget) -> None:
        super().__init__(QMessageBox.Icon.Warning, "", "", QMessageBox.StandardButton.NoButton, parent)
        self.setObjectName("duplicateQuestion")
        self.found = found
        self.finalize_button = self.addButton("", QMessageBox.ButtonRole.AcceptRole)
        self.back_button = self.addButton("", QMessageBox.ButtonRole.RejectRole)
        self.setDefaultButton(self.back_button)
        self.setEscapeButton(self.back_button)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Already registered?"))
        self.setText(self.tr("This person may already be registered. Check before finalizing: open the "
                             "registration below from Find a person, or finalize if it is someone else."))
        lines = []
        for result in self.found:
            who = f"{result.title or self.tr('(no name)')} ({result.short_id})"
            if result.centre:
                who += f", {centre_name(result.centre)}"
            # one string, so French puts its non-breaking spaces before ':' and '%'
            lines.append("• " + self.tr("%1: %2 % — %3").replace("%1", who).replace(
                "%2", str(round(result.score * 100))).replace("%3", "; ".join(reason_text(r) for r in result.why)))
        self.setInformativeText("\n".join(lines))
        self.finalize_button.setText(self.tr("&Finalize anyway"))
        self.back_button.setText(self.tr("&Go back to the form"))


class SearchArea(QObject):
    """Owns the search screen, its action, and the duplicate question of new registrations."""

    def __init__(self, *, window, controller, forms=None) -> None:
        super().__init__(window)
        self.window, self.controller = window, controller
        self.model = SearchResultModel()
        self.page = SearchPage(self.model)
        window.add_page(self.page)
        self.action = QAction(window, objectName="findPersonAction", shortcut=QKeySequence("Ctrl+Shift+F"))
        self.action.triggered.connect(self.open)
        window.registrations_menu.addAction(self.action)
        window.toolbar.addAction(self.action)
        self.action.setEnabled(False)
        self.page.search_requested.connect(self.run)
        self.page.open_requested.connect(self._open_record)
        self.page.back_requested.connect(window.show_registrations)
        controller.unlocked.connect(lambda _user: self.action.setEnabled(True))
        controller.locking.connect(self._locking)
        self.question: DuplicateQuestion | None = None
        self.open_person = None  # the case file area opens people (casefile_area.py); else the record's form
        self._checking = None  # the form screen whose duplicate check is running
        self._refining = None  # the task refining the results on screen
        if forms is not None:
            forms.screen_opened.connect(self._screen_opened)
        self.retranslate()

    def open(self) -> None:
        if not self.controller.is_unlocked:
            return
        self.window.show_page(self.page)
        self.page.box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.page.box.selectAll()

    def run(self, typed: str) -> None:
        self._cancel_refining()  # a refinement of an older text, queued or running, is dropped
        if not self.controller.is_unlocked:
            return
        if not typed.strip():
            self.page.show_outcome(SearchOutcome(typed))
            return
        self._queue(lambda vault, state: search_service.first_results(vault, typed))

    def _queue(self, work):
        session_number = self.controller.session_number
        task = self.controller.run_with_vault(work, name="db:search")
        task.succeeded.connect(lambda outcome: self._arrived(session_number, outcome))
        task.failed.connect(lambda _exc: self.page.show_failure())
        return task

    def _arrived(self, session_number: int, outcome: SearchOutcome | None) -> None:
        if outcome is None or session_number != self.controller.session_number:
            return  # a cancelled refinement, or an answer from before a lock
        self.page.show_outcome(outcome)
        if not outcome.complete and outcome.text == self.page.box.text():
            # the first results are on screen; refine them (close spellings) unless the person types on
            text = outcome.text
            self._refining = self._queue(lambda vault, state: search_service.search(
                vault, text, cancelled=lambda: state.cancelled))

    def _cancel_refining(self) -> None:
        if self._refining is not None:
            self._refining.state.cancel()
            self._refining = None

    def _open_record(self, record_id: str) -> None:
        if record_id and self.open_person is not None:
            self.open_person(record_id)
        elif record_id:
            self.window.open_registration_requested.emit(record_id)

    def _locking(self) -> None:
        self._cancel_refining()
        self.action.setEnabled(False)
        self.page.clear()
        if self.question is not None:
            self.question.reject()

    # --- before a new registration is finalized ------------------------------------------------------------
    def _screen_opened(self, screen) -> None:
        screen.before_finalize = self.check_before_finalize

    def check_before_finalize(self, screen, content: str, proceed) -> None:
        """Look for registrations like this one; ask only when there are some (else finalize at once)."""
        if self._checking is screen:
            return  # Ctrl+Enter again while the check runs
        opened = screen.opened
        session_number = self.controller.session_number

        def work(vault, state):
            return search_service.possible_duplicates(vault, form_id=opened.form_id,
                                                      form_version=opened.form_version, content=content,
                                                      record_id=screen.record_id)

        try:
            task = self.controller.run_with_vault(work, name="db:possible-duplicates")
        except RuntimeError:
            return  # locked meanwhile
        self._checking = screen
        task.succeeded.connect(lambda found: self._checked(session_number, screen, found, proceed))
        task.failed.connect(lambda _exc: (self._done_checking(), proceed()))  # never stops a registration

    def _done_checking(self) -> None:
        self._checking = None

    def _checked(self, session_number: int, screen, found: list[SearchResult], proceed) -> None:
        self._checking = None
        if session_number != self.controller.session_number:
            return
        if not found:
            proceed()
            return
        question = DuplicateQuestion(found, screen)
        question.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        question.finalize_button.clicked.connect(proceed)
        question.finished.connect(lambda _: setattr(self, "question", None))
        self.question = question
        question.open()

    def retranslate(self) -> None:
        self.action.setText(self.tr("&Find a person…"))
        self.action.setToolTip(self.tr("Find a person by name in any script or spelling, document, phone, age "
                                       "(Ctrl+Shift+F)"))


def install_search(*, window, controller, forms=None) -> SearchArea:
    area = SearchArea(window=window, controller=controller, forms=forms)
    area.retranslator = Retranslator(area.window, area.retranslate)
    window.search_area = area
    return area
