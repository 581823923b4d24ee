"""The writer's outbox: one pending op per record, frozen into a batch, acknowledged, and then content-free.

The life of an op:
1. queued: a save of a record that may travel (finalized, or a draft where the administrator lets drafts be
   shared) queues an op that says "send this record's current state"; it holds no copy of the content. A later
   save of the record before the op is frozen changes that op (its record_version) instead of adding one: ten
   saves are one op on the wire. A draft saved over it (drafts stay on this laptop) withdraws it.
2. frozen: the sync client gives it a device_seq and its wire op (`freeze_ops`), and keeps the state it sent
   (`payload`), what the acknowledgement makes the merge base; when the wire op carries that state whole (a record's
   first op), `payload` only says so ("wire", desktop_app/sync/state.py) instead of holding it a second time;
3. acknowledged: the server's result is stored and the wire op and payload are wiped (`acknowledge_ops`); the row
   keeps ids, sequence numbers, the result and the SHA-256 of what was sent.
A deletion or a refused consent rewrites ops already frozen but not acknowledged into content-free ones with the
same op_id and device_seq (`forget_in_flight`); the merge base is blinded beside it (writer/bases.py).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from desktop_app.vault.sql import chunks, in_json, text
from desktop_app.vault.writer.base import WriterBase
from desktop_app.vault.writer.bases import kept_as_record, stub_head

_INSERT_OP = text("INSERT INTO outbox (op_id, record_id, op, record_version, base_version, payload, created_at) "
                  "VALUES (:op_id, :record_id, :op, :record_version, :base_version, '', :created_at)")


def wire_sha256(wire: str) -> str:
    return hashlib.sha256(wire.encode("utf-8")).hexdigest()


class OutboxWrites(WriterBase):
    def pending_unfrozen(self, record_ids: list[str]) -> dict[str, int]:
        """record_id -> outbox seq of its op not yet frozen into a batch (a record has at most one)."""
        found: dict[str, int] = {}
        for part in chunks(record_ids):
            marks, params = in_json(part)
            for row in self.db.execute(text("SELECT record_id, seq FROM outbox INDEXED BY ix_outbox_pending WHERE "
                                            f"acked_at IS NULL AND record_id IN ({marks}) AND device_seq IS NULL"),
                                       params).all():
                found[row.record_id] = row.seq
        return found

    def queue_ops(self, ops: list[dict[str, Any]], pending: dict[str, int]) -> None:
        """Queue `op` (upsert|delete) at `record_version` on `base_version` for each `record_id`: the record's
        pending op (seq in `pending`) changes, or a new one is added.

        A pending op that changes takes a new op_id: the server knows a resent op by its op_id at its device_seq,
        and a copy of this vault made before the change (put back from a backup, or in use on another machine) holds
        the op under its old op_id with other content. Sent under the same op_id and seq as the copy's, it would be
        answered with the copy's stored result and never applied (sync_server/forks.py)."""
        changed = [{**op, "seq": pending[op["record_id"]], "op_id": str(uuid.uuid4())}
                   for op in ops if op["record_id"] in pending]
        added = [{"op_id": str(uuid.uuid4()), "created_at": self.now, **op} for op in ops if op["record_id"] not in pending]
        if changed:
            self.db.execute(text("UPDATE outbox SET op = :op, record_version = :record_version, op_id = :op_id, "
                                 "base_version = :base_version, result = NULL WHERE seq = :seq"), changed)
        if added:
            self.db.execute(_INSERT_OP, added)

    def unqueue(self, seqs: list[int]) -> None:
        """Withdraw ops not yet frozen (a draft saved over an unsent finalize stays on this laptop)."""
        self.db.execute(text("DELETE FROM outbox WHERE seq = :s AND device_seq IS NULL"), [{"s": s} for s in seqs])

    def forget_in_flight(self, record_id: str, *, deleted: bool) -> None:
        """Ops of the record frozen but not acknowledged lose what they carry: same op_id and device_seq (the
        server matches a resent seq by its op_id), no fields, no content; `deleted` makes them deletions.
        If the server applied the original already, it answers with the stored result."""
        rows = self.db.execute(text("SELECT seq, wire FROM outbox WHERE record_id = :r AND device_seq IS NOT NULL "
                                    "AND acked_at IS NULL AND wire IS NOT NULL"), {"r": record_id}).all()
        updates = []
        for row in rows:
            # (a wire op kept as the registration, writer/bases.py: the op without its fields and content, or content)
            op = stub_head(row.wire) if kept_as_record(row.wire) else json.loads(row.wire)
            op.update(fields={}, content=None)
            if deleted:
                op["op"] = "delete"
            wire = json.dumps(op, separators=(",", ":"), ensure_ascii=False)
            updates.append({"w": wire, "h": wire_sha256(wire), "s": row.seq})
        if updates:
            self.db.execute(text("UPDATE outbox SET wire = :w, wire_sha256 = :h, payload = '' WHERE seq = :s"),
                            updates)

    def drop_conflicts(self, record_id: str) -> None:
        """Conflicts hold both sides' states: they go with the data they hold."""
        self.db.execute(text("DELETE FROM conflict WHERE record_id = :r"), {"r": record_id})

    # --- the sync client's steps ---------------------------------------------------------------------------------

    def freeze_ops(self, frozen: list[dict[str, Any]]) -> None:
        """Give ops their device_seq (`d`), wire op (`w`), batch (`b`) and the state they send (`p`), by seq (`s`);
        `h`, if given, is wire_sha256(`w`) (the caller made it already)."""
        self.db.execute(text("UPDATE outbox SET device_seq = :d, wire = :w, wire_sha256 = :h, batch_id = :b, "
                             "payload = :p WHERE seq = :s"),
                        [row if "h" in row else {**row, "h": wire_sha256(row["w"])} for row in frozen])

    def reject_op(self, seq: int, result: str) -> None:
        """An op the protocol cannot carry: kept, answered locally as rejected (it takes no device_seq) and still
        unsynced (acked_at stays NULL: counted and shown as not sent); the next save of the record queues it
        again (queue_ops clears the result), and freezing skips it until then."""
        self.db.execute(text("UPDATE outbox SET result = :r WHERE seq = :s"), {"r": result, "s": seq})

    def acknowledge_ops(self, answers: list[dict[str, Any]]) -> None:
        """Store the server's result (`r`) of ops by outbox seq (`s`), in seq order; what they carried is wiped."""
        self.db.execute(text("UPDATE outbox SET acked_at = COALESCE(acked_at, :t), sent_at = COALESCE(sent_at, :t), "
                             "result = :r, wire = NULL, payload = '' WHERE seq = :s"),
                        [{"t": self.now, **answer} for answer in sorted(answers, key=lambda a: a["s"])])

    def renumber_for_new_identity(self) -> None:
        """The laptop enrols again under a new device identity, whose sequence starts at 1: acknowledged ops give
        up their old device_seq (results and hashes stay); ops frozen but not acknowledged become unfrozen again
        (what they carried is dropped: freezing reads the record's current state), keeping the latest per record."""
        self.db.execute(text("UPDATE outbox SET device_seq = NULL WHERE acked_at IS NOT NULL AND device_seq IS NOT NULL"))
        self.db.execute(text("DELETE FROM outbox WHERE acked_at IS NULL AND seq NOT IN (SELECT MAX(seq) FROM outbox "
                             "WHERE acked_at IS NULL GROUP BY record_id)"))
        self.db.execute(text("UPDATE outbox SET device_seq = NULL, wire = NULL, wire_sha256 = NULL, batch_id = NULL, "
                             "payload = '', result = NULL WHERE acked_at IS NULL"))

    def renumber_in_flight(self, moves: list[dict[str, Any]]) -> None:
        """Ops frozen and not acknowledged take another device_seq (`d`) and their wire op (`w`) with it, by outbox
        seq (`s`), same op_id: the server holds other ops under their numbers and never received these (the vault
        was put back from an older copy). Highest first, so no number is held twice on the way (moves go up)."""
        self.db.execute(text("UPDATE outbox SET device_seq = :d, wire = :w, wire_sha256 = :h WHERE seq = :s "
                             "AND acked_at IS NULL AND device_seq IS NOT NULL"),
                        [{**move, "h": wire_sha256(move["w"])} for move in sorted(moves, key=lambda m: -m["d"])])

    def rebase_op(self, seq: int, *, base_version: int) -> None:
        """A pending op now sits on the server version a pulled change was merged from (a new op_id, as for any
        change of a pending op: queue_ops)."""
        self.db.execute(text("UPDATE outbox SET base_version = :v, op_id = :o WHERE seq = :s AND device_seq IS NULL"),
                        {"v": base_version, "s": seq, "o": str(uuid.uuid4())})

    def resend_op(self, seq: int, wire: str) -> None:
        """An acknowledged op sent again (the server lost it): rebuilt from the record's current state."""
        self.db.execute(text("UPDATE outbox SET wire = :w, wire_sha256 = :h WHERE seq = :s"),
                        {"w": wire, "h": wire_sha256(wire), "s": seq})
