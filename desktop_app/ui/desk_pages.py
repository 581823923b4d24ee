"""The review desk's three screens: conflicts, possible duplicates, rejected changes. Widgets only: what they ask
for goes out as signals; desk_area.py runs the use cases (services/desk.py) and puts the answers back.

Keyboard: every list takes focus first; Enter on a list row opens it; the decisions have Alt mnemonics; Escape goes
back to the registration list. In the conflict table, Enter on "This laptop" or "Server" takes that value into the
result and F2 corrects the result.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication, QEvent, QModelIndex, QSize, QStringListModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.services.desk import ConflictDetail, ConflictRow, PairDetail, advice_for
from desktop_app.ui.desk_models import (
    LOCAL,
    REMOTE,
    CandidateListModel,
    ConflictListModel,
    ConflictSidesModel,
    DecisionListModel,
    PairModel,
    RejectedListModel,
    centre_text,
    local_time,
)
from desktop_app.ui.desk_refusals import refusal_text
from desktop_app.ui.flow_layout import FlowLayout
from desktop_app.ui.paged_model import ROW_ROLE


def list_view(model, name: str) -> QTableView:
    table = QTableView(objectName=name)
    table.setTabKeyNavigation(False)  # Tab leaves it, never trapped
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.horizontalHeader().setStretchLastSection(True)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    # Columns fit the first page once (measuring loaded rows only: never the whole list).
    state = {"fitted": False}

    def fit(*_args) -> None:
        if not state["fitted"] and model.rowCount() > 0:
            state["fitted"] = True
            table.resizeColumnsToContents()
            header = table.horizontalHeader()
            for column in range(model.columnCount()):
                header.resizeSection(column, min(header.sectionSize(column), 260))

    model.rowsInserted.connect(fit)
    model.modelReset.connect(lambda: state.update(fitted=False))
    return table


def section_heading(text: str = "") -> QLabel:
    label = QLabel(text, wordWrap=True, objectName="sectionHeading")
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


def is_empty(model) -> bool:
    """The list is read to its end and holds nothing (not: still loading, or more to fetch)."""
    return model.rowCount() == 0 and not model.is_loading and not model.canFetchMore()


def follow_emptiness(model, say) -> None:
    """Call `say` whenever the list may have become empty or stopped being so."""
    for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved, model.loading_changed):
        signal.connect(lambda *_: say())


def selected_row(table: QTableView):
    index = table.currentIndex()
    return index.data(ROW_ROLE) if index.isValid() else None


class DeskPage(QWidget):
    """Heading, intro, a status line and an error line; Escape goes back."""

    back_requested = Signal()
    language_changed = Signal()

    def __init__(self, name: str) -> None:
        super().__init__(objectName=name)
        self.heading = QLabel(objectName="pageHeading")
        self.intro = QLabel(wordWrap=True, objectName="hint")
        self.status = QLabel(wordWrap=True, objectName="notice")
        self.status.hide()
        self.error = QLabel(wordWrap=True, objectName="error")
        self.error.hide()
        self.back_button = QPushButton()
        self.back_button.clicked.connect(self.back_requested.emit)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.back_requested.emit,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(24, 16, 24, 16)
        # Back sits beside the heading, as in the case file: a row of its own under the lists left a 600-pixel
        # screen too little height for a pair of people side by side and the reasons
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignTop)
        self.layout_.addLayout(top)
        self.layout_.addWidget(self.intro)

    def finish_layout(self, body: QWidget, buttons: QHBoxLayout | None = None) -> None:
        self.layout_.addWidget(body, 1)
        self.layout_.addWidget(self.status)
        self.layout_.addWidget(self.error)
        if buttons is not None:
            buttons.addStretch()
            self.layout_.addLayout(buttons)

    def say(self, text: str) -> None:
        self.error.hide()
        self.status.setText(text)
        self.status.show()

    def show_error(self, text: str) -> None:
        self.status.hide()
        self.error.setText(text)
        self.error.show()

    def clear_messages(self) -> None:
        self.status.hide()
        self.error.hide()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            self.language_changed.emit()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.back_button.setText(self.tr("Back to the &list"))


def desk_splitter(table: QTableView, panel: QWidget) -> QSplitter:
    """The list on the left, what is chosen in it on the right, which gets most of the room: on a 1024-pixel screen
    the list keeps its first columns (names elided) and the answers side by side stay readable. Dragging the handle
    to the left edge folds the list away."""
    split = QSplitter(Qt.Orientation.Horizontal)
    split.addWidget(table)
    split.addWidget(PanelScroll(panel))
    split.setStretchFactor(0, 1)
    split.setStretchFactor(1, 2)
    split.setCollapsible(0, True)
    split.setCollapsible(1, False)
    split.setSizes([380, 760])
    return split


class PanelScroll(QScrollArea):
    """What is chosen in a list, scrolled up and down when it needs more height than the window has. Its wrapped
    lines (who saved what, when; a refusal and what to do) take more height the narrower the panel, and no window
    minimum counts that: at 1024x600 in French, with the list widened, they were squeezed and cut off, and the
    decisions under them too. Never narrower than its widest button; not a stop of its own for Tab (Tab to a
    control out of sight scrolls it into view)."""

    def __init__(self, panel: QWidget) -> None:
        super().__init__()
        self.setWidget(panel)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        room = self.widget().minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width()
        return QSize(max(hint.width(), room + 2 * self.frameWidth()), hint.height())


class DetailPanel(QWidget):
    """The column of what is chosen. Its height for a width is the least it needs there (each wrapped line whole,
    the tables at their smallest), not the height it would like: a scroll area gives it that, and scrolls only
    when even that does not fit."""

    def heightForWidth(self, width: int) -> int:
        layout = self.layout()
        margins = layout.contentsMargins()
        inner = width - margins.left() - margins.right()
        heights = [item.heightForWidth(inner) if item.hasHeightForWidth() else item.minimumSize().height()
                   for item in (layout.itemAt(i) for i in range(layout.count())) if not item.isEmpty()]
        return sum(heights) + layout.spacing() * max(len(heights) - 1, 0) + margins.top() + margins.bottom()


def _detail_panel() -> tuple[QWidget, QVBoxLayout]:
    panel = DetailPanel()
    layout = QVBoxLayout(panel)
    layout.setContentsMargins(12, 0, 0, 0)
    return panel, layout


class ConflictsPage(DeskPage):
    """Open conflicts on the left (paged); the chosen one answer by answer on the right, with the decision."""

    opened = Signal(str)  # conflict id
    resolve_requested = Signal(str, str, object)  # conflict id, keep ("local" | "remote"), edits
    fetch_requested = Signal()  # ask the server for the conflicts it decided between other devices

    def __init__(self, model: ConflictListModel) -> None:
        super().__init__("deskConflictsPage")
        self.model = model
        self.detail: ConflictDetail | None = None
        self.table = list_view(model, "conflictTable")
        self.table.setMinimumWidth(300)
        self.sides = ConflictSidesModel()
        self.sides_table = QTableView(objectName="conflictSides")
        self.sides_table.setTabKeyNavigation(False)  # Tab leaves it, never trapped
        self.sides_table.setModel(self.sides)
        self.sides_table.verticalHeader().hide()
        self.sides_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.sides_table.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed
                                         | QAbstractItemView.EditTrigger.DoubleClicked)
        header = self.sides_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        # "Device arlit-field-2" in a quarter of a 1024-pixel screen: from the left, cut at its end (centred, both
        # ends were cut)
        header.setTextElideMode(Qt.TextElideMode.ElideRight)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.sides_table.setWordWrap(True)
        self.title = section_heading()
        self.who = QLabel(wordWrap=True, objectName="hint")
        self.waiting = QLabel(wordWrap=True, objectName="notice")
        self.waiting.hide()
        self.show_all = QCheckBox()
        self.keep_local = QPushButton(objectName="keepLocal")
        self.keep_remote = QPushButton(objectName="keepRemote")
        self.save_result = QPushButton(objectName="primary")
        self.save_result.setObjectName("primary")
        self.fetch = QPushButton(objectName="fetchServerConflicts")
        panel, right = _detail_panel()
        for widget in (self.title, self.who, self.waiting, self.show_all):
            right.addWidget(widget)
        right.addWidget(self.sides_table, 1)
        # The decisions wrap onto a second line on a narrow screen (side by side, the French ones made the window
        # 1147 pixels wide); the answers side by side get the room the list does not need.
        decide = FlowLayout()
        for button in (self.keep_local, self.keep_remote, self.save_result):
            decide.addWidget(button)
        right.addLayout(decide)
        split = desk_splitter(self.table, panel)
        buttons = QHBoxLayout()
        buttons.addWidget(self.fetch)
        self.finish_layout(split, buttons)
        self.fetch.clicked.connect(self.fetch_requested)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.sides_table.activated.connect(self._take)
        self.show_all.toggled.connect(lambda _: self._fill())
        self.keep_local.clicked.connect(lambda: self._resolve("local", {}))
        self.keep_remote.clicked.connect(lambda: self._resolve("remote", {}))
        self.save_result.clicked.connect(lambda: self._resolve("local", self.sides.edits()))
        follow_emptiness(model, lambda: self.retranslate_detail() if self.detail is None else None)
        self.show_detail(None)
        self.retranslate()

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row: ConflictRow | None = current.data(ROW_ROLE) if current.isValid() else None
        if row is not None:
            self.opened.emit(row.conflict_id)

    def _take(self, index: QModelIndex) -> None:
        if index.column() in (LOCAL, REMOTE):
            self.sides.take(index.row(), index.column())

    def _resolve(self, keep: str, edits: dict) -> None:
        if self.detail is not None:
            self.resolve_requested.emit(self.detail.conflict_id, keep, edits)

    def show_detail(self, detail: ConflictDetail | None) -> None:
        self.detail = detail
        has = detail is not None
        for widget in (self.keep_local, self.keep_remote, self.save_result, self.show_all, self.sides_table):
            widget.setEnabled(has and not detail.waiting)
        self.waiting.setVisible(has and detail.waiting)
        self._fill()
        self.retranslate_detail()

    def set_fetching(self, fetching: bool) -> None:
        self.fetch.setEnabled(not fetching)

    def relabel(self, detail: ConflictDetail) -> None:
        """The same conflict read again in another language: its question labels change, the result stays."""
        if self.detail is None or detail.conflict_id != self.detail.conflict_id:
            return
        self.detail = detail
        self.sides.relabel({leaf.path: leaf.label for leaf in detail.leaves})

    def _fill(self) -> None:
        detail = self.detail
        if detail is None:
            self.sides.clear()
            return
        leaves = list(detail.leaves) if self.show_all.isChecked() else detail.differing
        self.sides.set_leaves(leaves)
        self.sides_table.resizeRowsToContents()

    def retranslate_detail(self) -> None:
        detail = self.detail
        if detail is None:  # an empty list is said, not a list to choose from
            self.title.setText(self.tr("No conflict to decide. Fetch the server's conflicts to see those it decided "
                                       "between other devices.") if is_empty(self.model)
                               else self.tr("Choose a conflict in the list."))
            self.who.setText("")
            return
        self.title.setText(self.tr("%1 · registration %2 · %3").replace("%1", detail.title or self.tr("(no name)"))
                           .replace("%2", detail.short_id).replace("%3", centre_text(detail.centre)))
        unknown = self.tr("an unknown date")
        if detail.from_server:  # decided by the server between two other devices
            local = self.tr("Device %1: its version, made on %2").replace("%1", detail.local_device)
            local = local.replace("%2", local_time(detail.local_at) if detail.local_at else unknown)
            server = self.tr("Server: version %1, from device %2, made on %3, kept by the server on %4").replace(
                "%1", str(detail.remote_version or "?")).replace("%2", detail.remote_by or "?").replace(
                "%3", local_time(detail.remote_at) if detail.remote_at else unknown).replace(
                "%4", local_time(detail.opened_at))
            self.keep_local.setText(self.tr("Keep the other de&vice's version"))
            self.keep_local.setToolTip(self.tr("Every answer as device %1 made it").replace("%1", detail.local_device))
        else:
            local = (self.tr("This laptop: saved by %1 on %2").replace("%1", detail.local_by)
                     if detail.local_by else self.tr("This laptop: saved here on %2"))
            local = local.replace("%2", local_time(detail.local_at) if detail.local_at else unknown)
            server = self.tr("Server: version %1, from another device, received here on %2").replace(
                "%1", str(detail.remote_version or "?")).replace("%2", local_time(detail.opened_at))
            self.keep_local.setText(self.tr("Keep this lap&top's version"))
            self.keep_local.setToolTip(self.tr("Every answer as this laptop has it"))
        self.sides.set_local_name(detail.local_device)
        changed = self.tr("%n answer(s) differ.", "", len(detail.differing))
        self.who.setText(f"{local}\n{server}\n{changed}")
        self.waiting.setText(self.tr("The server's version is not on this laptop yet. Sync, then decide."))

    def retranslate(self) -> None:
        super().retranslate()
        self.heading.setText(self.tr("Conflicts"))
        self.intro.setText(self.tr("Two devices changed the same answers of a record. Compare them answer by answer, "
                                   "keep one side or correct the result, and save: your decision becomes a new "
                                   "version that syncs to every device and stays in the record's history."))
        self.show_all.setText(self.tr("Show &all answers, not only those that differ"))
        self.keep_local.setText(self.tr("Keep this lap&top's version"))
        self.keep_remote.setText(self.tr("Keep the &server's version"))
        self.save_result.setText(self.tr("Save the &result"))
        self.fetch.setText(self.tr("&Fetch the server's conflicts"))
        self.fetch.setToolTip(self.tr("Conflicts the server decided between other devices of your region"))
        self.keep_local.setToolTip(self.tr("Every answer as this laptop has it"))
        self.keep_remote.setToolTip(self.tr("Every answer as the server has it"))
        self.save_result.setToolTip(self.tr("The Result column: Enter on a side takes its value, F2 corrects it"))
        self.model.retranslate()
        self.sides.retranslate()
        self.retranslate_detail()


class DuplicatesPage(DeskPage):
    """Candidate pairs (paged, best first) and the decisions made; the chosen pair side by side with its reasons."""

    find_requested = Signal()
    cancel_requested = Signal()
    opened = Signal(str, str)  # a, b
    merge_requested = Signal(str, str)  # kept, merged
    not_same_requested = Signal(str, str)
    undo_requested = Signal(str)  # decision id

    def __init__(self, candidates: CandidateListModel, decisions: DecisionListModel) -> None:
        super().__init__("deskDuplicatesPage")
        self.candidates, self.decisions = candidates, decisions
        self.pair: PairDetail | None = None
        self._answers: tuple[str, ...] = ()
        self.find_button = QPushButton(objectName="findDuplicates")
        self.cancel_button = QPushButton(objectName="cancelFind")
        self.cancel_button.hide()
        self.progress = QProgressBar(objectName="findProgress")
        self.progress.hide()
        self.summary = QLabel(wordWrap=True, objectName="hint")
        top = QHBoxLayout()
        top.addWidget(self.find_button)
        top.addWidget(self.cancel_button)
        top.addWidget(self.progress, 1)
        top.addWidget(self.summary, 2)
        self.layout_.addLayout(top)

        self.table = list_view(candidates, "candidateTable")
        self.table.setMinimumWidth(320)
        self.pair_model = PairModel()
        self.pair_table = QTableView(objectName="pairTable")
        self.pair_table.setTabKeyNavigation(False)  # Tab leaves it, never trapped
        self.pair_table.setModel(self.pair_model)
        self.pair_table.verticalHeader().hide()
        self.pair_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.pair_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # its header and two answers at least, whatever the font (Noto's lines are taller than DejaVu's): the column
        # beside the list scrolls rather than squeezing the pair to one line
        rows = self.pair_table.verticalHeader().defaultSectionSize()
        self.pair_table.setMinimumHeight(self.pair_table.horizontalHeader().sizeHint().height() + 2 * rows + 4)
        self.reasons_model = QStringListModel()
        self.reasons = QListView(objectName="pairReasons")
        self.reasons.setModel(self.reasons_model)
        self.reasons.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.reasons.setMaximumHeight(150)
        self.reasons.setMinimumHeight(2 * self.reasons.fontMetrics().lineSpacing() + 8)  # two reasons; then it scrolls
        self.pair_title = section_heading()
        self.reasons_label = QLabel(wordWrap=True)  # one line in French was 516 pixels wide
        self.keep_a = QPushButton(objectName="keepFirst")
        self.keep_b = QPushButton(objectName="keepSecond")
        self.not_same = QPushButton(objectName="notSame")
        panel, right = _detail_panel()
        right.addWidget(self.pair_title)
        right.addWidget(self.pair_table, 3)
        right.addWidget(self.reasons_label)
        right.addWidget(self.reasons, 1)
        decide = FlowLayout()  # wraps on a narrow screen, as the conflicts' decisions
        for button in (self.keep_a, self.keep_b, self.not_same):
            decide.addWidget(button)
        right.addLayout(decide)
        split = desk_splitter(self.table, panel)

        self.decision_table = list_view(decisions, "decisionTable")
        self.undo_button = QPushButton(objectName="undoDecision")
        decided = QWidget()
        decided_layout = QVBoxLayout(decided)
        decided_layout.addWidget(self.decision_table, 1)
        undo_row = QHBoxLayout()
        undo_row.addWidget(self.undo_button)
        undo_row.addStretch()
        decided_layout.addLayout(undo_row)

        self.tabs = QTabWidget(objectName="duplicateTabs")
        self.tabs.addTab(split, "")
        self.tabs.addTab(decided, "")
        self.finish_layout(self.tabs)

        self.find_button.clicked.connect(self.find_requested.emit)
        self.cancel_button.clicked.connect(self.cancel_requested.emit)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.keep_a.clicked.connect(lambda: self._decide(True))
        self.keep_b.clicked.connect(lambda: self._decide(False))
        self.not_same.clicked.connect(self._not_same)
        self.undo_button.clicked.connect(self._undo)
        self.decision_table.activated.connect(lambda _: self._undo())
        self.show_pair(None)
        self.set_finding(False)
        self.retranslate()

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = current.data(ROW_ROLE) if current.isValid() else None
        if row is not None:
            self.opened.emit(row.a, row.b)

    def _decide(self, keep_first: bool) -> None:
        if self.pair is not None:
            a, b = self.pair.a.record_id, self.pair.b.record_id
            self.merge_requested.emit(*((a, b) if keep_first else (b, a)))

    def _not_same(self) -> None:
        if self.pair is not None:
            self.not_same_requested.emit(self.pair.a.record_id, self.pair.b.record_id)

    def _undo(self) -> None:
        row = selected_row(self.decision_table)
        if row is not None and not row.undone:
            self.undo_requested.emit(row.decision_id)

    def show_pair(self, pair: PairDetail | None, answers: tuple[str, ...] = ()) -> None:
        self.pair, self._answers = pair, answers
        for button in (self.keep_a, self.keep_b, self.not_same):
            button.setEnabled(pair is not None)
        if pair is None:
            self.pair_model.clear()
            self.reasons_model.setStringList([])
        else:
            self.pair_model.set_pair(pair, answers)
            self.reasons_model.setStringList([self.reason_text(r.text, r.points) for r in
                                              sorted(pair.reasons, key=lambda r: -r.points)])
        self.retranslate_pair()

    def reason_text(self, text: str, points: float) -> str:
        sign = "+" if points > 0 else ("−" if points < 0 else "±")
        return f"{sign}{abs(points):.1f}  {reason_words(self, text)}"

    def set_finding(self, finding: bool) -> None:
        self.find_button.setEnabled(not finding)
        self.cancel_button.setVisible(finding)
        self.progress.setVisible(finding)
        if finding:
            self.progress.setRange(0, 0)

    def set_progress(self, stage: str, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(min(done, total))
        self.progress.setFormat(stage + "  %p%")
        self.progress.setTextVisible(True)

    def set_summary(self, count: int) -> None:
        self.summary.setText(self.tr("%n pair(s) to review.", "", count) if count else
                             self.tr("No pair to review. Find duplicates after new registrations arrive."))

    def retranslate_pair(self) -> None:
        pair = self.pair
        if pair is None:
            self.pair_title.setText(self.tr("Choose a pair in the list."))
            self.keep_a.setText(self.tr("Same person: keep the &first"))
            self.keep_b.setText(self.tr("Same person: keep the s&econd"))
        else:
            self.pair_title.setText(self.tr("Score %1 %: %2 (%3) and %4 (%5)")
                                    .replace("%1", str(round(pair.score * 100)))
                                    .replace("%2", pair.a.short_id).replace("%3", centre_text(pair.a.centre))
                                    .replace("%4", pair.b.short_id).replace("%5", centre_text(pair.b.centre)))
            self.keep_a.setText(self.tr("Same person: keep &%1").replace("%1", pair.a.short_id))
            self.keep_b.setText(self.tr("Same person: keep %1").replace("%1", pair.b.short_id))
        self.keep_a.setToolTip(self.tr("Both registrations keep their numbers and their events; this one's case "
                                       "file also shows the other's, and the person counts once. It can be undone."))
        self.keep_b.setToolTip(self.keep_a.toolTip())

    def retranslate(self) -> None:
        super().retranslate()
        self.heading.setText(self.tr("Possible duplicates"))
        self.intro.setText(self.tr("People who may have been registered twice, in any centre of your region. Only "
                                   "people who agreed to be searched for duplicates are compared. Check the answers "
                                   "and the reasons, then decide."))
        self.find_button.setText(self.tr("F&ind duplicates"))
        self.cancel_button.setText(self.tr("&Cancel"))
        self.reasons_label.setText(self.tr("Why they may be the same person (points for and against):"))
        self.not_same.setText(self.tr("&Not the same person"))
        self.undo_button.setText(self.tr("&Undo this decision"))
        self.tabs.setTabText(0, self.tr("&Pairs to review"))
        self.tabs.setTabText(1, self.tr("&Decisions"))
        for model in (self.candidates, self.decisions, self.pair_model):
            model.retranslate()
        if self.pair is not None:
            self.show_pair(self.pair, self._answers)
        self.retranslate_pair()


class RejectedPage(DeskPage):
    """Changes the server (or this laptop) refused, with the reason and what the laptop that made them should do."""

    reviewed_requested = Signal(str)  # conflict id

    def __init__(self, model: RejectedListModel) -> None:
        super().__init__("deskRejectedPage")
        self.model = model
        self.table = list_view(model, "rejectedTable")
        self.reason = section_heading()
        self.advice = QLabel(wordWrap=True)
        self.advice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reviewed = QPushButton(objectName="primary")
        panel, right = _detail_panel()
        right.addWidget(self.reason)
        right.addWidget(self.advice)
        right.addStretch()
        right.addWidget(self.reviewed)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(PanelScroll(panel))
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        self.finish_layout(split)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self.retranslate_detail())
        self.reviewed.clicked.connect(self._reviewed)
        self.table.activated.connect(lambda _: self._reviewed())
        follow_emptiness(model, self.retranslate_detail)
        self.retranslate()

    def current(self) -> ConflictRow | None:
        return selected_row(self.table)

    def _reviewed(self) -> None:
        row = self.current()
        if row is not None:
            self.reviewed_requested.emit(row.conflict_id)

    def retranslate_detail(self) -> None:
        row = self.current()
        self.reviewed.setEnabled(row is not None)
        if row is None:
            self.reason.setText(self.tr("No refused change: nothing to pass on.") if is_empty(self.model)
                                else self.tr("Choose a refused change in the list."))
            self.advice.setText("")
            return
        self.reason.setText(self.tr("Registration %1: %2").replace("%1", row.short_id).replace(
            "%2", refusal_text(row.refusal, row.message)))
        self.advice.setText(advice_text(self, advice_for(row.refusal)))

    def retranslate(self) -> None:
        super().retranslate()
        self.heading.setText(self.tr("Rejected changes"))
        self.intro.setText(self.tr("Changes that could not be applied. Nothing was lost: the record is kept on the "
                                   "laptop that made it. Pass on what to do, then mark the change reviewed."))
        self.reviewed.setText(self.tr("&Mark reviewed"))
        self.model.retranslate()
        self.retranslate_detail()


def advice_text(widget: QWidget, code: str) -> str:
    texts = {
        "too_long": QCoreApplication.translate(
            "DeskWords", "On the laptop that made it: open the record, shorten or correct the answer that is too "
                              "long or holds characters that cannot be sent, and save it. The corrected version is "
                              "sent at the next sync."),
        "other_centre": QCoreApplication.translate(
            "DeskWords", "This record belongs to another centre. The change must be made on a laptop of that "
                                  "centre, or by a coordinator whose laptop the server lets change it."),
        "not_allowed": QCoreApplication.translate(
            "DeskWords", "The people of that laptop may not change this record. Ask a coordinator of its "
                                 "centre to make the change."),
        "check_and_save": QCoreApplication.translate(
            "DeskWords", "On the laptop that made it: open the record, check it and save it again; the "
                                    "corrected version is sent at the next sync. If the same message comes back, "
                                    "give the registration number to your administrator."),
    }
    return texts.get(code, texts["check_and_save"])


def reason_words(widget: QWidget, text: str) -> str:
    """The matcher's reasons in the interface language (its sentences repeat no name, date or number)."""
    fixed = {
        "same document number": QCoreApplication.translate("DeskWords", "same document number"),
        "document numbers one character apart": QCoreApplication.translate("DeskWords", "document numbers one character apart"),
        "different numbers for the same type of document": QCoreApplication.translate(
            "DeskWords", "different numbers for the same type of document"),
        "different document numbers": QCoreApplication.translate("DeskWords", "different document numbers"),
        "same phone number": QCoreApplication.translate("DeskWords", "same phone number"),
        "same phone number (last eight digits)": QCoreApplication.translate("DeskWords", "same phone number (last eight digits)"),
        "same sex": QCoreApplication.translate("DeskWords", "same sex"),
        "different sex": QCoreApplication.translate("DeskWords", "different sex"),
        "same date of birth": QCoreApplication.translate("DeskWords", "same date of birth"),
        "date of birth with day and month swapped": QCoreApplication.translate(
            "DeskWords", "date of birth with day and month swapped"),
        "same month and year of birth": QCoreApplication.translate("DeskWords", "same month and year of birth"),
        "same year of birth": QCoreApplication.translate("DeskWords", "same year of birth"),
        "years of birth one year apart": QCoreApplication.translate("DeskWords", "years of birth one year apart"),
        "age fits the date of birth": QCoreApplication.translate("DeskWords", "age fits the date of birth"),
        "ages fit": QCoreApplication.translate("DeskWords", "ages fit"),
        "ages close": QCoreApplication.translate("DeskWords", "ages close"),
        "same nationality": QCoreApplication.translate("DeskWords", "same nationality"),
        "different nationality": QCoreApplication.translate("DeskWords", "different nationality"),
    }
    if text in fixed:
        return fixed[text]
    if text == "name: no word in common":
        return QCoreApplication.translate("DeskWords", "name: no word in common")
    kinds = {"exact": QCoreApplication.translate(
        "DeskWords", "exact"), "spelling variant": QCoreApplication.translate("DeskWords", "spelling variant"),
             "Arabic/Latin transliteration": QCoreApplication.translate("DeskWords", "Arabic/Latin transliteration"),
             "close spelling": QCoreApplication.translate(
                 "DeskWords", "close spelling"), "weak": QCoreApplication.translate("DeskWords", "weak")}
    name = re.fullmatch(r"name: (\d+) words? \((.*)\)(, given and family names in the other order)?", text)
    if name is not None:
        parts = []
        for part in name.group(2).split(", "):
            count, _, kind = part.partition(" ")
            parts.append(f"{count} {kinds.get(kind, kind)}")
        words = QCoreApplication.translate(
            "DeskWords", "name: %n word(s)", "", int(name.group(1))) + " (" + ", ".join(parts) + ")"
        if name.group(3):
            words += ", " + QCoreApplication.translate("DeskWords", "given and family names in the other order")
        return words
    apart = re.fullmatch(r"(years of birth|ages) (\d+) years apart", text)
    if apart is not None:
        pattern = (QCoreApplication.translate("DeskWords", "years of birth %1 years apart") if apart.group(1) == "years of birth"
                   else QCoreApplication.translate("DeskWords", "ages %1 years apart"))
        return pattern.replace("%1", apart.group(2))
    return text
