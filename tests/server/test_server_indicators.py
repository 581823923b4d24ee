"""GET /v2/indicators against the real server on SQLite and PostgreSQL: signed like every endpoint, the device's
centre only, the trafficking indicator only for devices whose people may view cases, every table protected and
rounded before it leaves, computed by the device's own code (waypoint_core.registry.exports)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from sim_device import SimDevice

from sync_server import scope
from waypoint_core.registry import exports
from waypoint_core.registry.indicators import CASE_FORM, EVENT_FORM, MIGRANT_FORM, SESSION_FORM, TALLIES

PERIOD = "from=2026-01-01&to=2026-03-31"


def short(record_id: str) -> str:
    return record_id.replace("-", "")[:8].upper()


def putter(sim: SimDevice, stored: list[tuple[str, str, dict]]) -> Callable[[str, dict], str]:
    """put(form, fields): a finalized record of that form registered by `sim` (pushed later), noted in `stored` as
    (record id, form, fields)."""

    def put(form: str, fields: dict) -> str:
        sim.form_id = form
        record_id = sim.register({**fields, "@status": "finalized"}, record_id=str(uuid.uuid4()))
        stored.append((record_id, form, {**fields, "@status": "finalized"}))
        return record_id

    return put


def populate(sim: SimDevice) -> list[tuple[str, str, dict]]:
    """13 women and 3 men of Nigeria, each assisted in the period (woman 1 twice); an event naming no one; the
    first man a trafficking case. Returns (record id, form, fields) as the device stored them."""
    stored: list[tuple[str, str, dict]] = []

    put = putter(sim, stored)

    people = [put(MIGRANT_FORM, {"sex": sex, "age": 30, "nationality": "NG", "centre": "ne_agadez",
                                 "registered_on": "2026-01-10", "beneficiary_category": "stranded"})
              for sex in ["female"] * 13 + ["male"] * 3]
    for n, person in enumerate(people):
        for day in (["2026-02-01", "2026-02-15"] if n == 0 else ["2026-02-01"]):
            put(EVENT_FORM, {"person_ref": f"WP-{short(person)}", "assistance_type": "food", "centre": "ne_agadez",
                             "registered_on": day})
    put(EVENT_FORM, {"person_ref": "NOPE1234", "assistance_type": "food", "registered_on": "2026-02-01"})
    put(CASE_FORM, {"person_ref": short(people[13]), "trafficking_status": "ActualVictimOfTrafficking",
                    "record_kind": "case"})
    sim.push_pending()
    return stored


def test_indicators_are_signed_scoped_protected_and_rounded(make_device, admin_db):
    laptop = make_device("Agadez")
    sim = SimDevice(laptop)
    stored = populate(sim)

    response = laptop.signed_get(f"/v2/indicators?{PERIOD}")
    assert response.status_code == 200 and laptop.answer_valid(response)
    answer = response.json()
    by_code = {i["code"]: i for i in answer["indicators"]}
    # 3.2: 16 people (woman 1 assisted twice counts once) -> published 16, rounded down to 15
    assert by_code["3.2"]["total"] == "15" and answer["unlinked"] == 1
    # by sex: 3 men < 10 hidden; 16 - 13 would give them back, so the women are hidden too
    assert by_code["3.2"]["tables"]["sex"] == {"cells": {"female": "x", "male": "<10"}, "total": "15"}
    assert by_code["3.2"]["tables"]["nationality"] == {"cells": {"NG": "15"}, "total": "15"}
    # the trafficking indicator: 1 person < 11, and its total with it
    assert by_code["vot"]["tables"]["sex"]["cells"]["male"] == "<11"
    assert any("multiple of 5" in note for note in answer["notes"])
    assert "ne_agadez" not in str(answer["notes"]) and not any(r[0] in response.text for r in stored)

    # the same records through the device's code give the same published tables
    class Row:
        def __init__(self, record_id, form, fields):
            self.id, self.form_id, self.fields = record_id, form, {k: str(v) for k, v in fields.items()}
            self.sex, self.nationality = fields.get("sex"), fields.get("nationality")
            self.age = fields.get("age")
            self.centre, self.registered_on = fields.get("centre"), fields.get("registered_on")
    device_side = exports.indicators_from_records(
        [Row(*r) for r in stored], start=date(2026, 1, 1), end=date(2026, 3, 31), scope="all",
        covers=lambda _c: True, centre_scope=False, may_see_cases=True).report.rounded()
    assert [(s.result.code, s.total_shown()) for s in device_side.sections] == [
        (i["code"], i["total"]) for i in answer["indicators"]]

    # a field laptop (no case worker) gets no trafficking indicator; another centre sees none of these people
    field_laptop = make_device("Agadez")
    scope.set_device_roles(admin_db, field_laptop.device_id, ["field_staff"])
    field_answer = field_laptop.signed_get(f"/v2/indicators?{PERIOD}").json()
    assert "vot" not in {i["code"] for i in field_answer["indicators"]}
    assert ["cases_not_seen", "vot"] in [list(w) for w in field_answer["withheld"]]  # and the answer says so
    elsewhere = make_device("Arlit").signed_get(f"/v2/indicators?{PERIOD}").json()
    assert {i["code"]: i["total"] for i in elsewhere["indicators"]}["3.2"] == "0"

    # R11 point 5, as on the device: one centre over less than a quarter shows no trafficking indicator, and says so
    month = laptop.signed_get("/v2/indicators?from=2026-01-01&to=2026-01-31").json()
    assert "vot" not in {i["code"] for i in month["indicators"]}
    assert any("vot: not shown for one centre" in note for note in month["notes"])


def test_indicators_refuse_unsigned_requests_and_bad_periods(make_device):
    laptop = make_device("Agadez")
    assert laptop.send("GET", f"/v2/indicators?{PERIOD}", signed=False).status_code == 401
    assert laptop.signed_get("/v2/indicators?from=2026-03-31&to=2026-01-01").status_code == 422
    assert laptop.signed_get("/v2/indicators?from=yesterday&to=2026-01-01").status_code == 422
    assert laptop.signed_get("/v2/indicators?from=2026-01-01").status_code == 422


def test_information_sessions_give_the_server_the_devices_3_3(make_device):
    """EUTF 3.3 from the aggregate activity form (tests/registry/test_info_session.py has the hand computation): 12
    women 18-24 and 7 men 25-35 at a session naming woman 2, 3 girls at a radio session heard by an estimated 5,000,
    a session after the period; women 1-6 counselled (woman 1 twice): 12 + 7 + 3 + 5 = 27, published 25; the
    audience reported apart, never added. The device's own code gives the same."""
    laptop = make_device("Agadez")
    sim = SimDevice(laptop)
    stored: list[tuple[str, str, dict]] = []

    put = putter(sim, stored)

    women = [put(MIGRANT_FORM, {"sex": "female", "age": 30, "nationality": "ML", "centre": "ne_agadez",
                                "registered_on": "2026-01-10", "beneficiary_category": "migrant_transit"})
             for _ in range(7)]
    for n, day in [(0, "2026-01-20"), (0, "2026-02-20"), *((n, "2026-02-12") for n in range(1, 6)), (6, "2026-05-02")]:
        put(EVENT_FORM, {"person_ref": f"WP-{short(women[n])}", "assistance_type": "counselling_info",
                         "centre": "ne_agadez", "registered_on": day})
    zero = dict.fromkeys(TALLIES, 0)
    put(SESSION_FORM, {**zero, "f_18_24": 12, "m_25_35": 7, "registered_persons": f"WP-{short(women[1])}",
                       "channel": "community_dialogue", "centre": "ne_agadez", "registered_on": "2026-02-10"})
    put(SESSION_FORM, {**zero, "f_0_17": 3, "estimated_reach": 5000, "channel": "radio", "centre": "ne_agadez",
                       "registered_on": "2026-03-01"})
    put(SESSION_FORM, {**zero, "f_18_24": 40, "registered_persons": short(women[2]), "channel": "in_centre",
                       "centre": "ne_agadez", "registered_on": "2026-05-01"})
    sim.push_pending()

    answer = laptop.signed_get(f"/v2/indicators?{PERIOD}").json()
    by_code = {i["code"]: i for i in answer["indicators"]}
    assert by_code["3.3"]["total"] == "25"  # 27, rounded down
    assert "3.3: estimated reach of mass media 5000 (reported apart, not added)" in answer["notes"]

    class Row:
        def __init__(self, record_id, form, fields):
            self.id, self.form_id, self.fields = record_id, form, {k: str(v) for k, v in fields.items()}
            self.sex, self.nationality, self.age = fields.get("sex"), fields.get("nationality"), fields.get("age")
            self.centre, self.registered_on = fields.get("centre"), fields.get("registered_on")
    device_side = exports.indicators_from_records(
        [Row(*r) for r in stored], start=date(2026, 1, 1), end=date(2026, 3, 31), scope="all",
        covers=lambda _c: True, centre_scope=False, may_see_cases=True)
    assert {r.code: r for r in device_side.results}["3.3"].total == 27
    # the same published 3.3, table by table (the server's centre holds the other tests' people too)
    section = next(s for s in device_side.report.rounded().sections if s.result.code == "3.3")
    assert section.total_shown() == by_code["3.3"]["total"]
    assert {d: {c: p.shown((c, p.table.columns[0])) for c in p.table.rows} for d, p in section.tables} == {
        d: t["cells"] for d, t in by_code["3.3"]["tables"].items()}
    elsewhere = make_device("Arlit").signed_get(f"/v2/indicators?{PERIOD}").json()
    assert {i["code"]: i["total"] for i in elsewhere["indicators"]}["3.3"] == "0"


