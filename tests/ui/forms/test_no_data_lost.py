"""No answer lost or changed by a gesture, through the real widgets: closing a form with changes asks; a finalized
record being edited stays finalized until the person chooses (its previous version kept); closing the window
mid-form asks; after a lock the person is back where they were; abandoned drafts can be deleted from the list;
an untouched new form leaves no empty draft behind."""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop_app.services import forms, records, registrations, retention
from desktop_app.services.casefile import short_id
from desktop_app.ui.forms.closing import CANCEL, DISCARD, DRAFT, FINALIZE
from desktop_app.vault.registrations import get_registration
from tests.access.team import CASE, FIELD, MIGRANT, PASSPHRASES, PERSON, instance, make_team, shipped_xforms
from tests.ui.forms.test_migrant_end_to_end import Filler, setup_and_unlock, unlock
from tests.vault.vault_testdata import acknowledged_by_server
from waypoint_core.xform import FormSession

pytestmark = pytest.mark.gui

EVENT = "waypoint_assistance_event"


def _started(qtbot, make_app):
    app = make_app()
    window = app.window
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    setup_and_unlock(qtbot, window)
    return app


def _on_db(qtbot, app, fn):
    task = app.controller.run_with_vault(lambda vault, state: fn(vault))
    with qtbot.waitSignal(task.succeeded, timeout=30_000) as done:
        pass
    return done.args[0]


def _finalized_event(vault) -> str:
    """An assistance event of a registered person (an event always names someone registered here)."""
    forms.install_shipped_forms(vault)
    migrant = forms.open_new_record_form(vault, MIGRANT)
    person = records.finalize(vault, form_id=MIGRANT, form_version=migrant.version,
                              content=instance(migrant.xform, PERSON, str(uuid.uuid4()))).record_id
    form = forms.open_new_record_form(vault, EVENT)
    session = FormSession(records.form_definition(form.xform))
    for ref, value in (("event/person_ref", short_id(person)), ("event/centre_country", "NE"),
                       ("event/centre", "ne_agadez"),
                       ("event/assistance_type", "food"), ("event/modality", "in_kind"), ("event/unit", "meals")):
        session.answer(f"/data/{ref}", value)
    assert session.validate() == []
    return records.finalize(vault, form_id=EVENT, form_version=form.version,
                            content=session.to_instance_xml(include_nonrelevant=False)).record_id


def _open(qtbot, app, record_id):
    with qtbot.waitSignal(app.forms.screen_opened, timeout=20_000) as opened:
        app.window.open_registration_requested.emit(record_id)
    return opened.args[0]


def _new_form(qtbot, app, form_id="waypoint_migrant_registration"):
    app.window.new_action.trigger()
    chooser = app.forms.chooser
    qtbot.waitUntil(lambda: app.window.stack.currentWidget() is chooser, timeout=60_000)
    with qtbot.waitSignal(app.forms.screen_opened, timeout=20_000) as opened:
        chooser.chosen.emit(form_id)
    return opened.args[0]


def _stored(qtbot, app, record_id):
    return _on_db(qtbot, app, lambda vault: records.reopen(vault, record_id).record)


def test_a_finalized_record_being_edited_stays_finalized_until_the_person_chooses(qtbot, make_app):
    app = _started(qtbot, make_app)
    record_id = _on_db(qtbot, app, _finalized_event)
    screen = _open(qtbot, app, record_id)
    edit = screen.view.field("/data/event/provider_org").edit
    qtbot.keyClick(edit, Qt.Key.Key_End)
    qtbot.keyClicks(edit, "Croix-Rouge")
    assert screen.dirty
    screen.save_soon(now=True)  # what a page change and the 2 s autosave do
    stored = _stored(qtbot, app, record_id)
    assert stored.status == "finalized" and "Croix-Rouge" not in stored.content  # not demoted, not overwritten
    assert "Finalize" in screen.save_state.text()  # the footer says the changes wait

    qtbot.mouseClick(screen.close_button, Qt.MouseButton.LeftButton)
    assert screen.question is not None and screen.question.box.isVisible()
    with qtbot.waitSignal(screen.finalized, timeout=20_000):
        screen.question.choose(FINALIZE)
    stored = _stored(qtbot, app, record_id)
    assert stored.status == "finalized" and "Croix-Rouge" in stored.content
    history = _on_db(qtbot, app, lambda vault: records.history(vault, record_id))
    assert [v.status for v in history] == ["finalized", "finalized"] and "Croix-Rouge" not in history[0].content


