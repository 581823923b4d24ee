"""What ODK Collect records, point by point: each test is written from JavaRosa's source (the
engine inside Collect; file and method named where it explains why) and the ODK XForms spec,
so a form filled here records what it would in Collect."""

from __future__ import annotations

import pytest

from tests.core.xform.conftest import new_session
from waypoint_core.xform import AnswerError, FormDefinition

XFORM = """<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml"
    xmlns:jr="http://openrosa.org/javarosa" xmlns:odk="http://www.opendatakit.org/xforms">
<h:head><h:title>t</h:title><model>{model}</model></h:head><h:body>{body}</h:body></h:html>"""


def xform(model: str, body: str = "") -> FormDefinition:
    return FormDefinition.from_xml(XFORM.format(model=model, body=body))


def test_count_of_a_field_inside_a_repeat_follows_instances_added_and_removed():
    # TriggerableDag.createRepeatInstance/deleteRepeatInstance trigger what reads the repeat and
    # each of its children (evaluateChildrenTriggerables): count(/data/rep/q) included
    s = new_session(xform("""
      <instance><data id="c"><n/><inner/><rep jr:template=""><q/><k/></rep></data></instance>
      <bind nodeset="/data/n" type="int" calculate="count(/data/rep/q)"/>
      <bind nodeset="/data/rep/k" type="int" calculate="count(../../rep/q)"/>""",
        '<repeat nodeset="/data/rep"><input ref="/data/rep/q"/></repeat>'))
    assert s.value("/data/n") == "0"
    for expected in (1, 2, 3):
        s.add_repeat("/data/rep")
        assert s.value("/data/n") == str(expected)
        assert {s.value(f"/data/rep[{i}]/k") for i in range(1, expected + 1)} == {str(expected)}
    s.remove_repeat("/data/rep[2]")
    assert s.value("/data/n") == "2"
    assert s.value("/data/rep[1]/k") == s.value("/data/rep[2]/k") == "2"


def test_local_name_of_the_parent_is_not_a_dependency_on_its_answers():
    # local-name(..) reads the repeat's name, which never changes: no cycle through the nested
    # repeat's label that reads the outer one (Enketo's nested-repeat-count fixture; JavaRosa
    # takes name()/local-name() from the node's reference, XPathFuncExpr)
    s = new_session(xform("""
      <instance><data id="n"><top jr:template=""><pos/><nested jr:template=""><pos/></nested></top></data></instance>
      <bind nodeset="/data/top/pos" type="string" calculate="concat(local-name(..), ': ', position(..))"/>
      <bind nodeset="/data/top/nested/pos" type="string"
            calculate="concat(../../pos, ' / ', local-name(..), ': ', position(..))"/>""",
        '<repeat nodeset="/data/top"><repeat nodeset="/data/top/nested"><input ref="/data/top/nested/pos"/>'
        '</repeat></repeat>'))
    s.add_repeat("/data/top")
    s.add_repeat("/data/top")
    s.add_repeat("/data/top[2]/nested")
    s.add_repeat("/data/top[2]/nested")
    assert s.value("/data/top[2]/pos") == "top: 2"
    assert s.value("/data/top[2]/nested[2]/pos") == "top: 2 / nested: 2"
    s.remove_repeat("/data/top[1]")
    assert s.value("/data/top[1]/nested[2]/pos") == "top: 1 / nested: 2"


CASCADE = """
| survey   |                   |         |         |                        |                          |
|          | type              | name    | label   | choice_filter          | calculation              |
|          | select_one country| country | Country |                        |                          |
|          | select_one city   | city    | City    | country = ${country}   |                          |
|          | select_multiple city | visited | Visited | country = ${country} |                          |
|          | calculate         | said    |         |                        | concat(${country}, '/', ${city}) |
| choices  |                   |         |         |                        |                          |
|          | list_name         | name    | label   | country                |                          |
|          | country           | NE      | Niger   |                        |                          |
|          | country           | ML      | Mali    |                        |                          |
|          | city              | niamey  | Niamey  | NE                     |                          |
|          | city              | zinder  | Zinder  | NE                     |                          |
|          | city              | bamako  | Bamako  | ML                     |                          |
|          | city              | both    | Border  | NE                     |                          |
"""


