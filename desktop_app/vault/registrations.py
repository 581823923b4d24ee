"""Registrations in the vault: read, count and page through them; save and delete through the writer.

Every change is made by desktop_app.vault.writer, which writes the outbox row in the same transaction as
the change, so a record is never saved without being queued, nor queued unsaved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, text
from sqlmodel import select

from desktop_app.vault.errors import InvalidInput
from desktop_app.vault.models import Outbox, Registration, RegistrationField
from desktop_app.vault.vault import Vault
from desktop_app.vault.writer import RegistrationDraft, write

__all__ = [
    "Registration",
    "RegistrationDraft",
    "RegistrationSummary",
    "save_registration",
    "save_registrations",
    "delete_registration",
    "get_registration",
    "count_registrations",
    "page_registrations",
    "count_unsynced",
]


@dataclass(frozen=True)
class RegistrationSummary:
    """One line of the registration list: the summary columns, never the content."""

    id: str
    form_id: str
    form_version: str
    status: str
    title: str | None
    sex: str | None
    age: int | None
    nationality: str | None
    centre: str | None
    registered_on: str | None
    updated_at: str
    updated_by: str
    sync_state: str
    version: int


def save_registration(
    vault: Vault, *, record_id: str | None = None, form_id: str, form_version: str, status: str,
    content: str, fields: dict[str, str | int | None] | None = None,
) -> Registration:
    """Create or update one registration (queued for sync when it may travel), in one transaction."""
    draft = RegistrationDraft(form_id, form_version, status, content, record_id, dict(fields or {}))
    with write(vault) as w:
        row = w.save([draft])[0]
    return Registration(**row)


def save_registrations(vault: Vault, drafts: list[RegistrationDraft]) -> list[str]:
    """Save many in one transaction (imports, batch entry): all of them or none. Returns their ids."""
    if not drafts:
        return []
    with write(vault) as w:
        rows = w.save(list(drafts))
    return [str(row["id"]) for row in rows]


def delete_registration(vault: Vault, record_id: str) -> None:
    """Delete a registration and every copy of its data (see Writer.delete), in one transaction."""
    with write(vault) as w:
        w.delete(record_id)


def get_registration(vault: Vault, record_id: str) -> Registration | None:
    with vault.session(readonly=True) as session:
        return session.get(Registration, record_id)


def get_registration_fields(vault: Vault, record_id: str) -> dict[str, str | None]:
    with vault.session(readonly=True) as session:
        rows = session.exec(select(RegistrationField).where(RegistrationField.record_id == record_id))
        return {r.name: r.value for r in rows}


def count_registrations(vault: Vault, *, status: str | None = None, include_deleted: bool = False) -> int:
    query = select(func.count()).select_from(Registration)
    if status is not None:
        query = query.where(Registration.status == status)
    if not include_deleted:
        query = query.where(Registration.deleted == False)  # noqa: E712 (SQL expression)
    with vault.session(readonly=True) as session:
        return int(session.exec(query).one())


_SUMMARY_SQL = (
    "SELECT id, form_id, form_version, status, title, sex, age, nationality, centre, registered_on, "
    "updated_at, updated_by, sync_state, version FROM registration "
)


_SHORT_ID = re.compile(r"[0-9A-Fa-f]{4,8}")


def page_registrations(vault: Vault, *, offset: int, limit: int, search: str | None = None
                       ) -> list[RegistrationSummary]:
    """Live registrations, newest change first; `search` matches the title (case-insensitive, ASCII),
    or the start of the record id when it looks like the short id the list shows (4 to 8 hex digits).

    Ordered by the covering index (deleted, updated_at DESC, id), so a page is an index range
    read whatever the vault's size; the content column is never read.
    """
    if offset < 0 or limit < 0:
        raise InvalidInput("offset and limit must not be negative")
    params: dict[str, object] = {"offset": int(offset), "limit": int(limit)}
    where = "WHERE deleted = 0"
    if search:
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params["pattern"] = f"%{escaped}%"
        if _SHORT_ID.fullmatch(search.strip()):
            where += " AND (title LIKE :pattern ESCAPE '\\' OR id LIKE :id_prefix)"
            params["id_prefix"] = search.strip().lower() + "%"
        else:
            where += " AND title LIKE :pattern ESCAPE '\\'"
    sql = text(_SUMMARY_SQL + where + " ORDER BY deleted, updated_at DESC, id LIMIT :limit OFFSET :offset")
    with vault.session(readonly=True) as session:
        rows = session.connection().execute(sql, params).all()
    return [RegistrationSummary(*row) for row in rows]


def count_unsynced(vault: Vault) -> int:
    """Registrations with a change the server has not acknowledged yet (a record edited twice counts once)."""
    with vault.session(readonly=True) as session:
        return int(session.exec(select(func.count(func.distinct(Outbox.record_id)))
                                .where(Outbox.acked_at == None)).one())  # noqa: E711
