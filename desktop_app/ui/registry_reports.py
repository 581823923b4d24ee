"""Indicators in the app: a period and a scope, the indicators as a table, each one's breakdown as a table and a
bar chart, and an export to CSV, XLSX or PDF (issue 12 points 3–5).

`install_reports(window=, controller=)` (the composition root calls it) adds the screen and Registrations →
Indicators… (Ctrl+Shift+I). Every figure shown has been through disclosure control (services/reports.py): a
small cell shows "<10" (or "<11"), a cell hidden so that totals cannot give it back shows "x", and the notes say
so. Computing and writing run on the database thread. Keyboard: Alt+letters reach every control; the indicator
table and the breakdown follow the arrow keys.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QDate,
    QEvent,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QAction, QColor, QKeySequence, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.services import places, reports, server_reports
from desktop_app.ui import labels
from desktop_app.ui.i18n import Retranslator
from desktop_app.ui.registry_report_server import ServerSource, problem_text, scope_words
from desktop_app.ui.registry_search import centre_name
from desktop_app.ui.security_files import choose_folder
from waypoint_core.registry.disclosure import COMPLEMENT, PRIMARY, TOTAL, Protected
from waypoint_core.registry.exports import Section
from waypoint_core.registry.indicators import COUNSELLED, DIMENSIONS


def indicator_title(code: str) -> str:
    titles = {
        "3.2": QCoreApplication.translate(
            "Reports", "Migrants in transit and forcibly displaced people protected or assisted"
        ),
        "3.3": QCoreApplication.translate(
            "Reports", "(Potential) migrants reached by information campaigns on migration"
        ),
        "3.4": QCoreApplication.translate("Reports", "Voluntary returns supported"),
        "3.5": QCoreApplication.translate("Reports", "Returning migrants benefitting from post-arrival assistance"),
        "3.5bis": QCoreApplication.translate("Reports", "Returning migrants benefitting from reintegration assistance"),
        "vot": QCoreApplication.translate("Reports", "Victims of trafficking identified, assisted or referred"),
    }
    return titles.get(code, code)


def dimension_name(dimension: str) -> str:
    names = {
        "sex": QCoreApplication.translate("Reports", "Sex"),
        "age_group": QCoreApplication.translate("Reports", "Age group"),
        "nationality": QCoreApplication.translate("Reports", "Nationality"),
        "centre": QCoreApplication.translate("Reports", "Centre"),
        "category": QCoreApplication.translate("Reports", "Category"),
        "channel": QCoreApplication.translate("Reports", "Channel"),
        "target_group": QCoreApplication.translate("Reports", "Target group"),
    }
    return names.get(dimension, dimension)


def category_name(dimension: str, code: str, choices: dict[str, dict[str, str]] | None = None) -> str:
    """A category as the screen names it; 3.3's channels and target groups by the forms' own labels in the interface
    language (`choices`: question -> code -> label, reports.form_choices)."""
    if code == "unknown":
        return QCoreApplication.translate("Reports", "Not recorded")
    if dimension == "sex":
        return labels.sex_name(code)
    if dimension == "nationality":
        return labels.country_name(code)
    if dimension == "centre":
        return centre_name(code)
    if dimension == "age_group":
        return reports.age_group_label(code)  # 3.3's bands: 0–17, 18–24, 25–35, 36+
    if dimension == "channel" and code == COUNSELLED:
        return QCoreApplication.translate("Reports", "Individual counselling")
    if dimension in ("channel", "target_group"):
        for question in reports.WORDED[dimension]:
            if code in (choices or {}).get(question, {}):
                return (choices or {})[question][code]
    categories = {
        "migrant_transit": QCoreApplication.translate("Reports", "Migrant in transit"),
        "stranded": QCoreApplication.translate("Reports", "Stranded migrant"),
        "expelled": QCoreApplication.translate("Reports", "Expelled or pushed back"),
        "returnee": QCoreApplication.translate("Reports", "Returnee"),
        "asylum_seeker": QCoreApplication.translate("Reports", "Asylum seeker"),
        "refugee": QCoreApplication.translate("Reports", "Refugee"),
        "idp": QCoreApplication.translate("Reports", "Internally displaced person"),
        "host_community": QCoreApplication.translate("Reports", "Host community"),
        "other": QCoreApplication.translate("Reports", "Other"),
    }
    return categories.get(code, code)


def note_text(protected: Protected) -> str:
    primary = sum(1 for r in protected.hidden.values() if r == PRIMARY)
    complement = sum(1 for r in protected.hidden.values() if r == COMPLEMENT)
    if not primary:
        return QCoreApplication.translate("Reports", "No cell below %1: nothing hidden.").replace(
            "%1", str(protected.k)
        )
    text = QCoreApplication.translate(
        "Reports", "%n cell(s) of fewer than %1 people shown as <%1", "", primary
    ).replace("%1", str(protected.k))
    if complement:
        text += "; " + QCoreApplication.translate(
            "Reports", "%n more shown as x so that totals cannot give them back", "", complement
        )
    return text + "."


class IndicatorModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.sections: list[Section] = []

    def set_sections(self, sections) -> None:
        self.beginResetModel()
        self.sections = list(sections)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.sections)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return (self.tr("EUTF"), self.tr("Indicator"), self.tr("People"))[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.sections):
            return None
        section = self.sections[index.row()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        code = section.result.code
        return (code.replace("bis", " bis") if code != "vot" else "—", indicator_title(code), section.total_shown())[
            index.column()
        ]

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 2)
        if self.sections:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.sections) - 1, 2))


class BreakdownModel(QAbstractTableModel):
    """One protected one-way table: category, what is shown, and its total last."""

    def __init__(self) -> None:
        super().__init__()
        self.dimension = ""
        self.protected: Protected | None = None
        self.choices: dict[str, dict[str, str]] = {}  # the forms' labels in the interface language

    def category(self, code: str) -> str:
        return category_name(self.dimension, code, self.choices)

    def set_table(self, dimension: str, protected: Protected | None) -> None:
        self.beginResetModel()
        self.dimension, self.protected = dimension, protected
        self.endResetModel()

    def _rows(self) -> list[str]:
        return [*self.protected.table.rows, TOTAL] if self.protected is not None else []

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows())

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 2

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return (dimension_name(self.dimension), self.tr("People"))[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        rows = self._rows()
        if not index.isValid() or index.row() >= len(rows) or self.protected is None:
            return None
        row = rows[index.row()]
        column = self.protected.table.columns[0]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 1:
            reason = self.protected.hidden.get((row, column))
            if reason == PRIMARY:
                return self.tr("Fewer than %1 people: hidden so that no one can be recognised.").replace(
                    "%1", str(self.protected.k)
                )
            if reason == COMPLEMENT:
                return self.tr("Hidden so that the totals cannot give a small cell back.")
            return None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if index.column() == 0:
            return self.tr("Total") if row == TOTAL else self.category(row)
        return self.protected.shown((row, column))


class BarChart(QWidget):
    """Bars for the published cells of the breakdown; a hidden cell is an empty outline labelled as shown."""

    def __init__(self, model: BreakdownModel) -> None:
        super().__init__(objectName="indicatorChart")
        self.model = model
        self.setMinimumHeight(160)
        model.modelReset.connect(self.update)

    def paintEvent(self, event) -> None:
        protected = self.model.protected
        if protected is None or not protected.table.rows:
            return
        column = protected.table.columns[0]
        rows = protected.table.rows[:12]
        published = [protected.table.value((r, column)) for r in rows if (r, column) not in protected.hidden]
        top = max(published, default=1) or 1
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text_colour = self.palette().color(QPalette.ColorRole.WindowText)
        bar_colour = QColor("#2f6f9f")
        metrics = painter.fontMetrics()
        height = min(28, max(14, (self.height() - 8) // max(1, len(rows))))
        label_width = min(
            self.width() // 3, max(metrics.horizontalAdvance(self.model.category(r)) for r in rows) + 12
        )
        value_width = metrics.horizontalAdvance("<11 ") + 12
        span = max(10, self.width() - label_width - value_width - 8)
        for n, row in enumerate(rows):
            y = 4 + n * height
            painter.setPen(text_colour)
            label = metrics.elidedText(self.model.category(row), Qt.TextElideMode.ElideRight, label_width - 8)
            painter.drawText(
                0, y, label_width - 8, height, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), label
            )
            shown = protected.shown((row, column))
            bar_height = height - 6
            if (row, column) in protected.hidden:
                painter.setPen(bar_colour)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(label_width, y + 3, 14, bar_height)
                width = 14
            else:
                width = max(1, int(span * protected.table.value((row, column)) / top))
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(bar_colour)
                painter.drawRect(label_width, y + 3, width, bar_height)
            painter.setPen(text_colour)
            painter.drawText(label_width + width + 6, y, value_width, height, int(Qt.AlignmentFlag.AlignVCenter), shown)
        painter.end()


class ReportsPage(QWidget):
    def __init__(self) -> None:
        super().__init__(objectName="reportsPage")
        self.shown: reports.IndicatorReport | None = None  # the report on screen (saved as it is when the server's)
        self.heading = QLabel(objectName="pageHeading")
        self.intro = QLabel(wordWrap=True)
        today = QDate.currentDate()
        quarter_start = QDate(today.year(), 3 * ((today.month() - 1) // 3) + 1, 1)
        self.start = QDateEdit(quarter_start, calendarPopup=True, objectName="reportFrom", displayFormat="yyyy-MM-dd")
        self.end = QDateEdit(today, calendarPopup=True, objectName="reportTo", displayFormat="yyyy-MM-dd")
        self.scope = QComboBox(objectName="reportScope")
        # Whose figures: this laptop's records, or the server's of this centre, this region or a centre of it
        # (coordinators only: hidden for everyone else; registry_report_server.py)
        self.source = QComboBox(objectName="reportSource")
        self.source_label = QLabel()
        self.source_label.setBuddy(self.source)
        self.progress = QProgressBar(objectName="reportProgress", textVisible=False)
        self.progress.setRange(0, 0)  # a request to the server says nothing of how far it is
        self.progress.setMaximumWidth(240)
        self.progress.hide()
        self.compute_button = QPushButton(objectName="primary")
        self.compute_button.setDefault(True)
        self.format = QComboBox(objectName="reportFormat")
        self.format.addItems(["PDF", "XLSX", "CSV"])
        self.export_button = QPushButton(objectName="reportExport")
        self.export_button.setEnabled(False)
        self.start_label, self.end_label, self.scope_label, self.format_label = QLabel(), QLabel(), QLabel(), QLabel()
        for label, widget in (
            (self.start_label, self.start),
            (self.end_label, self.end),
            (self.scope_label, self.scope),
            (self.format_label, self.format),
        ):
            label.setBuddy(widget)
        form = QFormLayout()
        form.addRow(self.start_label, self.start)
        form.addRow(self.end_label, self.end)
        form.addRow(self.source_label, self.source)
        form.addRow(self.scope_label, self.scope)
        self.source_row = form
        self.show_sources(False)
        top = QHBoxLayout()
        top.addLayout(form)
        actions = QVBoxLayout()
        actions.addWidget(self.compute_button)
        export_row = QHBoxLayout()
        export_row.addWidget(self.format_label)
        export_row.addWidget(self.format)
        export_row.addWidget(self.export_button)
        actions.addLayout(export_row)
        actions.addStretch()
        top.addLayout(actions)
        top.addStretch()
        self.indicators = IndicatorModel()
        self.table = QTableView(objectName="indicatorTable")
        self.table.setTabKeyNavigation(False)  # Tab leaves it, never trapped
        self.table.setModel(self.indicators)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.dimension = QComboBox(objectName="reportDimension")
        self.dimension_label = QLabel()
        self.dimension_label.setBuddy(self.dimension)
        self.breakdown = BreakdownModel()
        self.breakdown_table = QTableView(objectName="breakdownTable")
        self.breakdown_table.setTabKeyNavigation(False)  # Tab leaves it, never trapped
        self.breakdown_table.setModel(self.breakdown)
        self.breakdown_table.verticalHeader().hide()
        self.breakdown_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.breakdown_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.chart = BarChart(self.breakdown)
        self.note = QLabel(objectName="reportNote", wordWrap=True)
        self.status = QLabel(objectName="reportStatus", wordWrap=True)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        picker = QHBoxLayout()
        picker.addWidget(self.dimension_label)
        picker.addWidget(self.dimension)
        picker.addStretch()
        lower_layout.addLayout(picker)
        pair = QHBoxLayout()
        pair.addWidget(self.breakdown_table, 2)
        chart_and_note = QVBoxLayout()  # the note under the chart: the table keeps the height for its total
        chart_and_note.addWidget(self.chart, 1)
        chart_and_note.addWidget(self.note)
        pair.addLayout(chart_and_note, 3)
        lower_layout.addLayout(pair, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(lower)
        splitter.setStretchFactor(1, 2)
        # the breakdown with its total in view on a laptop's screen (1100 × 700): rows as high as their text needs,
        # and about a third of the height to the indicators (they scroll; the one selected stays in view)
        for view in (self.table, self.breakdown_table):
            view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
        splitter.setSizes([130, 230])
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.intro)
        layout.addLayout(top)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(splitter, 1)
        self.choices: dict[str, dict[str, dict[str, str]]] = {}  # language -> the forms' labels (IndicatorReport)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self.fill_dimensions())
        self.dimension.currentIndexChanged.connect(lambda *_: self.show_breakdown())
        self.source.currentIndexChanged.connect(lambda *_: self._source_changed())
        self.retranslate()

    def show_sources(self, shown: bool) -> None:
        """The Data chooser, for those who may ask the server (coordinators); back to this laptop's records."""
        self.source_row.setRowVisible(self.source, shown)
        if not shown:
            self.source.setCurrentIndex(0)
        self._source_changed()

    def _source_changed(self) -> None:
        # the Scope filter narrows this laptop's records; the server's figures have their scope in the Data chosen
        self.scope.setEnabled(not self.source.currentData())

    def set_busy(self, text: str | None) -> None:
        """A request under way (its sentence and the busy bar, Compute waiting), or none."""
        self.progress.setVisible(text is not None)
        self.compute_button.setEnabled(text is None)
        if text is not None:
            self.status.setText(text)

    def set_scopes(self, place) -> None:
        self.scope.clear()
        self.scope.addItem(self.tr("All"), "all")
        if place.country:
            self.scope.addItem(labels.country_name(place.country), f"country:{place.country}")
        if place.centre:
            self.scope.addItem(centre_name(place.centre), f"centre:{place.centre}")

    def period(self) -> tuple[date, date]:
        return self.start.date().toPython(), self.end.date().toPython()

    def show_report(self, done: reports.IndicatorReport) -> None:
        self.shown = done
        self.choices = done.choices
        self.indicators.set_sections(done.report.sections)
        self.export_button.setEnabled(bool(done.report.sections))
        seconds = QLocale().toString(done.seconds, "f", 1)
        if done.computed_by == "server":
            words = self.tr("Computed by the server for %1 in %2 s; counts rounded down to a multiple of 5, as they "
                            "left the server.").replace("%1", scope_words(done.report.scope)).replace("%2", seconds)
        else:
            words = self.tr("Computed in %1 s.").replace("%1", seconds)
        if done.unlinked and done.computed_by == "server":
            words += " " + self.tr(
                "%n event(s) or referral(s) name no registration in this scope and are not counted.", "", done.unlinked
            )
        elif done.unlinked:
            words += " " + self.tr(
                "%n event(s) or referral(s) name no registration on this laptop and are not counted.", "", done.unlinked
            )
        if any(reason == "cases_not_seen" for reason, _code in done.report.withheld):
            words += " " + self.tr("Trafficking cases are not seen with your role: their indicator is not shown.")
        self.status.setText(words)
        if done.report.sections:
            self.table.selectRow(0)
        self.fill_dimensions()

    def show_breakdown(self) -> None:
        row = self.table.currentIndex().row()
        if row < 0 or row >= len(self.indicators.sections):
            self.breakdown.set_table("", None)
            self.note.setText("")
            return
        tables = dict(self.indicators.sections[row].tables)
        dimension = self.dimension.currentData() or "sex"
        protected = tables.get(dimension)
        self.breakdown.choices = self.choices.get(labels.ui_language(), {})
        self.breakdown.set_table(dimension, protected)
        text = note_text(protected) if protected is not None else ""
        reach = self.indicators.sections[row].result.estimated_reach
        if reach:  # 3.3: the mass-media audience, a figure apart, never among the people counted
            text += "\n" + self.tr(
                "Estimated reach of mass media (radio, social media): %1, reported apart and not added to the people "
                "counted."
            ).replace("%1", QLocale().toString(int(reach)))
        self.note.setText(text)

    def fill_dimensions(self) -> None:
        """The breakdowns the selected indicator has (3.3: also by channel and target group), in the interface
        language, the one chosen kept when the indicator has it (else by sex), then that breakdown shown."""
        row = self.table.currentIndex().row()
        sections = self.indicators.sections
        keys = [d for d, _ in sections[row].tables] if 0 <= row < len(sections) else list(DIMENSIONS)
        current = self.dimension.currentData()
        self.dimension.blockSignals(True)
        self.dimension.clear()
        for key in keys:
            self.dimension.addItem(dimension_name(key), key)
        self.dimension.setCurrentIndex(max(0, self.dimension.findData(current)))
        self.dimension.blockSignals(False)
        self.show_breakdown()

    def clear(self) -> None:
        self.shown = None
        self.set_busy(None)
        self.indicators.set_sections([])
        self.choices = {}
        self.fill_dimensions()
        self.breakdown.set_table("", None)
        self.note.setText("")
        self.status.setText("")
        self.export_button.setEnabled(False)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Indicators"))
        self.intro.setText(
            self.tr(
                "Each person is counted once per indicator and period. Figures of fewer than 10 "
                "people (11 for trafficking) are hidden, and so are the figures that would give "
                "them back."
            )
        )
        self.start_label.setText(self.tr("&From:"))
        self.end_label.setText(self.tr("&To:"))
        self.scope_label.setText(self.tr("&Scope:"))
        self.source_label.setText(self.tr("&Data:"))
        self.format_label.setText(self.tr("F&ormat:"))
        self.dimension_label.setText(self.tr("&By:"))
        self.compute_button.setText(self.tr("&Compute"))
        self.export_button.setText(self.tr("&Export…"))
        self.indicators.retranslate()
        self.fill_dimensions()