def test_a_select_drops_an_answer_no_longer_among_its_filtered_choices(form):
    # ItemsetBinding.getChoices → updateQuestionAnswerInModel: selections missing from the new
    # filtered list are removed from the answer (Niger/Niamey, then Mali: no Mali/Niamey record)
    s = form(CASCADE)
    s.answer("/data/country", "NE")
    s.answer("/data/city", "niamey")
    s.answer("/data/visited", ["zinder", "niamey"])
    assert s.value("/data/said") == "NE/niamey"
    changes = s.answer("/data/country", "ML")
    assert s.value("/data/city") == "" and s.value("/data/visited") == ""
    assert {"/data/city", "/data/visited", "/data/said"} <= changes.refs["values"]
    assert s.value("/data/said") == "ML/"
    assert "<city/>" in s.to_instance_xml()


def test_a_multiple_select_keeps_the_selections_still_offered():
    s = new_session(xform("""
      <instance><data id="m"><filter/><picked/></data></instance>
      <instance id="items"><root><item><name>a</name><g>1</g></item><item><name>b</name><g>1 2</g></item>
        <item><name>c</name><g>2</g></item></root></instance>
      <bind nodeset="/data/filter" type="string"/><bind nodeset="/data/picked" type="string"/>""",
        """<input ref="/data/filter"/><select ref="/data/picked">
           <itemset nodeset="instance('items')/root/item[contains(g, /data/filter)]"><value ref="name"/>
           <label ref="name"/></itemset></select>"""))
    s.answer("/data/filter", "1")
    s.answer("/data/picked", "a b")
    s.answer("/data/filter", "2")
    assert s.value("/data/picked") == "b"


def test_a_hidden_select_is_cleaned_when_shown_again(form):
    # Collect filters a select's answer when it lists its choices, i.e. when the question is shown;
    # while hidden its answer reads as empty and stays out of the record anyway
    s = form("""
| survey   |                    |         |         |                      |                     |
|          | type               | name    | label   | choice_filter        | relevant            |
|          | select_one country | country | Country |                      |                     |
|          | select_one yn      | ask     | Ask?    |                      |                     |
|          | select_one city    | city    | City    | country = ${country} | ${ask} = 'yes'      |
| choices  |                    |         |         |                      |                     |
|          | list_name          | name    | label   | country              |                     |
|          | country            | NE      | Niger   |                      |                     |
|          | country            | ML      | Mali    |                      |                     |
|          | yn                 | yes     | Yes     |                      |                     |
|          | yn                 | no      | No      |                      |                     |
|          | city               | niamey  | Niamey  | NE                   |                     |
|          | city               | bamako  | Bamako  | ML                   |                     |
""")
    s.answer("/data/country", "NE")
    s.answer("/data/ask", "yes")
    s.answer("/data/city", "niamey")
    s.answer("/data/ask", "no")
    s.answer("/data/country", "ML")
    assert "<city>" not in s.to_instance_xml()
    changes = s.answer("/data/ask", "yes")
    assert s.value("/data/city") == "" and "/data/city" in changes.refs["values"]


def test_a_select_one_value_may_hold_spaces():
    # SelectOneData keeps the chosen value whole; only select_multiple answers are space-separated
    s = new_session(xform("""
      <instance><data id="sp"><township/><n/></data></instance>
      <instance id="t"><root><item><name>Township 01</name><label>One</label></item>
        <item><name>Township 02</name><label>Two</label></item></root></instance>
      <bind nodeset="/data/township" type="string"/>
      <bind nodeset="/data/n" type="string" calculate="substring-after(/data/township, ' ')"/>""",
        """<select1 ref="/data/township"><itemset nodeset="instance('t')/root/item">
           <value ref="name"/><label ref="label"/></itemset></select1>"""))
    s.answer("/data/township", "Township 02")
    assert s.value("/data/township") == "Township 02" and s.value("/data/n") == "02"
    assert s.finalize() == []
    assert "<township>Township 02</township>" in s.to_instance_xml()
    with pytest.raises(AnswerError):
        s.answer("/data/township", "Township")


