"""The writer's merge bases: sync_record.base, the server state a three-way merge starts from.

At a push's acknowledgement and at a pull the base is, nearly always, exactly what the registration now holds. It is
then stored as AS_RECORD (an empty text) meaning "the registration's current state" instead of a second ~2 KB copy
of the record, written and read back at every sync (docs/sync-client.md, "No silent overwrite").

The rule that keeps this right: before any change to what a registration holds (its row's content, form, status,
summary columns, its extracted fields, its files manifest), the writer calls `keep_bases` for it, which copies the
registration's state out into its base while the base still says AS_RECORD. Forgetting a person (`blind_sync_record`:
deletion, refused consent, retention) reads the same state and keeps only its field names, never a copy of the values.

The same holds for an op frozen for sync and not acknowledged yet whose wire op carries the registration's state
whole (a record's first op, nearly every op of a push): its `outbox.wire` is a short stub, WIRE_AS_RECORD and the op
without its fields and content, instead of a 2 KB copy of the record written at the freeze and wiped at the
acknowledgement (docs/sync-client.md); an edit's, whose fields are a diff, keeps WIRE_CONTENT_AS_RECORD and the op
without its content when that is the registration's (the instance XML, most of an edit's bytes). `wires_as_sent`
puts the fields and content back from the registration, and checks the result against the op's `wire_sha256` (the
hash of the wire op as it was sent): the bytes sent again after a crash are the bytes sent first, or the run stops
with WireLost, never sends another content under the op's id.
`keep_bases` writes such an op's wire op out whole first (before the registration changes, as for its base), and
forgetting a person rewrites it without fields or content (`forget_in_flight`).

An op in flight whose wire op is a diff (an edit) keeps the state it sends as its payload, the merge base it becomes
at the acknowledgement. When that state is its registration's, the payload is STATE_AS_RECORD instead of a 2.3 KB
copy written at the freeze and wiped at the acknowledgement: the acknowledgement takes the state from the frozen batch
it holds in memory, or else reads the registration (`payload_states`); `keep_bases` writes it out whole first, as
above, and forgetting a person empties it (`forget_in_flight`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from desktop_app.vault.sql import chunks, in_json, text
from desktop_app.vault.states import State, payload_of, state_from_columns
from desktop_app.vault.writer.base import WriterBase
from waypoint_core.protocol import Op, sha256_hex

# sync_record.base for "the base is the registration's current state" (never valid JSON, so a reader that does not
# know it fails loudly instead of merging from a wrong base).
AS_RECORD = ""

# A merge base (sync_record.base) whose values were forgotten: the names stay, the values become this, which
# never equals a real value, so a 3-way merge sees every field as changed and never revives a forgotten one.
BLIND = "\x00withheld"


def blind(state: dict[str, Any]) -> dict[str, Any]:
    """A sync state with its values forgotten: form, deletion flag and field names only."""
    return {"form_id": state.get("form_id", ""), "form_version": state.get("form_version", ""),
            "deleted": bool(state.get("deleted")), "fields": {name: BLIND for name in state.get("fields") or {}},
            "content": BLIND if state.get("content") is not None else None}


def registration_states(db: Any, record_ids: Iterable[str]) -> dict[str, tuple[State, str | None]]:
    """record_id -> (the registration's state as sync sees it: its row and extracted fields; its purged_at), for those
    that exist. The keys joined as `sql.in_json`'s one JSON parameter (the push's reads, docs/sync-client.md)."""
    found: dict[str, tuple[State, str | None]] = {}
    for part in chunks(sorted(set(record_ids))):
        params = in_json(part)[1]
        extras: dict[str, dict[str, Any]] = {}
        for row in db.execute(text("SELECT f.record_id, f.name, f.value FROM json_each(:keys) k "
                                   "CROSS JOIN registration_field f ON f.record_id = k.value"), params).all():
            extras.setdefault(row.record_id, {})[row.name] = row.value
        for row in db.execute(text("SELECT r.* FROM json_each(:keys) k CROSS JOIN registration r ON r.id = k.value"),
                              params).all():
            columns = row._asdict()
            found[row.id] = (state_from_columns(columns, extras.get(row.id, {})), columns.get("purged_at"))
    return found


# outbox.wire of an op frozen whole from its registration: this, then the op's JSON without fields and content.
# (A wire op is JSON, which never starts so.)
WIRE_AS_RECORD = "@record:"
# outbox.wire of an op frozen from its registration whose content (instance XML) is the registration's, but not its
# fields (an edit: they are a diff): this, then the op's JSON without its content.
WIRE_CONTENT_AS_RECORD = "@content:"


# outbox.payload of an op in flight that sends its registration's current state (never valid JSON, like AS_RECORD).
STATE_AS_RECORD = "record"


class WireLost(RuntimeError):
    """An op in flight whose wire op was kept as its registration cannot be rebuilt as it was sent: the registration
    changed without its wire op being written out first (keep_bases). Nothing is sent in its place."""


# A stub is cut from the op's JSON when the caller has it (`wire`, op.model_dump_json()) instead of encoding the op a
# second time: `fields` and `content` are Op's last two keys, and `,"fields":` / `,"content":` in a wire op can only be
# those keys (a quote inside a JSON string is escaped), the first `,"fields":` and the last `,"content":` the op's own.
# Should Op's keys ever be reordered, the stubs are encoded again as before.
_CUT_FROM_WIRE = tuple(Op.model_fields)[-2:] == ("fields", "content")


def wire_stub(op: Op, wire: str | None = None) -> str:
    """What outbox.wire holds for `op` when it carries its registration's state whole (fields and content).
    `wire`: `op.model_dump_json()`, when the caller has made it (the same stub, cut from it)."""
    if wire is not None and _CUT_FROM_WIRE:
        return WIRE_AS_RECORD + wire[:wire.index(',"fields":')] + "}"
    return WIRE_AS_RECORD + op.model_dump_json(exclude={"fields", "content"})


def content_stub(op: Op, wire: str | None = None) -> str:
    """What outbox.wire holds for `op` when its content is its registration's (its fields are not all of them).
    `wire`: `op.model_dump_json()`, when the caller has made it (the same stub, cut from it)."""
    if wire is not None and _CUT_FROM_WIRE:
        return WIRE_CONTENT_AS_RECORD + wire[:wire.rindex(',"content":')] + "}"
    return WIRE_CONTENT_AS_RECORD + op.model_dump_json(exclude={"content"})


def kept_as_record(wire: str | None) -> bool:
    """Is this outbox.wire a stub (WIRE_AS_RECORD or WIRE_CONTENT_AS_RECORD)? (A wire op is JSON: it starts with "{".)"""
    return wire is not None and wire.startswith("@")


def stub_head(wire: str) -> Any:
    """A stub's op, parsed, without what the registration holds (fields and content, or content)."""
    return json.loads(wire[wire.index(":") + 1:])


