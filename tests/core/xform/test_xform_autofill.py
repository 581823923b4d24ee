"""The auto-fill solver behind `forms check`: it must find answers that satisfy typed
constraints, regex() patterns, lengths, cross-question constraints, choice filters and counted
repeats, and report what still blocks when nothing fits."""

from __future__ import annotations

import re

import pytest

from waypoint_core.xform.autofill import autofill, sample_for_regex
from waypoint_core.xform.check import check_form

SOLVABLE = """
| survey |               |         |          |                                       |                    |              |
|        | type          | name    | label    | constraint                            | relevant           | repeat_count |
|        | integer       | age     | Age      | . > 17 and . < 120                    |                    |              |
|        | text          | code    | Code     | regex(., '^[A-Z]{2}-[0-9]{4}$')       |                    |              |
|        | text          | phone   | Phone    | string-length(.) = 10                 |                    |              |
|        | date          | born    | Born     | . <= today() and . > date('1900-01-01') |                  |              |
|        | decimal       | weight  | Weight   | . >= 2.5 and . <= 3.5                 |                    |              |
|        | integer       | kids    | Kids     | . < ${age} div 10                     |                    |              |
|        | select_one yn | other   | Other?   |                                       |                    |              |
|        | text          | detail  | Detail   | ${other} = 'yes'                      |                    |              |
|        | begin repeat  | child   | Child    |                                       | ${kids} > 0        | ${kids}      |
|        | integer       | c_age   | Age      | . < ../../age                         |                    |              |
|        | end repeat    |         |          |                                       |                    |              |
| choices |           |      |       |
|         | list_name | name | label |
|         | yn        | no   | No    |
|         | yn        | yes  | Yes   |
"""


def test_solver_satisfies_every_constraint(form):
    s = form(SOLVABLE)
    answered = autofill(s)
    assert answered >= 9
    assert s.validate() == []
    assert 17 < int(s.value("/data/age")) < 120
    assert re.fullmatch(r"[A-Z]{2}-[0-9]{4}", s.value("/data/code"))
    assert len(s.value("/data/phone")) == 10
    assert 2.5 <= float(s.value("/data/weight")) <= 3.5
    assert s.value("/data/other") == "yes"  # repaired so that detail's constraint can hold
    children = s.node("/data").kids.get("child", [])
    assert len(children) == int(s.value("/data/kids"))
    assert s.finalize() == []


def test_check_reports_what_blocks(tmp_path):
    impossible = tmp_path / "impossible.md"
    impossible.write_text("""
| survey |         |      |       |                      |          |
|        | type    | name | label | constraint           | required |
|        | integer | n    | N     | . > 5 and . < 5      | yes      |
""", encoding="utf-8")
    result = check_form(impossible)
    assert result["status"] == "fail"
    assert result["issues"] == ["/data/n: constraint: Sorry, this response is invalid."]


def test_check_passes_an_xlsform_in_markdown(tmp_path):
    source = tmp_path / "registration.md"
    source.write_text(SOLVABLE, encoding="utf-8")
    result = check_form(source)
    assert result["status"] == "pass", result
    assert result["convert_ms"] > 0 and result["binds"] >= 11


@pytest.mark.parametrize("pattern", [r"^[A-Z]{2}-[0-9]{4}$", r"^\d{3}(\s\d{3})?$", r"^(yes|no)$", r"^[^0-9]+$",
                                     r"^[a-z0-9._]+@[a-z]+\.[a-z]{2,3}$", r"^\+?[0-9]{8,12}$", r"abc"])
def test_regex_samples_match(pattern):
    samples = sample_for_regex(pattern)
    assert samples and all(re.search(pattern, s) for s in samples)
