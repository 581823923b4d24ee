"""Forms and P3: the shipped forms mark their sensitive answers and case kind; a form whose visible question reads
a P3 answer is refused at install, naming both."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.records.schema import form_schema
from desktop_app.services.forms import FormFileError, validate_form_file

LEAKY = """| survey |
| | type | name | label | relevant | bind::wp:sensitivity |
| | select_one yn | abused | Abused? | | P3 |
| | text | follow_up | Follow-up | ${abused} = 'yes' | |
| | text | details | Details | ${abused} = 'yes' | P3 |
| choices |
| | list_name | name | label |
| | yn | yes | Yes |
| | yn | no | No |
| settings |
| | form_id | version | namespaces |
| | leaky | 1 | wp="urn:waypoint:xforms" |
"""


def test_the_shipped_forms_mark_p3_answers_and_cases(xforms):
    migrant, case = form_schema(xforms["migrant_registration"]), form_schema(xforms["vot_case"])
    assert migrant.kind == "registration" and case.kind == "case"
    assert {"migration/abuses_experienced", "needs/specific_needs", "needs/risk_level"} <= set(migrant.sensitive)
    assert {"trafficking_event", "protection", "support_plan/objectives"} <= set(case.sensitive)
    # what the list and search show is never P3
    for schema in (migrant, case):
        assert not any(schema.is_sensitive(path) for path in schema.extract)


def test_a_visible_question_that_reads_a_p3_answer_is_refused(tmp_path: Path):
    source = tmp_path / "leaky.md"
    source.write_text(LEAKY, encoding="utf-8")
    with pytest.raises(FormFileError) as refused:
        validate_form_file(source)
    problems = [str(p) for p in refused.value.problems]
    assert len(problems) == 1 and "'follow_up' (relevant) reads the restricted (P3) answer 'abused'" in problems[0]
    source.write_text(LEAKY.replace("| ${abused} = 'yes' | |", "| ${abused} = 'yes' | P3 |"), encoding="utf-8")
    assert validate_form_file(source).header.form_id == "leaky"


P3_FILE = """| survey |
| | type | name | label | bind::wp:sensitivity |
| | text | name | Name | |
| | begin group | injuries | Injuries | P3 |
| | text | what | What happened | |
| | image | photo | Photo of the injuries | |
| | end group | | | |
| settings |
| | form_id | version | namespaces |
| | p3_file | 1 | wp="urn:waypoint:xforms" |
"""


def test_a_file_question_marked_p3_is_refused(tmp_path: Path):
    """Typed P3 answers are sealed for case workers; a file is stored and synced as it is, readable by everyone the
    data key opens the vault for. A photo or scan marked P3 (here through its group) would be a restricted answer
    left in clear: the form is refused, naming it, and installs once the file question is outside P3."""
    source = tmp_path / "p3_file.md"
    source.write_text(P3_FILE, encoding="utf-8")
    with pytest.raises(FormFileError) as refused:
        validate_form_file(source)
    problems = [str(p) for p in refused.value.problems]
    assert len(problems) == 1 and "'injuries/photo' is a file question marked P3" in problems[0], problems
    source.write_text(P3_FILE.replace("| | image | photo | Photo of the injuries | |\n", "")
                      + "", encoding="utf-8")
    assert validate_form_file(source).header.form_id == "p3_file"
