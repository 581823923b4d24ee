"""A field laptop with a 1024x600 screen: the screens a field worker uses every day fit it, in French too, and a
wide screen seen once (the coordinator's review desk) does not keep the window wider than the screen afterwards.
The review desk fits it too: a regional office's laptop is often no larger.

The window may not be made smaller than its minimum size: a minimum wider than the screen puts its right edge
(Finalize, Back, the lock state) out of reach. Found on a field-day pass (2026-12-07): a French case file made the
window 1092 pixels wide, a finalized registration being changed 1229; the review desk needed 1050 to 1196 (its
decisions side by side, the reasons' caption on one line)."""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QScrollArea

from desktop_app.records import review
from desktop_app.services import places, records
from desktop_app.vault import Vault
from tests.access.team import COORD, FIELD, PASSPHRASES, PERSON, instance, make_team
from tests.desk.people import pull_conflict, reject, save_people, server_conflict
from tests.registry.test_casefile import version_of
from tests.ui.test_desk_screens import people

pytestmark = pytest.mark.gui

WIDTH, HEIGHT = 1024, 600


@pytest.fixture
def team(isolated_home, xforms):
    folder = make_team(isolated_home / "small-vault", xforms)
    from tests.access.team import ADMIN, signed_in
    record_id = str(uuid.uuid4())
    answers = {**PERSON, "centre_page/registered_on": "2026-11-01", "identity/given_name": "Aïcha",
               "identity/family_name": "Bello"}
    with signed_in(folder, ADMIN) as vault:  # the laptop's centre is set by those who manage it
        places.set_place(vault, country="NE", centre="ne_agadez")
    with signed_in(folder, FIELD) as vault:
        records.finalize(vault, form_id="waypoint_migrant_registration",
                         form_version=version_of(xforms["migrant_registration"]),
                         content=instance(xforms["migrant_registration"], answers, record_id), record_id=record_id)
    return folder, record_id


def start(qtbot, make_app, folder, who: str):
    app = make_app(vault_path=folder, language="fr")
    window = app.window
    window.resize(WIDTH, HEIGHT)
    window.show()
    qtbot.waitExposed(window)
    with qtbot.waitSignal(app.controller.unlocked, timeout=30_000):
        app.controller.unlock(username=who, passphrase=PASSPHRASES[who])
    return app


def assert_fits(qtbot, window, *, whole: bool = False) -> None:
    """The window can be as small as the screen, and at that size every button on screen is inside it. `whole`: and
    each of them is seen whole (none cut off by the panel it sits in, none over another), for a screen without a
    scroll area."""
    QApplication.processEvents()  # the layouts take in the last change of text
    hint = window.minimumSizeHint()
    assert hint.width() <= WIDTH and hint.height() <= HEIGHT, f"the window needs {hint.width()}x{hint.height()}"
    window.resize(WIDTH, HEIGHT)
    qtbot.waitUntil(lambda: window.width() == WIDTH and window.height() == HEIGHT)
    QApplication.processEvents()
    page = window.stack.currentWidget()
    seen: list[tuple[str, QRect]] = []
    for button in page.findChildren(QPushButton):
        if button.isVisibleTo(window):
            right = button.mapTo(window, QPoint(button.width(), 0)).x()
            assert right <= window.width(), f"{button.text()!r} ends at {right}"
            if whole:
                assert button.visibleRegion().boundingRect() == button.rect(), f"{button.text()!r} is cut off"
                place = QRect(button.mapTo(window, QPoint(0, 0)), button.size())
                assert place.bottom() < window.height(), f"{button.text()!r} ends at {place.bottom()} in height"
                over = [text for text, other in seen if other.intersects(place)]
                assert not over, f"{button.text()!r} lies over {over}"
                seen.append((button.text(), place))


def test_the_case_file_and_a_changed_finalized_registration_fit_a_small_screen_in_french(qtbot, make_app, team):
    folder, record_id = team
    app = start(qtbot, make_app, folder, FIELD)
    window = app.window
    page = window.casefile_area.page
    window.open_from_list(record_id)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is page and page.case is not None, timeout=10_000)
    assert page.back_button.text() == "&Retour"
    assert_fits(qtbot, window)
    # Tab still goes through the case actions first, then Print and Back
    page.open_button.setFocus()
    assert page.open_button.nextInFocusChain() is page.print_button
    assert page.print_button.nextInFocusChain() is page.back_button

    with qtbot.waitSignal(app.forms.screen_opened, timeout=20_000) as opened:
        qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
    screen = opened.args[0]
    name = screen.view.field("/data/identity/given_name")
    name.edit.setFocus()
    qtbot.keyClicks(name.edit, "x")
    assert screen.save_state.text().startswith("Finalisé · vos modifications ne sont pas encore enregistrées")
    assert_fits(qtbot, window)
    assert screen.finalize_button.isVisible()


