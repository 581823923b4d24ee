"""Saving and reopening records: the consent gate, field extraction, form-version pinning, finalized versions.

A record's content is the instance XML the engine produced. Before it reaches the vault:
1. it must belong to the installed form version it names (pinning: a record made with v1 stays with v1);
2. the consent gate blanks personal answers when consent was refused and no other legal basis chosen;
3. summary and search fields are extracted for the list, search and reports;
4. if the stored record was finalized, that finalized state is copied to registration_version, so an edit
   after finalize never loses what was finalized;
5. an edit is made on the version the person saw (`EditBase`): if the stored record changed meanwhile (a change
   pulled from another laptop while the form was open), the save is a three-way merge of the instance with that
   base, leaf by leaf (waypoint_core.instance_merge): answers changed on one side only merge; an answer changed
   on both sides keeps the person's version, opens a conflict holding the other one, and the op goes to the server
   on the version the person saw. Nothing is overwritten silently;
6. a finalized record that names a person (`person_ref`: events, referrals; not cases, which may be opened for
   someone not registered) must name a person registered here (records/casefile.py), else `UnknownPerson`.
Everything a save writes (the record, its extracted fields, its outbox op, the kept version, its files) is
written by desktop_app.vault.writer in one transaction.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from sqlmodel import select

from desktop_app.records import casefile, sensitive
from desktop_app.records.form_store import get_form_xform
from desktop_app.records.models import RegistrationVersion
from desktop_app.records.schema import (
    RECORD_KIND_FIELD,
    FormSchema,
    extract_fields,
    form_schema,
    parse_instance,
    withhold_personal_data,
)
from desktop_app.vault.errors import RegistrationGone
from desktop_app.vault.registrations import get_registration
from desktop_app.vault.sql import Db
from desktop_app.vault.vault import Vault
from desktop_app.vault.writer import RegistrationDraft, write
from waypoint_core.access.sealed import SealingKey
from waypoint_core.instance_merge import MergeConflict, merge_content


class RecordError(ValueError):
    """A record cannot be saved or opened as asked; the message says why."""


class RecordDeleted(RecordError):
    """The record was deleted while it was being edited (from the list, or by a deletion pulled from another laptop):
    the save is refused, so a form left open never writes a deleted person back."""

    def __init__(self) -> None:
        super().__init__("this record was deleted; saving cannot bring it back")


class RecordPurged(RecordError):
    """The retention period removed the record's identifying data from this laptop while it was being edited (or
    before): the save is refused, so a form left open never writes the removed data back (a purge is not undone)."""

    def __init__(self) -> None:
        super().__init__("the identifying data of this record were removed from this laptop by the retention period; "
                         "it can no longer be edited here")


class RecordAlreadyDeleted(RecordError):
    """A deletion of a record that is deleted already (from another window, by a deletion sync brought, or a draft
    that never travelled and left no row), or that was never here: nothing was changed."""

    def __init__(self, record_id: str) -> None:
        self.record_id = record_id
        super().__init__(f"record {record_id} is not in this vault: it was deleted already (nothing was changed)")


@dataclass(frozen=True)
class PreparedRecord:
    """A record ready for the vault: content after the consent gate, and its extracted fields."""

    form_id: str
    form_version: str
    content: str
    fields: dict[str, str | int | None]
    personal_data_withheld: bool
    schema: FormSchema | None = None  # for sealing its P3 answers (desktop_app/records/sensitive.py)


@dataclass(frozen=True)
class EditBase:
    """What the answers on screen were made on: the stored `version` (the vault's counter; None when the form's
    answers are no stored version, e.g. after a save merged a colleague's changes the form does not show yet), the
    server version and the content (as stored: P3 answers sealed). A save passes it so that changes made meanwhile
    merge instead of being overwritten."""

    version: int | None
    server_version: int | None
    content: str


@dataclass(frozen=True)
class SavedRecord:
    record_id: str
    version: int
    status: str
    form_id: str
    form_version: str
    personal_data_withheld: bool
    changed: bool = True
    content: str = ""  # as stored (P3 answers sealed)
    server_version: int | None = None
    merged: bool = False  # the record had changed since the save's base; the changes were merged with this save's
    conflict: str | None = None  # an answer changed on both sides (its leaf path): a conflict was opened

    mine: str | None = None  # after a merge: the person's answers as sent (sealed), which the form still shows

    @property
    def base(self) -> EditBase:
        """What the next save of the same form is made on: after a merge, the person's own answers (no stored
        version), so that the next save merges again rather than undoing the other side's changes."""
        if self.mine is not None:
            return EditBase(None, self.server_version, self.mine)
        return EditBase(self.version, self.server_version, self.content)


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
    server_version: int | None = None

    @property
    def base(self) -> EditBase:
        """The version a form opened on this record edits (content as stored)."""
        return EditBase(self.version, self.server_version, self.content)


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
                          fields=extract_fields(schema, root), personal_data_withheld=withheld, schema=schema)


