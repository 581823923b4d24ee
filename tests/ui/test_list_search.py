"""The registration list's search box, through the real widgets on a real vault: a name typed the way a tired
worker types it (no accents, another case) finds the person, so they are not registered a second time.

Found on a field-day pass (2026-12-07): "traore" and "aicha" found nothing for Aïcha Traoré, and the list said
"No registration matches this search." (Find a person found her; the list, which everyone uses first, did not.)"""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtCore import Qt

from desktop_app.services import records
from tests.access.team import FIELD, PASSPHRASES, PERSON, instance, make_team, shipped_xforms, signed_in
from tests.registry.test_casefile import version_of

pytestmark = pytest.mark.gui


def test_the_list_finds_a_name_typed_without_accents(qtbot, make_app, isolated_home):
    xforms = shipped_xforms()
    folder = make_team(isolated_home / "list-vault", xforms)
    with signed_in(folder, FIELD) as vault:
        for given, family in (("Aïcha", "Traoré"), ("Moussa", "Keita")):
            record_id = str(uuid.uuid4())
            answers = {**PERSON, "centre_page/registered_on": "2026-11-01", "identity/given_name": given,
                       "identity/family_name": family}
            records.finalize(vault, form_id="waypoint_migrant_registration",
                             form_version=version_of(xforms["migrant_registration"]),
                             content=instance(xforms["migrant_registration"], answers, record_id), record_id=record_id)
    app = make_app(vault_path=folder)
    window = app.window
    window.show()
    qtbot.waitExposed(window)
    with qtbot.waitSignal(app.controller.unlocked, timeout=30_000):
        app.controller.unlock(username=FIELD, passphrase=PASSPHRASES[FIELD])
    page, model = window.registrations_page, window.model
    qtbot.waitUntil(lambda: model.rowCount() == 2 and not model.is_loading, timeout=10_000)

    def titles():
        return [model.row_at(r).title for r in range(model.rowCount())]

    for typed in ("traore", "AICHA TRAORE"):
        page.search.clear()
        qtbot.keyClicks(page.search, typed)
        qtbot.keyClick(page.search, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: not model.is_loading and titles() == ["Aïcha Traoré"], timeout=10_000)
        assert page.body.currentWidget() is page.table
