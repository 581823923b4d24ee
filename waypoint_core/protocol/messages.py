"""The sync wire messages (protocol version 1): enrolment, signed push batch, per-op results, pull pages, errors.

One definition for the device client, the server, and the USB batch file (which seals the same signed PushBatch).
Every model forbids unknown keys and floats, so a message has exactly one canonical encoding to sign.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .signing import DOMAIN_BATCH, DOMAIN_ENROL, DOMAIN_FORM, SigningKey, canonical_json, verify

PROTOCOL_VERSION = 1
SUPPORTED_VERSIONS = frozenset({PROTOCOL_VERSION})

MAX_OPS_PER_BATCH = 1000
MAX_FIELDS_PER_OP = 1000
PULL_PAGE_DEFAULT = 500
PULL_PAGE_MAX = 1000

Uuid = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
B64Key = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9+/]{43}=$")]  # 32 raw bytes
B64Signature = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9+/]{86}==$")]  # 64 raw bytes
FieldName = Annotated[str, StringConstraints(min_length=1, max_length=300)]
# Field values: strings (as XForm stores them), integers, booleans, or null (cleared). No floats: canonical bytes.
FieldValue = Annotated[str, StringConstraints(max_length=100_000)] | int | bool | None
SeqNo = Annotated[int, Field(ge=1, le=2**62)]
Version = Annotated[int, Field(ge=0, le=2**62)]


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def canonical(self, *, exclude: set[str] | None = None) -> bytes:
        return canonical_json(self.model_dump(mode="json", exclude=exclude))


# ---- enrolment -----------------------------------------------------------------------------------------------------


class EnrolRequest(Message):
    protocol_version: int
    code: Annotated[str, StringConstraints(min_length=4, max_length=64)]
    device_public_key: B64Key
    device_name: Name
    # Proof that the caller holds the private key it registers (signature over the other fields, DOMAIN_ENROL).
    signature: B64Signature

    def signed_bytes(self) -> bytes:
        return self.canonical(exclude={"signature"})

    @classmethod
    def build(cls, *, code: str, device_key: SigningKey, device_name: str) -> EnrolRequest:
        unsigned = {"protocol_version": PROTOCOL_VERSION, "code": code, "device_public_key": device_key.public_b64,
                    "device_name": device_name}
        return cls(**unsigned, signature=device_key.sign(DOMAIN_ENROL, canonical_json(unsigned)))

    def signature_valid(self) -> bool:
        return verify(self.device_public_key, self.signature, DOMAIN_ENROL, self.signed_bytes())


class ServerKeys(Message):
    """The server's public keys; the device pins them at enrolment."""

    signing_key: B64Key  # Ed25519: responses and published forms
    signing_key_id: str
    batch_key: B64Key  # X25519: USB batch files are sealed to it (HPKE)
    batch_key_id: str


class EnrolResponse(Message):
    protocol_version: int
    device_id: Uuid
    centre_id: Uuid
    centre_name: str
    server_keys: ServerKeys
    high_water_mark: int


# ---- push ----------------------------------------------------------------------------------------------------------


class Op(Message):
    """One outbox operation. `fields` holds only what this operation set (for a new record: all its fields)."""

    op_id: Uuid
    device_seq: SeqNo
    record_id: Uuid
    op: Literal["upsert", "delete"]
    record_version: Annotated[int, Field(ge=1)]  # the device's local revision of the record
    base_version: Version | None  # the server_version this change was made on; None = never seen by the server
    form_id: Name
    form_version: Name
    # Hybrid logical clock in ms: above the device's previous op and above any hlc it has pulled for the record.
    hlc: Annotated[int, Field(ge=0, le=2**62)]
    fields: Annotated[dict[FieldName, FieldValue], Field(max_length=MAX_FIELDS_PER_OP)] = {}
    # Instance XML, replaced as a whole; None = unchanged by this op.
    content: Annotated[str, StringConstraints(max_length=2_000_000)] | None = None


