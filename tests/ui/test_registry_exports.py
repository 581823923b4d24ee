"""The Exports screen through the real widgets: the choices follow the person's rights, a form's records written
passphrase-protected with progress on the database thread, a cancel that leaves no file, the CTDC export for case
workers, a lock that clears the passphrase."""

from __future__ import annotations

import threading

import pytest
from openpyxl import load_workbook

from desktop_app.services import record_export
from desktop_app.vault.registrations import RegistrationDraft, save_registrations
from tests.access.team import CASE, COORD, MIGRANT, PASSPHRASES, PERSON, VOT, instance, make_team, signed_in
from tests.registry.test_ctdc import case_xml, uid

pytestmark = pytest.mark.gui
SECRET = "export passphrase of a dozen words"


@pytest.fixture
def team_app(open_window, isolated_home, xforms):
    folder = make_team(isolated_home / "team-vault", xforms)
    with signed_in(folder, CASE) as vault:
        drafts = [RegistrationDraft(MIGRANT, "1", "finalized", instance(xforms["migrant_registration"], PERSON,
                                                                         uid(500 + n)), uid(500 + n),
                                    {"title": f"P{n}"}) for n in range(3)]
        drafts += [RegistrationDraft(VOT, "1", "finalized", case_xml(uid(n), sex="female", age="19", nationality="NG"),
                                     uid(n), {"record_kind": "case"}) for n in range(1, 13)]
        save_registrations(vault, drafts)
    app = open_window(folder)
    return app


def sign_in_and_open(qtbot, app, name):
    with qtbot.waitSignal(app.controller.unlocked, timeout=30_000):
        app.controller.unlock(username=name, passphrase=PASSPHRASES[name])
    area = app.window.exports_area
    area.action.trigger()
    assert app.window.stack.currentWidget() is area.page
    qtbot.waitUntil(lambda: area.page.form.count() > 0 or not area.page.records_box.isEnabled(), timeout=20_000)
    return area, area.page


def test_coordinators_export_records_with_progress_and_cancel(qtbot, team_app, tmp_path, monkeypatch):
    app = team_app
    area, page = sign_in_and_open(qtbot, app, COORD)
    ids = [page.form.itemData(n) for n in range(page.form.count())]
    assert MIGRANT in ids and VOT not in ids and not page.ctdc_box.isVisibleTo(page)  # coordinators: no case export

    page.passphrase.setText(SECRET)
    page.confirm.setText("something else entirely")
    page.records_button.click()
    assert page.status.text() == "The two passphrases differ."

    page.form.setCurrentIndex(page.form.findData(MIGRANT))
    page.format.setCurrentText("XLSX")
    page.hxl.setChecked(True)
    monkeypatch.setattr(record_export, "PAGE", 1)
    seen: list[tuple[int, int]] = []
    page.passphrase.setText(SECRET)
    area.write_records(str(tmp_path), MIGRANT, SECRET)
    assert page.passphrase.text() == "" and page.progress.isVisible() and page.cancel_button.isVisible()
    area.task.progress.connect(lambda done, total: seen.append((done, total)))
    qtbot.waitUntil(lambda: page.status.text().startswith("Saved"), timeout=30_000)
    assert "3 records, passphrase-protected" in page.status.text()
    assert seen[-1] == (3, 3) and page.progress.maximum() == 3 and not page.progress.isVisible()
    sealed = next(tmp_path.glob("*.xlsx.wpx"))
    opened = record_export.open_export(sealed, SECRET, out_dir=tmp_path)
    book = load_workbook(opened, read_only=True)
    rows = list(book["records"].iter_rows(values_only=True))
    book.close()
    assert len(rows) == 2 + 3 and rows[1][0] == "#meta+id"

    # cancel: the database thread is held while the export is queued and cancelled, so the cancel comes first
    hold = threading.Event()
    app.controller.run_with_vault(lambda vault, state: hold.wait(30), name="db:hold")
    target = tmp_path / "cancelled"
    target.mkdir()
    area.write_records(str(target), MIGRANT, SECRET)
    page.cancel_button.click()
    hold.set()
    qtbot.waitUntil(lambda: page.status.text() == "Export cancelled: no file was left.", timeout=30_000)
    assert list(target.iterdir()) == [] and not page.cancel_button.isVisible()


def test_case_workers_export_ctdc_from_the_screen_and_a_lock_clears_it(qtbot, team_app, tmp_path):
    app = team_app
    area, page = sign_in_and_open(qtbot, app, CASE)
    assert page.ctdc_box.isVisibleTo(page)
    assert VOT in [page.form.itemData(n) for n in range(page.form.count())]
    area.write_ctdc(str(tmp_path))
    qtbot.waitUntil(lambda: page.status.text().startswith("Saved"), timeout=30_000)
    assert "12 cases, k-anonymous (k = 11)" in page.status.text()
    written = next(tmp_path.glob("waypoint-ctdc-*.csv"))
    assert written.read_text(encoding="utf-8").count("\n") == 13
    assert next(tmp_path.glob("waypoint-ctdc-*.notes.txt")).is_file()

    app.window.set_language("fr")
    qtbot.waitUntil(lambda: page.ctdc_button.text() == "Exporter pour le &CTDC…", timeout=5_000)
    assert page.records_button.text() == "&Exporter les fiches…"
    app.window.set_language("en")
    page.passphrase.setText(SECRET)
    app.window.lock()
    qtbot.waitUntil(lambda: not app.controller.is_unlocked, timeout=10_000)
    assert page.passphrase.text() == "" and page.form.count() == 0 and not area.action.isEnabled()
