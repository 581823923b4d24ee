"""The Indicators screen's Data chooser against the real server on loopback, through the real widgets offscreen: a
coordinator picks their region and sees the server's own figures in the same tables, chart and notes, saves them as
a file that says its scope and that the server computed it, in English and French; field staff get no chooser; a
server that is down gives a readable sentence (English and French) and loses nothing on screen or in the vault.
Waits on signals and conditions only."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from indicator_region import PERIOD, REGION, build_region, server_answer, shown, shown_on_device
from PySide6.QtCore import QDate, Qt
from server_harness import free_port

from desktop_app.paths import app_paths
from desktop_app.services import server_reports
from desktop_app.ui.app import build_app
from tests.sync.support import sqlite_backend
from tests.access import team
from tests.access.team import COORD, FIELD, shipped_xforms

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

# SQLite only: the chooser, tables and saved file are the app's; the server's region figures on
# both databases are tested in tests/server/test_server_indicators_scope.py and test_sync_indicators.py.
backend = sqlite_backend()


@pytest.fixture(scope="module")
def region(server, server_admin, tmp_path_factory):
    return build_region(server, server_admin, tmp_path_factory.mktemp("coordinator") / "team", shipped_xforms())


@pytest.fixture
def app(qapp, region, monkeypatch):
    monkeypatch.setenv("WAYPOINT_ALLOW_TEST_KDF", "1")
    built = build_app(qt_app=qapp, paths=app_paths(), vault_path=region.team, kdf_profile="test", language="en")
    built.window.show()
    yield built
    built.close()
    qapp.processEvents()
    qapp.sendPostedEvents(None, 0)


def sign_in(qtbot, app, name: str):
    team.sign_in(qtbot, app, name)
    area = app.window.reports_area
    qtbot.waitUntil(lambda: area.page.scope.count() > 0, timeout=10_000)  # the place read at unlock
    area.action.trigger()
    page = area.page
    page.start.setDate(QDate.fromString(PERIOD[0], "yyyy-MM-dd"))
    page.end.setDate(QDate.fromString(PERIOD[1], "yyyy-MM-dd"))
    return area, page


def entries(page) -> list[str]:
    return [page.source.itemText(i) for i in range(page.source.count())]


def compute(qtbot, page, text: str) -> None:
    page.source.setCurrentIndex(page.source.findText(text))
    qtbot.mouseClick(page.compute_button, Qt.MouseButton.LeftButton)


def test_a_coordinator_sees_the_region_s_figures_of_the_server_and_saves_them(qtbot, app, region, server_admin,
                                                                              tmp_path, qtmodeltester):
    area, page = sign_in(qtbot, app, COORD)
    assert page.source.isVisibleTo(page) and page.source_label.isVisibleTo(page)
    mine = f"My region: {REGION} (server)"
    qtbot.waitUntil(lambda: mine in entries(page), timeout=30_000)  # the server named the region and its centres
    assert entries(page) == ["This laptop's records", "This centre, every laptop (server)", mine,
                             "Centre Arlit of my region (server)"]

    compute(qtbot, page, mine)
    assert not page.scope.isEnabled()  # the laptop's own filter does not apply to the server's figures
    qtbot.waitUntil(lambda: page.indicators.rowCount() > 0, timeout=30_000)
    assert page.compute_button.isEnabled() and not page.progress.isVisible()
    expected = shown(server_answer(server_admin, f"region:{REGION}"))
    assert shown_on_device(page.shown.report) == expected
    rows = {page.indicators.index(r, 0).data(): page.indicators.index(r, 2).data()
            for r in range(page.indicators.rowCount())}
    assert rows["3.2"] == expected["3.2"][0] == "25"
    page.table.selectRow(0)
    page.dimension.setCurrentIndex(page.dimension.findData("centre"))
    breakdown = [(page.breakdown.index(r, 0).data(), page.breakdown.index(r, 1).data())
                 for r in range(page.breakdown.rowCount())]
    assert breakdown == [("Agadez transit centre", "15"), ("Arlit transit centre", "10"), ("Total", "25")]
    assert page.chart.isVisible()
    qtmodeltester.check(page.breakdown)
    assert page.status.text().startswith(f"Computed by the server for region {REGION} in ")
    assert "rounded down to a multiple of 5" in page.status.text()

    page.format.setCurrentText("CSV")
    area.write_to(str(tmp_path))
    qtbot.waitUntil(lambda: page.status.text().startswith("Saved"), timeout=20_000)
    written = tmp_path / f"waypoint-indicators-server-region-agadez-region-{PERIOD[0]}-{PERIOD[1]}.csv"
    table = list(csv.reader(written.read_text(encoding="utf-8").splitlines()))
    notes = [r[1] for r in table if r[:1] == ["note"]]
    assert f"scope region:{REGION}" in notes[0] and any("Computed by the server" in n for n in notes)
    assert [r[5] for r in table if r[:1] == ["3.2"] and r[2:4] == ["sex", "total"]] == ["25"]

    app.window.set_language("fr")
    qtbot.waitUntil(lambda: page.heading.text() == "Indicateurs", timeout=5_000)
    assert f"Ma région\u00a0: {REGION} (serveur)" in entries(page)
    page.format.setCurrentText("PDF")
    area.write_to(str(tmp_path))
    qtbot.waitUntil(lambda: page.status.text().startswith("Enregistré"), timeout=20_000)
    assert written.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
    app.window.set_language("en")

    compute(qtbot, page, "This laptop's records")  # this laptop's own records, computed here as ever
    qtbot.waitUntil(lambda: page.status.text().startswith("Computed in"), timeout=30_000)
    assert page.scope.isEnabled() and page.shown.computed_by == "device"


def test_field_staff_get_no_chooser(qtbot, app):
    _area, page = sign_in(qtbot, app, FIELD)
    assert not page.source.isVisibleTo(page) and not page.source_label.isVisibleTo(page)
    assert page.source.currentData() == ""  # this laptop's records
    qtbot.mouseClick(page.compute_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.status.text().startswith("Computed in"), timeout=30_000)


def test_a_server_that_is_down_says_so_and_loses_nothing(qtbot, app, region, server_admin):
    area, page = sign_in(qtbot, app, COORD)
    mine = f"My region: {REGION} (server)"
    qtbot.waitUntil(lambda: mine in entries(page), timeout=30_000)
    compute(qtbot, page, mine)
    qtbot.waitUntil(lambda: page.indicators.rowCount() > 0, timeout=30_000)
    before = shown_on_device(page.shown.report)

    down = f"http://127.0.0.1:{free_port()}"  # the server is down: nothing listens there any more
    area.server.connect = lambda url, **kw: server_reports.ServerConnection(down, **kw)
    page.start.setDate(QDate(2026, 2, 1))
    qtbot.mouseClick(page.compute_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "could not be reached" in page.status.text(), timeout=30_000)
    assert page.status.text().startswith("The server could not be reached (no connection, or the server is down).")
    assert "This laptop's records" in page.status.text()
    assert page.status.text().endswith("The figures below are still those of the last computation.")
    assert page.compute_button.isEnabled() and not page.progress.isVisible()
    assert shown_on_device(page.shown.report) == before and page.indicators.rowCount() > 0  # still on screen

    app.window.set_language("fr")
    qtbot.waitUntil(lambda: page.heading.text() == "Indicateurs", timeout=5_000)
    qtbot.mouseClick(page.compute_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "injoignable" in page.status.text(), timeout=30_000)
    app.window.set_language("en")

    area.server.connect = server_reports.ServerConnection  # back up: the same request answers
    page.start.setDate(date.fromisoformat(PERIOD[0]))
    qtbot.mouseClick(page.compute_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.status.text().startswith("Computed by the server"), timeout=30_000)
    assert shown_on_device(page.shown.report) == before
