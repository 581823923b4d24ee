"""Exports in the app (issue 12 point 5): a form's records, passphrase-protected, and the trafficking cases in
CTDC's anonymised columns.

`install_exports(window=, controller=)` (the composition root calls it) adds the screen and Registrations →
Exports… (Ctrl+Shift+X). Both exports run on the database thread through the one task runner
(`controller.run_with_vault`), streamed with a progress bar (records written of the total) and a Cancel button;
a cancelled export leaves no file. The lists offered follow the person's rights (services/record_export.py) and
the export checks again and records the decision in the audit log. The passphrase fields are cleared when an
export starts and when the vault locks.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QEvent, QLocale, QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.services import ctdc_export, record_export
from desktop_app.services.forms import localized_title
from desktop_app.ui import labels
from desktop_app.ui.i18n import Retranslator
from desktop_app.ui.security_files import choose_folder
from waypoint_core.registry.sealed_file import MIN_PASSPHRASE


class ExportsPage(QWidget):
    def __init__(self) -> None:
        super().__init__(objectName="exportsPage")
        self.heading = QLabel(objectName="pageHeading")
        self.intro = QLabel(wordWrap=True)
        self.records_box = QGroupBox(objectName="recordsExportBox")
        self.form = QComboBox(objectName="exportForm")
        self.format = QComboBox(objectName="exportFormat")
        self.format.addItems(["XLSX", "CSV"])
        self.hxl = QCheckBox(objectName="exportHxl")
        self.passphrase = QLineEdit(objectName="exportPassphrase", echoMode=QLineEdit.EchoMode.Password)
        self.confirm = QLineEdit(objectName="exportConfirm", echoMode=QLineEdit.EchoMode.Password)
        self.records_button = QPushButton(objectName="recordsExportButton")
        self.form_label, self.format_label = QLabel(), QLabel()
        self.passphrase_label, self.confirm_label = QLabel(), QLabel()
        for label, widget in ((self.form_label, self.form), (self.format_label, self.format),
                              (self.passphrase_label, self.passphrase), (self.confirm_label, self.confirm)):
            label.setBuddy(widget)
        records = QFormLayout(self.records_box)
        records.addRow(self.form_label, self.form)
        records.addRow(self.format_label, self.format)
        records.addRow("", self.hxl)
        records.addRow(self.passphrase_label, self.passphrase)
        records.addRow(self.confirm_label, self.confirm)
        records.addRow("", self.records_button)
        self.ctdc_box = QGroupBox(objectName="ctdcExportBox")
        self.ctdc_text = QLabel(wordWrap=True)
        self.ctdc_button = QPushButton(objectName="ctdcExportButton")
        ctdc = QVBoxLayout(self.ctdc_box)
        ctdc.addWidget(self.ctdc_text)
        ctdc.addWidget(self.ctdc_button)
        self.progress = QProgressBar(objectName="exportProgress")
        self.progress.setVisible(False)
        self.cancel_button = QPushButton(objectName="exportCancel")
        self.cancel_button.setVisible(False)
        self.status = QLabel(objectName="exportStatus", wordWrap=True)
        running = QHBoxLayout()
        running.addWidget(self.progress, 1)
        running.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.intro)
        layout.addWidget(self.records_box)
        layout.addWidget(self.ctdc_box)
        layout.addLayout(running)
        layout.addWidget(self.status)
        layout.addStretch()
        self.retranslate()

    def set_choices(self, forms: list[tuple[str, str]], ctdc_allowed: bool) -> None:
        self.form.clear()
        for form_id, title in forms:
            self.form.addItem(localized_title(title, labels.ui_language()), form_id)
        self.records_box.setEnabled(bool(forms))
        self.ctdc_box.setVisible(ctdc_allowed)
        if not forms and not ctdc_allowed:
            self.status.setText(self.tr("Your role does not allow exporting records."))

    def set_running(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)
        self.records_button.setEnabled(not running)
        self.ctdc_button.setEnabled(not running)
        if running:
            self.progress.setRange(0, 0)  # busy until the first page says how many

    def show_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
            number = QLocale().toString  # the interface language's digit grouping (i18n sets the default locale)
            self.progress.setFormat(self.tr("%1 of %2 records").replace("%1", number(done)).replace("%2", number(total)))

    def clear(self) -> None:
        self.passphrase.clear()
        self.confirm.clear()
        self.form.clear()
        self.status.setText("")
        self.set_running(False)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Exports"))
        self.intro.setText(self.tr(
            "Record-level exports hold personal data: they are written passphrase-protected and recorded in the "
            "audit log. Give the passphrase to the recipient by another way than the file."))
        self.records_box.setTitle(self.tr("A form's records (passphrase-protected)"))
        self.form_label.setText(self.tr("&Form:"))
        self.format_label.setText(self.tr("F&ormat:"))
        self.hxl.setText(self.tr("Add a row of &HXL hashtags under the header"))
        self.passphrase_label.setText(self.tr("&Passphrase for the file:"))
        self.confirm_label.setText(self.tr("&Same passphrase again:"))
        self.passphrase.setPlaceholderText(self.tr("at least %1 characters").replace("%1", str(MIN_PASSPHRASE)))
        self.records_button.setText(self.tr("&Export records…"))
        self.ctdc_box.setTitle(self.tr("Trafficking cases for CTDC (anonymised)"))
        self.ctdc_text.setText(self.tr(
            "Possible and identified victims in the columns of the Counter Trafficking Data Collaborative: no "
            "name, number, centre or date finer than the year. Before the file is written, every combination of "
            "year, source, gender, age, citizenship, country of exploitation and duration is shared by at least "
            "11 cases: values are generalised, then the remaining cases withheld; a note beside the file says what."))
        self.ctdc_button.setText(self.tr("Export for &CTDC…"))
        self.cancel_button.setText(self.tr("Cance&l"))


class ExportsArea(QObject):
    def __init__(self, *, window, controller) -> None:
        super().__init__(window)
        self.window, self.controller = window, controller
        self.page = ExportsPage()
        window.add_page(self.page)
        self.action = QAction(window, objectName="exportsAction", shortcut=QKeySequence("Ctrl+Shift+X"))
        self.action.triggered.connect(self.open)
        self.action.setEnabled(False)
        window.registrations_menu.addAction(self.action)
        self.page.records_button.clicked.connect(self.export_records)
        self.page.ctdc_button.clicked.connect(self.export_ctdc)
        self.page.cancel_button.clicked.connect(self.cancel)
        self.task = None
        controller.unlocked.connect(self._unlocked)
        controller.locking.connect(self._locking)
        self.retranslate()

    def _unlocked(self, _user) -> None:
        self.action.setEnabled(True)

    def _locking(self) -> None:
        self.action.setEnabled(False)
        self.cancel()
        self.page.clear()

    def open(self) -> None:
        if not self.controller.is_unlocked:
            return
        self.window.show_page(self.page)
        session_number = self.controller.session_number
        task = self.controller.run_with_vault(
            lambda vault, state: (record_export.exportable_forms(vault), record_export.may_export_ctdc(vault)),
            name="db:export-choices")
        task.succeeded.connect(
            lambda found: session_number == self.controller.session_number and self.page.set_choices(*found))
        self.page.form.setFocus()

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.page.cancel_button.setEnabled(False)
            self.page.status.setText(self.tr("Cancelling…"))

    def export_records(self) -> None:
        secret, again = self.page.passphrase.text(), self.page.confirm.text()
        if len(secret) < MIN_PASSPHRASE:
            self.page.status.setText(self.tr("The passphrase needs at least %1 characters.")
                                     .replace("%1", str(MIN_PASSPHRASE)))
            return
        if secret != again:
            self.page.status.setText(self.tr("The two passphrases differ."))
            return
        form_id = self.page.form.currentData()
        if not form_id:
            return
        choose_folder(self.window, self.tr("Choose where to save the export"), str(Path.home()),
                      lambda folder: self.write_records(folder, form_id, secret))

    def write_records(self, folder: str, form_id: str, secret: str) -> None:
        if not self.controller.is_unlocked:
            return
        self.page.passphrase.clear()
        self.page.confirm.clear()
        suffix = self.page.format.currentText().lower()
        out = Path(folder) / f"{form_id}-{date.today().isoformat()}.{suffix}"
        hxl = self.page.hxl.isChecked()
        self._run(lambda vault, state: record_export.export_form(
            vault, form_id=form_id, out=out, passphrase=secret, hxl=hxl, progress=state.report_progress,
            cancelled=lambda: state.cancelled), "db:records-export", self._records_done)

    def _records_done(self, done: record_export.ExportDone) -> None:
        self.page.status.setText(self.tr("Saved %1: %n record(s), passphrase-protected.", "", done.records)
                                 .replace("%1", str(done.path)))

    def export_ctdc(self) -> None:
        choose_folder(self.window, self.tr("Choose where to save the CTDC export"), str(Path.home()), self.write_ctdc)

    def write_ctdc(self, folder: str) -> None:
        if not self.controller.is_unlocked:
            return
        out = Path(folder) / f"waypoint-ctdc-{date.today().isoformat()}.csv"
        self._run(lambda vault, state: ctdc_export.export_ctdc(vault, out=out, progress=state.report_progress),
                  "db:ctdc-export", lambda found: self._ctdc_done(out, *found))

    def _ctdc_done(self, out: Path, result, note: Path) -> None:
        words = self.tr("Saved %1: %n case(s), k-anonymous (k = 11).", "", len(result.rows)).replace("%1", str(out))
        if result.withheld:
            words += " " + self.tr("%n case(s) withheld: too few alike.", "", result.withheld)
        if any(result.levels.values()):
            words += " " + self.tr("Some values were generalised; see %1.").replace("%1", note.name)
        self.page.status.setText(words)

    def _run(self, fn, name: str, on_done) -> None:
        self.page.set_running(True)
        self.page.status.setText(self.tr("Exporting…"))
        session_number = self.controller.session_number
        task = self.controller.run_with_vault(fn, name=name)
        self.task = task
        task.progress.connect(self.page.show_progress)
        task.succeeded.connect(lambda done: session_number == self.controller.session_number and on_done(done))
        task.failed.connect(lambda exc: session_number == self.controller.session_number and self._failed(exc))
        task.finished.connect(self._finished)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, record_export.ExportCancelled):
            self.page.status.setText(self.tr("Export cancelled: no file was left."))
        else:
            self.page.status.setText(self.tr("The export could not be written: %1").replace("%1", str(exc)))

    def _finished(self) -> None:
        self.task = None
        self.page.set_running(False)

    def retranslate(self) -> None:
        self.action.setText(self.tr("E&xports…"))
        self.action.setToolTip(self.tr("Export a form's records, passphrase-protected, or CTDC's anonymised "
                                       "trafficking cases (Ctrl+Shift+X)"))


def install_exports(*, window, controller) -> ExportsArea:
    area = ExportsArea(window=window, controller=controller)
    area.retranslator = Retranslator(area.window, area.retranslate)
    window.exports_area = area
    return area
