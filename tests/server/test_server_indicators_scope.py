"""GET /v2/indicators?scope= and `waypoint-server admin indicators` against the real server on SQLite and PostgreSQL:
a centre, a region (the administrator's `centre region`) or all, counted by the same code over the facts of every
centre in scope; a wider scope only as far as the device's people view registrations (a coordinator: its own region;
no role views all), refused with a signed 403 otherwise; an unknown region refused; the operator's command writes
the same figures to a file."""

from __future__ import annotations

import csv
import json
import uuid

import pytest
from sim_device import SimDevice
from test_server_admin import cli

from sync_server import admin, scope
from waypoint_core.registry.indicators import CASE_FORM, EVENT_FORM, MIGRANT_FORM, SESSION_FORM, TALLIES

PERIOD = "from=2026-01-01&to=2026-06-30"
REGION = "Agadez region"


def short(record_id: str) -> str:
    return record_id.replace("-", "")[:8].upper()


class Centre:
    """A device of a centre putting finalized records of the registration, event and case forms."""

    def __init__(self, device) -> None:
        self.device, self.sim = device, SimDevice(device)

    def put(self, form: str, fields: dict) -> str:
        self.sim.form_id = form
        return self.sim.register({**fields, "@status": "finalized"}, record_id=str(uuid.uuid4()))

    def people(self, n: int, centre: str) -> list[str]:
        return [self.put(MIGRANT_FORM, {"sex": "female" if i % 2 else "male", "age": 30, "nationality": "NG",
                                        "centre": centre, "registered_on": "2026-01-10",
                                        "beneficiary_category": "stranded"}) for i in range(n)]

    def assist(self, person: str, day: str = "2026-02-01") -> None:
        self.put(EVENT_FORM, {"person_ref": f"WP-{short(person)}", "assistance_type": "food", "registered_on": day})


@pytest.fixture(scope="module")
def region(server, admin_db, backend):
    """Agadez and Arlit in one region, Dirkou outside it. By hand, people assisted in the period (3.2):
    Agadez 15 registered, 14 assisted there (the first twice), the 15th only by an event recorded at Arlit;
    Arlit 10 registered and assisted, plus that event naming someone of Agadez; Dirkou 20. So: centre Agadez 14,
    centre Arlit 10 (one event naming no one there), the region 25 (each person once), all 45. One trafficking
    case at Arlit names an Arlit person. An information session at Agadez (10 women) and one at Arlit (10 men): 3.3
    is 10 at either centre, 20 for the region and for all."""
    from server_harness import enrol_client

    devices = {name: enrol_client(server, backend.admin_url, name) for name in ("Agadez", "Arlit", "Dirkou")}
    ids = {name: scope_centre_id(admin_db, name) for name in devices}
    admin.set_centre_region(admin_db, "Agadez", REGION)
    admin.set_centre_region(admin_db, "Arlit", REGION)
    agadez, arlit, dirkou = (Centre(devices[n]) for n in ("Agadez", "Arlit", "Dirkou"))
    at_agadez = agadez.people(15, "ne_agadez")
    for n, person in enumerate(at_agadez[:14]):
        agadez.assist(person)
        if n == 0:
            agadez.assist(person, "2026-03-01")
    at_arlit = arlit.people(10, "ne_arlit")
    for person in at_arlit:
        arlit.assist(person)
    arlit.assist(at_agadez[14])
    arlit.put(CASE_FORM, {"person_ref": short(at_arlit[0]), "trafficking_status": "ActualVictimOfTrafficking",
                          "record_kind": "case"})
    zero = dict.fromkeys(TALLIES, 0)
    agadez.put(SESSION_FORM, {**zero, "f_18_24": 10, "channel": "in_centre", "centre": "ne_agadez",
                              "registered_on": "2026-02-10"})
    arlit.put(SESSION_FORM, {**zero, "m_25_35": 10, "channel": "in_centre", "centre": "ne_arlit",
                             "registered_on": "2026-02-11"})
    for person in dirkou.people(20, "ne_dirkou"):
        dirkou.assist(person)
    for centre in (agadez, arlit, dirkou):
        centre.sim.push_pending()
    yield ids
    for device in devices.values():
        device.close()


def scope_centre_id(db, name: str) -> str:
    return next(centre_id for centre_id, existing in admin.list_centres(db) if existing == name)


def ask(device, query: str = ""):
    response = device.signed_get(f"/v2/indicators?{PERIOD}{query}")
    assert device.answer_valid(response), "every answer, a refusal too, is signed and bound to its request"
    return response


def totals(answer: dict) -> dict[str, str]:
    return {i["code"]: i["total"] for i in answer["indicators"]}


