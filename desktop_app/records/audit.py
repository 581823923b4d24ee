"""How a record's audit timings are named among its attachments: one file per editing session (as ODK's
audit.csv), so reopening a record adds timings and never overwrites them. The log holds question paths and
times, never answers, which is why it stays when consent is refused and answered files go."""

from __future__ import annotations

AUDIT_MIME = "text/csv"


def audit_name(started_ms: int) -> str:
    return f"audit-{started_ms}.csv"


def is_audit(name: str) -> bool:
    return name.startswith("audit-") and name.endswith(".csv")
