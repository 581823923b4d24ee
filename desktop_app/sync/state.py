"""A registration as sync sees it, the diff an op carries, and the device-side 3-way merge. Pure functions.

A record's sync state is {"form_id", "form_version", "deleted", "content", "fields"}. `fields` holds the
extracted summary and search fields under their own names, plus the registration's own columns under "@" names
("@status", "@created_at", "@created_by": an XForm node name can never start with "@"),
and "@files", the manifest of the record's files (name, mime, SHA-256, size; waypoint_core.protocol.attachments).
A field that is None is absent: absent and cleared are the same thing, so a diff sends None for a field that went away.

The server merges field by field, but the instance XML (content) travels whole. So that two people editing
different questions of the same record still merge, the device merges before it sends: when a pulled change
meets local edits not yet frozen into a batch, both sides are compared with the last server state leaf by
leaf (instance XML) and field by field; disjoint changes merge, anything else is a conflict kept for review.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from desktop_app.vault.models import SUMMARY_FIELDS
from desktop_app.vault.states import META_FIELDS, State, clean as _clean, payload_of, state_from_columns
from waypoint_core.instance_merge import MergeConflict, merge_content, pick
from waypoint_core.protocol import FILES_FIELD, Op


# A frozen op's payload when its wire op carries the whole state it sends (its first op, or one after a deletion, with
# every field and the content): the state is read back from the wire op (state_from_wire) instead of being stored a
# second time beside it (about 2 KB less written, and wiped, per record pushed).
IN_WIRE = "wire"


def state_from_wire(wire: str) -> State:
    """The state a frozen op sends when it carries it whole (payload IN_WIRE)."""
    return _state_sent(json.loads(wire))


def _state_sent(op: dict[str, Any]) -> State:
    deleted = op["op"] == "delete"
    return {"form_id": op["form_id"], "form_version": op["form_version"], "deleted": deleted,
            "content": None if deleted else op.get("content"),
            "fields": {} if deleted else {k: v for k, v in (op.get("fields") or {}).items() if v is not None}}


def payload_for(state: State, op: Op, *, whole: bool, otherwise: str | None = None) -> str:
    """What a frozen op keeps beside its wire op: IN_WIRE when the wire op carries exactly `state` (`whole`: it was
    diffed against nothing, so it carries every field and the content; checked, not assumed), else `otherwise` if
    given (STATE_AS_RECORD: `state` is its registration's, writer/bases.py), else the state.
    Checked on the validated `op` its wire op is the JSON of (str, int, bool and None values: the JSON reads back
    as the same values), not on the wire op parsed again (2 KB of JSON per record frozen)."""
    if whole and _state_sent({"op": op.op, "form_id": op.form_id, "form_version": op.form_version,
                              "content": op.content, "fields": op.fields}) == state:
        return IN_WIRE
    return otherwise if otherwise is not None else payload_of(state)


def state_from_payload(payload: str, *, fallback: State | Callable[[], State | None] | None = None,
                       wire: str | None = None) -> State:
    """The state a frozen op's payload describes: `payload_of`'s shape, or, in ops frozen before migration 0005,
    a saved registration's columns or a deletion. `fallback` (or the function giving it, called only for an old
    deletion) supplies a deleted record's form. `wire`: the op's wire op, for a payload IN_WIRE."""
    if payload == IN_WIRE:
        if wire is None:
            raise ValueError("a frozen op whose state is its wire op has no wire op")
        return state_from_wire(wire)
    data = json.loads(payload)
    if "state" in data:
        return dict(data["state"])
    if data.get("deleted"):
        base = (fallback() if callable(fallback) else fallback) or {}
        return {"form_id": base.get("form_id", ""), "form_version": base.get("form_version", ""),
                "deleted": True, "content": None, "fields": {}}
    return state_from_columns(data, data.get("fields") or {})


def state_from_change(change) -> State:
    return {"form_id": change.form_id, "form_version": change.form_version, "deleted": change.deleted,
            "content": None if change.deleted else change.content, "fields": _clean(dict(change.fields))}


_SUMMARY = frozenset(SUMMARY_FIELDS)


def columns_from_state(state: State) -> tuple[dict[str, Any], dict[str, str]]:
    """Registration columns and extra fields to write for a state (the inverse of state_from_columns): the summary
    fields as columns (age a whole number or None, the others text), the other fields but the "@" ones (the files
    manifest apart) as text. Called for every record a pull writes: one pass over the fields."""
    fields = state["fields"]
    deleted = state["deleted"]
    columns: dict[str, Any] = dict.fromkeys(SUMMARY_FIELDS)
    extras: dict[str, str] = {}
    if not deleted:
        for name, value in fields.items():
            if name in _SUMMARY:
                if value is None:
                    continue
                if name == "age":
                    try:
                        columns[name] = int(value)
                    except (TypeError, ValueError):
                        pass
                else:
                    columns[name] = str(value)
            elif name == FILES_FIELD or not name.startswith("@"):
                extras[name] = str(value)
    columns.update(form_id=state["form_id"], form_version=state["form_version"], deleted=bool(deleted),
                   content="" if deleted else (state.get("content") or ""),
                   status=str(fields.get("@status") or "finalized"))
    return columns, extras


def diff(previous: State | None, current: State) -> tuple[dict[str, Any], str | None]:
    """What an upsert op must carry to turn `previous` (None: nothing on the server yet) into `current`."""
    if previous is None or previous.get("deleted"):
        return dict(current["fields"]), current.get("content")
    old, new = previous["fields"], current["fields"]
    try:
        # The fields set or changed, then those gone (absent and None are the same), by
        # set operations on the items (a state's values are text, numbers and booleans), not a look-up per name.
        fields = {name: value for name, value in new.items() - old.items()
                  if value is not None or old.get(name) is not None}
        fields.update((name, None) for name in old.keys() - new.keys() if old[name] is not None)
    except TypeError:  # a value that cannot be hashed: compared name by name
        fields = {name: new.get(name) for name in set(old) | set(new) if old.get(name) != new.get(name)}
    content = current.get("content")
    return fields, (content if content != previous.get("content") else None)


# --- the device-side 3-way merge (instance XML: waypoint_core.instance_merge, shared with the server) -------------

def three_way(base: State | None, local: State, remote: State) -> State:
    """Local edits rebased on the remote state, or MergeConflict. `base`: the server state both started from."""
    if base is None:
        if local == remote:
            return local
        raise MergeConflict("record")
    deleted = pick("deleted", base["deleted"], local["deleted"], remote["deleted"])
    if deleted:
        if local["deleted"] and remote["deleted"]:
            return remote
        # One side deleted while the other edited: never decide that alone.
        if local != base and remote != base:
            raise MergeConflict("deleted")
        return remote if remote["deleted"] else local
    names = set(base["fields"]) | set(local["fields"]) | set(remote["fields"])
    fields = {}
    for name in sorted(names):
        value = pick(name, base["fields"].get(name), local["fields"].get(name), remote["fields"].get(name))
        if value is not None:
            fields[name] = value
    return {"form_id": pick("form_id", base["form_id"], local["form_id"], remote["form_id"]),
            "form_version": pick("form_version", base["form_version"], local["form_version"],
                                  remote["form_version"]),
            "deleted": False, "fields": fields,
            "content": merge_content(base.get("content"), local.get("content"), remote.get("content"))}


__all__ = ["IN_WIRE", "META_FIELDS", "MergeConflict", "State", "columns_from_state", "diff", "merge_content",
           "payload_for", "payload_of", "state_from_change", "state_from_columns", "state_from_payload",
           "state_from_wire", "three_way"]
