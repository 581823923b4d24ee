"""The dependency graph's promise: recomputing only what an answer touches gives exactly the
state a full computation gives. Random answer sequences (with repeat instances added and
removed) on real forms are replayed, then the session is compared with a fresh one opened from
its draft XML (which computes everything)."""

from __future__ import annotations

import random

import pytest

from waypoint_core.xform import AnswerError, FormDefinition
from waypoint_core.xform.autofill import _Filler, _questions
from tests.core.xform.conftest import new_session
from tests.corpus import corpus_path, params

CORPUS = corpus_path("xforms")
FORMS = ["htcds_core_2.0.xml", "enketo_widgets.xml", "enketo_bench7.xml", "enketo_bench3.xml", "enketo_bench4.xml",
         "enketo_bench5.xml", "jr_whova_form.xml", "enketo_bench9.xml",
         "jr_child_vaccination_VOL_tool_v12.xml", "enketo_sdiprofile.xml"]


def _state(session) -> dict:
    # values and relevance everywhere; the rest only where it can be seen (work on hidden
    # questions is put off until they are shown again)
    return {session.ref_of(n): (n.value, n.relevant) + ((n.required, session.is_readonly(n), n.valid)
                                                        if n.relevant else ())
            for n in session.root.iter()}


def _add_or_remove_repeat(session, rng, repeat_path: str) -> None:
    instances = session._by_gpath.get(repeat_path, [])
    if instances and rng.random() < 0.5:
        session.remove_repeat(session.ref_of(rng.choice(instances)))
        return
    parents = session._by_gpath.get(repeat_path.rsplit("/", 1)[0], [])
    if parents:
        session.add_repeat(f"{session.ref_of(rng.choice(parents))}/{repeat_path.rsplit('/', 1)[1]}")


@pytest.mark.parametrize("path", params([CORPUS / n for n in FORMS]))
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_recompute_equals_full_recompute(path, seed):
    definition = FormDefinition.from_xml(path.read_bytes())
    session = new_session(definition)
    filler = _Filler(session)
    rng = random.Random(seed)
    refs = [item.ref for item in _questions(session.items())]
    repeats = list(definition.repeats)
    for _ in range(150):
        if repeats and rng.random() < 0.05:
            _add_or_remove_repeat(session, rng, rng.choice(repeats))
            refs = [item.ref for item in _questions(session.items())]
            continue
        ref = rng.choice(refs)
        try:
            node = session.node(ref)
            candidates = filler.candidates(session.item(ref), node) + [None]
            session.answer(ref, rng.choice(candidates))
        except AnswerError:
            continue  # readonly, calculated, or a choice filtered out: refused, nothing changed
    draft = session.to_instance_xml(include_nonrelevant=True)
    reopened = new_session(definition, instance_xml=draft)
    assert _state(reopened) == _state(session)
    assert reopened.to_instance_xml() == session.to_instance_xml()


@pytest.mark.parametrize("path", params([CORPUS / n for n in ("jr_whova_form.xml", "enketo_bench4.xml",
                                                                "enketo_widgets.xml",
                                                                "jr_child_vaccination_VOL_tool_v12.xml")]))
def test_change_set_names_every_ref_whose_state_changed(path):
    # the renderer refreshes only what a ChangeSet names: nothing that changed may be missing
    definition = FormDefinition.from_xml(path.read_bytes())
    session = new_session(definition)
    filler = _Filler(session)
    rng = random.Random(7)
    refs = [item.ref for item in _questions(session.items())]

    def snapshot():
        return {session.ref_of(n): (n.value, n.relevant) + ((n.required, n.readonly, n.valid) if n.relevant else ())
                for n in session.root.iter()}
    for _ in range(80):
        ref = rng.choice(refs)
        try:
            value = rng.choice(filler.candidates(session.item(ref), session.node(ref)) + [None])
            before = snapshot()
            changes = session.answer(ref, value)
        except AnswerError:
            continue
        after = snapshot()
        changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
        assert changed <= changes.changed_refs, (ref, value, changed - changes.changed_refs)