def test_a_wide_screen_seen_once_does_not_keep_the_window_wider_than_the_screen(qtbot, make_app, team):
    folder, _record_id = team
    app = start(qtbot, make_app, folder, COORD)
    window = app.window
    desk = window.desk
    desk.duplicates_action.trigger()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is desk.duplicates_page, timeout=10_000)
    QApplication.processEvents()
    window.show_registrations()
    assert_fits(qtbot, window)


def _duplicates_found(qtbot, window, desk):
    """The desk's possible duplicates page, its search run to the end with pairs found."""
    desk.duplicates_action.trigger()
    duplicates = desk.duplicates_page
    qtbot.waitUntil(lambda: window.stack.currentWidget() is duplicates, timeout=10_000)
    duplicates.find_button.click()
    qtbot.waitUntil(lambda: not duplicates.cancel_button.isVisible() and desk.candidate_model.rowCount() > 0,
                    timeout=60_000)
    return duplicates


def _desk_with_two_conflicts(qtbot, make_app, team):
    """The coordinator's review desk on its conflicts: one pulled on this laptop, one the server decided between two
    other laptops (whose first button is the longest), a pair of possible duplicates and a rejected change beside."""
    folder, _record_id = team
    crowd = people(6)
    with Vault.unlock(folder, username=COORD, passphrase=PASSPHRASES[COORD]) as vault:
        save_people(vault, crowd)
        pull_conflict(vault, crowd[0], other_given_name="Mahamadou")
        server_conflict(vault, crowd[2], lost_given_name="Usman", lost_device="arlit-field-2",
                        won_device="arlit-field-1")
        reject(vault, crowd[5].id, "not sendable: fields.narrative: String should have at most 100000 characters")
    app = start(qtbot, make_app, folder, COORD)
    window = app.window
    desk = window.desk

    desk.conflicts_action.trigger()
    page = desk.conflicts_page
    qtbot.waitUntil(lambda: desk.conflict_model.rowCount() == 2 and not desk._fetching, timeout=10_000)
    return window, desk, page, crowd


def test_the_review_desk_fits_a_small_screen_in_french(qtbot, make_app, team):
    """Every screen of the coordinator's review desk, in French (the longest words), at 1024x600: the conflicts (this
    laptop's, and one the server decided between two other laptops, whose first button is the longest), a pair of
    possible duplicates with its reasons, the decisions, a rejected change. Before, the window could not be made
    narrower than 1147 to 1196 pixels there; now the decisions wrap onto a second line and Back sits beside the
    heading."""
    window, desk, page, crowd = _desk_with_two_conflicts(qtbot, make_app, team)
    for row in range(2):
        page.table.setCurrentIndex(desk.conflict_model.index(row, 0))
        qtbot.waitUntil(lambda r=row: page.detail is not None
                        and page.detail.record_id == desk.conflict_model.row_at(r).record_id, timeout=10_000)
        assert_fits(qtbot, window, whole=True)
        assert page.keep_local.text() in ("Garder la version de cet &ordinateur",
                                          "Garder la version de l'autre &appareil")
    # the decisions are all usable: on the two lines they take, none is cut off (checked above), all enabled
    assert all(b.isEnabled() for b in (page.keep_local, page.keep_remote, page.save_result))
    # decided: what is said of it takes a line; the next conflict opened has the room of its buttons back
    page.keep_remote.click()
    qtbot.waitUntil(lambda: desk.conflict_model.rowCount() == 1 and page.status.isVisible(), timeout=20_000)
    page.table.setCurrentIndex(desk.conflict_model.index(0, 0))
    qtbot.waitUntil(lambda: page.detail is not None, timeout=10_000)
    assert_fits(qtbot, window, whole=True)

    duplicates = _duplicates_found(qtbot, window, desk)
    assert duplicates.summary.text().startswith("Recherche terminée")  # said beside the button, not in a line more
    duplicates.table.setCurrentIndex(desk.candidate_model.index(0, 0))
    qtbot.waitUntil(lambda: duplicates.pair is not None, timeout=10_000)
    assert_fits(qtbot, window, whole=True)
    # the pair side by side shows more than its first answer
    assert duplicates.pair_table.viewport().height() >= 2 * duplicates.pair_table.rowHeight(0)
    first = duplicates.pair
    duplicates.keep_a.click()  # the same person: merged, said in a line under the lists
    qtbot.waitUntil(lambda: duplicates.status.isVisible() and duplicates.pair is None, timeout=20_000)
    qtbot.waitUntil(lambda: desk.candidate_model.rowCount() > 0, timeout=10_000)
    duplicates.table.setCurrentIndex(desk.candidate_model.index(0, 0))
    qtbot.waitUntil(lambda: duplicates.pair is not None and duplicates.pair != first, timeout=10_000)
    assert_fits(qtbot, window, whole=True)
    duplicates.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: desk.decision_model.rowCount() == 1, timeout=10_000)
    assert_fits(qtbot, window, whole=True)

    desk.rejected_action.trigger()
    rejected = desk.rejected_page
    qtbot.waitUntil(lambda: desk.rejected_model.rowCount() == 1, timeout=10_000)
    rejected.table.setCurrentIndex(desk.rejected_model.index(0, 0))
    assert_fits(qtbot, window, whole=True)
    assert review.short_id(crowd[5].id) in rejected.reason.text()


