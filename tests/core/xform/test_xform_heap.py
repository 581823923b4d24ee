"""A closed form leaves nothing for the cyclic garbage collector, and the heap is frozen only while a form is
open (waypoint_core/xform/heap.py; docs/forms-engine.md, "Garbage collection")."""

from __future__ import annotations

import gc
import weakref

from waypoint_core.xform import form_closed, form_opened
from waypoint_core.xform.nodes import Node
from tests.core.xform.conftest import md_form, new_session

FORM = """
| survey |              |         |         |                  |
|        | type         | name    | label   | choice_filter    |
|        | select_one c | country | Country |                  |
|        | select_one t | town    | Town    | country=${country} |
|        | begin repeat | hh      | House   |                  |
|        | text         | name    | Name    |                  |
|        | end repeat   |         |         |                  |
| choices |           |       |       |         |
|         | list_name | name  | label | country |
|         | c         | ml    | Mali  |         |
|         | c         | ne    | Niger |         |
|         | t         | bko   | Bamako | ml     |
|         | t         | nia   | Niamey | ne     |
"""


def _trees(definition, session) -> list[weakref.ref]:
    nodes: list[Node] = [session.main_doc, session.node("/data/hh[2]/name"), definition.template,
                         *definition.instances.values()]
    return [weakref.ref(node) for node in nodes]


def test_a_closed_session_and_definition_are_freed_by_reference_counting():
    definition = md_form(FORM)
    session = new_session(definition)
    session.answer("/data/country", "ml")
    session.answer("/data/town", "bko")
    session.add_repeat("/data/hh")
    session.answer("/data/hh[2]/name", "Awa")
    trees = _trees(definition, session)
    assert len(definition.instances) >= 1  # the choice lists: secondary instances are unlinked too
    session.close()
    definition.close()
    gc.disable()  # only reference counting may free them
    try:
        del session, definition
        assert [ref() for ref in trees] == [None] * len(trees)
    finally:
        gc.enable()


def test_closing_twice_is_harmless():
    definition = md_form(FORM)
    session = new_session(definition)
    session.close()
    session.close()
    definition.close()
    definition.close()


def test_the_heap_is_frozen_while_a_form_is_open_and_thawed_once_the_last_one_closes():
    assert gc.get_freeze_count() == 0
    form_opened()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        form_opened()  # a second form opened before the first is closed
        form_closed()
        assert gc.get_freeze_count() >= frozen  # one is still open
    finally:
        form_closed()
    assert gc.get_freeze_count() == 0
    form_closed()  # more closes than opens change nothing
    assert gc.get_freeze_count() == 0
