"""Session behaviour: answer types, languages and itext, metadata, the record XML in and out,
audit timings, and what definition.unsupported reports."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from waypoint_core.xform import AnswerError, FormDefinition, FormError
from tests.core.xform.conftest import FIXED_NOW, md_form, new_session

TYPES = """
| survey |            |        |        |
|        | type       | name   | label  |
|        | integer    | i      | I      |
|        | decimal    | x      | X      |
|        | date       | d      | D      |
|        | time       | t      | T      |
|        | dateTime   | dt     | DT     |
|        | geopoint   | gp     | GP     |
|        | geoshape   | gs     | GS     |
|        | barcode    | bc     | BC     |
|        | image      | photo  | Photo  |
|        | acknowledge | ok    | OK     |
|        | range      | r      | R      |
|        | rank fruit | rk     | Rank   |
| choices |           |        |        |
|         | list_name | name   | label  |
|         | fruit     | mango  | Mango  |
|         | fruit     | date   | Date   |
"""


@pytest.mark.parametrize("ref, value, stored", [
    ("/data/i", 42, "42"), ("/data/i", " -7 ", "-7"), ("/data/i", 3.0, "3"),
    # decimals and coordinates as ODK Collect writes them (Java's Double.toString in JavaRosa's DecimalData and
    # GeoPointData); an all-zero point is "not captured" there (GeoPointData.toBoolean) and stores nothing
    ("/data/x", "1.50", "1.5"), ("/data/x", 2, "2.0"), ("/data/x", "0.00001", "1.0E-5"),
    ("/data/d", dt.date(2024, 2, 29), "2024-02-29"), ("/data/d", "2024-02-29", "2024-02-29"),
    ("/data/t", "13:45", "13:45:00.000"), ("/data/t", dt.time(8, 5, 3), "08:05:03.000"),
    ("/data/dt", dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC), "2024-01-02T03:04:05.000Z"),  # as DateUtils writes UTC
    ("/data/gp", "13.5 2.1", "13.5 2.1 0.0 0.0"), ("/data/gp", (13.5, 2.1, 210, 5), "13.5 2.1 210.0 5.0"),
    ("/data/gp", "0 0 0 0", ""),
    ("/data/gs", "1 1;1 2;2 2;1 1", "1.0 1.0 0.0 0.0;1.0 2.0 0.0 0.0;2.0 2.0 0.0 0.0;1.0 1.0 0.0 0.0"),
    ("/data/bc", "0123", "0123"), ("/data/photo", "photo-1.jpg", "photo-1.jpg"), ("/data/ok", "OK", "OK"),
    ("/data/r", 3, "3"), ("/data/rk", ["date", "mango"], "date mango"),
])
def test_answers_are_stored_as_instance_text(form, ref, value, stored):
    s = form(TYPES)
    s.answer(ref, value)
    assert s.value(ref) == stored


@pytest.mark.parametrize("ref, value, reason", [
    ("/data/i", "12.5", "whole number"), ("/data/i", True, "integer"), ("/data/x", "abc", "not a number"),
    ("/data/d", "2024-02-30", "not a date"), ("/data/t", "25:00", "not a time"), ("/data/gp", "95 10", "latitude"),
    ("/data/gp", "abc def", "numbers"), ("/data/gs", "1 1;1 2", "at least 4 points"), ("/data/ok", "no", "OK"),
    ("/data/rk", ["kiwi"], "not among the choices"), ("/data/nope", "x", "no such question"),
])
def test_wrong_answers_are_refused_and_change_nothing(form, ref, value, reason):
    s = form(TYPES)
    before = s.to_instance_xml(include_nonrelevant=True)
    with pytest.raises(AnswerError, match=reason) as err:
        s.answer(ref, value)
    assert err.value.ref == ref
    assert s.to_instance_xml(include_nonrelevant=True) == before


def test_clearing_an_answer(form):
    s = form(TYPES)
    s.answer("/data/i", 5)
    s.answer("/data/i", None)
    assert s.value("/data/i") == ""
    s.answer("/data/d", "2024-01-01")
    s.answer("/data/d", "")
    assert s.value("/data/d") == ""


BILINGUAL = """
| survey |                 |        |                  |                    |                          |                              |
|        | type            | name   | label::English (en) | label::French (fr) | hint::English (en)    | constraint_message::French (fr) |
|        | text            | name   | Name             | Nom                | Full name                |                              |
|        | integer         | age    | Age of ${name}   | Âge de ${name}     |                          | Entre 0 et 120               |
|        | select_one yn   | consent | Consent?        | Consentement ?     |                          |                              |
| choices |           |      |                     |                    |
|         | list_name | name | label::English (en) | label::French (fr) |
|         | yn        | yes  | Yes                 | Oui                |
|         | yn        | no   | No                  | Non                |
| settings |                  |
|          | default_language |
|          | English (en)     |
"""


def test_languages_itext_and_outputs_in_labels():
    definition = md_form(BILINGUAL)
    s = new_session(definition)
    assert set(s.languages) == {"English (en)", "French (fr)"}
    assert s.language == "English (en)"
    assert s.item("/data/name").hint == "Full name"
    changes = s.answer("/data/name", "Amina")
    assert "/data/age" in changes.refs["labels"]  # its label shows ${name}
    assert s.item("/data/age").label == "Age of Amina"
    assert [c.label for c in s.item("/data/consent").choices] == ["Yes", "No"]
    changes = s.set_language("French (fr)")
    assert "/data/age" in changes.refs["labels"]
    assert s.item("/data/age").label == "Âge de Amina"
    assert [c.label for c in s.choices("/data/consent")] == ["Oui", "Non"]
    with pytest.raises(ValueError, match="no language"):
        s.set_language("Klingon")
    french = new_session(definition, language="French (fr)")
    assert french.item("/data/name").label == "Nom"


def test_metadata_preloads_and_end_on_finalize(form):
    s = form("""
