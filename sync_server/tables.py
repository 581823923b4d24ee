"""The server's tables (SQLModel), as the numbered migrations in sync_server/migrations leave them.

Record data is canonical JSON sealed under the data key (`state`, see atrest.py): the server relays registrations,
it does not query them; what it needs in clear (centre, form, versions and their hashes, field names) is in columns.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, Text, UniqueConstraint, text
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
    # Highest feed position handed to this device, written before the page is sent: a device that presents a cursor
    # beyond it holds changes this database has lost (it was restored from a backup).
    served_cursor: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    # Highest feed position this device has acknowledged (it asked for the changes after it): see forget.py.
    acked_seq: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    # Where this device's numbering forked (a vault copied or put back from an older copy), JSON: forks.py.
    forks: str | None = None


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
    version_hash: str | None = None
    conflict_id: str | None = None
    message: str | None = None
    # A rejection's code and values (JSON), waypoint_core/protocol/refusals.py (0022); NULL for an op not rejected
    # and for one rejected before.
    code: str | None = None
    code_values: str | None = None


class Record(ServerTable, table=True):
    """The current version of each registration (tombstones included)."""

    __tablename__ = "record"
    __table_args__ = (Index("ix_record_unpurged", "centre_id",  # forget.py: the tombstones waiting (0008)
                            sqlite_where=text("deleted = true AND purged_at IS NULL"),
                            postgresql_where=text("deleted = true AND purged_at IS NULL")),
                      Index("ix_record_decision", "id",  # decisions.py: the review desk's merges (0023)
                            sqlite_where=text("form_id = 'waypoint_review_decision'"),
                            postgresql_where=text("form_id = 'waypoint_review_decision'")))
    id: str = Field(primary_key=True)
    centre_id: str = Field(foreign_key="centre.id", index=True)
    form_id: str
    form_version: str
    server_version: int
    deleted: bool = False
    state: str = Field(sa_column=Column(Text, nullable=False))  # sealed JSON of the values (fields and #-pseudo-fields)
    provenance: str = Field(sa_column=Column(Text, nullable=False))  # JSON {field: [hlc, device_id]}
    updated_at: datetime
    hash: str  # the current version's hash (protocol.version_hash)
    hlc: int = Field(sa_column=Column(BigInteger, nullable=False))
    origin_device_id: str | None = None  # the device whose op made the current version
    purged_at: datetime | None = None  # a tombstone whose content was purged from the history (forget.py)


class RecordVersion(ServerTable, table=True):
    """Every version of every record: the base of 3-way merges, found by number or by hash."""

    __tablename__ = "record_version"
    __table_args__ = (Index("ix_record_version_hash", "record_id", "hash"),)
    record_id: str = Field(primary_key=True)
    server_version: int = Field(primary_key=True)
    device_id: str | None = None
    device_seq: int | None = Field(default=None, sa_column=Column(BigInteger))
    form_id: str
    form_version: str
    deleted: bool = False
    state: str = Field(sa_column=Column(Text, nullable=False))  # sealed
    changed: str = Field(sa_column=Column(Text, nullable=False))  # JSON list of the fields this version's op set
    hlc: int = Field(sa_column=Column(BigInteger, nullable=False))  # highest hlc in the record after this version
    created_at: datetime
    hash: str
    # The previous version's state, sealed for that version's row, when that row holds none (history.py, 0021)
    previous_state: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


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
    server_state: str = Field(sa_column=Column(Text, nullable=False))  # the record before the op (sealed JSON)
    device_op: str = Field(sa_column=Column(Text, nullable=False))  # the op as the device sent it (sealed JSON)
    winner: str = Field(sa_column=Column(Text, nullable=False))  # JSON {field: "server"|"device"}
    device_id: str
    device_seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    resolved_at: datetime | None = None
    resolved_by: str | None = None  # the device whose change on the conflict's version closed it (migration 0011)
    resolved_version: int | None = Field(default=None, sa_column=Column(BigInteger))


class FormVersion(ServerTable, table=True):
    __tablename__ = "form_version"
    form_id: str = Field(primary_key=True)
    version: str = Field(primary_key=True)
    title: str
    xform: str = Field(sa_column=Column(Text, nullable=False))
    sha256: str
    signature: str
    published_at: datetime


class ServerEpoch(ServerTable, table=True):
    """The feed's epochs. A new one starts when the database is restored (admin restore, or detected at start):
    cursors of an older epoch are refused, and devices reconcile."""

    __tablename__ = "server_epoch"
    n: int = Field(primary_key=True)
    epoch: str = Field(unique=True)
    started_at: datetime
    reason: str
    last_seq: int = Field(sa_column=Column(BigInteger, nullable=False))  # the feed's last seq when it started


class KeyRotationRow(ServerTable, table=True):
    """Signed statements handing over from one signing key to the next (devices follow the chain)."""

    __tablename__ = "key_rotation"
    id: int = Field(primary_key=True)
    previous_signing_key_id: str
    signing_key_id: str
    statement: str = Field(sa_column=Column(Text, nullable=False))  # the KeyRotation message (JSON)
    created_at: datetime


class BatchImport(ServerTable, table=True):
    """One imported USB batch file (migration 0003): ids, counts and status only."""

    __tablename__ = "batch_import"
    batch_id: str = Field(primary_key=True)
    part: int = Field(primary_key=True)
    parts: int
    device_id: str = Field(index=True)
    file_sha256: str
    status: str
    ops: int
    via: str  # "admin" (import-batch on the server) or the courier device's id
    imported_at: datetime


class Blob(ServerTable, table=True):
    """A file's bytes as this server holds them, per centre, by SHA-256 (migration 0005, blobs.py)."""

    __tablename__ = "blob"
    centre_id: str = Field(primary_key=True)
    sha256: str = Field(primary_key=True)
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    received: int = Field(sa_column=Column(BigInteger, nullable=False))  # bytes in, from the start
    complete: bool = False  # every byte in and the whole matched its hash
    created_at: datetime


class BlobChunk(ServerTable, table=True):
    """Bytes of a blob from `start_byte`, sealed under the data key (bound to centre, blob and offset)."""

    __tablename__ = "blob_chunk"
    centre_id: str = Field(primary_key=True)
    sha256: str = Field(primary_key=True)
    start_byte: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    length: int = Field(sa_column=Column(BigInteger, nullable=False))
    data: str = Field(sa_column=Column(Text, nullable=False))


class RecordFile(ServerTable, table=True):
    """The blobs a record's current version names (its `@files` field)."""

    __tablename__ = "record_file"
    __table_args__ = (Index("ix_record_file_blob", "centre_id", "sha256"),)
    record_id: str = Field(primary_key=True)
    sha256: str = Field(primary_key=True)
    centre_id: str
