"""The skeleton the coordinators' server screens share (Devices, access_devices.py; Deletion alarms,
access_alarms.py): a page with its heading, intro, notice and error lines, Refresh (F5) and Back to the list
(Esc), and the area behind it: its Administration menu entry, shown to those whose roles allow it, opening the
page with its lines cleared and its list reloaded, and the server asked through server_calls."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractItemModel, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QPushButton, QTableView, QVBoxLayout, QWidget

from desktop_app.services import access
from desktop_app.services.session import SignedInUser, classify
from desktop_app.services.sync import describe
from desktop_app.ui.notice_lines import NoticeLines
from desktop_app.ui.messages import failure_text
from desktop_app.ui.server_calls import with_server_connection


def rows_table(model: QAbstractItemModel, object_name: str) -> QTableView:
    """A read-only table of one selectable row at a time, its columns sized to their contents, the last stretched."""
    table = QTableView(objectName=object_name)
    table.setTabKeyNavigation(False)  # Tab leaves it, never trapped
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    table.setStyleSheet("QTableView::item { padding: 4px 10px; }")
    return table


class ServerPage(NoticeLines, QWidget):
    """`body` (the page's column) starts with the heading and the intro; the page adds its tables and buttons, and `add_lines()`
    where the notice and error lines go."""

    refresh_requested = Signal()
    back_requested = Signal()

    def __init__(self, *, object_name: str) -> None:
        super().__init__(objectName=object_name)
        self.heading = QLabel(objectName="pageHeading")
        self.intro = QLabel(wordWrap=True, objectName="hint")
        self.refresh_button = QPushButton()
        self.back_button = QPushButton()
        self.make_lines()
        self.refresh_button.clicked.connect(self.refresh_requested.emit)
        self.back_button.clicked.connect(self.back_requested.emit)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.back_requested.emit,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence(Qt.Key.Key_F5), self, self.refresh_requested.emit,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(24, 16, 24, 16)
        self.body.addWidget(self.heading)
        self.body.addWidget(self.intro)

    def add_lines(self) -> None:
        self.body.addWidget(self.status)
        self.body.addWidget(self.error)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        """Every text of the page, the buttons above included: each page keeps its own, in its own translation
        context (resources/i18n, the access catalogue)."""
        raise NotImplementedError


class ServerArea(QObject):
    """A server screen's area: `page` is added to the window, its entry `action` (hidden until someone whose roles
    allow `right` over `scope` signs in) to the Administration menu. The subclass sets `name` and `open_connection`
    (services: `open_devices`, `open_alarms`), and defines `reload`."""

    name = ""
    right, scope = "", ""

    def __init__(self, *, window, controller, tasks, page: ServerPage, action_name: str, shortcut: str) -> None:
        super().__init__(window)
        self.window, self.controller, self.tasks = window, controller, tasks
        self.page = page
        window.add_page(page)
        self.action = QAction(window, objectName=action_name, shortcut=QKeySequence(shortcut))
        self.action.triggered.connect(self.open)
        self.action.setVisible(False)
        window.access.admin_menu.addAction(self.action)
        page.back_requested.connect(window.show_registrations)
        page.refresh_requested.connect(self.reload)
        controller.unlocked.connect(self._unlocked)
        controller.locking.connect(self._locking)

    def open_connection(self, vault):
        raise NotImplementedError

    def reload(self) -> None:
        raise NotImplementedError

    def _unlocked(self, user: SignedInUser) -> None:
        roles = user.roles or (user.role,)
        allowed = access.roles_allow(roles, self.right, self.scope)
        self.action.setVisible(allowed)
        if allowed:
            self.window.access.menu.setVisible(True)

    def open(self) -> None:
        if self.controller.is_unlocked:
            self.window.show_page(self.page)
            self.page.clear_lines()
            self.reload()

    def _with_connection(self, work: Callable, done: Callable, failed: Callable | None = None) -> None:
        """Rights and credentials on the database thread, then `work(connection, name)` on the network pool."""
        with_server_connection(controller=self.controller, tasks=self.tasks, name=self.name,
                               open_connection=self.open_connection, work=work, done=done,
                               failed=failed or self._failed)

    @staticmethod
    def problem_text(exc: BaseException) -> str:
        text = describe(exc)
        return text if text is not None else failure_text(classify(exc))

    def _failed(self, exc: BaseException) -> None:
        self.page.show_problem(self.problem_text(exc))

    def _locking(self) -> None:
        self.page.clear_lines()
        self.action.setVisible(False)