def assert_lines_whole(window) -> None:
    """Every wrapped line of text on the current page has the height its words need at its width (none squeezed and
    cut at the top or bottom); one outside a scroll area is seen whole."""
    QApplication.processEvents()
    page = window.stack.currentWidget()
    for label in page.findChildren(QLabel):
        if label.isVisibleTo(window) and label.text() and label.wordWrap():
            need = label.heightForWidth(label.width())
            assert label.height() >= need, f"{label.text()[:60]!r} has {label.height()} pixels of the {need} it needs"
            scroll = label.parentWidget()
            while scroll is not None and not isinstance(scroll, QScrollArea):
                scroll = scroll.parentWidget()
            if scroll is None:
                assert label.visibleRegion().boundingRect() == label.rect(), f"{label.text()[:60]!r} is cut off"


def assert_tab_shows_whole(qtbot, start, buttons) -> None:
    """From `start`, Tab reaches each of `buttons` in turn, and each is seen whole when it has the focus (scrolled
    into sight if need be)."""
    start.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(start.hasFocus, timeout=5_000)
    for button in buttons:
        for _ in range(20):
            if button.hasFocus():
                break
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert button.hasFocus(), f"Tab never reached {button.text()!r}"
        QApplication.processEvents()
        assert button.visibleRegion().boundingRect() == button.rect(), f"{button.text()!r} is cut off"


def test_the_review_desks_wrapped_lines_stay_whole_with_the_list_widened_in_french(qtbot, make_app, team):
    """At 1024x600 in French, the list of the review desk widened (its handle dragged right): the lines beside it
    (who saved which version, when; a refusal and what to do) wrap onto more lines, and no window minimum counted
    them: they were squeezed, cut at the top and bottom, and the decisions under them cut off. Now the column beside
    the list scrolls when it must: every line keeps the height its words need, and Tab brings each decision into
    sight."""
    window, desk, page, crowd = _desk_with_two_conflicts(qtbot, make_app, team)
    split = page.table.parentWidget()
    for row in range(2):
        page.table.setCurrentIndex(desk.conflict_model.index(row, 0))
        qtbot.waitUntil(lambda r=row: page.detail is not None
                        and page.detail.record_id == desk.conflict_model.row_at(r).record_id, timeout=10_000)
        page.say("Conflit résolu : la version du serveur est gardée.")  # a line under the lists takes its height
        split.setSizes([WIDTH, 1])  # the list as wide as the column beside it lets it be
        assert_fits(qtbot, window)
        assert_lines_whole(window)
        assert_tab_shows_whole(qtbot, page.show_all, (page.keep_local, page.keep_remote, page.save_result))

    duplicates = _duplicates_found(qtbot, window, desk)
    duplicates.table.setCurrentIndex(desk.candidate_model.index(0, 0))
    qtbot.waitUntil(lambda: duplicates.pair is not None, timeout=10_000)
    duplicates.table.parentWidget().setSizes([WIDTH, 1])
    assert_fits(qtbot, window)
    assert_lines_whole(window)
    assert_tab_shows_whole(qtbot, duplicates.reasons, (duplicates.keep_a, duplicates.keep_b, duplicates.not_same))

    desk.rejected_action.trigger()
    rejected = desk.rejected_page
    qtbot.waitUntil(lambda: desk.rejected_model.rowCount() == 1, timeout=10_000)
    rejected.table.setCurrentIndex(desk.rejected_model.index(0, 0))
    rejected.table.parentWidget().setSizes([WIDTH, 1])
    assert_fits(qtbot, window)
    assert_lines_whole(window)
    assert_tab_shows_whole(qtbot, rejected.table, (rejected.reviewed,))


