"""The review desk through the real widgets on a real vault: a coordinator sees the Review menu, resolves a conflict
answer by answer, finds duplicates in the background with progress, merges, undoes, says "not the same person",
and passes on a rejected change; lists are item models that load page by page; field staff never see the menu."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt

from desktop_app.records import review
from desktop_app.ui.desk_models import LOCAL, REMOTE, RESULT
from desktop_app.ui.desk_pages import advice_text
from desktop_app.vault import Vault
from desktop_app.vault.registrations import get_registration, get_registration_fields
from tests.access.team import COORD, FIELD, PASSPHRASES, make_team, sign_in
from tests.desk.people import new_id, pull_conflict, reject, save_event, save_people
from waypoint_core.access import consent
from waypoint_core.protocol import refusals
from waypoint_core.registry.person import PersonRecord

pytestmark = pytest.mark.gui


def people(n: int) -> list[PersonRecord]:
    """n pairs: the same person registered at Agadez and (spelt otherwise, names swapped, an age) at Arlit."""
    given = ["Mohamed", "Aïcha", "Ousmane", "Fatima", "Ibrahim", "Mariam", "Abdoulaye", "Hawa", "Moussa", "Zeinab"]
    family = ["Diallo", "Traoré", "Maïga", "Cissé", "Touré", "Keïta", "Sangaré", "Coulibaly", "Ouédraogo", "Barry"]
    alt = {"Mohamed": "Muhammad", "Aïcha": "Aisha", "Ousmane": "Usman", "Fatima": "Fatouma", "Ibrahim": "Ibrahima",
           "Mariam": "Maryam", "Abdoulaye": "Abdullahi", "Hawa": "Awa", "Moussa": "Musa", "Zeinab": "Zaynab"}
    out = []
    for i in range(n):
        g, f = given[i % 10], family[(i * 3 + i // 10) % 10]
        sex = "female" if i % 10 in (1, 3, 5, 7, 9) else "male"
        doc = f"A{1000000 + i * 7919:07d}"
        out.append(PersonRecord(id=new_id(), given_name=g, family_name=f, sex=sex, date_of_birth=date(1990 + i % 15,
                                1 + i % 12, 1 + i % 27), nationality="ML", document_number=doc, document_type="passport",
                                centre="ne_agadez", country="NE"))
        out.append(PersonRecord(id=new_id(), given_name=f, family_name=alt[g], sex=sex, age_years=2026 - 1990 - i % 15,
                                age_on=date(2026, 11, 20), nationality="ML", document_number=doc[:-1] + "9",
                                document_type="passport", centre="ne_arlit", country="NE"))
    return out


@pytest.fixture
def desk_app(open_window, tmp_path, xforms):
    folder = make_team(tmp_path / "desk-vault", xforms)
    vault = Vault.unlock(folder, username=COORD, passphrase=PASSPHRASES[COORD])
    try:
        crowd = people(30)
        save_people(vault, crowd)
        conflicted = crowd[0]
        pull_conflict(vault, conflicted, other_given_name="Mahamadou")
        event = save_event(vault, review.short_id(crowd[3].id))
        reject(vault, crowd[5].id, "this record belongs to another centre")
    finally:
        vault.close()
    app = open_window(folder, page_size=10)
    return app, folder, crowd, event



def test_field_staff_see_no_review_menu(qtbot, desk_app):
    app, *_ = desk_app
    sign_in(qtbot, app, FIELD)
    assert not app.window.desk.menu.isVisible()
    app.window.lock()
    qtbot.waitUntil(lambda: not app.controller.is_unlocked)
    sign_in(qtbot, app, COORD)
    assert app.window.desk.menu.isVisible()


def test_a_conflict_resolved_answer_by_answer(qtbot, qtmodeltester, desk_app):
    app, folder, crowd, _ = desk_app
    sign_in(qtbot, app, COORD)
    area = app.window.desk
    area.conflicts_action.trigger()
    page = area.conflicts_page
    qtbot.waitUntil(lambda: area.conflict_model.rowCount() == 1, timeout=20_000)
    qtmodeltester.check(area.conflict_model)
    assert page.isVisible() and page.table.hasFocus()
    assert page.title.text() == "Choose a conflict in the list."
    qtbot.keyClick(page.table, Qt.Key.Key_Down)  # keyboard: the first row opens
    qtbot.waitUntil(lambda: page.detail is not None, timeout=20_000)
    qtmodeltester.check(page.sides)
    rows = {page.sides.index(r, 0).data(): r for r in range(page.sides.rowCount())}
    row = rows["Given name(s)"]  # the form's label, not the internal name
    assert page.sides.index(row, LOCAL).data() == crowd[0].given_name
    assert page.sides.index(row, REMOTE).data() == "Mahamadou"
    # Take the server's given name, then correct it by typing.
    page.sides_table.setCurrentIndex(page.sides.index(row, REMOTE))
    qtbot.keyClick(page.sides_table, Qt.Key.Key_Return)
    assert page.sides.index(row, RESULT).data() == "Mahamadou"
    page.sides.setData(page.sides.index(row, RESULT), "Mahamadou Ali")
    assert page.sides.edits() == {"identity/given_name": "Mahamadou Ali"}
    app.window.set_language("fr")  # the questions follow the interface language; the result being typed stays
    qtbot.waitUntil(lambda: page.sides.index(row, 0).data() == "Prénom(s)", timeout=20_000)
    assert page.sides.edits() == {"identity/given_name": "Mahamadou Ali"}
    app.window.set_language("en")
    qtbot.waitUntil(lambda: page.sides.index(row, 0).data() == "Given name(s)", timeout=20_000)
    page.save_result.click()
    qtbot.waitUntil(lambda: area.conflict_model.rowCount() == 0 and page.status.isVisible(), timeout=20_000)
    # the list is empty: said so, not "Choose a conflict in the list" (found on a keyboard walk, 2026-12-08)
    qtbot.waitUntil(lambda: page.title.text().startswith("No conflict to decide."), timeout=20_000)
    app.window.lock()
    qtbot.waitUntil(lambda: not app.controller.is_unlocked and not app.controller.is_busy, timeout=20_000)
    vault = Vault.unlock(folder, username=COORD, passphrase=PASSPHRASES[COORD])
    try:
        record = get_registration(vault, crowd[0].id)
        assert "<given_name>Mahamadou Ali</given_name>" in record.content
        assert record.sync_state == "queued" and record.server_version == 1
        assert get_registration_fields(vault, crowd[0].id)["given_name"] == "Mahamadou Ali"
    finally:
        vault.close()


def test_duplicates_found_in_the_background_merged_undone_and_refused(qtbot, qtmodeltester, desk_app):
    app, folder, crowd, event = desk_app
    sign_in(qtbot, app, COORD)
    area = app.window.desk
    area.duplicates_action.trigger()
    page = area.duplicates_page
    progress: list[tuple[int, int]] = []
    page.progress.valueChanged.connect(lambda v: progress.append((v, page.progress.maximum())))
    qtbot.mouseClick(page.find_button, Qt.MouseButton.LeftButton)
    assert page.cancel_button.isVisible()
    qtbot.waitUntil(lambda: not page.cancel_button.isVisible() and area.candidate_model.rowCount() > 0,
                    timeout=60_000)
    assert progress, "no progress was shown"
    # Page by page: 30 planted pairs, pages of 10.
    model = area.candidate_model
    assert model.rowCount() % 10 == 0 and (model.canFetchMore() or model.is_loading)  # whole pages, as the view asks
    while model.canFetchMore() or model.is_loading:
        before = model.rowCount()
        model.fetchMore()
        qtbot.waitUntil(lambda: not model.is_loading, timeout=20_000)
        assert model.rowCount() - before <= 10
    assert model.rowCount() >= 28
    qtmodeltester.check(area.candidate_model)
    pairs = {frozenset((crowd[i].id, crowd[i + 1].id)) for i in range(0, len(crowd), 2)}
    shown = [area.candidate_model.row_at(r) for r in range(area.candidate_model.rowCount())]
    assert sum(frozenset((c.a, c.b)) in pairs for c in shown) >= 28
    assert all(c.centre_a != c.centre_b for c in shown if frozenset((c.a, c.b)) in pairs)

    # Open the pair of the person the event names, merge keeping the Agadez registration.
    target = frozenset((crowd[2].id, crowd[3].id))
    row = next(r for r in range(area.candidate_model.rowCount())
               if frozenset((area.candidate_model.row_at(r).a, area.candidate_model.row_at(r).b)) == target)
    page.table.setCurrentIndex(area.candidate_model.index(row, 0))
    qtbot.waitUntil(lambda: page.pair is not None, timeout=20_000)
    qtmodeltester.check(page.pair_model)
    assert page.reasons_model.rowCount() >= 3
    button = page.keep_a if page.pair.a.record_id == crowd[2].id else page.keep_b
    assert page.pair.b.linked + page.pair.a.linked == 1
    button.click()
    qtbot.waitUntil(lambda: page.status.isVisible() and page.pair is None, timeout=20_000)
    qtbot.waitUntil(lambda: area.decision_model.rowCount() == 1, timeout=20_000)
    qtmodeltester.check(area.decision_model)

    # Undo from the Decisions tab.
    page.tabs.setCurrentIndex(1)
    page.decision_table.setCurrentIndex(area.decision_model.index(0, 0))
    page.undo_button.click()
    qtbot.waitUntil(lambda: area.decision_model.rowCount() == 1 and area.decision_model.row_at(0).undone,
                    timeout=20_000)

    # "Not the same person" on the first pair of the list.
    page.tabs.setCurrentIndex(0)
    first = area.candidate_model.row_at(0)
    page.table.setCurrentIndex(area.candidate_model.index(0, 0))
    qtbot.waitUntil(lambda: page.pair is not None and page.pair.a.record_id == first.a, timeout=20_000)
    page.not_same.click()
    qtbot.waitUntil(lambda: area.decision_model.rowCount() == 2, timeout=20_000)
    app.window.lock()
    qtbot.waitUntil(lambda: not app.controller.is_unlocked and not app.controller.is_busy, timeout=20_000)
    vault = Vault.unlock(folder, username=COORD, passphrase=PASSPHRASES[COORD])
    try:
        assert get_registration_fields(vault, event)["person_ref"] == review.short_id(crowd[3].id)  # moved back
        decided = review.decided_pairs(vault)
        assert frozenset((first.a, first.b)) in decided and target not in decided
    finally:
        vault.close()


def test_a_rejected_change_with_what_to_do(qtbot, desk_app):
    app, _, crowd, _ = desk_app
    sign_in(qtbot, app, COORD)
    area = app.window.desk
    area.rejected_action.trigger()
    page = area.rejected_page
    qtbot.waitUntil(lambda: area.rejected_model.rowCount() == 1, timeout=20_000)
    page.table.setCurrentIndex(area.rejected_model.index(0, 0))
    assert "another centre" in page.reason.text()
    assert "laptop of that centre" in page.advice.text()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)  # Enter marks it reviewed
    qtbot.waitUntil(lambda: area.rejected_model.rowCount() == 0 and page.status.isVisible(), timeout=20_000)
    qtbot.waitUntil(lambda: page.reason.text() == "No refused change: nothing to pass on.", timeout=20_000)


def test_each_refusal_gets_the_advice_of_its_code(qtbot, open_window, tmp_path, xforms):
    """Found on a field day (2026-12-07): the advice under a refusal was picked by keywords of the server's English
    sentence, so a referral to a recipient kind the server does not know, named e.g. 'information_desk', was told to
    publish a form version. The advice now follows the refusal's code (desktop_app/records/review.py), one per code,
    shown on the real Rejected changes screen in French."""
    folder = make_team(tmp_path / "refusal-vault", xforms)
    sentences = {
        refusals.OTHER_CENTRE: refusals.other_centre(),
        refusals.NOT_ALLOWED: refusals.by_server("field_staff: not allowed to delete (registration)"),
        refusals.OUTSIDE_SCOPE: refusals.by_server("outside your scope (own) for edit"),
        refusals.UNKNOWN_RECIPIENT: refusals.unknown_recipient("information_desk", consent.RECIPIENTS),
        refusals.NO_CONSENT: refusals.no_consent("share_providers", "withdrawn"),
        refusals.NOT_SENDABLE: refusals.not_sendable("fields.narrative", "String should have at most 100000 characters"),
    }
    assert set(sentences) == set(refusals.CODES)  # a new code gets its line here too
    vault = Vault.unlock(folder, username=COORD, passphrase=PASSPHRASES[COORD])
    try:
        crowd = people(3)
        save_people(vault, crowd)
        for person, sentence in zip(crowd, sentences.values(), strict=True):
            reject(vault, person.id, sentence)
    finally:
        vault.close()
    app = open_window(folder)
    sign_in(qtbot, app, COORD)
    app.window.set_language("fr")
    area = app.window.desk
    area.rejected_action.trigger()
    page, model = area.rejected_page, area.rejected_model
    qtbot.waitUntil(lambda: model.rowCount() == len(sentences), timeout=20_000)
    expected = {  # the advice texts, in French
        refusals.OTHER_CENTRE: advice_text(page, "other_centre"),
        refusals.NOT_ALLOWED: advice_text(page, "not_allowed"),
        refusals.OUTSIDE_SCOPE: advice_text(page, "not_allowed"),
        refusals.UNKNOWN_RECIPIENT: advice_text(page, "check_and_save"),
        refusals.NO_CONSENT: advice_text(page, "check_and_save"),
        refusals.NOT_SENDABLE: advice_text(page, "too_long"),
    }
    assert expected[refusals.OTHER_CENTRE].startswith("Cette fiche appartient à un autre centre")
    seen = set()
    for i in range(model.rowCount()):
        page.table.setCurrentIndex(model.index(i, 0))
        row = page.current()
        assert row is not None and row.refusal is not None
        assert page.advice.text() == expected[row.refusal.code], row.message
        seen.add(row.refusal.code)
    assert seen == set(refusals.CODES)