| survey |          |          |       |
|        | type     | name     | label |
|        | start    | start    |       |
|        | end      | end      |       |
|        | today    | today    |       |
|        | deviceid | deviceid |       |
|        | username | username |       |
|        | text     | q        | Q     |
""", metadata={"deviceid": "laptop:42", "username": "amina"})
    assert s.value("/data/start") == "2024-03-15T10:30:00.000Z"  # DateUtils.formatDateTime writes UTC as Z
    assert s.value("/data/today") == "2024-03-15"
    assert s.value("/data/deviceid") == "laptop:42"
    assert s.value("/data/username") == "amina"
    assert s.value("/data/meta/instanceID") == "uuid:00000000-0000-4000-8000-000000000001"
    assert s.value("/data/end") == ""
    assert s.finalize() == []
    assert s.value("/data/end") == "2024-03-15T10:30:00.000Z"


def test_record_xml_round_trip_with_repeats(form):
    markdown = """
| survey |              |        |        |
|        | type         | name   | label  |
|        | text         | place  | Place  |
|        | begin repeat | person | Person |
|        | text         | name   | Name   |
|        | end repeat   |        |        |
"""
    s = form(markdown)
    s.answer("/data/place", "Agadez <centre> & \"transit\"")
    s.add_repeat("/data/person")
    count = len(s.node("/data").kids["person"])
    for k in range(1, count + 1):
        s.answer(f"/data/person[{k}]/name", f"P{k}")
    xml = s.to_instance_xml(include_nonrelevant=True)
    root = ET.fromstring(xml)
    assert root.tag == "data" and root.get("id") == "data"
    assert root.find("place").text == "Agadez <centre> & \"transit\""
    assert [p.find("name").text for p in root.findall("person")] == [f"P{k}" for k in range(1, count + 1)]
    reopened = new_session(s.definition, instance_xml=xml)
    assert reopened.to_instance_xml(include_nonrelevant=True) == xml
    assert reopened.value(f"/data/person[{count}]/name") == f"P{count}"
    # reopening does not re-run first-load actions: the record keeps its instanceID
    assert reopened.value("/data/meta/instanceID") == s.value("/data/meta/instanceID")
    # a record whose people were all removed reopens without any (not with the form's initial one)
    for k in range(count, 0, -1):
        reopened.remove_repeat(f"/data/person[{k}]")
    empty = reopened.to_instance_xml(include_nonrelevant=True)
    assert "<person>" not in empty
    assert new_session(s.definition, instance_xml=empty).to_instance_xml(include_nonrelevant=True) == empty


def test_reopening_keeps_nodes_the_form_does_not_know(form):
    s = form("""
