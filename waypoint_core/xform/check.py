"""`forms check` for one file: load, auto-fill to a valid finalized instance, time a recompute.

A form passes only if it fills to a finalized record and the engine runs everything in it as ODK
Collect does: what it does not is listed in `unsupported` (each with its question) and fails the
check, as it refuses the install; what Collect ignores too is listed in `warnings`.

Several files are checked as one team's set (check_forms): a CSV attachment named after an entity list that
one of them makes (ODK Central's datasets) is that list, filled with the entities the checked registration
forms made, as a follow-up form on the laptop reads the entities registrations made there.

Used by `waypoint forms check`, the corpus tests and bench/bench_forms.py, so all three measure
the same thing. The recompute is timed on the question most other expressions read (the most
"widely referenced" answer), alternating between two valid values 20 times; each timing covers
answer() and re-reading session.item(ref) for every ref in its ChangeSet, as a renderer would.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from collections.abc import Iterator, Sequence

from waypoint_core.xform.autofill import _Filler, autofill
from waypoint_core.xform.definition import FormDefinition
from waypoint_core.xform.entities import FormEntity, declared_datasets, entity_lists, form_entities, spec_from_xform
from waypoint_core.xform.media import mark_entity_lists
from waypoint_core.xform.errors import AnswerError, FormError
from waypoint_core.xform.heap import form_closed, form_opened
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


def check_forms(paths: Sequence[str | Path], *, media_dir: str | Path | None = None) -> Iterator[dict]:
    """check_form for each file, in the order given, as one set: the forms that make entities first feed the
    entity lists of the others (a follow-up form's `trees.csv` is the entities a checked registration made)."""
    loaded: list[tuple[str | Path, tuple[str | bytes, float] | OSError | XLSFormError]] = []
    makers: list[int] = []  # the forms that make entities: checked first
    datasets: set[str] = set()
    for path in paths:
        try:
            text, convert_ms = load_form_text(path)
        except (OSError, XLSFormError) as exc:
            loaded.append((path, exc))
            continue
        made = _datasets(_as_text(text))
        if made:
            makers.append(len(loaded))
            datasets |= made
        loaded.append((path, (text, convert_ms)))  # bytes stay bytes: the parser reads their encoding
    order = makers + [i for i in range(len(loaded)) if i not in makers]
    events: list[tuple[str, str, FormEntity]] = []
    results: dict[int, dict] = {}
    for i in order:
        path, got = loaded[i]
        results[i] = check_form(path, media_dir=media_dir, loaded=got, entity_datasets=datasets,
                                entities=entity_lists(events), entities_made=events)
    for i in range(len(loaded)):
        yield results[i]


def _as_text(text: str | bytes) -> str:
    return text if isinstance(text, str) else text.decode("utf-8", "replace")


def _datasets(xml: str) -> set[str]:
    """The entity lists a form makes (no XML parse for the forms that declare no entities)."""
    return declared_datasets(xml) if "entities-version" in xml else set()


def check_form(path: str | Path, *, media_dir: str | Path | None = None,
               loaded: tuple[str | bytes, float] | OSError | XLSFormError | None = None,
               entity_datasets: set[str] | None = None,
               entities: dict[str, list[list[tuple[str, str]]]] | None = None,
               entities_made: list[tuple[str, str, FormEntity]] | None = None) -> dict:
    """One file (check_forms passes what it already loaded, the entity lists of the set, and a list that
    receives the entities this form's finalized record makes)."""
    result: dict = {"form": Path(path).name, "status": "fail", "binds": 0, "load_ms": None,
                    "recompute_median_ms": None, "recompute_max_ms": None, "unsupported": []}
    opened: tuple[FormDefinition, FormSession] | None = None
    try:
        if isinstance(loaded, Exception):
            raise loaded
        text, convert_ms = loaded if loaded is not None else load_form_text(path)
        if convert_ms:
            result["convert_ms"] = round(convert_ms, 1)
        xml = _as_text(text)
        # from check_forms, the set's lists (this form's among them); alone, this form's own
        lists = entity_datasets if entity_datasets is not None else _datasets(xml)
        if lists:
            marked_xml, marked = mark_entity_lists(xml, lists, media_dir)
            if marked:
                text = marked_xml
                result["entity_lists"] = marked
        start = time.perf_counter()
        definition = FormDefinition.from_xml(text, media_dir=media_dir)
        session = FormSession(definition, metadata=CHECK_METADATA, entities=entities)
        result["load_ms"] = round((time.perf_counter() - start) * 1000, 1)
        # filled and timed as the form screen runs it (heap.py), and freed at once after, so a set of forms
        # checked in one process times each without the garbage of those before it
        form_opened()
        opened = (definition, session)
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
            instance = session.to_instance_xml()
            result["status"] = "pass"
            spec = spec_from_xform(xml) if entities_made is not None and "entities-version" in xml else None
            if spec is not None and entities_made is not None:
                made = form_entities(spec, instance)
                entities_made.extend((change.dataset, f"check:{result['form']}", change) for change in made)
        timings = measure_recompute(session)
        if timings:
            result["recompute_ref"] = timings[0]
            result["recompute_median_ms"] = round(statistics.median(timings[1]), 3)
            result["recompute_max_ms"] = round(max(timings[1]), 3)
    except (FormError, XLSFormError, OSError) as exc:
        result["error"] = str(exc)
    except AnswerError as exc:
        result["error"] = f"auto-fill was refused an answer: {exc}"
    finally:
        if opened is not None:
            opened[1].close()
            opened[0].close()
            form_closed()
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


__all__ = ["check_form", "check_forms", "measure_recompute", "widely_referenced"]
