"""JSON on the server's hot paths (push ingest, pull pages) through orjson, giving exactly what the standard library
gives: `dumps(v, sort_keys=True)` is `canonical_json(v)` byte for byte and `loads` is `json.loads`.

orjson is several times faster than the json module, but differs at the edges: it refuses integers beyond 64 bits,
non-string keys and lone surrogates, reads an integer beyond 64 bits as a float, and writes floats its own way. For
those, the standard library does the work: a refusal falls back to json, and a float in what orjson read makes json
read it again. The values that go through here are record states, provenance and protocol answers, which hold no
floats (the protocol refuses them), so the float rule only guards `loads`.
(tests/server/test_server_encoding.py checks both against the json module with hypothesis.)
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_SORTED = orjson.OPT_SORT_KEYS


def dumps(value: Any, *, sort_keys: bool = False) -> bytes:
    """Compact UTF-8 JSON (canonical_json when sort_keys). Not for values holding floats."""
    try:
        return orjson.dumps(value, option=_SORTED if sort_keys else 0)
    except TypeError:  # orjson.JSONEncodeError: a huge integer, a non-string key, a lone surrogate
        return json.dumps(value, sort_keys=sort_keys, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False).encode("utf-8")


def loads(data: bytes | str) -> Any:
    """json.loads(data), read by orjson unless it holds something orjson would read differently."""
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:  # NaN, an escaped lone surrogate...: json decides (and refuses what it refuses)
        return json.loads(data)
    return json.loads(data) if _holds_float(value) else value


def _holds_float(value: Any) -> bool:
    """Whether a float lies anywhere in what orjson read. A loop over a stack, not a recursion: a record's provenance
    is a dict of small lists, and a generator per list was most of a push's JSON reading."""
    kind = value.__class__
    if kind is float:
        return True
    if kind is not dict and kind is not list:
        return False
    stack = [value]
    while stack:
        nested = stack.pop()
        for item in nested.values() if nested.__class__ is dict else nested:
            kind = item.__class__
            if kind is float:
                return True
            if kind is dict or kind is list:
                stack.append(item)
    return False
