"""The three-way merge of an ODK instance (the record's XML), leaf by leaf. Pure; shared by the laptop (a save over
a newer version, a pulled change under local edits) and the server (an op made on an older version).

Each leaf (an element without child elements) is compared by its text and attributes: a leaf one side changed and
the other did not takes the change; a leaf both sides changed to the same value is that value; a leaf both sides
changed differently is a conflict. The structure (the leaves' paths: repeats, groups) must be the same on all
three sides, else the whole content is a conflict: adding a repeat on both sides is not merged.

The form's metadata is no answer: every save stamps it (`end` at each finalize, the editing session's audit file
name, a new `instanceID`...), so two laptops that both edited a record always both changed it. For those leaves
(`is_metadata`: ODK's preloaded top-level `start`, `end`, `today`, `deviceid`, `username`... and anything under
`meta`) the local side wins without a conflict: they describe the save being made.
"""

from __future__ import annotations

from typing import Any
from xml.dom import minidom
from xml.parsers.expat import ExpatError

Leaf = tuple[str, tuple[tuple[str, str], ...]]  # (text, sorted attributes)

PRELOADS = frozenset({"start", "end", "today", "deviceid", "username", "phonenumber", "simserial", "subscriberid",
                      "email", "audit"})


def is_metadata(path: str) -> bool:
    """A leaf every save stamps: a preloaded top-level leaf ("/data/end[1]") or one under meta ("/data/meta[1]/...")."""
    parts = [part.split("[", 1)[0] for part in path.strip("/").split("/")]
    return (len(parts) == 2 and parts[1] in PRELOADS) or (len(parts) > 2 and parts[1] == "meta")


class MergeConflict(Exception):
    """The two sides changed the same thing differently; `where` names it (a field, a leaf path, or "content")."""

    def __init__(self, where: str):
        super().__init__(where)
        self.where = where


def pick(name: str, base: Any, local: Any, remote: Any) -> Any:
    """One value's three-way choice: the side that changed it, or both if they agree; else MergeConflict(name)."""
    if local == base:
        return remote
    if remote == base or remote == local:
        return local
    raise MergeConflict(name)


def merge_content(base: str | None, local: str | None, remote: str | None) -> str | None:
    """Instance XML merged leaf by leaf (`local`'s document with `remote`'s changes), or MergeConflict naming the
    first leaf both changed (its path, e.g. "/data/contact[1]/phone[1]")."""
    if local == base or remote == local:
        return remote if local == base else local
    if remote == base:
        return local
    try:
        docs = [minidom.parseString((text or "").encode("utf-8")) for text in (base, local, remote)]
    except ExpatError:
        raise MergeConflict("content") from None
    leaves = [_leaves(_root(doc), "/" + _root(doc).tagName) for doc in docs]
    if not (list(leaves[0]) == list(leaves[1]) == list(leaves[2])):
        raise MergeConflict("content structure")
    for path, (node, local_leaf) in leaves[1].items():
        if is_metadata(path):
            continue  # the local save's own stamp
        merged = pick(path, leaves[0][path][1], local_leaf, leaves[2][path][1])
        if merged != local_leaf:
            _set_leaf(node, merged)
    return str(_root(docs[1]).toxml())


def changed_leaves(before: str | None, after: str | None) -> list[str]:
    """Leaf paths whose text or attributes differ between two instances of the same structure (all of `after`'s
    leaves when the structure differs or a side is not XML)."""
    try:
        docs = [minidom.parseString((text or "").encode("utf-8")) for text in (before, after)]
    except ExpatError:
        return []
    old, new = (_leaves(_root(doc), "/" + _root(doc).tagName) for doc in docs)
    return [path for path, (_node, leaf) in new.items() if path not in old or old[path][1] != leaf]


def leaf_ref(path: str) -> str:
    """A leaf path without its positions ("/data/contact[1]/phone[1]" -> "/data/contact/phone"), as a form's refs
    name questions outside repeats."""
    return "/".join(part.split("[", 1)[0] for part in path.split("/"))


def _root(doc: Any) -> Any:
    return doc.documentElement


def _leaves(element: Any, path: str) -> dict[str, tuple[Any, Leaf]]:
    """Leaf path -> (element, (text, attributes)). Paths number siblings of one name, so repeats stay apart."""
    children = [c for c in element.childNodes if c.nodeType == c.ELEMENT_NODE]
    if not children:
        text = "".join(c.data for c in element.childNodes if c.nodeType in (c.TEXT_NODE, c.CDATA_SECTION_NODE))
        return {path: (element, (text, tuple(sorted(element.attributes.items()))))}
    found: dict[str, tuple[Any, Leaf]] = {}
    counts: dict[str, int] = {}
    for child in children:
        counts[child.tagName] = counts.get(child.tagName, 0) + 1
        found.update(_leaves(child, f"{path}/{child.tagName}[{counts[child.tagName]}]"))
    return found


def _set_leaf(element: Any, value: Leaf) -> None:
    text, attributes = value
    for child in list(element.childNodes):
        element.removeChild(child)
    if text:
        element.appendChild(element.ownerDocument.createTextNode(text))
    for name in list(element.attributes.keys()):
        element.removeAttribute(name)
    for name, val in attributes:
        element.setAttribute(name, val)


__all__ = ["PRELOADS", "MergeConflict", "changed_leaves", "is_metadata", "leaf_ref", "merge_content", "pick"]
