"""How a record's audit logs are named among its attachments: one file per editing session (as ODK's
audit.csv), so reopening a record adds timings and never overwrites them.

A plain log holds question paths and times, never answers, which is why it stays when consent is refused and
answered files go. A form whose audit question asks for track-changes also logs each answer's old and new
value: that log is named apart (`audit-answers-…`) and goes with the answered files."""

from __future__ import annotations

AUDIT_MIME = "text/csv"


def audit_name(started_ms: int, *, answers: bool = False) -> str:
    return f"audit-answers-{started_ms}.csv" if answers else f"audit-{started_ms}.csv"


def is_audit(name: str) -> bool:
    """An audit log without answers (timings only): kept when consent is refused."""
    return name.startswith("audit-") and name.endswith(".csv") and not name.startswith("audit-answers-")
