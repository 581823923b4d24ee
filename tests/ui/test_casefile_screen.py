"""The case file through the real widgets (issue 12 point 2): opened from Find a person and from the registration
list; the person, the state of the case, the next appointment and open referrals at a glance; the timeline as a Qt
model; Add assistance opens the event form with the person already chosen (not retypable) and the laptop's centre,
and comes back to the case file; closing and reopening ask for a reason; English and French; a lock clears it."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrinter
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialogButtonBox, QLabel, QMessageBox

from desktop_app.services import casefile, consent, places, records
from desktop_app.ui.casefile_model import DETAILS, WHAT
from desktop_app.ui.casefile_print import case_document
from desktop_app.vault import audit as audit_log
from tests.access.team import ADMIN, CANARY, FIELD, MIGRANT, PASSPHRASES, PERSON, instance, make_team, signed_in
from tests.registry.test_casefile import add_event, add_referral, version_of

pytestmark = pytest.mark.gui


def register(vault, xforms, given: str, family: str) -> str:
    record_id = str(uuid.uuid4())
    answers = {**PERSON, "centre_page/registered_on": "2026-11-01", "identity/given_name": given,
               "identity/family_name": family}
    records.finalize(vault, form_id=MIGRANT, form_version=version_of(xforms["migrant_registration"]),
                     content=instance(xforms["migrant_registration"], answers, record_id), record_id=record_id)
    return record_id


@pytest.fixture
def team_app(qtbot, open_window, isolated_home, xforms):
    folder = make_team(isolated_home / "case-vault", xforms)
    soon = (date.today() + timedelta(days=9)).isoformat()
    with signed_in(folder, ADMIN) as vault:  # the laptop's centre is set by those who manage it
        places.set_place(vault, country="NE", centre="ne_agadez")
    with signed_in(folder, FIELD) as vault:
        person = register(vault, xforms, "Aïcha", "Bello")
        register(vault, xforms, "Moussa", "Diallo")
        short = casefile.short_id(person)
        add_event(vault, xforms, short, kind="food", day=date.today().isoformat(), next_appointment=soon)
        add_referral(vault, xforms, short, status="pending")
    app = open_window(folder)
    with qtbot.waitSignal(app.controller.unlocked, timeout=30_000):
        app.controller.unlock(username=FIELD, passphrase=PASSPHRASES[FIELD])
    return app, person, soon


def assert_one_control_per_alt_letter(window, page) -> None:
    """Alt+letter reaches one control of the case file (its consent panel included) and no menu of the window."""
    texts = [w.text() for w in page.findChildren(QAbstractButton) + page.findChildren(QLabel)]
    texts += [page.tabs.tabText(i) for i in range(page.tabs.count())]
    texts += [m.title() for m in (window.file_menu, window.registrations_menu, window.language_menu,
                                  window.help_menu)]
    keys = [t[t.index("&") + 1].lower() for t in texts if "&" in t.replace("&&", "")]
    assert len(keys) == len(set(keys)), sorted(t for t in texts if "&" in t.replace("&&", ""))


def open_from_search(qtbot, app, text: str):
    area = app.window.search_area
    area.open()
    qtbot.keyClicks(area.page.box, text)
    qtbot.waitUntil(lambda: area.page.outcome is not None and area.page.outcome.text == text
                    and area.page.outcome.complete, timeout=10_000)  # the refined search, after the first results
    qtbot.keyClick(area.page.box, Qt.Key.Key_Return)  # Enter opens the best result: their case file
    page = app.window.casefile_area.page
    consent = app.window.casefile_area.consent
    qtbot.waitUntil(lambda: app.window.stack.currentWidget() is page and page.case is not None
                    and consent.view is not None, timeout=10_000)
    return page


def test_from_search_the_case_file_shows_the_person_at_a_glance(qtbot, qtmodeltester, team_app, xforms):
    app, person, soon = team_app
    page = open_from_search(qtbot, app, "Aisha Bello")
    assert page.case.person.record_id == person
    assert "Aïcha Bello" in page.heading.text() and casefile.short_id(person) in page.heading.text()
    assert page.badge.text() == "Open" and page.status_button.text() == "Clo&se the case…"
    assert soon in page.appointment.text() and "Food" in page.appointment.text()
    assert "Legal assistance" in page.referrals.text() and "Legal aid clinic" in page.referrals.text()
    model = page.model
    assert [model.index(r, WHAT).data() for r in range(model.rowCount())] == \
        ["Registration", "Referral: Legal assistance", "Food"]  # the referral was sent before today's food
    assert "next appointment " + soon in model.index(2, DETAILS).data()
    qtmodeltester.check(model)
    assert_one_control_per_alt_letter(app.window, page)
    assert page.table.hasFocus()  # the keyboard is in the timeline
    qtbot.keyClick(page.table, Qt.Key.Key_Escape)
    assert app.window.stack.currentWidget() is app.window.search_area.page  # back where the person came from

    app.window.registrations_page.open_requested.emit(person)  # Enter or double-click on the list
    qtbot.waitUntil(lambda: app.window.stack.currentWidget() is page, timeout=10_000)
    # a draft registration in the list reopens its form: the person is finishing it
    draft = str(uuid.uuid4())
    migrant = xforms["migrant_registration"]
    task = app.controller.run_with_vault(lambda vault, state: records.save_draft(
        vault, form_id=MIGRANT, form_version=version_of(migrant), content=instance(
            migrant, {**PERSON, "identity/given_name": "Draft"}, draft), record_id=draft))
    qtbot.waitSignal(task.succeeded, timeout=10_000).wait()
    with qtbot.waitSignal(app.forms.screen_opened, timeout=20_000) as opened:
        app.window.registrations_page.open_requested.emit(draft)
    assert opened.args[0].record_id == draft
    app.window.registrations_page.open_requested.emit(person)
    qtbot.waitUntil(lambda: app.window.stack.currentWidget() is page, timeout=10_000)

    app.window.set_language("fr")
    qtbot.waitUntil(lambda: model.index(2, WHAT).data() == "Alimentation", timeout=10_000)
    assert page.badge.text() == "Ouvert" and page.status_button.text() == "Clôturer le do&ssier…"
    assert "Assistance juridique" in page.referrals.text()
    assert_one_control_per_alt_letter(app.window, page)
    # the consent panel, embedded in the Consent tab
    assert app.window.casefile_area.consent.heading.text().startswith("Consentement de Aïcha Bello")
    app.window.set_language("en")

    app.window.lock()
    qtbot.waitUntil(lambda: not app.controller.is_unlocked, timeout=10_000)
    assert page.case is None and model.rowCount() == 0 and page.heading.text() == ""


def test_add_assistance_starts_from_the_person_and_comes_back(qtbot, team_app):
    app, person, _ = team_app
    page = open_from_search(qtbot, app, "Aisha Bello")
    with qtbot.waitSignal(app.forms.screen_opened, timeout=20_000) as opened:
        qtbot.mouseClick(page.add_event_button, Qt.MouseButton.LeftButton)
    screen = opened.args[0]
    ref = "/data/event/person_ref"
    assert screen.session.value(ref) == casefile.short_id(person)
    pinned = screen.view.field(ref).answer_widget()
    assert pinned.isReadOnly()  # given by the case file, not retypable
    # yet read like any answer, not greyed: Tab reaches it in the form's order, typing changes nothing
    assert pinned.isEnabled() and pinned.accessibleName().startswith("Registration number of the person")
    screen.view.go_to_page(screen.view.page_of(screen.view.field(ref)))
    screen.view.focus_first_field()
    walked = [QApplication.focusWidget()]
    while walked[-1] not in (screen.view.previous_button, screen.view.next_button) and len(walked) < 30:
        qtbot.keyClick(walked[-1], Qt.Key.Key_Tab)
        walked.append(QApplication.focusWidget())
    assert pinned in walked
    qtbot.keyClicks(pinned, "9")
    qtbot.keyClick(pinned, Qt.Key.Key_Backspace)
    assert screen.session.value(ref) == casefile.short_id(person) and pinned.text() == casefile.short_id(person)
    assert "Aïcha Bello" in screen.notice.text()  # whom the form is for
    assert screen.session.value("/data/event/centre") == "ne_agadez"  # the laptop's centre, not picked
    for question, value in (("assistance_type", "accommodation"), ("modality", "service"), ("unit", "nights")):
        screen.view.apply(screen.session.answer(f"/data/event/{question}", value))
    with qtbot.waitSignal(screen.finalized, timeout=20_000):
        screen.finalize()
    qtbot.waitUntil(lambda: app.window.stack.currentWidget() is page, timeout=10_000)
    qtbot.waitUntil(lambda: page.model.rowCount() == 4, timeout=10_000)  # reloaded with the new assistance
    assert "Accommodation" in [page.model.index(r, WHAT).data() for r in range(4)]
    # an event reopened from the timeline keeps its person as given
    row = [page.model.index(r, WHAT).data() for r in range(4)].index("Accommodation")
    page.table.setFocus()
    page.table.selectRow(row)
    with qtbot.waitSignal(app.forms.screen_opened, timeout=20_000) as reopened:
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
    again = reopened.args[0]
    assert again.session.value(ref) == casefile.short_id(person) and again.view.field(ref).edit.isReadOnly()
    with qtbot.waitSignal(again.close_requested, timeout=20_000):
        again.close_form()
    qtbot.waitUntil(lambda: app.window.stack.currentWidget() is page, timeout=10_000)
    # the keys go on in the timeline (the form's focused control is gone: Qt gave the focus to Sync now, where the
    # next Enter started a sync)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.table, timeout=10_000)

    # the form chooser no longer offers events and referrals: they start from a person
    app.window.new_action.trigger()
    chooser = app.forms.chooser
    qtbot.waitUntil(lambda: app.window.stack.currentWidget() is chooser, timeout=60_000)
    offered = {chooser.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(chooser.list.count())}
    assert MIGRANT in offered and not offered & {casefile.EVENT_FORM, casefile.REFERRAL_FORM}


def test_close_and_reopen_ask_for_a_reason(qtbot, team_app):
    app, person, _ = team_app
    page = open_from_search(qtbot, app, "Aisha Bello")
    area = app.window.casefile_area
    qtbot.mouseClick(page.status_button, Qt.MouseButton.LeftButton)
    dialog = area.dialog
    assert dialog is not None and dialog.isVisible() and dialog.focusWidget() is dialog.reason
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()  # no reason yet
    assert dialog.isVisible() and dialog.problem.text() == "Choose a reason."
    dialog.reason.setCurrentIndex(dialog.reason.findData("onward"))
    qtbot.keyClicks(dialog.note, "left for Arlit")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: page.case is not None and page.case.closed, timeout=10_000)
    assert page.badge.text() == "Closed" and page.state_line.text().endswith(": Onward movement")
    app.window.set_language("fr")  # one translated string: French puts a non-breaking space before the colon
    qtbot.waitUntil(lambda: "Poursuite du voyage" in page.state_line.text(), timeout=5_000)
    assert page.state_line.text().startswith("Dossier clôturé") and page.state_line.text().endswith(
        "\u00a0: Poursuite du voyage")
    app.window.set_language("en")
    qtbot.waitUntil(lambda: "Onward movement" in page.state_line.text(), timeout=5_000)
    assert page.status_button.text() == "Reo&pen the case…"
    assert page.model.index(page.model.rowCount() - 1, WHAT).data() == "Case closed"
    assert "left for Arlit" in page.model.index(page.model.rowCount() - 1, DETAILS).data()

    qtbot.mouseClick(page.status_button, Qt.MouseButton.LeftButton)
    dialog = area.dialog
    dialog.reason.setCurrentIndex(dialog.reason.findData("came_back"))
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: page.case is not None and not page.case.closed, timeout=10_000)
    assert page.badge.text() == "Open" and "Came back to the centre" in page.state_line.text()

    # a consent withdrawn (the Consent tab's use case) shows on the timeline
    task = app.controller.run_with_vault(lambda vault, state: consent.withdraw(vault, person, ["followup_contact"]))
    qtbot.waitSignal(task.succeeded, timeout=10_000).wait()
    area.reload()
    qtbot.waitUntil(lambda: page.model.index(page.model.rowCount() - 1, WHAT).data() == "Consent withdrawn",
                    timeout=10_000)
    assert page.model.index(page.model.rowCount() - 1, DETAILS).data() == "Being contacted again"
    assert "do not contact" in page.appointment.text()


def test_the_reason_dialog_says_other_needs_a_note_and_puts_the_keys_where_to_answer(qtbot, team_app):
    # the note was labelled "(optional)" whatever the reason, and OK on Other then said "Say why in the note." with
    # the focus left where it was, not in the note
    app, _person, _ = team_app
    page = open_from_search(qtbot, app, "Aisha Bello")
    qtbot.mouseClick(page.status_button, Qt.MouseButton.LeftButton)
    dialog = app.window.casefile_area.dialog
    qtbot.waitUntil(lambda: dialog.isVisible() and QApplication.focusWidget() is dialog.reason, timeout=5_000)
    assert dialog.note_label.text() == "&Note (optional):"
    dialog.reason.setCurrentIndex(dialog.reason.findData("other"))
    assert dialog.note_label.text() == "&Note (required for Other):"
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)  # Enter is OK
    assert dialog.isVisible() and dialog.problem.text() == "Say why in the note."
    assert QApplication.focusWidget() is dialog.note
    app.window.set_language("fr")
    # a language switched with the dialog open: it was left in English beside the French case file
    qtbot.waitUntil(lambda: dialog.note_label.text() == "&Note (obligatoire pour Autre)\u00a0:", timeout=5_000)
    assert dialog.problem.text() == "Indiquez pourquoi dans la note." and dialog.reason.currentText() == "Autre"
    assert dialog.chosen[0] == "other" and QApplication.focusWidget() is dialog.note
    app.window.set_language("en")
    qtbot.waitUntil(lambda: dialog.note_label.text() == "&Note (required for Other):", timeout=5_000)
    qtbot.keyClicks(dialog.note, "moved to a relative")
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.case is not None and page.case.closed, timeout=10_000)
    dialog = None
    qtbot.mouseClick(page.status_button, Qt.MouseButton.LeftButton)  # reopening: no Other chosen yet
    dialog = app.window.casefile_area.dialog
    qtbot.waitUntil(lambda: dialog.isVisible(), timeout=5_000)
    assert dialog.note_label.text() == "&Note (optional):"
    dialog.reject()


def test_a_new_assistance_form_open_at_a_lock_comes_back_for_the_same_person(qtbot, team_app):
    app, person, _ = team_app
    page = open_from_search(qtbot, app, "Aisha Bello")
    with qtbot.waitSignal(app.forms.screen_opened, timeout=20_000):
        qtbot.mouseClick(page.add_event_button, Qt.MouseButton.LeftButton)
    app.window.lock()
    qtbot.waitUntil(lambda: not app.controller.is_unlocked, timeout=10_000)
    with qtbot.waitSignal(app.forms.screen_opened, timeout=30_000) as opened:
        app.controller.unlock(username=FIELD, passphrase=PASSPHRASES[FIELD])
    screen = opened.args[0]
    ref = "/data/event/person_ref"
    assert screen.session.value(ref) == casefile.short_id(person) and screen.view.field(ref).edit.isReadOnly()


def printed_entries(qtbot, app) -> list[tuple[str, str | None]]:
    task = app.controller.run_with_vault(lambda vault, state: [
        (e.event, e.record_id) for e in audit_log.entries(vault, audit_log.Filter(event_prefix="record.print"))])
    with qtbot.waitSignal(task.succeeded, timeout=10_000) as done:
        pass
    return done.args[0]


def test_print_holds_what_the_screen_shows_and_never_goes_to_a_file(qtbot, team_app, tmp_path):
    """Issue 11 point 4, data-model R10: Print… on the case file; the paper holds the person and their timeline as
    field staff see it (no P3 answer); the system dialog offers no file output; a printer that writes a file is
    refused and nothing is recorded as printed (the service records an accepted print: tests/registry)."""
    app, person, soon = team_app
    page = open_from_search(qtbot, app, "Bello")
    area = app.window.casefile_area
    assert page.print_button.text() == "Pr&int…" and page.print_button.isEnabled()
    assert_one_control_per_alt_letter(app.window, page)

    text = case_document(page).toPlainText()
    assert "Aïcha Bello" in text and casefile.short_id(person) in text and "Open" in text
    rows = [" · ".join(page.model.index(r, c).data() or "" for c in range(4)) for r in range(page.model.rowCount())]
    assert page.model.rowCount() == 3  # the registration, the food assistance, the referral
    for row in range(page.model.rowCount()):
        assert page.model.index(row, WHAT).data() in text and page.model.index(row, 0).data() in text, rows
    assert "Food" in text and "Legal aid clinic" in text and soon in text
    assert CANARY not in text and "Moussa" not in text  # no P3 answer, no one else

    area.ask_print()  # the system's print dialog, without its "print to file" choice
    dialog = area.print_box
    assert dialog is not None
    assert not dialog.testOption(QAbstractPrintDialog.PrintDialogOption.PrintToFile)
    dialog.reject()
    qtbot.waitUntil(lambda: area.print_box is None, timeout=10_000)

    target = tmp_path / "case-file.pdf"
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(target))
    assert area.print_to(printer) is False
    qtbot.waitUntil(lambda: app.window.findChild(QMessageBox, "casePrintProblem") is not None, timeout=10_000)
    box = app.window.findChild(QMessageBox, "casePrintProblem")
    assert "never to a file" in box.text()
    box.close()
    assert not target.exists()
    assert printed_entries(qtbot, app) == []

    app.window.set_language("fr")
    qtbot.waitUntil(lambda: page.print_button.text() == "&Imprimer…" and "Alimentation" in
                    [page.model.index(r, WHAT).data() for r in range(page.model.rowCount())], timeout=10_000)
    assert_one_control_per_alt_letter(app.window, page)
    text = case_document(page).toPlainText()
    assert "Aïcha Bello" in text and "Imprimé le" in text and "Alimentation" in text
    app.window.set_language("en")
    app.window.lock()
    qtbot.waitUntil(lambda: not app.controller.is_unlocked, timeout=10_000)


def test_a_refused_close_says_why_in_the_interface_language(qtbot, team_app):
    """Found on a field day (2026-12-07): "The case was not changed: %1" showed the records layer's English message
    ("this case is already closed") in French too. Each refusal that can happen there is a translated sentence."""
    from desktop_app.services.access import AccessDenied

    app, person, _ = team_app
    page = open_from_search(qtbot, app, "Aisha Bello")
    area = app.window.casefile_area
    app.window.set_language("fr")
    qtbot.waitUntil(lambda: page.badge.text() == "Ouvert", timeout=5_000)
    qtbot.mouseClick(page.status_button, Qt.MouseButton.LeftButton)
    dialog = area.dialog
    dialog.reason.setCurrentIndex(dialog.reason.findData("onward"))
    # meanwhile the case is closed (a colleague on this laptop, or a pulled change)
    task = app.controller.run_with_vault(lambda vault, state: casefile.close_case(vault, person, reason="onward"))
    qtbot.waitSignal(task.succeeded, timeout=10_000).wait()
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: app.window.findChild(QMessageBox, "caseStatusProblem") is not None, timeout=10_000)
    box = app.window.findChild(QMessageBox, "caseStatusProblem")
    assert box.windowTitle() == "Le dossier n'a pas été modifié"
    assert box.text() == ("Le dossier n'a pas été modifié. Ce dossier est déjà clôturé\u00a0: il l'a été entre-temps, "
                          "sur cet ordinateur ou par la synchronisation.")
    box.accept()
    qtbot.waitUntil(lambda: page.case is not None and page.case.closed, timeout=10_000)  # what happened is shown

    # the other refusals, in French, never the English message behind them
    gone = casefile.CaseStatusError("this registration is no longer on this laptop", why=casefile.WHY_GONE)
    assert area.change_error_text(gone) == area.change_error_text(casefile.NotAPerson("x")) == (
        "Cet enregistrement n'est plus sur cet ordinateur.")
    assert area.change_error_text(casefile.CaseStatusError("this case is not closed", why=casefile.WHY_NOT_CLOSED)) \
        .startswith("Ce dossier est déjà ouvert\u00a0:")
    assert area.change_error_text(casefile.CaseStatusError("say in the note why ('other' reason)",
                                                           why=casefile.WHY_NOTE)) == (
        "Le motif «\u00a0Autre\u00a0» demande une note qui dise pourquoi.")
    assert area.change_error_text(casefile.CaseStatusError("the reason must be one of onward",
                                                           why=casefile.WHY_REASON)).startswith("Ce motif")
    assert area.change_error_text(AccessDenied("no")) == "Votre rôle ne permet pas cette action."
    app.window.set_language("en")
    assert area.change_error_text(casefile.NotAPerson("x")) == "This registration is no longer on this laptop."


def test_a_case_file_that_cannot_be_opened_says_why_in_the_interface_language(qtbot, team_app):
    """Found on a field day (2026-12-07): "The case file could not be opened: %1" showed the exception's English text
    in French too. A person no longer on this laptop, a role that may not see them, and the vault's failures (lock,
    disk, unexpected: messages.failure_text) are each a translated sentence."""
    from desktop_app.services.access import AccessDenied
    from desktop_app.vault.errors import VaultLocked

    app, _person, _ = team_app
    page = open_from_search(qtbot, app, "Aisha Bello")
    area = app.window.casefile_area
    app.window.set_language("fr")
    qtbot.waitUntil(lambda: page.badge.text() == "Ouvert", timeout=5_000)
    area.record_id = str(uuid.uuid4())  # the case file shown is of a registration no longer on this laptop
    area.reload()
    qtbot.waitUntil(lambda: page.problem.isVisibleTo(page), timeout=10_000)
    assert page.problem.text() == ("Le dossier n'a pas pu être ouvert. "
                                   "Cet enregistrement n'est plus sur cet ordinateur.")
    assert "no person" not in page.problem.text()
    assert area.open_error_text(AccessDenied("may not view")) == (
        "Votre rôle ne vous permet pas de voir le dossier de cette personne.")
    assert area.open_error_text(VaultLocked("locked")) == "Le coffre-fort est verrouillé. Déverrouillez-le et réessayez."
    app.window.set_language("en")
    assert area.open_error_text(casefile.NotAPerson("x")) == "This registration is no longer on this laptop."
    assert area.open_error_text(AccessDenied("x")) == "Your role does not allow you to see this person's case file."


def test_every_purpose_of_the_consent_is_read_by_keyboard_on_a_small_screen(qtbot, team_app):
    """Found walking the case file by keyboard at 1024x600 in French (2026-12-08): its consent table shows four of
    the person's purposes, and it took no focus: Tab went past it, so a keyboard or screen-reader user could neither
    read a purpose nor scroll to those below. Now Tab reaches it after the tab bar and the arrows walk the purposes,
    scrolling each into sight; nothing is selected (Withdraw asks which purposes itself)."""
    app, _person, _ = team_app
    app.window.resize(1024, 600)
    page = open_from_search(qtbot, app, "Aisha Bello")
    consent = app.window.casefile_area.consent
    page.tabs.setCurrentWidget(page.consent_slot)
    table = consent.table
    qtbot.waitUntil(lambda: table.isVisible() and consent.model.rowCount() > 4, timeout=10_000)
    page.tabs.tabBar().setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(page.tabs.tabBar(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is table
    last = consent.model.rowCount() - 1
    for _ in range(last):
        qtbot.keyClick(table, Qt.Key.Key_Down)
    assert table.currentIndex().row() == last
    assert table.viewport().rect().contains(table.visualRect(table.currentIndex()))  # scrolled into sight
    assert not table.selectionModel().hasSelection()
