"""What the indicators read from the vault: the summary columns and a few extracted fields of live, finalized
records (never their content), within what the person may see (`Visible`). Two queries whatever the size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop_app.vault.registrations import EVERYTHING, Visible
from desktop_app.vault.vault import Vault

FIELDS = ("beneficiary_category", "person_ref", "assistance_type", "trafficking_status")


@dataclass(frozen=True)
class ReportRow:
    id: str
    form_id: str
    sex: str | None
    age: int | None
    nationality: str | None
    centre: str | None
    registered_on: str | None
    fields: dict[str, str]


def report_rows(vault: Vault, *, visible: Visible = EVERYTHING) -> list[ReportRow]:
    params: dict[str, object] = {}
    where = "WHERE r.deleted = 0 AND r.status = 'finalized'" + visible.where(params, "r.")
    with vault.session(readonly=True) as session:
        raw: Any = session.connection().connection.driver_connection
        rows = raw.execute("SELECT r.id, r.form_id, r.sex, r.age, r.nationality, r.centre, r.registered_on "
                           f"FROM registration r {where}", params).fetchall()
        names = ", ".join(f"'{name}'" for name in FIELDS)
        extracted: dict[str, dict[str, str]] = {}
        for record_id, name, value in raw.execute(
                f"SELECT f.record_id, f.name, f.value FROM registration_field f WHERE f.name IN ({names}) "
                "AND f.value IS NOT NULL").fetchall():
            extracted.setdefault(record_id, {})[name] = value
    return [ReportRow(row[0], row[1], row[2], row[3], row[4], row[5], row[6], extracted.get(row[0], {}))
            for row in rows]
