"""P3 answers in a record's instance XML: sealed before anything is stored, opened only for those who hold the keys.

A record's stored content (the vault, its kept versions, the outbox, what sync sends and the server keeps) holds each
non-empty P3 answer as a sealed token (waypoint_core.access.sealed), never its text. Two directions:

- `protect` (every save, inside the save's transaction): seal each P3 answer. An answer that did not change keeps
  its token, so an edit elsewhere in the record never changes (or conflicts on) a sealed answer. A person who cannot
  read a stored answer sees it empty: an empty answer there keeps the token, and typing over it is refused, since
  they would overwrite what a case worker recorded without seeing it. Answers are matched by their position in the
  instance ("event[2]/country"); removing a repeat that holds a sealed answer one cannot read is refused too.
- `reveal` (opening a record): the content the form engine gets, with each token replaced by its answer for someone
  who may read it and holds its key, or blanked, the position listed in `restricted` with the reason.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from desktop_app.records.schema import FormSchema, parse_instance
from waypoint_core.access import sealed

NOT_ALLOWED, KEY_MISSING, DAMAGED = "not_allowed", "key_missing", "damaged"


class RestrictedAnswerError(ValueError):
    """A save would overwrite or remove a sealed answer the person cannot read; the message says which."""


@dataclass(frozen=True)
class Revealed:
    content: str  # instance XML for the engine: no token left in it
    restricted: dict[str, str] = field(default_factory=dict)  # position -> NOT_ALLOWED | KEY_MISSING | DAMAGED
    sensitive: tuple[str, ...] = ()  # the form's P3 paths (for marking questions), from the schema


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _leaves(element: ET.Element, repeats: frozenset[str], prefix: str = "", bare: str = ""
            ) -> Iterator[tuple[str, ET.Element]]:
    """(position, element) for every leaf; instances of a repeat are numbered from 1: "event[2]/country"."""
    seen: dict[str, int] = {}
    for child in element:
        name = _local(child.tag)
        path = bare + name
        seen[name] = seen.get(name, 0) + 1
        position = f"{prefix}{name}[{seen[name]}]" if path in repeats else prefix + name
        if len(child):
            yield from _leaves(child, repeats, position + "/", path + "/")
        else:
            yield position, child


def sealed_positions(schema: FormSchema, content: str) -> dict[str, str]:
    """position -> token for every sealed answer in stored content."""
    if not content or sealed.PREFIX not in content:
        return {}
    root = parse_instance(content)
    return {pos: (el.text or "") for pos, el in _leaves(root, frozenset(schema.repeats)) if sealed.is_sealed(el.text)}


def protect(schema: FormSchema, *, record_id: str, content: str, stored: str | None,
            key: sealed.SealingKey | None, held: Mapping[str, X25519PrivateKey],
            memo: dict[tuple[str, str], tuple[str, str]] | None = None) -> str:
    """The content to store: every P3 answer sealed, unchanged ones keeping their token (see the module doc).

    `memo` ((record, position) -> (token, answer)) remembers what this unlocked session sealed itself, so a person
    who may not read P3 can keep editing the answers they typed in this session (autosave sends them again)."""
    memo = memo if memo is not None else {}
    if not schema.sensitive:
        return content
    before = sealed_positions(schema, stored or "")
    root = parse_instance(content)
    changed = False
    present = set()
    for position, element in _leaves(root, frozenset(schema.repeats)):
        if not schema.is_sensitive(position):
            continue
        present.add(position)
        value = (element.text or "").strip() if element.text else ""
        old = before.get(position)
        if sealed.is_sealed(value):
            continue  # already a token (a pulled or imported state passing through)
        if old is not None:
            try:
                readable = sealed.open_token(old, held, record_id=record_id, field=position)
            except sealed.Unreadable:
                remembered = memo.get((record_id, position))
                readable = remembered[1] if remembered is not None and remembered[0] == old else None
            if readable is None:
                if value:
                    raise RestrictedAnswerError(f"'{position}' holds a restricted answer you cannot read; "
                                                "only a case worker can change it")
                element.text, changed = old, True
                continue
            if value == readable:
                element.text, changed = old, True
                continue
        if value:
            if key is None:
                raise RestrictedAnswerError("no field key on this laptop to seal restricted answers with")
            element.text, changed = sealed.seal(value, key, record_id=record_id, field=position), True
            memo[(record_id, position)] = (element.text, value)
    lost = [p for p, token in before.items() if p not in present and _unreadable(token, held, record_id, p)
            and memo.get((record_id, p), ("",))[0] != token]
    if lost:
        raise RestrictedAnswerError(f"this would remove the restricted answer '{lost[0]}', which only a case "
                                    "worker can change")
    return ET.tostring(root, encoding="unicode") if changed else content


def _unreadable(token: str, held: Mapping[str, X25519PrivateKey], record_id: str, position: str) -> bool:
    try:
        sealed.open_token(token, held, record_id=record_id, field=position)
    except sealed.Unreadable:
        return True
    return False


def reveal(schema: FormSchema, *, record_id: str, content: str, may_read: bool,
           held: Mapping[str, X25519PrivateKey]) -> Revealed:
    """The content for the engine and what stays restricted (see the module doc)."""
    if not content or sealed.PREFIX not in content:
        return Revealed(content, {}, schema.sensitive)
    root = parse_instance(content)
    restricted: dict[str, str] = {}
    for position, element in _leaves(root, frozenset(schema.repeats)):
        if not sealed.is_sealed(element.text):
            continue
        token = element.text or ""
        element.text = None
        if not may_read:
            restricted[position] = NOT_ALLOWED
            continue
        try:
            element.text = sealed.open_token(token, held, record_id=record_id, field=position)
        except sealed.Unreadable as exc:
            restricted[position] = KEY_MISSING if exc.missing_key else DAMAGED
    return Revealed(ET.tostring(root, encoding="unicode"), restricted, schema.sensitive)