| survey |      |      |       |
|        | type | name | label |
|        | text | a    | A     |
""")
    reopened = new_session(s.definition, instance_xml='<data id="data"><a>1</a><legacy>kept</legacy></data>')
    assert "<legacy>kept</legacy>" in reopened.to_instance_xml()
    with pytest.raises(FormError, match="root is <other>"):
        new_session(s.definition, instance_xml="<other/>")
    with pytest.raises(FormError, match="not well-formed"):
        new_session(s.definition, instance_xml="<data>")
    with pytest.raises(FormError, match="entities"):  # billion laughs and external entities refused
        new_session(s.definition, instance_xml='<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><data>&x;</data>')


def test_audit_records_questions_and_timings(form):
    ticks = iter(range(0, 10_000, 250))
    s = form("""
| survey |      |      |       |
|        | type | name | label |
|        | text | a    | A     |
""")
    s.audit._monotonic = lambda: next(ticks) / 1000  # 250 ms between readings
    s.audit._start_mono = 0.0
    s.audit.question_shown("/data/a")
    s.answer("/data/a", "x")
    s.audit.question_left("/data/a")
    start_ms = int(FIXED_NOW.timestamp() * 1000)
    shown = [e for e in s.audit.events if e.event == "question shown"][0]
    assert shown.node == "/data/a" and shown.start == start_ms and shown.end == start_ms + 500
    assert [e.event for e in s.audit.events] == ["form start", "question shown", "question"]
    assert s.audit.to_csv().startswith("event,node,start,end\n")


RAW = """<?xml version="1.0"?>
<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml"
        xmlns:jr="http://openrosa.org/javarosa" xmlns:odk="http://www.opendatakit.org/xforms"
        xmlns:ev="http://www.w3.org/2001/xml-events">
  <h:head><h:title>Raw</h:title>
    <model>
      <itext><translation lang="en" default="true()">
        <text id="q:label"><value>Town</value><value form="image">jr://images/town.png</value>
          <value form="guidance">Where the person sleeps tonight</value></text>
        <text id="q:required"><value>Pick a town</value></text>
        <text id="t-1"><value>Town one</value></text>
      </translation></itext>
      <instance><data id="raw" version="7"><town/><seen/><stamp/><gps/></data></instance>
      <instance id="towns" src="jr://file-csv/towns.csv"/>
      <instance id="missing" src="jr://file/missing.xml"/>
      <bind nodeset="/data/town" type="string" required="true()" jr:requiredMsg="jr:itext('q:required')"/>
      <bind nodeset="/data/seen" type="string" saveIncomplete="true()" odk:frobnicate="1"/>
      <bind nodeset="/data/stamp" type="dateTime"/>
      <bind nodeset="/data/gps" type="geopoint"/>
      <odk:setgeopoint event="odk-instance-first-load" ref="/data/gps"/>
    </model>
  </h:head>
  <h:body>
    <select1 ref="/data/town" appearance="minimal">
      <label ref="jr:itext('q:label')"/>
      <hint ref="jr:itext('q:label')"/>
      <itemset nodeset="instance('towns')/root/item[region = 'north']"><value ref="name"/><label ref="label"/></itemset>
      <setvalue event="xforms-value-changed" ref="/data/stamp" value="now()"/>
    </select1>
    <input ref="/data/seen"><label>Seen <output value=" /data/town "/></label></input>
    <odk:unknown-widget ref="/data/seen"/>
  </h:body>
