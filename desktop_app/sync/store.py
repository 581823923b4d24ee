"""What sync keeps in the vault, and every local transaction of a sync run.

Credentials live in the `sync_state` table of the encrypted database: the device's Ed25519 private key is
stored there as-is, because the whole file is SQLCipher-encrypted under the vault's data key (a second wrap
under an HKDF sub-key would protect nothing more from someone without a passphrase, and nothing at all from
someone with one). The server's public keys are pinned there at enrolment and never replaced by a later answer.

Rules kept here:
- an op is frozen (device_seq + wire op + batch_id) in its own transaction BEFORE its first attempt; a retry
  or a replay after a crash resends exactly those bytes;
- an answer is stored in ONE transaction: per-op results, acked_at, the record's sync_state/server_version;
  nothing is marked sent or acknowledged before that commit;
- a pulled page and the new cursor are stored in ONE transaction; a locally dirty record is never overwritten.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

import orjson
from pydantic import ValidationError

from desktop_app.sync import errors, prefetch
from desktop_app.sync.state import (
    IN_WIRE, MergeConflict, State, columns_from_state, diff, payload_for, state_from_change, state_from_columns,
    state_from_payload, three_way,
)
from desktop_app.vault import Vault
from desktop_app.vault import audit
from desktop_app.vault.indicator_facts import SUMMARY as FACT_SUMMARY, fact_row
from desktop_app.vault.place import home_centre_db
from desktop_app.vault.sql import Db, join_sync, text
from desktop_app.vault.vault import utc_now
from desktop_app.vault.writer import (
    AS_RECORD, STATE_AS_RECORD, SYNC_WRITER, Writer, base_state, blind, content_stub, payload_states,
    registration_states, sent_wires, wire_stub, write,
)
from desktop_app.vault.writer.outbox import wire_sha256
from waypoint_core.access import audit as chain
from waypoint_core.protocol import refusals as refusal_words
from waypoint_core.protocol import (
    MAX_HLC_AHEAD_MS, MAX_KNOWN_HASHES, MAX_OPS_PER_BATCH, MAX_RECONCILE_RECORDS, Change, DecidedConflict, DeviceStatus,
    EnrolResponse,
    FILES_FIELD, KnownRecord, Op, PullPage, PushBatch,
    PushResponse, ReconcileResponse, ServerKeys, SigningKey, b64decode, b64encode, batch_body, canonical_json,
    parse_cursor,
    version_hash,
)

MAX_BATCH_BYTES = 4 * 1024 * 1024  # the server takes 8 MiB bodies; half leaves room for the envelope

# Ops frozen and not acknowledged, ops not frozen yet: read through their own small partial indexes (vault migration
# 0017). Left to itself the planner takes ix_outbox_acked_at and reads every unacknowledged row, once or twice per batch.
IN_FLIGHT = "INDEXED BY ix_outbox_in_flight WHERE device_seq IS NOT NULL AND acked_at IS NULL"
QUEUED = "INDEXED BY ix_outbox_queued WHERE device_seq IS NULL AND acked_at IS NULL"

_C = TypeVar("_C")


@dataclass(frozen=True)
class Credentials:
    server_url: str
    ca_bundle: str | None
    device_id: str
    centre_id: str
    centre_name: str
    server_signing_key: str
    server_keys: dict
    device_key: SigningKey

    def open_with(self, connect: Callable[..., _C]) -> _C:
        """`connect` (ServerConnection, or a test's) opened as this laptop: its server and CA bundle, its device key,
        and the server keys it pins."""
        return connect(self.server_url, ca_bundle=self.ca_bundle, device_id=self.device_id, device_key=self.device_key,
                       server_signing_key=self.server_signing_key, server_keys=self.server_keys)


@dataclass
class FrozenBatch:
    batch_id: str
    seq_from: int
    seq_to: int
    body: bytes  # the PushBatch's bytes, ready to post (the request signature covers them)
    op_count: int
    # device_seq -> (SHA-256 of the wire op, the state it sends) of the ops this batch froze (not those read back to
    # be sent again): its acknowledgement takes the state from here when the op's wire op is still that one (every
    # rewrite of an op in flight changes it and its hash, outbox.wire_sha256) instead of reading the 2 KB wire op back
    # and parsing it again.
    sent: dict[int, tuple[str, State]] = field(default_factory=dict)


@dataclass
class AckOutcome:
    acknowledged: int = 0  # ops acknowledged for the first time
    again: int = 0  # ops this laptop had seen acknowledged, sent again to a restored server that lost them
    applied: int = 0
    merged: int = 0
    conflicts: int = 0
    rejected: int = 0
    rejected_messages: list[str] = field(default_factory=list)


@dataclass
class PullOutcome:
    changes: int = 0
    applied: int = 0
    rebased: int = 0
    conflicts: int = 0
    skipped: int = 0
    decided: int = 0  # this laptop's conflicts closed by a reviewer's decision made elsewhere


# --- sync_state key/value --------------------------------------------------------------------------------------


def _get(conn, key: str, default: str | None = None) -> str | None:
    row = conn.execute(text("SELECT value FROM sync_state WHERE key = :k"), {"k": key}).first()
    return row[0] if row else default


def _put(conn, key: str, value: str) -> None:
    conn.execute(text("INSERT INTO sync_state (key, value) VALUES (:k, :v) "
                      "ON CONFLICT (key) DO UPDATE SET value = excluded.value"), {"k": key, "v": str(value)})


def _int(conn, key: str) -> int:
    return int(_get(conn, key, "0"))


def read_settings(vault: Vault) -> dict[str, str]:
    """Everything non-secret sync keeps (server, centre, cursor, last run); never the private key."""
    with vault.session(readonly=True) as session:
        rows = Db.of(session).execute(text("SELECT key, value FROM sync_state")).all()
    return {k: v for k, v in rows if k != "device_key" and not k.startswith("return_key:")}


CREDENTIALS = ("server_url", "ca_bundle", "device_id", "centre_id", "centre_name", "server_keys", "device_key")
_CREDENTIALS_READ = text("SELECT key, value FROM sync_state WHERE key IN ({})".format(
    ", ".join(f"'{key}'" for key in CREDENTIALS)))


def load_credentials(vault: Vault) -> Credentials:
    with vault.session(readonly=True) as session:
        stored = dict(Db.of(session).execute(_CREDENTIALS_READ).all())  # one statement: each run reads them
    return _credentials(stored)


@dataclass(frozen=True)
class Opening:
    """What a sync run reads before its first request (engine._open)."""

    credentials: Credentials
    reconciling: bool  # reconciling(vault)
    to_resend: bool  # something_to_send(vault, freeze=False)
    cursor: str  # cursor(vault)
    unknown: bool = False  # the server refused this laptop as unknown (UNKNOWN_TO_SERVER)
    # the reconciliation under way is with a restored server (begin_restore), not one after `enrol --again`
    restoring: bool = False
    refused: bool = False  # the server refused this laptop for good at its last contact (REFUSED)


_OPENING_READ = text("SELECT key, value FROM sync_state WHERE key IN ({})".format(
    ", ".join(f"'{key}'" for key in (*CREDENTIALS, "reconcile", "resend_from", "cursor", "unknown_to_server",
                                     "refused"))))


def opening(vault: Vault) -> Opening:
    """The credentials, whether a reconciliation is under way, whether ops wait to be sent again and where the pull
    starts, as the four functions give them, with the laptop's sync_state read in one statement (a sync with nothing
    to do read it in four)."""
    with vault.session(readonly=True) as session:
        conn = Db.of(session)
        stored = dict(conn.execute(_OPENING_READ).all())
        to_resend = bool(int(stored.get("resend_from") or 0)) or _in_flight_after(conn, 0)
    cursor_value = stored.get("cursor") or ""
    under_way = json.loads(stored.get("reconcile") or "null") or {}
    return Opening(credentials=_credentials(stored), reconciling=bool(stored.get("reconcile")), to_resend=to_resend,
                   cursor=cursor_value if "." in cursor_value else "", unknown=bool(stored.get(UNKNOWN_TO_SERVER)),
                   restoring=bool(under_way.get("epoch")), refused=bool(stored.get(REFUSED)))


def _credentials(stored: dict[str, Any]) -> Credentials:
    values = {key: stored.get(key) for key in CREDENTIALS}
    if not values["device_id"] or not values["device_key"]:
        raise errors.NotEnrolled()
    keys = json.loads(values["server_keys"])
    return Credentials(server_url=values["server_url"], ca_bundle=values["ca_bundle"] or None,
                       device_id=values["device_id"], centre_id=values["centre_id"],
                       centre_name=values["centre_name"], server_signing_key=keys["signing_key"], server_keys=keys,
                       device_key=SigningKey.from_raw(b64decode(values["device_key"])))


def ensure_not_enrolled(vault: Vault) -> None:
    with vault.session(readonly=True) as session:
        if _get(Db.of(session), "device_id"):
            raise errors.AlreadyEnrolled()


def save_enrolment(vault: Vault, *, server_url: str, ca_bundle: str | None, device_key: SigningKey,
                   answer: EnrolResponse, again: bool = False) -> None:
    """Store an enrolment. `again`: this laptop was enrolled before (the server's keys were replaced, its device
    was revoked, the server was rebuilt) and takes a new identity, keeping its records and everything unsent:
    acknowledged ops keep their results but give up their old sequence numbers, ops not acknowledged become
    unsent again (frozen anew under the new identity, one per record, from the record's current state), the cursor
    starts again, and the next run reconciles (the server may lack what the old identity had sent)."""
    with write(vault) as w:
        conn = w.db
        if _get(conn, "device_id") and not again:
            raise errors.AlreadyEnrolled()
        if again:
            _put(conn, UNKNOWN_TO_SERVER, "")  # a new identity: what the server lacks is sent again (reconcile)
            _put(conn, REFUSED, "")  # what the server said of the old identity
            w.renumber_for_new_identity()
            _put(conn, "resend_from", "0")
            _put(conn, "reconcile", json.dumps({"epoch": "", "after": "", "resend_from": 0}))
        for key, value in {"server_url": server_url, "ca_bundle": ca_bundle or "", "device_id": answer.device_id,
                           "centre_id": answer.centre_id, "centre_name": answer.centre_name,
                           "server_keys": canonical_json(answer.server_keys.model_dump()).decode(),
                           "device_key": b64encode(device_key.raw()), "enrolled_at": utc_now(),
                           "next_device_seq": str(answer.high_water_mark + 1),
                           "acked_device_seq": str(answer.high_water_mark), "cursor": "",
                           "epoch": answer.epoch}.items():
            _put(conn, key, value)


def set_ca_bundle(vault: Vault, path: str | None) -> None:
    with vault.session() as session:
        _put(Db.of(session), "ca_bundle", path or "")


def record_run(vault: Vault, summary: dict, *, also: Callable[[Db], None] | None = None) -> None:
    """The run's summary; `also`: more to write in the same transaction (the run's audit entry)."""
    with vault.session() as session:
        conn = Db.of(session)
        _put(conn, "last_sync_at", utc_now())
        _put(conn, "last_sync", json.dumps(summary, sort_keys=True))
        if also is not None:
            also(conn)


# --- push --------------------------------------------------------------------------------------------------------


def _registration_state(conn, record_id: str) -> State | None:
    row = conn.execute(text("SELECT * FROM registration WHERE id = :r"), {"r": record_id}).first()
    if row is None:
        return None
    extras = dict(conn.execute(text("SELECT name, value FROM registration_field WHERE record_id = :r"),
                               {"r": record_id}).all())
    return state_from_columns(row._asdict(), extras)


class Clock:
    """This laptop's hybrid logical clock, bounded: stamps follow the server's time (as its signed answers give it)
    and never run more than half the server's tolerance (MAX_HLC_AHEAD_MS) ahead of it, whatever a pulled change
    carried. A device that pulled a poisoned clock value (a rogue laptop's, or one from before the bound) keeps
    sending: the server accepts anything up to the whole tolerance."""

    def __init__(self, server_now_ms: int | None = None) -> None:
        self.now_ms = server_now_ms if server_now_ms is not None else int(time.time() * 1000)
        self.bound = self.now_ms + MAX_HLC_AHEAD_MS // 2

    def tick(self, *after: int) -> int:
        """A stamp above `after` (the previous stamp, a pulled value) and the time, within the bound."""
        stamp = self.now_ms
        for value in after:  # (a loop, not max() over a generator: called once per op frozen)
            if value >= stamp:
                stamp = value + 1
        return stamp if stamp < self.bound else self.bound

    def clamp(self, value: int) -> int:
        return min(value, self.bound)


def next_batch(vault: Vault, credentials: Credentials, *, max_ops: int = 500, freeze: bool = True,
               after: int = 0, clock: Clock | None = None) -> FrozenBatch | None:
    """The next batch to post: frozen ops not yet acknowledged first (a resumed run), else (`freeze`) new ones.

    `after`: the last device_seq of a batch already posted and not acknowledged yet (pipelining: the next batch is
    frozen while the server answers the previous one); only ops beyond it are taken. `clock`: the bound on the
    clock values new ops take (Clock)."""
    if _nothing_to_send(vault, freeze=freeze, after=after):
        return None  # a quiet run opens no write transaction (each commit is a sync to disk)
    with write(vault) as w:
        rows = _next_rows(w, max_ops=max_ops, freeze=freeze, after=after, clock=clock or Clock())
    return _batch_of(credentials, rows)


def acknowledge_and_next(vault: Vault, credentials: Credentials, done: tuple[FrozenBatch, PushResponse] | None, *,
                         max_ops: int = 500, freeze: bool = True, after: int = 0, clock: Clock | None = None,
                         ) -> tuple[AckOutcome | None, FrozenBatch | None]:
    """Pipelining's vault half: store the answer of the batch before the one on the wire (`done`, as
    store_push_answer) and take the batch after it (as next_batch with `after`), in ONE transaction (one commit,
    one sync to disk, instead of two). Both hold as apart: the answer is stored all or nothing, and the next batch
    is frozen (committed) before its first attempt."""
    if done is None:
        return None, next_batch(vault, credentials, max_ops=max_ops, freeze=freeze, after=after, clock=clock)
    with write(vault) as w:
        outcome = _store_answer(w, *done)
        rows = _next_rows(w, max_ops=max_ops, freeze=freeze, after=after, clock=clock or Clock())
    return outcome, _batch_of(credentials, rows)


class Frozen(NamedTuple):
    """An op of the next batch: its device_seq, wire op and batch; the Op, the state it sends and its wire op's
    SHA-256 when it was frozen by this call (else read back, and parsed again)."""

    device_seq: int
    wire: str
    batch_id: str
    op: Op | None = None
    state: State | None = None
    sha256: str | None = None


def _next_rows(w: Writer, *, max_ops: int, freeze: bool, after: int, clock: Clock) -> list[Frozen]:
    """The next batch's ops: to send again, frozen already, or (`freeze`) frozen now in `w`'s transaction."""
    conn = w.db
    max_ops = max(1, min(max_ops, MAX_OPS_PER_BATCH))
    resend_from = _int(conn, "resend_from")
    if resend_from:
        rows = _rebuilt(w, clock, conn.execute(text(
            "SELECT seq, op_id, record_id, op, record_version, base_version, device_seq, wire, batch_id, wire_sha256 "
            "FROM outbox WHERE device_seq >= :s ORDER BY device_seq LIMIT :n"),
            {"s": max(resend_from, after + 1), "n": max_ops}).all())
    else:
        # A frozen batch goes again as it was cut, whatever this run's batch sizes (schedule.py): the same bytes.
        rows = conn.execute(text(f"SELECT seq, record_id, device_seq, wire, batch_id, wire_sha256 FROM outbox "
                                 f"{IN_FLIGHT} AND device_seq > :a ORDER BY device_seq LIMIT :n"),
                            {"a": after, "n": MAX_OPS_PER_BATCH}).all()
        rows = [row for row in rows if row.batch_id == rows[0].batch_id]
        wires = sent_wires(conn, rows)
        rows = [(row.device_seq, wires[row.seq], row.batch_id) for row in rows]
    if rows:
        return [Frozen(row[0], row[1], row[2]) for row in rows]
    return _freeze(w, max_ops, clock) if freeze else []


def _batch_of(credentials: Credentials, rows: list[Frozen]) -> FrozenBatch | None:
    """The PushBatch of the gap-free run of `rows` from the first, within MAX_BATCH_BYTES."""
    if not rows:
        return None
    ops: list[Op] = []
    wires: list[str] = []
    sent: dict[int, tuple[str, State]] = {}
    size = 0
    for row in rows:
        if ops and (size + len(row.wire) > MAX_BATCH_BYTES or row.device_seq != ops[-1].device_seq + 1):
            break
        # An op frozen by this call is `row.op`, whose JSON `row.wire` is; one read back is validated from its bytes.
        ops.append(row.op if row.op is not None else Op.model_validate_json(row.wire))
        wires.append(row.wire)
        if row.state is not None and row.sha256 is not None:
            sent[row.device_seq] = (row.sha256, row.state)
        size += len(row.wire)
    batch = PushBatch.of(device_id=credentials.device_id, ops=ops)
    # The wire ops as kept, spliced: the bytes of a batch sent again after a crash are those sent first.
    body = batch_body(device_id=batch.device_id, seq_from=batch.seq_from, seq_to=batch.seq_to, ops=wires)
    return FrozenBatch(batch_id=rows[0].batch_id, seq_from=batch.seq_from, seq_to=batch.seq_to, body=body,
                       op_count=len(ops), sent=sent)


def something_to_send(vault: Vault, *, freeze: bool, resend: bool | None = None) -> bool:
    """Whether next_batch would find a batch: an op to resend, one frozen and not acknowledged, or (`freeze`) one
    waiting to be frozen. Read only: a run reads it with the rest of what it has to do (engine._Left). `resend`:
    what something_to_send(freeze=False) answered in the same read transaction, when the caller has it."""
    if resend:
        return True
    return not _nothing_to_send(vault, freeze=freeze, after=0, none_sent=resend is False)


def waiting(vault: Vault) -> int:
    """How many ops wait to be frozen (some may yet be refused locally): what a push plans its batches on."""
    with vault.session(readonly=True) as session:
        return Db.of(session).execute(text(f"SELECT count(*) FROM outbox {QUEUED}")).scalar_one()


def _nothing_to_send(vault: Vault, *, freeze: bool, after: int, none_sent: bool = False) -> bool:
    """No op to resend, none frozen beyond `after` and (when freezing) none waiting: read only. `none_sent`: the
    first two are known already (read in the same transaction), only the waiting ops are looked at."""
    with vault.session(readonly=True) as session:
        conn = Db.of(session)
        if not none_sent and (_int(conn, "resend_from") or _in_flight_after(conn, after)):
            return False
        return not freeze or conn.execute(text(f"SELECT 1 FROM outbox {QUEUED} AND result IS NULL LIMIT 1")
                                          ).first() is None


def _in_flight_after(conn, after: int) -> bool:
    """An op frozen beyond `after` and not acknowledged."""
    return conn.execute(text(f"SELECT 1 FROM outbox {IN_FLIGHT} AND device_seq > :a LIMIT 1"),
                        {"a": after}).first() is not None


def _rebuilt(w: Writer, hlc: Clock, rows) -> list[tuple[int, str, str]]:
    """Ops to send again after the server lost them. An acknowledged op keeps no content (it was wiped), so it
    is rebuilt, same op_id and device_seq, as the record's whole current state: what the server lost is sent
    from what this device holds now. A record whose identifying data were purged here sends its fields that
    are left and no content, so the server's copy of what was purged is not overwritten with blanks."""
    states = registration_states(w.db, {row.record_id for row in rows if row.wire is None})
    # The base is the version the (restored) server still holds, as reconciliation left it in sync_record.
    bases = prefetch.known_records(w.db, {row.record_id for row in rows if row.wire is None})
    in_flight = sent_wires(w.db, rows)
    clock = _int(w.db, "hlc")
    out = []
    for row in rows:
        wire = in_flight[row.seq]
        if wire is None:
            state, purged = states.get(row.record_id, (None, None))
            deleted = state is None or state["deleted"]
            clock = hlc.tick(clock)
            known = bases.get(row.record_id)
            base_version, base_hash = (known.server_version or None, known.hash) if known else (row.base_version, None)
            op = Op(op_id=row.op_id, device_seq=row.device_seq, record_id=row.record_id,
                    op="delete" if deleted else "upsert", record_version=row.record_version,
                    base_version=base_version, base_hash=base_hash if base_version else None,
                    form_id=(state or {}).get("form_id") or "unknown",
                    form_version=(state or {}).get("form_version") or "unknown", hlc=clock,
                    fields={} if deleted else dict(state["fields"]),
                    content=None if deleted or purged else state["content"])
            wire = op.model_dump_json()
            w.resend_op(row.seq, wire)
        out.append((row.device_seq, wire, row.batch_id))
    _put(w.db, "hlc", str(clock))
    return out


