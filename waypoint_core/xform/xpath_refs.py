"""Which primary-instance nodes an expression reads: the edges of the dependency graph.

References are generic paths (repeat indexes dropped: /data/rep/q stands for every instance).
A path that cannot be followed exactly (`*`, `//`, an axis other than child/parent/self) counts
as a reference to the deepest known ancestor, which the graph treats as "anything below".
"""

from __future__ import annotations

from waypoint_core.xform.errors import XPathSyntaxError
from waypoint_core.xform.xpath_parse import parse_xpath


def _parent(path: str) -> str:
    return path.rsplit("/", 1)[0] if path else path


def absolute_path(text: str, base: str) -> str | None:
    """Resolve a nodeset/ref (absolute, or relative to `base`) to a generic path, or None."""
    try:
        ast = parse_xpath(text.strip())
    except XPathSyntaxError:
        return None
    if ast[0] != "path" or ast[2] is not None:
        if ast[0] == "call" and ast[1] == "current" or ast[0] == "filter":
            return None
        return None
    path = "" if ast[1] else base
    steps = ast[3]
    for position, (axis, test, _preds) in enumerate(steps):
        if axis == "child" and test not in ("*", "node()", "text()"):
            path = f"{path}/{test}"
        elif axis == "parent":
            path = _parent(path)
        elif axis == "self":
            continue
        elif axis == "attribute" and position == len(steps) - 1 and test not in ("*", "node()"):
            path = f"{path}/@{test.split(':')[-1]}"  # a bind to an attribute: meta/entity/@id
        else:
            return None
    return path or None


def references(ast, context: str | None) -> set[str]:
    """Generic paths read by `ast` when evaluated at `context` (the bind's or question's path)."""
    found: set[str] = set()
    _walk(ast, context, context, found)
    return found


# Functions that read only how many nodes there are, where a node stands or what it is called,
# not their values: local-name(..) inside a repeat reads the repeat's name, not every answer below
# it (en_nested-repeat-count.xml would otherwise be a false cycle through ../../x-position).
_STRUCTURAL = {"count", "position", "name", "local-name", "namespace-uri"}


def split_references(ast, context: str | None) -> tuple[set[str], set[str]]:
    """(value references, structural references): count(/data/rep) and position(..) only change
    when repeat instances are added or removed, not when an answer inside them changes."""
    values: set[str] = set()
    structure: set[str] = set()
    _walk(ast, context, context, values, structure)
    return values, structure


def _walk(node, ctx: str | None, current: str | None, found: set[str], structure: set[str] | None = None) -> None:
    kind = node[0]
    if kind in ("num", "str", "var"):
        return
    if kind == "path":
        _walk_path(node, ctx, current, found, found, structure)
        return
    if kind == "call":
        if node[1] == "current" and current:
            found.add(current)
        for position, arg in enumerate(node[2]):
            structural = node[1] in _STRUCTURAL or (node[1] == "indexed-repeat" and position % 2 == 1)
            if structure is not None and structural and arg[0] == "path":
                # indexed-repeat(/data/rep/q, /data/rep, 2): the repeat arguments name instances
                _walk_path(arg, ctx, current, found, structure, structure)
            else:
                _walk(arg, ctx, current, found, structure)
        return
    if kind == "filter":
        _walk(node[1], ctx, current, found, structure)
        for pred in node[2]:
            _walk(pred, None, current, found, structure)
        return
    for child in node[1:]:
        if isinstance(child, tuple):
            _walk(child, ctx, current, found, structure)


def _walk_path(node, ctx: str | None, current: str | None, found: set[str], target: set[str] | None = None,
               structure: set[str] | None = None) -> None:
    """`found` gets references from predicates and bases; `target` gets the path's own end."""
    if target is None:
        target = found
    _, absolute, base, steps = node
    if base is not None:
        if base[0] == "call" and base[1] == "current" and not base[2]:
            path = current
        else:
            _walk(base, ctx, current, found, structure)
            path = None  # a secondary instance, or a computed node-set: nothing more to follow
    elif absolute:
        path = ""
    else:
        path = ctx
    for axis, test, preds in steps:
        if path is not None:
            if axis == "child" and test not in ("*", "node()", "text()"):
                path = f"{path}/{test}"
            elif axis == "parent":
                path = _parent(path)
            elif axis == "self":
                pass
            elif axis == "attribute":
                # an attribute a bind computes (meta/entity/@id) is read through its own path
                path = f"{path}/@{test.split(':')[-1]}" if test not in ("*", "node()") else path
            else:
                if path:
                    target.add(path)
                path = None
        for pred in preds:
            _walk(pred, path, current, found, structure)
    if path:
        target.add(path)
