"""A registration as sync sees it, the diff an op carries, and the device-side 3-way merge. Pure functions.

A record's sync state is {"form_id", "form_version", "deleted", "content", "fields"}. `fields` holds the
extracted summary and search fields under their own names, plus the registration's own columns under "@" names
("@status", "@created_at", "@created_by": an XForm node name can never start with "@"). A field that is None
is absent: absent and cleared are the same thing, so a diff sends None for a field that went away.

The server merges field by field, but the instance XML (content) travels whole. So that two people editing
different questions of the same record still merge, the device merges before it sends: when a pulled change
meets local edits not yet frozen into a batch, both sides are compared with the last server state leaf by
leaf (instance XML) and field by field; disjoint changes merge, anything else is a conflict kept for review.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from xml.dom import minidom
from xml.parsers.expat import ExpatError

from desktop_app.vault.models import SUMMARY_FIELDS

META_FIELDS = {"status": "@status", "created_at": "@created_at", "created_by": "@created_by"}

State = dict[str, Any]


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    return {str(k): v for k, v in fields.items() if v is not None}


def payload_of(state: State) -> str:
    """What a frozen op keeps until it is acknowledged: the whole state it sends (the merge base it becomes)."""
    return json.dumps({"state": state}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def state_from_payload(payload: str, *, fallback: State | Callable[[], State | None] | None = None) -> State:
    """The state a frozen op's payload describes: `payload_of`'s shape, or, in ops frozen before migration 0005,
    a saved registration's columns or a deletion. `fallback` (or the function giving it, called only for an old
    deletion) supplies a deleted record's form."""
    data = json.loads(payload)
    if "state" in data:
        return dict(data["state"])
    if data.get("deleted"):
        base = (fallback() if callable(fallback) else fallback) or {}
        return {"form_id": base.get("form_id", ""), "form_version": base.get("form_version", ""),
                "deleted": True, "content": None, "fields": {}}
    return state_from_columns(data, data.get("fields") or {})


def state_from_columns(columns: dict[str, Any], extras: dict[str, Any]) -> State:
    """From a registration row (column name -> value) and its extra extracted fields."""
    if columns.get("deleted"):
        return {"form_id": columns["form_id"], "form_version": columns["form_version"], "deleted": True,
                "content": None, "fields": {}}
    fields = {name: columns.get(name) for name in SUMMARY_FIELDS}
    fields.update({alias: columns.get(name) for name, alias in META_FIELDS.items()})
    fields.update(extras)
    return {"form_id": columns["form_id"], "form_version": columns["form_version"], "deleted": False,
            "content": columns.get("content"), "fields": _clean(fields)}


def state_from_change(change) -> State:
    return {"form_id": change.form_id, "form_version": change.form_version, "deleted": change.deleted,
            "content": None if change.deleted else change.content, "fields": _clean(dict(change.fields))}


def columns_from_state(state: State) -> tuple[dict[str, Any], dict[str, str]]:
    """Registration columns and extra fields to write for a state (the inverse of state_from_columns)."""
    fields = state["fields"]
    columns: dict[str, Any] = {name: fields.get(name) for name in SUMMARY_FIELDS}
    if columns["age"] is not None:
        try:
            columns["age"] = int(columns["age"])
        except (TypeError, ValueError):
            columns["age"] = None
    for name in ("title", "sex", "nationality", "centre", "registered_on"):
        if columns[name] is not None:
            columns[name] = str(columns[name])
    columns.update(form_id=state["form_id"], form_version=state["form_version"], deleted=bool(state["deleted"]),
                   content="" if state["deleted"] else (state.get("content") or ""),
                   status=str(fields.get("@status") or "finalized"))
    extras = {name: str(value) for name, value in fields.items()
              if not name.startswith("@") and name not in SUMMARY_FIELDS}
    if state["deleted"]:
        columns.update({name: None for name in SUMMARY_FIELDS})
        extras = {}
    return columns, extras


