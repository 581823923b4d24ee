"""Indicators and disclosure control on synthetic rows whose answers are worked out by hand in each test."""

from __future__ import annotations

import csv
from datetime import date

from waypoint_core.registry import exports
from waypoint_core.registry.disclosure import (
    COMPLEMENT, PRIMARY, TOTAL, CountTable, Protected, derivable, protect,
)
from waypoint_core.registry.indicators import (
    Case, Event, IndicatorResult, Person, Session, age_group, compute, compute_all,
)

START, END = date(2026, 1, 1), date(2026, 3, 31)


def people() -> list[Person]:
    return [
        Person("a", "female", 1990, "ML", "ne_agadez", "migrant_transit"),
        Person("b", "male", 2010, "NE", "ne_agadez", "stranded"),
        Person("b2", "male", 2010, "NE", "ne_arlit", "stranded", merged_into="b"),  # b registered twice
        Person("c", "male", 1985, "GN", "ne_arlit", "returnee"),  # not a category 3.2 counts
        Person("d", "female", 2000, "ML", "ne_arlit", "refugee", deleted=True),
        Person("e", "female", 1999, "NG", "ne_agadez", "migrant_transit"),
    ]


def test_a_person_assisted_twice_counts_once_and_merged_duplicates_count_once():
    events = [
        Event("a", date(2026, 1, 5), assistance_type="food"),
        Event("a", date(2026, 2, 5), assistance_type="accommodation"),  # a, twice: once
        Event("b", date(2026, 1, 9), assistance_type="food"),
        Event("b2", date(2026, 1, 10), assistance_type="health_primary"),  # b's duplicate: still b, once
        Event("c", date(2026, 1, 9), assistance_type="food"),  # returnee: not 3.2
        Event("d", date(2026, 1, 9), assistance_type="food"),  # deleted: never counted
        Event("e", date(2026, 1, 9), assistance_type="registration"),  # registration alone is not assistance
        Event("e", date(2025, 12, 31), assistance_type="food"),  # before the period
    ]
    result = compute("3.2", start=START, end=END, people=people(), events=events)
    assert sorted(result.people) == ["a", "b"]
    assert result.total == 2
    assert result.counts("sex") == {"female": 1, "male": 1}
    assert result.counts("centre") == {"ne_agadez": 2}  # the survivor's centre
    assert result.counts("age_group") == {"12_17": 1, "36_59": 1}  # aged 16 and 36 at the period's end


def test_returns_post_arrival_reintegration_and_trafficking():
    events = [
        Event("a", date(2026, 1, 5), kind="return"),
        Event("b2", date(2026, 1, 6), assistance_type="avrr_travel"),  # b, through the duplicate
        Event("c", date(2026, 2, 1), assistance_type="post_arrival"),
        Event("c", date(2026, 2, 2), assistance_type="reint_economic"),
        Event("c", date(2026, 3, 2), assistance_type="reint_social"),  # c once for 3.5 bis
        Event("e", date(2026, 3, 3), kind="referral"),
        Event("a", date(2026, 3, 3), assistance_type="food"),
    ]
    cases = [Case("e", "ActualVictimOfTrafficking"), Case("a", "NotAVictimOfTrafficking"),
             Case("b", "PossibleVictimOfTrafficking")]  # b: a case, but no assistance or referral for b in 3.vot
    results = {r.code: r for r in compute_all(start=START, end=END, people=people(), events=events, cases=cases)}
    assert sorted(results["3.4"].people) == ["a", "b"]
    assert sorted(results["3.5"].people) == ["c"]
    assert sorted(results["3.5bis"].people) == ["c"]
    assert sorted(results["vot"].people) == ["b", "e"]  # b2's avrr_travel is an assistance of b
    assert results["vot"].sensitive and not results["3.2"].sensitive


def test_information_campaigns_add_session_tallies_and_people_counselled_outside_them():
    sessions = [Session(date(2026, 2, 1), {("female", "18_24"): 12, ("male", "25_35"): 7}, estimated_reach=5000,
                        person_ids=("a",)),
                Session(date(2026, 6, 1), {("female", "18_24"): 40})]  # outside the period
    events = [Event("a", date(2026, 2, 1), assistance_type="counselling_info"),  # in a counted session: not again
              Event("e", date(2026, 2, 3), assistance_type="counselling_info")]
    result = compute("3.3", start=START, end=END, people=people(), events=events, sessions=sessions)
    assert result.total == 12 + 7 + 1
    assert result.estimated_reach == 5000  # reported apart, never added
    assert result.counts("sex") == {"female": 13, "male": 7}


def test_age_groups():
    assert [age_group(2026 - n, END) for n in (0, 4, 5, 11, 12, 17, 18, 24, 25, 35, 36, 59, 60, 90)] == [
        "0_4", "0_4", "5_11", "5_11", "12_17", "12_17", "18_24", "18_24", "25_35", "25_35", "36_59", "36_59",
        "60p", "60p"]
    assert age_group(None, END) == "unknown"