def _freeze(w: Writer, max_ops: int, hlc: Clock | None = None) -> list[Frozen]:
    """Give the oldest unfrozen outbox rows their device_seq and wire op, in this transaction."""
    while True:
        rows = _unfrozen(w.db, max_ops)
        if not rows:
            return []
        frozen = _freeze_rows(w, rows, hlc or Clock())
        if frozen:  # else every row was refused locally: look at the next ones
            return frozen


def _unfrozen(conn, max_ops: int):
    return conn.execute(text("SELECT seq, op_id, record_id, op, record_version, base_version FROM outbox "
                             f"{QUEUED} AND result IS NULL ORDER BY seq LIMIT :n"),
                        {"n": max_ops}).all()


def _freeze_rows(w: Writer, rows, hlc: Clock) -> list[Frozen]:
    """An unfrozen op says "send this record's current state": it is read now, diffed against what the server
    holds (or will, once earlier ops land), and kept with the op until the acknowledgement."""
    conn, batch_id = w.db, str(uuid.uuid4())
    next_seq, clock = _int(conn, "next_device_seq") or 1, _int(conn, "hlc")
    first_seq: dict[str, int] = {}
    for row in rows:
        first_seq.setdefault(row.record_id, row.seq)
    # Read once for the batch: nothing below writes sync_record, nor the earlier outbox rows of these records.
    reads = prefetch.freeze_reads(conn, first_seq)
    known_by_record, states = reads.known, reads.states
    earlier_by_record = prefetch.earlier_payloads(conn, first_seq, reads.earlier)
    latest: dict[str, State | None] = {}
    frozen: list[Frozen] = []
    updates: list[dict] = []
    for seq, op_id, record_id, kind, record_version, base_version in rows:
        known = known_by_record.get(record_id)
        stored, purged = states.get(record_id, (None, None))
        if record_id not in latest:
            latest[record_id] = _previous_state(earlier_by_record.get(record_id), known, stored)
        previous = latest[record_id]
        if kind == "delete" or stored is None:
            form = previous or stored or {}
            current = {"form_id": form.get("form_id", ""), "form_version": form.get("form_version", ""),
                       "deleted": True, "content": None, "fields": {}}
        else:
            current = stored
        clock = hlc.tick(clock, known.hlc if known else 0)
        fields, content = ({}, None) if kind == "delete" else diff(previous, current)
        fields = dict(sorted(fields.items()))  # in name order: an op kept as its record is rebuilt so (wire_stub)
        # The base named by number and hash: a restored server never takes another content for it.
        base_hash = known.hash if known is not None and base_version and known.server_version == base_version else None
        try:
            op = Op(op_id=op_id, device_seq=next_seq, record_id=record_id, op=kind, record_version=record_version,
                    base_version=base_version or None, base_hash=base_hash, form_id=current["form_id"] or "unknown",
                    form_version=current["form_version"] or "unknown", hlc=clock, fields=fields, content=content)
        except ValidationError as exc:
            _reject_locally(w, seq=seq, record_id=record_id, state=current, refusal=_first_error(exc))
            continue
        wire = op.model_dump_json()
        sha256 = wire_sha256(wire)
        whole = kind == "delete" or previous is None or bool(previous.get("deleted"))
        # An op that sends its registration's state keeps no copy of it: a stub of its wire op when that carries the
        # state whole (put back from the registration and checked by hash if it is ever read again), else the payload
        # STATE_AS_RECORD (an edit: its wire op is a diff); writer/bases.py. The bytes posted are `wire`'s (Frozen),
        # the acknowledgement takes the state from `sent`.
        registration = current is stored and purged is None
        payload = payload_for(current, op, whole=whole, otherwise=STATE_AS_RECORD if registration else None)
        as_record = payload == IN_WIRE and registration
        kept = (wire_stub(op, wire) if as_record else content_stub(op, wire)
                if registration and op.content is not None and op.content == stored["content"] else wire)
        updates.append({"d": next_seq, "w": kept, "h": sha256, "b": batch_id, "s": seq, "p": payload})
        frozen.append(Frozen(next_seq, wire, batch_id, op, current, sha256))
        latest[record_id] = current
        next_seq += 1
    if updates:
        w.freeze_ops(updates)
    _put(conn, "next_device_seq", str(next_seq))
    _put(conn, "hlc", str(clock))
    return frozen


