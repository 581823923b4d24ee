"""The form by keyboard and without surprises, through the real widgets: Enter moves on, a letter or a digit
chooses, the wheel scrolls the page (not a drop-down, not a list), lists show every choice, the page does not
move under a click, a message at the bottom is scrolled into sight, the banner follows the answers."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from tests.ui.forms.test_form_screen import click, open_screen

pytestmark = pytest.mark.gui


def _active(qtbot, screen):
    screen.activateWindow()
    qtbot.waitUntil(screen.isActiveWindow, timeout=5_000)
    return screen


def _wheel(widget, steps=-1):
    center = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(center, widget.mapToGlobal(center), QPoint(0, 0), QPoint(0, 120 * steps),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)
    return event


def test_enter_moves_on_and_letters_or_digits_choose(qtbot, db, migrant_definition):
    screen = _active(qtbot, open_screen(qtbot, db, migrant_definition, autosave_ms=60_000))
    view = screen.view
    click(qtbot, view, "/data/consent/consent_services", "yes")
    given = view.field("/data/identity/given_name")
    view.focus_field(given)
    qtbot.keyClicks(given.edit, "Awa")
    qtbot.keyClick(given.edit, Qt.Key.Key_Return)
    family = view.field("/data/identity/family_name")
    assert family.edit.hasFocus()
    sex = view.field("/data/identity/sex")
    view.focus_field(sex)
    qtbot.keyClick(QApplication.focusWidget(), "f")
    assert screen.session.value("/data/identity/sex") == "female"
    qtbot.keyClick(QApplication.focusWidget(), "1")
    assert screen.session.value("/data/identity/sex") == "male"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)  # on to the date of birth
    assert view.field("/data/identity/date_of_birth").edit.hasFocus()


def test_the_wheel_scrolls_the_page_not_a_drop_down_and_lists_show_every_choice(qtbot, db, migrant_definition):
    screen = open_screen(qtbot, db, migrant_definition, autosave_ms=60_000)
    view = screen.view
    click(qtbot, view, "/data/consent/consent_services", "yes")
    nationality = view.field("/data/identity/nationality")
    view.go_to_page(view.page_of(nationality))
    before = nationality.combo.currentIndex()
    event = _wheel(nationality.combo)
    assert nationality.combo.currentIndex() == before and not event.isAccepted()
    languages = view.field("/data/identity/languages")
    qtbot.waitUntil(languages.list.isVisible, timeout=5_000)
    first, last = languages.list.item(0), languages.list.item(languages.list.count() - 1)
    assert languages.list.visualItemRect(first).top() >= 0
    assert languages.list.visualItemRect(last).bottom() <= languages.list.viewport().height()
    assert not _wheel(languages.list.viewport()).isAccepted()


def test_a_message_waits_for_the_click_to_end_and_the_banner_follows_the_answers(qtbot, db, shipped_xforms):
    from waypoint_core.xform import FormDefinition

    definition = FormDefinition.from_xml(shipped_xforms["assistance_event"])
    screen = _active(qtbot, open_screen(qtbot, db, definition, autosave_ms=60_000, form_id="waypoint_assistance_event"))
    view = screen.view
    person = view.field("/data/event/person_ref")
    view.focus_field(person)
    qtbot.keyClicks(person.edit, "12")  # too short: a message when it is left
    modality = view.field("/data/event/modality")
    button = modality.choice_button("service")
    qtbot.waitUntil(lambda: button.height() >= button.sizeHint().height(), timeout=5_000)
    where = button.mapTo(screen, QPoint(0, 0))
    qtbot.mousePress(button, Qt.MouseButton.LeftButton, pos=QPoint(8, button.height() // 2))
    assert button.mapTo(screen, QPoint(0, 0)) == where  # the message did not push it away mid-click
    qtbot.mouseRelease(button, Qt.MouseButton.LeftButton, pos=QPoint(8, button.height() // 2))
    assert screen.session.value("/data/event/modality") == "service"  # the click landed where it was aimed
    qtbot.waitUntil(person.message.isVisible, timeout=5_000)

    person.edit.clear()
    screen.finalize_button.click()
    assert screen.banner.isVisible()
    view.focus_field(person)
    qtbot.keyClicks(person.edit, "WP-0042")
    count = screen.banner.text()
    for ref, value in (("centre_country", "NE"), ("centre", "ne_agadez"), ("assistance_type", "food"),
                       ("unit", "meals")):
        view._answer(f"/data/event/{ref}", value)
        if screen.banner.isVisible():
            assert screen.banner.text() != count  # the count follows the answers
    assert not screen.banner.isVisible()  # every answer given: the red banner went by itself


def test_a_message_at_the_bottom_of_a_page_is_scrolled_into_sight(qtbot, db, migrant_definition):
    screen = _active(qtbot, open_screen(qtbot, db, migrant_definition, autosave_ms=60_000))
    screen.resize(1100, 500)  # a small screen: the identity page scrolls
    view = screen.view
    click(qtbot, view, "/data/consent/consent_services", "yes")
    phone = view.field("/data/identity/phone")
    view.focus_field(phone)
    qtbot.keyClicks(phone.edit, "12345")
    qtbot.keyClick(phone.edit, Qt.Key.Key_Tab)  # leaves the last question: its message appears below it
    qtbot.waitUntil(phone.message.isVisible, timeout=5_000)
    page = view.pages[view.current].widget
    bottom = phone.message.mapTo(page.viewport(), QPoint(0, phone.message.height()))
    qtbot.waitUntil(lambda: phone.message.mapTo(page.viewport(), QPoint(0, phone.message.height())).y()
                    <= page.viewport().height(), timeout=5_000)
    assert bottom is not None


def test_closing_a_form_gives_the_keys_back_to_the_list_not_to_sync_now(qtbot, make_app):
    """Found on a field-day pass (2026-12-07): after a form closed, the focus went to the status bar's Sync now (the
    form's focused control was gone), so the next Enter started a sync instead of acting in the list."""
    from tests.ui.forms.test_no_data_lost import _new_form, _started

    app = _started(qtbot, make_app)
    window = app.window
    screen = _new_form(qtbot, app)
    assert screen.isAncestorOf(QApplication.focusWidget())
    with qtbot.waitSignal(screen.close_requested, timeout=5_000):
        qtbot.mouseClick(screen.close_button, Qt.MouseButton.LeftButton)  # nothing changed: it closes at once
    assert window.stack.currentWidget() is window.registrations_page
    assert QApplication.focusWidget() is window.registrations_page.search


