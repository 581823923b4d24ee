"""A person's case file on paper (issue 11 point 4, data-model R10 "my record"): what the screen shows, nothing more.

`case_document(page)` builds a plain QTextDocument from the case file screen as it stands: the person's heading
and facts, the state of the case, the next appointment and open referrals, the timeline's rows. The screen holds
only what the signed-in person may see (services/casefile.py reads extracted fields, never a P3 answer, and leaves
out linked records their role does not cover), so the paper holds no more. Sending it to a printer (never a file)
is ui/security_print.py's; recording the print is services.casefile.record_print's (casefile_area.py calls both).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFont, QTextCharFormat, QTextCursor, QTextDocument

from desktop_app.ui.casefile_model import BY, DATE, DETAILS, WHAT

translate = QCoreApplication.translate


def case_document(page) -> QTextDocument:
    """The case file `page` (a CaseFilePage showing a case) as a document to print."""
    document = QTextDocument()
    document.setDefaultFont(QFont(document.defaultFont().family(), 10))
    cursor = QTextCursor(document)
    plain, bold, title = QTextCharFormat(), QTextCharFormat(), QTextCharFormat()
    bold.setFontWeight(QFont.Weight.Bold)
    title.setFontWeight(QFont.Weight.Bold)
    title.setFontPointSize(14)

    def line(text: str, fmt: QTextCharFormat = plain) -> None:
        if not document.isEmpty():
            cursor.insertBlock()
        cursor.insertText(text, fmt)

    def pair(label: str, value: str) -> None:
        line(label + " ", bold)
        cursor.insertText(value, plain)

    line(page.heading.text(), title)
    for text in (page.facts.text(), page.state_line.text()):
        if text:
            line(text)
    line("")
    pair(page.appointment_title.text(), page.appointment.text())
    pair(page.referrals_title.text(), page.referrals.text().replace("\n", "; "))
    line("")
    line(page.tabs.tabText(0).replace("&", ""), bold)
    model = page.model
    headers = model.headers()
    line("  ·  ".join(headers[c] for c in (DATE, WHAT, DETAILS, BY)), bold)
    for row in range(model.rowCount()):
        cells = [str(model.index(row, c).data(Qt.ItemDataRole.DisplayRole) or "") for c in (DATE, WHAT, DETAILS, BY)]
        line("  ·  ".join(cell for cell in cells if cell))
    if not page.hidden_note.isHidden():
        line(page.hidden_note.text())
    line("")
    line(translate("CaseFilePrint", "Printed on %1 from Waypoint. Keep it with the person's papers or give it to "
                   "them; do not leave it lying around.").replace("%1", date.today().isoformat()))
    return document