def test_save_as_draft_is_the_persons_choice_and_says_so(qtbot, make_app):
    app = _started(qtbot, make_app)
    record_id = _on_db(qtbot, app, _finalized_event)
    screen = _open(qtbot, app, record_id)
    qtbot.keyClicks(screen.view.field("/data/event/provider_org").edit, "ONG 9")
    screen.close_form()
    with qtbot.waitSignal(screen.close_requested, timeout=20_000):
        screen.question.choose(DRAFT)
    stored = _stored(qtbot, app, record_id)
    assert stored.status == "draft" and "ONG 9" in stored.content
    assert [v.status for v in _on_db(qtbot, app, lambda vault: records.history(vault, record_id))][0] == "finalized"


def test_closing_a_new_form_asks_and_discard_leaves_no_draft(qtbot, make_app):
    app = _started(qtbot, make_app)
    screen = _new_form(qtbot, app)
    Filler(qtbot, screen).click("/data/consent/consent_given_by", "self")
    screen.save_soon(now=True)  # the answer already reached the vault as a draft
    qtbot.waitUntil(lambda: screen.status == "draft", timeout=20_000)
    qtbot.mouseClick(screen.close_button, Qt.MouseButton.LeftButton)
    question = screen.question
    assert {b.text() for b in question.buttons.values()} >= {"&Finalize", "Save as &draft", "D&iscard changes"}
    with qtbot.waitSignal(screen.close_requested, timeout=20_000):
        question.choose(DISCARD)
    assert app.window.stack.currentWidget() is app.window.registrations_page
    gone = _on_db(qtbot, app, lambda vault: _reopen_or_raise(vault, screen.record_id))
    assert isinstance(gone, records.RecordError)  # the draft written meanwhile was deleted


def _reopen_or_raise(vault, record_id):
    try:
        return records.reopen(vault, record_id)
    except records.RecordError as error:
        return error


def test_an_untouched_new_form_leaves_no_empty_draft(qtbot, make_app):
    app = _started(qtbot, make_app)
    screen = _new_form(qtbot, app)
    Filler(qtbot, screen).activate()
    qtbot.keyClick(screen.view.focusWidget() or screen, Qt.Key.Key_PageDown)  # a page change used to save
    with qtbot.waitSignal(screen.close_requested, timeout=5_000):
        qtbot.mouseClick(screen.close_button, Qt.MouseButton.LeftButton)  # no question: nothing changed
    assert _on_db(qtbot, app, registrations.list_counts).total == 0


def test_closing_the_window_mid_form_asks_first(qtbot, make_app):
    app = _started(qtbot, make_app)
    window = app.window
    screen = _new_form(qtbot, app)
    Filler(qtbot, screen).click("/data/consent/consent_given_by", "guardian")
    window.close()
    assert window.isVisible() and app.controller.is_unlocked  # nothing happened behind the person's back
    screen.question.choose(CANCEL)
    assert window.stack.currentWidget() is screen
    assert screen.session.value("/data/consent/consent_given_by") == "guardian"
    record_id = screen.record_id
    window.close()
    with qtbot.waitSignal(app.controller.locked, timeout=20_000):
        screen.question.choose(DRAFT)
    assert not window.isVisible()
    unlock_again = app.controller.unlock(username="amina.admin", passphrase="quiet river at dawn")
    with qtbot.waitSignal(unlock_again.finished, timeout=20_000):
        pass
    assert _stored(qtbot, app, record_id).status == "draft"
    with qtbot.waitSignal(app.controller.locked, timeout=20_000):
        app.controller.lock()


def _typed_then_idle_locked(qtbot, app):
    """A new registration with consent given and "Awa" typed as the given name, left open until the idle lock comes
    (the idle timeout set back to 5 minutes after): (the page it was on, its record id)."""
    screen = _new_form(qtbot, app)
    f = Filler(qtbot, screen)
    f.click("/data/consent/consent_given_by", "self")
    f.click("/data/consent/consent_services", "yes")
    f.field("/data/identity/given_name")
    qtbot.keyClicks(screen.view.field("/data/identity/given_name").edit, "Awa")
    page, record_id = screen.view.current, screen.record_id
    app.idle.set_timeout_ms(100)
    with qtbot.waitSignal(app.controller.locked, timeout=10_000):
        pass
    app.idle.set_minutes(5)
    return page, record_id


