"""Scripts of answers for the conformance suite, generated from each form by walking it with our engine.

Nobody writes a script by hand: for every form the walk answers what a person could answer, in form order,
questions that other expressions read first ("drivers": they flip relevance, filter choices, feed
calculations), with typed candidate values (autofill's: the constraint's own literals ±1, values of the
questions it reads, choices in order), now and then one that breaks the constraint. Then it changes each
driver to another value (hiding what it showed, leaving a filtered select's answer stale), clears a few,
and removes repeat instances. Everything is seeded by the form's name, so a form always gets the same script.

Our engine's state is recorded after every operation as the script is made; the same operations are then
given to ODK's engine (oracle.py) and the states compared (compare.py).
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, field

from waypoint_core.xform import AnswerError, FormDefinition, FormSession
from waypoint_core.xform.autofill import _Filler
from waypoint_core.xform.nodes import Node

METADATA = {"deviceid": "conformance:0000", "username": "conformance", "email": "", "phonenumber": ""}
# functions whose value differs from one engine (or one run) to the next
_UNSTABLE = {"now", "random", "uuid", "randomize"}


@dataclass(frozen=True)
class NodeState:
    relevant: bool
    required: bool
    value: str
    valid: bool
    leaf: bool


@dataclass
class Step:
    ops: list[list]  # what was done (one answer, with any jr:count it triggered)
    state: dict[str, NodeState]  # our engine's state after it, by ref


@dataclass
class Script:
    name: str
    steps: list[Step] = field(default_factory=list)  # steps[0] is the form as loaded (no ops)
    unstable: set[tuple[str, str]] = field(default_factory=set)  # (generic path, property) not compared

    def ops(self) -> list[list]:
        """The operations for the oracle: each step's ops followed by a dump labelled with its index."""
        out: list[list] = []
        for index, step in enumerate(self.steps):
            out.extend(step.ops)
            out.append(["dump", str(index)])
        return out

    @property
    def answers(self) -> int:
        return len(self.steps) - 1


def snapshot(session: FormSession) -> dict[str, NodeState]:
    state = {}
    for node in session.root.iter():
        state[session.ref_of(node)] = NodeState(node.relevant, node.required, node.value, node.valid,
                                                not node.children and node.gpath not in session.definition.repeats
                                                and not _is_group(session, node))
    return state


def _is_group(session: FormSession, node: Node) -> bool:
    control = session.definition.controls.get(node.gpath)
    return control is not None and control.kind in ("group", "repeat")


def unstable_properties(definition: FormDefinition) -> set[tuple[str, str]]:
    """(path, property) whose result depends on the clock, chance or the device: preloads (uid, start/end,
    deviceid...), calculations with now()/random()/uuid()/unseeded randomize(), and whatever reads them."""
    graph = definition.graph
    seeds: set[str] = set()
    for path, bind in definition.binds.items():
        if bind.preload is not None and bind.preload != "date":
            seeds.add(path)
        if bind.calculate is not None and _calls_unstable(bind.calculate.ast):
            seeds.add(path)
    for sv in definition.setvalues:
        if sv.value is not None and _calls_unstable(sv.value.ast):
            seeds.add(sv.ref)
    out = {(path, "value") for path in seeds}
    todo = list(seeds)
    while todo:
        path = todo.pop()
        for index in graph.readers(path):
            vertex = graph.vertices[index]
            prop = "value" if vertex.prop == "calculate" else vertex.prop
            if (vertex.path, prop) not in out:
                out.add((vertex.path, prop))
                if prop == "value":
                    todo.append(vertex.path)
    return out


def _calls_unstable(ast) -> bool:
    if not isinstance(ast, tuple):
        return False
    if ast[0] == "call":
        name = ast[1].split(":")[-1]
        if name in _UNSTABLE and not (name == "randomize" and len(ast[2]) == 2):
            return True
    return any(_calls_unstable(part) for part in ast[1:] if isinstance(part, tuple)) or \
        any(_calls_unstable(p) for part in ast[1:] if isinstance(part, list) for p in part)


