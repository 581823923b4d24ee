"""The audit log screen through the real widgets: coordinators open it from the Administration menu, narrow it by
person, kind of event, period and record, verify the chain (intact, then altered with the data key: the entry is
named), and export it; other roles never see the entry and the services refuse them; French too."""

from __future__ import annotations

import csv

import pytest
from PySide6.QtCore import Qt

from desktop_app.services import audit, records
from desktop_app.services.access import AccessDenied
from desktop_app.ui.access_audit import DETAIL, OUTCOME, WHAT, WHO
from desktop_app.vault import database, keyslots
from tests.access.team import (
    ADMIN, COORD, FIELD, MIGRANT, PERSON, instance, make_team, sign_in, signed_in,
)

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



def open_audit(qtbot, app):
    area = app.window.audit
    assert app.window.access.menu.isVisible() and area.action.isVisible()
    area.action.trigger()
    qtbot.waitUntil(lambda: area.model.rowCount() > 0, timeout=20_000)
    return area


def column(area, col):
    return [area.model.index(r, col).data() for r in range(area.model.rowCount())]


def test_coordinators_review_narrow_verify_and_export(qtbot, qtmodeltester, team_app, tmp_path):
    app, _ = team_app
    sign_in(qtbot, app, COORD)
    assert not app.window.access.people_action.isVisible()  # coordinators do not manage people
    area = open_audit(qtbot, app)
    qtmodeltester.check(area.model)
    assert app.window.stack.currentWidget() is area.page
    assert column(area, WHAT)[0] == "Reviewed the audit log" and "Signed in" in column(area, WHAT)[:5]  # newest first
    assert "Finalized a record" in column(area, WHAT)

    page = area.page
    page.person.setCurrentIndex(page.person.findData(FIELD))
    qtbot.waitUntil(lambda: set(column(area, WHO)) == {FIELD}, timeout=20_000)
    page.kind.setCurrentIndex(1)  # records
    qtbot.waitUntil(lambda: bool(column(area, WHAT)) and set(column(area, WHAT)) <= {"Finalized a record", "Started a record",
                                                         "Changed a record", "Opened a record"}, timeout=20_000)
    assert set(column(area, OUTCOME)) == {"Allowed"}
    page.record.setText(RECORD)
    page.record.editingFinished.emit()
    qtbot.waitUntil(lambda: column(area, WHAT) == ["Finalized a record"], timeout=20_000)
    page.period.setCurrentIndex(1)  # today
    qtbot.waitUntil(lambda: column(area, WHAT) == ["Finalized a record"], timeout=20_000)
    qtbot.waitUntil(lambda: page.count.text() == "1 entry", timeout=20_000)

    page.verify_button.click()
    qtbot.waitUntil(lambda: "intact" in page.status.text(), timeout=20_000)
    assert "entries verified" in page.status.text()

    area.export_to(str(tmp_path))
    qtbot.waitUntil(lambda: "exported to" in page.status.text(), timeout=20_000)
    exported = list(tmp_path.glob("waypoint-audit-*.csv"))
    assert len(exported) == 1
    with open(exported[0], newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [(r["actor"], r["event"], r["record_id"]) for r in rows] == [(FIELD, "record.finalize", RECORD)]


def test_an_altered_entry_is_named_on_the_screen(qtbot, team_app):
    app, folder = team_app
    with signed_in(folder, COORD) as vault:
        dek = vault._dek
    conn = database.connect_raw(folder / database.DB_FILE, dek,
                                page_size=keyslots.cipher_page_size(keyslots.load(folder)), isolation_level=None)
    try:
        conn.execute("DROP TRIGGER audit_entry_no_update")
        conn.execute("UPDATE audit_entry SET actor = 'nobody' WHERE seq = 4")
    finally:
        conn.close()
    sign_in(qtbot, app, COORD)
    area = open_audit(qtbot, app)
    area.page.verify_button.click()
    qtbot.waitUntil(area.page.error.isVisible, timeout=20_000)
    assert area.page.error.text() == ("The audit log does not verify. Entry 4 was altered after it was written. "
                                      "Report this to your organisation.")
    qtbot.waitUntil(lambda: "nobody" in column(area, WHO), timeout=20_000)  # the list is read again after verifying


def test_other_roles_see_no_entry_and_are_refused(qtbot, team_app):
    app, folder = team_app
    for who in (FIELD, ADMIN):
        sign_in(qtbot, app, who)
        assert not app.window.audit.action.isVisible()
        with qtbot.waitSignal(app.controller.locked, timeout=30_000):
            app.window.lock()
    with signed_in(folder, FIELD) as vault, pytest.raises(AccessDenied):
        audit.entries(vault)


def test_the_screen_in_french(qtbot, team_app):
    app, _ = team_app
    app.translations.switch("fr")
    sign_in(qtbot, app, COORD)
    area = open_audit(qtbot, app)
    assert area.page.heading.text() == "Journal d'audit"
    assert area.action.text() == "&Journal d'audit…"
    assert column(area, WHAT)[0] == "A consulté le journal d'audit" and "S'est connecté(e)" in column(area, WHAT)[:5]
    assert area.model.headerData(DETAIL, Qt.Orientation.Horizontal) == "Détail"
    area.page.verify_button.click()
    qtbot.waitUntil(lambda: "intacte" in area.page.status.text(), timeout=20_000)