class PushBatch(Message):
    """A signed run of one device's outbox, seq_from..seq_to, gap-free. The same object travels on a USB stick."""

    protocol_version: int
    device_id: Uuid
    seq_from: SeqNo
    seq_to: SeqNo
    ops: Annotated[list[Op], Field(min_length=1, max_length=MAX_OPS_PER_BATCH)]
    signature: B64Signature

    def signed_bytes(self) -> bytes:
        return self.canonical(exclude={"signature"})

    def shape_error(self) -> str | None:
        """Why the batch is not a gap-free run seq_from..seq_to, or None."""
        seqs = [op.device_seq for op in self.ops]
        if self.seq_to < self.seq_from:
            return "seq_to is below seq_from"
        if seqs != list(range(self.seq_from, self.seq_to + 1)):
            return "ops must carry device_seq seq_from..seq_to in order, without gaps"
        if len({op.op_id for op in self.ops}) != len(self.ops):
            return "op_id repeated inside the batch"
        return None

    @classmethod
    def build(cls, *, device_id: str, ops: list[Op], device_key: SigningKey) -> PushBatch:
        unsigned = {"protocol_version": PROTOCOL_VERSION, "device_id": device_id, "seq_from": ops[0].device_seq,
                    "seq_to": ops[-1].device_seq, "ops": [op.model_dump(mode="json") for op in ops]}
        return cls.model_validate({**unsigned, "signature": device_key.sign(DOMAIN_BATCH, canonical_json(unsigned))})

    def signature_valid(self, device_public_key: str) -> bool:
        return verify(device_public_key, self.signature, DOMAIN_BATCH, self.signed_bytes())


OpStatus = Literal["applied", "merged", "conflict", "rejected"]


class OpResult(Message):
    device_seq: int
    op_id: str
    record_id: str
    status: OpStatus  # applied: on the current version; merged: disjoint fields merged; conflict: see conflict_id
    server_version: int | None  # the record's version after this op (None when rejected)
    conflict_id: str | None = None
    message: str | None = None


class PushResponse(Message):
    protocol_version: int
    device_id: str
    high_water_mark: int  # every op up to here is stored on the server: the device may mark them acknowledged
    results: list[OpResult]


# ---- pull ----------------------------------------------------------------------------------------------------------


class Change(Message):
    cursor: int  # the change's position in commit order
    record_id: str
    server_version: int
    deleted: bool
    form_id: str
    form_version: str
    fields: dict[str, FieldValue]  # the whole record after this version (empty for a tombstone)
    content: str | None
    hlc: int  # the highest hlc in the record: the device's clock must move above it before editing
    origin_device_id: str | None


class PullPage(Message):
    protocol_version: int
    changes: list[Change]
    next_cursor: int
    has_more: bool


# ---- forms ---------------------------------------------------------------------------------------------------------


class FormSummary(Message):
    form_id: str
    version: str
    title: str
    sha256: str
    published_at: str


class FormList(Message):
    forms: list[FormSummary]


class PublishedForm(Message):
    form_id: str
    version: str
    title: str
    sha256: str
    xform: str
    signature: str  # server signing key over form_signed_bytes(form_id, version, sha256), DOMAIN_FORM

    def signature_valid(self, server_signing_key: str) -> bool:
        return verify(server_signing_key, self.signature, DOMAIN_FORM,
                      form_signed_bytes(self.form_id, self.version, self.sha256))


def form_signed_bytes(form_id: str, version: str, sha256: str) -> bytes:
    return canonical_json({"form_id": form_id, "version": version, "sha256": sha256})


# ---- errors --------------------------------------------------------------------------------------------------------


class ErrorBody(Message):
    """Every refusal: a stable machine code, a message a person can read, and details (e.g. the expected seq)."""

    error: str
    message: str
    expected_seq: int | None = None
    supported_versions: list[int] | None = None
