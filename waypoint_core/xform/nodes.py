"""The instance node model: a small mutable tree the compiled XPath closures walk directly.

Built once per session (primary instance) or once per form (secondary instances), never rebuilt:
adding a repeat instance inserts nodes in place. A node's `kids` maps a child name to its
instances in document order, so `/data/group/q` is a few dict lookups however wide the form is.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import xml.parsers.expat


class Node:
    """An element of an instance. `value` is its text (only leaves carry one)."""

    __slots__ = ("name", "ns", "parent", "children", "kids", "attrs", "value", "relevant", "self_relevant",
                 "bind", "dtype", "vtype", "required", "readonly", "valid", "gpath", "order", "is_template",
                 "__weakref__")

    def __init__(self, name: str, parent: Node | None = None, *, ns: str | None = None):
        self.name = name
        self.ns = ns
        self.parent = parent
        self.children: list[Node] = []
        self.kids: dict[str, list[Node]] = {}
        self.attrs: dict[str, str] = {}
        self.value = ""
        self.relevant = True  # effective relevance (own and every ancestor's)
        self.self_relevant = True
        self.bind = None
        self.dtype: str | None = None
        # what a calculation typed as text last computed ("number", "boolean", "dateTime"), read
        # back as that type, as JavaRosa keeps the typed answer (IAnswerData.wrapData)
        self.vtype: str | None = None
        self.required = False
        self.readonly = False
        self.valid = True  # the constraint holds (an empty answer always does)
        self.gpath = ""  # generic path, repeat indexes dropped: /data/rep/q
        self.order = 0
        self.is_template = False

    def append(self, child: Node) -> Node:
        child.parent = self
        self.children.append(child)
        self.kids.setdefault(child.name, []).append(child)
        return child

    def insert_after(self, child: Node, anchor: Node) -> Node:
        """Insert `child` right after `anchor` (a sibling), keeping document order."""
        child.parent = self
        self.children.insert(self.children.index(anchor) + 1, child)
        same = self.kids.setdefault(child.name, [])
        if anchor.name == child.name and anchor in same:
            same.insert(same.index(anchor) + 1, child)
        else:
            same.append(child)
            same.sort(key=self.children.index)
        return child

    def remove(self, child: Node) -> None:
        self.children.remove(child)
        self.kids[child.name].remove(child)
        child.parent = None

    def string_value(self) -> str:
        # A non-relevant node reads as empty, as in JavaRosa (XPathPathExpr.getRefValue returns
        # null when !node.isRelevant()); its answer is kept for when it is shown again.
        if not self.children:
            return self.value if self.relevant else ""
        return "".join(c.string_value() for c in self.children)

    def iter(self):
        yield self
        for child in self.children:
            yield from child.iter()

    def index_in_parent(self) -> int:
        """1-based position among same-named siblings (the repeat instance number)."""
        if self.parent is None:
            return 1
        return self.parent.kids[self.name].index(self) + 1

    def copy(self, parent: Node | None = None) -> Node:
        clone = Node(self.name, None, ns=self.ns)
        clone.attrs = dict(self.attrs)
        clone.value = self.value
        clone.gpath = self.gpath
        clone.bind = self.bind
        clone.dtype = self.dtype
        for child in self.children:
            clone.append(child.copy())
        if parent is not None:
            parent.append(clone)
        return clone

    def __repr__(self) -> str:
        return f"<Node {self.gpath or self.name}={self.value!r}>"


class BoundAttribute(Node):
    """An attribute a bind or a setvalue computes (ODK entities' meta/entity/@id, @create...): a node the
    engine indexes, computes and reads like any other, named "@id", whose value lives in its element's
    attributes, so the record writes it as an attribute. It is in its element's `kids` (so refs and paths
    reach it) but not among its `children` (so it is never written as an element)."""

    __slots__ = ("attr",)

    def __init__(self, attr: str, element: Node):
        self.attr = attr
        written = element.attrs.get(attr, "")
        super().__init__("@" + attr, element)
        self.gpath = f"{element.gpath}/@{attr}"
        element.attrs[attr] = written  # Node.__init__ set the value (hence the attribute) to ""
        element.kids["@" + attr] = [self]

    @property  # type: ignore[override]
    def value(self) -> str:
        return self.parent.attrs.get(self.attr, "") if self.parent is not None else ""

    @value.setter
    def value(self, text: str) -> None:
        if self.parent is not None:
            self.parent.attrs[self.attr] = text


class AttrNode:
    """An attribute seen as a node by an `@name` step (read-only)."""

    __slots__ = ("name", "value", "parent")
    children: tuple = ()
    kids: dict = {}
    dtype = None
    vtype = None

    def __init__(self, name: str, value: str, parent: Node):
        self.name = name
        self.value = value
        self.parent = parent

    @property
    def relevant(self) -> bool:
        # an attribute shares its element's relevance (JavaRosa TreeElement.setRelevant)
        return self.parent.relevant

    def string_value(self) -> str:
        return self.value if self.parent.relevant else ""


def split_tag(tag: str) -> tuple[str, str | None]:
    if tag.startswith("{"):
        ns, name = tag[1:].split("}", 1)
        return name, ns
    return tag, None


def from_element(elem: ET.Element, parent: Node | None = None) -> Node:
    """Convert an ElementTree element (and its subtree) into nodes. Attribute names lose namespaces."""
    name, ns = split_tag(elem.tag)
    node = Node(name, ns=ns)
    if elem.attrib:
        node.attrs = {split_tag(k)[0]: v for k, v in elem.attrib.items()}
    if len(elem):
        for child in elem:
            if isinstance(child.tag, str):
                node.append(from_element(child))
    else:
        node.value = elem.text or ""
    if parent is not None:
        parent.append(node)
    return node


def parse_xml(data: str | bytes, what: str) -> ET.Element:
    """Parse form or record XML; entity declarations (billion laughs, external entities) are
    refused, since records and forms can arrive from outside. Raises ValueError naming `what`.

    A first pass with bare expat (C, no tree: ~30 ms for 1.8 MB) refuses any <!ENTITY>; then
    ElementTree's C parser builds the tree. defusedxml does the same in one pass but through
    Python-level tree building, twice as slow on the big forms."""
    scanner = xml.parsers.expat.ParserCreate()

    def refuse(name, *_args):
        raise _EntityDeclared(name)
    scanner.EntityDeclHandler = refuse
    try:
        scanner.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        raise ValueError(f"{what} is not well-formed XML: {exc}") from exc
    except _EntityDeclared as exc:
        raise ValueError(f"{what} declares XML entities, which are refused: {exc}") from exc
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise ValueError(f"{what} is not well-formed XML: {exc}") from exc


class _EntityDeclared(Exception):
    pass


def unlink(doc: Node) -> None:
    """Drop every parent link of a tree, so reference counting frees it the moment the last outside
    reference goes: a child points at its parent and the parent at its children, a cycle only the cyclic
    collector would free (docs/forms-engine.md, "Garbage collection"). The tree is unusable after."""
    stack = [doc]
    while stack:
        node = stack.pop()
        node.parent = None
        for same in node.kids.values():  # kids holds the children and the bound attributes
            stack.extend(same)


def document(root: Node) -> Node:
    """Wrap a root element in a document node, so `/data/...` and `instance('x')/root/...` resolve."""
    doc = Node("#document")
    doc.append(root)
    return doc
