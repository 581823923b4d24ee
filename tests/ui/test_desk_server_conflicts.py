"""A conflict the server decided between two other laptops, on the coordinator's desk through the real widgets: it is
listed with the laptop's own conflicts, shown side by side as "device X's version" against the server's with who
made each and when (English and French), and keeping the other device's version saves it on top of the server's
version. The laptop here is not enrolled: asking the server for its conflicts says nothing and changes nothing."""

from __future__ import annotations

import pytest

from desktop_app.vault import Vault
from desktop_app.vault.registrations import get_registration
from desktop_app.ui.desk_models import LOCAL, REMOTE
from tests.access.team import COORD, PASSPHRASES, make_team, shipped_xforms
from tests.desk.people import save_people, server_conflict
from tests.ui.test_desk_screens import people, sign_in

pytestmark = pytest.mark.gui


@pytest.fixture
def desk_app(qtbot, make_app, tmp_path):
    folder = make_team(tmp_path / "desk-vault", shipped_xforms())
    vault = Vault.unlock(folder, username=COORD, passphrase=PASSPHRASES[COORD])
    try:
        crowd = people(1)
        save_people(vault, crowd)
        server_conflict(vault, crowd[0], lost_given_name="Mahamadou")
    finally:
        vault.close()
    app = make_app(vault_path=folder, page_size=10)
    app.window.show()
    qtbot.waitExposed(app.window)
    return app, folder, crowd


def test_a_server_conflict_side_by_side_and_kept(qtbot, qtmodeltester, desk_app):
    app, folder, crowd = desk_app
    sign_in(qtbot, app, COORD)
    area = app.window.desk
    area.conflicts_action.trigger()
    page = area.conflicts_page
    qtbot.waitUntil(lambda: area.conflict_model.rowCount() == 1 and not area._fetching, timeout=20_000)
    assert page.fetch.isEnabled() and not page.status.isVisible()  # not enrolled: nothing to ask, nothing said
    qtmodeltester.check(area.conflict_model)
    page.table.setCurrentIndex(area.conflict_model.index(0, 0))
    qtbot.waitUntil(lambda: page.detail is not None, timeout=20_000)
    assert page.detail.from_server
    qtmodeltester.check(page.sides)
    rows = {page.sides.index(r, 0).data(): r for r in range(page.sides.rowCount())}
    row = rows["Given name(s)"]
    assert (page.sides.index(row, LOCAL).data(), page.sides.index(row, REMOTE).data()) == (
        "Mahamadou", crowd[0].given_name)
    assert page.sides.headerData(LOCAL, page.sides_table.horizontalHeader().orientation()) == "Device agadez-b"
    who = page.who.text()
    assert "Device agadez-b: its version, made on 2026-12-01" in who
    assert "Server: version 2, from device agadez-a" in who
    assert page.keep_local.text() == "Keep the other de&vice's version"

    app.window.set_language("fr")
    qtbot.waitUntil(lambda: page.sides.index(row, 0).data() == "Prénom(s)", timeout=20_000)
    assert page.sides.headerData(LOCAL, page.sides_table.horizontalHeader().orientation()) == "Appareil agadez-b"
    assert "Appareil agadez-b : sa version" in page.who.text()
    assert page.keep_local.text() == "Garder la version de l'autre &appareil"
    app.window.set_language("en")
    qtbot.waitUntil(lambda: page.sides.index(row, 0).data() == "Given name(s)", timeout=20_000)

    page.keep_local.click()
    qtbot.waitUntil(lambda: area.conflict_model.rowCount() == 0 and page.status.isVisible(), timeout=20_000)
    app.window.lock()
    qtbot.waitUntil(lambda: not app.controller.is_unlocked and not app.controller.is_busy, timeout=20_000)
    vault = Vault.unlock(folder, username=COORD, passphrase=PASSPHRASES[COORD])
    try:
        record = get_registration(vault, crowd[0].id)
        assert "<given_name>Mahamadou</given_name>" in record.content
        assert record.sync_state == "queued" and record.server_version == 2  # made on the server's version
    finally:
        vault.close()


def test_the_list_on_screen_follows_a_sync_run_that_changed_it(qtbot, make_app, tmp_path):
    """A run that fetched the server's conflicts (or closed one by a decision pulled) reloads the conflict list
    when it is on screen; a run that changed nothing leaves it as it is."""
    from desktop_app.services.sync import SyncSummary

    folder = make_team(tmp_path / "desk-vault", shipped_xforms())
    vault = Vault.unlock(folder, username=COORD, passphrase=PASSPHRASES[COORD])
    try:
        crowd = people(2)
        save_people(vault, crowd)
        server_conflict(vault, crowd[0], lost_given_name="Mahamadou")
    finally:
        vault.close()
    app = make_app(vault_path=folder, page_size=10)
    app.window.show()
    qtbot.waitExposed(app.window)
    sign_in(qtbot, app, COORD)
    area = app.window.desk
    area.conflicts_action.trigger()
    qtbot.waitUntil(lambda: area.conflict_model.rowCount() == 1 and not area._fetching, timeout=20_000)
    # What a run stores: the first conflict decided elsewhere, another one new (as a fetch during Sync now would).
    task = app.controller.run_with_vault(lambda vault, state: server_conflict(vault, crowd[1], lost_given_name="Moussa"))
    with qtbot.waitSignal(task.finished, timeout=20_000):
        pass
    app.sync.finished.emit(SyncSummary())  # nothing changed: the list stays
    assert area.conflict_model.row_at(0).record_id == crowd[0].id
    app.sync.finished.emit(SyncSummary(server_conflicts=1))
    qtbot.waitUntil(lambda: area.conflict_model.rowCount() == 1 and not area.conflict_model.is_loading
                    and area.conflict_model.row_at(0).record_id == crowd[1].id, timeout=20_000)
