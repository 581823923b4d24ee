"""USB batch files in the app (docs/batches.md): export this laptop's outbox to a folder or removable drive, with
progress and a clear "safe to remove" at the end; import files from a stick (a receipt for this laptop is applied,
other laptops' batch files are kept sealed for forwarding); forward the carried files when online and write the
receipts back, one folder per centre. Every file's outcome is a row of a Qt item model, in the person's language.

Vault work runs on the database thread (`VaultController.run_with_vault`), forwarding through the sync
controller's two-thread driver; nothing here touches the vault or the network itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtCore import QCoreApplication, QEvent, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QProgressBar, QPushButton,
    QTableView, QVBoxLayout, QWidget,
)

from desktop_app.services import batches as batch_service
from desktop_app.ui.row_model import RowsModel
from desktop_app.ui.security_files import choose_folder
from desktop_app.ui.sync_controller import SyncController
from desktop_app.ui.sync_messages import sync_error_text

FILE, LAPTOP, PART, STATUS, DETAIL = range(5)


def status_text(status: str) -> str:
    words = {
        "waiting": QCoreApplication.translate("SyncBatches", "Waiting to be forwarded"),
        "accepted": QCoreApplication.translate("SyncBatches", "Accepted"),
        "already_imported": QCoreApplication.translate("SyncBatches", "Already imported"),
        "conflicts": QCoreApplication.translate("SyncBatches", "Accepted, with conflicts to review"),
        "rejected": QCoreApplication.translate("SyncBatches", "Rejected"),
        "here_already": QCoreApplication.translate("SyncBatches", "Already on this machine"),
        "receipt": QCoreApplication.translate("SyncBatches", "Receipt applied"),
    }
    return words.get(status, status)


def reason_text(reason: str | None, message: str) -> str:
    """Why a file was refused, in the person's language (the server's English sentence for anything else)."""
    words = {
        "not_a_batch": QCoreApplication.translate("SyncBatches", "Not a Waypoint batch or receipt file."),
        "truncated": QCoreApplication.translate(
            "SyncBatches", "The file is incomplete (the copy stopped early). Copy it again from the laptop."),
        "tampered": QCoreApplication.translate(
            "SyncBatches", "The file was changed after it was written. Copy it again from the laptop."),
        "retargeted": QCoreApplication.translate(
            "SyncBatches", "The file was made for another server. Give it to the server the laptop is enrolled with."),
        "expired": QCoreApplication.translate(
            "SyncBatches", "The file has expired. Export a new one on the laptop."),
        "wrong_device": QCoreApplication.translate(
            "SyncBatches", "The file is not signed by the laptop it names, or is meant for another laptop."),
        "unknown_device": QCoreApplication.translate("SyncBatches", "The file comes from a laptop the server does not know."),
        "revoked": QCoreApplication.translate("SyncBatches", "The laptop that wrote the file has been revoked."),
        "reordered": QCoreApplication.translate(
            "SyncBatches", "An older batch from this laptop has not arrived yet. The file waits and goes after it."),
        # a `reordered` refusal after the server was restored (courier.answer_reason): no older file is on its way,
        # so waiting alone would never end; the earlier files go to the server's administrator (admin import-batch),
        # since this machine has them as taken already and would not take them again
        "restored": QCoreApplication.translate(
            "SyncBatches", "The server was restored from a backup and lost earlier changes from the laptop that wrote "
                           "this file. The file waits here; nothing in it is lost. Have that laptop sync online once, "
                           "or give its earlier batch files, if you still have them, to the server's administrator to "
                           "import again; this file then goes in at the next forward."),
        "part_missing": QCoreApplication.translate(
            "SyncBatches", "Another part of this export is missing. The file waits until the missing part arrives."),
        "clock_ahead": QCoreApplication.translate(
            "SyncBatches", "The laptop's clock was ahead of the server's. The file waits and goes again later."),
        "bad_signature": QCoreApplication.translate(
            "SyncBatches", "The receipt is not signed by the server this laptop is enrolled with."),
    }
    return words.get(reason or "", message)


def shown_status(row: dict[str, Any]) -> str:
    """A file's status as the person reads it: one the server refused for now but this machine keeps for the next
    forward (an older file or a part still to come, after a server restore) is waiting, as the list of what this
    machine carries says, not rejected."""
    status, reason = str(row.get("status") or ""), row.get("reason")
    return "waiting" if row.get("kind") != "receipt" and batch_service.keeps_waiting(status, reason) else status


class BatchFilesModel(RowsModel):
    """One row per file: its name, the laptop (short id), part n of m, what became of it, and why."""

    COLUMNS = 5

    def headers(self) -> dict[int, str]:
        return {FILE: self.tr("File"), LAPTOP: self.tr("Laptop"), PART: self.tr("Part"), STATUS: self.tr("Status"),
                DETAIL: self.tr("Details")}

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        row = self.row(index.row()) if index.isValid() else None
        if row is None or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        column = index.column()
        if column == FILE:
            return row.get("file") or (row.get("file_sha256") or "")[:12]
        if column == LAPTOP:
            short = (row.get("device_id") or "")[:8]
            if role == Qt.ItemDataRole.ToolTipRole:
                return " · ".join(x for x in (row.get("centre"), row.get("device_id")) if x)
            return row.get("centre") or short
        if column == PART:
            return self.tr("%1 of %2").replace("%1", str(row["part"])).replace("%2", str(row["parts"])) \
                if row.get("part") else ""
        if column == STATUS:
            return status_text("receipt" if row.get("kind") == "receipt" and row.get("status") != "rejected"
                               else shown_status(row))
        return self._detail(row)

    def _detail(self, row: dict[str, Any]) -> str:
        status, counts = shown_status(row), row.get("counts") or {}
        if row.get("kind") == "receipt" and status != "rejected":
            return self.tr("%1 acknowledged · %2 received").replace("%1", str(row.get("acknowledged", 0))) \
                .replace("%2", str(row.get("pulled", 0)))
        if status == "accepted":
            return self.tr("%n operation(s) imported", "", int(counts.get("ops", 0)))
        if status == "conflicts":
            return self.tr("%n operation(s) imported", "", int(counts.get("ops", 0))) + " · " + \
                self.tr("%n conflict(s) to review", "", int(counts.get("conflicts", 0)))
        if status in ("already_imported", "here_already"):
            return self.tr("Nothing changed.")
        if status == "waiting" and not row.get("reason"):
            return ""
        return reason_text(row.get("reason"), str(row.get("message") or ""))


class BatchDialog(QDialog):
    """"USB batch files…": export; import from a stick; forward and write receipts (coordinators)."""

    def __init__(self, *, controller, sync: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="batchDialog")
        self._controller, self._sync = controller, sync
        self.export_box = QGroupBox(objectName="batchExportBox")
        self.folder = QLineEdit(objectName="batchFolder")
        self.browse = QPushButton(objectName="batchBrowse")
        self.browse.clicked.connect(lambda: choose_folder(self, self.tr("Folder or drive"), self.folder.text(),
                                                          self.folder.setText))
        self.export_button = QPushButton(objectName="batchExportButton")
        self.export_button.clicked.connect(self.export)
        self.progress = QProgressBar(objectName="batchProgress")
        self.progress.setVisible(False)
        self.message = QLabel(objectName="batchMessage", wordWrap=True)
        self.message.setMinimumHeight(self.message.fontMetrics().lineSpacing() * 3)
        row = QHBoxLayout()
        row.addWidget(self.folder)
        row.addWidget(self.browse)
        box = QVBoxLayout(self.export_box)
        box.addLayout(row)
        box.addWidget(self.export_button)

        self.carry_box = QGroupBox(objectName="batchCarryBox")
        self.import_button = QPushButton(objectName="batchImportButton")
        self.import_button.clicked.connect(self.import_from_folder)
        self.forward_button = QPushButton(objectName="batchForwardButton")
        self.forward_button.clicked.connect(self.forward)
        self.model = BatchFilesModel()
        self.table = QTableView(objectName="batchFiles")
        self.table.setTabKeyNavigation(False)  # Tab leaves it, never trapped
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        for column in (FILE, LAPTOP, PART, STATUS):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(DETAIL, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.forward_button)
        carry = QVBoxLayout(self.carry_box)
        carry.addLayout(buttons)
        carry.addWidget(self.table)

        self.close_buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.close_buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.export_box)
        layout.addWidget(self.carry_box)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addWidget(self.close_buttons)
        self.resize(820, 520)
        self.setAcceptDrops(True)
        self._state: tuple = ("",)
        sync.forwarded.connect(self._forwarded)
        sync.failed.connect(self._failed)
        sync.progress.connect(self._forward_progress)
        self.finished.connect(self._disconnect)
        self.retranslate()
        self.refresh()

    # --- wording -------------------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("USB batch files"))
        self.export_box.setTitle(self.tr("Send this laptop's records on a USB stick"))
        self.folder.setPlaceholderText(self.tr("the USB stick, or a folder"))
        self.browse.setText(self.tr("Choose…"))
        self.export_button.setText(self.tr("Export"))
        self.carry_box.setTitle(self.tr("Files from a USB stick"))
        self.import_button.setText(self.tr("Import from a folder or drive…"))
        self.forward_button.setText(self.tr("Forward to the server"))
        self.model.retranslate()
        self._render()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _show(self, *state) -> None:
        self._state = state
        self._render()

    def _render(self) -> None:
        kind, *args = self._state
        text = {
            "": lambda: "",
            "exporting": lambda: self.tr("Writing the batch files… do not remove the drive."),
            "exported": lambda: self.tr("%n file(s) written", "", args[0]) + " · " +
            self.tr("%n operation(s)", "", args[1]) + ". " +
            self.tr("The files are complete: it is safe to remove the drive."),
            "importing": lambda: self.tr("Reading the files…"),
            "imported": lambda: self.tr("%n file(s) read", "", args[0]),
            "forwarding": lambda: self.tr("Forwarding to the server…"),
            "forwarded": lambda: (self.tr("%n file(s) forwarded", "", args[0]) + " · " if args[0] else "") +
            self.tr("%n receipt(s) written", "", args[1]) + (". " + self.tr(
                "The receipts are complete: it is safe to remove the drive.") if args[1] and not args[3] else ".") +
            self._receipts_failed(args[3]) + self._still_waiting(args[2]),
            "nothing": lambda: self.tr("Nothing is waiting to be forwarded."),
            "failed": lambda: args[0],
        }.get(kind, lambda: "")()
        self.message.setText(text)

    def _drive_problem(self, failed: batch_service.DriveNotWritable) -> str:
        return (self.tr("the drive is full") if failed.full else
                self.tr("the drive or folder cannot be written: %1").replace("%1", failed.reason))

    def _receipts_failed(self, failed: batch_service.DriveNotWritable | None) -> str:
        """Receipts a full (or read-only) drive stopped: they wait here; the files themselves were forwarded."""
        if failed is None:
            return ""
        return " " + self.tr("The remaining receipts could not be written to %1 (%2). Nothing is lost: they wait on "
                             "this machine. Free some space on the drive (or choose another) and press Forward to the "
                             "server again to write them.").replace("%1", str(failed.folder)).replace(
            "%2", self._drive_problem(failed))

    def _still_waiting(self, waiting: list[dict[str, Any]]) -> str:
        """The files the server did not take yet and this machine keeps, and why (the one reason they share, else
        the list's)."""
        if not waiting:
            return ""
        reasons = {(row.get("reason"), str(row.get("message") or "")) for row in waiting}
        why = reason_text(*next(iter(reasons))) if len(reasons) == 1 else self.tr("The list says why for each.")
        return " " + self.tr("%n file(s) still waiting here, not rejected:", "", len(waiting)) + " " + why

    # --- work ----------------------------------------------------------------------------------------------------
    def _busy(self, busy: bool) -> None:
        for button in (self.export_button, self.import_button, self.forward_button, self.browse):
            button.setEnabled(not busy)
        self.progress.setVisible(busy)
        if busy:
            self.progress.setRange(0, 0)

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def export(self) -> bool:
        folder = self.folder.text().strip()
        if not folder:
            self.folder.setFocus()
            return False
        self._busy(True)
        self._show("exporting")
        task = self._controller.run_with_vault(
            lambda vault, state: batch_service.export(vault, Path(folder), progress=state.report_progress),
            name="db:batch-export")
        task.progress.connect(self._progress)
        task.succeeded.connect(lambda summary: (self._busy(False), self._show("exported", len(summary.files),
                                                                              summary.ops)))
        task.failed.connect(self._failed)
        return True

    def import_from_folder(self) -> None:
        choose_folder(self, self.tr("Folder or drive"), self.folder.text(), self.import_files)

    def import_files(self, folder: str | list[str]) -> None:
        """Files or folders (a stick's root): receipts for this laptop applied, batch files kept for forwarding."""
        paths = [Path(p) for p in ([folder] if isinstance(folder, str) else folder)]
        self._busy(True)
        self._show("importing")
        task = self._controller.run_with_vault(
            lambda vault, state: batch_service.import_files(vault, paths, progress=state.report_progress),
            name="db:batch-import")
        task.progress.connect(self._progress)
        task.succeeded.connect(self._imported)
        task.failed.connect(self._failed)

    # --- drag and drop: files or folders dropped on the dialog are imported -------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths and self.import_button.isEnabled():
            event.acceptProposedAction()
            self.import_files(paths)

    def _imported(self, results: list[dict[str, Any]]) -> None:
        self._busy(False)
        self.model.set_rows(results)
        self._show("imported", len(results))
        if any(r.get("kind") == "receipt" for r in results):
            parent = self.parent()
            if hasattr(parent, "registrations_changed"):
                parent.registrations_changed()

    def forward(self) -> bool:
        folder = self.folder.text().strip() or None
        if not self._sync.forward_batches(folder):
            return False
        self._busy(True)
        self._show("forwarding")
        return True

    def _forward_progress(self, done: int, total: int) -> None:
        if self.progress.isVisible():
            self._progress(done, total)

    def _forwarded(self, result: dict[str, Any]) -> None:
        self._busy(False)
        if not result["files"] and not result["receipts"]:
            self._show("nothing")
            return
        if result["files"]:
            self.model.set_rows(result["files"])
        waiting = [row for row in result["files"] if shown_status(row) == "waiting"]
        self._show("forwarded", len(result["files"]) - len(waiting), len(result["receipts"]), waiting,
                   result.get("receipts_failed"))

    def refresh(self) -> None:
        """What this machine carries, as the table shows it before anything is done."""
        if not self._controller.is_unlocked:
            return
        task = self._controller.run_with_vault(lambda vault, state: batch_service.inbox(vault), name="db:inbox")
        task.succeeded.connect(lambda rows: self.model.set_rows(rows) if not self.model.rowCount() else None)

    def _failed(self, exc: object) -> None:
        self._busy(False)
        if isinstance(exc, batch_service.BatchRefused):
            text = reason_text(exc.code, str(exc))
        elif isinstance(exc, batch_service.DriveNotWritable):  # it said "Synchronisation stopped: OSError"
            text = self.tr("The batch files could not be written to %1 (%2). Nothing is lost: every change not yet "
                           "acknowledged goes in the next export, and no file on the drive is half-written. Free some "
                           "space on the drive (or use another one) and export again.").replace(
                "%1", str(exc.folder)).replace("%2", self._drive_problem(exc))
        elif isinstance(exc, batch_service.PermissionDenied):
            text = self.tr("Only a coordinator or an administrator can carry other laptops' batch files.")
        elif isinstance(exc, str):
            text = exc
        elif isinstance(exc, BaseException):
            text = sync_error_text(exc)
        else:
            text = str(exc)
        self._show("failed", text)

    def _disconnect(self, _result: int) -> None:
        self._sync.forwarded.disconnect(self._forwarded)
        self._sync.failed.disconnect(self._failed)
        self._sync.progress.disconnect(self._forward_progress)


def open_batch_dialog(window, *, controller, sync: SyncController) -> BatchDialog:
    dialog = BatchDialog(controller=controller, sync=sync, parent=window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.batch_dialog = dialog
    dialog.open()
    return dialog