# --- disclosure control --------------------------------------------------------------------------------------


def test_one_way_small_cell_and_its_complement_are_suppressed():
    # female 25, male 4, unknown 12; total 41. 4 < 10 is hidden; 41 - 25 - 12 would give it back, so the
    # smallest other cell (12) is hidden too.
    table = CountTable.one_way("by sex", {"female": 25, "male": 4, "unknown": 12})
    protected = protect(table)
    assert protected.hidden == {("male", "count"): PRIMARY, ("unknown", "count"): COMPLEMENT}
    assert [protected.shown((r, "count")) for r in table.rows] == ["25", "<10", "x"]
    assert protected.shown((TOTAL, "count")) == "41"
    assert derivable(protected) == []
    assert "1 cell(s) counting 1 to 9 people shown as <10" in protected.note()


def test_a_single_small_cell_hides_the_total_and_zeros_stay():
    # only one non-zero cell (3), the rest 0: hiding another cell would hide a zero, so the total (3) goes
    table = CountTable.one_way("by category", {"refugee": 3, "idp": 0})
    protected = protect(table)
    assert protected.hidden == {("refugee", "count"): PRIMARY, (TOTAL, "count"): PRIMARY}
    assert protected.shown(("idp", "count")) == "0"


def test_trafficking_tables_use_k_11():
    table = CountTable.one_way("vot by sex", {"female": 10, "male": 30, "unknown": 15}, sensitive=True)
    protected = protect(table)
    assert protected.k == 11
    assert protected.hidden == {("female", "count"): PRIMARY, ("unknown", "count"): COMPLEMENT}
    assert protected.shown(("female", "count")) == "<11"
    assert protect(CountTable.one_way("same, not sensitive", {"female": 10, "male": 30})).hidden == {}


def test_two_way_margins_cannot_reveal_a_suppressed_cell():
    #            ML   NE   total
    # female     20    3     23
    # male       15   30     45
    # total      35   33     68
    # 3 is hidden. Row "female": 23 - 20 reveals it -> hide 20 (the only other cell). Column NE: 33 - 30 reveals
    # it -> hide 30. Then row "male" has 30 hidden alone -> hide 15; column ML has 20 and 15 hidden: fine.
    cells = {("female", "ML"): 20, ("female", "NE"): 3, ("male", "ML"): 15, ("male", "NE"): 30}
    table = CountTable("sex x nationality", ("female", "male"), ("ML", "NE"), cells)
    protected = protect(table)
    assert protected.hidden == {("female", "NE"): PRIMARY, ("female", "ML"): COMPLEMENT,
                                ("male", "NE"): COMPLEMENT, ("male", "ML"): COMPLEMENT}
    for total in ((TOTAL, "ML"), (TOTAL, "NE"), ("female", TOTAL), ("male", TOTAL), (TOTAL, TOTAL)):
        assert total not in protected.hidden  # every margin is published...
    assert derivable(protected) == []  # ...and no hidden cell follows from them (a 2x2 all hidden has 1 freedom)


def test_the_audit_finds_a_cell_given_back_by_the_margins():
    cells = {("female", "ML"): 20, ("female", "NE"): 3, ("male", "ML"): 15, ("male", "NE"): 30}
    table = CountTable("sex x nationality", ("female", "male"), ("ML", "NE"), cells)
    naive = Protected(table, 10, {("female", "NE"): PRIMARY})  # primary suppression alone
    assert derivable(naive) == [("female", "NE")]
    partial = Protected(table, 10, {("female", "NE"): PRIMARY, ("female", "ML"): COMPLEMENT})
    assert derivable(partial) == [("female", "ML"), ("female", "NE")]  # the ML column gives 20 back, then 3



# --- R11: rounding of what leaves the app, and no centre-level trafficking table for less than a quarter ---------


def test_published_counts_leave_rounded_down_to_multiples_of_5_hidden_cells_stay_hidden():
    # female 27, male 4, unknown 14; total 45: 4 hidden (<10), 14 its complement (x); 27 -> 25, 45 -> 45, 0 -> 0
    table = CountTable.one_way("by sex", {"female": 27, "male": 4, "unknown": 14, "other": 0})
    protected = protect(table)
    released = protected.rounded()
    assert [released.shown((r, "count")) for r in table.rows] == ["25", "<10", "x", "0"]
    assert released.shown((TOTAL, "count")) == "45" and protected.shown(("female", "count")) == "27"
    assert released.hidden == protected.hidden and "rounded down to a multiple of 5" in released.note()
    assert protect(CountTable.one_way("t", {"a": 12, "b": 19})).rounded().shown((TOTAL, "count")) == "30"  # 31


def _vot_result(start, end):
    people = {f"p{n}": Person(f"p{n}", "female", 2000, "NG", "ne_agadez") for n in range(12)}
    return IndicatorResult("vot", start, end, people)


