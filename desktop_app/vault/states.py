"""A registration as sync and conflicts see it: {"form_id", "form_version", "deleted", "content", "fields"}.

`fields` holds the extracted summary and search fields under their own names, plus the registration's own columns
under "@" names ("@status", "@created_at", "@created_by": an XForm node name can never start with "@"). A field that
is None is absent. This is the shape of both sides of a `conflict` row (docs/sync-client.md, "Conflicts").
"""

from __future__ import annotations

import json
from typing import Any

from desktop_app.vault.models import SUMMARY_FIELDS

META_FIELDS = {"status": "@status", "created_at": "@created_at", "created_by": "@created_by"}

State = dict[str, Any]


def payload_of(state: State) -> str:
    """What a frozen op keeps until it is acknowledged: the whole state it sends (the merge base it becomes)."""
    return json.dumps({"state": state}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def clean(fields: dict[str, Any]) -> dict[str, Any]:
    return {str(k): v for k, v in fields.items() if v is not None}


_META_ITEMS = tuple(META_FIELDS.items())


def state_from_columns(columns: dict[str, Any], extras: dict[str, Any]) -> State:
    """From a registration row (column name -> value) and its extra extracted fields (an extra field overrides a
    column of its name; None is absent). Called for every record a sync reads or writes: one pass, no copies."""
    if columns.get("deleted"):
        return {"form_id": columns["form_id"], "form_version": columns["form_version"], "deleted": True,
                "content": None, "fields": {}}
    fields: dict[str, Any] = {}
    for name in SUMMARY_FIELDS:
        if (value := columns.get(name)) is not None:
            fields[name] = value
    for name, alias in _META_ITEMS:
        if (value := columns.get(name)) is not None:
            fields[alias] = value
    for name, value in extras.items():
        if value is not None:
            fields[str(name)] = value
        else:
            fields.pop(name, None)
    return {"form_id": columns["form_id"], "form_version": columns["form_version"], "deleted": False,
            "content": columns.get("content"), "fields": fields}


__all__ = ["META_FIELDS", "State", "clean", "state_from_columns"]
