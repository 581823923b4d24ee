"""The consent panel through the real widgets and the real vault: Registrations → Consent… shows the selected
person's consent per purpose; Withdraw asks which purposes and a confirmation before anything is written, then the
table says withdrawn, by whom and when, and the audit log holds the withdrawal; French too."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from desktop_app.services import audit, consent, records
from desktop_app.ui.access_audit import event_text
from desktop_app.ui.consent_panel import METHOD, PURPOSE, SINCE, STATUS
from tests.access.team import COORD, FIELD, MIGRANT, PASSPHRASES, PERSON, instance, make_team, signed_in

pytestmark = pytest.mark.gui
RECORD = "00000000-0000-4000-8000-000000000001"


@pytest.fixture
def team_app(open_window, isolated_home, xforms):
    folder = make_team(isolated_home / "team-vault", xforms)
    with signed_in(folder, FIELD) as vault:
        version = records.form_definition(xforms["migrant_registration"]).version
        records.finalize(vault, form_id=MIGRANT, form_version=version, record_id=RECORD,
                         content=instance(xforms["migrant_registration"], PERSON, RECORD))
    app = open_window(folder)
    return app, folder


def sign_in_and_open(qtbot, app, name):
    with qtbot.waitSignal(app.controller.unlocked, timeout=30_000):
        app.controller.unlock(username=name, passphrase=PASSPHRASES[name])
    table = app.window.registrations_page.table
    qtbot.waitUntil(lambda: app.window.model.rowCount() == 1, timeout=20_000)
    table.setCurrentIndex(app.window.model.index(0, 0))
    area = app.window.consent
    with qtbot.waitSignal(area.panel.loaded, timeout=20_000):
        area.action.trigger()
    assert app.window.stack.currentWidget() is area.page
    return area


def cells(panel, column):
    return [panel.model.index(r, column).data() for r in range(panel.model.rowCount())]


def test_withdraw_from_the_panel_with_confirmation(qtbot, qtmodeltester, team_app):
    app, folder = team_app
    area = sign_in_and_open(qtbot, app, FIELD)
    panel = area.panel
    qtmodeltester.check(panel.model)
    assert panel.heading.text() == "Consent of Testperson Synthetic (00000000)"
    assert cells(panel, STATUS) == ["Consented", "Consented", "Refused", "Refused", "Consented", "Consented",
                                    "Consented"]
    assert cells(panel, PURPOSE)[-1] == "Search for duplicates and family links"
    assert cells(panel, METHOD)[0] == "Signed"  # given by the person themself
    panel.withdraw_button.click()
    dialog = panel.dialog
    assert dialog is not None and list(dialog.boxes) == ["services", "share_providers", "reporting",
                                                         "followup_contact", "matching"]
    assert not dialog.withdraw_button.isEnabled()  # nothing chosen, nothing confirmed
    dialog.boxes["matching"].setChecked(True)
    assert not dialog.withdraw_button.isEnabled()  # chosen, not confirmed
    dialog.confirm.setChecked(True)
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).isDefault()
    with qtbot.waitSignal(panel.changed, timeout=20_000):
        dialog.withdraw_button.click()
    assert cells(panel, STATUS)[-1] == "Withdrawn" and f"by {FIELD}" in cells(panel, SINCE)[-1]
    assert "Consent withdrawn: Search for duplicates and family links." == panel.notice.text()
    # a cancelled dialog writes nothing
    panel.withdraw_button.click()
    panel.dialog.boxes["followup_contact"].setChecked(True)
    panel.dialog.reject()
    # consent given again, with how: only once a purpose and a method are chosen
    panel.give_button.click()
    give = panel.give_dialog
    assert list(give.boxes) == ["share_authorities", "share_unhcr", "matching"]
    give.boxes["matching"].setChecked(True)
    assert not give.give_button.isEnabled()
    give.method.setCurrentIndex(give.method.findData("thumbprint"))
    with qtbot.waitSignal(panel.changed, timeout=20_000):
        give.give_button.click()
    assert cells(panel, STATUS)[-1] == "Consented" and "Thumbprint" == cells(panel, METHOD)[-1]
    with qtbot.waitSignal(app.controller.locked, timeout=30_000):
        app.window.lock()
    assert panel.model.rowCount() == 0  # nothing personal left after the lock
    with signed_in(folder, COORD) as vault:
        assert consent.show(vault, RECORD).consent.allows("matching")
        entries = audit.entries(vault, audit.Filter(event_prefix="record.consent"))
        assert [(e.actor, e.event, e.record_id, e.detail) for e in reversed(entries)] == [
            (FIELD, "record.consent_withdrawn", RECORD, "matching"),
            (FIELD, "record.consent_given", RECORD, "matching (thumbprint)")]
    # the audit screen names them in words
    assert event_text("record.consent_withdrawn") == "Recorded a consent withdrawal"
    assert event_text("record.consent_refused") == "Stopped: no consent"


def test_its_shortcut_is_its_own(team_app):
    app, _ = team_app
    from PySide6.QtGui import QAction

    mine = app.window.consent.action.shortcut()
    others = [a.objectName() for a in app.window.findChildren(QAction)
              if a is not app.window.consent.action and a.shortcut() == mine]
    assert not mine.isEmpty() and others == []


def test_the_panel_in_french(qtbot, team_app):
    app, _ = team_app
    app.translations.switch("fr")
    area = sign_in_and_open(qtbot, app, FIELD)
    assert area.action.text() == "&Consentement…"
    assert area.panel.heading.text() == "Consentement de Testperson Synthetic (00000000)"
    assert cells(area.panel, STATUS)[:3] == ["Consenti", "Consenti", "Refusé"]
    assert cells(area.panel, PURPOSE)[2] == "Partage avec les autorités nationales"
    assert area.panel.withdraw_button.text() == "Retirer le &consentement…"


def test_who_gave_consent_shows_beside_how(qtbot, qtmodeltester):
    from desktop_app.ui.consent_panel import ConsentModel, rows_of
    from waypoint_core.access import consent as rule

    given = rule.from_answers(RECORD, {"consent_services": "yes", "consent_matching": "yes",
                                       "consent_method": "thumbprint", "consent_given_by": "guardian",
                                       "consent_date": "2026-11-02"})
    model = ConsentModel()
    model.set_rows(rows_of(consent.ConsentView(RECORD, given, ())))
    qtmodeltester.check(model)
    assert model.index(0, METHOD).data() == "Thumbprint, by a parent or guardian"
    assert model.index(0, SINCE).data() == "2026-11-02"
