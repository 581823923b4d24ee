"""The audit log screen (coordinators): who did what, when, to which record, and whether the chain still proves it.

Administration → Audit log… A table (a Qt item model loading page by page, newest first) narrowed by person, by
record, by kind of event and by period; "Verify the chain" walks every entry and names the first one that does not
fit; "Export…" writes what the filters select to a CSV file (with the hashes) in a folder chosen with the app's
own file picker. Everything runs through services/audit.py on the database thread, which checks the review right
each time; opening the screen, verifying and exporting are themselves recorded.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.services import access, audit
from desktop_app.services.audit import Entry, Filter
from desktop_app.services.session import Failure, SignedInUser, classify
from desktop_app.ui.notice_lines import NoticeLines
from desktop_app.ui.i18n import Retranslator
from desktop_app.ui.messages import failure_text
from desktop_app.ui.paged_model import PagedModel
from desktop_app.ui.security_files import choose_folder

WHEN, WHO, WHAT, RECORD, OUTCOME, DETAIL = range(6)
PAGE = 200
EVERYONE = ""
# kind of event -> the prefix services/audit.py filters on
KINDS = ("", "record", "session.", "users.", "sync.", "audit.")
PERIODS = (0, 1, 7, 30)  # days back; 0: all time


def event_text(event: str) -> str:
    """An event name in the interface language (unknown names as they are)."""
    words = {
        "record.view": QCoreApplication.translate("AuditWords", "Opened a record"),
        "record.read_sensitive": QCoreApplication.translate("AuditWords", "Read restricted answers"),
        "record.create": QCoreApplication.translate("AuditWords", "Started a record"),
        "record.edit": QCoreApplication.translate("AuditWords", "Changed a record"),
        "record.finalize": QCoreApplication.translate("AuditWords", "Finalized a record"),
        "record.delete": QCoreApplication.translate("AuditWords", "Deleted a record"),
        "record.print": QCoreApplication.translate("AuditWords", "Printed a record"),
        "record.consent_withdrawn": QCoreApplication.translate("AuditWords", "Recorded a consent withdrawal"),
        "record.consent_given": QCoreApplication.translate("AuditWords", "Recorded consent given"),
        "record.consent_refused": QCoreApplication.translate("AuditWords", "Stopped: no consent"),
        "record.consent_exception": QCoreApplication.translate("AuditWords", "Shared on another legal basis"),
        "records.export": QCoreApplication.translate("AuditWords", "Exported records"),
        "records.export_ctdc": QCoreApplication.translate("AuditWords", "Exported CTDC anonymised cases"),
        "records.review": QCoreApplication.translate("AuditWords", "Reviewed conflicts"),
        "conflict.decided_elsewhere": QCoreApplication.translate("AuditWords", "Conflict decided by a reviewer"),
        "records.undo_deletion": QCoreApplication.translate("AuditWords", "Undid a bulk deletion"),
        "case.closed": QCoreApplication.translate("AuditWords", "Closed a case"),
        "case.reopened": QCoreApplication.translate("AuditWords", "Reopened a case"),
        "records.apply_retention": QCoreApplication.translate("AuditWords", "Applied the retention period"),
        "session.sign_in": QCoreApplication.translate("AuditWords", "Signed in"),
        "session.sign_in_failed": QCoreApplication.translate("AuditWords", "Wrong passphrase"),
        "session.lock": QCoreApplication.translate("AuditWords", "Locked"),
        "vault.wipe": QCoreApplication.translate("AuditWords", "Erased the vault"),
        "sync.run": QCoreApplication.translate("AuditWords", "Synchronised"),
        "sync.renumbered": QCoreApplication.translate("AuditWords", "Numbered unsent changes again after a restore"),
        "users.manage": QCoreApplication.translate("AuditWords", "Managed people"),
        "users.add": QCoreApplication.translate("AuditWords", "Added a person"),
        "users.remove": QCoreApplication.translate("AuditWords", "Removed a person"),
        "users.roles": QCoreApplication.translate("AuditWords", "Changed roles"),
        "users.reset": QCoreApplication.translate("AuditWords", "Reset a passphrase"),
        "devices.manage": QCoreApplication.translate("AuditWords", "Managed devices"),
        "devices.place": QCoreApplication.translate("AuditWords", "Asked to set this laptop's centre"),
        "devices.place_set": QCoreApplication.translate("AuditWords", "Set this laptop's centre"),
        "devices.enrol": QCoreApplication.translate("AuditWords", "Asked to enrol this laptop for sync"),
        "devices.enrol_centre": QCoreApplication.translate("AuditWords",
                                                           "Asked to enrol this laptop into an enrolment code's centre"),
        "indicators.server": QCoreApplication.translate("AuditWords", "Asked the server for indicators"),
        "devices.mark_lost": QCoreApplication.translate("AuditWords", "Marked a device lost"),
        "devices.enrolment_code": QCoreApplication.translate("AuditWords", "Made an enrolment code"),
        "devices.enrolment_code_revoked": QCoreApplication.translate("AuditWords", "Revoked an enrolment code"),
        "audit.review": QCoreApplication.translate("AuditWords", "Reviewed the audit log"),
        "audit.export": QCoreApplication.translate("AuditWords", "Exported the audit log"),
        "audit.forked": QCoreApplication.translate("AuditWords", "Log continued from an older copy of the vault"),
    }
    return words.get(event, event)


def outcome_text(outcome: str) -> str:
    words = {
        "allowed": QCoreApplication.translate("AuditWords", "Allowed"),
        "refused": QCoreApplication.translate("AuditWords", "Refused"),
        "done": QCoreApplication.translate("AuditWords", "Done"),
        "failed": QCoreApplication.translate("AuditWords", "Failed"),
    }
    return words.get(outcome, outcome)


def when_text(at: str) -> str:
    """'2026-12-06 11:37:03 UTC' from the stored ISO time."""
    return at[:19].replace("T", " ") + " UTC" if len(at) >= 19 else at


class AuditModel(PagedModel):
    """Entries as rows, newest first, page by page (paged_model.PagedModel); `total` counts what the filters
    select."""

    def __init__(self) -> None:
        super().__init__(page_size=PAGE)
        self.total = 0

    def clear(self) -> None:
        self.total = 0
        super().clear()

    def entry(self, row: int) -> Entry | None:
        return self.row_at(row)

    def headers(self) -> list[str]:
        return [self.tr("When"), self.tr("Who"), self.tr("What"), self.tr("Record"), self.tr("Outcome"),
                self.tr("Detail")]

    def display(self, entry: Entry, column: int) -> str:
        return [when_text(entry.at), entry.actor, event_text(entry.event),
                entry.record_id[:8] if entry.record_id else "", outcome_text(entry.outcome), entry.detail][column]

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        entry = self.entry(index.row()) if index.isValid() else None
        if entry is None or role != Qt.ItemDataRole.ToolTipRole:
            return super().data(index, role)
        if index.column() == RECORD and entry.record_id:
            return entry.record_id
        if index.column() == WHAT:
            return self.tr("Entry %1 (%2)").replace("%1", str(entry.seq)).replace("%2", entry.event)
        return None


class AuditPage(NoticeLines, QWidget):
    """Heading, filters, the table, what verification found, and the actions."""

    filters_changed = Signal()
    verify_requested = Signal()
    export_requested = Signal()
    back_requested = Signal()

    def __init__(self, model: AuditModel) -> None:
        super().__init__(objectName="auditPage")
        self.model = model
        self.heading = QLabel(objectName="pageHeading")
        self.intro = QLabel(wordWrap=True, objectName="hint")
        self.person = QComboBox(objectName="auditPerson")
        self.person.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.person.setMinimumContentsLength(12)
        self.record = QLineEdit(objectName="auditRecord")
        self.record.setClearButtonEnabled(True)
        self.kind = QComboBox(objectName="auditKind")
        self.period = QComboBox(objectName="auditPeriod")
        self.person_label, self.record_label, self.kind_label, self.period_label = (QLabel() for _ in range(4))
        for label, buddy in ((self.person_label, self.person), (self.record_label, self.record),
                             (self.kind_label, self.kind), (self.period_label, self.period)):
            label.setBuddy(buddy)
        self.table = QTableView(objectName="auditTable")
        self.table.setTabKeyNavigation(False)  # Tab leaves it, never trapped
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setStyleSheet("QTableView::item { padding: 4px 10px; }")
        self.count = QLabel(objectName="hint")
        self.make_lines()
        self.verify_button = QPushButton(objectName="primary")
        self.export_button = QPushButton()
        self.back_button = QPushButton()
        self.verify_button.clicked.connect(self.verify_requested.emit)
        self.export_button.clicked.connect(self.export_requested.emit)
        self.back_button.clicked.connect(self.back_requested.emit)
        for combo in (self.person, self.kind, self.period):
            combo.currentIndexChanged.connect(lambda _: self.filters_changed.emit())
        self.record.editingFinished.connect(self.filters_changed.emit)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.back_requested.emit,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        filters = QHBoxLayout()
        for label, field in ((self.person_label, self.person), (self.kind_label, self.kind),
                             (self.period_label, self.period), (self.record_label, self.record)):
            filters.addWidget(label)
            filters.addWidget(field, 1 if field is self.record else 0)
        buttons = QHBoxLayout()
        buttons.addWidget(self.verify_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch()
        buttons.addWidget(self.back_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(self.heading)
        layout.addWidget(self.intro)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        layout.addWidget(self.status)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.retranslate()

    def set_people(self, names: list[str]) -> None:
        chosen = self.person.currentData()
        self.person.blockSignals(True)
        self.person.clear()
        self.person.addItem(self.tr("Everyone"), EVERYONE)
        for name in names:
            self.person.addItem(name, name)
        self.person.setCurrentIndex(max(0, self.person.findData(chosen)))
        self.person.blockSignals(False)

    def current_filter(self, *, today: datetime | None = None) -> Filter:
        days = self.period.currentData() or 0
        since = None
        if days:
            start = (today or datetime.now(UTC)).date() - timedelta(days=days - 1)
            since = start.isoformat()
        return Filter(actor=self.person.currentData() or None, record_id=self.record.text().strip() or None,
                      event_prefix=self.kind.currentData() or None, since=since)

    def show_count(self, total: int) -> None:
        self.count.setText(self.tr("%n entries", "", total))

    def show_failure(self, failure: Failure) -> None:
        self.show_problem(failure_text(failure))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Audit log"))
        self.intro.setText(self.tr("Everything done on this laptop: who opened, changed, finalized, deleted or "
                                   "exported which record, sign-ins, locks, sync and changes to people. Each entry "
                                   "is chained to the one before, so a removed or altered entry is found."))
        self.person_label.setText(self.tr("&Person:"))
        self.kind_label.setText(self.tr("&Events:"))
        self.period_label.setText(self.tr("Pe&riod:"))
        self.record_label.setText(self.tr("Re&cord:"))
        self.record.setPlaceholderText(self.tr("Record id"))
        kinds = (self.tr("All events"), self.tr("Records"), self.tr("Sign-in and lock"),
                 self.tr("People and roles"), self.tr("Sync"), self.tr("Audit log"))
        periods = (self.tr("All time"), self.tr("Today"), self.tr("Last 7 days"), self.tr("Last 30 days"))
        for combo, texts, values in ((self.kind, kinds, KINDS), (self.period, periods, PERIODS)):
            chosen = max(0, combo.currentIndex())
            combo.blockSignals(True)
            combo.clear()
            for text, value in zip(texts, values, strict=True):
                combo.addItem(text, value)
            combo.setCurrentIndex(chosen)
            combo.blockSignals(False)
        if self.person.count():
            self.person.setItemText(0, self.tr("Everyone"))
        self.verify_button.setText(self.tr("&Verify the chain"))
        self.export_button.setText(self.tr("E&xport…"))
        self.back_button.setText(self.tr("Back to the &list"))
        self.show_count(self.model.total)
        self.model.retranslate()


class AuditArea(QObject):
    """Owns the audit screen and its menu entry (in the Administration menu)."""

    def __init__(self, *, window, controller) -> None:
        super().__init__(window)
        self.window, self.controller = window, controller
        self.model = AuditModel()
        self.page = AuditPage(self.model)
        window.add_page(self.page)
        self.action = QAction(window, objectName="auditAction", shortcut=QKeySequence("Ctrl+Shift+A"))
        self.action.triggered.connect(self.open)
        self.action.setVisible(False)
        window.access.admin_menu.addAction(self.action)
        self.page.back_requested.connect(window.show_registrations)
        self.page.filters_changed.connect(self.reload)
        self.page.verify_requested.connect(self.verify)
        self.page.export_requested.connect(self.choose_export)
        self.model.page_loaded.connect(self._shown)
        self.model.load_failed.connect(lambda exc: self.page.show_failure(classify(exc)))
        controller.unlocked.connect(self._unlocked)
        controller.locking.connect(self._locking)
        self._generation = 0
        self.retranslate()

    def _unlocked(self, user: SignedInUser) -> None:
        roles = user.roles or (user.role,)
        may_review = access.roles_allow(roles, "review", "registration")
        self.action.setVisible(may_review)
        self.window.access.people_action.setVisible(access.roles_allow(roles, "manage_users", "organisation"))
        if may_review:
            self.window.access.menu.setVisible(True)

    def open(self) -> None:
        if not self.controller.is_unlocked:
            return
        self.window.show_page(self.page)
        self.page.status.hide()
        self.page.error.hide()

        def opened(vault) -> list[str]:
            audit.open_review(vault)
            return audit.actors(vault)

        task = self.controller.run_with_vault(lambda vault, state: opened(vault), name="db:audit-open")
        task.succeeded.connect(lambda names: (self.page.set_people(names), self.reload()))
        task.failed.connect(lambda exc: self.page.show_failure(classify(exc)))

    def reload(self) -> None:
        """The list again with the filters as they stand: the first page (with the count), then page by page."""
        if not self.controller.is_unlocked:
            return
        self._generation += 1
        generation, chosen = self._generation, self.page.current_filter()

        def fetch(offset, limit, deliver, fail) -> None:
            def read(vault, state) -> tuple[list[Entry], int | None]:
                return (audit.entries(vault, chosen, offset=offset, limit=limit),
                        audit.count(vault, chosen) if offset == 0 else None)

            def arrived(found: tuple[list[Entry], int | None]) -> None:
                entries, total = found
                if total is not None and generation == self._generation:
                    self.model.total = total
                    self.page.show_count(total)
                deliver(entries)

            task = self.controller.run_with_vault(read, name="db:audit-page")
            task.succeeded.connect(arrived)
            task.failed.connect(fail)

        self.model.set_source(fetch)
        self.model.refresh()

    def _shown(self, offset: int) -> None:
        if offset == 0 and self.model.rowCount():
            self.page.table.selectRow(0)
            self.page.table.setFocus()

    def verify(self) -> None:
        if not self.controller.is_unlocked:
            return
        self.page.say(self.tr("Verifying every entry…"))
        task = self.controller.run_with_vault(lambda vault, state: audit.verify(vault), name="db:audit-verify")
        task.succeeded.connect(self._verified)
        task.failed.connect(lambda exc: self.page.show_failure(classify(exc)))

    def _verified(self, result) -> None:
        self.reload()  # verifying is itself an entry
        if result.broken is None:
            self.page.say(self.tr("The chain is intact: %n entries verified, none removed, reordered or altered.",
                                  "", result.count))
            return
        problem = result.broken
        words = {
            "altered": self.tr("Entry %1 was altered after it was written."),
            "missing": self.tr("Entry %1 is missing: it was removed."),
            "out_of_order": self.tr("Entry %1 is out of order: entries were moved."),
            "does_not_follow": self.tr("Entry %1 does not follow the entry before it: an entry was removed, "
                                       "replaced or moved."),
            "truncated": self.tr("The log was cut at its end from entry %1."),
        }.get(problem.problem, problem.message)
        self.page.show_problem(self.tr("The audit log does not verify. %1 Report this to your organisation.")
                               .replace("%1", words.replace("%1", str(problem.seq))))

    def choose_export(self) -> None:
        if not self.controller.is_unlocked:
            return
        choose_folder(self.window, self.tr("Choose where to save the audit log"), str(Path.home()), self.export_to)

    def export_to(self, folder: str) -> None:
        if not self.controller.is_unlocked:
            return
        chosen = self.page.current_filter()
        target = Path(folder) / f"waypoint-audit-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}.csv"
        task = self.controller.run_with_vault(lambda vault, state: audit.export_csv(vault, target, chosen),
                                              name="db:audit-export")
        task.succeeded.connect(lambda n: self.page.say(self.tr("%n entries exported to %1.", "", n)
                                                       .replace("%1", str(target))))
        task.failed.connect(lambda exc: self.page.show_failure(classify(exc)))

    def _locking(self) -> None:
        self._generation += 1
        self.model.set_source(None)
        self.page.record.clear()
        self.page.set_people([])
        self.page.status.hide()
        self.page.error.hide()
        self.action.setVisible(False)

    def retranslate(self) -> None:
        self.action.setText(self.tr("&Audit log…"))


def install_audit(*, window, controller) -> AuditArea:
    """After install_access: the entry goes into its Administration menu."""
    area = AuditArea(window=window, controller=controller)
    area.retranslator = Retranslator(area.window, area.retranslate)
    window.audit = area
    return area
