"""Push: apply one signed batch of a device's outbox in one transaction, exactly once.

The device row is locked (FOR UPDATE on PostgreSQL; BEGIN IMMEDIATE on SQLite), then: a batch at or below the
high-water mark gets its stored results back; a batch starting above hwm+1 is refused with 409 and the expected seq;
otherwise the ops above hwm are applied in order, their results stored under UNIQUE(device_id, device_seq), hwm moves
to seq_to, and the change feed gets sequence numbers under the change_counter row lock taken last, just before
commit, so that feed order is commit order.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, select, text, update

from waypoint_core.protocol import PROTOCOL_VERSION, Op, OpResult, PushBatch, PushResponse, canonical_json

from .db import Database, utcnow
from .errors import ProtocolError, revoked, unauthorised
from .merge import DEFAULT_IDENTITY_FIELDS, merge, op_patch, split_form
from .tables import ChangeRow, Conflict, Device, OpResultRow, Record, RecordVersion

IN_CHUNK = 500


@dataclass
class PushStats:
    applied: int = 0
    merged: int = 0
    conflicts: int = 0
    rejected: int = 0
    replayed: bool = False


def _stored_results(conn: Connection, device_id: str, seq_from: int, seq_to: int) -> list[OpResult]:
    t = OpResultRow.__table__
    rows = conn.execute(
        select(t.c.device_seq, t.c.op_id, t.c.record_id, t.c.status, t.c.server_version, t.c.conflict_id, t.c.message)
        .where(t.c.device_id == device_id, t.c.device_seq >= seq_from, t.c.device_seq <= seq_to)
        .order_by(t.c.device_seq)
    )
    # Rows written by this code: skip re-validation (model_construct), it is a third of a large push's time.
    return [OpResult.model_construct(device_seq=r[0], op_id=r[1], record_id=r[2], status=r[3], server_version=r[4],
                                     conflict_id=r[5], message=r[6]) for r in rows]


def _check_same_ops(conn: Connection, device_id: str, ops: list[Op]) -> None:
    """A resent seq must carry the op already stored under it. A device restored from an old backup numbers new
    ops with seqs the server already holds: answering them with the old results would acknowledge ops that were
    never applied, and lose them."""
    t = OpResultRow.__table__
    stored = dict(conn.execute(select(t.c.device_seq, t.c.op_id).where(
        t.c.device_id == device_id, t.c.device_seq >= ops[0].device_seq, t.c.device_seq <= ops[-1].device_seq)).all())
    if any(stored.get(op.device_seq) != op.op_id for op in ops):
        raise ProtocolError(409, "sequence_reused",
                            "these sequence numbers already hold other operations on the server (was the device "
                            "restored from an old backup?); nothing was stored: re-enrol the device",
                            expected_seq=max(stored, default=0) + 1)


def check_batch(db: Database, batch: PushBatch) -> None:
    """Authenticate before taking any lock: known device, not revoked, signature over these exact bytes."""
    if batch.protocol_version != PROTOCOL_VERSION:
        raise ProtocolError(400, "unsupported_protocol_version",
                            f"protocol version {batch.protocol_version} is not supported by this server",
                            supported_versions=[PROTOCOL_VERSION])
    problem = batch.shape_error()
    if problem:
        raise ProtocolError(422, "malformed", problem)
    with db.read_engine.connect() as conn:
        device = conn.execute(select(Device.public_key, Device.revoked_at).where(Device.id == batch.device_id)).first()
    if device is None or not batch.signature_valid(device.public_key):
        raise unauthorised("unknown device or bad batch signature")
    if device.revoked_at is not None:
        raise revoked()


def push(db: Database, batch: PushBatch, *, identity_fields: frozenset[str] = DEFAULT_IDENTITY_FIELDS,
         ) -> tuple[PushResponse, PushStats]:
    check_batch(db, batch)
    stats = PushStats()
    with db.write_engine.begin() as conn:
        device = conn.execute(
            select(Device.id, Device.centre_id, Device.revoked_at, Device.high_water_mark)
            .where(Device.id == batch.device_id).with_for_update()
        ).one()
        if device.revoked_at is not None:
            raise revoked()
        hwm = device.high_water_mark
        if batch.seq_from <= hwm:
            _check_same_ops(conn, device.id, [op for op in batch.ops if op.device_seq <= hwm])
        if batch.seq_to <= hwm:
            stats.replayed = True
        elif batch.seq_from > hwm + 1:
            raise ProtocolError(409, "sequence_gap", f"the server expects device_seq {hwm + 1} next",
                                expected_seq=hwm + 1)
        else:
            _apply(conn, device.id, device.centre_id, [op for op in batch.ops if op.device_seq > hwm], stats,
                   identity_fields)
            conn.execute(update(Device).where(Device.id == device.id).values(high_water_mark=batch.seq_to))
            hwm = batch.seq_to
        results = _stored_results(conn, device.id, batch.seq_from, batch.seq_to)
    return PushResponse(protocol_version=PROTOCOL_VERSION, device_id=batch.device_id, high_water_mark=hwm,
                        results=results), stats


def _lock_records(conn: Connection, record_ids: list[str]) -> dict[str, dict]:
    """Current rows of the records the batch touches, locked in id order (no deadlock between two batches)."""
    t = Record.__table__
    found: dict[str, dict] = {}
    for start in range(0, len(record_ids), IN_CHUNK):
        chunk = record_ids[start:start + IN_CHUNK]
        rows = conn.execute(
            select(t.c.id, t.c.centre_id, t.c.server_version, t.c.state, t.c.provenance)
            .where(t.c.id.in_(chunk)).order_by(t.c.id).with_for_update()
        )
        for r in rows:
            found[r.id] = {"centre_id": r.centre_id, "server_version": r.server_version,
                           "values": json.loads(r.state), "provenance": json.loads(r.provenance), "new": False}
    return found


def _others_changed(conn: Connection, record_id: str, base: int, device_id: str) -> set[str]:
    """Fields that other devices set on this record after the op's base version."""
    t = RecordVersion.__table__
    rows = conn.execute(
        select(t.c.changed).where(t.c.record_id == record_id, t.c.server_version > base,
                                  (t.c.device_id != device_id) | t.c.device_id.is_(None))
    )
    changed: set[str] = set()
    for (names,) in rows:
        changed.update(json.loads(names))
    return changed


