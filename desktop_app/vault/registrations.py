"""Registrations in the vault: save, delete (tombstone), read, count and page through them.

Every change writes its outbox row (the per-device sequence number for sync) in the same
transaction as the change, so a record is never saved without being queued, nor queued unsaved.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from sqlalchemy import delete, func, text
from sqlmodel import Session, select

from desktop_app.vault.errors import InvalidInput
from desktop_app.vault.models import STATUSES, SUMMARY_FIELDS, Outbox, Registration, RegistrationField
from desktop_app.vault.vault import Vault, utc_now

__all__ = [
    "Registration",
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


@dataclass(frozen=True)
class RegistrationDraft:
    """What a caller hands to `save_registrations` for one record (the same fields as save_registration)."""

    form_id: str
    form_version: str
    status: str
    content: str
    record_id: str | None = None
    fields: dict | None = None


def _payload(reg: Registration, extra: dict[str, str | None]) -> str:
    return json.dumps(
        {**reg.model_dump(), "fields": extra}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def _save_in(session: Session, *, username: str, draft: RegistrationDraft) -> Registration:
    if draft.status not in STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(STATUSES)}")
    if not draft.form_id or not draft.form_version:
        raise InvalidInput("a registration needs a form id and a form version")
    if not isinstance(draft.content, str):
        raise InvalidInput("content must be the instance XML as text")
    fields = dict(draft.fields or {})
    summary = {name: fields.pop(name, None) for name in SUMMARY_FIELDS}
    if summary["age"] is not None:
        try:
            summary["age"] = int(summary["age"])
        except (TypeError, ValueError) as exc:
            raise InvalidInput("age must be a whole number") from exc
    for name in ("title", "sex", "nationality", "centre", "registered_on"):
        if summary[name] is not None:
            summary[name] = str(summary[name])
    extra = {str(k): (None if v is None else str(v)) for k, v in fields.items()}
    now = utc_now()
    record_id = draft.record_id or str(uuid.uuid4())
    if draft.record_id is not None:
        try:
            uuid.UUID(record_id)
        except ValueError as exc:
            raise InvalidInput("a record id must be a UUID") from exc
    reg = session.get(Registration, record_id)
    if reg is None:
        reg = Registration(
            id=record_id, form_id=draft.form_id, form_version=draft.form_version, status=draft.status,
            content=draft.content, created_at=now, created_by=username, updated_at=now, updated_by=username,
            version=1, sync_state="queued", deleted=False, **summary,
        )
    else:
        if reg.deleted:
            raise InvalidInput("this registration was deleted")
        reg.form_id, reg.form_version, reg.status, reg.content = (
            draft.form_id, draft.form_version, draft.status, draft.content)
        reg.updated_at, reg.updated_by = now, username
        reg.version += 1
        reg.sync_state = "queued"
        for name, value in summary.items():
            setattr(reg, name, value)
        session.exec(delete(RegistrationField).where(RegistrationField.record_id == record_id))
    session.add(reg)
    session.add_all(RegistrationField(record_id=record_id, name=k, value=v) for k, v in extra.items())
    session.add(Outbox(
        op_id=str(uuid.uuid4()), record_id=record_id, op="upsert", record_version=reg.version,
        base_version=reg.server_version, payload=_payload(reg, extra), created_at=now,
    ))
    return reg


def save_registration(
    vault: Vault, *, record_id: str | None = None, form_id: str, form_version: str, status: str,
    content: str, fields: dict[str, str | int | None] | None = None,
) -> Registration:
    """Create or update one registration and queue it for sync, in one transaction."""
    draft = RegistrationDraft(form_id, form_version, status, content, record_id, fields)
    with vault.session() as session:
        reg = _save_in(session, username=vault.user.username, draft=draft)
    return reg


def save_registrations(vault: Vault, drafts: list[RegistrationDraft]) -> list[Registration]:
    """Save many in one transaction (imports, batch entry): all of them or none."""
    with vault.session() as session:
        saved = [_save_in(session, username=vault.user.username, draft=d) for d in drafts]
    return saved


def delete_registration(vault: Vault, record_id: str) -> None:
    """Tombstone: the content is cleared, the row stays so the deletion syncs; an outbox row is queued."""
    with vault.session() as session:
        reg = session.get(Registration, record_id)
        if reg is None:
            raise InvalidInput(f"no registration {record_id}")
        if reg.deleted:
            return
        now = utc_now()
        reg.deleted, reg.content = True, ""
        for name in SUMMARY_FIELDS:
            setattr(reg, name, None)
        reg.updated_at, reg.updated_by = now, vault.user.username
        reg.version += 1
        reg.sync_state = "queued"
        session.exec(delete(RegistrationField).where(RegistrationField.record_id == record_id))
        session.add(reg)
        session.add(Outbox(
            op_id=str(uuid.uuid4()), record_id=record_id, op="delete", record_version=reg.version,
            base_version=reg.server_version, created_at=now,
            payload=json.dumps({"id": record_id, "version": reg.version, "deleted": True}),
        ))


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


def page_registrations(vault: Vault, *, offset: int, limit: int, search: str | None = None
                       ) -> list[RegistrationSummary]:
    """Live registrations, newest change first; `search` matches the title (case-insensitive, ASCII).

    Ordered by the covering index (deleted, updated_at DESC, id), so a page is an index range
    read whatever the vault's size; the content column is never read.
    """
    if offset < 0 or limit < 0:
        raise InvalidInput("offset and limit must not be negative")
    params: dict = {"offset": int(offset), "limit": int(limit)}
    where = "WHERE deleted = 0"
    if search:
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where += " AND title LIKE :pattern ESCAPE '\\'"
        params["pattern"] = f"%{escaped}%"
    sql = text(_SUMMARY_SQL + where + " ORDER BY deleted, updated_at DESC, id LIMIT :limit OFFSET :offset")
    with vault.session(readonly=True) as session:
        rows = session.connection().execute(sql, params).all()
    return [RegistrationSummary(*row) for row in rows]


def count_unsynced(vault: Vault) -> int:
    with vault.session(readonly=True) as session:
        return int(session.exec(select(func.count()).select_from(Outbox).where(Outbox.acked_at == None)).one())  # noqa: E711
