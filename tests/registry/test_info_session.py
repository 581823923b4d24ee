"""EUTF 3.3 from the aggregate activity form (issue 12 point 3; data-model §7.6 G1, §7.7): the shipped
`info_session` form in our engine, and 3.3 hand-computed on a small synthetic set, on the device (sessions saved
through the form, read from `indicator_fact`) and by the core from the records (what the server runs).

The set, period 2026-01-01 to 2026-03-31, all at Agadez:
- 12 women and 3 men in transit; women 1-6 counselled (counselling_info) in the period, woman 1 twice; woman 7
  counselled after the period;
- session A (2026-02-10, community dialogue): 12 women 18-24 and 7 men 25-35; it lists woman 2 (counselled: counted
  once, in its tally) and woman 9 (never counselled);
- session B (2026-03-01, radio): 3 girls under 18, an estimated audience of 5,000 (reported apart, never added);
- session C (2026-05-01, after the period): 40 women, listing woman 3 (so she still counts as counselled).
3.3 = 12 + 7 + 3 (tallies A, B) + 5 (women 1, 3, 4, 5, 6) = 27: 20 women (15 tallied, 5 counselled), 7 men.
"""

from __future__ import annotations

import csv
from datetime import date


from desktop_app.services import records, reports
from desktop_app.vault.registrations import RegistrationDraft, save_registrations
from tests.access.team import CASE, FIELD, MIGRANT, instance, signed_in
from tests.registry.device_people import person_xml
from waypoint_core.registry import exports, indicators
from waypoint_core.registry.indicators import EVENT_FORM, SESSION_FORM, StoredRecord
from waypoint_core.xform import FormDefinition, FormSession

START, END = date(2026, 1, 1), date(2026, 3, 31)
VERSION = "2026120701"
TOTAL, WOMEN, MEN, REACH = 27, 20, 7, 5000


def uid(n: int) -> str:
    return f"{n:08x}-0000-4000-8000-000000000000"


def short(n: int) -> str:
    return uid(n).replace("-", "")[:8].upper()


def session_answers(day: str, channel: str, tallies: dict[str, int], *, reach: int | None = None,
                    persons: str = "") -> dict[str, str]:
    answers = {"session/centre_country": "NE", "session/centre": "ne_agadez", "session/session_date": day,
               "session/admin1": "NE-1", "session/channel": channel, "session/target_group": "migrants_transit"}
    answers.update({f"participants/{name}": str(tallies.get(name, 0)) for name in indicators.TALLIES})
    if reach is not None:
        answers["reach/estimated_reach"] = str(reach)
    if persons:
        answers["reach/registered_persons"] = persons
    return answers


SESSIONS = [
    (401, session_answers("2026-02-10", "community_dialogue", {"f_18_24": 12, "m_25_35": 7},
                          persons=f"WP-{short(2)}, {short(9)[:4]}-{short(9)[4:]}")),
    (402, session_answers("2026-03-01", "radio", {"f_0_17": 3}, reach=REACH)),
    (403, session_answers("2026-05-01", "in_centre", {"f_18_24": 40}, persons=short(3))),
]


def people_and_events() -> list[tuple[str, str, dict[str, object]]]:
    """(record id, form, fields) of the registrations and counselling events."""
    rows: list[tuple[str, str, dict[str, object]]] = []
    for n in range(1, 16):
        rows.append((uid(n), MIGRANT, {"sex": "female" if n <= 12 else "male", "age": 30, "nationality": "ML",
                                       "centre": "ne_agadez", "registered_on": "2026-01-10",
                                       "beneficiary_category": "migrant_transit"}))
    counselled = [(1, "2026-01-20"), (1, "2026-02-20"), *((n, "2026-02-12") for n in range(2, 7)), (7, "2026-05-02")]
    for event, (n, day) in enumerate(counselled, start=100):
        rows.append((uid(event), EVENT_FORM, {"person_ref": f"WP-{short(n)}", "assistance_type": "counselling_info",
                                              "centre": "ne_agadez", "registered_on": day}))
    return rows



def test_the_form_loads_in_our_engine_and_refuses_negative_tallies_and_bad_numbers(xforms):
    definition = FormDefinition.from_xml(xforms["info_session"])
    assert definition.form_id == SESSION_FORM and len(definition.languages) == 2
    session = FormSession(definition, metadata={"username": "test", "deviceid": "test-device"})
    for ref, value in SESSIONS[0][1].items():
        session.answer(f"/data/{ref}", value)
    assert session.validate() == []
    session.answer("/data/participants/f_0_17", "-1")
    assert [i.ref for i in session.validate()] == ["/data/participants/f_0_17"]
    session.answer("/data/participants/f_0_17", "0")
    session.answer("/data/reach/registered_persons", "WP-1234 Aminata")  # not a registration number
    assert [i.ref for i in session.validate()] == ["/data/reach/registered_persons"]
    # the audience is asked for mass media only, and not part of the people present
    assert not session.item("/data/reach/estimated_reach").relevant
    session.answer("/data/session/channel", "radio")
    assert session.item("/data/reach/estimated_reach").relevant