def _apply(conn: Connection, device_id: str, centre_id: str, ops: list[Op], stats: PushStats,
           identity_fields: frozenset[str]) -> None:
    now = utcnow()
    records = _lock_records(conn, sorted({op.record_id for op in ops}))
    versions, results, conflicts, feed = [], [], [], []
    for op in ops:
        record = records.get(op.record_id)
        if record is None:
            record = records[op.record_id] = {"centre_id": centre_id, "server_version": 0, "values": {},
                                              "provenance": {}, "new": True}
        result = {"device_id": device_id, "device_seq": op.device_seq, "op_id": op.op_id, "record_id": op.record_id,
                  "status": "rejected", "server_version": None, "conflict_id": None, "message": None}
        base = op.base_version or 0
        if record["centre_id"] != centre_id:
            result["message"] = "this record belongs to another centre"
        elif base > record["server_version"]:
            result["message"] = f"base_version {base} is ahead of the server's version {record['server_version']}"
        else:
            others = (_others_changed(conn, op.record_id, base, device_id)
                      if base < record["server_version"] and not record["new"] else set())
            outcome = merge(values=record["values"], provenance=record["provenance"], op=op, device_id=device_id,
                            others_changed=others, identity_fields=identity_fields)
            before = record["values"]
            state_json = canonical_json(outcome.values).decode()
            record.update(values=outcome.values, provenance=outcome.provenance, state_json=state_json,
                          server_version=record["server_version"] + 1, dirty=True)
            version = record["server_version"]
            form_id, form_version = split_form(outcome.values)
            versions.append({"record_id": op.record_id, "server_version": version, "device_id": device_id,
                             "device_seq": op.device_seq, "form_id": form_id, "form_version": form_version,
                             "deleted": bool(outcome.values.get("#deleted")),
                             "state": state_json,
                             "changed": canonical_json(sorted(op_patch(op))).decode(),
                             "hlc": outcome.hlc, "created_at": now})
            feed.append({"record_id": op.record_id, "server_version": version, "centre_id": centre_id})
            result.update(status=outcome.status, server_version=version)
            if outcome.contested:
                conflict_id = str(uuid.uuid4())
                conflicts.append({"id": conflict_id, "record_id": op.record_id, "centre_id": centre_id,
                                  "opened_at": now, "fields": canonical_json(sorted(outcome.contested)).decode(),
                                  "server_state": canonical_json(before).decode(),
                                  "device_op": op.model_dump_json(), "winner": canonical_json(outcome.contested).decode(),
                                  "device_id": device_id, "device_seq": op.device_seq})
                result["conflict_id"] = conflict_id
        _count(stats, result["status"])
        results.append(result)
    _write(conn, records, versions, results, conflicts, feed, now)


def _count(stats: PushStats, status: str) -> None:
    name = "conflicts" if status == "conflict" else status
    setattr(stats, name, getattr(stats, name) + 1)


def _write(conn, records, versions, results, conflicts, feed, now) -> None:
    t = Record.__table__
    inserts, updates = [], []
    for record_id, r in records.items():
        if not r.get("dirty"):
            continue
        form_id, form_version = split_form(r["values"])
        row = {"form_id": form_id, "form_version": form_version, "server_version": r["server_version"],
               "deleted": bool(r["values"].get("#deleted")), "state": r["state_json"],
               "provenance": canonical_json(r["provenance"]).decode(), "updated_at": now}
        if r["new"]:
            inserts.append({"id": record_id, "centre_id": r["centre_id"], **row})
        else:
            updates.append({"b_id": record_id, **row})
    if inserts:
        conn.execute(t.insert(), inserts)
    if updates:
        conn.execute(t.update().where(t.c.id == bindparam("b_id")), updates)
    if versions:
        conn.execute(RecordVersion.__table__.insert(), versions)
    if conflicts:
        conn.execute(Conflict.__table__.insert(), conflicts)
    conn.execute(OpResultRow.__table__.insert(), results)
    if feed:
        # Taken last: the row lock on change_counter is held only from here to COMMIT, and no other transaction can
        # allocate a seq until this one commits, so a reader never sees seq N+1 committed before seq N.
        last = conn.execute(text("UPDATE change_counter SET last_seq = last_seq + :n WHERE id = 1 RETURNING last_seq"),
                            {"n": len(feed)}).scalar_one()
        first = last - len(feed) + 1
        conn.execute(ChangeRow.__table__.insert(), [{"seq": first + i, **row} for i, row in enumerate(feed)])