def wires_as_sent(db: Any, rows: Iterable[tuple[Any, str, str | None, str | None]]) -> dict[Any, str]:
    """For each (key, record_id, wire, wire_sha256) whose wire is a stub (kept_as_record): key -> the wire op as it
    was sent, its fields and content read from the registration (its fields in name order, as they were frozen) and
    checked against its hash (WireLost if it differs). Rows with a whole wire op (or none) are left out."""
    stubs = [row for row in rows if kept_as_record(row[2])]
    if not stubs:
        return {}
    states = registration_states(db, {row[1] for row in stubs})
    found: dict[Any, str] = {}
    for key, record_id, wire, sha256 in stubs:
        state = states.get(record_id, (None, None))[0]
        if state is None or state["deleted"]:
            raise WireLost(f"the op in flight of {record_id} was kept as its registration, which is gone")
        head = stub_head(wire)  # type: ignore[arg-type]
        if wire.startswith(WIRE_CONTENT_AS_RECORD):  # type: ignore[union-attr]
            whole = Op.model_validate({**head, "content": state["content"]}).model_dump_json()
        else:
            whole = Op.model_validate({**head, "fields": dict(sorted(state["fields"].items())),
                                       "content": state["content"]}).model_dump_json()
        if sha256_hex(whole.encode("utf-8")) != sha256:
            raise WireLost(f"the op in flight of {record_id} was kept as its registration, which changed since")
        found[key] = whole
    return found


def sent_wires(db: Any, rows: Iterable[Any]) -> dict[Any, Any]:
    """outbox seq -> the wire op as sent, for every outbox row read with its seq, record_id, wire and wire_sha256:
    a stub put back from its registration (`wires_as_sent`, hash checked), any other wire op (or None) as stored."""
    listed = list(rows)
    whole = wires_as_sent(db, [(row.seq, row.record_id, row.wire, row.wire_sha256) for row in listed])
    return {row.seq: whole.get(row.seq, row.wire) for row in listed}


