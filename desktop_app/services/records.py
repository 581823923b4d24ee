"""Use cases for one record: save a draft, finalize, reopen with its form version, history, delete.

The renderer keeps a FormSession and hands its instance XML (and the files answered) here. Each use case first
asks desktop_app/services/access.py whether the signed-in person may do it to this record (their roles, the
record's kind and owner), before anything is read or written. Finalizing re-checks the instance with the engine
(required answers, constraints) so a record can never be finalized invalid, whoever calls this; the records store
then applies the consent gate, extracts the list/search fields and seals the P3 answers, and the vault's writer
stores the record and its files in one transaction. Reopening gives the engine the P3 answers only for a person
who may read them (case workers); others get them blank, listed in `restricted`. No Qt here.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from desktop_app.records import importer, sensitive, store
from desktop_app.records.audit import holds_answers, is_audit, without_sealed_answers
from desktop_app.records.schema import FormSchema, form_schema
from desktop_app.records.form_store import FormNotInstalled, get_form_xform
from desktop_app.records.importer import ImportFileError
from desktop_app.records.store import (
    EditBase,
    OpenRecord,
    RecordAlreadyDeleted,
    RecordDeleted,
    RecordError,
    RecordPurged,
    RecordVersionInfo,
    SavedRecord,
)
from desktop_app.services import access, attachments, consent
from desktop_app.vault.entities import Items as EntityItems, read_entity_lists
from desktop_app.vault.models import SYNC_WRITER
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
    """A record and the engine definition of the exact form version it was made with.

    `record.content` is what the person may see: P3 answers they may not read (or whose key has not reached this
    laptop) are blank, their positions in `restricted` (position -> sensitive.NOT_ALLOWED | KEY_MISSING |
    DAMAGED); `sensitive` lists the form's P3 paths, so the screen can mark those questions."""

    record: OpenRecord
    definition: FormDefinition
    restricted: dict[str, str] = field(default_factory=dict)
    sensitive: tuple[str, ...] = ()
    may_read_sensitive: bool = True
    entities: dict[str, EntityItems] = field(default_factory=dict)  # the entity lists the form reads
    base: EditBase | None = None  # the stored version the form edits (saves pass it back: see save_draft)

    def session(self, **kwargs) -> FormSession:
        return FormSession(self.definition, instance_xml=self.record.content, entities=self.entities, **kwargs)


@dataclass(frozen=True)
class SensitiveView:
    """A form's P3 questions (paths, no root) and whether the signed-in person may read P3 answers."""

    sensitive: tuple[str, ...]
    may_read: bool


def sensitive_view(vault: Vault, form_id: str, form_version: str) -> SensitiveView:
    """What a new record's screen marks: the person may answer P3 questions, and read them back only if allowed."""
    schema = form_schema(get_form_xform(vault, form_id, form_version))
    return SensitiveView(schema.sensitive, access.may_read_sensitive(vault))

    def session(self, **kwargs) -> FormSession:
        return FormSession(self.definition, instance_xml=self.record.content, **kwargs)


Files = Sequence[tuple[str, str, bytes]]  # (stored name, mime type, bytes) answered in the form, and audit logs


def save_draft(vault: Vault, *, form_id: str, form_version: str, content: str, record_id: str | None = None,
               files: Files = (), base: EditBase | None = None) -> SavedRecord:
    """Save work in progress with its files, in one transaction (no validation: a draft may be incomplete).

    `base`: the version the person edited (ReopenedRecord.base, then each SavedRecord.base). If the record changed
    since (pulled from another laptop while the form was open), the save is a three-way merge with it; the
    SavedRecord says whether it `merged` or opened a `conflict` (desktop_app/records/store.py)."""
    _check_save(vault, form_id=form_id, record_id=record_id, finalizing=False, base=base)
    return _save(vault, status="draft", form_id=form_id, form_version=form_version, content=content,
                 record_id=record_id, files=files, xform=get_form_xform(vault, form_id, form_version), base=base)


