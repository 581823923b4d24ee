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
from tests.registry.test_reports_device import _page_text
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
                    persons: str = "", target: str = "migrants_transit") -> dict[str, str]:
    answers = {"session/centre_country": "NE", "session/centre": "ne_agadez", "session/session_date": day,
               "session/admin1": "NE-1", "session/channel": channel, "session/target_group": target}
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


# --- 3.3 by channel and target group, and its one set of age bands (data-model §7.7: "GROUP BY sex, age band,
# target_group, admin1, channel"), computed by hand. Period 2026-07-01 to 2026-09-30, all at Agadez:
# - four sessions: a community dialogue with potential migrants (20 women 18-24, 15 men 25-35), a school session with
#   potential migrants (6 girls, 8 boys), a radio programme for the community (4 men 36+, heard by some 2,000) and
#   door-to-door visits to returnees (12 women 25-35);
# - 15 people counselled one by one (counselling_info): 7 women of 30 and 2 girls of 16 in transit, 3 men of 30 in
#   transit, a returning boy of 16 and a returning man of 40, a refugee man of 40.
# 3.3 = 35 + 14 + 4 + 12 + 15 = 80.
# By channel: community dialogue 35, radio 4, door-to-door 12, school 14, counselled one by one 15 (the form's order,
#   the counselled last). Radio's 4 is below 10: "<10"; alone hidden, 80 minus the others would give it back, so the
#   smallest other cell, door-to-door's 12, is hidden too ("x").
# By target group: potential migrants 35 + 14 = 49, migrants in transit 12 (the counselled in transit), returnees
#   12 + 2 = 14, community 4, other 1 (the refugee: no target group of the form); 4 and 1 are both "<10".
# By age, one set of bands, the session form's (under 18, 18-24, 25-35, 36+), the counselled by their age: 0-17
#   6 + 8 + 3 = 17, 18-24 20, 25-35 15 + 12 + 10 = 37, 36+ 4 + 2 = 6 ("<10", and 0-17's 17 hidden with it).
# By sex: women 20 + 6 + 12 + 9 = 47, men 15 + 8 + 4 + 6 = 33.
Q3_START, Q3_END = date(2026, 7, 1), date(2026, 9, 30)
Q3_SESSIONS = [  # (record number, day, channel, target group, tallies, estimated reach)
    (701, "2026-07-10", "community_dialogue", "potential_migrants", {"f_18_24": 20, "m_25_35": 15}, None),
    (702, "2026-07-20", "school", "potential_migrants", {"f_0_17": 6, "m_0_17": 8}, None),
    (703, "2026-08-05", "radio", "community", {"m_36p": 4}, 2000),
    (704, "2026-08-15", "door_to_door", "returnees", {"f_25_35": 12}, None),
]
Q3_COUNSELLED = [("female", 30, "migrant_transit")] * 7 + [("female", 16, "migrant_transit")] * 2 + [
    ("male", 30, "migrant_transit")] * 3 + [("male", 16, "returnee"), ("male", 40, "returnee"), ("male", 40, "refugee")]
Q3_TOTAL = 80
Q3_COUNTS = {
    "channel": {"community_dialogue": 35, "radio": 4, "door_to_door": 12, "school": 14, "counselling_info": 15},
    "target_group": {"potential_migrants": 49, "migrants_transit": 12, "returnees": 14, "community": 4, "other": 1},
    "age_group": {"0_17": 17, "18_24": 20, "25_35": 37, "36p": 6},
    "sex": {"female": 47, "male": 33},
    "centre": {"ne_agadez": 80},
}
Q3_SHOWN = {  # on the laptop's screen: exact counts, small cells and their complements hidden
    "channel": {"community_dialogue": "35", "radio": "<10", "door_to_door": "x", "school": "14",
                "counselling_info": "15"},
    "target_group": {"potential_migrants": "49", "migrants_transit": "12", "returnees": "14", "community": "<10",
                     "other": "<10"},
    "age_group": {"0_17": "x", "18_24": "20", "25_35": "37", "36p": "<10"},
}
Q3_RELEASED = {  # what leaves the app (files, the server's answer): the same, rounded down to a multiple of 5
    "channel": {"community_dialogue": "35", "radio": "<10", "door_to_door": "x", "school": "10",
                "counselling_info": "15"},
    "target_group": {"potential_migrants": "45", "migrants_transit": "10", "returnees": "10", "community": "<10",
                     "other": "<10"},
    "age_group": {"0_17": "x", "18_24": "20", "25_35": "35", "36p": "<10"},
}


