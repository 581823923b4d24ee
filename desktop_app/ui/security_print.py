"""Printing a registration without leaving a copy of the person outside the vault.

Decision (docs/vault.md, "No trace outside the vault"): Waypoint prints to printers only, never
to a file. A PDF or PostScript "print to file" is a plain copy of the person on disk, outside the
vault, that no lock or erase reaches; so the print dialog offers no file output and
`print_document` refuses a printer set to write a file. What the operating system's print queue
keeps while a job prints (CUPS's /var/spool/cups, Windows' spool folder) is the system's: the
deployment guide asks organisations to keep no job files after printing (CUPS `PreserveJobFiles
No`, Windows "keep printed documents" off). The case file's Print… (casefile_area.py) calls these
two functions.
"""

from __future__ import annotations

from PySide6.QtGui import QTextDocument
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import QWidget


class PrintToFileRefused(Exception):
    """The printer writes a file: that would be a copy of the person outside the vault."""


def writes_a_file(printer: QPrinter) -> bool:
    return printer.outputFormat() == QPrinter.OutputFormat.PdfFormat or bool(printer.outputFileName())


def print_dialog(printer: QPrinter, parent: QWidget | None = None) -> QPrintDialog:
    """The system's print dialog without its "print to file" choice."""
    dialog = QPrintDialog(printer, parent)
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintToFile, False)
    return dialog


def print_document(document: QTextDocument, printer: QPrinter) -> None:
    """Send `document` to a real printer's queue; refuse (and write nothing) if it would go to a file."""
    if writes_a_file(printer):
        raise PrintToFileRefused(printer.outputFileName())
    document.print_(printer)