@dataclass(frozen=True)
class Erasure:
    """What a save must erase of the record's earlier data (consent refused): every kept version, and every
    stored file `keep_file` does not name. The caller (the records service) decides it."""

    keep_file: Callable[[str], bool]


def save_record(vault: Vault, *, form_id: str, form_version: str, status: str, content: str,
                record_id: str | None = None, xform: str | None = None) -> SavedRecord:
    """Save a draft or a finalized record (new if record_id is None), without files. The form version must be
    installed. A consent refusal erases the earlier versions and every file (desktop_app.services.records
    decides that; this is the records layer's own entry point, e.g. for tests and scripts)."""
    if xform is None:
        xform = get_form_xform(vault, form_id, form_version)
    prepared = prepare_record(form_schema(xform), form_id=form_id, form_version=form_version, content=content)
    erasure = Erasure(keep_file=lambda name: False) if prepared.personal_data_withheld else None
    return write_record(vault, prepared, status=status, record_id=record_id, erasure=erasure)


def write_record(vault: Vault, prepared: PreparedRecord, *, status: str, record_id: str | None = None,
                 files: Sequence[tuple[str, str, bytes]] = (), erasure: Erasure | None = None,
                 base: EditBase | None = None) -> SavedRecord:
    """Write a prepared record and its files in ONE transaction: all of it, or nothing.

    Before a finalized state is overwritten it is kept in registration_version; `erasure` (consent refused)
    instead removes every earlier copy of the person (versions, the files it does not keep, conflicts, what
    ops in flight carry), in the same transaction as the save. `base`: the version the person edited (see the
    module doc, point 5); None saves over whatever is stored. A record deleted since (a tombstone, or, when `base`
    says a version was stored, no row at all) is never written again: `RecordDeleted`; nor is a record the
    retention period purged: `RecordPurged`.
    """
    record_id = record_id or str(uuid.uuid4())  # chosen before sealing: each sealed answer names its record
    keys = Keys.of(vault, prepared)
    merged, conflict, mine = False, None, None
    with write(vault) as w:
        if status == "finalized":
            _names_a_person(w, prepared)
        existing = w.stored(record_id)
        if existing is None and base is not None:
            # the save edits a stored version, and no row is left: deleted meanwhile (a draft that never travelled
            # leaves no tombstone). Writing it would bring the person back
            raise RecordDeleted()
        if existing is not None:
            if existing.deleted:
                raise RecordDeleted()
            if existing.purged_at is not None:  # before anything is written (its files included): never undone
                raise RecordPurged()
            if (existing.form_id, existing.form_version) != (prepared.form_id, prepared.form_version):
                raise RecordError(f"this record was made with form '{existing.form_id}' version "
                                  f"{existing.form_version}; it must be edited with that version")
        if base is not None and existing is not None and existing.version != base.version:
            # unchanged P3 answers keep the base's tokens, so the merge sees them as unchanged
            prepared = keys.sealed(prepared, record_id, base.content)
            if existing.content != base.content:
                try:
                    content = merge_content(base.content, prepared.content, existing.content)
                except MergeConflict as clash:
                    conflict = clash.where
                else:
                    merged = True
                    if content != prepared.content:
                        mine = prepared.content
                        prepared = _prepared_again(prepared, content or "")
        else:
            prepared = keys.sealed(prepared, record_id, existing.content if existing is not None else None)
        if erasure is not None and existing is not None:
            w.withhold(existing.id, keep_file=erasure.keep_file)
        if existing is not None and existing.content == prepared.content and existing.status == status:
            w.put_files(existing.id, files)
            return SavedRecord(existing.id, existing.version, existing.status, prepared.form_id,
                               prepared.form_version, prepared.personal_data_withheld, changed=False,
                               content=existing.content, server_version=existing.server_version, merged=merged,
                               mine=mine)
        if existing is not None and erasure is None and existing.status == "finalized":
            w.keep_version(existing)
        theirs = w.record_state(record_id) if conflict is not None else None
        row = w.save([RegistrationDraft(prepared.form_id, prepared.form_version, status, prepared.content,
                                        record_id, dict(prepared.fields), edits_stored=base is not None)])[0]
        w.put_files(row["id"], files)
        if conflict is not None and existing is not None and base is not None:
            w.open_edit_conflict(record_id, theirs=theirs, server_version=existing.server_version, where=conflict,
                                 base_server_version=base.server_version)
    return SavedRecord(row["id"], row["version"], row["status"], prepared.form_id, prepared.form_version,
                       prepared.personal_data_withheld, content=prepared.content,
                       server_version=row["server_version"], merged=merged, conflict=conflict, mine=mine)