def test_nan_is_stored_as_empty_whatever_the_type_so_once_runs_again(form):
    # IAnswerData.wrapData: "if NaN or empty string, null" before any type is considered; pyxform
    # types calculations as string, so "NaN" must not be kept as text for once() to freeze
    s = form("""
| survey |           |        |        |                               |
|        | type      | name   | label  | calculation                   |
|        | integer   | ch     | Count  |                               |
|        | calculate | pick   |        | once(int(${ch} * 0.99) + 1)   |
|        | calculate | ratio  |        | ${ch} div 4                   |
|        | calculate | third  |        | 1 div 3                       |
|        | calculate | big    |        | 12345678.9 + 0                |
""")
    assert s.value("/data/pick") == "" and s.value("/data/ratio") == ""
    s.answer("/data/ch", 3)
    assert s.value("/data/pick") == "3"
    assert s.value("/data/ratio") == "0.75"
    assert s.value("/data/third") == "0.3333333333333333"
    assert s.value("/data/big") == "1.23456789E7"  # DecimalData's Double.toString
    s.answer("/data/ch", 8)
    assert s.value("/data/pick") == "3"  # once() keeps its first real value


def test_a_hidden_answer_compares_as_empty_text(form):
    # XPathNodeset.unpack of an empty node-set is "": `${job} != 'farmer'` is true once job is
    # hidden (XPath 1.0 alone would make every comparison with an empty node-set false)
    s = form("""
| survey |               |          |          |                        |
|        | type          | name     | label    | relevant               |
|        | select_one yn | has_job  | Job?     |                        |
|        | text          | job      | Job      | ${has_job} = 'yes'     |
|        | text          | why      | Why not  | ${job} != 'farmer'     |
| choices|               |          |          |                        |
|        | list_name     | name     | label    |                        |
|        | yn            | yes      | Yes      |                        |
|        | yn            | no       | No       |                        |
""")
    s.answer("/data/has_job", "yes")
    s.answer("/data/job", "farmer")
    assert not s.item("/data/why").relevant
    s.answer("/data/has_job", "no")
    assert s.item("/data/why").relevant


def test_answers_are_read_by_their_type(form):
    # XPathPathExpr.unpackValue: an int answer is a number, a date answer a date (whole days
    # since 1970 in arithmetic: DateUtils.daysSinceEpoch), text stays text: number() of a date
    # written as text is NaN (XPathFuncExpr.toNumeric parses digits, '-' and '.' only)
    s = form("""
| survey |           |        |        |                                   |
|        | type      | name   | label  | calculation                       |
|        | date      | dob    | Born   |                                   |
|        | text      | txt    | Text   |                                   |
|        | decimal   | dec    | Dec    |                                   |
|        | calculate | days   |        | today() - ${dob}                  |
|        | calculate | asnum  |        | number(${dob})                    |
|        | calculate | strnum |        | number('2024-03-15')              |
|        | calculate | txtnum |        | number(${txt})                    |
|        | calculate | same   |        | if(${dec} = '1.50', 'yes', 'no')  |
|        | calculate | comma  |        | number('1,5') * 2                 |
""")
    s.answer("/data/dob", "2024-03-05")
    s.answer("/data/txt", "2024-03-05")
    s.answer("/data/dec", "1.5")
    assert s.value("/data/days") == "10"  # the conftest clock says 2024-03-15
    assert s.value("/data/asnum") == "19787"
    assert s.value("/data/strnum") == "" and s.value("/data/txtnum") == ""
    assert s.value("/data/same") == "yes"  # 1.5 = '1.50' compares as numbers
    assert s.value("/data/comma") == "3"