def test_a_coordinator_counts_a_centre_its_region_and_not_beyond(region, make_device, admin_db):
    coordinator = make_device("Agadez")
    scope.set_device_roles(admin_db, coordinator.device_id, ["coordinator"])

    own = ask(coordinator).json()  # the default stays the device's centre
    assert own["scope"] == f"centre:{region['Agadez']}" and own["centre_id"] == region["Agadez"]
    assert totals(own)["3.2"] == "10" and own["unlinked"] == 0  # 14, rounded down to a multiple of 5
    assert totals(own)["3.3"] == "10"

    arlit = ask(coordinator, f"&scope=centre:{region['Arlit']}").json()
    assert arlit["centre_id"] == region["Arlit"] and totals(arlit)["3.2"] == "10" and arlit["unlinked"] == 1
    assert ask(coordinator, "&scope=centre:Arlit").json()["scope"] == f"centre:{region['Arlit']}"  # by name too

    whole = ask(coordinator, f"&scope=region:{REGION.replace(' ', '%20')}")
    assert whole.status_code == 200
    answer = whole.json()
    assert answer["scope"] == f"region:{REGION}" and answer["centre_id"] is None and answer["unlinked"] == 0
    assert totals(answer)["3.2"] == "25"  # 15 + 10, the 15th of Agadez linked by Arlit's event, each once
    assert totals(answer)["3.3"] == "20"  # both centres' sessions
    by_centre = next(i for i in answer["indicators"] if i["code"] == "3.2")["tables"]["centre"]
    assert by_centre == {"cells": {"ne_agadez": "15", "ne_arlit": "10"}, "total": "25"}
    assert "ne_dirkou" not in whole.text
    # a coordinator views cases across the region: the trafficking indicator is there (1 person < 11)
    assert totals(answer)["vot"] == "<11"

    outside = ask(coordinator, f"&scope=centre:{region['Dirkou']}")
    assert outside.status_code == 403 and outside.json()["error"] == "outside_scope"
    everyone = ask(coordinator, "&scope=all")  # no role views every centre: only the operator's command does
    assert everyone.status_code == 403 and "all" in everyone.json()["message"]
    unknown = ask(coordinator, "&scope=region:Nowhere")
    assert unknown.status_code == 404 and unknown.json()["error"] == "unknown_scope"
    assert "Nowhere" not in unknown.text
    assert ask(coordinator, "&scope=planet:Mars").status_code == 422
    assert ask(coordinator, "&scope=region:").status_code == 422


def test_a_coordinator_outside_the_region_and_field_laptops_are_refused(region, make_device, admin_db):
    dirkou = make_device("Dirkou")
    scope.set_device_roles(admin_db, dirkou.device_id, ["coordinator"])
    assert totals(ask(dirkou).json())["3.2"] == "20"
    refused = ask(dirkou, f"&scope=region:{REGION.replace(' ', '%20')}")
    assert refused.status_code == 403 and refused.json()["error"] == "outside_scope"

    for roles in (["field_staff"], ["case_worker"], ["administrator"]):
        laptop = make_device("Agadez")
        scope.set_device_roles(admin_db, laptop.device_id, roles)
        assert totals(ask(laptop).json())["3.2"] == "10"
        for wider in (f"&scope=centre:{region['Arlit']}", f"&scope=region:{REGION.replace(' ', '%20')}",
                      "&scope=all", "&scope=region:Nowhere"):
            answer = ask(laptop, wider)
            assert answer.status_code == 403, (roles, wider)
            body = answer.json()
            assert body["error"] == "outside_scope" and "view registrations up to centre" in body["message"]
        # its own centre named explicitly is the default
        assert ask(laptop, f"&scope=centre:{region['Agadez']}").status_code == 200


def test_the_operator_command_writes_the_same_figures(region, backend, tmp_path):
    run = lambda *a: cli(backend.data_dir, "admin", "indicators", "--from", "2026-01-01", "--to", "2026-06-30",  # noqa: E731
                         *a, database_url=backend.database_url)
    shown = run()  # default: every centre, JSON on stdout
    assert shown.returncode == 0, shown.stderr
    answer = json.loads(shown.stdout)
    assert answer["scope"] == "all" and totals(answer)["3.2"] == "45" and totals(answer)["vot"] == "<11"
    assert totals(answer)["3.3"] == "20"

    out = tmp_path / "region.csv"
    written = run("--scope", f"region:{REGION}", "--out", str(out))
    assert written.returncode == 0, written.stderr
    rows = list(csv.reader(out.read_text(encoding="utf-8").splitlines()))
    assert [r[5] for r in rows if r[:1] == ["3.2"] and r[2:4] == ["sex", "total"]] == ["25"]
    assert [r[5] for r in rows if r[:1] == ["3.2"] and r[2:4] == ["centre", "ne_arlit"]] == ["10"]
    assert any(r[:1] == ["note"] and f"scope region:{REGION}" in r[1] for r in rows)

    assert json.loads(run("--scope", "centre:Arlit").stdout)["unlinked"] == 1

    missing = tmp_path / "nowhere.xlsx"
    refused = run("--scope", "region:Nowhere", "--out", str(missing))
    assert refused.returncode == 2 and "no region of that name" in refused.stderr and not missing.exists()
    assert "no centre" in run("--scope", "centre:Timbuktu").stderr
    assert "scope must be" in run("--scope", "country:NE").stderr
