"""XLSForm → XForm conversion: the shipped forms convert cleanly, broken forms are located by sheet/row/column."""

from __future__ import annotations

from pathlib import Path

import pytest

from waypoint_core.xlsform import XLSFormError, convert_xlsform, read_xform_header, translation_gaps

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "forms").glob("*.md"))
FIXTURES = Path(__file__).parent / "fixtures"


def test_five_forms_are_shipped():
    ids = {convert_xlsform(path).header.form_id for path in SHIPPED}
    assert ids == {"waypoint_migrant_registration", "waypoint_vot_case", "waypoint_assistance_event",
                   "waypoint_referral", "waypoint_info_session"}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_form_converts_without_warnings_in_english_and_french(path):
    converted = convert_xlsform(path)
    assert [str(w) for w in converted.warnings] == []
    header = converted.header
    assert header.languages == ("English (en)", "Français (fr)")
    assert header.default_language == "English (en)"
    assert header.version.isdigit() and len(header.version) == 10  # yyyymmddrr
    assert translation_gaps(converted.xform) == []


def test_broken_fixture_names_sheet_row_column_and_line():
    with pytest.raises(XLSFormError) as caught:
        convert_xlsform(FIXTURES / "broken_form.md")
    [problem] = caught.value.problems
    assert (problem.sheet, problem.row, problem.column, problem.line) == ("survey", 4, "relevant", 6)
    assert "travelling_alon" in problem.message
    assert "sheet 'survey', row 4, column 'relevant', line 6" in str(caught.value)


def test_unknown_type_is_located_although_pyxform_gives_no_row():
    source = "| survey |\n| | type | name | label |\n| | integer | age | Age |\n# note\n| | integr | age2 | Age |\n"
    with pytest.raises(XLSFormError) as caught:
        convert_xlsform(source, file_type=".md", source_name="typo.md")
    [problem] = caught.value.problems
    assert (problem.sheet, problem.row, problem.column, problem.line) == ("survey", 3, "type", 5)


def test_row_wider_than_header_is_reported_instead_of_a_traceback():
    source = "| survey |\n| | type | name | label |\n| | text | b | B | stray |\n"
    with pytest.raises(XLSFormError) as caught:
        convert_xlsform(source, file_type=".md")
    [problem] = caught.value.problems
    assert (problem.sheet, problem.row, problem.line) == ("survey", 2, 3)
    assert "4 cells" in problem.message


def test_missing_french_label_is_a_located_warning_not_a_silent_dash():
    source = ("| survey |\n| | type | name | label::English (en) | label::Français (fr) |\n"
              "| | text | a | A | |\n| | select_one yn | b | B | B |\n"
              "| choices |\n| | list_name | name | label::English (en) | label::Français (fr) |\n"
              "| | yn | yes | Yes | |\n")
    converted = convert_xlsform(source, file_type=".md")
    found = {(w.sheet, w.row, w.column) for w in converted.warnings}
    assert found == {("survey", 2, "label::Français (fr)"), ("choices", 2, "label::Français (fr)")}


def test_csv_source_rows_map_to_lines():
    source = ("survey,type,name,label\n,integer,age,Age\n,text,x,X\n,,,\n,text,y,Y\n"
              ",integr,z,Z\n")
    with pytest.raises(XLSFormError) as caught:
        convert_xlsform(source, file_type=".csv")
    [problem] = caught.value.problems
    assert (problem.sheet, problem.row, problem.column, problem.line) == ("survey", 5, "type", 6)


def test_not_an_xlsform_suffix_is_refused(tmp_path):
    path = tmp_path / "form.txt"
    path.write_text("hello")
    with pytest.raises(XLSFormError, match="not an XLSForm"):
        convert_xlsform(path)


def test_read_xform_header_refuses_other_xml():
    with pytest.raises(ValueError, match="not an XForm"):
        read_xform_header("<html/>")
    with pytest.raises(ValueError, match="well-formed"):
        read_xform_header("<h:html")


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_question_and_choice_is_labelled_in_english_and_french(path):
    import xml.etree.ElementTree as ET

    xf, h = "{http://www.w3.org/2002/xforms}", "{http://www.w3.org/1999/xhtml}"
    doc = ET.fromstring(convert_xlsform(path).xform)
    texts: dict[str, dict[str, str]] = {}
    for translation in doc.iter(f"{xf}translation"):
        for text in translation.iter(f"{xf}text"):
            value = "".join(text.itertext()).strip()
            texts.setdefault(text.get("id"), {})[translation.get("lang")] = value
    body = doc.find(f"{h}body")
    controls = [el for el in body.iter() if el.tag in {f"{xf}{t}" for t in ("input", "select1", "select", "group",
                                                                               "repeat", "upload", "trigger")}]
    labelled = 0
    for control in controls:
        label = control.find(f"{xf}label")
        if label is None:
            continue  # a repeat's wrapper group carries the label
        assert label.get("ref", "").startswith("jr:itext("), (control.get("ref"), "untranslated label")
        text_id = label.get("ref")[len("jr:itext('"):-2]
        both = texts[text_id]
        assert both.get("English (en)") and both.get("Français (fr)"), text_id
        assert both["English (en)"] != "-" and both["Français (fr)"] != "-", text_id
        labelled += 1
    assert labelled >= 10
    for instance in doc.find(f"{h}head/{xf}model").findall(f"{xf}instance")[1:]:
        for item in instance.iter(f"{xf}item"):
            text_id = item.findtext(f"{xf}itextId")
            both = texts[text_id]
            assert both.get("English (en)") not in (None, "", "-") and both.get("Français (fr)") not in (None, "", "-")


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_engine_auto_fills_each_shipped_form_to_a_valid_finalized_instance(path):
    from waypoint_core.xform.check import check_form

    result = check_form(str(path))
    assert result["status"] == "pass", result
    assert [u for u in result["unsupported"] if not u.startswith(("bind attribute extract=",
                                                                   "bind attribute consent="))] == []


def test_an_xlsx_workbook_converts_like_its_markdown_source(tmp_path):
    from pyxform.xls2json_backends import md_table_to_workbook

    source = ROOT / "forms" / "referral.md"
    workbook = md_table_to_workbook(source.read_text("utf-8"))
    xlsx = tmp_path / "referral.xlsx"
    workbook.save(xlsx)
    assert convert_xlsform(xlsx).xform == convert_xlsform(source).xform


def test_an_xlsx_problem_names_sheet_row_and_column(tmp_path):
    from pyxform.xls2json_backends import md_table_to_workbook

    workbook = md_table_to_workbook((FIXTURES / "broken_form.md").read_text("utf-8"))
    xlsx = tmp_path / "broken.xlsx"
    workbook.save(xlsx)
    with pytest.raises(XLSFormError) as caught:
        convert_xlsform(xlsx)
    [problem] = caught.value.problems
    assert (problem.sheet, problem.row, problem.column, problem.line) == ("survey", 4, "relevant", None)
