"""FormSession: one record being filled in with a FormDefinition; the renderer's whole interface.

The session owns the primary instance (a node tree), applies answers, recomputes only what
depends on them (graph.py) and returns a ChangeSet saying which refs changed, so a view refreshes
just those. Refs are instance paths with repeat positions: /data/household[2]/name.
See docs/forms-engine.md for the contract.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random as _random
import uuid as _uuid

from waypoint_core.xform.heap import gc_paused
from waypoint_core.xform.audit import AuditLog
from waypoint_core.xform.changes import ChangeSet, Issue
from waypoint_core.xform.definition import FormDefinition
from waypoint_core.xform.errors import AnswerError, FormError, XPathEvalError
from waypoint_core.xform.items import ItemsMixin
from waypoint_core.xform.nodes import BoundAttribute, Node, document, unlink
from waypoint_core.xform.repeats import RepeatsMixin
from waypoint_core.xform.serialize import load_instance, to_xml
from waypoint_core.xform.values import calculated_value, normalize_answer
from waypoint_core.xform.xpath_eval import Ctx, format_datetime, to_bool


def _number(x: float) -> str:
    return str(int(x)) if x == int(x) else str(x)


class FormSession(ItemsMixin, RepeatsMixin):
    """A record in progress. Not thread-safe: use it from one thread (the GUI's)."""

    def __init__(self, definition: FormDefinition, *, language: str | None = None,
                 metadata: dict[str, str] | None = None, instance_xml: str | None = None,
                 clock=None, uuid_factory=None, seed: int | None = None,
                 entities: dict[str, list[list[tuple[str, str]]]] | None = None):
        """Start a new record, or reopen one from `instance_xml` (a draft or a finalized record).

        metadata: values for preloads the device knows: deviceid, username, email, phonenumber.
        clock: a function returning an aware datetime (tests pin time); uuid_factory: returns str.
        entities: the items of the form's entity lists (definition.entity_lists), by instance id, each a list of
        (column, value): name, label, __version, __trunkVersion, __branchId, then the properties (entities.py).
        """
        with gc_paused():
            self._entity_docs = {name: _items_document(items) for name, items in (entities or {}).items()
                                 if name in definition.entity_lists}
            self._start(definition, language, metadata, instance_xml, clock, uuid_factory, seed)

    def _start(self, definition, language, metadata, instance_xml, clock, uuid_factory, seed) -> None:
        self.definition = definition
        self.metadata = dict(metadata or {})
        self._clock = clock or (lambda: dt.datetime.now().astimezone())
        self._uuid = uuid_factory or (lambda: str(_uuid.uuid4()))
        self._timezone: dt.tzinfo | None = None
        self._rng = _random.Random(seed)
        self.language = language if language in definition.translations else definition.default_language
        self.audit = AuditLog(clock=self._clock, config=definition.audit, user=self.metadata.get("username", ""))
        self._prototypes: dict[str, Node] = {}
        self._choice_cache: dict = {}  # node (filtered) or generic path (static) -> {language: [Choice]}
        self._static_itemsets: dict[str, bool] = {}
        self.errors: list[FormError] = []  # expressions that failed at run time (see _evaluation_failed)
        self._text_cache: dict = {}  # (id(Text), language, form) -> text, for texts without outputs
        self._static_texts: dict = {}  # (id(Control), language) -> a question's texts without outputs
        self._fixed_texts: dict[int, bool] = {}  # id(Text) -> no text of it shows an answer (items.py)
        self._required_messages: dict = {}  # (generic path, language) -> a fixed required message
        # non-relevant nodes -> the vertexes whose computation on them was put off
        self._stale: dict[Node, set[int]] = {}
        self._revived: list[int] = []  # vertexes put off on nodes relevant again, to recompute
        # nodes whose relevance flipped, for their readers to re-run: their generic paths, by the path of the
        # node whose own relevance set off the flips (None inside a repeat), see _propagate
        self._flipped: dict[str | None, set[str]] = {}
        # while _propagate runs: Expr -> result of a context-free condition (graph.Vertex.context_free), emptied
        # whenever a value or a relevance changes (showing a section evaluates each shared condition once)
        self._memo: dict | None = None
        root = self._instantiate(definition.template)
        self.root = root
        self.main_doc = document(root)
        if instance_xml is not None:
            load_instance(self, instance_xml)
        self._reindex()
        self._compute_all()
        # JavaRosa's FormDef.initialize: preloads and odk-instance-first-load (with the deprecated
        # xforms-ready) for a new record only, then odk-instance-load on every load, reopening too
        events = ("odk-instance-first-load", "xforms-ready", "odk-instance-load") if instance_xml is None \
            else ("odk-instance-load",)
        if instance_xml is None:
            self._preload_start()
        for event in events:
            for sv in definition.setvalues:
                if event in sv.event.split():
                    # inside a repeat, the action applies to every instance the form starts with
                    for target in list(self._by_gpath.get(sv.ref, ())):
                        self._run_setvalue(sv, target, ChangeSet())
        self.audit.record("form start")

    # ---- the evaluation environment the XPath functions see --------------------------------
    def instance(self, instance_id: str) -> Node:
        doc = self._entity_docs.get(instance_id) or self.definition.instances.get(instance_id)
        if doc is None:
            raise XPathEvalError(f"instance('{instance_id}') does not exist in this form")
        return doc

    @property
    def timezone(self) -> dt.tzinfo | None:
        """The device's time zone: dates and times are recorded in it, as Collect records them.
        Read once per session (every calculation asks for it; the clock is slow to read)."""
        if self._timezone is None:
            self._timezone = self._clock().tzinfo
        return self._timezone

    def today(self) -> dt.date:
        return self._clock().date()

    def now(self) -> dt.datetime:
        return self._clock()

    def uuid(self) -> str:
        return self._uuid()

    def random(self) -> float:
        return self._rng.random()

    def itext(self, text_id: str) -> str:
        table = self.definition.translations.get(self.language or "", {})
        forms = table.get(text_id, {})
        parts = forms.get(None) or forms.get("long") or []
        return "".join(p for p in parts if isinstance(p, str))

    def choice_label(self, ref_text: str, value: str, ctx: Ctx) -> str:
        from waypoint_core.xform.xpath_refs import absolute_path
        gpath = absolute_path(ref_text, ctx.node.gpath if isinstance(ctx.node, Node) else "")
        node = self._related(ctx.node, gpath) if gpath else None
        if node is None:
            return ""
        for choice in self.choices_for(node):
            if choice.value == value:
                return choice.label
        return ""

    # ---- building the instance ------------------------------------------------------------
    def _instantiate(self, proto: Node, parent: Node | None = None) -> Node:
        """Copy a template subtree; repeat prototypes (jr:template) are remembered, not copied."""
        node = Node(proto.name, ns=proto.ns)
        node.attrs = dict(proto.attrs)
        node.value = proto.value
        node.gpath = proto.gpath
        bind = self.definition.binds.get(proto.gpath)
        node.bind = bind
        node.dtype = bind.type if bind is not None else None
        for attr in self.definition.attribute_binds.get(proto.gpath, ()):
            bound = BoundAttribute(attr, node)  # meta/entity/@id...: computed like a node, written as an attribute
            bound.bind = self.definition.binds.get(bound.gpath)
            bound.dtype = bound.bind.type if bound.bind is not None else None
        repeats = self.definition.repeats
        for child in proto.children:
            if child.gpath in repeats:
                self._prototypes.setdefault(child.gpath, child)
                if child.is_template:
                    continue
            node.append(self._instantiate(child))
        if parent is not None:
            parent.append(node)
        return node

    def _reindex(self) -> None:
        index: dict[str, list[Node]] = {}
        attribute_binds = self.definition.attribute_binds
        for i, node in enumerate(self.root.iter()):
            node.order = i
            index.setdefault(node.gpath, []).append(node)
            for attr in attribute_binds.get(node.gpath, ()):
                bound = node.kids["@" + attr][0]
                bound.order = i
                index.setdefault(bound.gpath, []).append(bound)
        self._by_gpath = index
        # refs name repeat instances by position: adding or removing one renumbers its siblings
        self._node_of_ref: dict[str, Node] = {}
        # ref -> what item(ref) shows that answers do not change (items.py); outside repeats refs never shift
        in_repeat = self.definition.graph.in_repeat
        self._question_rows: dict[str, tuple] = {
            ref: row for ref, row in getattr(self, "_question_rows", {}).items() if row[0].gpath not in in_repeat}
        self._ref_of_node: dict[Node, str] = {}

    # ---- computing ------------------------------------------------------------------------
    def _compute_all(self) -> None:
        changes = ChangeSet()
        self._update_relevance(self.root, changes)
        for v in self.definition.graph.vertices:
            for node in self._by_gpath.get(v.path, ()):
                self._eval_vertex(v, node, changes)
        # every reader ran after the relevance it depends on (the graph orders them so)
        self._flipped.clear()
        self._propagate((), changes)

    def _eval_vertex(self, v, node: Node, changes: ChangeSet) -> list[str]:
        """Evaluate one vertex on one node; return the generic paths whose value changed.

        Calculations always run, hidden or not, as in JavaRosa (Recalculate.apply sets the
        answer whatever the relevance; others read a hidden one as empty). Everything else about
        a non-relevant question (its conditions, choices, label) cannot be seen, so that work is
        put off: the node is marked stale and recomputed when it becomes relevant again. This
        keeps an answer that hides or shows most of a form within a frame.
        """
        prop = v.prop
        if prop != "calculate" and (not node.relevant if prop != "relevant"
                                    else node.parent is not None and not node.parent.relevant):
            put_off = self._stale.get(node)
            if put_off is None:
                self._stale[node] = {v.index}
            else:
                put_off.add(v.index)
            if prop == "choices":  # cheap, and an import may still ask a hidden select for them
                self._choice_cache.pop(node, None)
            return []
        if prop == "label":
            changes.labels.add(node)
            return []
        if prop == "constraint" and node.value == "":
            # an empty answer always passes (JavaRosa does not check a constraint on no answer):
            # no need to evaluate it, which matters when a section of unanswered questions is shown
            if not node.valid:
                node.valid = True
                changes.validity.add(node)
            return []
        try:
            if prop == "choices":
                self._choice_cache.pop(node, None)
                changes.choices.add(node)
                return self._drop_stale_choices(node, changes)
            memo = self._memo
            if memo is not None and v.context_free:
                result = memo.get(v.expr, memo)
                if result is memo:
                    result = memo[v.expr] = v.expr.fn(Ctx(node, self))
            else:
                result = v.expr.fn(Ctx(node, self))
        except (FormError, ValueError, TypeError, ArithmeticError, IndexError, KeyError, RecursionError) as exc:
            result = self._evaluation_failed(v, node, exc)
        if prop == "calculate":
            text, node.vtype = calculated_value(result, node.dtype or "string", self.timezone)
            if text != node.value:
                changes.before_value.setdefault(node, node.value)
                node.value = text
                changes.values.add(node)
                return [node.gpath]
            return []
        flag = result if result is True or result is False else to_bool(result)
        if prop == "relevant":
            if flag != node.self_relevant:
                node.self_relevant = flag
                self._update_relevance(node, changes)
            return []
        if prop == "required":
            if flag != node.required:
                node.required = flag
                changes.required.add(node)
        elif prop == "readonly":
            if flag != node.readonly:
                node.readonly = flag
                changes.readonly.add(node)
        elif prop == "constraint":
            ok = flag or node.value == ""
            if ok != node.valid:
                node.valid = ok
                changes.validity.add(node)
        return []

    def _drop_stale_choices(self, node: Node, changes: ChangeSet) -> list[str]:
        """A select keeps only answers that are still among its filtered choices: country Mali
        drops city Niamey. JavaRosa does this whenever it lists the choices of a question on
        screen (ItemsetBinding.getChoices → updateQuestionAnswerInModel); a hidden select is
        put off like its other work and cleaned when shown again. Only itemsets: the choices of search()
        and of external selects are Collect's own lists, not an ItemsetBinding, and their answer stays."""
        control = self.definition.controls.get(node.gpath)
        if not node.value or control is None or control.itemset is None:
            return []
        allowed = {c.value for c in self.choices_for(node)}
        kept = self._within_choices(node, node.value, allowed)
        if kept == node.value:
            return []
        changes.before_value.setdefault(node, node.value)
        node.value = kept
        changes.values.add(node)
        return [node.gpath]

    def _evaluation_failed(self, v, node: Node, exc: Exception):
        """An expression that fails at run time (instance('x') missing, a bad regex pattern...)
        must not stop the form: the error is kept in `errors` (named by question and expression,
        reported by forms check) and the property takes its safe value — shown, required,
        editable, invalid, empty — so nothing is hidden or let through because of it."""
        reason = exc.reason if isinstance(exc, FormError) else f"{type(exc).__name__}: {exc}"
        error = XPathEvalError(f"{v.prop}: {reason}", ref=self.ref_of(node), expression=v.expr.text)
        if str(error) not in {str(e) for e in self.errors}:
            self.errors.append(error)
        return {"relevant": True, "required": True, "readonly": False, "constraint": False}.get(v.prop, "")

    def _update_relevance(self, start: Node, changes: ChangeSet) -> None:
        """Re-derive effective relevance below `start`; only subtrees whose state flipped are walked.
        The vertexes put off on stale nodes that become relevant are queued in _revived to re-run
        (only those: a condition computed while shown and not fed since is still right)."""
        parent_relevant = start.parent.relevant if start.parent is not None else True
        # (children, their parent's effective relevance): hiding a section walks thousands of nodes
        stack: list[tuple[list[Node], bool]] = []
        stale, revived = self._stale, self._revived
        before, relevance = changes.before_relevant, changes.relevance
        top = start.gpath if start.gpath not in self.definition.graph.in_repeat else None
        flipped = self._flipped.get(top)
        if flipped is None:
            flipped = self._flipped[top] = set()
        forced = True
        pending = [start]
        above = parent_relevant
        while True:
            for node in pending:
                now = above and node.self_relevant
                # a stale node whose parent is shown again must recompute even if its own relevance
                # (last computed while hidden) does not flip here: recomputing may flip it
                if stale and node in stale and (now or node.parent is None or node.parent.relevant):
                    revived.extend(stale.pop(node))
                if now != node.relevant:
                    before.setdefault(node, node.relevant)
                    node.relevant = now
                    relevance.add(node)
                    flipped.add(node.gpath)
                elif not forced:
                    continue
                if node.children:
                    stack.append((node.children, now))
            forced = False
            if not stack:
                if not flipped:
                    del self._flipped[top]
                return
            pending, above = stack.pop()

    def _propagate(self, changed_paths, changes: ChangeSet, reshaped: str | None = None) -> None:
        graph = self.definition.graph
        heap: list[int] = []
        queued: set[int] = set()
        runs: dict[int, int] = {}
        # a vertex may run again when a revived (previously stale) node feeds it; the cap stops a
        # condition that reads its own node from flip-flopping forever: capped vertexes ran 8 times
        capped: set[int] = set()

        def push_all(indexes) -> None:
            # showing or hiding a section queues thousands of vertexes at once: set operations, one heapify
            new = set(indexes)
            new -= queued
            if capped:
                new -= capped
            if not new:
                return
            queued.update(new)
            if len(new) > 8:
                heap.extend(new)
                heapq.heapify(heap)
            else:
                for i in new:
                    heapq.heappush(heap, i)

        for p in changed_paths:
            push_all(graph.readers(p))
        if reshaped is not None:
            # count(/data/rep), count(/data/rep/q), position(..) inside it: every path at or
            # below the repeat changes shape when an instance comes or goes
            for p in graph.descendants.get(reshaped, (reshaped,)):
                push_all(graph.shape_readers(p))
        vertices = graph.vertices
        by_gpath = self._by_gpath
        revived = self._revived
        flipped = self._flipped
        eval_vertex = self._eval_vertex
        known_readers = graph.relevance_readers_of
        outer_memo = self._memo
        memo: dict = {}
        self._memo = memo
        try:
            while heap or revived or flipped:
                if revived:
                    push_all(revived)
                    revived.clear()
                if flipped:
                    # a node shown or hidden reads differently (hidden = empty, out of count()):
                    # whatever reads it, or counts it, runs again. Except, when a section is shown
                    # or hidden (not inside a repeat), the conditions and labels inside it (Graph.inside):
                    # hidden, they are put off anyway; shown again, what they read inside the section
                    # reads as before it was hidden (what changed meanwhile made them stale, and
                    # stale work re-runs when shown), so their results still hold.
                    for top, gpaths in flipped.items():
                        readers: set[int] = set()
                        for gpath in gpaths:
                            found = known_readers.get(gpath)
                            readers.update(found if found is not None else graph.relevance_readers(gpath))
                        if top is not None:
                            readers -= graph.inside(top)
                        push_all(readers)
                    flipped.clear()
                if not heap:
                    break
                index = heapq.heappop(heap)
                queued.discard(index)
                count = runs.get(index, 0) + 1
                runs[index] = count
                if count >= 8:
                    capped.add(index)
                v = vertices[index]
                for node in by_gpath.get(v.path, ()):
                    outs = eval_vertex(v, node, changes)
                    if flipped or outs:  # a relevance or a value changed: remembered results may not hold
                        memo.clear()
                    for out in outs:
                        readers_of_out = graph.readers(out)
                        if index in readers_of_out:  # a condition reading its own node runs once per change
                            push_all(i for i in readers_of_out if i != index)
                        else:
                            push_all(readers_of_out)
        finally:
            self._memo = outer_memo

    # ---- answering ------------------------------------------------------------------------
    def answer(self, ref: str, value) -> ChangeSet:
        """Set the answer at `ref` (typed Python value or text; None or '' clears).

        Raises AnswerError (nothing changed) for an unknown ref, a calculated or readonly
        question, or a value its type or choices cannot take. Returns what changed.
        """
        node = self.node(ref)
        control = self.definition.controls.get(node.gpath)
        if node.children or (control is not None and control.kind in ("group", "repeat")):
            raise AnswerError("a group or repeat cannot be answered", ref=ref)
        bind = node.bind
        if bind is not None and bind.calculate is not None:
            raise AnswerError("this value is calculated by the form", ref=ref)
        if self.is_readonly(node):
            raise AnswerError("this question is read-only", ref=ref)
        type_ = self.answer_type(node)
        try:
            text = normalize_answer(value, type_)
        except ValueError as exc:
            raise AnswerError(str(exc), ref=ref) from None
        if text and control is not None and control.kind == "range":
            self._check_range(control, text, ref)
        if text and control is not None and type_ in ("select1", "select", "rank") and \
                (control.items or control.itemset or control.query is not None):
            allowed = {c.value for c in self.choices_for(node)}
            kept = self._within_choices(node, text, allowed)
            if kept != text:
                unknown = text if type_ == "select1" else " ".join(v for v in text.split() if v not in allowed)
                raise AnswerError(f"not among the choices: {unknown}", ref=ref)
        changes = ChangeSet()
        node.vtype = None  # a person's answer is read by the question's own type
        before = node.value
        self._set(node, text, changes)
        self.audit.answered(self.ref_of(node), before, node.value)
        return self._finish(changes)

    @staticmethod
    def _check_range(control, text: str, ref: str) -> None:
        """A range question takes what its slider or picker offers in Collect: a number from start
        to end (either way round) on a step from start. JavaRosa keeps the attributes
        (RangeParser); Collect's range widgets are what enforce them."""
        start, end, step = control.range
        value = float(text)
        low, high = min(start, end), max(start, end)
        steps = (value - start) / step if step else 0.0
        if not low <= value <= high or abs(steps - round(steps)) > 1e-9:
            raise AnswerError(f"{text} is not offered: from {_number(start)} to {_number(end)} "
                              f"by {_number(step)}", ref=ref)

    def _within_choices(self, node: Node, text: str, allowed: set[str]) -> str:
        """`text` without what is not among `allowed`. A select_one answer is the whole value, so
        a choice value may hold spaces ("Township 01", as SelectOneData keeps it); a
        select_multiple or rank answer is a space-separated list (MultipleItemsData)."""
        if self.answer_type(node) == "select1":
            return text if text in allowed else ""
        return " ".join(v for v in text.split() if v in allowed)

    def answer_type(self, node: Node) -> str:
        """The type an answer must have: the control decides for selects (pyxform binds
        select_one as "string"), the bind type otherwise."""
        control = self.definition.controls.get(node.gpath)
        if control is not None and control.kind in ("select1", "select", "rank"):
            return control.kind
        if control is not None and control.query is not None:
            return "select1"
        if control is not None and control.kind == "trigger":
            return "acknowledge"
        return node.dtype or "string"

    def _set(self, node: Node, text: str, changes: ChangeSet) -> None:
        if text == node.value:
            return
        changes.before_value.setdefault(node, node.value)
        node.value = text
        changes.values.add(node)
        self._propagate([node.gpath], changes)
        for sv in self.definition.setvalues:
            if sv.trigger_ref == node.gpath and "xforms-value-changed" in sv.event:
                self._run_setvalue(sv, node, changes)

    def _run_setvalue(self, sv, context: Node | None, changes: ChangeSet) -> None:
        target = self._related(context, sv.ref) if context is not None else self._first(sv.ref)
        if target is None:
            return
        if sv.value is not None:
            try:
                result = sv.value.fn(Ctx(target, self))
            except FormError as exc:
                raise type(exc)(f"setvalue: {exc.reason}", ref=self.ref_of(target), expression=sv.value.text) from exc
            text, target.vtype = calculated_value(result, target.dtype or "string", self.timezone)
        else:
            text, target.vtype = sv.literal, None
        self._set(target, text, changes)

    def _finish(self, changes: ChangeSet) -> ChangeSet:
        """Drop nodes that changed and changed back within the call (e.g. a group shown, then a
        question inside it hidden again by its own condition)."""
        changes.session = self
        changes.values = {n for n in changes.values if changes.before_value.get(n, None) != n.value}
        changes.relevance = {n for n in changes.relevance if changes.before_relevant.get(n, None) != n.relevant}
        return changes

    # ---- metadata, validation, output -----------------------------------------------------
    def _preload_start(self) -> None:
        changes = ChangeSet()
        attribute_binds = self.definition.attribute_binds
        nodes = [n for node in self.root.iter()
                 for n in (node, *(node.kids["@" + a][0] for a in attribute_binds.get(node.gpath, ())))]
        for node in nodes:
            bind = node.bind
            if bind is None or bind.preload is None or node.value:
                continue
            text = self._preload_value(bind.preload, bind.preload_params or "")
            if text is not None:
                self._set(node, text, changes)

    def _preload_value(self, preload: str, params: str) -> str | None:
        if preload == "uid":
            return "uuid:" + self._uuid()
        if preload == "timestamp" and params == "start":
            return format_datetime(self._clock())
        if preload == "date" and params == "today":
            return self._clock().date().isoformat()
        if preload == "property":
            return self.metadata.get(params.removeprefix("uri:"), "")
        return None

    def validate(self) -> list[Issue]:
        """Every problem that blocks finalizing, in form order (the first is where to jump)."""
        issues: list[Issue] = []
        controls = self.definition.controls
        for node in self.root.iter():
            # as in Collect and Enketo, only questions on screen are checked: a required or
            # constrained calculate with no control cannot be fixed by the person filling it,
            # and a group is never a question, even bound to a node without children
            # (JavaRosa's validate steps through EVENT_QUESTION only)
            control = controls.get(node.gpath)
            if not node.relevant or node.children or control is None or control.kind in ("group", "repeat"):
                continue
            # a readonly question (a note) cannot be answered, so it cannot be required either
            if node.required and node.value == "" and not self.is_readonly(node):
                issues.append(Issue(ref=self.ref_of(node), kind="required",
                                    message=self._message(node, "required_msg") or "Sorry, this response is required."))
            elif not node.valid:
                issues.append(Issue(ref=self.ref_of(node), kind="constraint",
                                    message=self._message(node, "constraint_msg") or "Sorry, this response is invalid."))
        return issues

    def finalize(self) -> list[Issue]:
        """Stamp `end` preloads and validate: [] means finalized; otherwise the blocking issues."""
        changes = ChangeSet()
        for node in list(self.root.iter()):
            bind = node.bind
            if bind is not None and bind.preload == "timestamp" and bind.preload_params == "end":
                self._set(node, format_datetime(self._clock()), changes)
        issues = self.validate()
        if issues:
            self.audit.record("finalize error", node=issues[0].ref)
            return issues
        self.audit.record("form finalize")
        return []

    def attach_audit(self, file_name: str) -> None:
        """Name the audit log file in the form's audit question (meta/audit), as Collect names its
        audit.csv there: the app calls it with the attachment it saves the log under."""
        config = self.definition.audit
        if config is not None:
            target = self._first(config.ref)
            if target is not None:
                self._set(target, file_name, ChangeSet())

    def to_instance_xml(self, *, include_nonrelevant: bool = False) -> str:
        """The record as instance XML. Finalized records leave non-relevant nodes out;
        drafts (include_nonrelevant=True) keep them so that reopening restores everything."""
        return to_xml(self, include_nonrelevant=include_nonrelevant)

    def close(self) -> None:
        """Done with this record: its instance trees are unlinked (their parent links dropped), so they are
        freed as soon as the session is, by reference counting, and leave no garbage for the cyclic collector
        (whose full collections would otherwise walk it during a later form's answers). The session is
        unusable after; closing twice is harmless."""
        for doc in (getattr(self, "main_doc", None), *self._entity_docs.values()):
            if doc is not None:
                unlink(doc)
        self._entity_docs = {}

    def is_valid(self, ref: str) -> bool:
        """False while the answer at `ref` breaks its constraint (an empty answer never does)."""
        return self.node(ref).valid

    # ---- lookups --------------------------------------------------------------------------
    def node(self, ref: str) -> Node:
        """The node at an instance ref such as /data/hh[2]/name (positions default to 1)."""
        # re-reading the items an answer changed looks up thousands of refs: remembered until
        # repeat instances are added or removed (_reindex)
        found = self._node_of_ref.get(ref)
        if found is not None:
            return found
        node = self.main_doc
        for step in ref.strip().strip("/").split("/"):
            name, _, rest = step.partition("[")
            try:
                index = int(rest.rstrip("]")) if rest else 1
            except ValueError:
                raise AnswerError("no such question in this form", ref=ref) from None
            kids = node.kids.get(name)
            if not kids or not 1 <= index <= len(kids):
                raise AnswerError("no such question in this form", ref=ref)
            node = kids[index - 1]
        self._node_of_ref[ref] = node
        return node

    def ref_of(self, node: Node) -> str:
        known = self._ref_of_node.get(node)
        if known is not None:
            return known
        parts = []
        repeats = self.definition.repeats
        current: Node | None = node
        first = True  # every step without a position names the first node of that name: node(ref) finds it
        while current is not None and current.name != "#document":
            parent = current.parent
            if current.gpath in repeats and parent is not None:
                parts.append(f"{current.name}[{current.index_in_parent()}]")
            else:
                parts.append(current.name)
                if first and parent is not None:
                    same = parent.kids.get(current.name)
                    first = bool(same) and same[0] is current
            current = parent
        ref = "/" + "/".join(reversed(parts))
        if current is not None:  # still in the instance (a removed repeat instance is not remembered)
            self._ref_of_node[node] = ref
            if first and current is self.main_doc:
                # and the way back: item(ref) for the refs of a ChangeSet (an answer showing a whole
                # form names its 393 groups) then needs no walk down the tree
                self._node_of_ref.setdefault(ref, node)
        return ref

    def _first(self, gpath: str) -> Node | None:
        nodes = self._by_gpath.get(gpath)
        return nodes[0] if nodes else None

    def _related(self, start: Node | None, gpath: str) -> Node | None:
        """The node at `gpath` in the same repeat instances as `start` (ODK's relative refs)."""
        if start is None:
            return self._first(gpath)
        anchor = start
        while anchor is not None and not (gpath == anchor.gpath or gpath.startswith(anchor.gpath + "/")):
            anchor = anchor.parent
        if anchor is None:
            return self._first(gpath)
        node = anchor
        for name in gpath[len(anchor.gpath):].strip("/").split("/") if gpath != anchor.gpath else []:
            kids = node.kids.get(name)
            if not kids:
                return None
            node = kids[0]
        return node




def _items_document(items: list[list[tuple[str, str]]]) -> Node:
    """An entity list as the instance a form reads: <root><item><name/><label/>...</item></root>."""
    root = Node("root")
    for pairs in items:
        item = root.append(Node("item"))
        for key, value in pairs:
            item.append(Node(key)).value = value
    return document(root)