def finalize(vault: Vault, *, form_id: str, form_version: str, content: str, record_id: str | None = None,
             files: Files = (), base: EditBase | None = None) -> SavedRecord:
    """Validate with the engine, then save as finalized with its files. Raises RecordNotValid listing every issue.

    A P3 answer the person cannot read (kept sealed from the stored record) does not count as missing. `base`: as
    for save_draft."""
    stored = _check_save(vault, form_id=form_id, record_id=record_id, finalizing=True, base=base)
    xform = get_form_xform(vault, form_id, form_version)
    issues = validate_instance(xform, content, entities=entity_lists_for(vault, form_definition(xform)))
    if issues and stored is not None:
        kept = _revealed(vault, stored, form_schema(xform)).restricted
        issues = [i for i in issues if _position(i.ref) not in kept]
    if issues:
        raise RecordNotValid(issues)
    # no referral beyond what the person consented to (a finalized one whose sharing is unchanged is not re-checked)
    consent.check_referral(vault, content, record_id=record_id,
                           before=stored.content if stored is not None and stored.status == "finalized" else None)
    return _save(vault, status="finalized", form_id=form_id, form_version=form_version, content=content,
                 record_id=record_id, files=files, xform=xform, base=base)


def _save(vault: Vault, *, status: str, form_id: str, form_version: str, content: str, record_id: str | None,
          files: Files, xform: str, base: EditBase | None = None) -> SavedRecord:
    """The consent gate's rule for files: when consent is refused (and no other legal basis), nothing personal
    stays. The answered files (photos, documents), stored ones included, and every earlier version go; the
    audit timings stay, since they hold question paths and times, never answers. One transaction, so a save
    that fails removes nothing."""
    schema = form_schema(xform)
    prepared = store.prepare_record(schema, form_id=form_id, form_version=form_version, content=content)
    files = _without_sealed_answers(schema, files)
    erasure = None
    if prepared.personal_data_withheld:
        files = [file for file in files if is_audit(file[0])]
        erasure = store.Erasure(keep_file=is_audit)
    return store.write_record(vault, prepared, status=status, record_id=record_id, files=files, erasure=erasure,
                              base=base)


def _without_sealed_answers(schema: FormSchema, files: Files) -> Files:
    """Track-changes audit logs with no P3 answer in them (records/audit.py): the record seals those answers for
    case workers, the log beside it is stored and synced as it comes. A log that cannot be read is not stored."""
    if not schema.sensitive:
        return files
    kept = []
    for name, mime, data in files:
        if holds_answers(name):
            cleaned = without_sealed_answers(data, root=schema.root, is_sensitive=schema.is_sensitive)
            if cleaned is None:
                continue
            data = cleaned
        kept.append((name, mime, data))
    return kept


def validate_instance(xform: str, content: str, *, entities: dict[str, EntityItems] | None = None) -> list[Issue]:
    """What blocks finalizing this instance with this form (empty list: it may be finalized). `entities`: the
    entity lists the form reads (entity_lists_for), as the person saw them."""
    try:
        session = FormSession(form_definition(xform), instance_xml=content, entities=entities)
    except FormError as error:
        raise RecordError(f"the record cannot be read with its form: {error}") from error
    return session.validate()


# Sessions never mutate a FormDefinition, so one parse per installed XForm serves every record.
@functools.lru_cache(maxsize=8)
def form_definition(xform: str) -> FormDefinition:
    return FormDefinition.from_xml(xform)


def reopen(vault: Vault, record_id: str) -> ReopenedRecord:
    """The record with the engine definition of its own form version (never a newer one), as the person may see
    it (see ReopenedRecord)."""
    _check_view(vault, record_id)
    record = store.open_record(vault, record_id)
    revealed = _revealed(vault, record, form_schema(record.xform))
    definition = form_definition(record.xform)
    return ReopenedRecord(record=replace(record, content=revealed.content), definition=definition,
                          restricted=revealed.restricted, sensitive=revealed.sensitive,
                          may_read_sensitive=access.may_read_sensitive(vault),
                          entities=entity_lists_for(vault, definition), base=record.base)