def test_calculated_dates_and_booleans_are_recorded_as_collect_writes_them(form):
    # wrapData: a Date in a text calculation is DateTimeData, a Boolean is BooleanData, which
    # XFormAnswerDataSerializer writes "1"/"0"; both are read back by their type
    s = form("""
| survey |           |        |        |                                    |
|        | type      | name   | label  | calculation                        |
|        | integer   | age    | Age    |                                    |
|        | calculate | when   |        | today()                            |
|        | calculate | adult  |        | ${age} >= 18                       |
|        | calculate | later  |        | ${when} + 2                        |
|        | calculate | said   |        | concat('adult: ', ${adult})        |
""")
    s.answer("/data/age", 30)
    assert s.value("/data/when") == "2024-03-15T00:00:00.000Z"
    assert s.value("/data/adult") == "1"
    assert s.value("/data/later") == str(19797 + 2)
    assert s.value("/data/said") == "adult: true"
    s.answer("/data/age", 12)
    assert s.value("/data/adult") == "0" and s.value("/data/said") == "adult: false"


def test_format_date_time_shows_the_device_time_of_an_instant():
    # formatDateTime → DateUtils.format(getFields(date)): the fields in the device's time zone
    import datetime as dt
    s = new_session(xform("""
      <instance><data id="f"><t/><h/></data></instance>
      <bind nodeset="/data/t" type="dateTime"/>
      <bind nodeset="/data/h" type="string" calculate="format-date-time(/data/t, '%Y-%m-%d %H:%M')"/>""",
        '<input ref="/data/t"/>'), clock=lambda: dt.datetime(2024, 3, 15, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))))
    s.answer("/data/t", "2024-03-15T23:30:00.000+03:00")
    assert s.value("/data/h") == "2024-03-15 21:30"
    s.answer("/data/t", "2024-03-15T23:30:00.000Z")
    assert s.value("/data/h") == "2024-03-16 00:30"


LETTERS = "".join(f"<item><name>{c}</name><label>{c.upper()}</label></item>" for c in "abcdefgh")


def test_seeded_randomize_gives_collects_order():
    # ParkMiller + FisherYates (the ODK XForms spec's generator); a text seed is hashed
    # (RandomizeHelper.toNumericWithLongHash). Orders from JavaRosa's RandomizeTypesTest.
    s = new_session(xform(f"""
      <instance><data id="r"><num/><txt/><foo/><pick/></data></instance>
      <instance id="c"><root>{LETTERS}</root></instance>
      <bind nodeset="/data/num" type="string" calculate="join('', randomize(instance('c')/root/item/label, 1234))"/>
      <bind nodeset="/data/txt" type="string" calculate="join('', randomize(instance('c')/root/item/label, '1234'))"/>
      <bind nodeset="/data/foo" type="string" calculate="join('', randomize(instance('c')/root/item/label, 'foo'))"/>
      <bind nodeset="/data/pick" type="string"/>""",
        """<select1 ref="/data/pick"><itemset nodeset="randomize(instance('c')/root/item, 'foo')">
           <value ref="name"/><label ref="label"/></itemset></select1>"""))
    assert s.value("/data/num") == s.value("/data/txt") == "GFEDAHBC"
    assert s.value("/data/foo") == "EADBHGCF"
    assert "".join(c.value for c in s.choices("/data/pick")) == "eadbhgcf"


def test_round_takes_halves_up_for_positive_numbers_and_towards_zero_for_negative_ones():
    # XPathFuncExpr.round: BigDecimal(Double.toString(x)).setScale(places, x < 0 ? HALF_DOWN : HALF_UP);
    # one argument is 0 places, so round(-2.5) and round(-2.5, 0) agree; negative places use (long)(x + 0.5)
    from waypoint_core.xform.xpath_eval import compile_xpath
    cases = {"round(2.5)": 3.0, "round(-2.5)": -2.0, "round(-2.5, 0)": -2.0, "round(-2.6, 0)": -3.0,
             "round(1.005, 2)": 1.01, "round(-1.45, 1)": -1.4, "round(33.33, -1)": 30.0, "round(-26, -1)": -20.0,
             "round(2.5, 'x')": 3.0, "round(1.5, 1.9)": 1.5, "round(1, 31)": float("nan")}
    for expression, expected in cases.items():
        got = compile_xpath(expression).evaluate(None, None)
        assert got == expected or (got != got and expected != expected), expression