def _previous_state(earlier, known, stored: State | None) -> State | None:
    """What the server holds (or will, once earlier ops land) before a record's first row in a batch:
    `earlier` is (payload, acked_at, wire) of the record's latest outbox row before it, `known` its sync_record,
    `stored` the registration's state now. An op still in flight keeps the state it sent; an acknowledged one keeps
    nothing (the server's state is then `known`, whose base AS_RECORD is `stored`); an op in flight whose content
    was forgotten (deletion, refused consent) leaves the blinded base."""
    if earlier is not None and earlier[1] is None and earlier[0] == STATE_AS_RECORD:
        return stored  # it sent the registration's state, which has not changed since (writer/bases.py, keep_bases)
    if earlier is not None and earlier[1] is None and earlier[0]:
        return state_from_payload(earlier[0], wire=earlier[2])
    if known is not None:
        return stored if known.base == AS_RECORD else _state_json(known.base)
    return None


def _state_json(text: str) -> State:
    """A state kept as JSON (a merge base), parsed: by orjson (the same values as the json module for the text, ints
    and strings a state holds, about a third of its time for a 2 KB record), by the json module for what orjson
    refuses (an escaped lone surrogate, an integer beyond 64 bits)."""
    try:
        return orjson.loads(text)  # type: ignore[no-any-return]
    except orjson.JSONDecodeError:
        return json.loads(text)  # type: ignore[no-any-return]


