"""Instance XML out (a record's content, as OpenRosa servers take it) and back in (reopening).

Finalized output leaves non-relevant nodes out, as Collect and Enketo submit; drafts keep them.
Reopening merges the saved XML into a fresh instance from the form's template, so repeat
instances come back in number and order; nodes the form does not know are kept, never lost.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

from waypoint_core.xform.errors import FormError
from waypoint_core.xform.nodes import Node, parse_xml, split_tag

XFORMS_NS = "http://www.w3.org/2002/xforms"


def to_xml(session, *, include_nonrelevant: bool) -> str:
    out: list[str] = []
    root = session.root
    attrs = dict(session.definition.root_attrs)
    _write(root, out, None, include_nonrelevant, attrs)
    return "".join(out)


def _write(node: Node, out: list[str], parent_ns: str | None, keep_all: bool, attrs: dict | None = None) -> None:
    if not keep_all and not node.relevant:
        return
    ns = None if node.ns == XFORMS_NS else node.ns
    head = [node.name]
    if ns != parent_ns:
        head.append(f"xmlns={quoteattr(ns or '')}")
    for k, v in (attrs if attrs is not None else node.attrs).items():
        if not k.startswith("{") and k != "template":
            head.append(f"{k}={quoteattr(v)}")
    if node.children:
        out.append(f"<{' '.join(head)}>")
        for child in node.children:
            _write(child, out, ns, keep_all)
        out.append(f"</{node.name}>")
    elif node.value:
        out.append(f"<{' '.join(head)}>{escape(node.value)}</{node.name}>")
    else:
        out.append(f"<{' '.join(head)}/>")


def load_instance(session, text: str) -> None:
    try:
        elem = parse_xml(text, "the saved record")
    except ValueError as exc:
        raise FormError(str(exc)) from exc
    name, _ = split_tag(elem.tag)
    if name != session.root.name:
        raise FormError(f"the saved record's root is <{name}>, the form's is <{session.root.name}>")
    _merge(session, session.root, elem)


def _merge(session, node: Node, elem: ET.Element) -> None:
    children = [c for c in elem if isinstance(c.tag, str)]
    if not children:
        if not node.children:
            node.value = elem.text or ""
        return
    repeats = session.definition.repeats
    cleared: set[str] = set()
    for child in children:
        name, ns = split_tag(child.tag)
        gpath = f"{node.gpath}/{name}"
        if gpath in repeats:
            if name not in cleared:
                cleared.add(name)
                for old in list(node.kids.get(name, ())):
                    node.remove(old)
            new = session._instantiate(session._prototypes[gpath])
            existing = node.kids.get(name)
            if existing:
                node.insert_after(new, existing[-1])
            else:
                session._insert_in_template_order(node, new)
            _merge(session, new, child)
            continue
        kids = node.kids.get(name)
        if kids:
            _merge(session, kids[0], child)
        else:
            extra = Node(name, ns=ns)
            extra.gpath = gpath
            node.append(extra)
            _merge(session, extra, child)
    # a repeat the record has no instance of had them all removed: the form's initial one goes too
    prefix = node.gpath + "/"
    for repeat_path in repeats:
        name = repeat_path[len(prefix):]
        if repeat_path.startswith(prefix) and "/" not in name and name not in cleared:
            for old in list(node.kids.get(name, ())):
                node.remove(old)