@pytest.mark.xfail(reason="open defect (2026-12-08): with Noto Sans, the font ./dev installs and whose lines are taller "
                          "than DejaVu's, the error line under the conflicts leaves 'Enregistrer le résultat' cut off at "
                          "1024x600; it passes with DejaVu Sans only", strict=False)
def test_an_error_under_the_review_desk_lists_leaves_the_decisions_whole_in_french(qtbot, make_app, team):
    """The conflicts page at 1024x600 in French, its decisions on two lines: a refusal said in the error line under
    the lists (the conflict resolved meanwhile, from another window) took the height of the decisions' second line,
    and "Enregistrer le résultat" was cut off or drawn over another button: the window's minimum height did not
    count that second line (the flow of buttons reported the height of one line only)."""
    from desktop_app.services import desk as desk_service

    folder, _record_id = team
    crowd = people(3)
    with Vault.unlock(folder, username=COORD, passphrase=PASSPHRASES[COORD]) as vault:
        save_people(vault, crowd)
        pull_conflict(vault, crowd[0], other_given_name="Mahamadou")
    app = start(qtbot, make_app, folder, COORD)
    window = app.window
    desk = window.desk
    desk.conflicts_action.trigger()
    page = desk.conflicts_page
    qtbot.waitUntil(lambda: desk.conflict_model.rowCount() == 1 and not desk._fetching, timeout=10_000)
    page.table.setCurrentIndex(desk.conflict_model.index(0, 0))
    qtbot.waitUntil(lambda: page.detail is not None, timeout=10_000)
    assert_fits(qtbot, window, whole=True)
    assert page.save_result.y() > page.keep_local.y()  # the decisions take two lines at this width
    conflict_id = page.detail.conflict_id
    task = app.controller.run_with_vault(
        lambda vault, state: desk_service.resolve_conflict(vault, conflict_id, keep="remote"))  # another window
    with qtbot.waitSignal(task.succeeded, timeout=30_000):
        pass
    page.save_result.click()
    qtbot.waitUntil(page.error.isVisible, timeout=20_000)
    assert page.error.text() == "Quelqu'un a déjà résolu ce conflit."
    assert_fits(qtbot, window, whole=True)
    _assert_decisions_clear_of_the_error(page, window)
    # the panel of the decisions asks for the height of both their lines: the window's minimum counts the second one
    panel = page.save_result.parentWidget()
    decide = panel.layout().itemAt(panel.layout().count() - 1).layout()
    both_lines = page.save_result.geometry().bottom() - page.keep_local.geometry().top() + 1
    assert decide.minimumSize().height() >= both_lines
    assert panel.height() >= panel.minimumSizeHint().height()


