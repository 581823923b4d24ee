"""How a record's audit logs are named among its attachments: one file per editing session (as ODK's
audit.csv), so reopening a record adds timings and never overwrites them.

A plain log holds question paths and times, never answers, which is why it stays when consent is refused and
answered files go. A form whose audit question asks for track-changes also logs each answer's old and new
value: that log is named apart (`audit-answers-…`) and goes with the answered files. A P3 answer's values are
never in it (`without_sealed_answers`): the answer itself is sealed for case workers, the log is not."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

AUDIT_MIME = "text/csv"


def audit_name(started_ms: int, *, answers: bool = False) -> str:
    return f"audit-answers-{started_ms}.csv" if answers else f"audit-{started_ms}.csv"


def is_audit(name: str) -> bool:
    """An audit log without answers (timings only): kept when consent is refused."""
    return name.startswith("audit-") and name.endswith(".csv") and not name.startswith("audit-answers-")


def holds_answers(name: str) -> bool:
    """A track-changes audit log: it holds answers (old and new values), as personal as the record."""
    return name.startswith("audit-answers-") and name.endswith(".csv")


def without_sealed_answers(data: bytes, *, root: str, is_sensitive: Callable[[str], bool]) -> bytes | None:
    """A track-changes log with the old and new values of every P3 answer left blank (their rows, paths and times
    stay). The log is an attachment, never sealed: whoever the data key opens the vault for reads it, and it is
    synced. None when it cannot be read as a log (the caller drops it rather than keep what it cannot check)."""
    try:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    except (UnicodeDecodeError, csv.Error):
        return None
    if not rows or "node" not in rows[0]:
        return None
    header = rows[0]
    node = header.index("node")
    values = [header.index(column) for column in ("old-value", "new-value") if column in header]
    prefix = f"/{root}/"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows[1:]:
        path = row[node] if len(row) > node else ""
        if path.startswith(prefix) and is_sensitive(path[len(prefix):]):
            row = [("" if i in values else cell) for i, cell in enumerate(row)]
        writer.writerow(row)
    return out.getvalue().encode("utf-8")