def test_with_the_focus_on_the_page_itself_page_down_still_turns_the_page(qtbot, db, migrant_definition):
    """Checked after a field-day report (2026-12-07) that did not reproduce: a click on the blank part of a page gives
    the focus to the page's scrolling area; Page Down / Page Up still go to the next / previous page there, as
    everywhere in the form (docs/renderer.md, the Next button's tooltip), and the arrows scroll a long page."""
    screen = _active(qtbot, open_screen(qtbot, db, migrant_definition, autosave_ms=60_000))
    screen.resize(800, 300)  # the first page is longer than the window
    view = screen.view
    click(qtbot, view, "/data/consent/consent_services", "yes")
    first = view.current
    area = view.pages[first].widget
    bar = area.verticalScrollBar()
    area.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is area, timeout=5_000)
    assert bar.maximum() > 0
    qtbot.keyClick(area, Qt.Key.Key_Down)
    assert bar.value() > 0 and view.current == first  # an arrow scrolls
    qtbot.keyClick(area, Qt.Key.Key_PageDown)
    assert view.current > first and view.pages[view.current].widget.isAncestorOf(QApplication.focusWidget())
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_PageUp)
    assert view.current == first


def test_escape_goes_back_from_the_chooser_and_the_form_and_tab_never_stops_on_the_page(qtbot, make_app):
    """Found walking the app by keyboard at 1024x600 (2026-12-08): Escape went back on every screen (case file,
    search, review desk) but did nothing on New registration's chooser nor in a form, and Tab after Next stopped on
    the page's scrolling area, where the focus showed nowhere. Now Escape is Cancel on the chooser and Close in the
    form (which, with changes, asks what to keep: Escape there goes back to the form, answers kept); Tab from Next
    goes to Close."""
    from tests.ui.forms.test_no_data_lost import _new_form, _started

    app = _started(qtbot, make_app)
    window = app.window
    window.new_action.trigger()
    chooser = app.forms.chooser
    qtbot.waitUntil(lambda: window.stack.currentWidget() is chooser and chooser.list.hasFocus(), timeout=60_000)
    qtbot.keyClick(chooser.list, Qt.Key.Key_Escape)
    assert window.stack.currentWidget() is window.registrations_page

    screen = _new_form(qtbot, app)
    view = screen.view
    view.next_button.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(view.next_button.hasFocus, timeout=5_000)
    qtbot.keyClick(view.next_button, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is screen.close_button  # not the page's invisible scrolling area
    with qtbot.waitSignal(screen.close_requested, timeout=5_000):
        qtbot.keyClick(screen.close_button, Qt.Key.Key_Escape)  # nothing changed: it closes at once
    assert window.stack.currentWidget() is window.registrations_page

    screen = _new_form(qtbot, app)
    date = screen.view.field("/data/centre_page/registered_on")
    date.focus_editor()
    qtbot.waitUntil(lambda: date.isAncestorOf(QApplication.focusWidget()), timeout=5_000)
    date.edit.selectAll()
    qtbot.keyClicks(date.edit, "01112026")
    assert screen.has_changes()
    qtbot.keyClick(date.edit, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: screen.question is not None and screen.question.box.isVisible(), timeout=5_000)
    assert window.stack.currentWidget() is screen  # changed: Escape asks, it does not close
    box = screen.question.box
    box.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is box, timeout=5_000)  # the keys go to the question
    qtbot.keyClick(box, Qt.Key.Key_Escape)  # the question's Escape: back to the form
    qtbot.waitUntil(lambda: screen.question is None, timeout=5_000)
    assert window.stack.currentWidget() is screen and screen.session.value("/data/centre_page/registered_on") == \
        "2026-11-01"


