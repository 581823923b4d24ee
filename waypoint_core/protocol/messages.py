"""The sync wire messages (protocol version 2): enrolment, push batch, per-op results, pull pages, reconciliation
after a server restore, key rotation, forms, errors.

One definition for the device client, the server, and the USB batch file (which carries the same batch bytes).
Every model forbids unknown keys and floats. Names, ids and field names refuse control characters, text values
refuse those XML cannot hold (PostgreSQL would also refuse a NUL), so bad input stops at the door with a 422.

Versions of a record are identified by (server_version, version_hash): the hash is over the content a pull hands
out, so two different contents never pass as the same version, even after a server restored from a backup numbers
new versions again from an older count.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .signing import (
    DOMAIN_BATCH, DOMAIN_ENROL, DOMAIN_FORM, DOMAIN_ROTATION, DOMAIN_VERSION, SigningKey, canonical_json,
    canonical_json_of_record, sha256_hex, verify,
)

PROTOCOL_VERSION = 2
SUPPORTED_VERSIONS = frozenset({PROTOCOL_VERSION})

MAX_OPS_PER_BATCH = 1000
MAX_FIELDS_PER_OP = 1000
PULL_PAGE_DEFAULT = 500
PULL_PAGE_MAX = 1000
PULL_PAGE_BYTES = 4 * 1024 * 1024  # a page stops growing at this size (one change always fits, however large)
MAX_RECONCILE_RECORDS = 1000
MAX_KNOWN_HASHES = 20
# The server refuses an op whose hlc is further than this ahead of its own clock; a device keeps its clock below
# server time + half of it, so its own ops always stay sendable whatever it pulled.
MAX_HLC_AHEAD_MS = 10 * 60 * 1000
HLC_MAX = 2**62

NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
XML_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$"  # tab, newline and carriage return are text; other C0 controls are not

Uuid = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NO_CONTROL)]
B64Key = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9+/]{43}=$")]  # 32 raw bytes
B64Signature = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9+/]{86}==$")]  # 64 raw bytes
KeyId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")]
Hash = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Epoch = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")]
CursorText = Annotated[str, StringConstraints(pattern=r"^([0-9a-f]{16}\.[0-9]{1,19})?$")]
FieldName = Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=NO_CONTROL)]
# Field values: strings (as XForm stores them), integers, booleans, or null (cleared). No floats: canonical bytes.
FieldValue = Annotated[str, StringConstraints(max_length=100_000, pattern=XML_TEXT)] | int | bool | None
Content = Annotated[str, StringConstraints(max_length=2_000_000, pattern=XML_TEXT)]
SeqNo = Annotated[int, Field(ge=1, le=HLC_MAX)]
Version = Annotated[int, Field(ge=0, le=HLC_MAX)]
Hlc = Annotated[int, Field(ge=0, le=HLC_MAX)]


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def canonical(self, *, exclude: set[str] | None = None) -> bytes:
        return canonical_json(self.model_dump(mode="json", exclude=exclude))


# ---- cursors and versions --------------------------------------------------------------------------------------------

_CURSOR = re.compile(r"^([0-9a-f]{16})\.([0-9]{1,19})$")


def format_cursor(epoch: str, seq: int) -> str:
    """A pull cursor: the server's epoch and a position in its change feed. "" is the start of any epoch."""
    return f"{epoch}.{seq}"


def parse_cursor(text: str) -> tuple[str, int] | None:
    """(epoch, seq), or None for the start; ValueError for anything else."""
    if text == "":
        return None
    match = _CURSOR.match(text)
    if match is None:
        raise ValueError("a cursor is '<epoch>.<seq>' or empty")
    return match.group(1), int(match.group(2))


def version_hash(*, form_id: str, form_version: str, deleted: bool, fields: dict[str, str | int | bool | None],
                 content: str | None) -> str:
    """The identity of one record version's content, as a pull hands it out (a tombstone carries no data)."""
    if deleted:
        fields, content = {}, None
    return sha256_hex(DOMAIN_VERSION + canonical_json_of_record({"form_id": form_id, "form_version": form_version,
                                                                "deleted": deleted, "fields": fields,
                                                                "content": content}))