def test_after_an_idle_lock_the_person_is_back_in_the_form_where_they_were(qtbot, make_app):
    app = _started(qtbot, make_app)
    window = app.window
    page, record_id = _typed_then_idle_locked(qtbot, app)
    with qtbot.waitSignal(app.forms.screen_opened, timeout=30_000) as reopened:
        unlock(qtbot, window)
    again = reopened.args[0]
    assert again.record_id == record_id and window.stack.currentWidget() is again
    assert again.view.current == page
    assert again.session.value("/data/identity/given_name") == "Awa"
    given = again.view.field("/data/identity/given_name")
    qtbot.waitUntil(lambda: given.edit.hasFocus(), timeout=5_000)


def test_a_draft_is_deleted_from_the_list_with_the_delete_key_and_a_finalized_one_is_not(qtbot, make_app):
    from desktop_app.vault.registrations import save_registration

    app = _started(qtbot, make_app)
    window = app.window
    # the first sign-in of a laptop never enrolled asks where it works; the person answers later
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.place_page, timeout=10_000)
    qtbot.mouseClick(window.place_page.later_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.registrations_page
    _on_db(qtbot, app, lambda vault: save_registration(vault, form_id="f", form_version="1", status="finalized",
                                                       content="<data/>", fields={"title": "Kept Finalized"}).id)
    draft = _on_db(qtbot, app, lambda vault: save_registration(vault, form_id="f", form_version="1", status="draft",
                                                               content="<data/>", fields={"title": "Old Draft"}).id)
    window.registrations_changed()
    model, table = window.model, window.registrations_page.table
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=10_000)
    assert window.delete_action in window.registrations_menu.actions()
    row = next(r for r in range(2) if model.row_at(r).record_id == draft)
    table.setFocus()
    table.selectRow(row)
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    box = window.delete_question
    assert box.isVisible() and "Old Draft" in box.text()
    box.button(box.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: model.rowCount() == 1 and not model.is_loading, timeout=10_000)
    assert model.row_at(0).title == "Kept Finalized"
    window.activateWindow()  # the offscreen platform does not give activation back after a box closes
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    table.setFocus()
    table.selectRow(0)
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    refusal = window.delete_question
    assert "Only drafts" in refusal.text()
    refusal.close()
    assert model.rowCount() == 1


