"""The consent panel (issue 11 point 5): a person's consent purpose by purpose, and withdrawing it.

`ConsentPanel` is a widget of its own so any screen about a person embeds it (the case file, the Consent page below):
`ConsentPanel(run_with_vault=controller.run_with_vault)`, then `show_person(record_id)`; it emits `changed(record_id)`
after a change so the host can refresh. It shows each purpose (a Qt item model): consented, refused, withdrawn
or not recorded, since when, how; "Withdraw consent…" asks which purposes, says what follows, and asks again before
anything is written (services/consent.py: one transaction with its audit entry); "Record consent given…" records
consent the person gives again (or to a purpose not asked at registration), with how it was given. Loads and changes
run on the database thread; nothing personal is kept after `clear()` (the host calls it when the vault locks).

`install_consent` adds Registrations → Consent… (Ctrl+Shift+O): the panel for the registration selected in the list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.services import consent
from desktop_app.services.consent import ConsentView
from desktop_app.ui.row_model import RowsModel

PURPOSE, STATUS, SINCE, METHOD = range(4)


@dataclass(frozen=True)
class PurposeRow:
    purpose: str
    status: str  # given | refused | withdrawn | not_recorded (services withdrawn: every purpose shows withdrawn)
    since: str
    method: str
    by: str
    given_by: str = ""  # self | guardian | other: who gave consent at registration


def purpose_text(purpose: str) -> str:
    texts = {
        "services": QCoreApplication.translate("ConsentPurpose", "Assistance and case management"),
        "share_providers": QCoreApplication.translate("ConsentPurpose", "Sharing with service providers"),
        "share_authorities": QCoreApplication.translate("ConsentPurpose", "Sharing with national authorities"),
        "share_unhcr": QCoreApplication.translate("ConsentPurpose", "Sharing with UNHCR"),
        "reporting": QCoreApplication.translate("ConsentPurpose", "Non-identifiable reporting and research"),
        "followup_contact": QCoreApplication.translate("ConsentPurpose", "Being contacted again"),
        "matching": QCoreApplication.translate("ConsentPurpose", "Search for duplicates and family links"),
    }
    return texts.get(purpose, purpose)


def rows_of(view: ConsentView) -> list[PurposeRow]:
    rows = []
    services_withdrawn = view.consent.of("services").status == "withdrawn"
    services = view.consent.of("services")
    for entry in view.consent.purposes:
        if entry.status == "withdrawn":
            rows.append(PurposeRow(entry.purpose, "withdrawn", entry.withdrawn_at, entry.method, entry.withdrawn_by))
        elif services_withdrawn and entry.status == "given":
            rows.append(PurposeRow(entry.purpose, "withdrawn", services.withdrawn_at, entry.method,
                                   services.withdrawn_by))
        else:
            rows.append(PurposeRow(entry.purpose, entry.status, entry.date, entry.method, entry.changed_by,
                                   "" if entry.changed_by else entry.given_by))
    return rows


class ConsentModel(RowsModel):
    COLUMNS = 4

    def headers(self) -> dict[int, str]:
        return {PURPOSE: self.tr("Purpose"), STATUS: self.tr("Consent"), SINCE: self.tr("Since"),
                METHOD: self.tr("How")}

    def status_text(self, status: str) -> str:
        return {"given": self.tr("Consented"), "refused": self.tr("Refused"), "withdrawn": self.tr("Withdrawn"),
                "not_recorded": self.tr("Not recorded")}.get(status, status)

    def method_text(self, method: str) -> str:
        return {"verbal_witnessed": self.tr("Verbal, witnessed"), "signed": self.tr("Signed"),
                "thumbprint": self.tr("Thumbprint")}.get(method, method)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row: PurposeRow | None = self.row(index.row()) if index.isValid() else None
        if row is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == PURPOSE:
                return purpose_text(row.purpose)
            if index.column() == STATUS:
                return self.status_text(row.status)
            if index.column() == SINCE:
                when = row.since.replace("T", " ")[:16].removesuffix("Z")
                return self.tr("%1 by %2").replace("%1", when).replace("%2", row.by) if row.by and when else when
            if index.column() == METHOD:
                if row.status == "withdrawn":
                    return ""
                who = {"guardian": self.tr("by a parent or guardian"), "other": self.tr("by someone else")}
                how = self.method_text(row.method)
                return f"{how}, {who[row.given_by]}" if how and row.given_by in who else how
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == STATUS and row.status == "withdrawn":
            return QColor("#a61b1b")
        if role == Qt.ItemDataRole.UserRole:
            return row.purpose
        return None


class WithdrawDialog(QDialog):
    """Which purposes the person withdraws, what follows, and a second, explicit confirmation."""

    def __init__(self, parent: QWidget, *, short_id: str, purposes: list[str]) -> None:
        super().__init__(parent, objectName="withdrawConsentDialog")
        self.setWindowTitle(self.tr("Withdraw consent"))
        self.intro = QLabel(wordWrap=True)
        self.intro.setText(self.tr("%1: which consent does the person withdraw?").replace("%1", short_id))
        self.boxes: dict[str, QCheckBox] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        for purpose in purposes:
            box = QCheckBox(purpose_text(purpose), objectName=f"withdraw_{purpose}")
            box.toggled.connect(lambda _checked: self._update())
            self.boxes[purpose] = box
            layout.addWidget(box)
        self.effect = QLabel(wordWrap=True, objectName="hint")
        self.effect.setText(self.tr(
            "It takes effect at once, on this laptop and on every other after their next synchronisation: no more "
            "duplicate search, sharing or follow-up contact for what is withdrawn. It is recorded in the audit log. "
            "Only new consent from the person can give it back."))
        self.confirm = QCheckBox(self.tr("The person has asked for this withdrawal"), objectName="withdrawConfirm")
        self.confirm.toggled.connect(lambda _checked: self._update())
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.withdraw_button = self.buttons.addButton(self.tr("&Withdraw"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.withdraw_button.setObjectName("danger")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.effect)
        layout.addWidget(self.confirm)
        layout.addWidget(self.buttons)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)  # wrapped sentences get their whole height
        self.effect.setFixedWidth(520)
        self._update()

    def chosen(self) -> list[str]:
        return [purpose for purpose, box in self.boxes.items() if box.isChecked()]

    def _update(self) -> None:
        self.withdraw_button.setEnabled(bool(self.chosen()) and self.confirm.isChecked())
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setDefault(True)


class GiveDialog(QDialog):
    """Consent the person gives (again, or for a purpose not asked at registration): which purposes, and how."""

    def __init__(self, parent: QWidget, *, short_id: str, purposes: list[str]) -> None:
        super().__init__(parent, objectName="giveConsentDialog")
        self.setWindowTitle(self.tr("Record consent"))
        self.intro = QLabel(wordWrap=True)
        self.intro.setText(self.tr("%1: to what does the person now consent?").replace("%1", short_id))
        self.boxes: dict[str, QCheckBox] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        for purpose in purposes:
            box = QCheckBox(purpose_text(purpose), objectName=f"give_{purpose}")
            box.toggled.connect(lambda _checked: self._update())
            self.boxes[purpose] = box
            layout.addWidget(box)
        self.method_label = QLabel()
        self.method = QComboBox(objectName="giveMethod")
        self.method_label.setBuddy(self.method)
        self.method.addItem(self.tr("Choose how…"), "")
        self.method.addItem(self.tr("Verbal, witnessed"), "verbal_witnessed")
        self.method.addItem(self.tr("Signed"), "signed")
        self.method.addItem(self.tr("Thumbprint"), "thumbprint")
        self.method.currentIndexChanged.connect(lambda _index: self._update())
        self.method_label.setText(self.tr("How was consent &given?"))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.give_button = self.buttons.addButton(self.tr("&Record"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.method_label)
        layout.addWidget(self.method)
        layout.addWidget(self.buttons)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)
        self._update()

    def chosen(self) -> list[str]:
        return [purpose for purpose, box in self.boxes.items() if box.isChecked()]

    def chosen_method(self) -> str:
        return str(self.method.currentData() or "")

    def _update(self) -> None:
        self.give_button.setEnabled(bool(self.chosen()) and bool(self.chosen_method()))


class ConsentPanel(QWidget):
    changed = Signal(str)  # record id, after a withdrawal or a consent given
    loaded = Signal(str)  # record id, when its consent is shown

    def __init__(self, *, run_with_vault: Callable[..., Any]) -> None:
        super().__init__(objectName="consentPanel")
        self.run_with_vault = run_with_vault
        self.model = ConsentModel()
        self.view: ConsentView | None = None
        self.dialog: WithdrawDialog | None = None
        self.heading = QLabel(objectName="sectionHeading")
        self.table = QTableView(objectName="consentTable")
        self.table.setTabKeyNavigation(False)  # Tab leaves it, never trapped
        self.table.setModel(self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # reached by Tab, the arrows move through the purposes and scroll to those below (at 1024x600 four of them
        # show); nothing is selected: Withdraw asks which purposes itself
        self.table.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setStyleSheet("QTableView::item { padding: 4px 10px; }")
        self.notice = QLabel(wordWrap=True, objectName="notice")
        self.notice.hide()
        self.error = QLabel(wordWrap=True, objectName="error")
        self.error.hide()
        self.withdraw_button = QPushButton(objectName="withdrawConsentButton")
        self.withdraw_button.clicked.connect(self.ask_withdraw)
        self.withdraw_button.setEnabled(False)
        self.give_button = QPushButton(objectName="giveConsentButton")
        self.give_button.clicked.connect(self.ask_give)
        self.give_button.setEnabled(False)
        self.give_dialog: GiveDialog | None = None
        buttons = QHBoxLayout()
        buttons.addWidget(self.withdraw_button)
        buttons.addWidget(self.give_button)
        buttons.addStretch()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.notice)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.retranslate()

    # --- loading ---------------------------------------------------------------------------------------------------
    def show_person(self, record_id: str) -> None:
        self.error.hide()
        task = self.run_with_vault(lambda vault, state: consent.show(vault, record_id), name="db:consent")
        task.succeeded.connect(self._show)
        task.failed.connect(self._failed)

    def _show(self, view: ConsentView) -> None:
        self.view = view
        self.model.set_rows(rows_of(view))
        self.withdraw_button.setEnabled(bool(self._withdrawable()))
        self.give_button.setEnabled(bool(self._givable()))
        self.retranslate()
        self.loaded.emit(view.record_id)

    def _withdrawable(self) -> list[str]:
        if self.view is None:
            return []
        return [e.purpose for e in self.view.consent.purposes if self.view.consent.allows(e.purpose)]

    def _givable(self) -> list[str]:
        if self.view is None:
            return []
        return [e.purpose for e in self.view.consent.purposes if not self.view.consent.allows(e.purpose)]

    def clear(self) -> None:
        """Drop what is shown (the vault locks, the host shows someone else)."""
        self.view = None
        self.model.clear()
        self.notice.hide()
        self.error.hide()
        self.withdraw_button.setEnabled(False)
        self.give_button.setEnabled(False)
        if self.dialog is not None:
            self.dialog.reject()
        if self.give_dialog is not None:
            self.give_dialog.reject()
        self.retranslate()

    # --- withdrawing -----------------------------------------------------------------------------------------------
    def ask_withdraw(self) -> None:
        if self.view is None or not self._withdrawable():
            return
        dialog = WithdrawDialog(self, short_id=self.view.short_id, purposes=self._withdrawable())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        record_id = self.view.record_id
        dialog.accepted.connect(lambda: self._withdraw(record_id, dialog.chosen()))
        dialog.finished.connect(lambda _result: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()

    def _withdraw(self, record_id: str, purposes: list[str]) -> None:
        task = self.run_with_vault(lambda vault, state: consent.withdraw(vault, record_id, purposes),
                                   name="db:consent-withdraw")

        def done(view: ConsentView) -> None:
            self._show(view)
            self.notice.setText(self.tr("Consent withdrawn: %1.").replace(
                "%1", ", ".join(purpose_text(p) for p in purposes)))
            self.notice.show()
            self.changed.emit(record_id)

        task.succeeded.connect(done)
        task.failed.connect(self._failed)

    def ask_give(self) -> None:
        if self.view is None or not self._givable():
            return
        dialog = GiveDialog(self, short_id=self.view.short_id, purposes=self._givable())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        record_id = self.view.record_id
        dialog.accepted.connect(lambda: self._give(record_id, dialog.chosen(), dialog.chosen_method()))
        dialog.finished.connect(lambda _result: setattr(self, "give_dialog", None))
        self.give_dialog = dialog
        dialog.open()

    def _give(self, record_id: str, purposes: list[str], method: str) -> None:
        task = self.run_with_vault(lambda vault, state: consent.give(vault, record_id, purposes, method=method),
                                   name="db:consent-give")

        def done(view: ConsentView) -> None:
            self._show(view)
            self.notice.setText(self.tr("Consent recorded: %1.").replace(
                "%1", ", ".join(purpose_text(p) for p in purposes)))
            self.notice.show()
            self.changed.emit(record_id)

        task.succeeded.connect(done)
        task.failed.connect(self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.notice.hide()
        self.error.setText(self.tr("Consent could not be read or changed; nothing was changed.") + "\n" + str(exc))
        self.error.show()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        if self.view is None:
            self.heading.setText(self.tr("Consent"))
        else:
            who = f"{self.view.title} ({self.view.short_id})" if self.view.title else self.view.short_id
            self.heading.setText(self.tr("Consent of %1").replace("%1", who))
        self.withdraw_button.setText(self.tr("Withdraw &consent…"))
        self.give_button.setText(self.tr("Record consent &given…"))
        self.model.retranslate()


class ConsentPage(QWidget):
    """A full page around the panel, until the case file embeds it: Registrations → Consent…"""

    back_requested = Signal()

    def __init__(self, panel: ConsentPanel) -> None:
        super().__init__(objectName="consentPage")
        self.panel = panel
        self.heading = QLabel(objectName="pageHeading")
        self.intro = QLabel(wordWrap=True, objectName="hint")
        self.back_button = QPushButton()
        self.back_button.clicked.connect(self.back_requested.emit)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.back_requested.emit,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(self.heading)
        layout.addWidget(self.intro)
        layout.addWidget(panel, 1)
        bottom = QHBoxLayout()
        bottom.addStretch()
        bottom.addWidget(self.back_button)
        layout.addLayout(bottom)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Consent"))
        self.intro.setText(self.tr("What the person agreed to, purpose by purpose. A person may withdraw consent at "
                                   "any time; it takes effect at once and is recorded in the audit log."))
        self.back_button.setText(self.tr("Back to the &list"))


class ConsentArea(QObject):
    def __init__(self, *, window: Any, controller: Any) -> None:
        super().__init__(window)
        self.window, self.controller = window, controller
        self.panel = ConsentPanel(run_with_vault=controller.run_with_vault)
        self.page = ConsentPage(self.panel)
        window.add_page(self.page)
        self.page.back_requested.connect(window.show_registrations)
        self.panel.changed.connect(lambda _record_id: window.registrations_changed())
        self.action = QAction(window, objectName="consentAction", shortcut=QKeySequence("Ctrl+Shift+O"))
        self.action.triggered.connect(self.open_selected)
        window.registrations_menu.addAction(self.action)
        controller.locking.connect(self.panel.clear)
        window.installEventFilter(self)
        self.retranslate()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        return False

    def open_selected(self) -> None:
        index = self.window.registrations_page.table.currentIndex()
        if not self.controller.is_unlocked or not index.isValid():
            return
        row = self.window.model.row_at(index.row())
        self.open(row.record_id)

    def open(self, record_id: str) -> None:
        self.panel.clear()
        self.window.show_page(self.page)
        self.panel.show_person(record_id)

    def retranslate(self) -> None:
        self.action.setText(self.tr("&Consent…"))


def install_consent(*, window: Any, controller: Any) -> ConsentArea:
    area = ConsentArea(window=window, controller=controller)
    window.consent = area
    return area