def q3_records() -> list[tuple[str, str, dict[str, object]]]:
    """(record id, form, fields) of the counselled people and their counselling in the period, and the four sessions
    as flat fields (what the server's devices push and the core reads)."""
    rows: list[tuple[str, str, dict[str, object]]] = []
    for n, (sex, age, category) in enumerate(Q3_COUNSELLED, start=501):
        rows.append((uid(n), MIGRANT, {"sex": sex, "age": age, "nationality": "ML", "centre": "ne_agadez",
                                       "registered_on": "2026-07-02", "beneficiary_category": category}))
        rows.append((uid(n + 100), EVENT_FORM, {"person_ref": f"WP-{short(n)}", "assistance_type": "counselling_info",
                                                "centre": "ne_agadez", "registered_on": "2026-08-01"}))
    for n, day, channel, target, tallies, reach in Q3_SESSIONS:
        rows.append((uid(n), SESSION_FORM, {"centre": "ne_agadez", "registered_on": day, "channel": channel,
                                            "target_group": target, "admin1": "NE-1",
                                            **{name: tallies.get(name, 0) for name in indicators.TALLIES},
                                            **({"estimated_reach": reach} if reach else {})}))
    return rows


def shown(section: exports.Section) -> dict[str, dict[str, str]]:
    return {d: {c: p.shown((c, p.table.columns[0])) for c in p.table.rows} for d, p in section.tables}


def section_3_3(report: exports.Report) -> exports.Section:
    return next(s for s in report.sections if s.result.code == "3.3")


def test_the_core_breaks_3_3_down_by_channel_target_group_and_one_set_of_age_bands():
    rows = [StoredRecord(record_id, form, str(f["sex"]) if "sex" in f else None,
                         int(str(f["age"])) if "age" in f else None, "ML" if form == MIGRANT else None,
                         str(f["centre"]), str(f["registered_on"]), {k: str(v) for k, v in f.items()})
            for record_id, form, f in q3_records()]
    computed = exports.indicators_from_records(rows, start=Q3_START, end=Q3_END, scope="all", covers=lambda _c: True,
                                               centre_scope=False, may_see_cases=True)
    result = {r.code: r for r in computed.results}["3.3"]
    assert result.total == Q3_TOTAL and result.estimated_reach == 2000
    assert result.dimensions == ("sex", "age_group", "nationality", "centre", "category", "channel", "target_group")
    for dimension, expected in Q3_COUNTS.items():
        assert list(result.counts(dimension).items()) == list(expected.items()), dimension  # in the form's order
    # the other indicators have no such breakdown, and keep their finer age bands
    assert {r.code: r for r in computed.results}["3.2"].dimensions == indicators.DIMENSIONS
    section = section_3_3(computed.report)
    assert [d for d, _ in section.tables] == list(result.dimensions)
    assert {d: cells for d, cells in shown(section).items() if d in Q3_SHOWN} == Q3_SHOWN
    assert {d: cells for d, cells in shown(section_3_3(computed.report.rounded())).items()
            if d in Q3_RELEASED} == Q3_RELEASED
    # the notes say what was hidden in the channel table and why
    assert any(note.startswith("3.3 by channel: 1 cell(s) counting 1 to 9 people shown as <10")
               and "1 more shown as x" in note for note in computed.report.notes())
    # a two-way table counts the session tallies in their cells too: channel by sex
    two_way = result.table("channel", "sex")
    assert two_way.cells[("community_dialogue", "female")] == 20 and two_way.cells[("radio", "male")] == 4
    assert two_way.cells[("counselling_info", "female")] == 9 and sum(two_way.cells.values()) == Q3_TOTAL


