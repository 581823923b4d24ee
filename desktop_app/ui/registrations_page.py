"""The registration list screen: a search box over the lazily loaded table."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.registration_model import RECORD_ID_ROLE, TITLE, RegistrationListModel


class RegistrationsPage(QWidget):
    open_requested = Signal(str)  # record id: the forms work opens the record

    def __init__(self, *, model: RegistrationListModel) -> None:
        super().__init__()
        self.setObjectName("registrationsPage")
        self.model = model
        self.heading = QLabel(objectName="pageHeading")
        self.search = QLineEdit(clearButtonEnabled=True)
        self.search.setMaxLength(100)
        self.search_label = QLabel()
        self.search_label.setBuddy(self.search)
        self.table = QTableView()
        self.table.setTabKeyNavigation(False)  # Tab leaves it, never trapped
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        # Short columns fit their content (Qt measures only the rows it has loaded, at most 1,000);
        # the name takes the rest of the width.
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(60)
        self.empty = QLabel(objectName="emptyState", wordWrap=True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # The table and the "nothing here" message share one place: a big message is easier to
        # notice than a blank grid.
        self.body = QStackedWidget()
        self.body.addWidget(self.table)
        self.body.addWidget(self.empty)
        self.problem = QLabel(objectName="error", wordWrap=True)
        self.problem.hide()

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.search_label)
        layout.addWidget(self.search)
        layout.addWidget(self.problem)
        layout.addWidget(self.body, 1)

        # Search after a short pause in typing, not on every key: each search is a query.
        self._search_delay = QTimer(self, singleShot=True, interval=300)
        self._search_delay.timeout.connect(self._run_search)
        self.search.textChanged.connect(lambda _: self._search_delay.start())
        self.search.returnPressed.connect(self._run_search)
        self.table.activated.connect(self._activated)
        model.modelReset.connect(self._update_empty)
        model.rowsInserted.connect(self._update_empty)
        model.loading_changed.connect(lambda _: self._update_empty())
        model.load_failed.connect(self._load_failed)
        self.retranslate()

    def reload(self) -> None:
        """Show the list from the top with the current search (after unlock or a save)."""
        self.problem.hide()
        self.model.refresh(self.search.text().strip() or None)

    def clear(self) -> None:
        """Lock: no row, no search text left on screen."""
        self._search_delay.stop()
        self.search.blockSignals(True)
        # setText, not clear(): clear() is an edit Ctrl+Z undoes, which gave the next person to sign in the name
        # typed before the lock; setText empties the undo history too
        self.search.setText("")
        self.search.blockSignals(False)
        self.problem.hide()
        self.model.clear()

    def _run_search(self) -> None:
        self._search_delay.stop()
        self.reload()

    def _activated(self, index: QModelIndex) -> None:
        self.open_requested.emit(self.model.data(index, RECORD_ID_ROLE))

    def _load_failed(self, exc: BaseException) -> None:
        self.problem.setText(self.tr("The list could not be loaded. Lock and unlock the vault, then try again."))
        self.problem.show()

    def _update_empty(self) -> None:
        if self.model.rowCount() > 0:
            self.body.setCurrentWidget(self.table)
            return
        if self.model.is_loading:
            self.empty.setText(self.tr("Loading…"))
        elif self.search.text().strip():
            self.empty.setText(self.tr("No registration matches this search."))
        else:
            self.empty.setText(self.tr("No registrations yet. Choose Registrations → New registration to add one."))
        self.body.setCurrentWidget(self.empty)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Registrations"))
        self.search_label.setText(self.tr("&Search by name or ID"))
        self.search.setPlaceholderText(self.tr("Type to search"))
        self.model.retranslate()
        self._update_empty()