def _first_error(exc: ValidationError) -> refusal_words.Refusal:
    """The first thing the protocol cannot carry, as a refusal the interface words: the field (its path in the op),
    pydantic's error type (`string_too_long`, `string_pattern_mismatch`, ...) and its English sentence."""
    first = exc.errors()[0]
    loc = [str(p) for p in first.get("loc", ())]
    where = loc[:2] if loc[:1] == ["fields"] else loc[:1]  # a field's name, not the union member its value failed
    return refusal_words.Refusal(refusal_words.NOT_SENDABLE, {
        "field": ".".join(where), "error": str(first.get("type") or ""),
        "detail": str(first.get("msg") or "invalid")})


def _reject_locally(w: Writer, *, seq: int, record_id: str, state: State, refusal: refusal_words.Refusal) -> None:
    """An op the protocol cannot carry (e.g. a field too long): kept, marked rejected, shown as a conflict. The
    conflict keeps the refusal's code and values beside the English sentence, for the interface to word."""
    message = refusal_words.not_sendable(refusal.values["field"], refusal.values["detail"])
    result = {"status": "rejected", "message": message, "device_seq": None}
    w.reject_op(seq, json.dumps(result))
    w.open_conflict(record_id=record_id, local=state, remote={
        "rejected": message, "refusal": {"code": refusal.code, "values": dict(refusal.values)}})
    w.mark_conflict(record_id)


def restamp(vault: Vault, from_seq: int, clock: Clock) -> int:
    """The server refused a batch stamped ahead of its clock (409 clock_ahead: it stored nothing from `from_seq`
    on). The frozen ops from there are stamped again within the bound, same op_id and device_seq; returns how many
    changed. This is the one case where a frozen op's bytes change: the server never accepted them."""
    changed = 0
    with write(vault) as w:
        rows = w.db.execute(text(f"SELECT seq, record_id, wire, wire_sha256 FROM outbox {IN_FLIGHT} AND "
                                 "device_seq >= :s AND wire IS NOT NULL ORDER BY device_seq"), {"s": from_seq}).all()
        wires = sent_wires(w.db, rows)
        for row in rows:
            op = Op.model_validate_json(wires[row.seq])
            if op.hlc > clock.bound:
                w.resend_op(row.seq, op.model_copy(update={"hlc": clock.bound}).model_dump_json())
                changed += 1
    return changed


def renumber_reused(vault: Vault, batch: FrozenBatch, refusal: errors.SequenceReused) -> int:
    """The server refused `batch` (409 sequence_reused, signed; nothing stored): it holds other ops under this
    laptop's numbers from `refusal.reused_from` on, up to its high-water mark. That is what a vault put back from an
    older copy does once the ops it made after the copy had reached the server: the ops numbered here from there
    were never received, so they (and every op frozen after them) are numbered again after the server's high-water
    mark, same op_id, in ONE transaction with an entry in the audit log. Ops before `reused_from` the server holds
    with the same op_id keep their numbers (and get the stored results when sent again). Returns how many ops
    moved; 0 when the refusal is not explained so (no `reused_from`, a number this laptop saw acknowledged, an op
    not frozen here, a reconciliation with a restored server under way): nothing changes then."""
    reused, hwm = refusal.reused_from, refusal.high_water_mark
    if reused is None or not batch.seq_from <= reused <= min(batch.seq_to, hwm):
        return 0
    with write(vault) as w:
        conn = w.db
        if (_int(conn, "resend_from") or _get(conn, "reconcile") or reused <= _int(conn, "acked_device_seq")
                or reused >= _int(conn, "next_device_seq")):
            return 0
        rows = conn.execute(text("SELECT seq, device_seq, op_id, record_id, wire, wire_sha256, acked_at FROM outbox "
                                 "WHERE device_seq >= :s ORDER BY device_seq"), {"s": reused}).all()
        if not rows or any(row.acked_at is not None or row.wire is None for row in rows):
            return 0
        wires = sent_wires(conn, rows)
        delta = hwm + 1 - reused
        moves = []
        for row in rows:
            op = Op.model_validate_json(wires[row.seq])
            if op.op_id != row.op_id or op.device_seq != row.device_seq:
                return 0
            moves.append({"s": row.seq, "d": row.device_seq + delta,
                          "w": op.model_copy(update={"device_seq": row.device_seq + delta}).model_dump_json()})
        w.renumber_in_flight(moves)
        _put(conn, "next_device_seq", str(max(_int(conn, "next_device_seq") + delta, moves[-1]["d"] + 1)))
        first, last = rows[0].device_seq, rows[-1].device_seq
        audit.append_db(conn, vault.device_id, actor=vault.user.username,
                        event=chain.SYNC_RENUMBERED, outcome="done",
                        detail=f"{len(rows)} unsent change(s) numbered {first}-{last} again as {first + delta}-"
                               f"{last + delta}: the server holds other changes of this laptop up to {hwm} (the "
                               "vault was put back from an older copy)")
    return len(rows)


def not_sendable(vault: Vault) -> int:
    """Ops refused here (the protocol cannot carry them): not sent, still counted as unsynced."""
    with vault.session(readonly=True) as session:
        return int(Db.of(session).execute(text(
            f"SELECT COUNT(*) FROM outbox {QUEUED} AND result IS NOT NULL")).scalar_one())


def store_push_answer(vault: Vault, batch: FrozenBatch, answer: PushResponse) -> AckOutcome:
    """Store the server's acknowledgement of one batch, in ONE transaction."""
    with write(vault) as w:
        return _store_answer(w, batch, answer)


def _store_answer(w: Writer, batch: FrozenBatch, answer: PushResponse) -> AckOutcome:
    outcome = AckOutcome()
    conn = w.db
    acks = _Acks(w, answer, batch.sent)
    resent = _resent_ops(conn, batch)
    for result in answer.results:
        row = acks.outbox.get(result.device_seq)
        if row is None or row.op_id != result.op_id:
            raise errors.BadServerAnswer(f"result for device_seq {result.device_seq} names another operation")
        first_time = row.acked_at is None and row.seq not in acks.acked_here
        acks.outbox_updates.append({"r": result.model_dump_json(), "s": row.seq})
        if not first_time:
            outcome.again += row.acked_at is not None
            sent = resent.get(result.device_seq)
            if sent is not None and result.server_version is not None:
                # Sent again to a restored server: the version it now holds is this record's known version.
                known = acks.known.get(row.record_id)
                if known is None or result.server_version >= known.server_version or known.hash != result.version_hash:
                    acks.put_sync_record(row.record_id, result.server_version, json.dumps(sent, sort_keys=True),
                                         known.hlc if known else 0, 0 if result.status == "applied" else 1,
                                         result.version_hash)
                waiting = acks.pending.get(row.record_id, 0) > 0
                acks.registration_updates.append({"v": result.server_version, "r": row.record_id, "s": (
                    "queued" if waiting else "acknowledged" if result.status == "applied" else "sent")})
            continue
        acks.acked_here.add(row.seq)
        acks.pending[row.record_id] = acks.pending.get(row.record_id, 0) - 1
        outcome.acknowledged += 1
        _count(outcome, result.status, result.message)
        _after_ack(acks, row, result)
    acks.flush()
    acked = max(_int(conn, "acked_device_seq"), answer.high_water_mark)
    _put(conn, "acked_device_seq", str(acked))
    if _int(conn, "resend_from"):  # resending after the server lost data: move on, or stop at the end
        following = batch.seq_to + 1
        _put(conn, "resend_from", str(following if following < _int(conn, "next_device_seq") else 0))
    return outcome


