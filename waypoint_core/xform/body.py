"""The XForm body: groups, repeats and controls, each tied to a generic instance path.

Controls: input, select1, select, upload, trigger, range, odk:rank (kind "rank"); groups (a
field-list appearance shows them on one page) and repeats (jr:count, jr:noAddRemove). Appearances
and other display attributes are passed through untouched for the renderer.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property

from waypoint_core.xform.errors import FormError
from waypoint_core.xform.external import ExternalQuery, Search, parse_query, parse_search
from waypoint_core.xform.text import Text
from waypoint_core.xform.xpath_eval import Expr
from waypoint_core.xform.xpath_refs import absolute_path

XF = "{http://www.w3.org/2002/xforms}"
JR = "{http://openrosa.org/javarosa}"
CONTROL_KINDS = {"input", "select1", "select", "upload", "trigger", "range", "rank", "secret", "textarea"}


@dataclass
class Itemset:
    """Choices from an instance: `nodeset` selects items; `value`/`label` are read from each item."""

    nodeset: Expr
    value: Expr
    label: Expr | None = None  # an item-relative path, or None when labels are itext ids
    label_itext: Expr | None = None  # jr:itext(itextId): the expression giving the id


@dataclass
class Control:
    """A group, repeat or question of the body."""

    kind: str  # group | repeat | input | select1 | select | upload | trigger | range | rank
    ref: str | None  # generic path; None for a group with no ref
    label: Text | None = None
    hint: Text | None = None
    appearance: str | None = None
    children: list[Control] = field(default_factory=list)
    items: list[tuple[str, Text]] = field(default_factory=list)  # inline <item>s
    itemset: Itemset | None = None
    count: Expr | None = None  # repeat: jr:count
    count_text: str | None = None
    no_add_remove: bool = False
    attrs: dict[str, str] = field(default_factory=dict)  # mediatype, start/end/step, autoplay...
    setvalues: list = field(default_factory=list)
    range: tuple[float, float, float] = (0.0, 10.0, 1.0)  # a range question's start, end, step
    search: Search | None = None  # a search() appearance: choices from a CSV attachment (external.py)
    query: ExternalQuery | None = None  # <input query=...>: a select one from itemsets.csv (external.py)

    @cached_property
    def launch_app(self) -> str | None:
        """The Android app ODK Collect opens to fill this question or group (an `ex:` appearance, or
        pyxform's intent attribute), or None. Waypoint has the answer typed."""
        intent = self.attrs.get("intent")
        if intent:
            return intent.split("(", 1)[0].strip()
        for word in (self.appearance or "").split():
            if word.startswith("ex:"):
                return word[3:].split("(", 1)[0]
        return None


def parse_body(body: ET.Element | None, *, compile_fn, report, setvalue_fn, base: str = ""):
    """Parse <body> into a list of top-level Controls plus path → control and path → repeat maps.
    `base` is the primary instance's root path, where relative top-level refs start."""
    controls: dict[str, Control] = {}
    repeats: dict[str, Control] = {}
    if body is None:
        return [], controls, repeats
    top = _children(body, base, compile_fn, report, setvalue_fn, controls, repeats)
    return top, controls, repeats


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(el, base, compile_fn, report, setvalue_fn, controls, repeats) -> list[Control]:
    out = []
    for child in el:
        name = _local(child.tag)
        if name in ("label", "hint", "item", "itemset", "help", "constraintMsg", "setvalue", "") or \
                name == "setgeopoint":
            if name == "setgeopoint":
                report(f"odk:setgeopoint on {child.get('ref')} is not applied (no location capture)")
            continue
        if name == "repeat":
            # A repeat inside a group without its own ref belongs to the group's path.
            ctrl = _repeat(child, base, compile_fn, report, setvalue_fn, controls, repeats)
        elif name == "group":
            ctrl = _group(child, base, compile_fn, report, setvalue_fn, controls, repeats)
        elif name in CONTROL_KINDS:
            ctrl = _control(child, name, base, compile_fn, report, setvalue_fn)
            if ctrl.ref:
                controls[ctrl.ref] = ctrl
        else:
            where = _resolve(child, base, lambda _message: None) or base
            report(f"body element <{name}> at {where} is not shown")
            continue
        if ctrl is not None:
            out.append(ctrl)
    return out


def _resolve(el, base: str, report) -> str | None:
    raw = el.get("ref") or el.get("nodeset") or el.get("bind")
    if raw is None:
        return None
    path = absolute_path(raw, base)
    if path is None:
        report(f"<{_local(el.tag)} ref={raw!r}> is not a plain path and is not shown")
    return path


def _texts(ctrl: Control, el, compile_fn, where: str) -> None:
    def out_fn(text, w):
        return compile_fn(text, ref=w, what="label output")
    for child in el:
        name = _local(child.tag)
        if name == "label":
            ctrl.label = Text.from_element(child, out_fn, where)
        elif name == "hint":
            ctrl.hint = Text.from_element(child, out_fn, where)


def _group(el, base, compile_fn, report, setvalue_fn, controls, repeats) -> Control:
    ref = _resolve(el, base, report)
    ctrl = Control(kind="group", ref=ref, appearance=el.get("appearance"))
    if el.get("intent"):
        ctrl.attrs["intent"] = el.get("intent", "")
    _texts(ctrl, el, compile_fn, ref or base)
    ctrl.children = _children(el, ref or base, compile_fn, report, setvalue_fn, controls, repeats)
    if ref and ref not in repeats:  # pyxform's group around a repeat shares its ref: the repeat wins
        controls[ref] = ctrl
    return ctrl


def _repeat(el, base, compile_fn, report, setvalue_fn, controls, repeats) -> Control | None:
    ref = _resolve(el, base, report)
    if ref is None:
        return None
    ctrl = Control(kind="repeat", ref=ref, appearance=el.get("appearance"))
    _texts(ctrl, el, compile_fn, ref)
    count = el.get(f"{JR}count")
    if count and count.strip():
        ctrl.count_text = count.strip()
        ctrl.count = compile_fn(count, ref=ref, what="jr:count")
    ctrl.no_add_remove = (el.get(f"{JR}noAddRemove") or "").strip() in ("true()", "true")
    for child in el:
        if _local(child.tag) == "setvalue":
            sv = setvalue_fn(child, None)
            if sv is not None:
                ctrl.setvalues.append(sv)
    ctrl.children = _children(el, ref, compile_fn, report, setvalue_fn, controls, repeats)
    repeats[ref] = ctrl
    controls[ref] = ctrl
    return ctrl


def _control(el, kind, base, compile_fn, report, setvalue_fn) -> Control:
    ref = _resolve(el, base, report)
    ctrl = Control(kind=kind, ref=ref, appearance=el.get("appearance"))
    ctrl.attrs = {_local(k): v for k, v in el.attrib.items() if _local(k) not in ("ref", "bind", "appearance")}
    if kind == "range":
        ctrl.range = _range(ctrl.attrs, ref or base)
    _texts(ctrl, el, compile_fn, ref or base)
    try:
        if kind in ("select1", "select"):
            ctrl.search = parse_search(ctrl.appearance)
        if kind == "input" and el.get("query"):
            ctrl.query = parse_query(el.get("query"), ref or base)
    except FormError as exc:
        raise FormError(exc.reason, ref=ref or base, expression=exc.expression) from exc

    def out_fn(text, w):
        return compile_fn(text, ref=w, what="label output")
    for child in el:
        name = _local(child.tag)
        if name == "item":
            label_el = child.find(f"{XF}label")
            value_el = child.find(f"{XF}value")
            value = (value_el.text or "").strip() if value_el is not None else ""
            label = Text.from_element(label_el, out_fn, ref or base) if label_el is not None else Text(parts=[value])
            ctrl.items.append((value, label))
        elif name == "itemset":
            ctrl.itemset = _itemset(child, ref or base, compile_fn)
        elif name == "setvalue":
            sv = setvalue_fn(child, ref)
            if sv is not None:
                ctrl.setvalues.append(sv)
    return ctrl


def _range(attrs: dict[str, str], ref: str) -> tuple[float, float, float]:
    """start, end and step of a range question; one that is not a decimal number stops the load,
    as JavaRosa's RangeParser ("can't be parsed as a decimal number"). What is left out is
    pyxform's default: 1 to 10 by 1."""
    values = []
    for name, default in (("start", "1"), ("end", "10"), ("step", "1")):
        raw = attrs.get(name, default)
        try:
            number = float(Decimal(raw.strip()))
        except (InvalidOperation, ValueError):
            raise FormError(f"range {name}={raw!r} is not a decimal number", ref=ref) from None
        values.append(number)
    if values[2] <= 0:
        raise FormError(f"range step={attrs.get('step')!r} must be above zero", ref=ref)
    return values[0], values[1], values[2]


def _itemset(el, ref: str, compile_fn) -> Itemset:
    nodeset = compile_fn(el.get("nodeset"), ref=ref, what="itemset nodeset")
    value_el = el.find(f"{XF}value")
    label_el = el.find(f"{XF}label")
    value = compile_fn(value_el.get("ref") if value_el is not None else "value", ref=ref, what="itemset value")
    itemset = Itemset(nodeset=nodeset, value=value)
    label_ref = (label_el.get("ref") if label_el is not None else None) or "label"
    label_ref = label_ref.strip()
    if label_ref.startswith("jr:itext(") and label_ref.endswith(")"):
        itemset.label_itext = compile_fn(label_ref[len("jr:itext("):-1], ref=ref, what="itemset label")
    else:
        itemset.label = compile_fn(label_ref, ref=ref, what="itemset label")
    return itemset