def test_the_server_breaks_3_3_down_by_channel_and_target_group_as_the_device(make_device):
    """3.3 by channel, target group and one set of age bands (tests/registry/test_info_session.py has the hand
    computation: four sessions and 15 people counselled, 80 reached): the server's answer holds the released tables,
    the radio session's 4 hidden as <10 and door-to-door's 12 hidden as its complement, and the device's own code over
    the same records gives the same tables."""
    from tests.registry.test_info_session import Q3_RELEASED, Q3_TOTAL, q3_records

    laptop = make_device("Agadez")
    sim = SimDevice(laptop)
    stored = [(record_id, form, {**fields, "@status": "finalized"}) for record_id, form, fields in q3_records()]
    for record_id, form, fields in stored:  # under their own ids: the events name the people by them
        sim.form_id = form
        sim.register(fields, record_id=record_id)
    sim.push_pending()

    answer = laptop.signed_get("/v2/indicators?from=2026-07-01&to=2026-09-30").json()
    section = {i["code"]: i for i in answer["indicators"]}["3.3"]
    assert section["total"] == str(Q3_TOTAL)
    for dimension, cells in Q3_RELEASED.items():
        assert section["tables"][dimension] == {"cells": cells, "total": "80"}, dimension
    assert any(note.startswith("3.3 by channel: 1 cell(s) counting 1 to 9 people shown as <10")
               for note in answer["notes"])
    assert "3.3: estimated reach of mass media 2000 (reported apart, not added)" in answer["notes"]
    # other indicators have no channel
    assert "channel" not in {i["code"]: i for i in answer["indicators"]}["3.2"]["tables"]

    class Row:
        def __init__(self, record_id, form, fields):
            self.id, self.form_id, self.fields = record_id, form, {k: str(v) for k, v in fields.items()}
            self.sex, self.nationality, self.age = fields.get("sex"), fields.get("nationality"), fields.get("age")
            self.centre, self.registered_on = fields.get("centre"), fields.get("registered_on")
    device_side = exports.indicators_from_records(
        [Row(*r) for r in stored], start=date(2026, 7, 1), end=date(2026, 9, 30), scope="all",
        covers=lambda _c: True, centre_scope=False, may_see_cases=True).report.rounded()
    device_section = next(s for s in device_side.sections if s.result.code == "3.3")
    assert {d: {c: p.shown((c, p.table.columns[0])) for c in p.table.rows} for d, p in device_section.tables} == {
        d: t["cells"] for d, t in section["tables"].items()}
