"""The People screen (administrators): who may open this laptop's vault, their roles, and what to do about them.

A table (a Qt item model) of people with their roles and whether they must choose a new passphrase; buttons and
keys to add someone, change their roles, reset a forgotten passphrase to a temporary one, or remove them. Every
action goes through services/people.py on the database thread, which checks the right again (a hidden button is
never the only guard). Passphrases are typed into password fields with the vault's own advice (PassphraseAdvice);
a temporary passphrase is suggested in large type that cannot be copied.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.services import people
from desktop_app.services.people import Person
from desktop_app.services.session import Failure
from desktop_app.ui import labels
from desktop_app.ui.messages import failure_text
from desktop_app.ui.row_model import RowsModel
from desktop_app.ui.security_passphrase import PassphraseAdvice

NAME, ROLES, STATE = range(3)
USERNAME_ROLE = Qt.ItemDataRole.UserRole + 1


class PeopleModel(RowsModel):
    """People as rows: name, roles (in the interface language), passphrase state."""

    COLUMNS = 3

    def set_people(self, found: list[Person]) -> None:
        self.set_rows(found)

    def person(self, row: int) -> Person | None:
        found: Person | None = self.row(row)
        return found

    def row_of(self, username: str) -> int:
        return self.find(lambda p: p.username == username)

    def headers(self) -> dict[int, str]:
        return {NAME: self.tr("Name"), ROLES: self.tr("Roles"), STATE: self.tr("Passphrase")}

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        person = self.person(index.row()) if index.isValid() else None
        if person is None:
            return None
        if role == USERNAME_ROLE:
            return person.username
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == NAME:
                return person.username + (self.tr(" (you)") if person.is_you else "")
            if index.column() == ROLES:
                return labels.roles_text(person.roles) if person.roles else self.tr("No valid role")
            if index.column() == STATE:
                return self.tr("Must choose a new one at the next sign-in") if person.must_change_passphrase \
                    else self.tr("Set")
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == ROLES and person.reads_sensitive:
            return self.tr("Reads restricted answers (case worker)")
        return None



class RoleChoices(QWidget):
    """One check box per role, each named in the interface language."""

    def __init__(self, chosen: tuple[str, ...] = ()) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.boxes: dict[str, QCheckBox] = {}
        for role in people.all_roles():
            box = QCheckBox(labels.role_name(role), objectName=f"role_{role}")
            box.setChecked(role in chosen)
            self.boxes[role] = box
            layout.addWidget(box)

    def chosen(self) -> list[str]:
        return [role for role, box in self.boxes.items() if box.isChecked()]


class AddPersonDialog(QDialog):
    """Name, roles and a first passphrase (typed twice, or suggested)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="addPersonDialog")
        self.setWindowTitle(self.tr("Add a person"))
        self.username = QLineEdit(objectName="newUsername")
        self.username.setMaxLength(64)
        self.roles = RoleChoices(("field_staff",))
        self.passphrase = QLineEdit(objectName="newPassphrase", echoMode=QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit(objectName="repeatPassphrase", echoMode=QLineEdit.EchoMode.Password)
        self.advice = PassphraseAdvice(passphrase=self.passphrase, repeat=self.repeat,
                                       username=lambda: self.username.text())
        self.problem = QLabel(objectName="error", wordWrap=True)
        self.problem.hide()
        form = QFormLayout()
        form.addRow(self._label(self.tr("&Name:"), self.username), self.username)
        form.addRow(self._label(self.tr("Roles:"), self.roles), self.roles)
        form.addRow(self._label(self.tr("&Passphrase:"), self.passphrase), self.passphrase)
        form.addRow(self._label(self.tr("&Repeat:"), self.repeat), self.repeat)
        form.addRow("", self.advice)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("&Add"))
        self.buttons.accepted.connect(self._check)
        self.buttons.rejected.connect(self.reject)
        self.setMinimumWidth(560)
        # the suggested words appear below the fields: grow to show them whole
        self.advice.suggest_button.clicked.connect(lambda: QTimer.singleShot(0, self.adjustSize))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("They sign in with this name and passphrase. Give the passphrase to them in "
                                        "person; they may change it later."), wordWrap=True))
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)

    @staticmethod
    def _label(text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(buddy)
        return label

    def _check(self) -> None:
        if not self.username.text().strip():
            return self._refuse(self.tr("Type the person's name."))
        if not self.roles.chosen():
            return self._refuse(self.tr("Choose at least one role."))
        if self.passphrase.text() != self.repeat.text():
            return self._refuse(self.tr("The two passphrases differ."))
        if not self.advice.acceptable:
            return self._refuse(self.advice.refusal())
        self.accept()

    def _refuse(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()


class RolesDialog(QDialog):
    def __init__(self, person: Person, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="rolesDialog")
        self.setMinimumWidth(480)
        self.setWindowTitle(self.tr("Roles of %1").replace("%1", person.username))
        self.roles = RoleChoices(person.roles)
        self.problem = QLabel(objectName="error", wordWrap=True)
        self.problem.hide()
        explain = QLabel(self.tr("Case workers read restricted answers (trafficking, violence, health) and open "
                                 "trafficking cases. A new case worker receives the keys when another case worker "
                                 "next signs in on this laptop, or through sync."), wordWrap=True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addWidget(self.roles)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def _check(self) -> None:
        if not self.roles.chosen():
            self.problem.setText(self.tr("Choose at least one role."))
            self.problem.show()
            return
        self.accept()


class ResetDialog(QDialog):
    """A temporary passphrase (suggested at once, in large type) the person replaces at their next sign-in."""

    def __init__(self, person: Person, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="resetDialog")
        self.setWindowTitle(self.tr("Reset the passphrase of %1").replace("%1", person.username))
        self.passphrase = QLineEdit(objectName="temporaryPassphrase", echoMode=QLineEdit.EchoMode.Password)
        self.advice = PassphraseAdvice(passphrase=self.passphrase, username=lambda: person.username)
        self.problem = QLabel(objectName="error", wordWrap=True)
        self.problem.hide()
        label = QLabel(self.tr("&Temporary passphrase:"))
        label.setBuddy(self.passphrase)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("&Reset"))
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Tell %1 this passphrase in person. At the next sign-in they must choose "
                                        "their own before anything else.").replace("%1", person.username),
                                wordWrap=True))
        row = QHBoxLayout()
        row.addWidget(label)
        row.addWidget(self.passphrase, 1)
        layout.addLayout(row)
        layout.addWidget(self.advice)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
        self.advice.suggest_button.clicked.connect(lambda: QTimer.singleShot(0, self.adjustSize))
        self.advice.suggest()

    def _check(self) -> None:
        if not self.advice.acceptable:
            self.problem.setText(self.advice.refusal())
            self.problem.show()
            return
        self.accept()