def test_the_delete_question_naming_the_person_closes_when_the_vault_locks(qtbot, make_app):
    """Asked to delete a draft, the person walks away: the idle lock closes the question, which names the person
    ("Delete the draft “…”?"), instead of leaving it over the sign-in screen for whoever comes next (and its Yes
    for them to press)."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    from desktop_app.vault.registrations import save_registration

    app = _started(qtbot, make_app)
    window = app.window
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.place_page, timeout=10_000)
    qtbot.mouseClick(window.place_page.later_button, Qt.MouseButton.LeftButton)
    draft = _on_db(qtbot, app, lambda vault: save_registration(vault, form_id="f", form_version="1", status="draft",
                                                               content="<data/>", fields={"title": "Lockname Draft"}).id)
    window.registrations_changed()
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=10_000)
    table = window.registrations_page.table
    table.setFocus()
    table.selectRow(0)
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    assert window.delete_question.isVisible() and "Lockname Draft" in window.delete_question.text()
    with qtbot.waitSignal(app.controller.locked, timeout=10_000):
        window.lock(reason="idle")
    assert window.delete_question is None
    shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    assert not any("Lockname" in box.text() for box in shown)
    unlock(qtbot, window)  # the draft is still there: nothing was answered
    assert _on_db(qtbot, app, lambda vault: get_registration(vault, draft).deleted) is False


def test_the_form_menu_names_the_keys_and_acts_on_the_form(qtbot, make_app):
    app = _started(qtbot, make_app)
    menu = app.forms.menu
    assert not menu.menuAction().isVisible()  # no form on screen
    screen = _new_form(qtbot, app)
    assert menu.menuAction().isVisible()
    texts = {name: action.text() for name, action in app.forms.menu_actions.items()}
    assert texts["save"].endswith("\tCtrl+S") and texts["finalize"].endswith("\tCtrl+Enter")
    assert "Page Down" in texts["next"] and "Page Up" in texts["previous"]
    app.forms.menu_actions["finalize"].trigger()
    assert screen.banner.isVisible()  # answers missing: said, as Ctrl+Enter does
    page = screen.view.current
    app.forms.menu_actions["next"].trigger()
    assert screen.view.current != page
    app.window.set_language("fr")
    qtbot.waitUntil(lambda: menu.title() == "F&ormulaire", timeout=5_000)
    app.window.set_language("en")


def _draft_on_screen(qtbot, app):
    """A new registration whose first answers are saved as a draft (the form still open), the list's counts
    refreshed after that save (so the open form has compared its version already)."""
    screen = _new_form(qtbot, app)
    Filler(qtbot, screen).click("/data/consent/consent_given_by", "self")
    with qtbot.waitSignal(app.window.counts_updated, timeout=20_000):
        screen.save_soon(now=True)  # what the 2 s autosave does
    assert screen.status == "draft"
    return screen


def _deleted_notice(app):
    box = getattr(app.forms, "deleted_notice", None)
    return box.text() if box is not None and box.isVisible() else ""


def test_a_draft_deleted_from_the_list_while_its_form_is_open_closes_the_form_and_stays_deleted(qtbot, make_app):
    """Field-day bug: a draft deleted from the list while its form was still open came back with the form's next
    autosave (a ghost person). The question says the form will close; the form closes, saying why; nothing of the
    draft is written again."""
    app = _started(qtbot, make_app)
    window = app.window
    screen = _draft_on_screen(qtbot, app)
    record_id = screen.record_id
    Filler(qtbot, screen).click("/data/consent/consent_services", "yes")  # typed since: the autosave is armed
    assert screen.dirty
    window.list_action.trigger()  # Ctrl+1: the list, the form still open behind it
    model, table = window.model, window.registrations_page.table
    qtbot.waitUntil(lambda: model.rowCount() == 1 and not model.is_loading, timeout=10_000)
    table.setFocus()
    table.selectRow(0)
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    box = window.delete_question
    assert box.isVisible() and "It is open in the form: deleting it closes the form" in box.text()
    box.button(box.StandardButton.Yes).click()

    qtbot.waitUntil(lambda: "This draft was deleted while it was open in the form" in _deleted_notice(app),
                    timeout=20_000)
    assert app.forms.screen is None and window.stack.currentWidget() is window.registrations_page
    # the database thread runs in order: a save the form had queued would have run before this read
    assert _on_db(qtbot, app, lambda vault: get_registration(vault, record_id)) is None
    qtbot.waitUntil(lambda: model.rowCount() == 0 and not model.is_loading, timeout=10_000)
    app.forms.deleted_notice.close()


def test_an_autosave_after_the_draft_was_deleted_is_refused_and_the_form_says_so(qtbot, make_app):
    """The draft is deleted behind the open form's back (not through this window's list, so the form is not told):
    the form's next autosave is refused by the records service instead of writing the person again, and the form
    closes saying the draft was deleted."""
    app = _started(qtbot, make_app)
    screen = _draft_on_screen(qtbot, app)
    record_id = screen.record_id
    _on_db(qtbot, app, lambda vault: records.delete_draft(vault, record_id))
    written = []
    screen.saved.connect(written.append)
    Filler(qtbot, screen).click("/data/consent/consent_services", "yes")
    assert screen.dirty  # the 2 s autosave is armed: wait for it, as the person would
    qtbot.waitUntil(lambda: bool(written or _deleted_notice(app)), timeout=20_000)
    assert _on_db(qtbot, app, lambda vault: get_registration(vault, record_id)) is None  # no ghost
    assert written == []
    assert "This draft was deleted while it was open in the form" in _deleted_notice(app)
    assert app.forms.screen is None and app.window.stack.currentWidget() is app.window.registrations_page
    assert _on_db(qtbot, app, registrations.list_counts).total == 0
    app.forms.deleted_notice.close()


def test_the_form_closed_for_a_deleted_draft_says_so_in_french(qtbot, make_app):
    app = _started(qtbot, make_app)
    app.window.set_language("fr")
    screen = _draft_on_screen(qtbot, app)
    _on_db(qtbot, app, lambda vault: records.delete_draft(vault, screen.record_id))
    Filler(qtbot, screen).click("/data/consent/consent_services", "yes")
    screen.save_soon(now=True)  # what the 2 s autosave does
    qtbot.waitUntil(lambda: "Ce brouillon a été supprimé" in _deleted_notice(app), timeout=20_000)
    assert app.forms.deleted_notice.windowTitle() == "Formulaire fermé"
    app.forms.deleted_notice.close()


def _purge_now(vault):
    retention.set_retention_days(vault, 0)  # the administrator's period: due as soon as the server has it
    return retention.apply_retention(vault)


def _acknowledged_person(vault):
    """A registration finalized and acknowledged by the server (so the retention period applies to it): its id."""
    forms.install_shipped_forms(vault)
    migrant = forms.open_new_record_form(vault, MIGRANT)
    record_id = records.finalize(vault, form_id=MIGRANT, form_version=migrant.version,
                                 content=instance(migrant.xform, PERSON, str(uuid.uuid4()))).record_id
    acknowledged_by_server(vault, record_id)
    return record_id


def _finalized_person_open(qtbot, app):
    """A registration finalized and acknowledged by the server (so the retention period applies to it), open in the
    form with a name typed over its own (changes waiting for Save as draft or Finalize)."""
    record_id = _on_db(qtbot, app, _acknowledged_person)
    screen = _open(qtbot, app, record_id)
    given = Filler(qtbot, screen).field("/data/identity/given_name")
    given.edit.setFocus()
    given.edit.selectAll()
    qtbot.keyClicks(given.edit, "Retyped")
    qtbot.keyClick(given.edit, Qt.Key.Key_Tab)
    assert screen.dirty
    return screen


def test_a_record_purged_by_retention_while_its_form_is_open_closes_the_form_and_stays_purged(qtbot, make_app):
    """The retention period purges the record behind the open form's back (`waypoint purge`, or the app's hourly
    run before the form checks): Save as draft was refused with "could not be saved… try again" forever. Now the
    form closes, saying the retention rule removed the record, and nothing of it is written back."""
    app = _started(qtbot, make_app)
    screen = _finalized_person_open(qtbot, app)
    record_id = screen.record_id
    assert _on_db(qtbot, app, _purge_now).record_ids == (record_id,)
    failed = []
    screen.save_failed.connect(failed.append)
    screen.save_as_draft()  # Ctrl+S
    qtbot.waitUntil(lambda: bool(failed or _deleted_notice(app)), timeout=20_000)
    assert failed == [] and "The retention rule" in _deleted_notice(app)
    assert app.forms.screen is None and app.window.stack.currentWidget() is app.window.registrations_page
    stored = _on_db(qtbot, app, lambda vault: get_registration(vault, record_id))
    assert stored.purged_at is not None and stored.status == "finalized" and "Retyped" not in stored.content
    app.forms.deleted_notice.close()


def test_the_apps_own_retention_run_closes_a_form_open_on_a_record_it_purges(qtbot, make_app):
    """The app's retention run (after unlock, then hourly) purges the record open in the form: the form closes at
    once, before any save, in French too."""
    app = _started(qtbot, make_app)
    app.window.set_language("fr")
    screen = _finalized_person_open(qtbot, app)
    _on_db(qtbot, app, lambda vault: retention.set_retention_days(vault, 0))
    with qtbot.waitSignal(app.retention.purged, timeout=20_000):
        app.retention.start()  # what the hourly timer calls
    qtbot.waitUntil(lambda: "La règle de conservation" in _deleted_notice(app), timeout=20_000)
    assert app.forms.screen is None and not screen.dirty
    stored = _on_db(qtbot, app, lambda vault: get_registration(vault, screen.record_id))
    assert stored.purged_at is not None and "Retyped" not in stored.content
    app.forms.deleted_notice.close()
    if app.retention.notice is not None:
        app.retention.notice.close()


def test_a_record_deleted_while_the_laptop_was_locked_is_not_reopened_and_the_form_says_so(qtbot, make_app):
    """The vault locks with a draft open; another person signed in on the shared laptop deletes it before the
    unlock. Reopening it showed "The form could not be opened" with a bare "no record" detail; now a box says the
    record was deleted while the laptop was locked and nothing else was lost."""
    from desktop_app.vault import Vault
    from tests.ui.forms.test_migrant_end_to_end import PASSPHRASE

    app = _started(qtbot, make_app)
    window = app.window
    screen = _draft_on_screen(qtbot, app)
    record_id = screen.record_id
    with qtbot.waitSignal(app.controller.locked, timeout=10_000):
        window.lock(reason="idle")
    with Vault.unlock(app.controller.vault_path, username="amina.admin", passphrase=PASSPHRASE) as other:
        records.delete_draft(other, record_id)  # someone else, signed in on the same laptop
    failures = []
    app.forms.failed.connect(failures.append)
    unlock(qtbot, window)
    qtbot.waitUntil(lambda: "deleted while the laptop was locked" in _deleted_notice(app), timeout=20_000)
    assert "Nothing else was lost" in _deleted_notice(app) and failures == []
    assert app.forms.screen is None and window.stack.currentWidget() is not None
    assert _on_db(qtbot, app, lambda vault: get_registration(vault, record_id)) is None
    app.forms.deleted_notice.close()


def test_deleting_a_draft_deleted_already_says_so_and_closes_its_form(qtbot, make_app):
    """Two windows: the draft is deleted in the other one (here behind this window's back) while this list still
    shows it; Delete here said "could not be deleted… no record". Now it says the draft was deleted already, the
    list drops it, and the form still open on it closes."""
    app = _started(qtbot, make_app)
    window = app.window
    screen = _draft_on_screen(qtbot, app)
    record_id = screen.record_id
    window.list_action.trigger()
    model, table = window.model, window.registrations_page.table
    qtbot.waitUntil(lambda: model.rowCount() == 1 and not model.is_loading, timeout=10_000)
    _on_db(qtbot, app, lambda vault: records.delete_draft(vault, record_id))  # the other window
    table.setFocus()
    table.selectRow(0)
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    window.delete_question.button(window.delete_question.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "draftDeletedAlready") is not None, timeout=20_000)
    box = window.findChild(QMessageBox, "draftDeletedAlready")
    assert "This draft was deleted already" in box.text() and "Nothing was changed" in box.text()
    qtbot.waitUntil(lambda: model.rowCount() == 0 and not model.is_loading, timeout=10_000)
    qtbot.waitUntil(lambda: "This draft was deleted while it was open" in _deleted_notice(app), timeout=20_000)
    assert app.forms.screen is None
    box.close()
    app.forms.deleted_notice.close()


def _sign_in_on_screen(qtbot, window, name: str) -> None:
    """The unlock screen as a shared laptop's next person uses it: their own username over the last one."""
    page = window.unlock_page
    page.username.selectAll()
    qtbot.keyClicks(page.username, name)
    qtbot.keyClicks(page.passphrase, PASSPHRASES[name])
    with qtbot.waitSignal(window.controller.unlocked, timeout=20_000):
        qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)