class _Acks:
    """One answer's reads, done up front, and its writes, sent together.

    The dicts are kept in step with every write of the answer, in the answer's order (a record may appear
    several times: its pending count falls, its sync_record changes, as each of its ops is acknowledged), so
    they always say what the per-record SELECTs would have. Writes wait in `outbox_updates`,
    `registration_updates` and `dirty` (sync_record rows, written from `known`) until `flush`, which runs
    before any statement that reads or writes those rows directly; all of it is the caller's one transaction.
    """

    def __init__(self, w: Writer, answer: PushResponse, sent: dict[int, tuple[str, State]] | None = None) -> None:
        self.w = w
        self.sent = sent or {}
        self.conn = conn = w.db
        reads = prefetch.answer_reads(conn, (r.device_seq for r in answer.results))
        self.outbox = reads.outbox
        # The wire ops the acknowledgement reads the state from: only those it does not hold already (`sent`, by
        # hash), read before any of the answer's writes wipes them.
        self.wires = prefetch.outbox_wires(conn, [row.seq for row in self.outbox.values()
                                                  if row.payload == IN_WIRE and row.acked_at is None
                                                  and self.sent.get(row.device_seq, ("",))[0] != row.wire_sha256])
        # The states sent as their registration's (STATE_AS_RECORD) it does not hold already, read before its writes.
        self.as_record = payload_states(conn, {row.record_id for row in self.outbox.values()
                                               if row.payload == STATE_AS_RECORD and row.acked_at is None
                                               and self.sent.get(row.device_seq, ("",))[0] != row.wire_sha256})
        self.known = reads.known
        self.pending = reads.pending  # counts before this answer
        # (not for an op whose registration has not changed since it was frozen: its payload still says
        # STATE_AS_RECORD, or it sends its state whole and its wire op is still a stub; keep_bases, writer/bases.py)
        self.marks = prefetch.registration_marks(conn, {row.record_id for row in self.outbox.values()
                                                        if not self.unchanged_since_frozen(row)})
        self.open_conflicts = reads.open_conflicts
        self.acked_here: set[int] = set()
        self.outbox_updates: list[dict] = []
        self.registration_updates: list[dict] = []
        self.dirty: set[str] = set()

    def put_sync_record(self, record_id: str, version: int, base: str, hlc: int, stale: int,
                        version_hash: str | None) -> None:
        """As _put_sync_record (`base`: the state's JSON or AS_RECORD; hlc never goes down), written at the next
        flush."""
        old = self.known.get(record_id)
        self.known[record_id] = prefetch.Known(version, base, max(old.hlc, hlc) if old else hlc, stale, version_hash)
        self.dirty.add(record_id)

    def holds(self, row, ours: State, pending: int) -> bool:
        """Does the registration hold exactly what this acknowledged op sent (`ours`), so that its merge base can be
        stored as AS_RECORD? Yes when nothing of the record waits to be sent, the op carried its state (it was not
        forgotten), and neither its version nor its files changed since the op was queued: every other change of a
        record's state raises its version (a pulled merge raises it without changing the op: then no, as for any
        doubt, and the base is stored whole)."""
        if pending or not row.payload or ours.get("deleted"):
            return False
        if self.unchanged_since_frozen(row):  # it sent the registration's state, unchanged since (writer/bases.py)
            return True
        marks = self.marks.get(row.record_id)
        return (marks is not None and marks.version == row.record_version
                and marks.files == ours["fields"].get(FILES_FIELD))

    @staticmethod
    def unchanged_since_frozen(row) -> bool:
        """An op that sent its registration's state (its payload says STATE_AS_RECORD, or IN_WIRE with its wire op a
        stub of the registration) whose registration has not changed since: any change of it writes them out first
        (keep_bases, writer/bases.py), so while they still say so the registration holds what the op sent."""
        return row.payload == STATE_AS_RECORD or (row.payload == IN_WIRE and bool(row.kept))

    def open_conflict(self, *, record_id: str, local: State | None, remote: dict) -> None:
        self.w.open_conflict(record_id=record_id, local=local, remote=remote)
        self.open_conflicts.add(record_id)

    def flush(self) -> None:
        """Each table's writes in key order (pages are touched once, in order; SQLCipher decrypts each page it
        reads); the sorts are stable, so one row's writes keep the answer's order."""
        if self.outbox_updates:
            self.w.acknowledge_ops(self.outbox_updates)
        if self.dirty:
            self.w.put_sync_records([{"r": r, "v": k.server_version, "b": k.base, "h": k.hlc, "s": k.stale,
                                      "x": k.hash}
                                     for r, k in ((r, self.known[r]) for r in self.dirty)])
        if self.registration_updates:
            self.w.set_server_states(self.registration_updates)
        self.outbox_updates, self.registration_updates, self.dirty = [], [], set()


def _count(outcome: AckOutcome, status: str, message: str | None) -> None:
    if status == "rejected":
        outcome.rejected += 1
        outcome.rejected_messages.append(message or "rejected")
    elif status == "conflict":
        outcome.conflicts += 1
    else:
        setattr(outcome, status, getattr(outcome, status) + 1)


def _resent_ops(conn, batch: FrozenBatch) -> dict[int, State]:
    """device_seq -> the state each op of a batch sent again to a restored server carried (rebuilt, whole)."""
    if not _int(conn, "resend_from") or not batch.body:  # (a USB receipt carries results only)
        return {}
    sent = {}
    for op in PushBatch.model_validate_json(batch.body).ops:
        sent[op.device_seq] = {"form_id": op.form_id, "form_version": op.form_version, "deleted": op.op == "delete",
                               "content": None if op.op == "delete" else op.content,
                               "fields": {} if op.op == "delete" else {k: v for k, v in op.fields.items()
                                                                       if v is not None}}
    return sent


def _after_ack(acks: _Acks, row, result) -> None:
    conn, record_id = acks.conn, row.record_id
    known = acks.known.get(record_id)
    pending = acks.pending.get(record_id, 0)
    if result.status == "rejected":
        acks.flush()  # reads the registration and writes it directly
        refused: dict[str, Any] = {"rejected": result.message or "rejected by the server"}
        if result.code:  # kept beside the sentence for the desk's words and advice (records/review.py); a server
            # that sent none (older) leaves the sentence alone, which the desk then parses
            refused["refusal"] = {"code": result.code, "values": dict(result.code_values or {})}
        acks.open_conflict(record_id=record_id, local=_registration_state(conn, record_id), remote=refused)
        acks.w.mark_conflict(record_id)
        return
    version = result.server_version
    frozen = acks.sent.get(row.device_seq)
    if row.payload and frozen is not None and frozen[0] == row.wire_sha256:
        ours = frozen[1]  # what this op was frozen with (payload and wire op change together, or payload empties)
    elif row.payload == STATE_AS_RECORD:
        ours = acks.as_record[record_id]
    elif row.payload:
        ours = state_from_payload(row.payload, fallback=(lambda: base_state(conn, record_id, known.base)) if known
                                  else None, wire=acks.wires.get(row.seq))
    else:  # what the op carried was forgotten (the record was deleted, or its consent refused): names only
        acks.flush()
        ours = blind(_registration_state(conn, record_id) or {})
    if known is None or version > known.server_version:
        stale = 0 if result.status == "applied" else 1
        if result.status == "applied":  # the base is what the op sent: most often what the record holds
            base = AS_RECORD if acks.holds(row, ours, pending) else json.dumps(ours, sort_keys=True)
        else:  # the server merged or kept both: its state is not ours, the base stays (a later pull brings it)
            base = known.base if known else json.dumps(ours, sort_keys=True)
        acks.put_sync_record(record_id, version, base, known.hlc if known else 0, stale, result.version_hash)
    elif known.stale == 2 and not pending:
        # A newer server state was pulled while this op was in flight: show it now the record is clean (merged
        # under draft changes kept on this laptop, if there are). Held whole (stale 2 is never AS_RECORD).
        acks.flush()  # these read and write the registration directly
        local = conn.execute(text("SELECT rs.sync_state FROM registration" + join_sync() + " WHERE id = :r"),
                             {"r": record_id}).first()
        if local is not None and local.sync_state == "local":
            if not _merge_local(acks.w, record_id, base=ours, remote=json.loads(known.base),
                                version=known.server_version, sync_state="local", keep_centre=True):
                acks.open_conflicts.add(record_id)
        else:
            _write_registration(acks.w, record_id, json.loads(known.base), known.server_version, keep_centre=True)
        acks.known[record_id] = known._replace(stale=0)
        acks.dirty.add(record_id)
    if result.status == "conflict":
        acks.open_conflict(record_id=record_id, local=ours,
                           remote={"server_version": version, "conflict_id": result.conflict_id, "state": None})
    if record_id in acks.open_conflicts:
        state = "conflict"
    elif pending:
        state = "queued"
    else:
        state = "sent" if result.status == "merged" else "acknowledged"
    acks.registration_updates.append({"v": version, "s": state, "r": record_id})