def test_substring_after_an_empty_string_is_the_whole_string():
    # XPathFuncExpr: pos = str.indexOf(substr) (0 for ""); substring-after returns str.substring(pos + 0)
    from waypoint_core.xform.xpath_eval import compile_xpath
    assert compile_xpath("substring-after('abc', '')").evaluate(None, None) == "abc"
    assert compile_xpath("substring-before('abc', '')").evaluate(None, None) == ""
    assert compile_xpath("substring-after('abcbc', 'b')").evaluate(None, None) == "cbc"
    assert compile_xpath("substring-after('abc', 'x')").evaluate(None, None) == ""


def test_any_default_attribute_makes_the_default_language():
    # XFormParser.parseTranslation: 'if (isDefault != null) ... l.setDefaultLocale(lang)' - default="" too
    definition = xform("""
      <itext><translation lang="English"><text id="q"><value>Name</value></text></translation>
        <translation lang="French" default=""><text id="q"><value>Nom</value></text></translation></itext>
      <instance><data id="l"><q/></data></instance>""", """<input ref="/data/q"><label ref="jr:itext('q')"/></input>""")
    assert definition.default_language == "French"
    assert new_session(definition).item("/data/q").label == "Nom"


def test_hand_written_relative_refs_start_at_the_instance_root_and_a_bind_to_nothing_is_ignored():
    # XFormParser.getFormElementRef(FormDef) anchors relative binds and top-level controls at
    # /<main instance node>; FormInstanceParser.verifyBindings only warns about a bind to no node
    definition = xform("""
      <instance><data id="h"><age/><adult/></data></instance>
      <bind nodeset="age" type="int" required="true()"/>
      <bind nodeset="adult" type="string" calculate="if(../age >= 18, 'yes', 'no')"/>
      <bind nodeset="/data/renamed" type="string" required="true()"/>""",
        '<input ref="age"><label>Age</label></input>')
    assert set(definition.binds) == {"/data/age", "/data/adult"}
    assert definition.warnings == ["the bind for /data/renamed points to no node of the form's instance and is ignored"]
    assert definition.unsupported == []
    s = new_session(definition)
    assert s.item("/data/age").required and s.item("/data/age").label == "Age"
    s.answer("/data/age", 30)
    assert s.value("/data/adult") == "yes"


def test_uid_preload_parameters_are_not_read():
    # QuestionPreloader's uid handler ignores preloadParams: a uid with parameters is still filled
    definition = xform("""
      <instance><data id="u"><meta><instanceID/><other/><never/></meta></data></instance>
      <bind nodeset="/data/meta/instanceID" type="string" jr:preload="uid" jr:preloadParams="general"/>
      <bind nodeset="/data/meta/other" type="string" jr:preload="timestamp" jr:preloadParams="middle"/>
      <bind nodeset="/data/meta/never" type="string" jr:preload="unknown"/>""")
    assert definition.unsupported == []
    assert len(definition.warnings) == 2  # Collect fills neither: said, not refused
    s = new_session(definition)
    assert s.value("/data/meta/instanceID") == "uuid:00000000-0000-4000-8000-000000000001"
    assert s.value("/data/meta/other") == ""


def test_a_group_bound_to_a_leaf_node_is_not_a_question():
    # JavaRosa's validate visits EVENT_QUESTION only: a group is never required to be answered
    s = new_session(xform("""
      <instance><data id="g"><intro/><q/></data></instance>
      <bind nodeset="/data/intro" required="true()"/><bind nodeset="/data/q" type="string"/>""",
        '<group ref="/data/intro"><label>Intro</label><input ref="/data/q"><label>Q</label></input></group>'))
    assert s.item("/data/intro").kind == "group"
    assert s.validate() == []
    with pytest.raises(AnswerError):
        s.answer("/data/intro", "x")


