"""Saving and reopening records: the consent gate, field extraction, form-version pinning, finalized versions.

A record's content is the instance XML the engine produced. Before it reaches the vault:
1. it must belong to the installed form version it names (pinning: a record made with v1 stays with v1);
2. the consent gate blanks personal answers when consent was refused and no other legal basis chosen;
3. summary and search fields are extracted for the list, search and reports;
4. if the stored record was finalized, that finalized state is copied to registration_version first, so an edit
   after finalize never loses what was finalized (the copy is made before the overwrite, so a crash in between
   leaves an extra copy, never a missing one).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import select

from desktop_app.records.audit import is_audit
from desktop_app.records.form_store import get_form_xform
from desktop_app.records.models import RegistrationVersion
from desktop_app.records.schema import (
    FormSchema,
    extract_fields,
    form_schema,
    parse_instance,
    withhold_personal_data,
)
from desktop_app.vault.models import Registration
from desktop_app.vault.registrations import (
    RegistrationDraft,
    delete_registration,
    get_registration,
    save_registration,
    save_registrations,
)
from desktop_app.vault.vault import Vault, utc_now


class RecordError(ValueError):
    """A record cannot be saved or opened as asked; the message says why."""


@dataclass(frozen=True)
class PreparedRecord:
    """A record ready for the vault: content after the consent gate, and its extracted fields."""

    form_id: str
    form_version: str
    content: str
    fields: dict[str, str | int | None]
    personal_data_withheld: bool


@dataclass(frozen=True)
class SavedRecord:
    record_id: str
    version: int
    status: str
    form_id: str
    form_version: str
    personal_data_withheld: bool
    changed: bool = True


@dataclass(frozen=True)
class OpenRecord:
    """What the renderer needs to reopen a record: its content and the XForm of the version it was made with."""

    record_id: str
    form_id: str
    form_version: str
    status: str
    version: int
    content: str
    xform: str


@dataclass(frozen=True)
class RecordVersionInfo:
    version: int
    status: str
    form_version: str
    saved_at: str
    saved_by: str
    current: bool
    content: str


def prepare_record(schema: FormSchema, *, form_id: str, form_version: str, content: str) -> PreparedRecord:
    """Check the instance belongs to the form, apply the consent gate, extract fields. Pure (no vault)."""
    try:
        root = parse_instance(content)
    except ValueError as error:
        raise RecordError(str(error)) from error
    local = root.tag.rsplit("}", 1)[-1]
    if local != schema.root:
        raise RecordError(f"this record's root is <{local}>, form '{form_id}' expects <{schema.root}>")
    made_with = (root.get("id"), root.get("version"))
    if made_with[0] not in (None, form_id) or made_with[1] not in (None, "", form_version):
        raise RecordError(f"this record was made with form '{made_with[0]}' version {made_with[1]}, "
                          f"not '{form_id}' version {form_version}")
    withheld = withhold_personal_data(schema, root)
    if withheld:
        content = ET.tostring(root, encoding="unicode")
    return PreparedRecord(form_id=form_id, form_version=form_version, content=content,
                          fields=extract_fields(schema, root), personal_data_withheld=withheld)


def save_record(vault: Vault, *, form_id: str, form_version: str, status: str, content: str,
                record_id: str | None = None, xform: str | None = None) -> SavedRecord:
    """Save a draft or a finalized record (new if record_id is None). The form version must be installed."""
    if xform is None:
        xform = get_form_xform(vault, form_id, form_version)
    prepared = prepare_record(form_schema(xform), form_id=form_id, form_version=form_version, content=content)
    existing = get_registration(vault, record_id) if record_id is not None else None
    if existing is not None:
        if existing.deleted:
            raise RecordError("this record was deleted")
        if (existing.form_id, existing.form_version) != (form_id, form_version):
            raise RecordError(f"this record was made with form '{existing.form_id}' version "
                              f"{existing.form_version}; it must be edited with that version")
        if existing.content == prepared.content and existing.status == status:
            return SavedRecord(existing.id, existing.version, existing.status, form_id, form_version,
                               prepared.personal_data_withheld, changed=False)
        if prepared.personal_data_withheld:
            # consent refused now: earlier versions and files holding personal data must go, not be kept
            _drop_versions(vault, existing.id)
            _drop_personal_files(vault, existing.id)
        elif existing.status == "finalized":
            _keep_finalized_version(vault, existing)
    reg = save_registration(vault, record_id=record_id, form_id=form_id, form_version=form_version, status=status,
                            content=prepared.content, fields=prepared.fields,
                            supersede_pending=prepared.personal_data_withheld)
    return SavedRecord(reg.id, reg.version, reg.status, form_id, form_version, prepared.personal_data_withheld)


def save_new_records(vault: Vault, prepared: list[tuple[str | None, PreparedRecord]], *,
                     status: str = "finalized") -> list[str]:
    """Save many new records in ONE transaction with their outbox rows (imports): all or none."""
    drafts = [RegistrationDraft(form_id=p.form_id, form_version=p.form_version, status=status, content=p.content,
                                record_id=record_id, fields=p.fields) for record_id, p in prepared]
    saved = save_registrations(vault, drafts)
    # the vault returns ids (earlier: Registration rows); accept both
    return [item if isinstance(item, str) else item.id for item in saved]


def _keep_finalized_version(vault: Vault, existing: Registration) -> None:
    with vault.session() as session:
        if session.get(RegistrationVersion, (existing.id, existing.version)) is not None:
            return
        session.add(RegistrationVersion(
            record_id=existing.id, version=existing.version, form_id=existing.form_id,
            form_version=existing.form_version, status=existing.status, content=existing.content,
            saved_at=existing.updated_at, saved_by=existing.updated_by, superseded_at=utc_now(),
            superseded_by=vault.user.username))


def _drop_versions(vault: Vault, record_id: str) -> None:
    with vault.session() as session:
        session.connection().execute(text("DELETE FROM registration_version WHERE record_id = :id"),
                                     {"id": record_id})


def _drop_personal_files(vault: Vault, record_id: str) -> None:
    """Files answered before consent was refused (photos, documents); the audit timings hold no answers."""
    with vault.session() as session:
        conn = session.connection()
        names = [row[0] for row in conn.execute(text("SELECT name FROM attachment WHERE record_id = :id"),
                                                {"id": record_id})]
        for name in names:
            if not is_audit(name):
                conn.execute(text("DELETE FROM attachment WHERE record_id = :id AND name = :name"),
                             {"id": record_id, "name": name})


def open_record(vault: Vault, record_id: str) -> OpenRecord:
    """A record with the XForm of the version it was made with, whatever versions were installed since."""
    reg = get_registration(vault, record_id)
    if reg is None or reg.deleted:
        raise RecordError(f"no record {record_id}")
    xform = get_form_xform(vault, reg.form_id, reg.form_version)
    return OpenRecord(record_id=reg.id, form_id=reg.form_id, form_version=reg.form_version, status=reg.status,
                      version=reg.version, content=reg.content, xform=xform)


def record_history(vault: Vault, record_id: str) -> list[RecordVersionInfo]:
    """Earlier finalized versions, oldest first, then the current state."""
    reg = get_registration(vault, record_id)
    if reg is None or reg.deleted:
        raise RecordError(f"no record {record_id}")
    with vault.session(readonly=True) as session:
        rows = session.exec(select(RegistrationVersion).where(RegistrationVersion.record_id == record_id)
                            .order_by(RegistrationVersion.version)).all()
    history = [RecordVersionInfo(r.version, r.status, r.form_version, r.saved_at, r.saved_by, False, r.content)
               for r in rows]
    history.append(RecordVersionInfo(reg.version, reg.status, reg.form_version, reg.updated_at, reg.updated_by,
                                     True, reg.content))
    return history


def delete_record(vault: Vault, record_id: str) -> None:
    """Tombstone the record, then remove every kept version of it (and of any record deleted earlier)."""
    delete_registration(vault, record_id)
    purge_deleted_versions(vault)


def purge_deleted_versions(vault: Vault) -> int:
    """Remove kept versions of deleted records. Sync calls it after applying remote deletions."""
    with vault.session() as session:
        result = session.connection().execute(text(
            "DELETE FROM registration_version WHERE record_id IN (SELECT id FROM registration WHERE deleted = 1)"))
        return int(result.rowcount or 0)
