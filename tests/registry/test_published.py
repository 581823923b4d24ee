"""A report the server published (`GET /v2/indicators`) read back on the device (waypoint_core.registry.published)
shows and writes exactly what the server's own report released: every shown entry, the notes in English and French,
what was withheld and the mass-media reach; and it cannot be made to show more than it was sent."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from sync_server.reports import answer
from waypoint_core.protocol.report_messages import IndicatorAnswer
from waypoint_core.registry import exports, published, report_words
from waypoint_core.registry.disclosure import COMPLEMENT, PRIMARY, TOTAL
from waypoint_core.registry.indicators import Event, Person, Session

START, END = date(2026, 1, 1), date(2026, 1, 31)  # a month: the trafficking indicator has no centre table


def computed() -> exports.Computed:
    # 3.2 by sex: 27 women, 4 men (hidden, <10), 14 unknown (its complement, x); 3.3 a session reaching 5,002
    people = ([Person(f"f{n}", "female", 1990, "ML", "ne_agadez", "stranded") for n in range(27)]
              + [Person(f"m{n}", "male", 1990, "NE", "ne_arlit", "stranded") for n in range(4)]
              + [Person(f"u{n}", "", 1990, "NG", "ne_agadez", "stranded") for n in range(14)])
    events = [Event(p.id, date(2026, 1, 9), assistance_type="food") for p in people]
    sessions = [Session(date(2026, 1, 12), {("female", "18_24"): 12}, estimated_reach=5002)]
    found = exports.indicators.Inputs(people, events, [], 0, sessions)
    return exports.indicators_from_inputs(found, start=START, end=END, scope="region:Agadez region",
                                          centre_scope=False, may_see_cases=True)


def read_back(done: exports.Computed) -> exports.Report:
    sent = IndicatorAnswer.model_validate_json(answer(done, None, start=START, end=END, scope="region:Agadez region"))
    return published.report_from_answer(sent, computed_by="")


def test_the_report_read_back_shows_what_the_server_released():
    done = computed()
    released, back = done.report.rounded(), read_back(done)
    assert [s.result.code for s in back.sections] == [s.result.code for s in released.sections]
    for ours, theirs in zip(released.sections, back.sections):
        assert [d for d, _ in theirs.tables] == [d for d, _ in ours.tables]
        assert theirs.total_shown() == ours.total_shown()
        for (dimension, mine), (_, got) in zip(ours.tables, theirs.tables):
            entries = [(r, "count") for r in mine.table.rows] + [(TOTAL, "count")]
            assert [got.shown(e) for e in entries] == [mine.shown(e) for e in entries], dimension
            assert got.hidden == {(r, "count"): why for (r, _c), why in mine.hidden.items()}
            assert got.k == mine.k
    by_sex = dict(back.sections[0].tables)["sex"]
    assert by_sex.hidden[("male", "count")] == PRIMARY and by_sex.hidden[("unknown", "count")] == COMPLEMENT
    assert by_sex.shown(("female", "count")) == "25" and by_sex.table.value(("female", "count")) == 25
    assert back.sections[1].result.estimated_reach == 5000  # rounded where it was computed
    for words in (report_words.ENGLISH, report_words.FRENCH):
        assert back.notes(words) == released.notes(words)
    assert back.withheld == released.withheld == (("no_centre", "vot"),)


def test_reading_back_rounds_nothing_again_and_says_where_it_was_computed(tmp_path):
    back = published.report_from_answer(IndicatorAnswer.model_validate_json(
        answer(computed(), None, start=START, end=END, scope="region:Agadez region")))
    assert back.rounded() is not back and back.rounded().sections[0].tables[0][1] is back.sections[0].tables[0][1]
    exports.write_report(back, tmp_path / "r.csv", words=report_words.FRENCH)
    text = (tmp_path / "r.csv").read_text(encoding="utf-8")
    assert "région Agadez region" in text and "Calculé par le serveur" in text
    assert "Computed by the server" in back.notes()[-1]


def test_an_answer_showing_anything_but_counts_and_hidden_marks_is_refused():
    sent = answer(computed(), None, start=START, end=END, scope="all").decode()
    with pytest.raises(ValidationError):
        IndicatorAnswer.model_validate_json(sent.replace('"total":"45"', '"total":"45 people"', 1))
    parsed = IndicatorAnswer.model_validate_json(sent)
    unknown = parsed.model_copy(update={"indicators": [parsed.indicators[0].model_copy(update={"code": "9.9"})]})
    with pytest.raises(ValueError, match="unknown indicator"):
        published.report_from_answer(unknown)