@dataclass(frozen=True)
class StoredVersion:
    """Where a record stands in the vault now: its version counter, whether sync wrote that version, whether
    it is deleted (a tombstone: `from_sync` when the deletion was pulled from another laptop), and whether the
    retention period purged it (a purge keeps the version: only this says it happened)."""

    version: int
    from_sync: bool
    deleted: bool = False
    purged: bool = False


def stored_version(vault: Vault, record_id: str) -> StoredVersion | None:
    """The record's current version (an open form compares it with the version it edits); None when no row is left
    (a draft deleted before it ever travelled)."""
    found = get_registration(vault, record_id)
    if found is None:
        return None
    if found.deleted:  # a tombstone holds nothing of the person: the form that had it open only learns it is gone
        return StoredVersion(found.version, found.updated_by == SYNC_WRITER, deleted=True)
    reg = _check_view(vault, record_id)
    return StoredVersion(reg.version, reg.updated_by == SYNC_WRITER, purged=reg.purged_at is not None)


def entity_lists_for(vault: Vault, definition: FormDefinition) -> dict[str, EntityItems]:
    """The entity lists a form reads (a follow-up form's trees.csv), as the finalized registrations on this laptop
    (its own and those sync brought) make them now: what FormSession(entities=...) takes."""
    if not definition.entity_lists:
        return {}
    seen = access.visibility(vault)
    return {} if seen.nothing else read_entity_lists(vault, definition.entity_lists, visible=seen.rows)


def history(vault: Vault, record_id: str) -> list[RecordVersionInfo]:
    """Earlier finalized versions, then the current one, each as the person may see it."""
    reg = _check_view(vault, record_id)
    schema = form_schema(get_form_xform(vault, reg.form_id, reg.form_version))
    may_read = access.check_read_sensitive(vault, record_id)
    held = vault.field_keys() if may_read else {}
    return [replace(v, content=sensitive.reveal(schema, record_id=record_id, content=v.content, may_read=may_read,
                                                held=held).content)
            for v in store.record_history(vault, record_id)]


@dataclass(frozen=True)
class RecordView:
    """One record as `waypoint records show` prints it: what the person may see of it (P3 answers they may not read
    are blank, their positions in `restricted`), its life (sync state, retention purge) and its history."""

    record_id: str
    form_id: str
    form_version: str
    status: str
    version: int
    sync_state: str
    created_at: str
    created_by: str
    updated_at: str
    updated_by: str
    purged_at: str | None  # when the retention period removed its identifying data from this laptop
    content: str
    restricted: dict[str, str]
    files: tuple[str, ...]
    history: tuple[tuple[int, str, str, str], ...]  # (version, status, saved_at, saved_by), oldest first


def show(vault: Vault, record_id: str) -> RecordView:
    """A record, its files and its history, as the signed-in person may see them (rights checked first)."""
    reopened = reopen(vault, record_id)
    reg = get_registration(vault, record_id)
    assert reg is not None  # reopen refused a missing record
    files = tuple(sorted(f.name for f in attachments.list_attachments(vault, record_id)))
    versions = tuple((v.version, v.status, v.saved_at, v.saved_by) for v in store.record_history(vault, record_id))
    return RecordView(record_id=reg.id, form_id=reg.form_id, form_version=reg.form_version, status=reg.status,
                      version=reg.version, sync_state=reg.sync_state, created_at=reg.created_at,
                      created_by=reg.created_by, updated_at=reg.updated_at, updated_by=reg.updated_by,
                      purged_at=reg.purged_at, content=reopened.record.content, restricted=dict(reopened.restricted),
                      files=files, history=versions)


def delete(vault: Vault, record_id: str) -> None:
    """Delete a record (a tombstone that syncs, or no row for one that never travelled). One deleted already (from
    another window, by a deletion sync brought) is `RecordAlreadyDeleted`: nothing is changed, and the caller says
    so in words rather than reporting a failure (docs/vault.md)."""
    reg = get_registration(vault, record_id)
    if reg is None or reg.deleted:
        raise RecordAlreadyDeleted(record_id)
    access.check_delete_record(vault, record_id, _facts(vault, reg))
    store.delete_record(vault, record_id)