def _put_sync_record(w: Writer, record_id: str, version: int, base: State, hlc: int, stale: int,
                     version_hash: str | None, *, as_record: bool = False) -> None:
    """`as_record`: the registration now holds exactly `base` (stored as AS_RECORD, writer/bases.py)."""
    w.put_sync_records([{"r": record_id, "v": version, "b": AS_RECORD if as_record else json.dumps(base, sort_keys=True),
                         "h": hlc, "s": stale, "x": version_hash}])


def note_sequence_gap(vault: Vault, expected_seq: int) -> bool:
    """409: the server expects `expected_seq`. At or below what it acknowledged, it lost data: True (the run
    reconciles, see begin_restore). Else the answer to our last batch was lost: send again from there."""
    with vault.session() as session:
        conn = Db.of(session)
        if expected_seq > _int(conn, "next_device_seq"):
            raise errors.BadServerAnswer(f"the server expects device_seq {expected_seq}, beyond what this device sent")
        if expected_seq <= _int(conn, "acked_device_seq") and not _int(conn, "resend_from"):
            return True
        _put(conn, "resend_from", str(expected_seq))
        return False


# --- after a server restore --------------------------------------------------------------------------------------

UNKNOWN_HASH = "0" * 64  # a record known before hashes were kept here, whose base is gone: matches no version


def reconciling(vault: Vault) -> bool:
    """Is a reconciliation under way (noticed by an earlier run that did not finish it)?"""
    with vault.session(readonly=True) as session:
        return bool(_get(Db.of(session), "reconcile"))


def begin_restore(vault: Vault, status: DeviceStatus) -> str:
    """Start (or go on with) reconciling with a server in epoch `status.epoch`. Returns the record id to go on
    after ("" from the start). The ops the server acknowledged and lost (above its high-water mark) will be sent
    again, rebuilt from this laptop's current state (next_batch); every file held here is asked about again
    (Writer.ask_about_uploads_again)."""
    with write(vault) as w:
        conn = w.db
        under_way = json.loads(_get(conn, "reconcile") or "null")
        if under_way and under_way.get("epoch") == status.epoch:
            return str(under_way.get("after") or "")
        if status.high_water_mark < _int(conn, "acked_device_seq"):
            _put(conn, "resend_from", str(status.high_water_mark + 1))
            _put(conn, "acked_device_seq", str(status.high_water_mark))
        w.ask_about_uploads_again()  # the files it confirmed holding too: sent again by every laptop holding one it lacks
        _put(conn, "reconcile", json.dumps({"epoch": status.epoch, "after": "",
                                            "resend_from": _int(conn, "resend_from")}))
    return ""


def known_versions(vault: Vault, *, after: str, limit: int = MAX_RECONCILE_RECORDS) -> list[KnownRecord]:
    """The next records (by id, after `after`) this laptop knows a server version of, with that version's hash."""
    with vault.session(readonly=True) as session:
        conn = Db.of(session)
        rows = conn.execute(text(
            "SELECT record_id, hash, base, earlier FROM sync_record WHERE record_id > :a ORDER BY record_id LIMIT :n"),
            {"a": after, "n": limit}).all()
        found = []
        for row in rows:
            found.append(_known_record(row, row.hash or _hash_of_base(base_state(conn, row.record_id, row.base))))
    return found


def _known_record(row, newest: str) -> KnownRecord:
    hashes = [newest]
    for earlier in (row.earlier or "").split():  # newest first (vault migration 0016)
        if len(earlier) == 64 and earlier not in hashes and len(hashes) < MAX_KNOWN_HASHES:
            hashes.append(earlier)
    return KnownRecord(record_id=row.record_id, hashes=hashes)


def _hash_of_base(state: State | None) -> str:
    if not state:
        return UNKNOWN_HASH
    return version_hash(form_id=state["form_id"], form_version=state["form_version"], deleted=state["deleted"],
                        fields=state["fields"], content=state["content"])


def apply_reconcile(vault: Vault, answer: ReconcileResponse, known: list[KnownRecord], *, epoch: str) -> int:
    """What the restored server holds of these records. A record whose version it lost gets the newest version it
    still holds as its known version, with no known base, and (unless its op is among those sent again, or a
    draft kept here) an op that sends it whole again. Returns how many records were queued again."""
    mine = {k.record_id: k.hashes[0] for k in known}
    requeued = 0
    with write(vault) as w:
        conn = w.db
        under_way = json.loads(_get(conn, "reconcile") or "null") or {}
        resend_from = int(under_way.get("resend_from") or 0)
        lost = [held for held in answer.records if held.record_id in mine and held.held_hash != mine[held.record_id]]
        ids = [held.record_id for held in lost]
        resent = set()
        if resend_from and ids:
            resent = {row[0] for row in conn.execute(text(
                "SELECT DISTINCT record_id FROM outbox WHERE device_seq >= :s"), {"s": resend_from}).all()}
        rows = {row.id: row for row in prefetch.registrations(conn, ids)}
        pending = w.pending_unfrozen(ids)
        w.reset_sync_records([{"r": held.record_id, "v": held.held_version or 0, "x": held.held_hash}
                              for held in lost])
        queue = []
        for held in lost:
            record_id, base = held.record_id, held.held_version or 0
            row = rows.get(record_id)
            if record_id in resent or (row is not None and row.sync_state == "local"):
                continue
            if record_id in pending:
                w.rebase_op(pending[record_id], base_version=base)
            else:
                queue.append({"record_id": record_id, "op": "delete" if row is None or row.deleted else "upsert",
                              "record_version": row.version if row is not None else 1, "base_version": base})
            requeued += 1
        if queue:
            w.queue_ops(queue, {})
        _put(conn, "reconcile", json.dumps({**under_way, "epoch": epoch, "after": known[-1].record_id}))
    return requeued


def end_restore(vault: Vault, epoch: str) -> None:
    """Reconciliation done: pull everything again in the server's new epoch (compared by hash as it arrives)."""
    with vault.session() as session:
        conn = Db.of(session)
        _put(conn, "reconcile", "")
        _put(conn, "cursor", "")
        _put(conn, "epoch", epoch)


# --- pull --------------------------------------------------------------------------------------------------------


def cursor(vault: Vault) -> str:
    """Where the next pull starts: "<epoch>.<seq>", or "" for the start (a cursor of protocol 1, a bare number,
    starts again: pulling again what is already here changes nothing)."""
    with vault.session(readonly=True) as session:
        value = _get(Db.of(session), "cursor") or ""
    return value if "." in value else ""


def pin_rotated_keys(vault: Vault, keys: ServerKeys) -> None:
    """The server's new keys, reached by a chain of rotations each signed by the key before it (transport.py)."""
    with vault.session() as session:
        _put(Db.of(session), "server_keys", canonical_json(keys.model_dump()).decode())


def nothing_to_store(page: PullPage) -> bool:
    """A page that brings no change and leaves the cursor where it was asked from (store_pull_page would write
    nothing): a run with nothing to do does not even open a transaction for it."""
    return not page.changes and page.next_cursor == page.since


class Prepared(NamedTuple):
    """What applying a pulled change takes from the change alone (no vault read): its state, the registration columns
    and extra fields it writes, the merge base _NewRecords stores for it (AS_RECORD when the registration written
    from it reads back as that state, as nearly always, else the state's JSON), and the indicator_fact row of a
    finalized record new here (writer/facts.py; None: it counts for nothing)."""

    remote: State
    columns: dict[str, Any]
    extras: dict[str, str]
    base: str
    fact: dict[str, Any] | None = None


