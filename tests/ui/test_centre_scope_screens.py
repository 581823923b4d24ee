"""The leak of the issue 12 acceptance through the real widgets: a laptop of ne_agadez holding the region's records
(the coordinator's sync brought ne_niamey's people). Signed in as field staff, the registration list, Find a person
and the Indicators screen show Agadez only; signed in as the coordinator, both centres. Synthetic people only."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QDate, Qt

from desktop_app.services import places
from desktop_app.ui.registry_search import SHORT_ID
from desktop_app.vault.registrations import RegistrationDraft, save_registrations
from tests.access.team import ADMIN, COORD, FIELD, MIGRANT, make_team, sign_in, signed_in
from tests.registry.device_people import VERSION, person_xml

pytestmark = pytest.mark.gui

EVENT = "waypoint_assistance_event"
HERE, THERE = "ne_agadez", "ne_niamey"
AGADEZ_PEOPLE, NIAMEY_PEOPLE = 12, 15


def uid(centre: int, n: int, kind: int = 0) -> str:
    """Registration numbers (the first 8 hex digits) differ for every record."""
    return f"{centre:02x}{kind:02x}{n:04x}-0000-4000-8000-000000000000"


def short(record_id: str) -> str:
    return record_id.replace("-", "")[:8].upper()


@pytest.fixture
def shared_app(open_window, isolated_home, xforms):
    folder = make_team(isolated_home / "team-vault", xforms)
    with signed_in(folder, ADMIN) as vault:
        places.set_place(vault, country="NE", centre=HERE, source="setup")
    for who, number, centre, count, given in ((FIELD, 1, HERE, AGADEZ_PEOPLE, "Aissata"),
                                              (COORD, 2, THERE, NIAMEY_PEOPLE, "Mariama")):
        drafts = []
        for n in range(1, count + 1):
            person = uid(number, n)
            content = person_xml(person, given, f"Sample{n}", sex="female", document=f"AB{number}{n:06d}")
            drafts.append(RegistrationDraft(MIGRANT, VERSION, "finalized", content.replace(HERE, centre), person, {
                "title": f"{given} Sample{n}", "sex": "female", "age": 26, "nationality": "NE", "centre": centre,
                "registered_on": "2026-01-10", "beneficiary_category": "migrant_transit"}))
            drafts.append(RegistrationDraft(EVENT, "1", "finalized", "<data/>", uid(number, n, 1), {
                "title": "food", "centre": centre, "registered_on": "2026-02-01", "assistance_type": "food",
                "person_ref": f"WP-{short(person)}"}))
        with signed_in(folder, who) as vault:
            save_registrations(vault, drafts)
    app = open_window(folder)
    return app



def sign_out(qtbot, app):
    app.window.lock()
    qtbot.waitUntil(lambda: not app.controller.is_unlocked, timeout=10_000)


def listed(qtbot, app) -> list[str]:
    model = app.window.model
    app.window.registrations_changed()
    qtbot.waitUntil(lambda: model.rowCount() > 0 and not model.is_loading, timeout=10_000)
    while model.canFetchMore():
        model.fetchMore()
        qtbot.waitUntil(lambda: not model.is_loading, timeout=10_000)
    return [model.row_at(row).record_id for row in range(model.rowCount())]


def found(qtbot, app, typed: str) -> list[str]:
    area = app.window.search_area
    area.action.trigger()
    page = area.page
    page.box.clear()
    qtbot.keyClicks(page.box, typed)
    qtbot.waitUntil(lambda: page.outcome is not None and page.outcome.text == typed and page.outcome.complete,
                    timeout=10_000)
    return [area.model.index(row, SHORT_ID).data() for row in range(area.model.rowCount())]


def people_assisted(qtbot, app) -> str:
    area = app.window.reports_area
    area.action.trigger()
    page = area.page
    page.start.setDate(QDate(2026, 1, 1))
    page.end.setDate(QDate(2026, 3, 31))
    qtbot.mouseClick(page.compute_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.indicators.rowCount() > 0, timeout=20_000)
    assert page.indicators.index(0, 0).data() == "3.2"
    return page.indicators.index(0, 2).data()


def test_field_staff_see_their_centre_and_the_coordinator_the_region(qtbot, shared_app):
    app = shared_app
    sign_in(qtbot, app, FIELD)
    rows = listed(qtbot, app)
    assert len(rows) == 2 * AGADEZ_PEOPLE and all(r.startswith("01") for r in rows)
    for typed in ("Mariama", "Mariama Sample3", "AB2000001"):  # Niamey's people: none of them (numbers 02...)
        assert not [s for s in found(qtbot, app, typed) if s.startswith("02")], typed
    assert found(qtbot, app, "AB1000001")[0] == short(uid(1, 1))
    assert people_assisted(qtbot, app) == "12"  # not Niamey's 15
    sign_out(qtbot, app)

    sign_in(qtbot, app, COORD)
    rows = listed(qtbot, app)
    assert len(rows) == 2 * (AGADEZ_PEOPLE + NIAMEY_PEOPLE)
    assert found(qtbot, app, "AB2000001")[0] == short(uid(2, 1))
    assert short(uid(2, 3)) in found(qtbot, app, "Mariama Sample3")
    assert people_assisted(qtbot, app) == "27"
    sign_out(qtbot, app)