class ReportsArea(QObject):
    def __init__(self, *, window, controller, tasks) -> None:
        super().__init__(window)
        self.window, self.controller = window, controller
        self.page = ReportsPage()
        self.server = ServerSource(controller=controller, tasks=tasks, chooser=self.page.source)
        self.may_ask_server = False
        window.add_page(self.page)
        self.action = QAction(window, objectName="indicatorsAction", shortcut=QKeySequence("Ctrl+Shift+I"))
        self.action.triggered.connect(self.open)
        self.action.setEnabled(False)
        window.registrations_menu.addAction(self.action)
        self.page.compute_button.clicked.connect(self.compute)
        self.page.export_button.clicked.connect(self.export)
        controller.unlocked.connect(self._unlocked)
        controller.locking.connect(self._locking)
        self.retranslate()

    def _unlocked(self, _user) -> None:
        self.action.setEnabled(True)
        task = self.controller.run_with_vault(
            lambda vault, state: (places.get_place(vault), server_reports.may_ask_server(vault)), name="db:place")
        task.succeeded.connect(self._placed)

    def _placed(self, found) -> None:
        place, self.may_ask_server = found
        self.page.set_scopes(place)
        self.page.show_sources(self.may_ask_server)

    def _locking(self) -> None:
        self.action.setEnabled(False)
        self.may_ask_server = False
        self.page.clear()
        self.page.show_sources(False)
        self.server.reset()

    def open(self) -> None:
        if self.controller.is_unlocked:
            self.window.show_page(self.page)
            self.page.compute_button.setFocus()
            if self.may_ask_server:
                self.server.list_scopes()

    def compute(self) -> None:
        if not self.controller.is_unlocked:
            return
        start, end = self.page.period()
        chosen = self.server.chosen()
        if chosen is not None:
            self.compute_on_server(chosen, start, end)
            return
        scope = reports.Scope.parse(self.page.scope.currentData() or "all")
        self.page.status.setText(self.tr("Computing…"))
        session_number = self.controller.session_number
        task = self.controller.run_with_vault(
            lambda vault, state: reports.compute(vault, start=start, end=end, scope=scope), name="db:indicators"
        )
        task.succeeded.connect(
            lambda done: session_number == self.controller.session_number and self.page.show_report(done)
        )
        task.failed.connect(
            lambda exc: self.page.status.setText(
                self.tr("The indicators could not be computed: %1").replace("%1", str(exc))
            )
        )

    def compute_on_server(self, chosen, start, end) -> None:
        """The server's figures, on the network pool; what is on screen stays until they arrive, and stays if they
        do not (nothing is lost: the laptop's own records are untouched)."""
        if end < start:
            self.page.status.setText(self.tr("The indicators could not be computed: %1").replace(
                "%1", self.tr("the period ends before it starts")))
            return
        session_number = self.controller.session_number
        self.page.set_busy(self.tr("Asking the server for the figures of %1…").replace(
            "%1", self.page.source.currentText()))

        def done(report) -> None:
            if session_number == self.controller.session_number:
                self.page.set_busy(None)
                self.page.show_report(report)

        def failed(exc: BaseException) -> None:
            if session_number == self.controller.session_number:
                self.page.set_busy(None)
                said = problem_text(exc)
                if self.page.shown is not None:  # what is on screen is not this request's answer
                    said += " " + self.tr("The figures below are still those of the last computation.")
                self.page.status.setText(said)

        self.server.compute(chosen, start=start, end=end, language=labels.ui_language(), done=done, failed=failed)

    def export(self) -> None:
        choose_folder(self.window, self.tr("Choose where to save the report"), str(Path.home()), self.write_to)

    def write_to(self, folder: str) -> None:
        if not self.controller.is_unlocked:
            return
        shown = self.page.shown
        if shown is not None and shown.computed_by == "server":
            self.save_server_report(shown, folder)
            return
        start, end = self.page.period()
        scope = reports.Scope.parse(self.page.scope.currentData() or "all")
        suffix = self.page.format.currentText().lower()
        out = Path(folder) / f"waypoint-indicators-{start.isoformat()}-{end.isoformat()}.{suffix}"
        language = labels.ui_language()
        # Computing and writing take seconds on a large vault: say so, and no second click starts a second save.
        self.page.export_button.setEnabled(False)
        self.page.status.setText(self.tr("Saving the report…"))
        task = self.controller.run_with_vault(
            lambda vault, state: reports.write(vault, start=start, end=end, scope=scope, out=out, language=language),
            name="db:indicators-export",
        )
        task.succeeded.connect(lambda _: self.page.status.setText(self.tr("Saved %1.").replace("%1", str(out))))
        task.failed.connect(
            lambda exc: self.page.status.setText(self.tr("The report could not be saved: %1").replace(
                "%1", f"{exc.filename}: {exc.strerror}" if isinstance(exc, OSError) and exc.filename else str(exc)))
        )
        task.finished.connect(lambda: self.page.export_button.setEnabled(True))

    def save_server_report(self, shown, folder: str) -> None:
        """The server's answer on screen, saved as it is (not asked again): its scope and where it was computed in
        the file's name, heading and notes."""
        self.page.export_button.setEnabled(False)
        self.page.status.setText(self.tr("Saving the report…"))
        task, out = self.server.save(shown, folder, self.page.format.currentText().lower(), labels.ui_language())
        task.succeeded.connect(lambda _: self.page.status.setText(self.tr("Saved %1.").replace("%1", str(out))))
        task.failed.connect(
            lambda exc: self.page.status.setText(self.tr("The report could not be saved: %1").replace(
                "%1", f"{exc.filename}: {exc.strerror}" if isinstance(exc, OSError) and exc.filename else str(exc)))
        )
        task.finished.connect(lambda: self.page.export_button.setEnabled(True))

    def retranslate(self) -> None:
        self.server.fill()
        self.action.setText(self.tr("&Indicators…"))
        self.action.setToolTip(
            self.tr("Indicators for a period, protected, with tables, charts and exports (Ctrl+Shift+I)")
        )


def install_reports(*, window, controller, tasks) -> ReportsArea:
    area = ReportsArea(window=window, controller=controller, tasks=tasks)
    area.retranslator = Retranslator(area.window, area.retranslate)
    window.reports_area = area
    return area
