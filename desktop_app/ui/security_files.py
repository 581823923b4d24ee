"""Waypoint's own file and folder picker: it remembers nothing anywhere.

A scan is often in a folder named after the person. Qt's file dialog writes the folders it
visited to its settings (`QtProject.conf`: `history`, `lastVisited`) when it closes; the desktop's
native dialogs add files to the recent-files lists (GTK's `recently-used.xbel`, Windows' recent
items and its dialog history in the registry) and may ask for thumbnails. This picker is a plain
dialog over a QFileSystemModel with generic icons: it shows folders and files, writes no setting,
no history and no thumbnail, and forgets the folder it was in when it closes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QDir, QEvent, QModelIndex, Qt, Signal
from PySide6.QtGui import QAbstractFileIconProvider, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileSystemModel,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)


class PrivateFileDialog(QDialog):
    """Pick an existing folder (`folders_only`) or file; `chosen` carries the absolute path."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None, title: str, start: str, *, folders_only: bool,
                 name_filters: tuple[str, ...] = ()) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.folders_only = folders_only
        self._icons = QAbstractFileIconProvider()  # generic icons: no shell lookups, no thumbnails
        self.model = QFileSystemModel(self)
        self.model.setIconProvider(self._icons)
        self.model.setOption(QFileSystemModel.Option.DontWatchForChanges, True)
        self.model.setOption(QFileSystemModel.Option.DontUseCustomDirectoryIcons, True)
        entries = QDir.Filter.AllDirs | QDir.Filter.NoDotAndDotDot | QDir.Filter.Drives
        self.model.setFilter(entries if folders_only else entries | QDir.Filter.Files)
        if name_filters:
            self.model.setNameFilters(list(name_filters))
            self.model.setNameFilterDisables(False)
        self.model.setRootPath("")
        self.view = QTreeView()
        self.view.setModel(self.model)
        self.view.setRootIsDecorated(False)
        self.view.setItemsExpandable(False)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        for column in (1, 2, 3):
            self.view.setColumnHidden(column, column != 3)
        self.path = QLineEdit()
        self.path_label = QLabel()
        self.path_label.setBuddy(self.path)
        self.up_button = QPushButton()
        self.home_button = QPushButton()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        row = QHBoxLayout()
        row.addWidget(self.path_label)
        row.addWidget(self.path, 1)
        row.addWidget(self.up_button)
        row.addWidget(self.home_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.buttons)
        self.resize(640, 420)

        self.view.activated.connect(self._activated)
        self.path.returnPressed.connect(self._path_entered)
        self.up_button.clicked.connect(self._up)
        self.home_button.clicked.connect(lambda: self.go_to(QDir.homePath()))
        self.buttons.accepted.connect(self._accept_selection)
        self.buttons.rejected.connect(self.reject)
        self.finished.connect(self._forget)
        self.retranslate()
        start_path = Path(start) if start else Path(QDir.homePath())
        while not start_path.is_dir() and start_path != start_path.parent:
            start_path = start_path.parent
        self.go_to(str(start_path))

    # --- navigation ------------------------------------------------------------------------
    @property
    def current_folder(self) -> str:
        return str(self.model.filePath(self.view.rootIndex()))

    def go_to(self, folder: str) -> None:
        index = self.model.index(folder)
        if index.isValid() and self.model.isDir(index):
            self.view.setRootIndex(index)
            self.path.setText(str(Path(folder)))
            self.view.setCurrentIndex(QModelIndex())

    def _up(self) -> None:
        parent = Path(self.current_folder).parent
        self.go_to(str(parent))

    def _activated(self, index: QModelIndex) -> None:
        if self.model.isDir(index):
            self.go_to(self.model.filePath(index))
        else:
            self.choose(self.model.filePath(index))

    def _path_entered(self) -> None:
        typed = Path(self.path.text().strip()).expanduser()
        if typed.is_dir() and not self.folders_only:
            self.go_to(str(typed))
        elif typed.is_dir() or typed.is_file():
            self.choose(str(typed))

    def _accept_selection(self) -> None:
        index = self.view.currentIndex()
        if index.isValid() and (self.folders_only or not self.model.isDir(index)):
            self.choose(self.model.filePath(index))
        elif self.folders_only:
            self.choose(self.current_folder)
        elif Path(self.path.text().strip()).is_file():
            self.choose(self.path.text().strip())

    def choose(self, path: str) -> None:
        """Pick `path` (a folder in folder mode, a file otherwise) and close."""
        target = Path(path)
        if (self.folders_only and target.is_dir()) or (not self.folders_only and target.is_file()):
            self.chosen.emit(str(target.resolve()))
            self.accept()

    def _forget(self) -> None:
        # Nothing of where the person went stays in memory after the dialog closes.
        self.path.clear()
        self.view.setModel(None)
        self.model.setRootPath(QDir.rootPath())

    # --- keys and text ---------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Backspace and not self.path.hasFocus():
            self._up()
            return
        super().keyPressEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.path_label.setText(self.tr("&Folder:") if self.folders_only else self.tr("&Look in:"))
        self.up_button.setText(self.tr("&Up"))
        self.home_button.setText(self.tr("&Home"))


def _open(dialog: PrivateFileDialog, on_chosen: Callable[[str], None]) -> PrivateFileDialog:
    dialog.chosen.connect(on_chosen)
    dialog.finished.connect(lambda _: dialog.deleteLater())
    dialog.open()  # window-modal, no nested event loop
    return dialog


def choose_folder(parent: QWidget | None, title: str, start: str,
                  on_chosen: Callable[[str], None]) -> PrivateFileDialog:
    return _open(PrivateFileDialog(parent, title, start, folders_only=True), on_chosen)


def choose_file(parent: QWidget | None, title: str, start: str, on_chosen: Callable[[str], None], *,
                name_filters: tuple[str, ...] = ()) -> PrivateFileDialog:
    return _open(PrivateFileDialog(parent, title, start, folders_only=False, name_filters=name_filters), on_chosen)
