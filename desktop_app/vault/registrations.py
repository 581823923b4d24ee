"""Registrations in the vault: save, delete (tombstone), read, count and page through them.

Every change writes its outbox row (the per-device sequence number for sync) in the same
transaction as the change, so a record is never saved without being queued, nor queued unsaved.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, func, insert, select as sa_select, text, update
from sqlmodel import Session, select

from desktop_app.vault.errors import InvalidInput
from desktop_app.vault.models import STATUSES, SUMMARY_FIELDS, Attachment, Outbox, Registration, RegistrationField
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
    # Consent withdrawn: the earlier states of this record that have not left the laptop yet (outbox rows
    # not frozen into a batch) are overwritten with this one, so the personal data they hold is never sent.
    supersede_pending: bool = False


_REG = Registration.__table__
_FIELD = RegistrationField.__table__
_OUTBOX = Outbox.__table__
_REG_COLUMNS = [c.name for c in _REG.columns]


def _validated(draft: RegistrationDraft) -> tuple[str, dict, dict[str, str | None]]:
    """(record id, summary columns, other extracted fields) or InvalidInput."""
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
    if draft.record_id is None:
        return str(uuid.uuid4()), summary, extra
    try:
        return str(uuid.UUID(draft.record_id)), summary, extra
    except (ValueError, AttributeError, TypeError) as exc:
        raise InvalidInput("a record id must be a UUID") from exc


def _save_many(session: Session, *, username: str, drafts: list[RegistrationDraft]) -> list[dict]:
    """Write rows, extracted fields and outbox rows with a few multi-row statements (Core, not the
    ORM unit of work: a 1,000-record batch is one round of executemany, not 3,000 flushes)."""
    prepared = [(draft, *_validated(draft)) for draft in drafts]
    ids = [record_id for _, record_id, _, _ in prepared]
    if len(set(ids)) != len(ids):
        raise InvalidInput("the same registration appears twice in one save")
    conn = session.connection()
    existing = {}
    for start in range(0, len(ids), 500):
        query = sa_select(_REG.c.id, _REG.c.version, _REG.c.server_version, _REG.c.created_at,
                       _REG.c.created_by, _REG.c.deleted).where(_REG.c.id.in_(ids[start:start + 500]))
        existing.update({row.id: row for row in conn.execute(query)})
    now = utc_now()
    inserts, updates, field_rows, outbox_rows, saved = [], [], [], [], []
    for draft, record_id, summary, extra in prepared:
        old = existing.get(record_id)
        if old is not None and old.deleted:
            raise InvalidInput("this registration was deleted")
        row = {
            "id": record_id, "form_id": draft.form_id, "form_version": draft.form_version, "status": draft.status,
            "content": draft.content, "created_at": old.created_at if old else now,
            "created_by": old.created_by if old else username, "updated_at": now, "updated_by": username,
            "version": old.version + 1 if old else 1, "server_version": old.server_version if old else None,
            "sync_state": "queued", "deleted": False, **summary,
        }
        (updates if old else inserts).append(row)
        field_rows += [{"record_id": record_id, "name": k, "value": v} for k, v in extra.items()]
        payload = json.dumps({**row, "fields": extra}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        if old is not None and draft.supersede_pending:
            # device_seq comes from the sync client's migration 0003: set once an op is frozen into a batch
            conn.execute(text("UPDATE outbox SET payload = :p WHERE record_id = :r AND device_seq IS NULL "
                              "AND acked_at IS NULL"), {"p": payload, "r": record_id})
        outbox_rows.append({
            "op_id": str(uuid.uuid4()), "record_id": record_id, "op": "upsert", "record_version": row["version"],
            "base_version": row["server_version"], "created_at": now, "payload": payload,
        })
        saved.append(row)
    if inserts:
        conn.execute(insert(_REG), inserts)
    if updates:
        stmt = update(_REG).where(_REG.c.id == bindparam("_id")).values(
            {name: bindparam(name) for name in _REG_COLUMNS if name != "id"})
        conn.execute(stmt, [{**{k: v for k, v in r.items() if k != "id"}, "_id": r["id"]} for r in updates])
        conn.execute(delete(_FIELD).where(_FIELD.c.record_id.in_([r["id"] for r in updates])))
    if field_rows:
        conn.execute(insert(_FIELD), field_rows)
    conn.execute(insert(_OUTBOX), outbox_rows)
    return saved


def save_registration(
    vault: Vault, *, record_id: str | None = None, form_id: str, form_version: str, status: str,
    content: str, fields: dict[str, str | int | None] | None = None, supersede_pending: bool = False,
) -> Registration:
    """Create or update one registration and queue it for sync, in one transaction."""
    draft = RegistrationDraft(form_id, form_version, status, content, record_id, fields, supersede_pending)
    with vault.session() as session:
        row = _save_many(session, username=vault.user.username, drafts=[draft])[0]
    return Registration(**row)


def save_registrations(vault: Vault, drafts: list[RegistrationDraft]) -> list[str]:
    """Save many in one transaction (imports, batch entry): all of them or none. Returns their ids."""
    if not drafts:
        return []
    with vault.session() as session:
        rows = _save_many(session, username=vault.user.username, drafts=list(drafts))
    return [row["id"] for row in rows]


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
        session.exec(delete(Attachment).where(Attachment.record_id == record_id))  # photos, documents: gone too
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
    params: dict = {"offset": int(offset), "limit": int(limit)}
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
