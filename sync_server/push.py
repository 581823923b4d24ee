"""Push: apply one batch of a device's outbox in one transaction, exactly once.

The request signature over the raw body was checked before this runs (auth.py); the body is parsed here, off the
event loop. Then, with the device row locked (FOR UPDATE on PostgreSQL; BEGIN IMMEDIATE on SQLite): a batch at or
below the high-water mark gets its stored results back; a batch starting above hwm+1 is refused with 409 and the
expected seq; an op whose hlc is too far ahead of the server's clock refuses the batch (409 clock_ahead, nothing
stored); otherwise the ops above hwm are applied in order, their results stored under UNIQUE(device_id, device_seq),
hwm moves to seq_to, and the change feed gets sequence numbers under the change_counter row lock taken last, just
before commit, so that feed order is commit order. The tables derived for search and indicators are not written here:
they follow the feed after the commit (derived.py: catch_up, before any read of them).

An op names its base by number and hash. The base is found by hash in the record's history, so after a restore a
version number the server reused for other content is never taken for the op's base; a base the server does not hold
counts as unknown (every other device's change is then concurrent with the op).

The instance XML travels whole, so when others changed it after the op's base too, it is merged three ways with the
base version's content, leaf by leaf (waypoint_core.instance_merge, the laptops' own merge): answers changed on one
side only merge and the op's content becomes the merged instance; an answer changed on both sides leaves "#content"
contested (merge.py: deterministic winner, both versions in a conflict row).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from pydantic import ValidationError
from sqlalchemy import Connection, Table, func, select, text, update

from waypoint_core.instance_merge import MergeConflict, merge_content
from waypoint_core.protocol import (
    FILES_FIELD, PROTOCOL_VERSION, Op, PushBatch, PushResponse, canonical_json, now_ms,
)
from waypoint_core.protocol import refusals as refusal_words

from . import blobs, consent, derived, epochs, fastjson, forks, history, review, scope
from .atrest import DataKey, aad, seal_text
from .auth import AuthenticatedDevice
from .db import Database, utcnow
from .errors import ProtocolError, malformed, revoked, unsupported_version
from .merge import CONTENT, DEFAULT_IDENTITY_FIELDS, encode_state, merge, op_patch, split_form
from .tables import ChangeRow, Conflict, Device, OpResultRow, Record, RecordVersion

IN_CHUNK = 500


@dataclass
class PushStats:
    applied: int = 0
    merged: int = 0
    conflicts: int = 0
    rejected: int = 0
    replayed: bool = False
    last_seq: int | None = None  # the feed position this push reached (None: it added no change)
    written: list[derived.Change] = field(default_factory=list)  # each record's values as written, once committed


@dataclass(frozen=True)
class PushRules:
    data_key: DataKey
    identity_fields: frozenset[str] = DEFAULT_IDENTITY_FIELDS
    hlc_ahead_ms: int = 10 * 60 * 1000


def parse_batch(body: bytes, device: AuthenticatedDevice) -> PushBatch:
    """The batch, parsed after its signature was checked. Refusals name where the body is wrong, never what it held."""
    try:
        batch = PushBatch.model_validate_json(body)
    except ValidationError as exc:
        try:
            version = json.loads(body).get("protocol_version")
        except (ValueError, AttributeError):
            version = None
        if isinstance(version, int) and version != PROTOCOL_VERSION:
            raise unsupported_version(version) from None
        where = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('type')}" for e in exc.errors()[:5])
        raise malformed(f"malformed batch ({where})") from None
    if batch.protocol_version != PROTOCOL_VERSION:
        raise unsupported_version(batch.protocol_version)
    if batch.device_id != device.id:
        raise malformed("the batch names another device than the one that signed the request")
    problem = batch.shape_error()
    if problem:
        raise malformed(problem)
    return batch


_RESULT_FIELDS = ("device_seq", "op_id", "record_id", "status", "server_version", "version_hash", "conflict_id",
                  "message", "code", "code_values")
_CODE_FIELDS = ("code", "code_values")  # only to a device that asked for them (`codes`)


@dataclass(frozen=True)
class PushAnswer:
    """A PushResponse as plain values: its canonical JSON is written straight from them (building an OpResult model
    per op was a tenth of a push's time). `response()` gives the validated model."""

    epoch: str
    device_id: str
    high_water_mark: int
    results: list[dict[str, Any]]  # OpResult's fields, one dict per op in seq order
    # The device asked for each rejection's code and values (`codes=1`, a batch's `codes: true`); an older laptop did
    # not, and its OpResult forbids the keys, so they are left out of its answer.
    codes: bool = False

    def as_json(self) -> dict[str, Any]:
        results = self.results if self.codes else [
            {k: v for k, v in r.items() if k not in _CODE_FIELDS} for r in self.results]
        return {"protocol_version": PROTOCOL_VERSION, "epoch": self.epoch, "device_id": self.device_id,
                "high_water_mark": self.high_water_mark, "results": results}

    def canonical(self) -> bytes:
        """The same bytes as `self.response().canonical()` when the codes were asked for, as a laptop of this version
        asks (tests/server/test_server_encoding.py); without them, the same less the code keys."""
        return fastjson.dumps(self.as_json(), sort_keys=True)

    def response(self) -> PushResponse:
        return PushResponse.model_validate(self.as_json())


def _stored_results(conn: Connection, device_id: str, seq_from: int, seq_to: int) -> list[dict[str, Any]]:
    t = OpResultRow.__table__
    rows = conn.execute(
        select(t.c.device_seq, t.c.op_id, t.c.record_id, t.c.status, t.c.server_version, t.c.version_hash,
               t.c.conflict_id, t.c.message, t.c.code, t.c.code_values)
        .where(t.c.device_id == device_id, t.c.device_seq >= seq_from, t.c.device_seq <= seq_to)
        .order_by(t.c.device_seq)
    )
    # Rows written by this code: no re-validation, it was a third of a large push's time. A rejection stored before
    # migration 0022 has no code: sent without one, the device reads its sentence (refusals.parse).
    return _answered([dict(zip(_RESULT_FIELDS, r, strict=True)) for r in rows])


def _answered(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Results as op_result stores them, as the answer carries them: a rejection's values (JSON text) as a map."""
    for result in results:
        if result["code_values"] is not None:
            result["code_values"] = json.loads(result["code_values"])
    return results


def _check_same_ops(conn: Connection, device_id: str, ops: list[Op], hwm: int, known: list[forks.Fork]) -> None:
    """A resent seq must carry the op already stored under it. A device restored from an old backup numbers new
    ops with seqs the server already holds: answering them with the old results would acknowledge ops that were
    never applied, and lose them. The refusal gives the high-water mark (`expected_seq` = hwm + 1) and, when the
    batch's ops the server holds are a run of matching ops then only other ones (as a vault put back from an older
    copy numbers them), the first reused seq (`reused_from`): the device numbers its unsent ops from there again
    after the high-water mark (desktop_app/sync/store.py, renumber_reused). Otherwise no `reused_from`.

    Such a run is a fork of the device's numbering, noted on the device row (forks.py). A fork inside the line an
    earlier fork left behind is a second live copy of the vault: refused with its own `device_cloned` instead, and
    that copy enrols again as a new device."""
    t = OpResultRow.__table__
    stored = dict(conn.execute(select(t.c.device_seq, t.c.op_id).where(
        t.c.device_id == device_id, t.c.device_seq >= ops[0].device_seq, t.c.device_seq <= ops[-1].device_seq)).all())
    differ = [stored.get(op.device_seq) != op.op_id for op in ops]
    if any(differ):
        first = differ.index(True)
        reused_from = ops[first].device_seq if all(differ[first:]) else None
        epoch = epochs.current(conn)
        fork = forks.classify(known, reused_from - 1, hwm) if reused_from is not None else None
        if fork is not None and fork.kind == forks.CLONED:
            raise forks.Forked(fork, forks.cloned_refusal(fork, hwm + 1, epoch))
        refusal = ProtocolError(409, "sequence_reused",
                            "these sequence numbers already hold other operations on the server (was the device "
                            "restored from an old backup?); nothing was stored: at its next online sync the device "
                            "numbers its unsent operations again after the server's high-water mark",
                            expected_seq=hwm + 1, reused_from=reused_from, epoch=epoch)
        if fork is not None:
            raise forks.Forked(fork, refusal)
        raise refusal


def push(db: Database, device: AuthenticatedDevice, body: bytes, rules: PushRules, *, codes: bool = False
         ) -> tuple[PushAnswer, PushStats]:
    """Apply one batch; `codes`: the device asked for each rejection's code and values (PushAnswer.codes)."""
    try:
        return _push(db, device, body, rules, codes=codes)
    except forks.Forked as forked:
        forks.note(db, device.id, forked.fork)  # its own transaction: the refused one stored nothing
        raise forked.refusal from None


def _push(db: Database, device: AuthenticatedDevice, body: bytes, rules: PushRules, *, codes: bool
          ) -> tuple[PushAnswer, PushStats]:
    batch = parse_batch(body, device)
    stats = PushStats()
    with db.write_engine.begin() as conn:
        row = conn.execute(
            select(Device.id, Device.centre_id, Device.revoked_at, Device.high_water_mark, Device.forks)
            .where(Device.id == device.id).with_for_update()
        ).one()
        if row.revoked_at is not None:
            raise revoked()
        hwm, known = row.high_water_mark, forks.read(row.forks)
        if batch.seq_from <= hwm:
            _check_same_ops(conn, row.id, [op for op in batch.ops if op.device_seq <= hwm], hwm, known)
        applied: list[dict[str, Any]] = []
        if batch.seq_to <= hwm:
            stats.replayed = True
        elif batch.seq_from > hwm + 1:
            raise ProtocolError(409, "sequence_gap", f"the server expects device_seq {hwm + 1} next",
                                expected_seq=hwm + 1, epoch=epochs.current(conn))
        else:
            new_ops = [op for op in batch.ops if op.device_seq > hwm]
            limit = now_ms() + rules.hlc_ahead_ms
            if any(op.hlc > limit for op in new_ops):
                raise ProtocolError(409, "clock_ahead", "an operation's clock (hlc) is ahead of the server's clock by "
                                    f"more than {rules.hlc_ahead_ms // 1000} s; nothing was stored: set it again "
                                    "from the server's time and resend", expected_seq=hwm + 1)
            stats.last_seq, applied = _apply(conn, row.id, row.centre_id, new_ops, stats, rules, known)
            review.close_decided(conn, row.id, row.centre_id, new_ops, applied)  # a coordinator's decision
            conn.execute(update(Device).where(Device.id == row.id).values(high_water_mark=batch.seq_to))
        # The answer: the stored results of seqs the server already held, then those just written (the same rows,
        # not read back).
        results = (_stored_results(conn, row.id, batch.seq_from, min(hwm, batch.seq_to)) if batch.seq_from <= hwm
                   else [])
        results += _answered([{k: r[k] for k in _RESULT_FIELDS} for r in applied])
        hwm = max(hwm, batch.seq_to)
        epoch = epochs.current(conn)
    return PushAnswer(epoch=epoch, device_id=batch.device_id, high_water_mark=hwm, results=results,
                      codes=codes), stats


def _lock_records(conn: Connection, record_ids: list[str], key: DataKey) -> dict[str, dict[str, Any]]:
    """Current rows of the records the batch touches, locked in id order (no deadlock between two batches; on
    SQLite the transaction's BEGIN IMMEDIATE already holds the one write lock). One statement text per chunk size,
    straight to the driver: SQLAlchemy's expanding IN and its Row objects were a sixth of an edit's reading."""
    found: dict[str, dict[str, Any]] = {}
    mark = _mark(conn)
    lock = " FOR UPDATE" if conn.dialect.name == "postgresql" else ""
    # A provenance is written here only, from stamps [hlc, device_id] whose hlc the protocol bounds (HLC_MAX, 2**62):
    # orjson reads it exactly as json would, so it skips fastjson's float check (a walk of every stamp). A state's
    # field values may be any integer, so a state keeps the check.
    opened, loads, read_provenance = key.open, fastjson.loads, orjson.loads
    for start in range(0, len(record_ids), IN_CHUNK):
        chunk = record_ids[start:start + IN_CHUNK]
        rows = conn.exec_driver_sql(
            "SELECT id, centre_id, server_version, state, provenance, hash FROM record "
            f"WHERE id IN ({', '.join([mark] * len(chunk))}) ORDER BY id{lock}", tuple(chunk))
        for record_id, centre_id, version, state, provenance, version_hash in rows:
            stored = opened(state, aad("record", record_id, version))
            values = loads(stored)
            # `stored`: the state as it is now, kept for its version (history.py) when this batch supersedes it
            found[record_id] = {"centre_id": centre_id, "server_version": version, "hash": version_hash,
                                "values": values, "provenance": read_provenance(provenance), "new": False,
                                "had_files": FILES_FIELD in values, "stored": stored, "stored_version": version}
    return found


def _mark(conn: Connection) -> str:
    """The driver's parameter mark: SQLite's qmark, psycopg's format."""
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def _base(conn: Connection, op: Op, record: dict[str, Any]) -> int:
    """The version this op was made on, as this server knows it; 0 when the server does not hold it."""
    current = record["server_version"]
    if record["new"] or op.base_version is None:
        return 0
    if op.base_hash is None:
        return op.base_version if op.base_version <= current else 0
    if op.base_version == current and op.base_hash == record["hash"]:
        return current
    t = RecordVersion.__table__
    found = conn.execute(select(func.max(t.c.server_version)).where(
        t.c.record_id == op.record_id, t.c.hash == op.base_hash)).scalar_one_or_none()
    return found or 0


def _others_changed(conn: Connection, record_id: str, base: int, device_id: str,
                    left_behind: Sequence[tuple[int, int]] = ()) -> set[str]:
    """Fields that other devices set on this record after the op's base version. `left_behind`: seq ranges of the
    line this device's numbering forked from (forks.py): a copy of its vault made those, so they count as another's."""
    t = RecordVersion.__table__
    other = (t.c.device_id != device_id) | t.c.device_id.is_(None)
    for first, last in left_behind:
        other = other | ((t.c.device_id == device_id) & t.c.device_seq.between(first, last))
    rows = conn.execute(select(t.c.changed).where(t.c.record_id == record_id, t.c.server_version > base, other))
    changed: set[str] = set()
    for (names,) in rows:
        changed.update(json.loads(names))
    return changed


def _merged_content(conn: Connection, key: DataKey, op: Op, record: dict[str, Any], base: int,
                    others: set[str]) -> tuple[Op, set[str]]:
    """Both the op and others changed the instance XML since `base`: merge it three ways with the base's content.
    Merged: the op carries the merged instance and the content is no longer contested; else both stay as they are."""
    t = RecordVersion.__table__
    row = conn.execute(select(t.c.state).where(t.c.record_id == op.record_id, t.c.server_version == base)).first()
    current = record["values"].get(CONTENT)
    if row is None or current is None:
        return op, others
    base_values = history.version_values(conn, key, op.record_id, base, row.state)
    try:
        merged = merge_content(base_values.get(CONTENT), op.content, current)
    except MergeConflict:
        return op, others
    return op.model_copy(update={"content": merged}), others - {CONTENT}


def _apply(conn: Connection, device_id: str, centre_id: str, ops: list[Op], stats: PushStats,
           rules: PushRules, known: Sequence[forks.Fork] = ()) -> tuple[int | None, list[dict[str, Any]]]:
    """Apply the ops; (the feed position reached or None, each op's result as stored in op_result)."""
    now, key = utcnow(), rules.data_key
    records = _lock_records(conn, sorted({op.record_id for op in ops}), key)
    refused = scope.refusals(conn, device_id, centre_id, ops, records)  # outside the device's rights (scope.py)
    reach = set(scope.reach(conn, device_id, centre_id))  # the device's centre, or its region's centres
    # a referral beyond the person's consent, withdrawn on another laptop (consent.py)
    refused = {**consent.refusals(conn, key, device_id, sorted(reach), ops, records), **refused}
    versions, results, conflicts, feed = [], [], [], []
    version_states: list[str] = []
    for op in ops:
        record = records.get(op.record_id)
        if record is None:
            record = records[op.record_id] = {"centre_id": centre_id, "server_version": 0, "hash": "",
                                              "values": {}, "provenance": {}, "new": True, "had_files": False}
        result: dict[str, Any] = {"device_id": device_id, "device_seq": op.device_seq, "op_id": op.op_id,
                                  "record_id": op.record_id, "status": "rejected", "server_version": None,
                                  "version_hash": None, "conflict_id": None, "message": None, "code": None,
                                  "code_values": None}
        said = (refusal_words.refused_other_centre() if record["centre_id"] not in reach
                else refused.get(op.device_seq))
        if said is not None:  # the sentence, and its code and values (stored as JSON, answered as a map)
            result.update(message=said.message, code=said.refusal.code,
                          code_values=fastjson.dumps(dict(said.refusal.values), sort_keys=True).decode())
        else:
            base = _base(conn, op, record)
            behind = forks.left_behind(known, op.device_seq) if known else []
            others = (_others_changed(conn, op.record_id, base, device_id, behind)
                      if base < record["server_version"] and not record["new"] else set())
            if CONTENT in others and op.content is not None and base > 0:
                op, others = _merged_content(conn, key, op, record, base, others)
            outcome = merge(values=record["values"], provenance=record["provenance"], op=op, device_id=device_id,
                            others_changed=others, identity_fields=rules.identity_fields)
            before = record["values"]
            version = record["server_version"] + 1
            form = form_id, form_version = split_form(outcome.values)
            state_json, version_hash = encode_state(outcome.values, form)
            hlc = outcome.hlc
            record.update(values=outcome.values, provenance=outcome.provenance, state_json=state_json,
                          server_version=version, hash=version_hash, hlc=hlc, origin=device_id, dirty=True, form=form)
            # the state is sealed into the version's row in _write unless it is the record's current one
            record["latest"] = len(versions)
            record.setdefault("first", len(versions))  # its row takes the state this batch supersedes
            version_states.append(state_json)
            versions.append({"record_id": op.record_id, "server_version": version, "device_id": device_id,
                             "device_seq": op.device_seq, "form_id": form_id, "form_version": form_version,
                             "deleted": bool(outcome.values.get("#deleted")), "state": history.CURRENT,
                             "changed": fastjson.dumps(sorted(op_patch(op))).decode(),
                             "hlc": hlc, "created_at": now, "hash": version_hash, "previous_state": None})
            feed.append({"record_id": op.record_id, "server_version": version, "centre_id": record["centre_id"]})
            result.update(status=outcome.status, server_version=version, version_hash=version_hash)
            if outcome.contested:
                conflict_id = str(uuid.uuid4())
                conflicts.append({
                    "id": conflict_id, "record_id": op.record_id, "centre_id": record["centre_id"], "opened_at": now,
                    "fields": canonical_json(sorted(outcome.contested)).decode(),
                    "server_state": seal_text(key, canonical_json(before).decode(), table="conflict.server_state",
                                              row_id=conflict_id),
                    "device_op": seal_text(key, op.model_dump_json(), table="conflict.device_op", row_id=conflict_id),
                    "winner": canonical_json(outcome.contested).decode(), "device_id": device_id,
                    "device_seq": op.device_seq})
                result["conflict_id"] = conflict_id
        _count(stats, result["status"])
        results.append(result)
    applied = {r["device_seq"] for r in results if r["status"] != "rejected"}
    scope.note_kinds(conn, ops, applied)
    scope.check_bulk_deletion(conn, device_id, centre_id, sorted(
        {op.record_id for op in ops if op.op == "delete" and op.device_seq in applied}))
    gained: set[tuple[str, str]] = set()  # (centre, blob) newly named by a record of that centre
    last = _write(conn, records, versions, version_states, results, conflicts, feed, now, key, gained)
    if gained:  # a record's files belong to its centre: one named in another centre's record is copied there
        blobs.fill_references(conn, key, device_id, centre_id, gained)
    stats.written = [derived.Change(record_id, r["centre_id"], r["form"][0], r["values"], r["new"],
                                    r["server_version"]) for record_id, r in records.items() if r.get("dirty")]
    return last, results


def _count(stats: PushStats, status: str) -> None:
    name = "conflicts" if status == "conflict" else status
    setattr(stats, name, getattr(stats, name) + 1)


def _write(conn: Connection, records: dict[str, dict[str, Any]], versions: list[dict[str, Any]],
           version_states: list[str], results: list[dict[str, Any]], conflicts: list[dict[str, Any]],
           feed: list[dict[str, Any]], now: Any, key: DataKey, gained: set[tuple[str, str]]) -> int | None:
    t = Record.__table__
    inserts, updates = [], []
    # Each state once (history.py): a record's latest version in this batch keeps its state in `record` only; a
    # version this batch superseded gets its own sealed state, and the version current before the batch gets its
    # state into the row of the version that follows it (`previous_state`), written with that row.
    latest = {r["latest"] for r in records.values() if r.get("dirty")}
    for i, row in enumerate(versions):
        if i not in latest:
            row["state"] = seal_text(key, version_states[i], table="record_version", row_id=row["record_id"],
                                     version=row["server_version"])
    for record_id, r in records.items():
        if not r.get("dirty"):
            continue
        if not r["new"]:
            versions[r["first"]]["previous_state"] = key.seal(
                r["stored"], aad("record_version", record_id, r["stored_version"]))
        form_id, form_version = r["form"]
        row = {"form_id": form_id, "form_version": form_version, "server_version": r["server_version"],
               "deleted": bool(r["values"].get("#deleted")),
               "state": seal_text(key, r["state_json"], table="record", row_id=record_id, version=r["server_version"]),
               "provenance": fastjson.dumps(r["provenance"], sort_keys=True).decode(), "updated_at": now,
               "hash": r["hash"],
               "hlc": r["hlc"], "origin_device_id": r["origin"]}
        if r["new"]:
            inserts.append({"id": record_id, "centre_id": r["centre_id"], **row})
        else:
            updates.append({**row, "id": record_id})
    insert_many(conn, t, inserts)
    write_many(conn, t, updates, update_by="id")
    insert_many(conn, RecordVersion.__table__, versions)
    # What the indicators and search read is derived after the commit, from the feed rows written below
    # (derived.py: catch_up).
    insert_many(conn, Conflict.__table__, conflicts)
    insert_many(conn, OpResultRow.__table__, results)
    # Files: only records whose versions name (or named) any are looked at, so a push without files pays nothing.
    for centre_id in {r["centre_id"] for r in records.values() if r.get("dirty")}:
        blobs.update_references(conn, centre_id, {
            record_id: blobs.named_blobs(r["values"]) for record_id, r in records.items()
            if r.get("dirty") and r["centre_id"] == centre_id and (r["had_files"] or FILES_FIELD in r["values"])},
            gained)
    if not feed:
        return None
    # Taken last: the row lock on change_counter is held only from here to COMMIT, and no other transaction can
    # allocate a seq until this one commits, so a reader never sees seq N+1 committed before seq N.
    last: int = conn.execute(text("UPDATE change_counter SET last_seq = last_seq + :n WHERE id = 1 RETURNING last_seq"),
                             {"n": len(feed)}).scalar_one()
    first = last - len(feed) + 1
    insert_many(conn, ChangeRow.__table__, [{"seq": first + i, **row} for i, row in enumerate(feed)])
    return last


def insert_many(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    write_many(conn, table, rows)


def write_many(conn: Connection, table: Table, rows: list[dict[str, Any]], *, update_by: str | None = None) -> None:
    """Rows (dicts with the same keys) inserted, or updated where column `update_by` (the last key) matches, in one
    executemany straight to the driver: SQLAlchemy's per-row parameter processing was a tenth of a push's time. Each
    column's own bind processing (SQLite's text form of a datetime) is still applied, so the rows are stored exactly
    as through `table.insert()` / `table.update()`."""
    if not rows:
        return
    names = list(rows[0])
    mark = _mark(conn)
    quote = conn.dialect.identifier_preparer.quote
    columns = [quote(table.c[n].name) for n in names]  # table.c[n]: only the table's own columns, by name
    if update_by is None:
        sql = f"INSERT INTO {quote(table.name)} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(names))})"
    else:
        assert names[-1] == update_by, "the key column comes last"
        sql = (f"UPDATE {quote(table.name)} SET {', '.join(f'{c} = {mark}' for c in columns[:-1])} "
               f"WHERE {columns[-1]} = {mark}")
    # Column by column: each column's own bind processing, once per distinct value (a batch's rows share one
    # timestamp), then the columns zipped into row tuples.
    columns = [[row[n] for row in rows] for n in names]
    for i, n in enumerate(names):
        process = table.c[n].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
        if process is not None:
            done: dict[Any, Any] = {}
            columns[i] = [None if v is None else done[v] if v in done else done.setdefault(v, process(v))
                          for v in columns[i]]
    conn.exec_driver_sql(sql, list(zip(*columns)))