# ---- enrolment -----------------------------------------------------------------------------------------------------


class EnrolRequest(Message):
    protocol_version: int
    code: Annotated[str, StringConstraints(min_length=4, max_length=64, pattern=NO_CONTROL)]
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
        return cls.model_validate({**unsigned, "signature": device_key.sign(DOMAIN_ENROL, canonical_json(unsigned))})

    def signature_valid(self) -> bool:
        return verify(self.device_public_key, self.signature, DOMAIN_ENROL, self.signed_bytes())


class ServerKeys(Message):
    """The server's public keys; the device pins them at enrolment and follows signed rotations."""

    signing_key: B64Key  # Ed25519: answers, published forms, key rotations
    signing_key_id: KeyId
    batch_key: B64Key  # X25519: USB batch files are sealed to it (HPKE)
    batch_key_id: KeyId


class EnrolResponse(Message):
    protocol_version: int
    epoch: Epoch
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
    # The version this change was made on: its number and its hash (None = never seen by the server). The server
    # finds the base by hash, so a base it no longer holds (a restore) counts as unknown, never as another content.
    base_version: Version | None
    base_hash: Hash | None = None
    form_id: Name
    form_version: Name
    # Hybrid logical clock in ms: above the device's previous op and above any hlc it has pulled for the record,
    # and never more than MAX_HLC_AHEAD_MS ahead of the server's clock.
    hlc: Hlc
    fields: Annotated[dict[FieldName, FieldValue], Field(max_length=MAX_FIELDS_PER_OP)] = {}
    # Instance XML, replaced as a whole; None = unchanged by this op.
    content: Content | None = None


class PushBatch(Message):
    """A run of one device's outbox, seq_from..seq_to, gap-free. Signed as raw bytes: the request signature online,
    the batch signature (DOMAIN_BATCH) on a USB stick."""

    protocol_version: int
    device_id: Uuid
    seq_from: SeqNo
    seq_to: SeqNo
    ops: Annotated[list[Op], Field(min_length=1, max_length=MAX_OPS_PER_BATCH)]

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
    def of(cls, *, device_id: str, ops: list[Op]) -> PushBatch:
        return cls(protocol_version=PROTOCOL_VERSION, device_id=device_id, seq_from=ops[0].device_seq,
                   seq_to=ops[-1].device_seq, ops=ops)

    def body(self) -> bytes:
        """The bytes that travel and are signed: `batch_body` of its ops' JSON (a retry or a replay after a crash,
        made from the same ops, is identical)."""
        return batch_body(device_id=self.device_id, seq_from=self.seq_from, seq_to=self.seq_to,
                          ops=[op.model_dump_json() for op in self.ops])


def batch_body(*, device_id: str, seq_from: int, seq_to: int, ops: list[str]) -> bytes:
    """A PushBatch's bytes from each op's own JSON as it is kept (a device's wire op, `Op.model_dump_json()` when it
    was frozen): the batch's keys in name order around the ops as they are, so a batch sent again from the wire ops
    kept is the same bytes, and no op is encoded twice (the batch's canonical JSON was a tenth of a push's client
    time). The caller has validated each op from those very bytes (`Op.model_validate_json`, or made it and then
    its JSON); the server parses the whole like any body."""
    head = json.dumps(device_id)  # a Uuid: no escaping, but never spliced in raw
    return (f'{{"device_id":{head},"ops":[{",".join(ops)}],"protocol_version":{PROTOCOL_VERSION},'
            f'"seq_from":{int(seq_from)},"seq_to":{int(seq_to)}}}').encode()


def sign_batch(body: bytes, device_key: SigningKey) -> str:
    """A batch's own signature over its raw bytes, for a batch that travels without a request (USB stick)."""
    return device_key.sign(DOMAIN_BATCH, body)


