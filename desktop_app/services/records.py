"""Use cases for one record: save a draft, finalize, reopen with its form version, history, delete.

The renderer keeps a FormSession and hands its instance XML here. Finalizing re-checks the instance with the
engine (required answers, constraints) so a record can never be finalized invalid, whoever calls this; the
records store then applies the consent gate and extracts the list/search fields. No Qt here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from desktop_app.records import store
from desktop_app.records.form_store import FormNotInstalled, get_form_xform
from desktop_app.records.store import OpenRecord, RecordError, RecordVersionInfo, SavedRecord
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


def save_draft(vault: Vault, *, form_id: str, form_version: str, content: str,
               record_id: str | None = None) -> SavedRecord:
    """Save work in progress (no validation: a draft may be incomplete)."""
    return store.save_record(vault, record_id=record_id, form_id=form_id, form_version=form_version,
                             status="draft", content=content)


def finalize(vault: Vault, *, form_id: str, form_version: str, content: str,
             record_id: str | None = None) -> SavedRecord:
    """Validate with the engine, then save as finalized. Raises RecordNotValid listing every issue."""
    xform = get_form_xform(vault, form_id, form_version)
    issues = validate_instance(xform, content)
    if issues:
        raise RecordNotValid(issues)
    return store.save_record(vault, record_id=record_id, form_id=form_id, form_version=form_version,
                             status="finalized", content=content, xform=xform)


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


__all__ = [
    "FormNotInstalled", "RecordError", "RecordNotValid", "ReopenedRecord", "delete", "finalize", "history",
    "reopen", "save_draft", "validate_instance",
]