def test_escape_while_an_entry_removal_is_asked_keeps_the_entry_and_the_form_open(qtbot, db, migrant_definition):
    """Escape closes the form, but not while "Remove Household member 1 and all its answers?" is asked with the focus
    in its bar: there it is "No, keep it", as the safe answer the bar already focuses."""
    screen = _active(qtbot, open_screen(qtbot, db, migrant_definition, autosave_ms=60_000))
    view = screen.view
    click(qtbot, view, "/data/consent/consent_services", "yes")
    click(qtbot, view, "/data/group_info/travelling_alone", "no")
    view.go_to_page(next(i for i, p in enumerate(view.pages) if p.title == "Accompanying group or household member"))
    repeat = view.repeats["/data/household_member"]
    first = repeat.instances[0]
    first.remove_button.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(first.remove_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: first.confirm.isVisible() and first.confirm_no.hasFocus(), timeout=5_000)
    with qtbot.assertNotEmitted(screen.close_requested):
        qtbot.keyClick(first.confirm_no, Qt.Key.Key_Escape)
    assert not first.confirm.isVisible() and first.remove_button.hasFocus() and len(repeat.instances) == 1
    assert screen.question is None  # nor asked to close


def test_every_page_title_in_the_index_is_shown_whole_in_french(qtbot, make_app):
    """Found at 1024x600 in French (2026-12-08): the page index showed "Consentement et base …": its titles wrap, but
    Qt measured the wrap on the whole width and then drew inside the items' padding, so a title a little wider than
    that room kept one line and was cut. Each title now gets the lines it needs within the padding. The app as it
    runs (its style and font), in French, at 1024x600."""
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QFontMetrics
    from PySide6.QtWidgets import QStyle

    from tests.ui.forms.test_migrant_end_to_end import setup_and_unlock
    from tests.ui.forms.test_no_data_lost import _new_form

    app = make_app(language="fr")
    window = app.window
    window.resize(1024, 600)
    window.show()
    qtbot.waitExposed(window)
    setup_and_unlock(qtbot, window)
    screen = _new_form(qtbot, app)
    view = screen.view
    index = view.index
    assert index.item(1).text() == "Consentement et base légale"

    def assert_titles_whole(count: int) -> None:
        # the room for the words: less the items' padding (forms/style.py) and the margins Qt keeps beside a text
        margin = index.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, index) + 1
        room = index.viewport().width() - 2 * 6 - 2 * margin
        metrics = QFontMetrics(index.font())
        shown = [row for row in range(index.count()) if not index.isRowHidden(row)]
        assert len(shown) == count
        for row in shown:
            text = index.item(row).text()
            lines = metrics.boundingRect(QRect(0, 0, room, 10_000), int(Qt.TextFlag.TextWordWrap), text).height()
            height = index.visualItemRect(index.item(row)).height()
            assert height >= lines + 2 * 8, f"{text!r} is cut"  # 8 pixels above and below

    assert_titles_whole(2)  # as the form opens
    click(qtbot, view, "/data/consent/consent_services", "yes")
    click(qtbot, view, "/data/group_info/travelling_alone", "no")
    assert_titles_whole(index.count())  # every page