def test_the_device_breaks_3_3_down_as_the_core_and_writes_it_in_the_forms_words(team, xforms, tmp_path):
    import openpyxl  # type: ignore[import-untyped]

    with signed_in(team, CASE) as vault:
        people = [(record_id, form, fields) for record_id, form, fields in q3_records() if form != SESSION_FORM]
        save_registrations(vault, [
            RegistrationDraft(form, "1", "finalized", person_xml(record_id, f"P{record_id[:8]}") if form == MIGRANT
                              else "<data/>", record_id, dict(fields)) for record_id, form, fields in people])
        for n, day, channel, target, tallies, reach in Q3_SESSIONS:  # through the form, as the screen saves them
            records.finalize(vault, form_id=SESSION_FORM, form_version=VERSION, content=instance(
                xforms["info_session"], session_answers(day, channel, tallies, reach=reach, target=target), uid(n)))
        done = reports.compute(vault, start=Q3_START, end=Q3_END)
        result = {r.code: r for r in done.results}["3.3"]
        assert result.total == Q3_TOTAL
        for dimension, expected in Q3_COUNTS.items():
            assert result.counts(dimension) == expected, dimension
        assert {d: c for d, c in shown(section_3_3(done.report)).items() if d in Q3_SHOWN} == Q3_SHOWN
        # the forms' words for the screen, in both languages
        assert done.choices["fr"]["channel"]["door_to_door"] == "Porte-à-porte"
        assert done.choices["en"]["target_group"]["potential_migrants"] == "Potential migrants"
        # the core's reading of each record (the server's computation) gives the same tables
        by_core = exports.indicators_from_records(
            reports.report_reads.report_rows(vault), start=Q3_START, end=Q3_END, scope="all", covers=lambda _c: True,
            centre_scope=False, may_see_cases=True)
        assert shown(section_3_3(by_core.report)) == shown(section_3_3(done.report))

        # the files: the released counts, the categories by the forms' labels, English and French
        rows = {}
        for language in ("en", "fr"):
            out = tmp_path / f"report-{language}.csv"
            reports.write(vault, start=Q3_START, end=Q3_END, out=out, language=language)
            rows[language] = [row for row in csv.reader(out.read_text("utf-8").splitlines()) if row[:1] == ["3.3"]]
        channel_en = {row[3]: (row[4], row[5]) for row in rows["en"] if row[2] == "channel"}
        assert channel_en == {
            "community_dialogue": ("Community dialogue", "35"), "radio": ("Radio", "<10"),
            "door_to_door": ("Door-to-door", "x"), "school": ("School", "10"),
            "counselling_info": ("Individual counselling", "15"), "total": ("Total", "80")}
        assert {row[3]: row[4] for row in rows["fr"] if row[2] == "channel"}["counselling_info"] == "Conseil individuel"
        target_fr = {row[3]: (row[4], row[5]) for row in rows["fr"] if row[2] == "target_group"}
        assert target_fr == {
            "potential_migrants": ("Migrants potentiels", "45"), "migrants_transit": ("Migrants en transit", "10"),
            "returnees": ("Migrants de retour", "10"), "community": ("Communauté", "<10"), "other": ("Autre", "<10"),
            "total": ("Total", "80")}
        ages = [row[4] for row in rows["en"] if row[2] == "age_group"]
        assert ages == ["0–17", "18–24", "25–35", "36+", "Total"]  # one set of bands
        out = tmp_path / "report-fr.xlsx"
        reports.write(vault, start=Q3_START, end=Q3_END, out=out, language="fr")
        sheet = openpyxl.load_workbook(out)["3.3"]
        values = [tuple(row) for row in sheet.iter_rows(values_only=True)]
        assert ("Canal", "Personnes") in values and ("Porte-à-porte", "x") in values
        assert ("Groupe cible", "Personnes") in values and ("Migrants potentiels", "45") in values
        out = tmp_path / "report-fr.pdf"
        reports.write(vault, start=Q3_START, end=Q3_END, out=out, language="fr")
        text = "".join(_page_text(out.read_bytes()))
        assert "Groupe cible" in text and "Dialogue communautaire" in text and "Porte-à-porte" in text