def prepare(change: Change) -> Prepared:
    remote = state_from_change(change)
    columns, extras = columns_from_state(remote)
    written: State | None = None  # a deletion writes no registration: its base is always the JSON
    fact = None
    if not columns["deleted"]:
        fields = remote["fields"]
        created_by = fields.get("@created_by") or SYNC_WRITER  # as Writer.insert_remote writes it
        # A record without its creation time or author is written with the time of the transaction and the sync
        # writer, which no state pulled carries: whichever time, it does not read back as the change (JSON base).
        written = state_from_columns({**columns, "created_at": fields.get("@created_at") or _NO_CREATION_TIME,
                                      "created_by": created_by}, extras)
        if columns["status"] == "finalized":
            fact = fact_row(change.record_id, columns["form_id"], created_by,
                            {name: columns[name] for name in FACT_SUMMARY}, extras)
    return Prepared(remote, columns, extras, AS_RECORD if written == remote else json.dumps(remote, sort_keys=True),
                    fact)


_NO_CREATION_TIME = "(the transaction's time)"


@dataclass(frozen=True)
class PreparedPage:
    """A pulled page with each of its changes prepared (`prepare`, in order): worked out on the network thread while
    the page before is stored (engine._pull), so that storing it does only the vault's part."""

    page: PullPage
    changes: list[Prepared]


def prepare_page(page: PullPage) -> PreparedPage:
    return PreparedPage(page, [prepare(change) for change in page.changes])


# A server centre's name -> the code of the shipped centre list (forms/lists/centres.csv) it stands for, or None: how
# the laptop's own place is read from its enrolment (services/places.py), handed in by the services layer.
CentreCode = Callable[[str], str | None]


def centres_here(conn, centre_code: CentreCode | None) -> Callable[[Change], str | None]:
    """The centre a pulled change's record is stored with, whatever centre its content answers, in the code space
    the visibility filter compares against (services/access.actor_of: the laptop's centre, vault.place.home_centre_db):
    the laptop's own centre for a record of the server centre it is enrolled in; else the code of the list the server
    centre's name matches; else the server's name itself (never a code of the list, so never another centre's: seen
    by no centre-scoped person but the region's). The server's centre wins over the content's answer: it is where the
    server holds the record and what it scoped it by (an answer may be a slip or an old value). None when the server
    named no centre (a server from before `Change.centre_id`: the content's answer stands, as before), and on a laptop
    never enrolled and with no place (which pulls nothing from a server)."""
    own = _get(conn, "centre_id")
    place = home_centre_db(conn) or ""
    known: dict[str, str] = {}

    def centre_of(change: Change) -> str | None:
        if change.centre_id is None or not place:
            return None
        if change.centre_id not in known:
            name = change.centre_name or ""
            if change.centre_id == own:
                known[change.centre_id] = place
            else:
                known[change.centre_id] = (centre_code(name) if centre_code and name else None) or name or \
                    change.centre_id
        return known[change.centre_id]

    return centre_of


def _with_centre(ready: Prepared, centre: str | None) -> Prepared:
    """A prepared change with the record's centre the server named, whatever its content answers: its row and
    indicator fact carry it; the merge base is the server's state as pulled (the row no longer reads as it)."""
    if centre is None or ready.columns["deleted"] or ready.columns["centre"] == centre:
        return ready
    return ready._replace(columns={**ready.columns, "centre": centre},
                          fact=None if ready.fact is None else {**ready.fact, "centre": centre},
                          base=json.dumps(ready.remote, sort_keys=True))


def store_pull_page(vault: Vault, page: PullPage, *, own_device_id: str, clock: Clock | None = None,
                    prepared: list[Prepared] | None = None, centre_code: CentreCode | None = None) -> PullOutcome:
    """Apply one page of changes and move the cursor, in ONE transaction. Clock values pulled are clamped (Clock).
    `prepared`: its changes prepared already (prepare_page), else they are prepared here. `centre_code`: maps a
    server centre's name to the shipped list's code (centres_here); without it only the laptop's own centre is
    recognised, another centre's record is stored under the server's name."""
    outcome = PullOutcome(changes=len(page.changes))
    bound = (clock or Clock()).bound
    if not page.changes and cursor(vault) == page.next_cursor:
        return outcome  # nothing new and the cursor stays: a quiet run writes (and syncs to disk) nothing here
    with write(vault) as w:
        conn = w.db
        stored = parse_cursor(_get(conn, "cursor") or "") if "." in (_get(conn, "cursor") or "") else None
        following = parse_cursor(page.next_cursor)
        if stored and following and stored[0] == following[0] and following[1] < stored[1]:
            raise errors.BadServerAnswer("the server's cursor went backwards")
        hlc = _int(conn, "hlc")
        reads = prefetch.PageReads(conn, page.changes)
        new = _NewRecords(w)
        centre_of = centres_here(conn, centre_code)
        named: dict[str, str] = {}  # records -> the centre the server names (whatever their content answers)
        for change, ready in zip(page.changes, prepared if prepared is not None else map(prepare, page.changes),
                                 strict=True):
            hlc = max(hlc, min(change.hlc, bound))
            centre = centre_of(change)
            if centre is not None and not ready.columns["deleted"]:
                named[change.record_id] = centre
            if not new.take(change, _with_centre(ready, centre), outcome, reads):
                new.flush()  # what comes before a change is written before it, as one record at a time would
                _apply_change(w, change, outcome, reads, remote=ready.remote, centre=centre)
        new.flush()
        if named:  # held here under another centre or none (skipped as known, in conflict, pulled before)
            w.name_centres(named)
        for decided in page.decided or ():
            outcome.decided += _close_decided(w, vault, decided)
        _put(conn, "hlc", str(hlc))
        _put(conn, "cursor", str(page.next_cursor))
    return outcome


def _close_decided(w: Writer, vault: Vault, decided: DecidedConflict) -> int:
    """A reviewer's decision on a conflict the server opened on this laptop's op reached it (its version is in this
    page): this laptop's own row for it closes, recorded in the audit log with the deciding device. 1 if it was open."""
    device = decided.decided_by_name or decided.decided_by
    closed = w.close_decided_elsewhere(decided.record_id, decided.conflict_id, decided_by=f"device {device}")
    if closed is None:
        return 0
    audit.append_db(w.db, vault.device_id, actor=f"device {decided.decided_by}", event=chain.CONFLICT_DECIDED,
                    outcome="done", record_id=decided.record_id,
                    detail=f"conflict {decided.conflict_id} decided on {device}: version {decided.server_version}")
    return 1


class _NewRecords:
    """A pulled page's records new to this laptop, written together (Writer.insert_remote, then their merge bases in
    one statement): what _apply_change does for a record with no row here, no op waiting and no open conflict, in a
    few statements for the page instead of five per record. The rows and bases are the same, and so are the
    entities, search keys and indicator facts derived from them before the commit (as written, not read back)."""

    def __init__(self, w: Writer) -> None:
        self.w = w
        self.records: list[dict] = []
        self.bases: list[dict] = []

    def take(self, change, ready: Prepared, outcome: PullOutcome, reads: prefetch.PageReads) -> bool:
        """Queue `change` (`ready`: prepared) if it is one of those (else False: _apply_change applies it, after a
        flush)."""
        record_id = change.record_id
        if not reads.read_ahead(record_id) or reads.existing(record_id) is not None or reads.pending(record_id) \
                or reads.open_conflict(record_id) is not None:
            return False
        if not ready.columns["deleted"]:  # (a record this laptop never had, deleted elsewhere: nothing to show)
            fields = ready.remote["fields"]
            self.records.append({"id": record_id, "columns": ready.columns, "extras": ready.extras,
                                 "sv": change.server_version, "ss": "acknowledged",
                                 "created_at": fields.get("@created_at"), "created_by": fields.get("@created_by"),
                                 "fact": ready.fact})
        # The base is the state pulled: nearly always exactly what the registration now reads as (AS_RECORD).
        self.bases.append({"r": record_id, "v": change.server_version, "h": change.hlc, "s": 0,
                           "x": change.version_hash, "b": ready.base})
        outcome.applied += 1
        return True

    def flush(self) -> None:
        if self.records:
            self.w.insert_remote(self.records)
        if self.bases:
            self.w.put_sync_records(self.bases)
        self.records, self.bases = [], []