def test_after_an_idle_lock_another_person_signing_in_is_not_put_in_the_first_persons_form(
        qtbot, make_app, isolated_home):
    # a shared laptop: Fatou leaves a registration half-done, the idle lock comes, Kofi signs in to register
    # someone else. He was put in her form, the cursor in her person's given name: his person's answers went
    # into her person's record. Her form waits for her, and she is put back in it when she signs in again.
    app = make_app(vault_path=make_team(isolated_home / "team-vault", shipped_xforms()))
    window = app.window
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    _sign_in_on_screen(qtbot, window, FIELD)
    page, record_id = _typed_then_idle_locked(qtbot, app)

    _sign_in_on_screen(qtbot, window, CASE)
    # the database thread answers in order: past the unlock's check of the form left open, then past the opening
    # it would start, whatever the main thread did with either answer has been done
    for _ in range(2):
        _on_db(qtbot, app, lambda vault: None)
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=10_000)  # her draft is in the list, closed
    assert app.forms.screen is None and window.stack.currentWidget() is window.registrations_page
    assert window.registrations_page.search.hasFocus()
    with qtbot.waitSignal(app.controller.locked, timeout=10_000):
        window.lock()

    with qtbot.waitSignal(app.forms.screen_opened, timeout=30_000) as reopened:
        _sign_in_on_screen(qtbot, window, FIELD)
    again = reopened.args[0]
    assert again.record_id == record_id and window.stack.currentWidget() is again and again.view.current == page
    assert again.session.value("/data/identity/given_name") == "Awa"
    with qtbot.waitSignal(app.controller.locked, timeout=10_000):
        window.lock()