def _names_a_person(w, prepared: PreparedRecord) -> None:
    """A finalized event or referral names a person registered here (records/casefile.py): a typed number that names
    no one ("NOPE1234") is refused, whoever saves it. A trafficking case may be opened for someone not registered
    (its form says so): a case is not checked."""
    written = prepared.fields.get(casefile.PERSON_REF)
    if prepared.fields.get(RECORD_KIND_FIELD) == "case":
        return
    if written is not None and str(written).strip():
        try:
            casefile.ensure_person(w.db, str(written))
        except casefile.UnknownPerson as error:
            raise UnknownPerson(str(error)) from error


def names_no_one(vault: Vault, prepared: PreparedRecord) -> str | None:
    """Why a finalized event or referral would be refused for naming no person here (the check `_names_a_person`
    makes when it is saved), or None: an import lists it against its row before saving anything."""
    written = prepared.fields.get(casefile.PERSON_REF)
    if prepared.fields.get(RECORD_KIND_FIELD) == "case" or written is None or not str(written).strip():
        return None
    with vault.session(readonly=True) as session:
        try:
            casefile.ensure_person(Db.of(session), str(written))
        except casefile.UnknownPerson as error:
            return str(error)
    return None


class UnknownPerson(RecordError):
    """The record names a registration number that is no person on this laptop."""


def _prepared_again(prepared: PreparedRecord, content: str) -> PreparedRecord:
    """A merged instance (P3 answers already sealed) with its fields extracted again."""
    if prepared.schema is None:
        return replace(prepared, content=content)
    again = prepare_record(prepared.schema, form_id=prepared.form_id, form_version=prepared.form_version,
                           content=content)
    return replace(again, personal_data_withheld=again.personal_data_withheld or prepared.personal_data_withheld)


def save_new_records(vault: Vault, prepared: list[tuple[str | None, PreparedRecord]], *,
                     status: str = "finalized") -> list[str]:
    """Save many new records in ONE transaction with their outbox rows (imports): all or none."""
    if not prepared:
        return []
    keys = Keys.of(vault, *(p for _, p in prepared))
    ided = [(record_id or str(uuid.uuid4()), p) for record_id, p in prepared]
    drafts = [RegistrationDraft(form_id=p.form_id, form_version=p.form_version, status=status,
                                content=keys.sealed(p, record_id, None).content, record_id=record_id,
                                fields=dict(p.fields)) for record_id, p in ided]
    with write(vault) as w:
        if status == "finalized":
            for _, p in ided:
                _names_a_person(w, p)
        return [str(row["id"]) for row in w.save(drafts)]


@dataclass(frozen=True)
class Keys:
    """What sealing P3 answers needs, read once before the save's transaction: the current field key, and the keys
    the signed-in person holds (to tell an unchanged answer from a changed one)."""

    key: SealingKey | None
    held: dict[str, X25519PrivateKey]
    memo: dict[tuple[str, str], tuple[str, str]] | None = None

    @staticmethod
    def of(vault: Vault, *prepared: PreparedRecord) -> Keys:
        if not any(p.schema is not None and p.schema.sensitive for p in prepared):
            return Keys(None, {})
        return Keys(vault.sealing_key(), vault.field_keys(), vault.sealed_memo)

    def sealed(self, prepared: PreparedRecord, record_id: str, stored: str | None) -> PreparedRecord:
        if prepared.schema is None or not prepared.schema.sensitive:
            return prepared
        try:
            content = sensitive.protect(prepared.schema, record_id=record_id, content=prepared.content,
                                        stored=stored, key=self.key, held=self.held, memo=self.memo)
        except sensitive.RestrictedAnswerError as error:
            raise RecordError(str(error)) from error
        return replace(prepared, content=content)


def open_record(vault: Vault, record_id: str) -> OpenRecord:
    """A record with the XForm of the version it was made with, whatever versions were installed since."""
    reg = get_registration(vault, record_id)
    if reg is None or reg.deleted:
        raise RecordError(f"no record {record_id}")
    xform = get_form_xform(vault, reg.form_id, reg.form_version)
    return OpenRecord(record_id=reg.id, form_id=reg.form_id, form_version=reg.form_version, status=reg.status,
                      version=reg.version, content=reg.content, xform=xform, server_version=reg.server_version)


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
    """Tombstone the record; its fields, kept versions and files go with it, in one transaction. A record deleted
    already (no row left, or its tombstone): `RecordAlreadyDeleted`, nothing changed."""
    try:
        with write(vault) as w:
            if not w.delete(record_id):
                raise RecordAlreadyDeleted(record_id)
    except RegistrationGone as gone:
        raise RecordAlreadyDeleted(record_id) from gone
