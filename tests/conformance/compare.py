"""Comparing our engine's state with ODK's after every step, and the list of known differences.

Compared for every node after every step: whether it exists (repeat instances) and its relevance; for a
relevant leaf also its value, requiredness and whether its constraint holds. A hidden node's value is not
compared: ODK's JS engine reports every non-relevant value as blank, while JavaRosa keeps it in the instance
(TreeElement) and only reads it as empty (XPathPathExpr.getRefValue) and leaves it out of the record; its
requiredness and validity cannot be seen (our engine puts that work off until it is shown again). Values
that depend on the clock, chance or the device (scripts.unstable_properties) are left out.

A difference is named by (form, generic path, property) and reported once, at the first step that shows
it. Each must match an entry of known_differences.toml, which says who departs from JavaRosa (ODK Collect's
engine, the reference) and the JavaRosa source that shows it.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from tests.conformance.oracle import OracleRun
from tests.conformance.scripts import Script

KNOWN = Path(__file__).with_name("known_differences.toml")
_INDEX = re.compile(r"\[\d+\]")


@dataclass
class Difference:
    form: str
    path: str  # generic path (repeat positions dropped)
    prop: str  # exists | relevant | required | value | valid | load | op
    step: int
    ref: str
    ours: object
    theirs: object
    op: list = field(default_factory=list)

    def key(self) -> tuple[str, str, str]:
        return (self.form, self.path, self.prop)

    def __str__(self) -> str:
        return (f"{self.form} {self.ref} {self.prop}: ours {self.ours!r}, ODK JS {self.theirs!r} "
                f"(step {self.step}, after {self.op})")


@dataclass
class FormResult:
    form: str
    answers: int = 0  # steps after the loaded state
    agreed: int = 0  # steps (the loaded state included) where every compared node agreed
    steps: int = 0
    differences: list[Difference] = field(default_factory=list)


def generic(ref: str) -> str:
    return _INDEX.sub("", ref)


def compare(script: Script, oracle: OracleRun) -> FormResult:
    result = FormResult(script.name, answers=script.answers, steps=len(script.steps))
    if oracle.error is not None:
        result.differences.append(Difference(script.name, "", "load", 0, "", "loads", oracle.error))
        return result
    seen: set[tuple[str, str, str]] = set()
    for op, message in oracle.op_errors:
        diff = Difference(script.name, generic(str(op[1])), "op", -1, str(op[1]), "accepted", message, op)
        if diff.key() not in seen:
            seen.add(diff.key())
            result.differences.append(diff)
    for index, step in enumerate(script.steps):
        theirs = oracle.states.get(str(index))
        if theirs is None:
            result.differences.append(Difference(script.name, "", "load", index, "", "a state", "none (stopped)",
                                                 step.ops[:1]))
            break
        found = _compare_step(script, index, step, theirs)
        if not found:
            result.agreed += 1
        for diff in found:
            if diff.key() not in seen:
                seen.add(diff.key())
                result.differences.append(diff)
    return result


def _compare_step(script: Script, index: int, step, theirs: dict[str, tuple]) -> list[Difference]:
    found: list[Difference] = []
    ops = step.ops
    unstable = script.unstable

    def differ(ref: str, prop: str, ours, other) -> None:
        path = generic(ref)
        if (path, prop) not in unstable:
            found.append(Difference(script.name, path, prop, index, ref, ours, other, ops[:1]))

    ours = step.state
    for ref, (kind, relevant, required, value, valid) in theirs.items():
        if kind.startswith("repeat-range"):
            continue
        mine = ours.get(ref)
        if mine is None:
            differ(ref, "exists", False, True)
            continue
        if mine.relevant != relevant:
            differ(ref, "relevant", mine.relevant, relevant)
        if not mine.leaf or value is None or not (mine.relevant and relevant):
            continue
        if mine.value != value:
            differ(ref, "value", mine.value, value)
        if mine.required != required:
                differ(ref, "required", mine.required, required)
        if valid is not None and mine.valid != valid:
            differ(ref, "valid", mine.valid, valid)
    for ref in ours.keys() - theirs.keys():
        differ(ref, "exists", True, False)
    # a repeat instance one engine has and the other not: its own nodes are not differences of their own
    missing = {d.ref for d in found if d.prop == "exists"}
    return [d for d in found if not (d.prop == "exists" and _below_any(d.ref, missing))]


def _below_any(ref: str, refs: set[str]) -> bool:
    parent = ref.rsplit("/", 1)[0]
    while parent:
        if parent in refs:
            return True
        parent = parent.rsplit("/", 1)[0]
    return False


@dataclass
class Known:
    """An entry of known_differences.toml: which differences it covers (form glob; regular expressions on the
    generic path and, optionally, on our and ODK's values), who departs from JavaRosa and the source showing it."""

    form: str
    path: str
    prop: str
    who: str  # "oracle": ODK's JS engine departs from JavaRosa; "waypoint": ours does
    why: str
    evidence: str
    fix: str = ""  # who is fixing ours (e.g. "forms-sem"), for who = "waypoint"
    ours: str | None = None
    theirs: str | None = None
    matched: int = 0

    def matches(self, diff: Difference) -> bool:
        return fnmatch.fnmatchcase(diff.form, self.form) and re.fullmatch(self.path, diff.path) is not None \
            and self.prop in ("*", diff.prop) \
            and (self.ours is None or re.fullmatch(self.ours, str(diff.ours), re.S) is not None) \
            and (self.theirs is None or re.fullmatch(self.theirs, str(diff.theirs), re.S) is not None)


def load_known(path: Path = KNOWN) -> list[Known]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out = []
    for entry in data.get("difference", []):
        missing = {"form", "who", "why", "evidence"} - entry.keys()
        if missing:
            raise ValueError(f"{path.name}: an entry lacks {sorted(missing)}: {entry}")
        if entry["who"] not in ("oracle", "waypoint"):
            raise ValueError(f"{path.name}: who must be 'oracle' or 'waypoint': {entry}")
        unknown = entry.keys() - {"form", "path", "property", "who", "why", "evidence", "fix", "ours", "theirs"}
        if unknown:
            raise ValueError(f"{path.name}: unknown keys {sorted(unknown)}: {entry}")
        out.append(Known(entry["form"], entry.get("path", ".*"), entry.get("property", "*"), entry["who"],
                         entry["why"], entry["evidence"], entry.get("fix", ""), entry.get("ours"), entry.get("theirs")))
    return out


def classify(results: list[FormResult], known: list[Known]) -> tuple[list[tuple[Difference, Known]], list[Difference]]:
    """(listed differences with their entry, unlisted differences)."""
    listed, unlisted = [], []
    for result in results:
        for diff in result.differences:
            entry = next((k for k in known if k.matches(diff)), None)
            if entry is None:
                unlisted.append(diff)
            else:
                entry.matched += 1
                listed.append((diff, entry))
    return listed, unlisted