def _apply_change(w: Writer, change, outcome: PullOutcome, reads: prefetch.PageReads, *,
                  remote: State | None = None, centre: str | None = None) -> None:
    """`remote`: the change's state, prepared already (else worked out here); `centre`: the record's centre the
    server named (centres_here), stored when the content names none."""
    record_id, version = change.record_id, change.server_version
    remote = remote if remote is not None else state_from_change(change)
    known = reads.known(record_id)
    if prefetch.already_known(known, change):
        outcome.skipped += 1  # re-delivered, or already known from our own acknowledgement (same content)
        return
    pending = reads.pending(record_id)
    existing = reads.existing(record_id)
    kept_here = existing is not None and existing.sync_state == "local"  # draft changes that stay on this laptop
    if not pending and not kept_here:
        written = _write_registration(w, record_id, remote, version, reads=reads, base_follows=True, centre=centre)
        # The base is the state pulled: nearly always exactly what the registration now reads as (AS_RECORD).
        _put_sync_record(w, record_id, version, remote, change.hlc, 0, change.version_hash, as_record=written == remote)
        _fill_conflict_state(w, remote, reads.open_conflict(record_id))
        outcome.applied += 1
        return
    if any(row.wire is not None for row in pending):
        # Already on the wire with its old base: the server decides; remember this state to show once clean.
        _put_sync_record(w, record_id, version, remote, change.hlc, 2, change.version_hash)
        outcome.skipped += 1
        return
    base = base_state(w.db, record_id, known.base) if known is not None else None
    if not _merge_local(w, record_id, base=base, remote=remote, version=version,
                        sync_state="queued" if pending else "local", reads=reads, base_follows=True, centre=centre):
        outcome.conflicts += 1
        return
    for row in pending:
        w.rebase_op(row.seq, base_version=version)
    _put_sync_record(w, record_id, version, remote, change.hlc, 0, change.version_hash)
    outcome.rebased += 1


def _merge_local(w: Writer, record_id: str, *, base: State | None, remote: State, version: int, sync_state: str,
                 reads: prefetch.PageReads | None = None, base_follows: bool = False,
                 centre: str | None = None, keep_centre: bool = False) -> bool:
    """Local changes not on the server yet (a pending op, or a draft kept here) rebased on a newer server state:
    3-way merged with `base`, written with `sync_state`. False (and a conflict opened) when they cannot merge.
    `base_follows`: the caller writes the record's merge base next (Writer.apply_remote). `centre` (the server's)
    or `keep_centre` (the record's own stands): the record's centre is not merged, since it is not the content's
    answer (which merges with the content) but where the server holds the record; merging it would see the server's
    centre stored here as a local change and clash with another answer."""
    local = _registration_state(w.db, record_id)
    if centre is not None or keep_centre:
        base, local, remote = _centre_aside(base), _centre_aside(local), _centre_aside(remote)
    try:
        merged = three_way(base, local, remote)
    except MergeConflict as conflict:
        w.open_conflict(record_id=record_id, local=local,
                        remote={"server_version": version, "state": remote, "field": conflict.where})
        w.mark_conflict(record_id)
        return False
    _write_registration(w, record_id, merged, version, sync_state=sync_state, reads=reads, base_follows=base_follows,
                        centre=centre, keep_centre=keep_centre)
    return True


def _centre_aside(state: State | None) -> State | None:
    """A state without its centre field (the summary column `centre`), for a merge that leaves the centre out."""
    if state is None or "centre" not in (state.get("fields") or {}):
        return state
    return {**state, "fields": {name: value for name, value in state["fields"].items() if name != "centre"}}


def _fill_conflict_state(w: Writer, remote: State, row) -> None:
    """`row`: the record's open conflict (id, remote), if any."""
    if row is not None and json.loads(row.remote).get("state") is None:
        w.set_conflict_remote(row.id, {**json.loads(row.remote), "state": remote})


def _write_registration(w: Writer, record_id: str, state: State, version: int, sync_state: str | None = None,
                        reads: prefetch.PageReads | None = None, base_follows: bool = False,
                        centre: str | None = None, keep_centre: bool = False) -> State | None:
    """The server's state of a record, through the writer. `reads`: a pulled page's reads (else read here, as
    after an acknowledgement). Returns the state the registration now reads as (None: nothing written).
    The record is stored with `centre` (the server's, centres_here) whatever the state's content answers; without
    one (a server from before it named centres), with the state's answer, else the centre the record has: a record
    never loses its centre to a version whose content names none. `keep_centre`: the centre the record has stands
    (a state pulled while an op was in flight, written at the acknowledgement: the pull named its centre then)."""
    conn = w.db
    if reads is not None:
        exists = reads.existing(record_id)
    else:
        exists = conn.execute(text("SELECT version, status, content, created_at, created_by, centre FROM registration "
                                   "WHERE id = :r"), {"r": record_id}).first()
    if sync_state is None:
        if reads is not None:
            open_conflict = reads.open_conflict(record_id)
        else:
            open_conflict = conn.execute(text("SELECT 1 FROM conflict WHERE record_id = :r AND resolved_at IS NULL "
                                              "AND server_id IS NULL"),
                                         {"r": record_id}).first()
        sync_state = "conflict" if open_conflict else "acknowledged"
    columns, extras = columns_from_state(state)
    if not columns["deleted"]:
        held = exists.centre if exists is not None else None
        if centre is not None:
            columns["centre"] = centre
        elif columns["centre"] is None or (keep_centre and held):
            columns["centre"] = held
    written = w.apply_remote(record_id, columns=columns, extras=extras, version=version, sync_state=sync_state,
                             existing=exists, created_at=state["fields"].get("@created_at"),
                             created_by=state["fields"].get("@created_by"), base_follows=base_follows)
    return None if written is None else state_from_columns(written, extras)


# --- status ------------------------------------------------------------------------------------------------------


# Set when the server refused this laptop as unknown (errors.DeviceUnknown): what it sent may not be on the server, so
# every record it sent counts as not synced (status, vault.registrations.count_unsynced) until a run gets through
# again or the laptop enrols again.
UNKNOWN_TO_SERVER = "unknown_to_server"


# Why the server refused this laptop for good at its last contact (one of REFUSALS) and when: the run stopped and
# nothing is retried until someone acts (an administrator, `enrol --again`). Kept so that `sync --status` and the
# status bar say it without asking the server, until a run gets through again or the laptop enrols again.
REFUSED = "refused"
REFUSALS = ("revoked", "cloned", "unknown", "key_changed", "sequence_unfillable")


def note_refused(vault: Vault, reason: str | None) -> None:
    """`reason`: one of REFUSALS (None: the server took a run again, forget both notes)."""
    assert reason is None or reason in REFUSALS
    with write(vault) as w:
        _put(w.db, REFUSED, json.dumps({"reason": reason, "at": utc_now()}) if reason else "")
        if reason in ("unknown", None):
            _put(w.db, UNKNOWN_TO_SERVER, "1" if reason else "")


def status(vault: Vault) -> dict:
    with vault.session(readonly=True) as session:
        conn = Db.of(session)
        unknown = bool(_get(conn, UNKNOWN_TO_SERVER))
        unsynced = conn.execute(text("SELECT COUNT(DISTINCT record_id) FROM outbox" if unknown else
                                     "SELECT COUNT(DISTINCT record_id) FROM outbox INDEXED BY ix_outbox_pending "
                                     "WHERE acked_at IS NULL")).scalar_one()
        conflicts = conn.execute(text("SELECT COUNT(*) FROM conflict WHERE resolved_at IS NULL")).scalar_one()
        rejected = conn.execute(text("SELECT COUNT(*) FROM outbox WHERE result LIKE '%\"rejected\"%'")).scalar_one()
        refused_here = conn.execute(text(f"SELECT COUNT(*) FROM outbox {QUEUED} AND result IS NOT NULL")).scalar_one()
        refused = json.loads(_get(conn, REFUSED) or "null") or {}
        reason = refused.get("reason")
        return {"enrolled": bool(_get(conn, "device_id")), "server_url": _get(conn, "server_url"),
                # what the last contact learned: `enrolled` only says this vault holds an enrolment
                "refused": reason, "refused_at": refused.get("at"), "revoked": reason == "revoked",
                "cloned": reason == "cloned", "key_changed": reason == "key_changed",
                "ca_bundle": _get(conn, "ca_bundle") or None,
                "centre_name": _get(conn, "centre_name"), "device_id": _get(conn, "device_id"),
                "unsynced": int(unsynced), "unknown_to_server": unknown, "open_conflicts": int(conflicts),
                "rejected": int(rejected),
                "not_sendable": int(refused_here), "reconciling": bool(_get(conn, "reconcile")),
                "cursor": _get(conn, "cursor") or "", "acked_device_seq": _int(conn, "acked_device_seq"),
                "last_sync_at": _get(conn, "last_sync_at"),
                "last_sync": json.loads(_get(conn, "last_sync") or "null")}