def test_a_range_takes_what_its_slider_offers():
    # RangeParser keeps start/end/step (decimals; anything else stops the load); Collect's range
    # widgets only offer start..end by step
    from waypoint_core.xform import FormError
    s = new_session(xform("""
      <instance><data id="r"><level/><down/></data></instance>
      <bind nodeset="/data/level" type="int"/><bind nodeset="/data/down" type="decimal"/>""",
        '<range ref="/data/level" start="0" end="10" step="2"><label>L</label></range>'
        '<range ref="/data/down" start="1" end="0" step="0.25"><label>D</label></range>'))
    s.answer("/data/level", 4)
    s.answer("/data/down", "0.75")
    for ref, value in (("/data/level", 5), ("/data/level", 12), ("/data/level", -2), ("/data/down", "0.3")):
        with pytest.raises(AnswerError, match="not offered"):
            s.answer(ref, value)
    assert s.value("/data/level") == "4"
    with pytest.raises(FormError, match="not a decimal number"):
        xform('<instance><data id="r"><x/></data></instance>', '<range ref="/data/x" start="a" end="3" step="1"/>')


def test_the_audit_question_asks_for_old_and_new_values_and_the_user(form):
    # pyxform's audit parameters become odk:track-changes / odk:identify-user on meta/audit (ODK XForms
    # spec, audit): the log gains old-value, new-value and user columns; location ones are not recorded
    s = form("""
| survey |           |         |       |                                          |
|        | type      | name    | label | parameters                               |
|        | audit     | audit   |       | track-changes=true identify-user=true    |
|        | text      | place   | Place |                                          |
""", metadata={"username": "amina"})
    assert s.definition.unsupported == []
    s.answer("/data/place", "Agadez, north")
    s.answer("/data/place", "Arlit")
    s.attach_audit("audit-answers-1.csv")
    assert s.value("/data/meta/audit") == "audit-answers-1.csv"
    lines = s.audit.to_csv().splitlines()
    assert lines[0] == "event,node,start,end,old-value,new-value,user"
    assert lines[2].startswith("question,/data/place,") and lines[2].endswith(',,"Agadez, north",amina')
    assert lines[3].endswith(',"Agadez, north",Arlit,amina')
    located = form("""
| survey |           |         |       |                                          |
|        | type      | name    | label | parameters                               |
|        | audit     | audit   |       | location-priority=balanced location-min-interval=60 location-max-age=120 |
""")
    assert "records no location" in located.definition.unsupported[0]


def test_odk_instance_load_runs_on_every_load_and_first_load_only_on_a_new_record():
    # FormDef.initialize: odk-instance-first-load (and xforms-ready) if newInstance, then odk-instance-load always
    definition = xform("""
      <instance><data id="e"><first/><every/><loads>0</loads></data></instance>
      <bind nodeset="/data/first" type="string"/><bind nodeset="/data/every" type="string"/>
      <bind nodeset="/data/loads" type="int"/>
      <setvalue event="odk-instance-first-load" ref="/data/first" value="'new'"/>
      <setvalue event="odk-instance-load" ref="/data/loads" value="/data/loads + 1"/>
      <setvalue event="odk-instance-load" ref="/data/every" value="concat(/data/first, '!')"/>""")
    s = new_session(definition)
    assert (s.value("/data/first"), s.value("/data/every"), s.value("/data/loads")) == ("new", "new!", "1")
    draft = s.to_instance_xml(include_nonrelevant=True).replace("<first>new</first>", "<first>kept</first>")
    reopened = new_session(definition, instance_xml=draft)
    assert (reopened.value("/data/first"), reopened.value("/data/every"), reopened.value("/data/loads")) == \
        ("kept", "kept!", "2")


def test_version_gives_the_forms_version():
    # XPathFuncExpr 'version': the main instance's formVersion, "" when there is none
    s = new_session(xform('<instance><data id="v" version="2026120601"><v/></data></instance>'
                          '<bind nodeset="/data/v" type="string" calculate="version()"/>'))
    assert s.value("/data/v") == "2026120601"
