"""What the indicators read from the vault: the summary columns and a few extracted fields of live, finalized
records (never their content), within what the person may see (`Visible`). Two queries whatever the size."""

from __future__ import annotations

from typing import Any

from desktop_app.vault.registrations import EVERYTHING, Visible
from desktop_app.vault.vault import Vault
from waypoint_core.registry.indicators import StoredRecord

FIELDS = ("beneficiary_category", "person_ref", "assistance_type", "trafficking_status")


def _visible(visible: Visible, form_id: str, created_by: str, kind: str | None) -> bool:
    """`Visible.where` in Python, row by row (a subquery per row costs a look-up each on 400,000 rows)."""
    if visible.only_kind is not None:
        is_case = form_id in visible.case_forms or kind == "case"
        if is_case != (visible.only_kind == "case"):
            return False
    return visible.created_by is None or created_by == visible.created_by


def report_rows(vault: Vault, *, visible: Visible = EVERYTHING) -> list[StoredRecord]:
    """Live, finalized records the person may see, from two covering indexes (migration 0013)."""
    names = ", ".join(f"'{name}'" for name in (*FIELDS, "record_kind"))
    with vault.session(readonly=True) as session:
        raw: Any = session.connection().connection.driver_connection
        rows = raw.execute("SELECT id, form_id, created_by, sex, age, nationality, centre, registered_on "
                           "FROM registration INDEXED BY ix_registration_report "
                           "WHERE status = 'finalized' AND deleted = 0").fetchall()
        extracted: dict[str, dict[str, str]] = {}
        for name, record_id, value in raw.execute(
                "SELECT name, record_id, value FROM registration_field INDEXED BY ix_registration_field_report "
                f"WHERE name IN ({names}) AND value IS NOT NULL").fetchall():
            extracted.setdefault(record_id, {})[name] = value
    empty: dict[str, str] = {}
    return [StoredRecord(row[0], row[1], row[3], row[4], row[5], row[6], row[7], extracted.get(row[0], empty))
            for row in rows
            if _visible(visible, row[1], row[2], extracted.get(row[0], empty).get("record_kind"))]


def form_records(vault: Vault, form_id: str, *, after: str = "", limit: int = 1000,
                 visible: Visible = EVERYTHING) -> list[tuple[str, str, str, str]]:
    """(id, content, created_at, created_by) of live, finalized records of one form, by id after `after`: a page
    of a record-level export (read page by page, so 100,000 records never sit in memory at once)."""
    params: dict[str, object] = {"form": form_id, "after": after, "limit": int(limit)}
    sql = ("SELECT id, content, created_at, created_by FROM registration WHERE form_id = :form AND deleted = 0 "
           "AND status = 'finalized' AND id > :after" + visible.where(params) + " ORDER BY id LIMIT :limit")
    with vault.session(readonly=True) as session:
        raw: Any = session.connection().connection.driver_connection
        return [(row[0], row[1], row[2], row[3]) for row in raw.execute(sql, params).fetchall()]


def count_form_records(vault: Vault, form_id: str, *, visible: Visible = EVERYTHING) -> int:
    """How many records `form_records` would page through (the total of an export's progress)."""
    params: dict[str, object] = {"form": form_id}
    sql = ("SELECT count(*) FROM registration WHERE form_id = :form AND deleted = 0 AND status = 'finalized'"
           + visible.where(params))
    with vault.session(readonly=True) as session:
        raw: Any = session.connection().connection.driver_connection
        return int(raw.execute(sql, params).fetchone()[0])