def test_a_window_of_wrapped_buttons_cannot_be_made_shorter_than_their_lines(qtbot):
    """FlowLayout alone: given less width than the whole row, its minimum height is that of the lines it takes, so a
    window holding it cannot be made so short that the last button falls over the line under it."""
    from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

    from desktop_app.ui.flow_layout import FlowLayout

    window = QWidget()
    qtbot.addWidget(window)
    column = QVBoxLayout(window)
    flow = FlowLayout()
    buttons = [QPushButton(text) for text in ("Garder la version de cet ordinateur", "Garder la version du serveur",
                                              "Enregistrer le résultat")]
    for button in buttons:
        flow.addWidget(button)
    column.addLayout(flow)
    line = QLabel("Quelqu'un a déjà résolu ce conflit.")
    column.addWidget(line)
    window.show()
    qtbot.waitExposed(window)
    narrow = window.minimumSizeHint().width()  # the widest button: one a line
    window.resize(narrow, 1)
    qtbot.waitUntil(lambda: window.width() == narrow)
    QApplication.processEvents()
    window.resize(narrow, 1)  # as short as the window allows now that it knows its lines
    QApplication.processEvents()
    assert buttons[1].y() > buttons[0].y() and buttons[2].y() > buttons[1].y()
    assert flow.hasHeightForWidth() and flow.heightForWidth(narrow) > buttons[0].height() * 3
    assert line.geometry().top() > buttons[2].geometry().bottom(), "the line lies over the last button"
    assert buttons[2].geometry().bottom() < window.height(), "the last button is cut off"


def _assert_decisions_clear_of_the_error(page, window) -> None:
    error = QRect(page.error.mapTo(window, QPoint(0, 0)), page.error.size())
    for button in (page.keep_local, page.keep_remote, page.save_result):
        place = QRect(button.mapTo(window, QPoint(0, 0)), button.size())
        assert button.visibleRegion().boundingRect() == button.rect(), f"{button.text()!r} is cut off"
        assert not place.intersects(error), f"{button.text()!r} lies under the error line"


def test_the_status_bar_says_drafts_are_kept_here_and_fits_a_small_screen_in_french(qtbot, make_app, team, xforms):
    """Found on a field day (2026-12-07): "0 not yet synced · 1 in total" while a draft sat on this laptop, read at the
    end of the day as "everything is sent"; drafts never sync until finalized. The status bar says them apart, in
    French, at 1024 pixels, counted as the list shows people: the field worker's own draft and a colleague's of the
    same centre count, a draft naming another centre does not (only its coordinator sees it)."""
    from desktop_app.services import registrations as listing
    from desktop_app.services import sync as sync_service
    from desktop_app.vault.registrations import save_registration
    from tests.access.team import ADMIN, CASE, signed_in

    folder, _record_id = team
    version = version_of(xforms["migrant_registration"])
    for who in (FIELD, CASE):  # a shared laptop: two field workers of Agadez each left a registration half done
        with signed_in(folder, who) as vault:
            records.save_draft(vault, form_id="waypoint_migrant_registration", form_version=version,
                               content=instance(xforms["migrant_registration"], PERSON, str(uuid.uuid4())))
    with signed_in(folder, ADMIN) as vault:  # and a draft of another centre, never seen by Agadez's field staff
        save_registration(vault, form_id="waypoint_migrant_registration", form_version=version, status="draft",
                          content="<data/>", fields={"title": "Other Centre", "centre": "ne_niamey"})
    with signed_in(folder, COORD) as vault:
        assert listing.list_counts(vault).drafts == 3  # the region's coordinator sees every one
    with signed_in(folder, FIELD) as vault:
        assert listing.list_counts(vault).drafts == 2
        # `waypoint sync --status` says them too: its "unsynced" 0 is no more "everything is sent"
        assert sync_service.sync_status(vault)["drafts_kept_here"] == 2

    app = start(qtbot, make_app, folder, FIELD)
    window = app.window
    label = window.unsynced_label
    full = "1 non synchronisé · 2 brouillons gardés ici jusqu'à la finalisation · 3 au total"
    qtbot.waitUntil(lambda: "brouillon" in label.text(), timeout=10_000)
    assert label.text() == full
    assert label.toolTip() == full
    assert_fits(qtbot, window)
    qtbot.waitUntil(lambda: label.isVisible() and label.contentsRect().width() > 0, timeout=5_000)
    shown = label.shown_text()  # whatever the room, the drafts are said: never "1 non synchronisé" alone
    assert shown in (full, "1 non synchronisé · 2 brouillons gardés ici · 3 au total",
                     "1 non synchronisé · 2 brouillons gardés ici"), shown
    assert label.fontMetrics().horizontalAdvance(shown) <= label.contentsRect().width()
    assert label.mapTo(window, QPoint(label.width(), 0)).x() <= window.width()
    window.set_language("en")
    qtbot.waitUntil(lambda: label.text() == "1 not yet synced · 2 drafts kept here until finalized · 3 in total",
                    timeout=5_000)
