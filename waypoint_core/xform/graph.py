"""The dependency graph of a form: which computations read which nodes, in topological order.

A vertex is one computed property of one generic path: calculate, relevant, required, readonly,
constraint, choices (an itemset filter) or label (an <output/> in a label or hint). An answer at
path P re-evaluates only the vertices reading P (or an ancestor of P, e.g. a group's string
value), in topological order, and carries on only from those whose result changed. Calculations
and relevance produce what others read: a hidden node reads as empty, so a relevance change
re-runs the readers of the node and of everything below it.
Cycles among calculations and conditions are rejected at load, naming every bind in the loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from waypoint_core.xform.errors import DependencyCycleError
from waypoint_core.xform.xpath_eval import Expr
from waypoint_core.xform.xpath_refs import split_references

BIND_PROPS = ("relevant", "calculate", "readonly", "required", "constraint")


@dataclass
class Vertex:
    index: int
    path: str
    prop: str
    expr: Expr | None
    refs: frozenset[str] = field(default_factory=frozenset)
    structure_refs: frozenset[str] = field(default_factory=frozenset)
    # a condition giving the same result on every node it is evaluated on (see _context_free): within
    # one recompute, until a value or a relevance changes, its result is worked out once
    context_free: bool = False


# functions whose result depends only on their arguments (each given: string() alone reads the context)
_PURE = frozenset(("selected", "not", "count-selected", "string-length", "string", "number", "boolean",
                   "concat", "contains", "starts-with", "ends-with", "coalesce", "if", "count", "sum",
                   "int", "round", "floor", "ceiling", "abs", "boolean-from-string", "normalize-space"))


def _context_free(ast) -> bool:
    """True if the expression reads only absolute paths of plain child steps, literals, operators and
    pure functions: evaluated on a node outside any repeat (where no absolute path is narrowed to a
    repeat instance), it gives the same result whichever node it is evaluated on."""
    kind = ast[0]
    if kind in ("num", "str"):
        return True
    if kind in ("or", "and"):
        return _context_free(ast[1]) and _context_free(ast[2])
    if kind in ("cmp", "arith"):
        return _context_free(ast[2]) and _context_free(ast[3])
    if kind == "neg":
        return _context_free(ast[1])
    if kind == "path":
        return ast[1] is True and ast[2] is None and all(
            axis == "child" and test not in ("*", "node()", "text()") and not preds for axis, test, preds in ast[3])
    if kind == "call":
        name, args = ast[1], ast[2]
        if name in ("true", "false") and not args:
            return True
        return name in _PURE and bool(args) and all(_context_free(a) for a in args)
    return False


@dataclass
class Graph:
    vertices: list[Vertex]  # topological order: index == position
    readers_of: dict[str, tuple[int, ...]]  # generic path -> vertex indexes to re-evaluate when it changes
    shape_readers_of: dict[str, tuple[int, ...]]  # repeat path -> vertexes reading count()/position()
    descendants: dict[str, tuple[str, ...]]  # generic path -> itself and every path below it
    own_of: dict[str, tuple[int, ...]] = field(default_factory=dict)  # path -> its own vertexes
    # path -> its own vertexes that its own relevance does not concern (see build_graph)
    blind_of: dict[str, frozenset[int]] = field(default_factory=dict)
    in_repeat: frozenset[str] = frozenset()  # the paths of repeats and of everything below them
    inside_of: dict[str, frozenset[int]] = field(default_factory=dict, repr=False)  # worked out lazily
    relevance_readers_of: dict[str, tuple[int, ...]] = field(default_factory=dict, repr=False)  # worked out lazily

    def readers(self, path: str) -> tuple[int, ...]:
        return self.readers_of.get(path, ())

    def shape_readers(self, path: str) -> tuple[int, ...]:
        return self.shape_readers_of.get(path, ())

    def relevance_readers(self, path: str) -> tuple[int, ...]:
        """What runs again when a node at `path` is shown or hidden: whatever reads it (or a group
        holding it) and whatever counts it. Worked out once per path."""
        found = self.relevance_readers_of.get(path)
        if found is None:
            found = tuple(sorted((set(self.readers(path)) | set(self.shape_readers(path)))
                                 - self.blind_of.get(path, frozenset())))
            self.relevance_readers_of[path] = found
        return found

    def inside(self, path: str) -> frozenset[int]:
        """The conditions and labels below `path` (not its own): put off while hidden, they need not run
        when the node at `path` is shown or hidden (see FormSession._propagate). Not calculations (they
        always run) nor choice lists (hiding a filtered list forgets it). Worked out once per path."""
        found = self.inside_of.get(path)
        if found is None:
            prefix = path + "/"
            found = frozenset(v.index for v in self.vertices
                              if v.prop not in ("calculate", "choices") and v.path.startswith(prefix))
            self.inside_of[path] = found
        return found

    def own(self, path: str) -> tuple[int, ...]:
        """The vertexes computing properties of `path` itself."""
        return self.own_of.get(path, ())

    def __len__(self) -> int:
        return len(self.vertices)


def _all_paths(template) -> list[str]:
    seen: dict[str, None] = {}
    for node in template.iter():
        seen.setdefault(node.gpath, None)
    return list(seen)


def _collect(definition) -> list[Vertex]:
    raw: list[Vertex] = []
    for path, bind in definition.binds.items():
        for prop in BIND_PROPS:
            expr = getattr(bind, prop)
            if expr is not None:
                values, structure = split_references(expr.ast, path)
                if prop == "constraint":
                    values.add(path)  # an empty answer always passes, so its own value always matters
                raw.append(Vertex(0, path, prop, expr, frozenset(values), frozenset(structure)))
    for path, ctrl in definition.controls.items():
        if ctrl.itemset is not None:
            refs, structure = split_references(ctrl.itemset.nodeset.ast, path)
            if refs or structure:
                raw.append(Vertex(0, path, "choices", ctrl.itemset.nodeset, frozenset(refs), frozenset(structure)))
        # search() arguments and external-select conditions that read answers refresh the choices too
        arguments = ctrl.search.args if ctrl.search is not None else \
            [c.value for c in ctrl.query.conditions] if ctrl.query is not None else []
        if arguments:
            refs, structure = set(), set()
            for expr in arguments:
                values, shape = split_references(expr.ast, path)
                refs |= values
                structure |= shape
            if refs or structure:
                raw.append(Vertex(0, path, "choices", arguments[0], frozenset(refs), frozenset(structure)))
        outputs = []
        for text in (ctrl.label, ctrl.hint):
            if text is not None:
                outputs.extend(text.outputs(definition.translations))
        if outputs:
            refs, structure = set(), set()
            for expr in outputs:
                values, shape = split_references(expr.ast, path)
                refs |= values
                structure |= shape
            if refs or structure:
                raw.append(Vertex(0, path, "label", None, frozenset(refs), frozenset(structure)))
    return raw


def build_graph(definition) -> Graph:
    raw = _collect(definition)
    paths = _all_paths(definition.template)
    below: dict[str, list[str]] = {p: [p] for p in paths}
    for p in paths:
        parent = p.rsplit("/", 1)[0]
        while parent:
            if parent in below:
                below[parent].append(p)
            parent = parent.rsplit("/", 1)[0]
    # who reads a path: direct readers, plus readers of any ancestor (a change below changes it too)
    direct: dict[str, list[int]] = {}
    for i, v in enumerate(raw):
        for ref in v.refs:
            direct.setdefault(ref, []).append(i)

    def readers_of_path(p: str) -> set[int]:
        out = set(direct.get(p, ()))
        parent = p.rsplit("/", 1)[0]
        while parent:
            out.update(direct.get(parent, ()))
            parent = parent.rsplit("/", 1)[0]
        return out

    reader_cache = {p: readers_of_path(p) for p in set(paths) | set(direct)}

    shape_direct: dict[str, set[int]] = {}
    for i, v in enumerate(raw):
        for ref in v.structure_refs:
            shape_direct.setdefault(ref, set()).add(i)

    succ: list[set[int]] = []
    indegree = [0] * len(raw)
    for i, v in enumerate(raw):
        targets: set[int] = set()
        if v.prop in ("calculate", "choices"):  # a choice filter drops answers no longer offered
            targets |= reader_cache.get(v.path) or readers_of_path(v.path)
        elif v.prop == "relevant":
            # what other expressions see of a node and everything below it changes with its
            # relevance (a hidden node reads as empty and leaves count()), as JavaRosa's
            # relevance conditions cascade to children (Condition.isCascadingToChildren)
            for out in below.get(v.path, (v.path,)):
                targets |= reader_cache.get(out) or readers_of_path(out)
                targets |= shape_direct.get(out, set())
        targets.discard(i)  # a condition reading its own node is evaluated once per change
        succ.append(targets)
        for t in targets:
            indegree[t] += 1
    ready = [i for i in range(len(raw)) if indegree[i] == 0]
    order: list[int] = []
    while ready:
        i = ready.pop()
        order.append(i)
        for t in succ[i]:
            indegree[t] -= 1
            if indegree[t] == 0:
                ready.append(t)
    if len(order) != len(raw):
        raise _cycle_error(raw, succ, set(range(len(raw))) - set(order))
    # keep document order among independent vertices: stable sort by longest-path depth
    depth = [0] * len(raw)
    for i in order:
        for t in succ[i]:
            depth[t] = max(depth[t], depth[i] + 1)
    order.sort(key=lambda i: (depth[i], i))
    position = {old: new for new, old in enumerate(order)}
    vertices = []
    repeats = list(definition.repeats)
    in_repeat = frozenset(p for p in set(paths) | {v.path for v in raw}
                          if any(p == r or p.startswith(r + "/") for r in repeats))
    for new, old in enumerate(order):
        v = raw[old]
        context_free = v.prop in ("relevant", "required", "readonly") and v.expr is not None \
            and v.path not in in_repeat and _context_free(v.expr.ast)
        vertices.append(Vertex(new, v.path, v.prop, v.expr, v.refs, v.structure_refs, context_free))
    readers = {p: tuple(sorted(position[i] for i in rs)) for p, rs in reader_cache.items() if rs}
    shape = {p: {position[i] for i in rs} for p, rs in shape_direct.items()}
    own: dict[str, list[int]] = {}
    for v in vertices:
        own.setdefault(v.path, []).append(v.index)
    # A question's required, readonly, constraint, choices and label are worked out only while it is
    # relevant (put off otherwise), so reading the question itself they always see its answer: its
    # own relevance changing them is nothing to re-run for. Only where the path is one node (not in
    # a repeat, where the same path reads the other instances too), a leaf, and the vertex reads no
    # group above it (whose value does change) and does not count it.
    blind: dict[str, set[int]] = {}
    for v in vertices:
        path = v.path
        if v.prop in ("required", "readonly", "constraint", "choices", "label") and len(below.get(path, ())) == 1 \
                and path not in v.structure_refs and path not in in_repeat \
                and not any(path.startswith(ref + "/") for ref in v.refs):
            blind.setdefault(path, set()).add(v.index)
    return Graph(vertices=vertices, readers_of=readers, descendants={p: tuple(b) for p, b in below.items()},
                 shape_readers_of={p: tuple(sorted(s)) for p, s in shape.items()},
                 own_of={p: tuple(i) for p, i in own.items()},
                 blind_of={p: frozenset(i) for p, i in blind.items()}, in_repeat=in_repeat)


def _cycle_error(raw: list[Vertex], succ: list[set[int]], left: set[int]) -> DependencyCycleError:
    # Peel off vertices that lead nowhere inside the remainder, leaving the loop itself.
    changed = True
    while changed:
        changed = False
        for i in list(left):
            if not (succ[i] & left):
                left.discard(i)
                changed = True
    start = min(left)
    chain = [start]
    seen = {start}
    while True:
        nxt = min(succ[chain[-1]] & left)
        if nxt in seen:
            chain = chain[chain.index(nxt):] + [nxt]
            break
        chain.append(nxt)
        seen.add(nxt)
    text = " → ".join(f"{raw[i].path} ({raw[i].prop})" for i in chain)
    first = raw[chain[0]]
    return DependencyCycleError(f"calculations or conditions depend on each other in a loop: {text}",
                                ref=first.path, expression=first.expr.text if first.expr else None)