</h:html>
"""


def test_raw_xform_features(tmp_path):
    (tmp_path / "towns.csv").write_text("name,label,region\nagadez,Agadez,north\narlit,Arlit,north\nniamey,Niamey,west\n",
                                        encoding="utf-8")
    definition = FormDefinition.from_xml(RAW, media_dir=tmp_path)
    assert (definition.title, definition.form_id, definition.version) == ("Raw", "raw", "7")
    unsupported = "\n".join(definition.unsupported)
    assert "odk:setgeopoint on /data/gps" in unsupported
    assert "frobnicate" in unsupported and "missing.xml" in unsupported and "unknown-widget" in unsupported
    s = new_session(definition)
    item = s.item("/data/town")
    assert (item.label, item.media, item.guidance, item.appearance) == (
        "Town", {"image": "jr://images/town.png"}, "Where the person sleeps tonight", "minimal")
    assert [(c.value, c.label) for c in item.choices] == [("agadez", "Agadez"), ("arlit", "Arlit")]
    assert s.validate()[0].message == "Pick a town"
    changes = s.answer("/data/town", "arlit")
    assert s.value("/data/stamp").startswith("2024-03-15T10:30:00")  # xforms-value-changed action
    assert {"/data/town", "/data/stamp"} <= changes.refs["values"]
    assert s.item("/data/seen").label == "Seen arlit"
    assert s.validate() == []
    assert FormDefinition.from_xml(RAW).instances["towns"].children[0].children == []  # no media folder: empty


@pytest.mark.parametrize("xml, message", [
    ("<h:html xmlns:h='http://www.w3.org/1999/xhtml'><h:head/></h:html>", "no <model>"),
    ("not xml", "not well-formed"),
    ('<!DOCTYPE h [<!ENTITY lol "lol">]><h>&lol;</h>', "declares XML entities"),
    (RAW.replace('calculate', 'x').replace('type="string" required="true()"',
                 'type="string" relevant="/data/seen +"'), "relevant"),
])
def test_broken_forms_say_what_and_where(xml, message):
    with pytest.raises(FormError, match=message) as err:
        FormDefinition.from_xml(xml)
    if message == "relevant":
        assert err.value.ref == "/data/town" and err.value.expression == "/data/seen +"


def test_choice_name_and_pulldata(tmp_path):
    (tmp_path / "people.xml").write_text("<root><item><id>7</id><name>Musa</name></item></root>", encoding="utf-8")
    xml = RAW.replace('src="jr://file/missing.xml"', 'src="jr://file/people.xml"')
    xml = xml.replace('<bind nodeset="/data/seen" type="string" saveIncomplete="true()" odk:frobnicate="1"/>',
                      '<bind nodeset="/data/seen" type="string" calculate="concat(jr:choice-name(/data/town, '
                      "'/data/town'), '/', pulldata('missing', 'name', 'id', '7'))\"/>")
    (tmp_path / "towns.csv").write_text("name,label,region\nagadez,Agadez,north\n", encoding="utf-8")
    s = new_session(FormDefinition.from_xml(xml, media_dir=tmp_path))
    s.answer("/data/town", "agadez")
    assert s.value("/data/seen") == "Agadez/Musa"


def test_once_keeps_the_first_value(form):
    s = form("""
| survey |           |       |       |               |
|        | type      | name  | label | calculation   |
|        | text      | a     | A     |               |
|        | calculate | first |       | once(${a})    |
""")
    assert s.value("/data/first") == ""
    s.answer("/data/a", "x")
    s.answer("/data/a", "y")
    assert s.value("/data/first") == "x"


def test_runtime_expression_errors_are_kept_not_fatal(form):
    s = form("""
| survey |         |      |       |                      |                         |
|        | type    | name | label | constraint           | relevant                |
|        | text    | a    | A     | regex(., '[unclosed') |                        |
|        | text    | b    | B     |                      | instance('nope')/root/item = ${a} |
""")
    # b's relevance cannot be computed: it stays shown (never hidden because of a form error)
    assert s.item("/data/b").relevant
    assert any("instance('nope')" in str(e) and e.ref == "/data/b" for e in s.errors)
    s.answer("/data/a", "x")
    assert not s.is_valid("/data/a")  # a failing constraint never lets an answer through
    assert any("regex()" in str(e) and e.expression == "regex(., '[unclosed')" for e in s.errors)


def test_waypoint_bind_annotations_are_kept_for_the_app(form):
    s = form("""
| survey |      |      |       |                 |
|        | type | name | label | bind::wp:extract |
|        | text | name | Name  | search          |
| settings |                                |
|          | namespaces                     |
|          | wp="urn:waypoint:xforms"       |
""")
    assert s.definition.binds["/data/name"].extra == {"wp:extract": "search"}
    assert s.definition.unsupported == []


def test_a_group_read_shallow_first_still_gives_its_children_deep():
    """A form screen reads a page's group shallow (its title) before building it deep: the rows kept per ref
    must not hand back the shallow group without its questions (a reopened record showed an empty page)."""
    definition = md_form("""
        | survey |
        | | type | name | label |
        | | begin group | event | Event |
        | | text | who | Who |
        | | text | provider | Provider |
        | | end group | | |
        """)
    s = new_session(definition)
    assert s.item("/data/event").children == []
    assert [child.ref for child in s.item("/data/event", deep=True).children] == ["/data/event/who",
                                                                                 "/data/event/provider"]