def test_no_centre_level_trafficking_table_for_less_than_a_quarter():
    month = exports.build_report([_vot_result(date(2026, 11, 1), date(2026, 11, 30))], title="t", scope="all")
    assert [d for d, _ in month.sections[0].tables] == ["sex", "age_group", "nationality", "category"]
    assert "vot: no breakdown by centre over a period shorter than a quarter." in month.notes()
    quarter = exports.build_report([_vot_result(date(2026, 10, 1), date(2026, 12, 31))], title="t", scope="all")
    assert "centre" in dict(quarter.sections[0].tables)
    # one centre, one month: the indicator is withheld whole, and the report says why
    centre = exports.build_report([_vot_result(date(2026, 11, 1), date(2026, 11, 30))], title="t",
                                  scope="centre:ne_agadez", centre_scope=True)
    assert centre.sections == ()
    assert centre.notes()[0] == "vot: not shown for one centre over a period shorter than a quarter."


def test_written_reports_are_rounded(tmp_path):
    report = exports.build_report([_vot_result(date(2026, 10, 1), date(2026, 12, 31))], title="t", scope="all")
    exports.write_report(report, tmp_path / "r.csv")
    rows = list(csv.reader((tmp_path / "r.csv").read_text(encoding="utf-8").splitlines()))
    assert ["vot", rows[1][1], "sex", "female", "female", "10"] in rows  # 12 people -> 10
    assert any(r[:1] == ["note"] and "multiple of 5" in r[1] for r in rows)


def test_a_report_that_cannot_be_written_leaves_nothing_half_written(tmp_path, monkeypatch):
    report = exports.build_report([_vot_result(date(2026, 10, 1), date(2026, 12, 31))], title="t", scope="all")
    for suffix in (".csv", ".xlsx", ".pdf"):
        older = tmp_path / f"r{suffix}"
        older.write_bytes(b"last quarter's report")

        def full_disk(src, dst):
            raise OSError(28, "No space left on device", str(src))

        monkeypatch.setattr(exports.os, "replace", full_disk)
        try:
            exports.write_report(report, older)
        except OSError as exc:
            assert exc.errno == 28 and exc.filename == str(older)  # named by the report, not its .partial
        else:
            raise AssertionError("the write should have failed")
        monkeypatch.undo()
        assert older.read_bytes() == b"last quarter's report"  # the older report is untouched
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(f"r{suffix}")) == [f"r{suffix}"]
        exports.write_report(report, older)  # and once the disk has room, the whole report
        assert older.read_bytes()[:4] in (b"indi", b"PK\x03\x04", b"%PDF")
    missing = tmp_path / "no such folder" / "r.csv"
    try:
        exports.write_report(report, missing)
    except FileNotFoundError as exc:
        assert exc.filename == str(missing)
    else:
        raise AssertionError("a missing folder should fail")


def test_merge_decisions_make_a_merged_number_name_its_survivor_through_chains_not_cycles_nor_undone():
    """`merges_of` reads the desk's decisions; `inputs_from_link_groups(merged=)` counts links to a merged person's
    number for the survivor (a chain of merges followed to its end), and leaves the number alone for a merge undone,
    a survivor not among the people read, or merges that go round in a circle."""
    from waypoint_core.registry.indicators import LINK_SEP, inputs_from_link_groups, merges_of

    decided = merges_of([
        {"decision": "merge", "person_a": "a", "person_b": "b", "kept": "a"},  # b -> a
        {"decision": "merge", "person_a": "c", "person_b": "b", "kept": "b"},  # c -> b -> a
        {"decision": "merge", "person_a": "d", "person_b": "e", "kept": "d", "undone": "yes"},
        {"decision": "not_same", "person_a": "d", "person_b": "f", "kept": ""},
        {"decision": "merge", "person_a": "f", "person_b": "zz", "kept": "zz"},  # zz is not read below
        {"decision": "merge", "person_a": "g", "person_b": "h", "kept": "g"},
        {"decision": "merge", "person_a": "g", "person_b": "h", "kept": "h"},  # h -> g and g -> h: a circle
    ])
    assert decided == {"b": "a", "c": "b", "f": "zz", "h": "g", "g": "h"}
    ids = ["a", "b", "c", "d", "e", "f", "g", "h"]
    people = [(f"{n:08X}", pid, "female", 1990, "ML", "ne_agadez", "stranded") for n, pid in enumerate(ids)]
    joined = LINK_SEP.join(f"{n:08X}{LINK_SEP}2026-02-01" for n in range(len(ids)))
    found = inputs_from_link_groups(people, [("assistance", "food", None, None, joined)], start=date(2026, 1, 1),
                                    end=date(2026, 3, 31), merged=decided)
    done = exports.indicators_from_inputs(found, start=START, end=END, scope="all", centre_scope=False,
                                          may_see_cases=True)
    # b and c count as a; d and e apart (undone); f as itself (zz not read); g and h as themselves (a circle)
    assert sorted(next(r for r in done.results if r.code == "3.2").people) == ["a", "d", "e", "f", "g", "h"]
