"""Use cases for one record: save a draft, finalize, reopen with its form version, history, delete.

The renderer keeps a FormSession and hands its instance XML (and the files answered) here. Finalizing
re-checks the instance with the engine (required answers, constraints) so a record can never be finalized
invalid, whoever calls this; the records store then applies the consent gate and extracts the list/search
fields, and the vault's writer stores the record and its files in one transaction. No Qt here.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from desktop_app.records import store
from desktop_app.records.audit import is_audit
from desktop_app.records.schema import form_schema
from desktop_app.records.form_store import FormNotInstalled, get_form_xform
from desktop_app.records.store import OpenRecord, RecordError, RecordVersionInfo, SavedRecord
from desktop_app.vault.registrations import get_registration
from desktop_app.vault.vault import Vault
from waypoint_core.xform import FormDefinition, FormError, FormSession, Issue


class RecordNotValid(ValueError):
    """Finalizing was refused: `issues` lists every blocking answer, the first is where to jump."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        first = issues[0]
        super().__init__(f"{len(issues)} answer(s) block finalizing; first: {first.ref}: {first.message}")


@dataclass(frozen=True)
class ReopenedRecord:
    """A record and the engine definition of the exact form version it was made with."""

    record: OpenRecord
    definition: FormDefinition

    def session(self, **kwargs) -> FormSession:
        return FormSession(self.definition, instance_xml=self.record.content, **kwargs)


Files = Sequence[tuple[str, str, bytes]]  # (stored name, mime type, bytes) answered in the form, and audit logs


def save_draft(vault: Vault, *, form_id: str, form_version: str, content: str, record_id: str | None = None,
               files: Files = ()) -> SavedRecord:
    """Save work in progress with its files, in one transaction (no validation: a draft may be incomplete)."""
    return _save(vault, status="draft", form_id=form_id, form_version=form_version, content=content,
                 record_id=record_id, files=files, xform=get_form_xform(vault, form_id, form_version))


def finalize(vault: Vault, *, form_id: str, form_version: str, content: str, record_id: str | None = None,
             files: Files = ()) -> SavedRecord:
    """Validate with the engine, then save as finalized with its files. Raises RecordNotValid listing every issue."""
    xform = get_form_xform(vault, form_id, form_version)
    issues = validate_instance(xform, content)
    if issues:
        raise RecordNotValid(issues)
    return _save(vault, status="finalized", form_id=form_id, form_version=form_version, content=content,
                 record_id=record_id, files=files, xform=xform)


def _save(vault: Vault, *, status: str, form_id: str, form_version: str, content: str, record_id: str | None,
          files: Files, xform: str) -> SavedRecord:
    """The consent gate's rule for files: when consent is refused (and no other legal basis), nothing personal
    stays. The answered files (photos, documents), stored ones included, and every earlier version go; the
    audit timings stay, since they hold question paths and times, never answers. One transaction, so a save
    that fails removes nothing."""
    prepared = store.prepare_record(form_schema(xform), form_id=form_id, form_version=form_version, content=content)
    erasure = None
    if prepared.personal_data_withheld:
        files = [file for file in files if is_audit(file[0])]
        erasure = store.Erasure(keep_file=is_audit)
    return store.write_record(vault, prepared, status=status, record_id=record_id, files=files, erasure=erasure)


def validate_instance(xform: str, content: str) -> list[Issue]:
    """What blocks finalizing this instance with this form (empty list: it may be finalized)."""
    try:
        session = FormSession(form_definition(xform), instance_xml=content)
    except FormError as error:
        raise RecordError(f"the record cannot be read with its form: {error}") from error
    return session.validate()


# Sessions never mutate a FormDefinition, so one parse per installed XForm serves every record.
@functools.lru_cache(maxsize=8)
def form_definition(xform: str) -> FormDefinition:
    return FormDefinition.from_xml(xform)


def reopen(vault: Vault, record_id: str) -> ReopenedRecord:
    """The record with the engine definition of its own form version (never a newer one)."""
    record = store.open_record(vault, record_id)
    return ReopenedRecord(record=record, definition=form_definition(record.xform))


def history(vault: Vault, record_id: str) -> list[RecordVersionInfo]:
    return store.record_history(vault, record_id)


def delete(vault: Vault, record_id: str) -> None:
    store.delete_record(vault, record_id)


class NotADraft(RecordError):
    """Only drafts are deleted from the list: a finalized record is part of someone's case history."""


def delete_draft(vault: Vault, record_id: str) -> None:
    """Delete an abandoned draft (from the list, or "discard" on a new record). A finalized record is refused."""
    found = get_registration(vault, record_id)
    if found is None or found.deleted:
        raise RecordError(f"no record {record_id}")
    if found.status != "draft":
        raise NotADraft("only a draft can be deleted here; this record is finalized")
    store.delete_record(vault, record_id)


__all__ = [
    "FormNotInstalled", "NotADraft", "RecordError", "RecordNotValid", "ReopenedRecord", "delete", "delete_draft",
    "finalize", "history",
    "reopen", "save_draft", "validate_instance",
]