class _Walk:
    def __init__(self, definition: FormDefinition, name: str, max_answers: int):
        self.definition = definition
        self.session = FormSession(definition, metadata=METADATA)
        self.filler = _Filler(self.session)
        self.rng = random.Random(zlib.crc32(name.encode()))
        self.budget = max_answers
        self.script = Script(name, unstable=unstable_properties(definition))
        graph = definition.graph
        self.drivers = {path for path, control in definition.controls.items()
                        if control.kind not in ("group", "repeat") and graph.readers(path)}
        self.tried: set[str] = set()
        self.added: dict[str, int] = {}
        self.wanted: dict[str, int | None] = {}
        self.script.steps.append(Step(self._counts(), snapshot(self.session)))

    # ---- recording ----------------------------------------------------------------------------
    def _step(self, ops: list[list]) -> None:
        ops = ops + self._counts()
        self.script.steps.append(Step(ops, snapshot(self.session)))
        self.budget -= 1

    def _counts(self) -> list[list]:
        """Counted repeats whose jr:count changed are sized at once, as if the person went there next (our
        engine applies jr:count when the repeat is reached, like Collect; ODK's JS engine keeps it live)."""
        ops: list[list] = []
        for _ in range(20):  # nested counted repeats: instances sized in one round get theirs in the next
            before = len(ops)
            for gpath, control in self.definition.repeats.items():
                if control.count is None:
                    continue
                parent_path, name = gpath.rsplit("/", 1)
                for parent in list(self.session._by_gpath.get(parent_path, ())):
                    ref = f"{self.session.ref_of(parent)}/{name}"
                    wanted = self.session.repeat_count(ref) if parent.relevant else None
                    if wanted is not None and wanted != self.wanted.get(ref):
                        self.session.apply_repeat_count(ref)
                        self.wanted[ref] = self.session.repeat_count(ref)
                        ops.append(["count", ref])
            if len(ops) == before:
                break
        return ops

    def _answer(self, node: Node, value) -> bool:
        ref = self.session.ref_of(node)
        try:
            self.session.answer(ref, value)
        except AnswerError:
            return False
        self._step([["set", ref, node.value]])
        return True

    # ---- what to answer -----------------------------------------------------------------------
    def _answerable(self, node: Node) -> bool:
        control = self.definition.controls.get(node.gpath)
        if control is None or control.kind in ("group", "repeat", "upload") or node.children:
            return False
        if not node.relevant or self.session.is_readonly(node):
            return False
        return not (node.bind is not None and node.bind.calculate is not None)

    def _candidates(self, node: Node) -> list:
        ref = self.session.ref_of(node)
        return self.filler.candidates(self.session.item(ref), node)

    def _next_empty(self) -> Node | None:
        later = None
        for node in self.session.root.iter():
            if node.value or not self._answerable(node):
                continue
            ref = self.session.ref_of(node)
            if ref in self.tried:
                continue
            if node.gpath in self.drivers:
                return node
            if later is None:
                later = node
        return later

    def _repeats(self) -> bool:
        """Give each relevant repeat the person may add to two instances (one at a time)."""
        for gpath, control in self.definition.repeats.items():
            if control.count is not None or control.no_add_remove:
                continue
            parent_path, name = gpath.rsplit("/", 1)
            for parent in self.session._by_gpath.get(parent_path, ()):
                ref = f"{self.session.ref_of(parent)}/{name}"
                if self.added.get(ref, 0) >= 2 or not self.session.repeat_relevant(parent, name):
                    continue
                if len(parent.kids.get(name, ())) >= 2:
                    continue
                self.added[ref] = self.added.get(ref, 0) + 1
                self.session.add_repeat(ref)
                self._step([["add", ref]])
                return True
        return False

    def fill(self, budget_left: int) -> None:
        while self.budget > budget_left:
            if self._repeats():
                continue
            node = self._next_empty()
            if node is None:
                return
            self.tried.add(self.session.ref_of(node))
            candidates = self._candidates(node)
            if not candidates:
                continue
            # mostly the first candidate that fits; one answer in eight deliberately from further down,
            # which often breaks the constraint, so validity is compared too
            start = self.rng.randrange(len(candidates)) if self.rng.random() < 0.125 else 0
            for candidate in candidates[start:] + candidates[:start]:
                if self._answer(node, candidate):
                    break

    def flip(self, budget_left: int) -> None:
        """Change each answered driver to another value, then answer what that shows."""
        refs = [self.session.ref_of(n) for n in self.session.root.iter()
                if n.gpath in self.drivers and n.value and self._answerable(n)]
        for ref in refs:
            if self.budget <= budget_left:
                return
            try:
                node = self.session.node(ref)
            except AnswerError:
                continue
            if not node.value or not self._answerable(node):
                continue
            others = [c for c in self._candidates(node) if _text(c) != node.value]
            if others and self._answer(node, others[self.rng.randrange(min(len(others), 3))]):
                self.fill(max(budget_left, self.budget - 3))

    def clear_and_remove(self) -> None:
        refs = [self.session.ref_of(n) for n in self.session.root.iter()
                if n.gpath in self.drivers and n.value and self._answerable(n)]
        for ref in self.rng.sample(refs, min(len(refs), 3)):
            if self.budget <= 0:
                return
            try:
                node = self.session.node(ref)
            except AnswerError:
                continue  # an earlier clearing sized a counted repeat down
            self._answer(node, None)
        for gpath, control in self.definition.repeats.items():
            if self.budget <= 0 or control.count is not None or control.no_add_remove:
                continue
            parent_path, name = gpath.rsplit("/", 1)
            for parent in self.session._by_gpath.get(parent_path, ())[:1]:
                if len(parent.kids.get(name, ())) >= 2:
                    ref = f"{self.session.ref_of(parent)}/{name}"
                    self.session.remove_repeat(f"{ref}[1]")
                    self._step([["remove", ref, 0]])


def _text(candidate) -> str:
    if isinstance(candidate, list):
        return " ".join(map(str, candidate))
    return str(candidate)


def generate(definition: FormDefinition, name: str, *, max_answers: int) -> Script:
    """The script for one form: at most `max_answers` operations, each followed by a comparison."""
    walk = _Walk(definition, name, max_answers)
    walk.fill(budget_left=max_answers // 3)
    walk.flip(budget_left=max(3, max_answers // 10))
    walk.fill(budget_left=3)
    walk.clear_and_remove()
    return walk.script