def test_the_core_counts_sessions_tallies_once_with_the_people_counselled():
    rows = [StoredRecord(record_id, form, None if form != MIGRANT else str(f["sex"]), 30 if form == MIGRANT else None,
                         "ML" if form == MIGRANT else None, "ne_agadez", str(f["registered_on"]),
                         {k: str(v) for k, v in f.items()}) for record_id, form, f in people_and_events()]
    for n, answers in SESSIONS:
        fields = {name.rsplit("/", 1)[1]: value for name, value in answers.items()}
        rows.append(StoredRecord(uid(n), SESSION_FORM, None, None, None, "ne_agadez", fields["session_date"], fields))
    facts = [f for row in rows if (f := indicators.fact_of(row)) is not None]
    assert facts[-3].session is not None and facts[-3].session.person_ids == (short(2), short(9))
    by_facts = indicators.inputs_from_facts(facts)
    # the rows the device and the server keep: people, links grouped, sessions as text
    people = sorted((fact.short, fact.person.id, fact.person.sex, fact.person.birth_year, fact.person.nationality,
                     fact.person.centre, fact.person.category) for fact in facts if fact.person is not None)
    links = [indicators.fact_rows(fact)[1] for fact in facts if fact.link is not None]
    sessions = [(f.session.day.isoformat(), f.centre, indicators.session_text(f.session)) for f in facts if f.session]
    by_rows = indicators.inputs_from_link_groups(people, indicators.link_groups(links), start=START, end=END,
                                                 sessions=sessions)
    assert len(by_rows.sessions) == 2  # session C is after the period
    for found in (by_facts, by_rows):
        result = indicators.compute("3.3", start=START, end=END, people=found.people, events=found.events,
                                    sessions=found.sessions)
        assert result.total == TOTAL
        assert result.counts("sex") == {"female": WOMEN, "male": MEN}
        assert sorted(result.people) == sorted(uid(n) for n in (1, 3, 4, 5, 6))  # woman 2: in session A's tally
        assert result.extra == {("female", "18_24"): 12, ("male", "25_35"): 7, ("female", "0_17"): 3}
        assert result.estimated_reach == REACH
    # a scope is the caller's filter: a centre elsewhere has neither the sessions nor the people counselled
    elsewhere = indicators.inputs_from_link_groups(people, indicators.link_groups(links), start=START, end=END,
                                                   sessions=sessions, covers=lambda centre: centre == "ne_arlit")
    assert elsewhere.sessions == []


def test_the_device_counts_3_3_from_sessions_saved_through_the_form(team, xforms, tmp_path):
    with signed_in(team, CASE) as vault:
        save_registrations(vault, [
            RegistrationDraft(form, "1", "finalized", person_xml(record_id, f"P{record_id[:8]}") if form == MIGRANT
                              else "<data/>", record_id, dict(fields)) for record_id, form, fields in people_and_events()])
        for n, answers in SESSIONS:
            records.finalize(vault, form_id=SESSION_FORM, form_version=VERSION,
                             content=instance(xforms["info_session"], answers, uid(n)))
        done = reports.compute(vault, start=START, end=END)
        result = {r.code: r for r in done.results}["3.3"]
        assert result.total == TOTAL and result.estimated_reach == REACH
        assert result.counts("sex") == {"female": WOMEN, "male": MEN}
        assert result.counts("age_group")["18_24"] == 12 and result.counts("age_group")["0_17"] == 3
        # the same records through the core's reading of each record (the server's computation) agree
        assert {r.code: r.total for r in done.results} == {
            r.code: r.total for r in exports.indicators_from_records(
                reports.report_reads.report_rows(vault), start=START, end=END, scope="all", covers=lambda _c: True,
                centre_scope=False, may_see_cases=True).results}
        # another centre's scope counts none of it
        arlit = reports.compute(vault, start=START, end=END, scope=reports.Scope.parse("centre:ne_arlit"))
        assert {r.code: r for r in arlit.results}["3.3"].total == 0
        assert {r.code: r for r in arlit.results}["3.3"].estimated_reach == 0
        # the written report: 3.3's tallies in its tables, the audience apart and labelled, not added
        out = tmp_path / "report.csv"
        reports.write(vault, start=START, end=END, out=out)
        text = out.read_text("utf-8")
        assert "estimated reach of mass media 5000 (reported apart, not added)" in text
        assert "0–17" in text
        rows = list(csv.reader(text.splitlines()))
        assert any(row[:1] == ["3.3"] and "25" in row for row in rows), rows[:20]
    with signed_in(team, FIELD) as vault:  # a session is no case: field staff count it too
        assert {r.code: r for r in reports.compute(vault, start=START, end=END).results}["3.3"].total == TOTAL
