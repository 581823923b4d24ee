"""People and passphrases in the app: the Administration menu's People screen, and the two steps a sign-in may
have to go through first.

- Signed in with a passphrase an administrator reset: choose your own before anything else (the window holds
  this page until it is done; the lock still works).
- Signed in with the recovery code: choose whose passphrase to set (the person present), set it, and sign in as
  them; the recovery code is for this, not for everyday work.

`install_access(window=, controller=)` (the composition root calls it) adds the pages and the menu. Every step
runs a services/people.py use case on the database thread.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.services import access, people
from desktop_app.services.session import SignedInUser, classify
from desktop_app.ui.access_people import (
    AddPersonDialog,
    PeopleModel,
    PeoplePage,
    ResetDialog,
    RolesDialog,
    confirm_removal,
)
from desktop_app.ui.busy import BusyIndicator
from desktop_app.ui.i18n import Retranslator
from desktop_app.ui.messages import failure_text
from desktop_app.ui.page_switcher import centred
from desktop_app.ui.security_passphrase import PassphraseAdvice

OWN, RECOVERY = "own", "recovery"


class NewPassphrasePage(QWidget):
    """A new passphrase: the signed-in person's own (after a reset), or a chosen person's (recovery code)."""

    def __init__(self) -> None:
        super().__init__(objectName="newPassphrasePage")
        self.mode = OWN
        self.username = ""
        self.heading = QLabel(objectName="pageHeading", wordWrap=True)
        self.intro = QLabel(wordWrap=True)
        self.person = QComboBox(objectName="recoverPerson")
        self.person_label = QLabel()
        self.person_label.setBuddy(self.person)
        self.passphrase = QLineEdit(objectName="newPassphrase", echoMode=QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit(objectName="repeatPassphrase", echoMode=QLineEdit.EchoMode.Password)
        self.passphrase_label, self.repeat_label = QLabel(), QLabel()
        self.passphrase_label.setBuddy(self.passphrase)
        self.repeat_label.setBuddy(self.repeat)
        self.advice = PassphraseAdvice(passphrase=self.passphrase, repeat=self.repeat, username=self._who)
        self.error = QLabel(objectName="error", wordWrap=True)
        self.error.hide()
        self.busy = BusyIndicator()
        self.save_button = QPushButton(objectName="primary")
        self.save_button.setDefault(True)
        self.lock_button = QPushButton(flat=True)
        form = QFormLayout()
        form.addRow(self.person_label, self.person)
        form.addRow(self.passphrase_label, self.passphrase)
        form.addRow(self.repeat_label, self.repeat)
        form.addRow("", self.advice)
        buttons = QHBoxLayout()
        buttons.addWidget(self.lock_button)
        buttons.addStretch()
        buttons.addWidget(self.save_button)
        card = QWidget(objectName="card")
        card.setMaximumWidth(640)
        inner = QVBoxLayout(card)
        inner.setSpacing(14)
        for widget in (self.heading, self.intro):
            inner.addWidget(widget)
        inner.addLayout(form)
        inner.addWidget(self.error)
        inner.addWidget(self.busy)
        inner.addLayout(buttons)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(centred(card))
        outer.addStretch(2)
        self.repeat.returnPressed.connect(self.save_button.click)
        self.retranslate()

    def _who(self) -> str:
        return self.person.currentText() if self.mode == RECOVERY else self.username

    def prepare(self, mode: str, *, username: str = "", names: list[str] | None = None) -> None:
        self.mode, self.username = mode, username
        self.person.clear()
        self.person.addItems(names or [])
        for widget in (self.person, self.person_label):
            widget.setVisible(mode == RECOVERY)
        self.passphrase.clear()
        self.repeat.clear()
        self.advice.clear()
        self.error.hide()
        self.set_busy(False)
        self.retranslate()
        (self.person if mode == RECOVERY else self.passphrase).setFocus()

    def checked(self) -> str | None:
        """The new passphrase when it may be used, else None (the reason shown)."""
        if self.passphrase.text() != self.repeat.text():
            self.show_error(self.tr("The two passphrases differ."))
            return None
        if not self.advice.acceptable:
            self.show_error(self.advice.refusal())
            return None
        return self.passphrase.text()

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def set_busy(self, busy: bool) -> None:
        self.busy.set_text(self.tr("Saving the new passphrase…"))
        self.busy.setVisible(busy)
        for widget in (self.save_button, self.passphrase, self.repeat, self.person):
            widget.setEnabled(not busy)

    def clear_secrets(self) -> None:
        self.passphrase.clear()
        self.repeat.clear()
        self.advice.clear()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        if self.mode == RECOVERY:
            self.heading.setText(self.tr("Signed in with the recovery code"))
            self.intro.setText(self.tr("Choose the person who is with you and let them choose a new passphrase. "
                                       "Then they sign in with it. Their restricted answers stay readable."))
            self.save_button.setText(self.tr("&Set the passphrase"))
        else:
            self.heading.setText(self.tr("Choose your own passphrase"))
            self.intro.setText(self.tr("An administrator reset your passphrase. Choose one only you know before "
                                       "you continue; the temporary one stops working."))
            self.save_button.setText(self.tr("&Save and continue"))
        self.person_label.setText(self.tr("&Person:"))
        self.passphrase_label.setText(self.tr("&New passphrase:"))
        self.repeat_label.setText(self.tr("&Repeat:"))
        self.lock_button.setText(self.tr("&Lock instead"))


class AccessArea(QObject):
    """Owns the People screen, the new-passphrase step and the Administration menu."""

    def __init__(self, *, window, controller) -> None:
        super().__init__(window)
        self.window, self.controller = window, controller
        self.model = PeopleModel()
        self.people_page = PeoplePage(self.model)
        self.passphrase_page = NewPassphrasePage()
        for page in (self.people_page, self.passphrase_page):
            window.add_page(page)
        self.people_action = QAction(window, objectName="peopleAction", shortcut=QKeySequence("Ctrl+Shift+U"))
        self.people_action.triggered.connect(self.open_people)
        self.admin_menu = QMenu(window)
        self.menu = window.menuBar().insertMenu(window.help_menu.menuAction(), self.admin_menu)
        self.admin_menu.addAction(self.people_action)
        self.menu.setVisible(False)
        page = self.people_page
        page.back_requested.connect(window.show_registrations)
        page.add_requested.connect(self.add_person)
        page.roles_requested.connect(self.change_roles)
        page.reset_requested.connect(self.reset_passphrase)
        page.remove_requested.connect(self.remove_person)
        self.passphrase_page.save_button.clicked.connect(self._save_passphrase)
        self.passphrase_page.lock_button.clicked.connect(window.lock)
        controller.unlocked.connect(self._unlocked)
        controller.locking.connect(self._locking)
        self.retranslate()

    # --- after sign-in ----------------------------------------------------------------------
    def _unlocked(self, user: SignedInUser) -> None:
        roles = user.roles or (user.role,)
        self.menu.setVisible(access.roles_allow(roles, "manage_users", "organisation"))
        if user.is_recovery:
            task = self.controller.run_with_vault(lambda vault, state: people.people_to_recover(vault),
                                                  name="db:people-to-recover")
            task.succeeded.connect(lambda names: self._hold(RECOVERY, names=names))
        elif user.must_change_passphrase:
            self._hold(OWN, username=user.username)

    def _hold(self, mode: str, *, username: str = "", names: list[str] | None = None) -> None:
        if not self.controller.is_unlocked:
            return
        self.passphrase_page.prepare(mode, username=username, names=names)
        self.window.hold(self.passphrase_page)
        self.passphrase_page.prepare(mode, username=username, names=names)  # focus once shown

    def _save_passphrase(self) -> None:
        page = self.passphrase_page
        new = page.checked()
        if new is None:
            return
        page.set_busy(True)
        if page.mode == RECOVERY:
            name = page.person.currentText()
            task = self.controller.run_with_vault(lambda vault, state: people.recover_person(vault, name, new),
                                                  name="db:recover-person")
            task.succeeded.connect(lambda _: self._recovered(name))
        else:
            task = self.controller.run_with_vault(lambda vault, state: people.change_own_passphrase(vault, new),
                                                  name="db:own-passphrase")
            task.succeeded.connect(lambda _: self._own_changed())
        task.failed.connect(lambda exc: (page.set_busy(False), page.show_error(failure_text(classify(exc)))))

    def _own_changed(self) -> None:
        self.passphrase_page.clear_secrets()
        self.window.release()
        self.window.show_registrations()

    def _recovered(self, username: str) -> None:
        self.passphrase_page.clear_secrets()
        self.window.release()
        self.window.sign_in_again(username, notice=lambda: self.tr(
            "The passphrase of %1 is set. %1 signs in with it now.").replace("%1", username))

    # --- the People screen -------------------------------------------------------------------
    def open_people(self) -> None:
        if self.controller.is_unlocked:
            self.window.show_page(self.people_page)
            self.reload()

    def reload(self, *, select: str = "") -> None:
        task = self.controller.run_with_vault(lambda vault, state: people.list_people(vault), name="db:people")
        task.succeeded.connect(lambda found: self._listed(found, select))
        task.failed.connect(lambda exc: self.people_page.show_failure(classify(exc)))

    def _listed(self, found, select: str) -> None:
        if not self.controller.is_unlocked:
            return
        self.model.set_people(found)
        self.people_page.select(select or (found[0].username if found else ""))
        self.people_page.table.setFocus()

    def _run(self, work, done: str, *, select: str = "") -> None:
        task = self.controller.run_with_vault(lambda vault, state: work(vault), name="db:people-change")
        task.succeeded.connect(lambda _: (self.people_page.say(done), self.reload(select=select)))
        task.failed.connect(lambda exc: self.people_page.show_failure(classify(exc)))

    def add_person(self) -> None:
        dialog = AddPersonDialog(self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def added() -> None:
            name, roles, passphrase = dialog.username.text().strip(), dialog.roles.chosen(), dialog.passphrase.text()
            self._run(lambda vault: people.add_person(vault, name, passphrase, roles),
                      self.tr("%1 was added.").replace("%1", name), select=name)

        dialog.accepted.connect(added)
        dialog.open()

    def change_roles(self, username: str) -> None:
        person = self._person(username)
        if person is None:
            return
        dialog = RolesDialog(person, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        def chosen() -> None:
            roles = dialog.roles.chosen()  # read now, on the GUI thread: the dialog is gone when the task runs
            self._run(lambda vault: people.set_roles(vault, username, roles),
                      self.tr("The roles of %1 were changed.").replace("%1", username), select=username)

        dialog.accepted.connect(chosen)
        dialog.open()

    def reset_passphrase(self, username: str) -> None:
        person = self._person(username)
        if person is None:
            return
        dialog = ResetDialog(person, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        def chosen() -> None:
            temporary = dialog.passphrase.text()
            self._run(lambda vault: people.reset_passphrase(vault, username, temporary),
                      self.tr("%1 signs in with the temporary passphrase and then chooses their own.")
                      .replace("%1", username), select=username)

        dialog.accepted.connect(chosen)
        dialog.open()

    def remove_person(self, username: str) -> None:
        confirm_removal(self.window, username, lambda: self._run(
            lambda vault: people.remove_person(vault, username),
            self.tr("%1 was removed; the vault's key was changed.").replace("%1", username)))

    def _person(self, username: str):
        row = self.model.row_of(username)
        return self.model.person(row)

    def _locking(self) -> None:
        self.model.clear()
        self.passphrase_page.clear_secrets()
        self.menu.setVisible(False)

    def retranslate(self) -> None:
        self.menu.setText(self.tr("&Administration"))
        self.people_action.setText(self.tr("&People…"))


def install_access(*, window, controller) -> AccessArea:
    area = AccessArea(window=window, controller=controller)
    area.retranslator = Retranslator(area.window, area.retranslate)
    window.access = area
    return area
