"""SQLModel classes for the vault's tables. The tables themselves are made by the numbered
migrations (desktop_app/vault/migrations), never by `create_all`; these classes must mirror them.
"""

from __future__ import annotations

from typing import Literal

from sqlmodel import Field, SQLModel

from waypoint_core.access import consent, policy
from waypoint_core.registry import indicators

Role = policy.Role
ROLES: tuple[str, ...] = policy.ROLES
Status = Literal["draft", "finalized"]
STATUSES: tuple[str, ...] = ("draft", "finalized")
SYNC_STATES: tuple[str, ...] = ("local", "queued", "sent", "acknowledged", "conflict")
# Decisions of the review desk (merge, not the same person) are records of this form (desktop_app/records/review.py):
# they sync like any record and are never listed, counted or exported as registrations; the indicators read their
# merges (indicators.merges_of), on the device and on the server.
DECISION_FORM = indicators.DECISION_FORM
# Consent withdrawn or given again after registration (waypoint_core/access/consent.py, services/consent.py): records
# of this form, so they sync like the desk's decisions and are never listed, counted or exported as registrations.
CONSENT_FORM = consent.CHANGE_FORM
# A case closed or reopened, with its reason, is a record of this form (desktop_app/records/casefile.py): it syncs like
# any record and, like a decision, is never listed, counted or exported as a registration.
CASE_STATUS_FORM = "waypoint_case_status"
SYSTEM_FORMS: tuple[str, ...] = (DECISION_FORM, CONSENT_FORM, CASE_STATUS_FORM)
SYNC_WRITER = "(sync)"  # updated_by of registration versions received from the server
# Summary columns extracted from a form by the caller; any other extracted field goes to registration_field.
SUMMARY_FIELDS: tuple[str, ...] = ("title", "sex", "age", "nationality", "centre", "registered_on")


class Meta(SQLModel, table=True):
    __tablename__ = "meta"
    key: str = Field(primary_key=True)
    value: str


class User(SQLModel, table=True):
    __tablename__ = "user"
    id: str = Field(primary_key=True)
    username: str = Field(unique=True)
    role: str
    created_at: str
    active: bool = True


class RegistrationColumns(SQLModel):
    """The columns of the `registration` table."""

    id: str = Field(primary_key=True)
    form_id: str
    form_version: str
    status: str
    content: str
    created_at: str
    created_by: str
    updated_at: str
    updated_by: str
    version: int = 1
    deleted: bool = False
    title: str | None = None
    sex: str | None = None
    age: int | None = None
    nationality: str | None = None
    centre: str | None = None
    registered_on: str | None = None
    purged_at: str | None = None  # when retention removed its identifying data from this laptop


class RegistrationRow(RegistrationColumns, table=True):
    __tablename__ = "registration"


class RegistrationSync(SQLModel, table=True):
    """A registration's sync columns (migration 0023): a narrow row of their own, so that an acknowledgement or a
    pulled version does not rewrite the whole registration row. One per registration (desktop_app/vault/writer)."""

    __tablename__ = "registration_sync"
    record_id: str = Field(primary_key=True, foreign_key="registration.id")
    server_version: int | None = None
    sync_state: str = "queued"
    acked_at: str | None = None  # when the server last acknowledged it (migration 0005): retention counts from here


class Registration(RegistrationColumns):
    """A registration as the vault's reads give it: its row and its sync columns (registration_sync)."""

    server_version: int | None = None
    sync_state: str = "queued"
    acked_at: str | None = None


class RegistrationField(SQLModel, table=True):
    __tablename__ = "registration_field"
    record_id: str = Field(primary_key=True, foreign_key="registration.id")
    name: str = Field(primary_key=True)
    value: str | None = None


class Outbox(SQLModel, table=True):
    __tablename__ = "outbox"
    seq: int | None = Field(default=None, primary_key=True)
    op_id: str = Field(unique=True)
    record_id: str
    op: str
    record_version: int
    base_version: int | None = None
    payload: str
    created_at: str
    batch_id: str | None = None
    sent_at: str | None = None
    acked_at: str | None = None
    result: str | None = None
    device_seq: int | None = None  # migration 0003: set when the op is frozen into a batch
    wire: str | None = None  # the op as sent while it is not acknowledged; wiped after (0005)
    wire_sha256: str | None = None  # what stays of it (0005)


class FormVersion(SQLModel, table=True):
    __tablename__ = "form_version"
    form_id: str = Field(primary_key=True)
    version: str = Field(primary_key=True)
    title: str
    xform: str
    source_name: str | None = None
    installed_at: str


class Attachment(SQLModel, table=True):
    __tablename__ = "attachment"
    id: str = Field(primary_key=True)
    record_id: str
    name: str
    mime: str
    sha256: str  # migration 0012: the file's SHA-256 and size (the manifest that travels), before the bytes
    size: int
    uploaded_at: str | None = None  # when the server said it holds the whole file
    data: bytes


class Conflict(SQLModel, table=True):
    __tablename__ = "conflict"
    id: str = Field(primary_key=True)
    record_id: str
    opened_at: str
    local: str
    remote: str
    resolved_at: str | None = None
    resolved_by: str | None = None  # migration 0008: who closed it on the review desk
    resolution: str | None = None  # local | remote | edited | reviewed


class DuplicateCandidate(SQLModel, table=True):
    """The last duplicate candidate generation (migration 0008; desktop_app/records/review.py)."""
    __tablename__ = "duplicate_candidate"
    a: str = Field(primary_key=True)
    b: str = Field(primary_key=True)
    score: float
    reasons: str
    found_at: str


class FieldKey(SQLModel, table=True):
    """A key P3 answers are sealed to (migration 0006, desktop_app/vault/fieldkeys.py)."""

    __tablename__ = "field_key"
    key_id: str = Field(primary_key=True)
    public_key: str
    created_at: str
    origin: str


class FieldKeyWrap(SQLModel, table=True):
    """A field key's private half wrapped for one key slot (named by its public key)."""

    __tablename__ = "field_key_wrap"
    key_id: str = Field(primary_key=True, foreign_key="field_key.key_id")
    recipient: str = Field(primary_key=True, index=True)
    wrapped: str
