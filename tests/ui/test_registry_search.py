"""Find a person through the real widgets: results as you type, ranked, each with why it matched (English and
French), the keyboard path from the box to a record, and the question a new registration asks before it is
finalized when it looks like someone already registered."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt

from desktop_app.ui.registry_search import MATCH, NAME, SHORT_ID, WHY, DuplicateQuestion
from tests.access.team import ADMIN, FIELD, MIGRANT, PERSON, make_team, sign_in, signed_in
from tests.registry.device_people import person_xml, save, uid

pytestmark = pytest.mark.gui


@pytest.fixture
def team_app(open_window, isolated_home, xforms):
    folder = make_team(isolated_home / "team-vault", xforms)
    with signed_in(folder, FIELD) as vault:
        save(vault, [(1, person_xml(uid(1), "عثمان", "Diallo", document="NE 4455-667")),
                     (2, person_xml(uid(2), "Moussa", "Diallo")),
                     (3, person_xml(uid(3), "Aïcha", "Bello", sex="female", born="1999-04-02"))])
    app = open_window(folder)
    return app, folder



def cell(area, row, column):
    return area.model.index(row, column).data()


def test_results_as_you_type_ranked_with_why_in_english_and_french(qtbot, qtmodeltester, team_app):
    app, _ = team_app
    sign_in(qtbot, app, FIELD)
    area = app.window.search_area
    area.action.trigger()
    page = area.page
    assert app.window.stack.currentWidget() is page and page.box.hasFocus()
    qtbot.keyClicks(page.box, "Ousmane Dial")  # still typing the family name
    qtbot.waitUntil(lambda: area.model.rowCount() >= 1 and page.outcome.text == "Ousmane Dial"
                    and page.outcome.complete, timeout=10_000)
    assert cell(area, 0, NAME) == "P1" and cell(area, 0, SHORT_ID) == uid(1).replace("-", "")[:8].upper()
    qtbot.keyClicks(page.box, "lo")
    qtbot.waitUntil(lambda: page.outcome.text == "Ousmane Diallo" and page.outcome.complete, timeout=10_000)
    assert cell(area, 0, NAME) == "P1"
    assert "Arabic/Latin transliteration" in cell(area, 0, WHY)
    assert int(cell(area, 0, MATCH).split()[0]) >= 90
    assert "found" in page.summary.text()
    qtmodeltester.check(area.model)

    app.window.set_language("fr")
    qtbot.waitUntil(lambda: page.heading.text() == "Trouver une personne", timeout=5_000)
    assert "translittération" in cell(area, 0, WHY) and cell(area, 0, WHY).startswith("nom : 2 mots")
    assert area.model.headerData(WHY, Qt.Orientation.Horizontal) == "Pourquoi elle correspond"
    app.window.set_language("en")

    page.box.clear()
    qtbot.keyClicks(page.box, "ne4455667")
    qtbot.waitUntil(lambda: page.outcome is not None and page.outcome.text == "ne4455667" and page.outcome.complete,
                    timeout=10_000)
    assert [cell(area, r, WHY) for r in range(area.model.rowCount())] == ["same document number"]

    page.box.clear()
    qtbot.keyClicks(page.box, "Zebulon Krakowski")
    qtbot.waitUntil(lambda: page.outcome is not None and page.outcome.text == "Zebulon Krakowski"
                    and page.outcome.complete, timeout=10_000)
    assert area.model.rowCount() == 0 and page.body.currentWidget() is page.empty


def test_first_results_show_at_once_then_the_refined_search_replaces_them(qtbot, team_app):
    """The first stage (exact keys) is shown as soon as it arrives, saying that other spellings are being looked
    for; the refined search (close spellings) follows on the same database thread and replaces it."""
    app, _ = team_app
    sign_in(qtbot, app, FIELD)
    area = app.window.search_area
    area.action.trigger()
    page = area.page
    shown = []
    original = page.show_outcome
    page.show_outcome = lambda outcome: (shown.append(outcome), original(outcome))
    qtbot.keyClicks(page.box, "Mouqsa Diallo")  # a typing error: its key is one edit from Moussa's
    qtbot.waitUntil(lambda: page.outcome is not None and page.outcome.text == "Mouqsa Diallo"
                    and page.outcome.complete, timeout=10_000)
    stages = [(o.complete, [r.record_id for r in o.results]) for o in shown if o.text == "Mouqsa Diallo"]
    assert stages == [(False, []), (True, [uid(2)])]
    assert cell(area, 0, NAME) == "P2" and "looking" not in page.summary.text()

    page.show_outcome(shown[0])  # how the first stage reads, in English and French
    assert page.summary.text() == "0 people found · looking for other spellings…"
    assert page.body.currentWidget() is page.empty and page.empty.text().startswith("No exact match yet.")
    app.window.set_language("fr")
    qtbot.waitUntil(lambda: page.heading.text() == "Trouver une personne", timeout=5_000)
    assert page.summary.text().endswith("recherche d'autres orthographes…")
    assert page.empty.text().startswith("Aucune correspondance exacte")
    app.window.set_language("en")


def test_the_keyboard_goes_from_the_box_to_a_record_and_a_lock_clears_everything(qtbot, team_app):
    app, _ = team_app
    sign_in(qtbot, app, FIELD)
    area = app.window.search_area
    area.open()
    page = area.page
    qtbot.keyClicks(page.box, "Aisha")
    qtbot.waitUntil(lambda: page.outcome is not None and page.outcome.text == "Aisha", timeout=10_000)
    assert cell(area, 0, NAME) == "P3"
    qtbot.keyClick(page.box, Qt.Key.Key_Down)
    assert page.table.hasFocus() and page.table.currentIndex().row() == 0
    qtbot.keyClick(page.table, Qt.Key.Key_Escape)
    assert page.box.hasFocus()
    qtbot.keyClick(page.box, Qt.Key.Key_Return)  # Enter on the box opens the best result: their case file
    case_page = app.window.casefile_area.page
    qtbot.waitUntil(lambda: case_page.case is not None and case_page.case.person.record_id == uid(3),
                    timeout=10_000)
    assert app.window.stack.currentWidget() is case_page  # tests/ui/test_casefile.py
    app.window.lock()
    qtbot.waitUntil(lambda: not app.controller.is_unlocked, timeout=10_000)
    assert page.box.text() == "" and area.model.rowCount() == 0 and not area.action.isEnabled()


def test_a_new_registration_like_someone_registered_asks_before_finalizing(qtbot, team_app):
    app, folder = team_app
    with signed_in(folder, ADMIN) as vault:
        save(vault, [(7, person_xml(uid(7), "Testperson", "Synthetic", sex="female", born="2000-01-15",
                                    nationality="ML", document="ML 445-1290"))])
    sign_in(qtbot, app, ADMIN)
    with qtbot.waitSignal(app.forms.screen_opened, timeout=30_000) as opened:
        app.forms.start_new(MIGRANT)
    screen = opened.args[0]
    for ref, value in {**PERSON, "identity/id_document_type": "passport",
                       "identity/id_document_number": "ML4451290"}.items():
        screen.session.answer(f"/data/{ref}", value)
    assert screen.session.validate() == []
    screen.finalize()
    qtbot.waitUntil(lambda: screen.findChild(DuplicateQuestion) is not None, timeout=10_000)
    question = screen.findChild(DuplicateQuestion)
    assert "may already be registered" in question.text()
    assert "P7" in question.informativeText() and "same document number" in question.informativeText()
    assert re.search(r"^• P7 \(\w+\): \d+ % — same document number", question.informativeText())
    app.window.set_language("fr")  # one translated line: French puts non-breaking spaces before ':' and '%'
    question.retranslate()
    assert re.search(r"^• P7 \(\w+\)\u00a0: \d+\u00a0% — même numéro de document", question.informativeText())
    app.window.set_language("en")
    question.retranslate()
    assert question.defaultButton() is question.back_button  # the safe answer is the default
    qtbot.mouseClick(question.back_button, Qt.MouseButton.LeftButton)
    assert screen.status == "new" and app.window.stack.currentWidget() is screen  # nothing finalized
    screen.finalize()
    qtbot.waitUntil(lambda: screen.findChild(DuplicateQuestion) is not None
                    and screen.findChild(DuplicateQuestion).isVisible(), timeout=10_000)
    with qtbot.waitSignal(screen.finalized, timeout=20_000):
        qtbot.mouseClick(screen.findChild(DuplicateQuestion).finalize_button, Qt.MouseButton.LeftButton)


def test_every_reason_matching_gives_is_said_in_french(qtbot, team_app):
    """The "already registered?" question lists the duplicate matcher's reasons: each has its French words, where
    "ages fit" and the "different …" reasons stayed in English in the French question."""
    import ast
    from pathlib import Path

    from desktop_app.ui.registry_search import reason_text
    from waypoint_core.registry import matching

    tree = ast.parse(Path(matching.__file__).read_text(encoding="utf-8"))
    said: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Reason" and len(node.args) >= 3:
            text = node.args[2]
            for part in (text.body, text.orelse) if isinstance(text, ast.IfExp) else (text,):
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    said.add(part.value)
    assert {"ages fit", "different sex", "same document number"} <= said
    app, _ = team_app
    app.window.set_language("fr")
    try:
        assert [r for r in sorted(said) if reason_text(r) == r] == []
    finally:
        app.window.set_language("en")


def test_a_case_closed_is_found_by_its_state_and_says_so_in_english_and_french(qtbot, team_app):
    """Issue 12: "Diallo clôturé" finds the Diallo whose case is closed and says "dossier clôturé" (in English "case
    closed"), where only draft and finalized were status words."""
    from desktop_app.services import casefile

    app, folder = team_app
    with signed_in(folder, FIELD) as vault:
        casefile.close_case(vault, uid(2), reason="onward")
    sign_in(qtbot, app, FIELD)
    area = app.window.search_area
    area.action.trigger()
    page = area.page
    qtbot.keyClicks(page.box, "Diallo closed")
    qtbot.waitUntil(lambda: page.outcome is not None and page.outcome.text == "Diallo closed"
                    and page.outcome.complete, timeout=10_000)
    assert area.model.rowCount() == 1 and cell(area, 0, NAME) == "P2"
    assert "case closed" in cell(area, 0, WHY)
    page.box.setText("Diallo clôturé")  # typed as a French keyboard gives it (QTest types ASCII keys only)
    qtbot.waitUntil(lambda: page.outcome.text == "Diallo clôturé" and page.outcome.complete, timeout=10_000)
    assert [cell(area, row, NAME) for row in range(area.model.rowCount())] == ["P2"]
    app.window.set_language("fr")
    try:
        qtbot.waitUntil(lambda: "dossier clôturé" in cell(area, 0, WHY), timeout=5_000)
    finally:
        app.window.set_language("en")