def payload_states(db: Any, record_ids: Iterable[str]) -> dict[str, State]:
    """record_id -> the state its ops in flight whose payload is STATE_AS_RECORD send: its registration's (WireLost if
    a registration is gone: forgetting it would have emptied those payloads)."""
    wanted = set(record_ids)
    found = record_states(db, wanted)
    missing = wanted - found.keys()
    if missing:
        raise WireLost(f"an op in flight of {sorted(missing)[0]} was kept as its registration, which is gone")
    return found


def record_states(db: Any, record_ids: Iterable[str]) -> dict[str, State]:
    """record_id -> the registration's state as sync sees it (row and extracted fields), for those that exist."""
    return {record_id: state for record_id, (state, _) in registration_states(db, record_ids).items()}


def base_state(db: Any, record_id: str, base: str) -> State | None:
    """A stored base (sync_record.base) as a state: AS_RECORD read from the registration; JSON null (no known base,
    after a server restore) is None."""
    if base == AS_RECORD:
        return record_states(db, [record_id]).get(record_id)
    state: State | None = json.loads(base)
    return state


class BaseWrites(WriterBase):
    def keep_bases(self, record_ids: Iterable[str]) -> None:
        """Before these registrations change: a base that says AS_RECORD becomes a copy of the state it names, and so
        does an op in flight whose wire op was kept as the registration (WIRE_AS_RECORD)."""
        self.keep_wires(record_ids)
        held: list[str] = []
        for part in chunks(sorted(set(record_ids))):
            marks, params = in_json(part)
            held += [row[0] for row in self.db.execute(text(
                f"SELECT record_id FROM sync_record WHERE record_id IN ({marks}) AND base = ''"), params).all()]
        if not held:
            return
        states = record_states(self.db, held)
        self.db.execute(text("UPDATE sync_record SET base = :b WHERE record_id = :r AND base = ''"),
                        [{"r": r, "b": json.dumps(states[r], sort_keys=True) if r in states else "null"}
                         for r in held])

    def keep_wires(self, record_ids: Iterable[str]) -> None:
        """Ops in flight of these records whose wire op is a stub: written out whole (as sent, hash checked); and
        those whose payload is STATE_AS_RECORD: the registration's state written out as their payload."""
        stubs: list[tuple[int, str, str, str]] = []
        states: list[tuple[int, str]] = []
        for part in chunks(sorted(set(record_ids))):
            for row in self.db.execute(text(
                    "SELECT o.seq, o.record_id, o.wire, o.wire_sha256, o.payload = :q AS as_record FROM json_each(:keys) "
                    "k CROSS JOIN outbox o INDEXED BY ix_outbox_pending ON o.record_id = k.value "
                    "WHERE o.acked_at IS NULL AND o.device_seq IS NOT NULL "
                    "AND (substr(o.wire, 1, 1) = '@' OR o.payload = :q)"),
                    {**in_json(part)[1], "q": STATE_AS_RECORD}).all():
                if kept_as_record(row.wire):
                    stubs.append((row.seq, row.record_id, row.wire, row.wire_sha256))
                if row.as_record:
                    states.append((row.seq, row.record_id))
        whole = wires_as_sent(self.db, stubs)
        if whole:
            self.db.execute(text("UPDATE outbox SET wire = :w WHERE seq = :s"),
                            [{"w": wire, "s": seq} for seq, wire in sorted(whole.items())])
        if states:
            found = payload_states(self.db, {record_id for _, record_id in states})
            self.db.execute(text("UPDATE outbox SET payload = :p WHERE seq = :s"),
                            [{"p": payload_of(found[record_id]), "s": seq} for seq, record_id in sorted(states)])

    def blind_sync_record(self, record_id: str) -> None:
        """Forget the values of the record's merge base (and any server state held to show later). Called before the
        registration itself changes (a base AS_RECORD is read from it)."""
        row = self.db.execute(text("SELECT base FROM sync_record WHERE record_id = :r"), {"r": record_id}).first()
        if row is not None:
            state = base_state(self.db, record_id, row.base) or {}
            self.db.execute(text("UPDATE sync_record SET base = :b, stale = 0 WHERE record_id = :r"),
                            {"b": json.dumps(blind(state), sort_keys=True), "r": record_id})
