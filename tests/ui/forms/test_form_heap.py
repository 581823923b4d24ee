"""The form area opens a form with one collection and freezes the heap while the person fills it, so no full
collection walks the app and the form inside an answer; leaving the form closes its record and thaws the heap
(waypoint_core/xform/heap.py)."""

from __future__ import annotations

import gc

import pytest

from tests.ui.forms.test_laptop_place import _new_registration, _started

pytestmark = pytest.mark.gui


def test_the_heap_is_frozen_while_a_form_is_open_and_its_record_freed_when_it_closes(qtbot, make_app):
    app = _started(qtbot, make_app)
    assert gc.get_freeze_count() == 0
    screen = _new_registration(qtbot, app)
    assert gc.get_freeze_count() > 0
    session = screen.session
    assert session.main_doc.kids  # the record's tree, linked
    with qtbot.waitSignal(screen.close_requested, timeout=5_000):
        screen.close_form()  # nothing changed: it closes at once
    qtbot.waitUntil(lambda: app.window.stack.currentWidget() is app.window.registrations_page, timeout=5_000)
    assert app.forms.screen is None
    assert gc.get_freeze_count() == 0
    assert all(node.parent is None for node in session.main_doc.iter())  # closed: unlinked, freed without gc