class NotADraft(RecordError):
    """Only drafts are deleted from the list: a finalized record is part of someone's case history."""


def delete_draft(vault: Vault, record_id: str) -> None:
    """Delete an abandoned draft (from the list, or "discard" on a new record). A finalized record is refused; one
    deleted already is `RecordAlreadyDeleted` (see delete)."""
    found = get_registration(vault, record_id)
    if found is None or found.deleted:
        raise RecordAlreadyDeleted(record_id)
    if found.status != "draft":
        raise NotADraft("only a draft can be deleted here; this record is finalized")
    access.check_delete_record(vault, record_id, _facts(vault, found))
    store.delete_record(vault, record_id)


def import_file(vault: Vault, *, form_id: str, path, version: str | None = None) -> importer.ImportReport:
    """Kobo CSV / JSON-lines answers as finalized records (all or none): creating and finalizing records of
    this form must be the person's right."""
    actor = access.check_create_record(vault, form_id)
    access.check_finalize_record(vault, "", access.RecordFacts(kind=access.kind_of_form(vault, form_id),
                                                               owner=actor.owner, centre=actor.centre))
    return importer.import_file(vault, form_id=form_id, path=path, version=version)


# --- rights (desktop_app/services/access.py) ---------------------------------------------------------------------


def _facts(vault: Vault, reg) -> access.RecordFacts:
    return access.facts(vault, record_id=reg.id, form_id=reg.form_id, created_by=reg.created_by, centre=reg.centre)


def _check_view(vault: Vault, record_id: str):
    reg = get_registration(vault, record_id)
    if reg is None or reg.deleted:
        raise RecordError(f"no record {record_id}")
    access.check_view_record(vault, record_id, _facts(vault, reg))
    return reg


def _check_save(vault: Vault, *, form_id: str, record_id: str | None, finalizing: bool,
                base: EditBase | None = None):
    """Create (a new record) or edit (a stored one), and finalize when asked; the stored record or None.

    A record deleted while it was being edited (`base`: the form edits a stored version) is refused first, whatever
    the person's rights: `RecordDeleted`, which the form screen shows by closing the form (docs/renderer.md); so is
    a record the retention period purged (`RecordPurged`): a save must not write its removed data back."""
    reg = get_registration(vault, record_id) if record_id is not None else None
    if (reg is not None and reg.deleted) or (reg is None and base is not None):
        raise RecordDeleted()
    if reg is not None and reg.purged_at is not None:
        raise RecordPurged()
    if reg is None:
        actor = access.check_create_record(vault, form_id)
        if finalizing:
            access.check_finalize_record(vault, record_id or "", access.RecordFacts(  # stored with their centre
                kind=access.kind_of_form(vault, form_id), owner=actor.owner, centre=actor.centre))
        return None
    facts = _facts(vault, reg)
    access.check_edit_record(vault, reg.id, facts)
    if finalizing:
        access.check_finalize_record(vault, reg.id, facts)
    return store.open_record(vault, reg.id)


def _revealed(vault: Vault, record, schema) -> sensitive.Revealed:
    may_read = access.check_read_sensitive(vault, record.record_id)
    return sensitive.reveal(schema, record_id=record.record_id, content=record.content, may_read=may_read,
                            held=vault.field_keys() if may_read else {})


def _position(ref: str) -> str:
    """An engine ref (/data/event[1]/country) as a position in the record ("event[1]/country")."""
    return ref.strip("/").split("/", 1)[-1]


__all__ = [
    "EditBase", "FormNotInstalled", "ImportFileError", "NotADraft", "RecordAlreadyDeleted", "RecordDeleted",
    "RecordError", "RecordNotValid", "RecordPurged", "RecordView", "ReopenedRecord", "StoredVersion", "delete",
    "delete_draft", "entity_lists_for", "finalize", "history", "import_file", "reopen", "save_draft",
    "sensitive_view", "show", "stored_version", "validate_instance",
]