def batch_signature_valid(device_public_key: str, body: bytes, signature: str) -> bool:
    """Checked over the raw bytes, before anything parses them."""
    return verify(device_public_key, signature, DOMAIN_BATCH, body)


OpStatus = Literal["applied", "merged", "conflict", "rejected"]


class OpResult(Message):
    device_seq: int
    op_id: str
    record_id: str
    status: OpStatus  # applied: on the current version; merged: disjoint fields merged; conflict: see conflict_id
    server_version: int | None  # the record's version after this op (None when rejected)
    version_hash: str | None = None  # that version's hash
    conflict_id: str | None = None
    message: str | None = None  # why it was rejected, in English (refusals.py)
    # A rejection's code and its values (waypoint_core/protocol/refusals.py), for the device's own words and advice;
    # only to a device that asked (`codes=1`): the keys are left out otherwise (an older laptop forbids unknown
    # keys), and by older servers, whose sentence the device then parses. None for an op not rejected, and for one
    # rejected before the server kept codes.
    # Not narrowed further than `message` is: a code or value this laptop did not expect must not make it refuse
    # the whole answer.
    code: str | None = None
    code_values: dict[str, str] | None = None


class PushResponse(Message):
    protocol_version: int
    epoch: Epoch
    device_id: str
    high_water_mark: int  # every op up to here is stored on the server: the device may mark them acknowledged
    results: list[OpResult]


# ---- pull ----------------------------------------------------------------------------------------------------------


class Change(Message):
    seq: int  # the change's position in the feed of this epoch (commit order)
    record_id: str
    server_version: int
    version_hash: str
    deleted: bool
    form_id: str
    form_version: str
    fields: dict[str, str | int | bool | None]  # the whole record after this version (empty for a tombstone)
    content: str | None
    hlc: int  # the highest hlc in the record: the device's clock moves above it (clamped) before editing
    origin_device_id: str | None
    # The record's centre as the server keeps it (a record keeps the centre it was made in: sync_server/scope.py), by
    # id and name, only when the device asked for it (`centres=1`; left out otherwise, and by older servers). Not
    # content: outside `version_hash`, so every version's hash stays what it was. The device stores it as the record's
    # centre when the content names none, so a centre-scoped person on a shared laptop sees only their centre's.
    centre_id: str | None = None
    centre_name: str | None = None

    def hash_matches(self) -> bool:
        return self.version_hash == version_hash(form_id=self.form_id, form_version=self.form_version,
                                                 deleted=self.deleted, fields=self.fields, content=self.content)


class DecidedConflict(Message):
    """A conflict the server opened on this device's op and closed when a reviewer's decision arrived
    (sync_server/review.py): carried in a pull page beside a change of its record at or after the decided version,
    only when the device asked for it (`decisions=1`), so the device closes its own conflict row for it."""

    conflict_id: str  # the id the push answer gave (OpResult.conflict_id)
    record_id: str
    server_version: int  # the version the decision made
    decided_by: str  # the device whose change closed it
    decided_by_name: str = ""  # that device's name as enrolled


OWN_RANGE = r"([1-9][0-9]{0,17})-([1-9][0-9]{0,17})"  # device_seqs of 18 digits at most: a signed 64-bit column
OwnRange = Annotated[str, StringConstraints(pattern=f"^{OWN_RANGE}$")]


def own_range(text: str) -> tuple[int, int] | None:
    """(first, last) device_seq of an `own` range "FROM-TO" (FROM <= TO), or None if it is not one."""
    found = re.fullmatch(OWN_RANGE, text, flags=re.ASCII)
    if found is None:
        return None
    low, high = int(found[1]), int(found[2])
    return (low, high) if low <= high else None