NOTES_FORM = """\
| survey |
| | type | name | label |
| | begin_group | start | Start |
| | text | name | Name |
| | end_group | | |
| | begin_group | rights | Your rights |
| | note | r1 | {long} |
| | note | r2 | {long} |
| | note | r3 | {long} |
| | end_group | | |
| | begin_group | finish | Finish |
| | note | thanks | Thank you. |
| | text | remark | Remark |
| | end_group | | |
| settings |
| | form_id | style |
| | notes_page | pages |
""".format(long="Everything you say here stays private unless you agree to share it. " * 12)


def test_a_page_of_notes_only_takes_the_keys_so_the_keyboard_scrolls_it(qtbot, db, tmp_path):
    """After Tab stopped landing on the page (11842af), a page with notes only had nothing to take the focus: a
    keyboard could not scroll to its end. Now the page itself takes the focus there, and the arrows scroll it."""
    from desktop_app.services import forms
    from desktop_app.ui.forms.screen import FormScreen, OpenedForm
    from waypoint_core.xform import FormDefinition

    source = tmp_path / "notes_page.md"
    source.write_text(NOTES_FORM, encoding="utf-8")
    definition = FormDefinition.from_xml(forms.validate_form_file(source).xform)
    screen = FormScreen(opened=OpenedForm.new(definition, form_id="notes_page", form_version="1"),
                        run_with_vault=db.run_with_vault)
    qtbot.addWidget(screen)
    screen.resize(1024, 600)
    screen.show()
    _active(qtbot, screen)
    view = screen.view
    view.next_page()
    page = view.pages[view.current].widget
    qtbot.waitUntil(page.hasFocus, timeout=5_000)
    bar = page.verticalScrollBar()
    assert bar.maximum() > 0  # the notes are taller than the window
    for _ in range(5):
        qtbot.keyClick(page, Qt.Key.Key_Down)
    assert bar.value() > 0
    # a page that opens with a note: the focus goes past it, to the first thing to answer
    view.next_page()
    remark = view.field("/data/finish/remark")
    qtbot.waitUntil(remark.edit.hasFocus, timeout=5_000)
