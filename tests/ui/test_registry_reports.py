"""Indicators through the real widgets: a period, the indicator table, a protected breakdown with its chart, the
language switch, and an export written by the database thread."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QDate, Qt

from tests.access.team import CASE, FIELD, make_team, sign_in, signed_in
from tests.registry.test_reports_device import populate

pytestmark = pytest.mark.gui


@pytest.fixture
def team_app(open_window, isolated_home, xforms):
    folder = make_team(isolated_home / "team-vault", xforms)
    with signed_in(folder, CASE) as vault:
        populate(vault)
    app = open_window(folder)
    return app



def compute(qtbot, app):
    area = app.window.reports_area
    area.action.trigger()
    page = area.page
    assert app.window.stack.currentWidget() is page
    page.start.setDate(QDate(2026, 1, 1))
    page.end.setDate(QDate(2026, 3, 31))
    qtbot.mouseClick(page.compute_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.indicators.rowCount() > 0, timeout=20_000)
    return area, page


def test_indicators_table_breakdown_chart_language_and_export(qtbot, qtmodeltester, team_app, tmp_path):
    app = team_app
    sign_in(qtbot, app, CASE)
    area, page = compute(qtbot, app)
    codes = [page.indicators.index(r, 0).data() for r in range(page.indicators.rowCount())]
    assert codes == ["3.2", "3.3", "3.4", "3.5", "3.5 bis", "—"]
    assert page.indicators.index(0, 2).data() == "29"
    assert "1 event or referral names no registration" in page.status.text()
    # the breakdown by sex: the 4 men hidden, the women hidden so that the total cannot give them back
    shown = [(page.breakdown.index(r, 0).data(), page.breakdown.index(r, 1).data())
             for r in range(page.breakdown.rowCount())]
    assert shown == [("Female", "x"), ("Male", "<10"), ("Total", "29")]
    assert "1 cell of fewer than 10 people shown as <10" in page.note.text()
    assert page.breakdown.index(1, 1).data(Qt.ItemDataRole.ToolTipRole).startswith("Fewer than 10 people")
    page.dimension.setCurrentIndex(page.dimension.findData("nationality"))
    assert page.breakdown.index(0, 0).data() == "Mali" and page.breakdown.index(0, 1).data() == "29"
    assert page.chart.isVisible() and page.chart.height() >= 160
    qtmodeltester.check(page.indicators)
    qtmodeltester.check(page.breakdown)

    app.window.set_language("fr")
    qtbot.waitUntil(lambda: page.heading.text() == "Indicateurs", timeout=5_000)
    assert page.indicators.index(0, 1).data() == "Migrants en transit et personnes déplacées de force protégés ou assistés"
    assert page.dimension.currentText() == "Nationalité"
    app.window.set_language("en")

    page.format.setCurrentText("XLSX")
    area.write_to(str(tmp_path))
    # while it is saved: said, and no second save can start
    assert page.status.text() == "Saving the report…" and not page.export_button.isEnabled()
    expected = tmp_path / "waypoint-indicators-2026-01-01-2026-03-31.xlsx"
    qtbot.waitUntil(lambda: page.status.text().startswith("Saved"), timeout=20_000)
    assert expected.is_file() and expected.stat().st_size > 0
    qtbot.waitUntil(page.export_button.isEnabled, timeout=5_000)
    gone = tmp_path / "usb stick pulled out"  # the folder chosen is not there any more
    area.write_to(str(gone))
    qtbot.waitUntil(lambda: page.status.text().startswith("The report could not be saved"), timeout=20_000)
    assert page.status.text() == (f"The report could not be saved: {gone / expected.name}: No such file or directory")
    qtbot.waitUntil(page.export_button.isEnabled, timeout=5_000)
    assert not gone.exists()


def test_field_staff_see_no_trafficking_indicator_and_a_lock_clears_the_screen(qtbot, team_app):
    app = team_app
    sign_in(qtbot, app, FIELD)
    area, page = compute(qtbot, app)
    assert "—" not in [page.indicators.index(r, 0).data() for r in range(page.indicators.rowCount())]
    assert "vot" not in [page.indicators.index(r, 0).data() for r in range(page.indicators.rowCount())]
    # said, so that the screen is not read as "no victim of trafficking identified"
    assert page.status.text().endswith("Trafficking cases are not seen with your role: their indicator is not shown.")
    app.window.set_language("fr")
    qtbot.waitUntil(lambda: page.heading.text() == "Indicateurs", timeout=5_000)
    page.compute_button.click()
    qtbot.waitUntil(lambda: page.status.text().startswith("Calculé"), timeout=10_000)
    assert "Votre rôle ne voit pas les cas de traite" in page.status.text()
    app.window.set_language("en")
    app.window.lock()
    qtbot.waitUntil(lambda: not app.controller.is_unlocked, timeout=10_000)
    assert page.indicators.rowCount() == 0 and page.breakdown.rowCount() == 0 and not area.action.isEnabled()


def test_3_3_shows_the_session_tallies_and_the_estimated_reach_apart(qtbot, open_window, isolated_home, xforms):
    """An information session (forms/info_session.md) at Agadez: 12 girls under 18 present, an estimated radio
    audience of 5,000. 3.3 counts the 12 and says the audience under the breakdown, apart, in English and French."""
    from desktop_app.vault.registrations import RegistrationDraft, save_registrations

    folder = make_team(isolated_home / "team-vault", xforms)
    with signed_in(folder, CASE) as vault:
        populate(vault)
        save_registrations(vault, [RegistrationDraft(
            "waypoint_info_session", "2026120701", "finalized", "<data/>", "00000500-0000-4000-8000-000000000000",
            {"centre": "ne_agadez", "registered_on": "2026-02-10", "f_0_17": "12", "estimated_reach": "5000",
             "channel": "radio"})])
    app = open_window(folder)
    sign_in(qtbot, app, CASE)
    _area, page = compute(qtbot, app)
    assert page.indicators.index(1, 0).data() == "3.3" and page.indicators.index(1, 2).data() == "12"
    page.table.selectRow(1)
    page.dimension.setCurrentIndex(page.dimension.findData("age_group"))
    assert [page.breakdown.index(r, 0).data() for r in range(page.breakdown.rowCount())] == ["0–17", "Total"]
    assert "Estimated reach of mass media (radio, social media): 5,000, reported apart and not added" in \
        page.note.text()
    app.window.set_language("fr")
    qtbot.waitUntil(lambda: page.heading.text() == "Indicateurs", timeout=5_000)
    assert "Portée estimée des médias de masse (radio, réseaux sociaux)\u00a0: 5\u202f000" in page.note.text()
    app.window.set_language("en")


def test_3_3_by_channel_and_target_group_in_the_forms_words_and_one_set_of_age_bands(qtbot, open_window,
                                                                                      isolated_home, xforms):
    """The hand-computed set of tests/registry/test_info_session.py (four sessions, 15 people counselled: 80):
    selecting 3.3 offers its channel and target group, named by the forms' labels in English and French, the radio
    session's 4 hidden and door-to-door's 12 as its complement; its age groups are one set of bands; another
    indicator has no channel and falls back to sex."""
    from desktop_app.vault.registrations import RegistrationDraft, save_registrations
    from tests.registry.test_info_session import q3_records

    folder = make_team(isolated_home / "team-vault", xforms)
    with signed_in(folder, CASE) as vault:
        save_registrations(vault, [RegistrationDraft(form, "1", "finalized", "<data/>", record_id,
                                                     {k: str(v) for k, v in fields.items()})
                                   for record_id, form, fields in q3_records()])
    app = open_window(folder)
    sign_in(qtbot, app, CASE)
    area = app.window.reports_area
    area.action.trigger()
    page = area.page
    page.start.setDate(QDate(2026, 7, 1))
    page.end.setDate(QDate(2026, 9, 30))
    qtbot.mouseClick(page.compute_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.indicators.rowCount() > 0, timeout=20_000)

    def rows():
        return [(page.breakdown.index(r, 0).data(), page.breakdown.index(r, 1).data())
                for r in range(page.breakdown.rowCount())]

    assert page.dimension.findData("channel") == -1  # 3.2, selected first, has no channel
    page.table.selectRow(1)
    assert page.indicators.index(1, 0).data() == "3.3" and page.indicators.index(1, 2).data() == "80"
    assert [page.dimension.itemData(n) for n in range(page.dimension.count())] == [
        "sex", "age_group", "nationality", "centre", "category", "channel", "target_group"]
    page.dimension.setCurrentIndex(page.dimension.findData("age_group"))
    assert rows() == [("0–17", "x"), ("18–24", "20"), ("25–35", "37"), ("36+", "<10"), ("Total", "80")]
    page.dimension.setCurrentIndex(page.dimension.findData("channel"))
    assert page.dimension.currentText() == "Channel"
    assert rows() == [("Community dialogue", "35"), ("Radio", "<10"), ("Door-to-door", "x"), ("School", "14"),
                      ("Individual counselling", "15"), ("Total", "80")]
    assert "1 cell of fewer than 10 people shown as <10; 1 more shown as x" in page.note.text()
    app.window.set_language("fr")
    qtbot.waitUntil(lambda: page.heading.text() == "Indicateurs", timeout=5_000)
    assert page.dimension.currentText() == "Canal"
    assert rows()[2] == ("Porte-à-porte", "x") and rows()[4][0] == "Conseil individuel"
    page.dimension.setCurrentIndex(page.dimension.findData("target_group"))
    assert rows() == [("Migrants potentiels", "49"), ("Migrants en transit", "12"), ("Migrants de retour", "14"),
                      ("Communauté", "<10"), ("Autre", "<10"), ("Total", "80")]
    app.window.set_language("en")
    qtbot.waitUntil(lambda: page.heading.text() == "Indicators", timeout=5_000)
    assert rows()[0] == ("Potential migrants", "49")
    page.table.selectRow(0)  # 3.2: no target group; its breakdown by sex
    assert page.dimension.findData("target_group") == -1 and page.dimension.currentData() == "sex"
