"""A region on the real server for the indicator tests of the device (tests/sync/test_sync_indicators.py and
test_sync_ui_indicators.py): field laptops of Agadez and Arlit (one region) and of Dirkou (outside it) push
finalized registrations and assistance events (synthetic, no names), and a coordinator's laptop (the access tests'
team vault: a coordinator, field staff, a case worker) is enrolled at Agadez with the coordinator role.

By hand, people assisted in the period (3.2): Agadez 15, Arlit 12, Dirkou 11. So: the region 27 (25 once rounded
down to a multiple of 5), by centre ne_agadez 15 and ne_arlit 10 (12 rounded); Agadez alone 15; Dirkou never in
what the coordinator's laptop is given."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from sim_device import DeviceClient, SimDevice

from desktop_app.services import sync as sync_service
from tests.access.team import COORD, make_team, signed_in
from waypoint_core.registry.indicators import EVENT_FORM, MIGRANT_FORM

REGION = "Agadez region"
PERIOD = ("2026-01-01", "2026-06-30")
PEOPLE = {"Agadez": ("ne_agadez", 15), "Arlit": ("ne_arlit", 12), "Dirkou": ("ne_dirkou", 11)}
NATIONALITIES = ("ML", "ML", "NG", "GN")  # small nationalities: hidden cells and their complements


@dataclass
class Region:
    team: Path  # the coordinator's laptop's vault folder (locked)
    centre_ids: dict[str, str]  # server centre name -> id


def _short(record_id: str) -> str:
    return record_id.replace("-", "")[:8].upper()


def _field_laptop(server, server_admin, centre: str, code: str, count: int) -> None:
    device = DeviceClient(server.url)
    try:
        device.enrol(server_admin.code(centre))
        sim = SimDevice(device)
        for n in range(count):
            sim.form_id = MIGRANT_FORM
            person = sim.register({"sex": "female" if n % 2 else "male", "age": 19 + n % 30,
                                   "nationality": NATIONALITIES[n % len(NATIONALITIES)],
                                   "centre": code, "registered_on": "2026-01-10", "beneficiary_category": "stranded",
                                   "@status": "finalized"}, record_id=str(uuid.uuid4()))
            sim.form_id = EVENT_FORM
            sim.register({"person_ref": f"WP-{_short(person)}", "assistance_type": "food",
                          "registered_on": "2026-02-01", "@status": "finalized"}, record_id=str(uuid.uuid4()))
        sim.push_pending()
    finally:
        device.close()


def build_region(server, server_admin, folder: Path, xforms: dict[str, str], *, scale: int = 1) -> Region:
    """The region above (`scale` times as many people: the screenshots'), and the coordinator's laptop."""
    for centre, (code, count) in PEOPLE.items():
        _field_laptop(server, server_admin, centre, code, count * scale)
    server_admin.run("centre", "region", "Agadez", REGION)
    server_admin.run("centre", "region", "Arlit", REGION)
    listed = [line.split("\t") for line in server_admin.run("centre", "list").splitlines()]
    ids = {fields[1]: fields[0] for fields in listed if len(fields) > 1}
    enrol_coordinator(server, server_admin, folder, xforms)
    return Region(folder, ids)


def enrol_coordinator(server, server_admin, folder: Path, xforms: dict[str, str]) -> None:
    """The access tests' team vault, enrolled at Agadez for a coordinator."""
    make_team(folder, xforms)
    with signed_in(folder, COORD) as vault:
        code = server_admin.run("enrol-code", "--centre", "Agadez", "--roles", "coordinator")
        sync_service.enrol(vault, server_url=server.url, code=code, device_name="coordinator laptop")


def server_answer(server_admin, scope: str) -> dict:
    """The server's own computation of a scope (`waypoint-server admin indicators`), as JSON."""
    import json

    return json.loads(server_admin.run("indicators", "--from", PERIOD[0], "--to", PERIOD[1], "--scope", scope))


def shown(answer: dict) -> dict:
    """Every published figure of an answer: code -> (total, {dimension: (cells, total)})."""
    return {i["code"]: (i["total"], {d: (t["cells"], t["total"]) for d, t in i["tables"].items()})
            for i in answer["indicators"]}


def shown_on_device(report) -> dict:
    """The same figures of a report the device holds (exports.Report), as its tables show them."""
    from waypoint_core.registry.disclosure import TOTAL

    return {s.result.code: (s.total_shown(), {
        d: ({r: p.shown((r, p.table.columns[0])) for r in p.table.rows}, p.shown((TOTAL, p.table.columns[0])))
        for d, p in s.tables}) for s in report.sections}
