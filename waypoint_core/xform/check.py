"""`forms check` for one file: load, auto-fill to a valid finalized instance, time a recompute.

A form passes only if it fills to a finalized record and the engine runs everything in it as ODK
Collect does: what it does not is listed in `unsupported` (each with its question) and fails the
check, as it refuses the install; what Collect ignores too is listed in `warnings`.

Used by `waypoint forms check`, the corpus tests and bench/bench_forms.py, so all three measure
the same thing. The recompute is timed on the question most other expressions read (the most
"widely referenced" answer), alternating between two valid values 20 times; each timing covers
answer() and re-reading session.item(ref) for every ref in its ChangeSet, as a renderer would.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from waypoint_core.xform.autofill import _Filler, autofill
from waypoint_core.xform.definition import FormDefinition
from waypoint_core.xform.errors import AnswerError, FormError
from waypoint_core.xform.session import FormSession
from waypoint_core.xlsform import XLSFORM_SUFFIXES, XLSFormError, convert_xlsform

RECOMPUTE_CHANGES = 20
CHECK_METADATA = {"deviceid": "check:0000", "username": "forms-check", "email": "", "phonenumber": ""}


def load_form_text(path: str | Path) -> tuple[str | bytes, float]:
    """The XForm XML of a file (converting an XLSForm), and the conversion time in ms."""
    path = Path(path)
    if path.suffix.lower() in XLSFORM_SUFFIXES:
        start = time.perf_counter()
        xml = convert_xlsform(path).xform
        return xml, (time.perf_counter() - start) * 1000
    return Path(path).read_bytes(), 0.0


def check_form(path: str | Path, *, media_dir: str | Path | None = None) -> dict:
    result: dict = {"form": Path(path).name, "status": "fail", "binds": 0, "load_ms": None,
                    "recompute_median_ms": None, "recompute_max_ms": None, "unsupported": []}
    try:
        text, convert_ms = load_form_text(path)
        if convert_ms:
            result["convert_ms"] = round(convert_ms, 1)
        start = time.perf_counter()
        definition = FormDefinition.from_xml(text, media_dir=media_dir)
        session = FormSession(definition, metadata=CHECK_METADATA)
        result["load_ms"] = round((time.perf_counter() - start) * 1000, 1)
        result["binds"] = definition.bind_count
        result["unsupported"] = list(definition.unsupported)
        if definition.warnings:
            result["warnings"] = list(definition.warnings)  # ignored by Collect too: said, not failed
        result["answered"] = autofill(session)
        left = unanswered(session)
        if left:
            # optional questions no candidate value could satisfy: finalizing is still valid
            result["unanswered"] = left[:10]
        issues = session.finalize()
        if session.errors:
            result["error"] = f"{len(session.errors)} expressions failed while filling"
            result["issues"] = [str(e) for e in session.errors[:10]]
        elif issues:
            result["error"] = f"{len(issues)} answers still block finalizing"
            result["issues"] = [f"{i.ref}: {i.kind}: {i.message}" for i in issues[:10]]
        elif definition.unsupported:
            # it fills, but not as ODK Collect would record it: the truth, and why install refuses it
            result["error"] = (f"{len(definition.unsupported)} features of the form are not run as ODK Collect "
                               "runs them (see unsupported)")
        else:
            session.to_instance_xml()
            result["status"] = "pass"
        timings = measure_recompute(session)
        if timings:
            result["recompute_ref"] = timings[0]
            result["recompute_median_ms"] = round(statistics.median(timings[1]), 3)
            result["recompute_max_ms"] = round(max(timings[1]), 3)
    except (FormError, XLSFormError, OSError) as exc:
        result["error"] = str(exc)
    except AnswerError as exc:
        result["error"] = f"auto-fill was refused an answer: {exc}"
    return result


def unanswered(session) -> list[str]:
    """Relevant questions a person could answer that the auto-fill left empty."""
    out = []
    for node in session.root.iter():
        control = session.definition.controls.get(node.gpath)
        if control is None or control.kind in ("group", "repeat", "trigger") or node.children:
            continue
        if node.relevant and not node.value and not session.is_readonly(node) and \
                not (node.bind is not None and node.bind.calculate is not None):
            out.append(session.ref_of(node))
    return out


def reach(graph, gpath: str) -> int:
    """How many computations an answer at `gpath` can set off, directly or through others."""
    seen: set[int] = set()
    todo = list(graph.readers(gpath))
    while todo:
        i = todo.pop()
        if i in seen:
            continue
        seen.add(i)
        v = graph.vertices[i]
        if v.prop == "calculate":
            todo.extend(graph.readers(v.path))
        elif v.prop == "relevant":
            for below in graph.descendants.get(v.path, (v.path,)):
                todo.extend(graph.readers(below))
    return len(seen)


def widely_referenced(session) -> list[str]:
    """Answerable, relevant questions ordered by how many computations they set off (most first)."""
    graph = session.definition.graph
    scored = []
    for gpath, control in session.definition.controls.items():
        if control.kind in ("group", "repeat"):
            continue
        for node in session._by_gpath.get(gpath, ())[:1]:
            if node.relevant and not session.is_readonly(node) and not (node.bind and node.bind.calculate):
                scored.append((-reach(graph, gpath), node.order, session.ref_of(node)))
    return [ref for _, _, ref in sorted(scored)]


def measure_recompute(session, *, cpu: list[float] | None = None) -> tuple[str, list[float]] | None:
    """Time answer() on the most widely referenced question, alternating two valid values.
    Returns (ref, wall-clock ms per change); `cpu` (if given) receives this thread's CPU ms,
    which a busy shared machine disturbs less than the wall clock."""
    filler = _Filler(session)
    for ref in widely_referenced(session)[:5]:
        item = session.item(ref)
        node = session.node(ref)
        original = node.value
        values = []
        for candidate in filler.candidates(item, node):
            try:
                session.answer(ref, candidate)
            except AnswerError:
                continue
            if node.value and session.is_valid(ref) and node.value not in values:
                values.append(node.value)
            if len(values) == 2:
                break
        if not values:
            continue
        if len(values) == 1:
            values.append("")
        timings = []
        for i in range(RECOMPUTE_CHANGES):
            value = values[i % 2]
            start, start_cpu = time.perf_counter(), time.thread_time()
            changes = session.answer(ref, value)
            # what a renderer does next: re-read the state of every ref the answer changed
            for changed in changes.changed_refs:
                session.item(changed)
            timings.append((time.perf_counter() - start) * 1000)
            if cpu is not None:
                cpu.append((time.thread_time() - start_cpu) * 1000)
        session.answer(ref, original or None)
        return ref, timings
    return None


__all__ = ["check_form", "measure_recompute", "widely_referenced"]
