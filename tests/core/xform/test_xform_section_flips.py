"""Showing or hiding a whole section does each thing once (docs/forms-engine.md, Speed): the conditions and
labels inside it are not re-run for what flips with it, a condition many questions share is evaluated once
per recompute, a question's own checks are not re-run for its own relevance, and item() hands out again the
Item of a state a question was in. Each must leave exactly the state a full computation gives: the session
is compared with a fresh one opened from its draft (which computes everything), Items included."""

from __future__ import annotations

import random

import pytest

from waypoint_core.xform import AnswerError, FormDefinition
from waypoint_core.xform.autofill import _Filler, _questions, autofill
from waypoint_core.xform.check import widely_referenced
from tests.core.xform.conftest import md_form, new_session
from tests.corpus import corpus_path, params

SECTION = """
| survey  |               |         |         |                           |            |            |                          |
|         | type          | name    | label   | relevant                  | required   | constraint | calculation              |
|         | select_one yn | open    | Open?   |                           |            |            |                          |
|         | integer       | outside | Outside |                           |            |            |                          |
|         | begin group   | sec     | Section | ${open} = 'yes'           |            |            |                          |
|         | text          | a       | A       |                           |            |            |                          |
|         | text          | b       | B       | ${a} = 'x'                | true()     |            |                          |
|         | text          | c       | C       | ${a} = 'x'                |            |            |                          |
|         | text          | d       | D       | ${outside} > 5            |            |            |                          |
|         | calculate     | k       |         |                           |            |            | concat(${a}, ${outside}) |
|         | text          | e       | E ${k}  | ${k} != ''                |            |            |                          |
|         | integer       | f       | F       |                           | ${a} = 'x' | . > 3      |                          |
|         | begin group   | inner   | Inner   | ${f} > 10                 |            |            |                          |
|         | text          | g       | G       | ${b} != ''                |            |            |                          |
|         | end group     |         |         |                           |            |            |                          |
|         | end group     |         |         |                           |            |            |                          |
|         | text          | h       | H       | ${a} = 'x' or ${c} != ''  |            |            |                          |
| choices |               |         |         |                           |            |            |                          |
|         | list_name     | name    | label   |                           |            |            |                          |
|         | yn            | yes     | Yes     |                           |            |            |                          |
|         | yn            | no      | No      |                           |            |            |                          |
"""


def _state(session) -> dict:
    # values and relevance everywhere; the rest only where it can be seen (work on hidden questions is put
    # off until they are shown again), and the Item the renderer would read
    return {session.ref_of(n): (n.value, n.relevant) + ((n.required, session.is_readonly(n), n.valid,
                                                         session.item(session.ref_of(n)))
                                                        if n.relevant else ())
            for n in session.root.iter() if n.parent is not None}


def _same_as_full_recompute(session) -> None:
    reopened = new_session(session.definition, instance_xml=session.to_instance_xml(include_nonrelevant=True))
    assert _state(session) == _state(reopened)


def test_a_section_shown_again_reads_what_changed_while_it_was_hidden():
    s = new_session(md_form(SECTION))
    s.answer("/data/open", "yes")
    s.answer("/data/sec/a", "x")
    s.answer("/data/sec/b", "filled")
    s.answer("/data/sec/f", 12)
    assert all(s.item(f"/data/sec/{q}").relevant for q in ("b", "c", "e", "inner", "inner/g"))
    assert not s.item("/data/sec/d").relevant
    shown = {ref: s.item(ref) for ref in ("/data/sec/b", "/data/sec/c", "/data/sec/f", "/data/sec/inner/g")}
    _same_as_full_recompute(s)

    # a group's own state is kept by ref; its subtree is still there for whoever asks for it
    assert s.item("/data/sec").children == []
    assert [child.ref for child in s.item("/data/sec", deep=True).children][:2] == ["/data/sec/a", "/data/sec/b"]

    hidden = s.answer("/data/open", "no")
    assert {"/data/sec", "/data/sec/b", "/data/sec/inner/g"} <= hidden.refs["relevance"]
    assert not s.item("/data/sec/b").relevant and not s.item("/data/sec/inner/g").relevant
    assert not s.item("/data/h").relevant  # a and c read as empty while hidden
    _same_as_full_recompute(s)

    # shown again with nothing changed meanwhile: the same state, the same Items
    s.answer("/data/open", "yes")
    assert {ref: s.item(ref) for ref in shown} == shown
    assert s.item("/data/h").relevant
    _same_as_full_recompute(s)

    # changed while hidden, inside (a) and outside (outside) the section: shown again, it reads them
    s.answer("/data/open", "no")
    s.answer("/data/outside", 9)
    s.answer("/data/sec/a", "y")
    assert not s.item("/data/sec/d").relevant
    s.answer("/data/open", "yes")
    assert s.item("/data/sec/d").relevant
    assert not s.item("/data/sec/b").relevant and not s.item("/data/sec/c").relevant
    assert not s.item("/data/sec/inner/g").relevant  # b is hidden: reads as empty
    assert not s.item("/data/sec/f").required
    assert s.item("/data/sec/e").label == "E y9"
    _same_as_full_recompute(s)

    # an answer breaking a constraint while hidden is found invalid once shown
    s.answer("/data/open", "no")
    s.answer("/data/sec/f", 2)
    s.answer("/data/open", "yes")
    assert not s.item("/data/sec/f").valid and not s.item("/data/sec/inner").relevant
    _same_as_full_recompute(s)


def test_one_condition_shared_by_many_questions_follows_a_value_computed_in_the_same_recompute(form):
    s = form("""
    | survey |           |      |       |                  |                 |
    |        | type      | name | label | relevant         | calculation     |
    |        | integer   | n    | N     |                  |                 |
    |        | text      | p    | P     | ${twice} > 10    |                 |
    |        | calculate | twice |      |                  | ${n} * 2        |
    |        | text      | q    | Q     | ${twice} > 10    |                 |
    |        | calculate | big  |       |                  | if(${twice} > 10, 'yes', 'no') |
    |        | text      | r    | R     | ${big} = 'yes'   |                 |
    """)
    for n, shown in ((3, False), (6, True), (5, False), (None, False), (11, True)):
        s.answer("/data/n", n)
        assert [s.item(f"/data/{q}").relevant for q in "pqr"] == [shown] * 3
        _same_as_full_recompute(s)


CORPUS = corpus_path("xforms")


@pytest.mark.parametrize("path", params([CORPUS / "enketo_bench6.xml", CORPUS / "enketo_bench12.xml"]))
def test_sections_hidden_and_shown_among_random_answers_equal_a_full_recompute(path):
    # bench6's most widely read answer shows or hides the whole form: toggled between random answers,
    # some of them given to questions inside the hidden section
    definition = FormDefinition.from_xml(path.read_bytes())
    session = new_session(definition)
    autofill(session)
    filler = _Filler(session)
    rng = random.Random(5)
    refs = [item.ref for item in _questions(session.items())]
    switches = widely_referenced(session)[:3]
    for step in range(120):
        ref = rng.choice(switches) if step % 6 == 0 else rng.choice(refs)
        try:
            candidates = filler.candidates(session.item(ref), session.node(ref)) + [None]
            session.answer(ref, rng.choice(candidates))
        except AnswerError:
            continue
        if step % 30 == 29:
            _same_as_full_recompute(session)
    _same_as_full_recompute(session)
