"""Answers that cannot change (the form makes them read-only, a case file pins them, a restriction locks them) are
still read by keyboard and screen-reader users: reached by Tab in the form's order, never greyed, never editable.
Real engine, real widgets (the purged record's read-only view is covered in test_no_data_lost.py)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop_app.services import forms
from desktop_app.ui.forms.view import FormView
from waypoint_core.xform import FormDefinition, FormSession

pytestmark = pytest.mark.gui

LOCKING_FORM = """\
| survey |
| | type | name | label | read_only |
| | select_one yn | lock | Lock the answers? | |
| | select_one yn | fixed | Fixed choice | ${lock} = 'yes' |
| | select_multiple yn | many | Fixed ticks | ${lock} = 'yes' |
| | text | words | Fixed words | ${lock} = 'yes' |
| | select_one yn | always | Given by the form | yes |
| | text | after | Last question | |
| choices |
| | list_name | name | label |
| | yn | yes | Yes |
| | yn | no | No |
"""


def tab_walk(qtbot, view: FormView, first) -> list:
    """The widgets Tab reaches from `first` up to the page's Previous/Next buttons."""
    first.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is first, timeout=5_000)
    walked = [first]
    while QApplication.focusWidget() not in (view.previous_button, view.next_button) and len(walked) < 40:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        walked.append(QApplication.focusWidget())
    return walked


def test_read_only_answers_are_reached_by_tab_and_cannot_change_until_the_form_frees_them(qtbot, tmp_path):
    source = tmp_path / "locking.md"
    source.write_text(LOCKING_FORM, encoding="utf-8")
    definition = FormDefinition.from_xml(forms.validate_form_file(source).xform)
    view = FormView(session=FormSession(definition))
    qtbot.addWidget(view)
    view.resize(1100, 800)
    view.show()
    qtbot.waitExposed(view)
    session, field = view.session, (lambda name: view.field(f"/data/{name}"))
    view.apply(session.answer("/data/fixed", "no"))
    view.apply(session.answer("/data/many", "yes no"))
    view.apply(session.answer("/data/words", "kept as typed"))
    view.apply(session.answer("/data/lock", "yes"))

    walked = tab_walk(qtbot, view, field("lock").answer_widget())
    for name, shown in (("fixed", "No"), ("many", "Yes, No"), ("words", "kept as typed"), ("always", "")):
        target = field(name).answer_widget()
        assert target in walked, name  # greyed and skipped by Tab before
        assert target.isEnabled() and target.isVisible() and target.isReadOnly(), name
        assert target.text() == shown and target.accessibleName().startswith(field(name).label_text), name
    order = [walked.index(field(n).answer_widget()) for n in ("lock", "fixed", "many", "words", "always", "after")]
    assert order == sorted(order)  # the form's order
    assert not field("fixed").clear_button.isVisible() and not field("fixed").focus_target().isVisible()
    assert field("always").answer_widget().placeholderText() == "No answer"
    for name in ("fixed", "many", "words", "always"):
        target = field(name).answer_widget()
        target.setFocus(Qt.FocusReason.TabFocusReason)
        for key in (Qt.Key.Key_Space, Qt.Key.Key_Down, Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            qtbot.keyClick(target, key)
        qtbot.keyClicks(target, "x")
        assert session.value(f"/data/{name}") == {"fixed": "no", "many": "yes no", "words": "kept as typed",
                                                  "always": ""}[name]

    view.apply(session.answer("/data/lock", "no"))  # the form frees them: the controls come back, enabled
    fixed = field("fixed")
    assert fixed.frozen_line is None and fixed.focus_target().isVisible() and fixed.focus_target().isEnabled()
    assert fixed.clear_button.isVisible() and not field("words").answer_widget().isReadOnly()
    assert field("always").frozen_line is not None  # still read-only
    qtbot.mouseClick(fixed.choice_button("yes"), Qt.MouseButton.LeftButton, pos=fixed.choice_button("yes").rect().center())
    assert session.value("/data/fixed") == "yes"
