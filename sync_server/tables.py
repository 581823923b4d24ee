"""The server's tables (SQLModel). Created and changed only by the numbered migrations in sync_server/migrations.

Record data is stored as canonical JSON text (`state`): the server relays registrations, it does not query them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, Text, UniqueConstraint
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


class ServerTable(SQLModel, registry=registry()):
    """Base of the server's tables: their own metadata, so a process that also imports the device's
    tables (tests, tools) never sees two `conflict` or `form_version` tables in one MetaData."""


class SchemaMigration(ServerTable, table=True):
    __tablename__ = "schema_migration"
    version: int = Field(primary_key=True)
    name: str
    applied_at: datetime


class ServerKey(ServerTable, table=True):
    """Public halves of the organisation's keys; the private halves live in owner-only files (see keys.py)."""

    __tablename__ = "server_key"
    key_id: str = Field(primary_key=True)
    purpose: str  # "signing" (Ed25519) | "batch" (X25519)
    public_key: str
    created_at: datetime
    active: bool = True


class Centre(ServerTable, table=True):
    __tablename__ = "centre"
    id: str = Field(primary_key=True)
    name: str = Field(unique=True)
    created_at: datetime


class EnrolmentCode(ServerTable, table=True):
    __tablename__ = "enrolment_code"
    id: str = Field(primary_key=True)
    code_hash: str = Field(unique=True)  # SHA-256 of the code: a database dump yields no usable code
    centre_id: str = Field(foreign_key="centre.id")
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    device_id: str | None = None


class Device(ServerTable, table=True):
    __tablename__ = "device"
    id: str = Field(primary_key=True)
    centre_id: str = Field(foreign_key="centre.id", index=True)
    name: str
    public_key: str = Field(unique=True)
    enrolled_at: datetime
    revoked_at: datetime | None = None
    # Highest device_seq stored for this device; only ever moves up, inside the push transaction.
    high_water_mark: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))


class OpResultRow(ServerTable, table=True):
    """The stored answer for one op: a repeated batch gets exactly these rows back."""

    __tablename__ = "op_result"
    __table_args__ = (UniqueConstraint("device_id", "device_seq", name="uq_op_result_device_seq"),)
    id: int | None = Field(default=None, primary_key=True)
    device_id: str = Field(foreign_key="device.id")
    device_seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    op_id: str = Field(index=True)
    record_id: str
    status: str
    server_version: int | None = None
    conflict_id: str | None = None
    message: str | None = None


class Record(ServerTable, table=True):
    """The current version of each registration (tombstones included)."""

    __tablename__ = "record"
    id: str = Field(primary_key=True)
    centre_id: str = Field(foreign_key="centre.id", index=True)
    form_id: str
    form_version: str
    server_version: int
    deleted: bool = False
    state: str = Field(sa_column=Column(Text, nullable=False))  # JSON {"fields", "content", "deleted"}
    provenance: str = Field(sa_column=Column(Text, nullable=False))  # JSON {field: [hlc, device_id]}
    updated_at: datetime


class RecordVersion(ServerTable, table=True):
    """Every version of every record: the base of 3-way merges and what pull hands out."""

    __tablename__ = "record_version"
    record_id: str = Field(primary_key=True)
    server_version: int = Field(primary_key=True)
    device_id: str | None = None
    device_seq: int | None = Field(default=None, sa_column=Column(BigInteger))
    form_id: str
    form_version: str
    deleted: bool = False
    state: str = Field(sa_column=Column(Text, nullable=False))
    changed: str = Field(sa_column=Column(Text, nullable=False))  # JSON list of the fields this version's op set
    hlc: int = Field(sa_column=Column(BigInteger, nullable=False))  # highest hlc in the record after this version
    created_at: datetime


class ChangeRow(ServerTable, table=True):
    """The change feed. `seq` is allocated under the change_counter row lock, so seq order is commit order."""

    __tablename__ = "change"
    __table_args__ = (Index("ix_change_centre_seq", "centre_id", "seq"),)
    seq: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    record_id: str
    server_version: int
    centre_id: str


class ChangeCounter(ServerTable, table=True):
    __tablename__ = "change_counter"
    id: int = Field(primary_key=True)
    last_seq: int = Field(sa_column=Column(BigInteger, nullable=False))


class Conflict(ServerTable, table=True):
    """Same field changed on two sides: both versions kept for a coordinator to review."""

    __tablename__ = "conflict"
    id: str = Field(primary_key=True)
    record_id: str = Field(index=True)
    centre_id: str
    opened_at: datetime
    fields: str = Field(sa_column=Column(Text, nullable=False))  # JSON list of contested field names
    server_state: str = Field(sa_column=Column(Text, nullable=False))  # the record before the op (JSON)
    device_op: str = Field(sa_column=Column(Text, nullable=False))  # the op as the device sent it (JSON)
    winner: str = Field(sa_column=Column(Text, nullable=False))  # JSON {field: "server"|"device"}
    device_id: str
    device_seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    resolved_at: datetime | None = None


class FormVersion(ServerTable, table=True):
    __tablename__ = "form_version"
    form_id: str = Field(primary_key=True)
    version: str = Field(primary_key=True)
    title: str
    xform: str = Field(sa_column=Column(Text, nullable=False))
    sha256: str
    signature: str
    published_at: datetime