class PullPage(Message):
    """The latest version of every record changed after `since`, in commit order, bounded in count and bytes."""

    protocol_version: int
    epoch: Epoch
    since: str  # the cursor this page answers, exactly as asked ("" = from the start)
    changes: list[Change]
    next_cursor: str
    has_more: bool
    # The published forms (FormList.forms), only when the device asked for them with the page (`forms=1`): a server
    # that does not know the parameter leaves it out, and the device then asks GET /v2/forms.
    forms: list[FormSummary] | None = None
    # The conflicts opened on this device's ops that a reviewer decided, for records in this page (`decisions=1`;
    # left out otherwise, and by older servers).
    decided: list[DecidedConflict] | None = None
    # `own=FROM-TO` asked: the range of this device's ops (device_seq) whose versions the page leaves out where the
    # server applied them as sent and they are still the record's latest (the device holds them from their
    # acknowledgements), said back as asked; the next cursor may then pass changes the page leaves out. Absent when
    # not asked, and from older servers (which send everything).
    own: OwnRange | None = None


class DeviceStatus(Message):
    protocol_version: int
    epoch: Epoch
    device_id: str
    centre_id: str
    high_water_mark: int


# ---- reconciliation after a restore ----------------------------------------------------------------------------------


class KnownRecord(Message):
    record_id: Uuid
    hashes: Annotated[list[Hash], Field(min_length=1, max_length=MAX_KNOWN_HASHES)]  # newest first


class ReconcileRequest(Message):
    """The versions a device knows: which of them does the (restored) server still hold?"""

    protocol_version: int
    records: Annotated[list[KnownRecord], Field(min_length=1, max_length=MAX_RECONCILE_RECORDS)]


SEARCH_MAX_LIMIT = 100


class SearchRequest(Message):
    """What a device looks a person up with on the server (`POST /v2/search`): in the signed body, never in the URL,
    where a reverse proxy's access log or a browser history would keep the name typed."""

    protocol_version: int
    q: Annotated[str, Field(min_length=1, max_length=200)]
    limit: Annotated[int, Field(ge=1, le=SEARCH_MAX_LIMIT)] = 20
    stage: Literal["first", "refined"] = "first"


class RecordHeld(Message):
    record_id: str
    held_version: int | None  # the newest of the device's versions the server holds (None: none of them)
    held_hash: str | None
    current_version: int | None  # the server's current version (None: the server has no such record)
    current_hash: str | None


class ReconcileResponse(Message):
    protocol_version: int
    epoch: Epoch
    records: list[RecordHeld]


# ---- server keys -----------------------------------------------------------------------------------------------------


class KeyRotation(Message):
    """New server keys, signed by the signing key they replace: a device that pinned the old key follows it."""

    previous_signing_key_id: KeyId
    keys: ServerKeys
    rotated_at: str
    signature: B64Signature

    def signed_bytes(self) -> bytes:
        return self.canonical(exclude={"signature"})

    @classmethod
    def build(cls, *, previous: SigningKey, keys: ServerKeys, rotated_at: str) -> KeyRotation:
        unsigned = {"previous_signing_key_id": previous.key_id, "keys": keys.model_dump(mode="json"),
                    "rotated_at": rotated_at}
        return cls.model_validate({**unsigned, "signature": previous.sign(DOMAIN_ROTATION, canonical_json(unsigned))})

    def signature_valid(self, previous_signing_key: str) -> bool:
        return verify(previous_signing_key, self.signature, DOMAIN_ROTATION, self.signed_bytes())


class KeyHistory(Message):
    protocol_version: int
    current: ServerKeys
    rotations: list[KeyRotation]  # oldest first

    def follow(self, pinned: ServerKeys) -> ServerKeys | None:
        """The current keys if a chain of rotations leads to them from `pinned`, each signed by the key before it."""
        keys = pinned
        for rotation in self.rotations:
            if rotation.previous_signing_key_id == keys.signing_key_id:
                if not rotation.signature_valid(keys.signing_key):
                    return None
                keys = rotation.keys
        return keys if keys == self.current else None


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
    # sequence_reused: the first seq of the batch the server holds for another op, when a vault put back from an
    # older copy explains it (the ops before it match, every one after it differs); expected_seq - 1 is then the
    # device's high-water mark, and the device numbers its unsent ops from there again after it
    reused_from: int | None = None
    supported_versions: list[int] | None = None
    epoch: str | None = None
    retry_after_s: int | None = None