def diff(previous: State | None, current: State) -> tuple[dict[str, Any], str | None]:
    """What an upsert op must carry to turn `previous` (None: nothing on the server yet) into `current`."""
    if previous is None or previous.get("deleted"):
        return dict(current["fields"]), current.get("content")
    old, new = previous["fields"], current["fields"]
    fields = {name: new.get(name) for name in set(old) | set(new) if old.get(name) != new.get(name)}
    content = current.get("content") if current.get("content") != previous.get("content") else None
    return fields, content


# --- the device-side 3-way merge ---------------------------------------------------------------------------------

class MergeConflict(Exception):
    """The two sides changed the same thing differently; `where` names it (a field or a leaf path)."""

    def __init__(self, where: str):
        super().__init__(where)
        self.where = where


def _pick(name: str, base: Any, local: Any, remote: Any) -> Any:
    if local == base:
        return remote
    if remote == base or remote == local:
        return local
    raise MergeConflict(name)


def three_way(base: State | None, local: State, remote: State) -> State:
    """Local edits rebased on the remote state, or MergeConflict. `base`: the server state both started from."""
    if base is None:
        if local == remote:
            return local
        raise MergeConflict("record")
    deleted = _pick("deleted", base["deleted"], local["deleted"], remote["deleted"])
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
        value = _pick(name, base["fields"].get(name), local["fields"].get(name), remote["fields"].get(name))
        if value is not None:
            fields[name] = value
    return {"form_id": _pick("form_id", base["form_id"], local["form_id"], remote["form_id"]),
            "form_version": _pick("form_version", base["form_version"], local["form_version"],
                                  remote["form_version"]),
            "deleted": False, "fields": fields,
            "content": merge_content(base.get("content"), local.get("content"), remote.get("content"))}


def merge_content(base: str | None, local: str | None, remote: str | None) -> str | None:
    """Instance XML merged leaf by leaf; the structure (repeats, groups) must be the same on all three sides."""
    if local == base or remote == local:
        return remote if local == base else local
    if remote == base:
        return local
    try:
        docs = [minidom.parseString((text or "").encode("utf-8")) for text in (base, local, remote)]
    except ExpatError:
        raise MergeConflict("content") from None
    leaves = [_leaves(doc.documentElement, "/" + doc.documentElement.tagName) for doc in docs]
    if not (list(leaves[0]) == list(leaves[1]) == list(leaves[2])):
        raise MergeConflict("content structure")
    for path, (node, local_text) in leaves[1].items():
        merged = _pick(path, leaves[0][path][1], local_text, leaves[2][path][1])
        if merged != local_text:
            _set_text(node, merged)
    return docs[1].documentElement.toxml()


def _leaves(element, path: str) -> dict[str, tuple[Any, tuple]]:
    """Leaf path -> (element, (text, attributes)). Paths number siblings of one name, so repeats stay apart."""
    children = [c for c in element.childNodes if c.nodeType == c.ELEMENT_NODE]
    if not children:
        text = "".join(c.data for c in element.childNodes if c.nodeType in (c.TEXT_NODE, c.CDATA_SECTION_NODE))
        return {path: (element, (text, tuple(sorted(element.attributes.items()))))}
    found: dict[str, tuple[Any, tuple]] = {}
    counts: dict[str, int] = {}
    for child in children:
        counts[child.tagName] = counts.get(child.tagName, 0) + 1
        found.update(_leaves(child, f"{path}/{child.tagName}[{counts[child.tagName]}]"))
    return found


def _set_text(element, value: tuple) -> None:
    text, attributes = value
    for child in list(element.childNodes):
        element.removeChild(child)
    if text:
        element.appendChild(element.ownerDocument.createTextNode(text))
    for name in list(element.attributes.keys()):
        element.removeAttribute(name)
    for name, val in attributes:
        element.setAttribute(name, val)