def test_a_record_purged_already_opens_read_only_saying_why(qtbot, make_app):
    """A record the retention period purged before it was opened: opened from the list (its case file, then Open), it
    showed an editable form, and what the person typed was lost at the first save or count refresh, which closed it.
    Now it opens read-only: what the purge keeps is shown, a sentence names the retention rule and says it cannot be
    edited, nothing can be typed, Save and Finalize are gone, Ctrl+S writes nothing, Close closes at once; in French
    too."""
    app = _started(qtbot, make_app)
    window = app.window

    record_id = _on_db(qtbot, app, _acknowledged_person)
    assert _on_db(qtbot, app, _purge_now).record_ids == (record_id,)
    before = _on_db(qtbot, app, lambda vault: get_registration(vault, record_id))
    window.list_action.trigger()
    model, table = window.model, window.registrations_page.table
    qtbot.waitUntil(lambda: model.rowCount() == 1 and not model.is_loading, timeout=10_000)
    table.setFocus()
    table.selectRow(0)
    case_page = window.casefile_area.page
    qtbot.keyClick(table, Qt.Key.Key_Return)  # the person's case file
    qtbot.waitUntil(lambda: window.stack.currentWidget() is case_page and case_page.case is not None, timeout=10_000)
    with qtbot.waitSignal(app.forms.screen_opened, timeout=20_000) as opened:
        qtbot.mouseClick(case_page.open_button, Qt.MouseButton.LeftButton)
    screen = opened.args[0]
    assert screen.record_id == record_id and window.stack.currentWidget() is screen

    given = Filler(qtbot, screen).field("/data/identity/given_name")
    given.edit.setFocus()
    qtbot.keyClicks(given.edit, "Retyped")
    qtbot.keyClick(given.edit, Qt.Key.Key_Tab)
    assert given.edit.isReadOnly() and given.edit.text() == ""
    assert not screen.dirty and not screen.has_changes()
    assert not screen.save_button.isVisible() and not screen.finalize_button.isVisible()
    assert not app.forms.menu_actions["save"].isEnabled() and not app.forms.menu_actions["finalize"].isEnabled()
    note = screen.read_only_note
    assert note.isVisible() and note.window() is window
    assert "retention rule" in note.text() and "cannot be edited here" in note.text()
    assert screen.save_state.text() == "Read only: this record cannot be edited on this laptop"

    qtbot.keyClick(given.edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # Save as draft: nothing to save
    with qtbot.waitSignal(window.counts_updated, timeout=20_000):
        window.registrations_changed()  # a count refresh: the form checks its record and stays open, read-only
    assert app.forms.screen is screen and not _deleted_notice(app)

    window.set_language("fr")
    qtbot.waitUntil(lambda: "La règle de conservation" in note.text(), timeout=5_000)
    assert "ne peut pas être modifié ici" in note.text() and screen.save_state.text().startswith("Lecture seule")

    qtbot.mouseClick(screen.close_button, Qt.MouseButton.LeftButton)  # nothing to keep: closes without a question
    qtbot.waitUntil(lambda: app.forms.screen is None, timeout=10_000)
    assert screen.question is None
    after = _on_db(qtbot, app, lambda vault: get_registration(vault, record_id))
    assert after.version == before.version and after.purged_at == before.purged_at and after.status == "finalized"
    assert "Retyped" not in after.content


def test_a_purged_records_answers_are_all_reached_by_tab_and_none_can_be_changed(qtbot, make_app):
    """A record shown read-only after a purge had its choices (radio buttons, check boxes, drop-downs, dates...)
    disabled: greyed, skipped by Tab and by screen readers, so a keyboard user could not read them. Now every answer
    is reached by Tab in the form's order, each a focusable read-only line (a choice shows its label), and Space,
    the arrows, typing or a click change nothing; nothing is saved."""
    app = _started(qtbot, make_app)
    record_id = _on_db(qtbot, app, _acknowledged_person)
    assert _on_db(qtbot, app, _purge_now).record_ids == (record_id,)
    before = _on_db(qtbot, app, lambda vault: get_registration(vault, record_id))
    screen = _open(qtbot, app, record_id)
    view = screen.view
    assert screen.read_only
    walked = []  # every field whose answer Tab reached, over every page
    for number in view.visible_pages():
        view.go_to_page(number)
        page = view.pages[view.current].widget
        shown = [w for w in view.fields.values() if page.isAncestorOf(w) and w.isVisibleTo(page)
                 and w.answer_widget().focusPolicy() & Qt.FocusPolicy.TabFocus]
        shown.sort(key=lambda w: w.mapTo(page.widget(), w.rect().topLeft()).y())
        assert shown, f"page {number} shows no answer"
        shown[0].focus_editor()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is shown[0].answer_widget(), timeout=5_000)
        for field in shown:
            target = QApplication.focusWidget()
            assert target is field.answer_widget(), (field.ref, target)
            assert target.isEnabled() and target.isVisible() and target.accessibleName().startswith(field.label_text)
            if not field.reads_as_text:  # its controls gave way to a read-only line showing the answer in words
                assert field.frozen_line is target and target.isReadOnly() and not field.focus_target().isVisible()
                if field.item.value and field.item.choices:
                    assert target.text() and target.text() != field.item.value  # the label, not the code
            value, shown_text = screen.session.value(field.ref), target.text()
            for key in (Qt.Key.Key_Space, Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Left, Qt.Key.Key_Right,
                        Qt.Key.Key_Home, Qt.Key.Key_End, Qt.Key.Key_Delete, Qt.Key.Key_Backspace, Qt.Key.Key_X):
                qtbot.keyClick(target, key)
            qtbot.keyClicks(target, "changed")
            qtbot.mouseClick(target, Qt.MouseButton.LeftButton)
            assert QApplication.focusWidget() is target  # nothing the keys did moved the focus away
            assert screen.session.value(field.ref) == value and target.text() == shown_text
            walked.append(field.ref)
            qtbot.keyClick(target, Qt.Key.Key_Tab)
        # after the page's last answer, Previous or Next: no hidden control of a question on the way
        assert QApplication.focusWidget() in (view.previous_button, view.next_button)
    assert "/data/identity/sex" in walked and "/data/identity/nationality" in walked  # a choice, a drop-down
    assert "/data/identity/date_of_birth" in walked and len(walked) > 40  # every page the record shows
    sex = view.fields["/data/identity/sex"]
    assert sex.frozen_line.text() == "Female" and not sex.clear_button.isVisible()
    assert not screen.dirty and not screen.has_changes()
    qtbot.mouseClick(screen.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: app.forms.screen is None, timeout=10_000)
    after = _on_db(qtbot, app, lambda vault: get_registration(vault, record_id))
    assert after.version == before.version and after.content == before.content


