"""The audit log's use cases: every rights decision recorded, events the use cases name, review and export.

Writing goes through desktop_app/vault/audit.py only. `record_check` is what services/access.py calls with each
decision (allowed or refused). Sign-in, failed sign-ins, lock, wipe, people and role changes are recorded by the
vault itself (so the CLI and the app cannot forget them); sync runs by services/sync.py. Reviewing needs the
review right (coordinators), checked on every call; opening the review and exporting are themselves recorded.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Protocol

from desktop_app.paths import open_private
from desktop_app.vault import audit as log
from desktop_app.vault.audit import Filter
from desktop_app.vault.sql import Db
from desktop_app.vault.vault import Vault
from waypoint_core.access import audit as chain
from waypoint_core.access.audit import Entry, Verified

__all__ = ["Entry", "Filter", "Verified", "record_check", "note", "note_in", "entries", "count", "actors", "verify",
           "export_csv", "open_review", "EXPORT_COLUMNS", "PRINT"]

PRINT = chain.RECORD_PRINT  # a record printed (services/access.check_print_record records it)
EXPORT_COLUMNS = ("seq", "at", "actor", "event", "outcome", "record_id", "detail", "prev", "hash")


class CheckLike(Protocol):
    """What services/access.py passes (its Check), without importing it back."""

    @property
    def use_case(self) -> str: ...
    @property
    def username(self) -> str: ...
    @property
    def allowed(self) -> bool: ...
    @property
    def record_id(self) -> str | None: ...
    @property
    def reason(self) -> str: ...


def record_check(vault: Vault, check: CheckLike) -> None:
    """One rights decision. Raises if it cannot be written: nothing happens that the log cannot prove."""
    log.append(vault, check.use_case, outcome="allowed" if check.allowed else "refused",
               record_id=check.record_id or None, detail="" if check.allowed else check.reason,
               actor=check.username)


def note(vault: Vault, event: str, *, outcome: str = "done", record_id: str | None = None, detail: str = "") -> None:
    """An event a use case names itself (print, sync, an export of the log)."""
    log.append(vault, event, outcome=outcome, record_id=record_id, detail=detail)


def note_in(db: Db, vault: Vault, event: str, *, outcome: str = "done", record_id: str | None = None,
            detail: str = "") -> None:
    """An event recorded inside the caller's write transaction (the writer's `w.db`), so the change and its entry
    commit together or not at all (a consent withdrawal)."""
    log.append_db(db, vault.device_id, actor=vault.user.username, event=event, outcome=outcome, record_id=record_id,
                  detail=detail)


def _require_review(vault: Vault, *, recorded: bool) -> None:
    from desktop_app.services import access  # access records through this module

    if recorded:
        access.check_audit_review(vault)
    else:
        access.require_audit_review(vault)


def open_review(vault: Vault) -> None:
    """Opening the review screen: checked and recorded once (the pages it then loads are checked, not recorded)."""
    _require_review(vault, recorded=True)


def entries(vault: Vault, f: Filter | None = None, *, offset: int = 0, limit: int = 200) -> list[Entry]:
    _require_review(vault, recorded=False)
    return log.entries(vault, f or Filter(), offset=offset, limit=limit)


def count(vault: Vault, f: Filter | None = None) -> int:
    _require_review(vault, recorded=False)
    return log.count(vault, f or Filter())


def actors(vault: Vault) -> list[str]:
    _require_review(vault, recorded=False)
    return log.actors(vault)


def verify(vault: Vault) -> Verified:
    """The whole chain on this laptop, and its end against the head kept beside it."""
    _require_review(vault, recorded=True)
    return log.verify(vault)


def export_csv(vault: Vault, path: Path, f: Filter | None = None) -> int:
    """The entries the filter selects, oldest first, as CSV with their hashes (so a reader can check the chain)."""
    _require_review(vault, recorded=True)
    written = 0
    with open_private(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(EXPORT_COLUMNS)
        offset = 0
        while True:
            page = log.entries(vault, f or Filter(), offset=offset, limit=5000, newest_first=False)
            for e in page:
                writer.writerow([e.seq, e.at, e.actor, e.event, e.outcome, e.record_id or "", e.detail, e.prev,
                                 e.hash])
            written += len(page)
            offset += len(page)
            if len(page) < 5000:
                break
    note(vault, chain.AUDIT_EXPORT, detail=f"{written} entries")
    return written
