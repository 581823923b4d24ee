"""Repeat instances: adding, removing, and sizing them from jr:count (FormSession's repeat side).

A new instance is copied from the repeat's prototype (its jr:template, or its first element),
gets its odk-new-repeat actions and its own computations, then everything reading the repeat
(count(), position(), sums over it) is recomputed through the dependency graph.
"""

from __future__ import annotations

from waypoint_core.xform.changes import ChangeSet
from waypoint_core.xform.errors import AnswerError
from waypoint_core.xform.nodes import Node
from waypoint_core.xform.xpath_eval import Ctx, to_string


class RepeatsMixin:
    def add_repeat(self, ref: str) -> ChangeSet:
        """Add an instance at the end of the repeat `ref` (e.g. /data/hh or /data/hh[2]/child)."""
        parent, name, gpath = self._repeat_parent(ref)
        changes = ChangeSet()
        new = self._instantiate(self._prototypes[gpath])
        siblings = parent.kids.get(name)
        if siblings:
            parent.insert_after(new, siblings[-1])
        else:
            self._insert_in_template_order(parent, new)
        self._reindex()
        self._update_relevance(new, changes)
        graph = self.definition.graph
        new_nodes = {id(n) for n in new.iter()}
        for v in graph.vertices:
            if v.path == gpath or v.path.startswith(gpath + "/"):
                for node in self._by_gpath.get(v.path, ()):
                    if id(node) in new_nodes:
                        self._eval_vertex(v, node, changes)
        for sv in self.definition.setvalues:
            if "odk-new-repeat" in sv.event and sv.ref.startswith(gpath + "/"):
                self._run_setvalue(sv, new, changes)
        changes.structure.add(f"{self.ref_of(parent)}/{name}")
        self._propagate(graph.descendants.get(gpath, (gpath,)), changes, reshaped=gpath)
        self.audit.record("add repeat", node=self.ref_of(new))
        return self._finish(changes)

    def remove_repeat(self, ref: str) -> ChangeSet:
        """Remove the repeat instance at `ref` (e.g. /data/hh[2])."""
        node = self.node(ref)
        if node.gpath not in self.definition.repeats:
            raise AnswerError("not a repeat instance", ref=ref)
        parent = node.parent
        changes = ChangeSet()
        self.audit.record("delete repeat", node=ref)
        parent.remove(node)
        for gone in node.iter():
            self._stale.pop(gone, None)
        self._reindex()
        changes.structure.add(f"{self.ref_of(parent)}/{node.name}")
        self._propagate(self.definition.graph.descendants.get(node.gpath, (node.gpath,)), changes,
                        reshaped=node.gpath)
        return self._finish(changes)

    def repeat_count(self, ref: str) -> int | None:
        """The number of instances the repeat's jr:count asks for now, or None if it has none."""
        parent, name, gpath = self._repeat_parent(ref)
        control = self.definition.repeats[gpath]
        if control.count is None:
            return None
        existing = parent.kids.get(name)
        context = existing[0] if existing else Node(name)
        if not existing:
            context.parent = parent
            context.gpath = gpath
        x = control.count.fn(Ctx(context, self))
        n = to_string(x) if isinstance(x, list) else x
        try:
            count = float(n)
        except (TypeError, ValueError):
            return 0
        return 0 if count != count or count < 0 else min(int(count), 10_000)

    def apply_repeat_count(self, ref: str) -> ChangeSet:
        """Reached a counted repeat: add trailing instances up to jr:count, once.

        Evaluated only when asked (as Collect does when the user reaches the repeat), so a count
        such as count(household) + 1 grows by one each time it is applied, never in a loop. A count
        that went down removes nothing: JavaRosa only creates instances below the count
        (FormEntryModel.createModelIfNecessary) and ODK's docs say so, to avoid losing answers to a
        mistyped count; the person removes the entries beyond it (the renderer offers Remove there).
        """
        parent, name, gpath = self._repeat_parent(ref)
        wanted = self.repeat_count(ref)
        changes = ChangeSet()
        if wanted is None:
            return self._finish(changes)
        prefix = self.ref_of(parent)
        while len(parent.kids.get(name, ())) < wanted:
            changes.merge(self.add_repeat(f"{prefix}/{name}"))
        return self._finish(changes)

    def _repeat_parent(self, ref: str):
        steps = ref.rstrip("/").rsplit("/", 1)
        name = steps[1].split("[", 1)[0]
        parent = self.node(steps[0]) if steps[0] else None
        if parent is None:
            raise AnswerError("not a repeat", ref=ref)
        gpath = f"{parent.gpath}/{name}"
        if gpath not in self.definition.repeats:
            raise AnswerError("not a repeat", ref=ref)
        return parent, name, gpath

    def _insert_in_template_order(self, parent: Node, new: Node) -> None:
        proto_parent = self._prototypes[new.gpath].parent
        order = [c.name for c in proto_parent.children] if proto_parent is not None else []
        rank = order.index(new.name) if new.name in order else len(order)
        for child in parent.children:
            if child.name in order and order.index(child.name) > rank:
                parent.children.insert(parent.children.index(child), new)
                new.parent = parent
                parent.kids.setdefault(new.name, []).append(new)
                return
        parent.append(new)

