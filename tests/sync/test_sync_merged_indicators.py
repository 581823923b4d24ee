"""A person registered at two centres, merged at the review desk, counts once in the indicators on the coordinator's
laptop and on the real server (SQLite and PostgreSQL), also through an event the other centre recorded afterwards
under the merged registration's number (data-model §7.7: a person is counted once per indicator and period, merged
records collapsed to the survivor). The desk leaves every event naming the registration it was recorded for; a
centre that had not synced yet, or recorded her next visit from the card it gave her, names the merged registration
too: before, she was counted again, on the laptop and in the region's figures the donor report takes.

By hand: Arlit registers 13 people and Aïcha (14), Agadez registers Aïcha again; each is given food in the period.
15 registrations, 14 people: 3.2 is 15 before the merge ("15" once rounded down to a multiple of 5) and 14 after
("10"), whatever Agadez records for her later."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from indicator_region import server_answer, shown
from sqlalchemy import create_engine, text

from desktop_app.records import review
from desktop_app.services import desk, reports
from desktop_app.services import sync as sync_service
from desktop_app.vault import Vault
from desktop_app.vault.registrations import RegistrationDraft, save_registrations
from sync_server import decisions
from tests.access.team import COORD, shipped_xforms, signed_in
from tests.desk.people import EVENT_FORM, EVENT_VERSION, FORM_ID, FORM_VERSION, event_xml, person_xml
from tests.sync.indicator_region import enrol_coordinator
from tests.sync.support import PASSPHRASE, fast_connect
from waypoint_core.registry.person import PersonRecord

START, END = date(2026, 1, 1), date(2026, 3, 31)


def person(centre: str, given: str, family: str, sex: str = "female") -> RegistrationDraft:
    record = PersonRecord(id=str(uuid.uuid4()), given_name=given, family_name=family, sex=sex, nationality="ML",
                          date_of_birth=date(1994, 3, 12), centre=centre, country="NE")
    return RegistrationDraft(FORM_ID, FORM_VERSION, "finalized", person_xml(record, centre=centre), record.id, {
        "title": f"{given} {family}", "sex": sex, "age": 31, "nationality": "ML", "centre": centre,
        "registered_on": "2026-01-10", "beneficiary_category": "migrant_transit"})


def food(centre: str, ref: str, day: str) -> RegistrationDraft:
    event_id = str(uuid.uuid4())
    return RegistrationDraft(EVENT_FORM, EVENT_VERSION, "finalized", event_xml(event_id, ref), event_id, {
        "title": "food", "centre": centre, "registered_on": day, "person_ref": ref, "assistance_type": "food"})


def field_laptop(folder, server, code: str, drafts: list[RegistrationDraft]) -> None:
    vault, _ = Vault.create(folder, admin_username="admin", admin_passphrase=PASSPHRASE, kdf_profile="test")
    with vault:
        sync_service.enrol(vault, server_url=server.url, code=code, device_name=folder.name)
        save_registrations(vault, drafts)
        assert sync_service.sync_now(vault, connect=fast_connect()).rejected == 0


def sync_more(folder, drafts: list[RegistrationDraft]) -> None:
    with Vault.unlock(folder, username="admin", passphrase=PASSPHRASE) as vault:
        save_registrations(vault, drafts)
        assert sync_service.sync_now(vault, connect=fast_connect()).rejected == 0


def region_3_2(server_admin, region: str) -> str:
    return shown(server_answer(server_admin, f"region:{region}"))["3.2"][0]


@pytest.mark.timeout(600)
def test_a_person_merged_at_the_desk_counts_once_on_the_laptop_and_the_server(server, server_admin, backend,
                                                                               tmp_path):
    region = f"Merge region {backend.name}"
    for centre in ("Agadez", "Arlit"):
        server_admin.code(centre)
        server_admin.run("centre", "region", centre, region)
    arlit = [person("ne_arlit", f"Given{n}", f"Family{n}", "male" if n % 3 else "female") for n in range(13)]
    aicha = person("ne_arlit", "Aïcha", "Traoré")
    twin = person("ne_agadez", "Traore", "Aicha")
    field_laptop(tmp_path / "arlit", server, server_admin.code("Arlit"),
                 [*arlit, aicha, *(food("ne_arlit", f"WP-{review.short_id(p.record_id)}", "2026-02-01")
                                   for p in (*arlit, aicha))])
    field_laptop(tmp_path / "agadez", server, server_admin.code("Agadez"),
                 [twin, food("ne_agadez", f"WP-{review.short_id(twin.record_id)}", "2026-02-02")])
    assert region_3_2(server_admin, region) == "15"  # 15 registrations, one person twice: not merged yet

    team = tmp_path / "coordinator"
    enrol_coordinator(server, server_admin, team, shipped_xforms())
    with signed_in(team, COORD) as vault:
        sync_service.sync_now(vault, connect=fast_connect())
        desk.merge(vault, kept=aicha.record_id, merged=twin.record_id, reasons="same passport")
        assert sync_service.sync_now(vault, connect=fast_connect()).rejected == 0
    assert region_3_2(server_admin, region) == "10"  # 14 people

    # Agadez records her next visit under the number on the card it gave her
    sync_more(tmp_path / "agadez", [food("ne_agadez", f"WP-{review.short_id(twin.record_id)}", "2026-03-05")])
    assert region_3_2(server_admin, region) == "10"  # still 14 people (it was 15: she counted twice again)
    with signed_in(team, COORD) as vault:
        sync_service.sync_now(vault, connect=fast_connect())
        done = reports.compute(vault, start=START, end=END)
        counted = done.results[0]
        assert counted.code == "3.2" and counted.total == 14 and done.unlinked == 0
        assert twin.record_id not in counted.people and aicha.record_id in counted.people
    if backend.name == "sqlite":  # the merges are read from the decisions' own index, not a scan of every record
        engine = create_engine(backend.admin_url)
        try:
            with engine.connect() as conn:
                plan = " ".join(str(row[-1]) for row in conn.execute(
                    text("EXPLAIN QUERY PLAN " + str(decisions._DECISIONS)), {"no": False}))
        finally:
            engine.dispose()
        assert "USING INDEX ix_record_decision" in plan, plan
