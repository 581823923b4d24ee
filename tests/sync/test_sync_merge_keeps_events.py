"""A merge at the review desk leaves every event naming the registration it was recorded for, through the real server
(SQLite and PostgreSQL): two centre laptops and a coordinator's.

Aïcha was registered at Arlit and again at Agadez, and each centre gave her food. The coordinator merges them,
keeping Arlit's registration. The merge used to rewrite Agadez's food event to name Arlit's registration; that
version synced back to Agadez's laptop, which does not hold Arlit's registration (another centre): the event left
her case file there and Agadez's report counted it as unlinked. Now the event stays as Agadez recorded it; the
coordinator's case file and indicators follow the merge decision (one person, both events); undone, they are two
people again, and Agadez's laptop never noticed either."""

from __future__ import annotations

import pytest

from desktop_app.services import casefile, desk, reports
from desktop_app.services import sync as sync_service
from desktop_app.vault import Vault
from desktop_app.vault.registrations import get_registration, get_registration_fields
from desktop_app.records.review import short_id
from tests.access.team import COORD, shipped_xforms, signed_in
from tests.sync.indicator_region import enrol_coordinator
from tests.sync.support import PASSPHRASE, fast_connect
from tests.sync.test_sync_merged_indicators import END, START, field_laptop, food, person


def events_in_file(vault: Vault, record_id: str) -> list[str]:
    return [e.record_id for e in casefile.case_file(vault, record_id).entries if e.kind == casefile.EVENT]


def assisted(vault: Vault) -> tuple[list[str], int]:
    """Indicator 3.2 (people assisted) of the period: who counts, and how many events named no one held here."""
    done = reports.compute(vault, start=START, end=END)
    counted = done.results[0]
    assert counted.code == "3.2" and counted.total == len(counted.people)
    return sorted(counted.people), done.unlinked


def agadez_sees(folder, twin: str, event: str) -> None:
    """Agadez's field laptop after a sync: its food event is in Aïcha's case file there and counted as hers."""
    with Vault.unlock(folder, username="admin", passphrase=PASSPHRASE) as vault:
        assert sync_service.sync_now(vault, connect=fast_connect()).rejected == 0
        assert events_in_file(vault, twin) == [event]
        assert assisted(vault) == ([twin], 0)
        assert get_registration_fields(vault, event)["person_ref"] == f"WP-{short_id(twin)}"  # as Agadez wrote it


@pytest.mark.timeout(600)
def test_a_merge_leaves_the_merged_centre_s_event_in_its_case_file_and_counted_there(server, server_admin, backend,
                                                                                      tmp_path):
    region = f"Keep region {backend.name}"
    codes = {}
    for centre in ("Agadez", "Arlit"):
        server_admin.code(centre)  # makes the centre
        server_admin.run("centre", "region", centre, region)
        codes[centre] = server_admin.run("enrol-code", "--centre", centre, "--roles", "field_staff")
    aicha, twin = person("ne_arlit", "Aïcha", "Traoré"), person("ne_agadez", "Traore", "Aicha")
    at_arlit = food("ne_arlit", f"WP-{short_id(aicha.record_id)}", "2026-02-01")
    at_agadez = food("ne_agadez", f"WP-{short_id(twin.record_id)}", "2026-02-02")
    field_laptop(tmp_path / "arlit", server, codes["Arlit"], [aicha, at_arlit])
    field_laptop(tmp_path / "agadez", server, codes["Agadez"], [twin, at_agadez])
    with Vault.unlock(tmp_path / "agadez", username="admin", passphrase=PASSPHRASE) as vault:
        assert get_registration(vault, aicha.record_id) is None  # Arlit's registration is outside Agadez's scope

    team = tmp_path / "coordinator"
    enrol_coordinator(server, server_admin, team, shipped_xforms())
    with signed_in(team, COORD) as vault:
        sync_service.sync_now(vault, connect=fast_connect())
        assert assisted(vault) == (sorted([aicha.record_id, twin.record_id]), 0)  # two people before the merge
        decision = desk.merge(vault, kept=aicha.record_id, merged=twin.record_id, reasons="same passport")
        assert sync_service.sync_now(vault, connect=fast_connect()).rejected == 0
        assert assisted(vault) == ([aicha.record_id], 0)  # one person, counted once
        assert events_in_file(vault, aicha.record_id) == [at_arlit.record_id, at_agadez.record_id]
    agadez_sees(tmp_path / "agadez", twin.record_id, at_agadez.record_id)

    with signed_in(team, COORD) as vault:
        desk.undo(vault, decision)
        assert sync_service.sync_now(vault, connect=fast_connect()).rejected == 0
        assert assisted(vault) == (sorted([aicha.record_id, twin.record_id]), 0)  # two people again
        assert events_in_file(vault, aicha.record_id) == [at_arlit.record_id]
        assert events_in_file(vault, twin.record_id) == [at_agadez.record_id]
    agadez_sees(tmp_path / "agadez", twin.record_id, at_agadez.record_id)
