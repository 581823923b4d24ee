"""The whole path a field worker takes: set up and unlock, New registration, fill the shipped migrant
registration form through the widgets (typing, choosing, adding a household member), finalize, find
the record in the list; lock; unlock; it is still there, finalized."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from desktop_app.ui.forms import choices

pytestmark = pytest.mark.gui

PASSPHRASE = "quiet river at dawn"


def setup_and_unlock(qtbot, window) -> None:
    setup = window.setup_page
    setup.location_next.click()
    qtbot.keyClicks(setup.username, "amina.admin")
    qtbot.keyClicks(setup.passphrase, PASSPHRASE)
    qtbot.keyClicks(setup.repeat, PASSPHRASE)
    with qtbot.waitSignal(window.controller.created, timeout=20_000):
        qtbot.keyClick(setup.repeat, Qt.Key.Key_Return)
    qtbot.keyClick(setup.written_down, Qt.Key.Key_Space)
    qtbot.keyClick(setup.written_down, Qt.Key.Key_Return)
    unlock(qtbot, window)


def unlock(qtbot, window) -> None:
    page = window.unlock_page
    qtbot.keyClicks(page.passphrase, PASSPHRASE)
    with qtbot.waitSignal(window.controller.unlocked, timeout=20_000):
        qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)


class Filler:
    """Fills fields as a person does: goes to the field's page, types, clicks."""

    def __init__(self, qtbot, screen) -> None:
        self.qtbot, self.screen, self.view = qtbot, screen, screen.view

    def field(self, ref: str):
        widget = self.view.field(ref)
        page = self.view.page_of(widget)
        if page != self.view.current:
            # the person presses Page Down until the page with the field is on screen
            self.activate()
            for _ in range(len(self.view.pages)):
                if self.view.current >= page:
                    break
                self.qtbot.keyClick(self.view.window().focusWidget(), Qt.Key.Key_PageDown)
            assert self.view.current == page, f"Page Down did not reach the page of {ref}"
        assert widget.isVisible(), f"{ref} is not on screen"
        return widget

    def activate(self) -> None:
        # the offscreen platform drops activation when a page changes; a person's window stays active
        window = self.view.window()
        if not window.isActiveWindow():
            window.activateWindow()
            self.qtbot.waitUntil(window.isActiveWindow, timeout=5_000)

    def type(self, ref: str, text: str) -> None:
        widget = self.field(ref)
        self.qtbot.keyClicks(widget.edit, text)
        self.qtbot.keyClick(widget.edit, Qt.Key.Key_Tab)

    def click(self, ref: str, *values: str) -> None:
        widget = self.field(ref)
        for value in values:
            button = widget.choice_button(value)
            # a question that just appeared is laid out on the next turn of the event loop
            self.qtbot.waitUntil(lambda: button.height() >= button.sizeHint().height(), timeout=5_000)
            self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(8, button.height() // 2))

    def pick(self, ref: str, value: str) -> None:
        """A drop-down: focus it and type the start of the choice's label (Qt's keyboard search)."""
        widget = self.field(ref)
        assert isinstance(widget, choices.SelectOneComboField)
        label = widget.combo.itemText(widget.combo.findData(value))
        widget.combo.setFocus()
        # the first word is enough to find it, and a space would open the list instead
        self.qtbot.keyClicks(widget.combo, label.split(" ")[0])
        assert widget.combo.currentData() == value, f"typing {label!r} did not choose {value}"

    def value(self, ref: str) -> str:
        return self.screen.session.value(ref)


def test_fill_migrant_registration_finalize_and_find_it_after_lock_and_unlock(qtbot, make_app):
    app = make_app()
    window = app.window
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)  # keyboard shortcuts (Page Down, Ctrl+Enter) go to the active window
    setup_and_unlock(qtbot, window)

    # New registration → choose the migrant registration form
    window.new_action.trigger()
    chooser = app.forms.chooser
    qtbot.waitUntil(lambda: window.stack.currentWidget() is chooser, timeout=60_000)
    assert chooser.list.currentItem().data(Qt.ItemDataRole.UserRole) == "waypoint_migrant_registration"
    with qtbot.waitSignal(app.forms.screen_opened, timeout=20_000) as opened:
        qtbot.mouseClick(chooser.open_button, Qt.MouseButton.LeftButton)
    screen = opened.args[0]
    assert window.stack.currentWidget() is screen
    f = Filler(qtbot, screen)

    f.pick("/data/centre_page/centre_country", "NE")
    centre = f.field("/data/centre_page/centre")
    assert centre.combo.count() > 1  # the centres of Niger only (choice filter)
    f.pick("/data/centre_page/centre", centre.combo.itemData(1))
    assert f.value("/data/centre_page/registered_on")  # today, by default

    f.click("/data/consent/consent_given_by", "self")
    f.click("/data/consent/consent_services", "yes")
    f.click("/data/consent/legal_basis", "consent")
    for name in ("providers", "authorities", "unhcr", "anonymous_reporting", "followup_contact", "matching"):
        f.click(f"/data/consent/consent_share_{name}" if name in ("providers", "authorities", "unhcr")
                else f"/data/consent/consent_{name}", "yes")
    f.click("/data/consent/consent_method", "verbal_witnessed")
    f.pick("/data/consent/interview_language", "fr")
    f.click("/data/consent/interpreter_used", "no")

    f.type("/data/identity/given_name", "Awa")
    f.type("/data/identity/family_name", "Diallo")
    f.click("/data/identity/sex", "female")
    f.type("/data/identity/age_years", "27")
    f.click("/data/identity/stateless_or_undetermined", "no")
    f.pick("/data/identity/nationality", "ML")
    f.pick("/data/identity/id_document_type", "none")
    assert f.value("/data/identity/given_name") == "Awa" and f.value("/data/identity/age_years") == "27"

    f.click("/data/group_info/travelling_alone", "no")
    f.type("/data/household_member[1]/member_name", "Moussa")
    f.pick("/data/household_member[1]/member_relationship", "child")
    f.click("/data/household_member[1]/member_sex", "male")
    f.type("/data/household_member[1]/member_age", "4")
    repeat = screen.view.repeats["/data/household_member"]
    qtbot.waitUntil(lambda: repeat.add_button.height() >= repeat.add_button.sizeHint().height(), timeout=5_000)
    qtbot.mouseClick(repeat.add_button, Qt.MouseButton.LeftButton)  # a second member
    f.type("/data/household_member[2]/member_name", "Hawa")
    f.pick("/data/household_member[2]/member_relationship", "sibling")
    f.click("/data/household_member[2]/member_sex", "female")
    f.type("/data/household_member[2]/member_age", "19")
    assert f.value("/data/household_size") == "3"

    f.pick("/data/migration/beneficiary_category", "migrant_transit")
    f.pick("/data/migration/arrival_channel", "self")
    f.click("/data/needs/needs_referral", "no")
    f.click("/data/intentions/intention", "stay")

    assert [i.ref for i in screen.session.validate()] == []  # every required answer given through the widgets
    # Finalize with the keyboard; the record is saved finalized and the list comes back with it
    f.activate()
    with qtbot.waitSignal(screen.finalized, timeout=20_000):
        qtbot.keyClick(screen.view.focusWidget() or screen, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    record_id = screen.record_id
    assert window.stack.currentWidget() is window.registrations_page
    model = window.model

    def row():
        rows = [model.row_at(r) for r in range(model.rowCount())]
        return next((r for r in rows if r.record_id == record_id), None)

    qtbot.waitUntil(lambda: row() is not None and row().status == "finalized", timeout=10_000)
    assert row().title == "Awa Diallo" and row().age == 27 and row().sex == "female"

    # Lock: nothing personal stays on screen; unlock: the record is still there, finalized
    with qtbot.waitSignal(app.controller.locked, timeout=10_000):
        window.lock()
    assert model.rowCount() == 0 and app.forms.screen is None
    unlock(qtbot, window)
    qtbot.waitUntil(lambda: row() is not None, timeout=10_000)
    assert row().status == "finalized" and row().title == "Awa Diallo"

    # Opening it from the list shows the answers again, with its pinned form version
    with qtbot.waitSignal(app.forms.screen_opened, timeout=20_000) as reopened:
        window.open_registration_requested.emit(record_id)
    again = reopened.args[0]
    assert again.opened.form_version == row().form_version and again.status == "finalized"
    assert again.view.field("/data/household_member[2]/member_name").edit.text() == "Hawa"
    assert again.view.field("/data/identity/given_name").edit.text() == "Awa"


def test_locking_right_after_an_answer_keeps_it_in_a_draft(qtbot, make_app):
    app = make_app()
    window = app.window
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    setup_and_unlock(qtbot, window)
    window.new_action.trigger()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is app.forms.chooser, timeout=60_000)
    with qtbot.waitSignal(app.forms.screen_opened, timeout=20_000) as opened:
        qtbot.mouseClick(app.forms.chooser.open_button, Qt.MouseButton.LeftButton)
    screen = opened.args[0]
    Filler(qtbot, screen).pick("/data/centre_page/centre_country", "ML")
    assert screen.dirty  # within the 2 s before the autosave: the idle lock could come now
    record_id = screen.record_id
    with qtbot.waitSignal(app.controller.locked, timeout=10_000):
        window.lock()
    with qtbot.waitSignal(app.forms.screen_opened, timeout=20_000) as reopened:
        unlock(qtbot, window)  # back in the form the person was filling
    model = window.model
    qtbot.waitUntil(lambda: any(model.row_at(r).record_id == record_id for r in range(model.rowCount())),
                    timeout=10_000)
    assert reopened.args[0].record_id == record_id
    assert reopened.args[0].session.value("/data/centre_page/centre_country") == "ML"
    assert reopened.args[0].status == "draft"
