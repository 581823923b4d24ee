"""Building an instance (a record's XML) from flat answers, as imports and tests need.

The engine fills instances when people type; an import instead starts from the form's primary instance and puts
each answer at its path. Repeats are created from the form's repeat template. The result is then handed to the
engine, which validates every answer and computes the calculations.
"""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from dataclasses import dataclass

_XF = "http://www.w3.org/2002/xforms"
_H = "http://www.w3.org/1999/xhtml"
_JR_TEMPLATE = "{http://openrosa.org/javarosa}template"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _strip_namespaces(element: ET.Element) -> ET.Element:
    element.tag = _local(element.tag)
    for child in element:
        _strip_namespaces(child)
    return element


@dataclass
class InstanceTemplate:
    """The primary instance with no repeat instances, and one template per repeat path."""

    root: ET.Element
    repeats: dict[str, ET.Element]  # repeat path (no root) -> template element
    order: dict[str, list[str]]  # parent path -> child names in the form's order, repeats included

    @classmethod
    def from_xform(cls, xform: str) -> InstanceTemplate:
        doc = ET.fromstring(xform.encode("utf-8"))
        instance = doc.find(f"{{{_H}}}head/{{{_XF}}}model/{{{_XF}}}instance")
        if instance is None or len(instance) == 0:
            raise ValueError("not an XForm: no primary instance")
        root = _strip_namespaces(copy.deepcopy(instance[0]))
        repeat_paths = set()
        for repeat in doc.iter(f"{{{_XF}}}repeat"):
            parts = [p for p in repeat.get("nodeset", "").split("/") if p]
            if len(parts) >= 2:
                repeat_paths.add("/".join(parts[1:]))
        repeats: dict[str, ET.Element] = {}
        order: dict[str, list[str]] = {}

        def walk(element: ET.Element, prefix: str) -> None:
            order[prefix.rstrip("/")] = list(dict.fromkeys(c.tag for c in element))
            for child in list(element):
                path = f"{prefix}{child.tag}"
                if path in repeat_paths:
                    if path not in repeats or child.get(_JR_TEMPLATE) is not None:
                        template = copy.deepcopy(child)
                        template.attrib.pop(_JR_TEMPLATE, None)
                        repeats[path] = template
                    element.remove(child)
                else:
                    walk(child, path + "/")

        walk(root, "")
        return cls(root=root, repeats=repeats, order=order)

    def is_repeat(self, path: str) -> bool:
        return path in self.repeats

    def leaf_paths(self) -> list[str]:
        """Every answerable path outside repeats, plus each repeat's own children as 'repeat/child'."""
        out: list[str] = []

        def walk(element: ET.Element, prefix: str) -> None:
            for child in element:
                path = f"{prefix}{child.tag}"
                if len(child) == 0:
                    out.append(path)
                walk(child, path + "/")

        walk(self.root, "")
        for path, template in self.repeats.items():
            walk(template, path + "/")
        return out

    def build(self, answers: dict[str, object]) -> ET.Element:
        """A new instance with `answers` put at their paths.

        A value is a string; for a repeat path it is a list of dicts (child path relative to the repeat -> string).
        Raises KeyError naming a path the form does not have.
        """
        root = copy.deepcopy(self.root)
        for path, value in answers.items():
            if path in self.repeats:
                self._add_repeat_instances(root, path, value)
            else:
                _set(root, path, value)
        return root

    def _add_repeat_instances(self, root: ET.Element, path: str, rows) -> None:
        parent_path, _, name = path.rpartition("/")
        parent = _find(root, parent_path) if parent_path else root
        if parent is None:
            raise KeyError(path)
        # repeat instances go where the template was: before the first sibling the form puts after the repeat
        form_order = self.order.get(parent_path, [])
        later = set(form_order[form_order.index(name) + 1:]) if name in form_order else set()
        insert_at = next((i for i, c in enumerate(parent) if c.tag in later), len(parent))
        for offset, row in enumerate(rows or []):
            instance = copy.deepcopy(self.repeats[path])
            for child_path, child_value in row.items():
                _set(instance, child_path, child_value)
            parent.insert(insert_at + offset, instance)


def _find(root: ET.Element, path: str) -> ET.Element | None:
    element = root
    for part in path.split("/"):
        element = next((c for c in element if c.tag == part), None)
        if element is None:
            return None
    return element


def _set(root: ET.Element, path: str, value) -> None:
    element = _find(root, path)
    if element is None or len(element):
        raise KeyError(path)
    element.text = None if value in (None, "") else str(value)


def serialize(root: ET.Element) -> str:
    return ET.tostring(root, encoding="unicode")
