"""What an answer changed (ChangeSet) and what blocks finalizing (Issue): the renderer's inputs.

A ChangeSet holds nodes internally and gives refs out, so a view refreshes only those refs.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Issue:
    """A question that blocks finalizing: kind is "required" or "constraint"."""

    ref: str
    kind: str
    message: str


@dataclass
class ChangeSet:
    """Nodes whose value, relevance, required, readonly, validity, choices or label changed;
    `structure` holds the refs of repeat lists (e.g. /data/household) whose instances were added
    or removed: re-read them with session.item(ref, deep=True)."""

    values: set = field(default_factory=set)
    relevance: set = field(default_factory=set)
    required: set = field(default_factory=set)
    readonly: set = field(default_factory=set)
    validity: set = field(default_factory=set)
    choices: set = field(default_factory=set)
    labels: set = field(default_factory=set)
    structure: set = field(default_factory=set)  # refs (str), not nodes
    session: object = None
    before_value: dict = field(default_factory=dict, repr=False)  # node -> value when first changed
    before_relevant: dict = field(default_factory=dict, repr=False)

    def merge(self, other: ChangeSet) -> None:
        for node, old in other.before_value.items():
            self.before_value.setdefault(node, old)
        for node, old in other.before_relevant.items():
            self.before_relevant.setdefault(node, old)
        for name in ("values", "relevance", "required", "readonly", "validity", "choices", "labels", "structure"):
            getattr(self, name).update(getattr(other, name))

    def _refs(self, nodes) -> set[str]:
        ref_of = self.session.ref_of
        return {n if isinstance(n, str) else ref_of(n) for n in nodes if isinstance(n, str) or n.parent is not None}

    @property
    def refs(self) -> dict[str, set[str]]:
        """{"values": {...}, "relevance": {...}, ...}: the instance refs per kind of change."""
        return {name: self._refs(getattr(self, name)) for name in
                ("values", "relevance", "required", "readonly", "validity", "choices", "labels", "structure")}

    @property
    def changed_refs(self) -> set[str]:
        """Every ref with any change: what a view re-reads with session.item(ref)."""
        # one pass over the union (showing a section names thousands of nodes, most in several kinds)
        every = self.values.union(self.relevance, self.required, self.readonly, self.validity, self.choices,
                                  self.labels)
        ref_of = self.session.ref_of
        out = {ref_of(n) for n in every if n.parent is not None}
        out |= self.structure
        return out

    def __bool__(self) -> bool:
        return any((self.values, self.relevance, self.required, self.readonly, self.validity, self.choices,
                    self.labels, self.structure))