def test_a_record_purged_while_the_laptop_was_locked_is_opened_again_read_only_where_the_person_was(
        qtbot, make_app):
    """The vault locks with a finalized record open; the retention period purges it before the unlock (`waypoint
    purge`, another person signed in here). The form was not opened again, a box said why, and the person had to find
    the record in the list, where it now opens read-only anyway. Now it is opened again for the person who left it,
    read-only, on the page and question they were at, a sentence above it saying what happened; no box."""
    from desktop_app.vault import Vault
    from tests.ui.forms.test_migrant_end_to_end import PASSPHRASE

    app = _started(qtbot, make_app)
    window = app.window
    record_id = _on_db(qtbot, app, _acknowledged_person)
    screen = _open(qtbot, app, record_id)
    sex = screen.view.field("/data/identity/sex")
    screen.view.focus_field(sex)
    qtbot.waitUntil(lambda: sex.choice_button("female").hasFocus(), timeout=5_000)
    page = screen.view.current
    with qtbot.waitSignal(app.controller.locked, timeout=10_000):
        window.lock(reason="idle")
    with Vault.unlock(app.controller.vault_path, username="amina.admin", passphrase=PASSPHRASE) as other:
        assert _purge_now(other).record_ids == (record_id,)
    with qtbot.waitSignal(app.forms.screen_opened, timeout=30_000) as reopened:
        unlock(qtbot, window)
    again = reopened.args[0]
    assert again.record_id == record_id and again.read_only and window.stack.currentWidget() is again
    assert again.view.current == page
    frozen = again.view.field("/data/identity/sex").frozen_line
    qtbot.waitUntil(frozen.hasFocus, timeout=5_000)
    assert frozen.text() == "Female"
    assert again.notice.isVisible() and "While the laptop was locked, the retention rule" in again.notice.text()
    assert "read-only" in again.notice.text() and again.read_only_note.isVisible()
    assert not _deleted_notice(app)

    # in French: the same, when the person works in French
    qtbot.mouseClick(again.close_button, Qt.MouseButton.LeftButton)  # nothing to keep: closes without a question
    qtbot.waitUntil(lambda: app.forms.screen is None, timeout=10_000)
    window.set_language("fr")
    screen = _open(qtbot, app, record_id)
    screen.view.focus_field(screen.view.field("/data/identity/sex"))
    with qtbot.waitSignal(app.controller.locked, timeout=10_000):
        window.lock(reason="idle")
    with qtbot.waitSignal(app.forms.screen_opened, timeout=30_000) as reopened:
        unlock(qtbot, window)
    again = reopened.args[0]
    assert again.read_only and again.notice.text().startswith("Pendant que l'ordinateur était verrouillé, la règle")
    assert again.view.field("/data/identity/sex").frozen_line.text() == "Féminin"
    qtbot.mouseClick(again.close_button, Qt.MouseButton.LeftButton)  # nothing to keep: closes without a question
    qtbot.waitUntil(lambda: app.forms.screen is None, timeout=10_000)
    stored = _on_db(qtbot, app, lambda vault: get_registration(vault, record_id))
    assert stored.purged_at is not None and stored.status == "finalized"