class PeoplePage(QWidget):
    """The screen: heading, the table, the actions, a line saying what happened."""

    add_requested = Signal()
    roles_requested = Signal(str)
    reset_requested = Signal(str)
    remove_requested = Signal(str)
    back_requested = Signal()

    def __init__(self, model: PeopleModel) -> None:
        super().__init__(objectName="peoplePage")
        self.model = model
        self.heading = QLabel(objectName="pageHeading")
        self.intro = QLabel(wordWrap=True, objectName="hint")
        self.table = QTableView(objectName="peopleTable")
        self.table.setTabKeyNavigation(False)  # Tab leaves it, never trapped
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setStyleSheet("QTableView::item { padding: 4px 10px; }")
        self.table.activated.connect(lambda index: self._emit_for(self.roles_requested, index.row()))
        self.add_button = QPushButton(objectName="primary")
        self.roles_button = QPushButton()
        self.reset_button = QPushButton()
        self.remove_button = QPushButton()
        self.back_button = QPushButton()
        self.status = QLabel(wordWrap=True, objectName="notice")
        self.status.hide()
        self.error = QLabel(wordWrap=True, objectName="error")
        self.error.hide()
        self.add_button.clicked.connect(self.add_requested.emit)
        self.roles_button.clicked.connect(lambda: self._emit_for(self.roles_requested))
        self.reset_button.clicked.connect(lambda: self._emit_for(self.reset_requested))
        self.remove_button.clicked.connect(lambda: self._emit_for(self.remove_requested))
        self.back_button.clicked.connect(self.back_requested.emit)
        # Keys on the table itself (Insert adds, Delete removes, F2 changes roles), read before any shortcut map
        self.table.installEventFilter(self)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.back_requested.emit,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.roles_button, self.reset_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch()
        buttons.addWidget(self.back_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(self.heading)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        model.modelReset.connect(self._update_buttons)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.retranslate()

    def eventFilter(self, watched, event) -> bool:
        if watched is self.table and event.type() == QEvent.Type.KeyPress and not event.modifiers():
            actions = {Qt.Key.Key_Insert: self.add_requested.emit,
                       Qt.Key.Key_Delete: lambda: self._emit_for(self.remove_requested),
                       Qt.Key.Key_F2: lambda: self._emit_for(self.roles_requested)}
            action = actions.get(Qt.Key(event.key()))
            if action is not None:
                action()
                return True
        return super().eventFilter(watched, event)

    def selected(self) -> Person | None:
        index = self.table.currentIndex()
        return self.model.person(index.row()) if index.isValid() else None

    def select(self, username: str) -> None:
        row = self.model.row_of(username)
        if row >= 0:
            self.table.selectRow(row)
            self.table.setCurrentIndex(self.model.index(row, NAME))

    def _emit_for(self, signal, row: int | None = None) -> None:
        person = self.model.person(row) if row is not None else self.selected()
        if person is not None:
            signal.emit(person.username)

    def _update_buttons(self) -> None:
        person = self.selected()
        for button in (self.roles_button, self.reset_button, self.remove_button):
            button.setEnabled(person is not None and not person.is_you)

    def say(self, text: str) -> None:
        self.error.hide()
        self.status.setText(text)
        self.status.show()

    def show_failure(self, failure: Failure) -> None:
        self.status.hide()
        self.error.setText(failure_text(failure))
        self.error.show()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("People"))
        self.intro.setText(self.tr("Who may open the records on this laptop, and in which role. Field staff "
                                   "register people; case workers also read restricted answers and trafficking "
                                   "cases; coordinators review their region; administrators manage people."))
        self.add_button.setText(self.tr("&Add a person…"))
        self.roles_button.setText(self.tr("Change &roles…"))
        self.reset_button.setText(self.tr("Reset &passphrase…"))
        self.remove_button.setText(self.tr("Re&move…"))
        self.back_button.setText(self.tr("Back to the &list"))
        self.model.retranslate()


def confirm_removal(parent: QWidget, username: str, on_yes: Callable[[], None]) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Question, QCoreApplication.translate("PeoplePage", "Remove a person"),
                      QCoreApplication.translate("PeoplePage",
        "Remove %1? They can no longer open this vault; the vault's key is changed so a copy they kept opens "
        "nothing new. The records they made stay.").replace("%1", username),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    box.setObjectName("removePersonQuestion")
    box.setDefaultButton(QMessageBox.StandardButton.No)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.buttonClicked.connect(lambda button: on_yes() if box.standardButton(button) == QMessageBox.StandardButton.Yes
                              else None)
    box.open()
    return box
