"""Values written as ODK Collect (JavaRosa) writes them, found by the conformance suite (tests/conformance):
decimals and coordinates in Java's number text, an all-zero point is no point, values written in the form's
instance read by their question's type, selected() as JavaRosa's substring test, sum() leaving out what is no
number, and distance(), area() and geofence() computed with JavaRosa's GeoUtils formulas (expected figures
from JavaRosa's GeoUtilsTest)."""

from __future__ import annotations

import math

import pytest

from tests.core.xform.conftest import new_session
from waypoint_core.xform import FormDefinition
from waypoint_core.xform.values import java_double

CIRCUMFERENCE = 2 * 6_378_100 * math.pi  # GeoUtils.EARTH_EQUATORIAL_CIRCUMFERENCE_METERS
PATH1 = [(38.253094215699576, 21.756382658677467), (38.25021274773806, 21.756382658677467),
         (38.25007793942195, 21.763892843919166), (38.25290886154963, 21.763935759263404),
         (38.25146813817506, 21.758421137528785)]


def xform(model: str, body: str = "") -> FormDefinition:
    return FormDefinition.from_xml(f"""<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml">
      <h:head><h:title>t</h:title><model>{model}</model></h:head><h:body>{body}</h:body></h:html>""")


@pytest.mark.parametrize("x, text", [
    (2.0, "2.0"), (0.5, "0.5"), (-2.5, "-2.5"), (0.001, "0.001"), (1e-4, "1.0E-4"), (9999999.0, "9999999.0"),
    (1e7, "1.0E7"), (12345678.0, "1.2345678E7"), (1.5e-7, "1.5E-7"), (0.1 + 0.2, "0.30000000000000004"),
    (0.0, "0.0"), (float("nan"), "NaN"),
])
def test_java_double_text(x, text):
    # java.lang.Double.toString: plain between 10^-3 and 10^7, computerized scientific notation outside
    assert java_double(x) == text


def test_instance_values_are_read_by_type_and_calculated_decimals_as_javarosa_wraps_them():
    definition = xform("""
      <instance><data id="t"><x>0</x><n>007</n><d>.&lt;=today()</d><g>12 1</g><s>0</s>
        <whole/><half/><tiny/></data></instance>
      <bind nodeset="/data/x" type="decimal"/><bind nodeset="/data/n" type="int"/>
      <bind nodeset="/data/d" type="date"/><bind nodeset="/data/g" type="geopoint"/>
      <bind nodeset="/data/s" type="string"/>
      <bind nodeset="/data/whole" type="decimal" calculate="/data/x + 2"/>
      <bind nodeset="/data/half" type="decimal" calculate="/data/x + 0.5"/>
      <bind nodeset="/data/tiny" type="decimal" calculate="0.00001"/>""",
                       '<input ref="/data/x"><label>x</label></input>')
    session = new_session(definition)
    # XFormAnswerDataParser.getAnswerData: DecimalData("0") writes 0.0, IntegerData 7, a date that does not
    # parse is empty, a point gets its four parts; text stays as written
    assert [session.value(f"/data/{n}") for n in "x n d g s".split()] == ["0.0", "7", "", "12.0 1.0 0.0 0.0", "0"]
    # IAnswerData.wrapData: a whole result is an IntegerData ("2"), another a DecimalData in Java's text
    assert [session.value(f"/data/{n}") for n in ("whole", "half", "tiny")] == ["2", "0.5", "1.0E-5"]


def test_an_all_zero_point_is_no_answer():
    definition = xform("""<instance><data id="t"><g/></data></instance>
      <bind nodeset="/data/g" type="geopoint" constraint="false()"/>""", '<input ref="/data/g"><label>g</label></input>')
    session = new_session(definition)
    session.answer("/data/g", "0 0 0 0")  # GeoPointData.toBoolean is false: "not captured", written as ""
    assert session.value("/data/g") == "" and session.is_valid("/data/g")


@pytest.mark.parametrize("answer, item, expected", [
    ("", "", True), ("a", "", False), ("a b", "b", True), ("a b", "a b", True), ("ab", "a", False),
    ("a", " a ", True),
])
def test_selected_is_javarosas_padded_substring_test(answer, item, expected):
    # XPathFuncExpr.multiSelected: (" " + s1 + " ").contains(" " + s2.trim() + " ")
    definition = xform(f"""<instance><data id="t"><v>{answer}</v><r/></data></instance>
      <bind nodeset="/data/r" calculate="if(selected(/data/v, '{item}'), 'yes', 'no')"/>""")
    assert new_session(definition).value("/data/r") == ("yes" if expected else "no")


def test_sum_leaves_out_unanswered_questions():
    # XPathFuncExpr.sum: 'if (!dargVal.isNaN()) sum += dargVal' -- the sum of 4 and nothing is 4, of no node 0
    definition = xform("""<instance><data id="t"><rep><x>4</x></rep><rep><x/></rep><s/><none/></data></instance>
      <bind nodeset="/data/rep/x" type="int"/>
      <bind nodeset="/data/s" type="int" calculate="sum(/data/rep/x)"/>
      <bind nodeset="/data/none" type="int" calculate="sum(/data/nothing)"/>""")
    session = new_session(definition)
    assert (session.value("/data/s"), session.value("/data/none")) == ("4", "0")


def test_distance_area_and_geofence_use_javarosas_formulas():
    points = ";".join(f"{lat} {lon} 0 0" for lat, lon in PATH1)
    closed = points + f";{PATH1[0][0]} {PATH1[0][1]} 0 0"
    definition = xform(f"""<instance><data id="t"><shape>{points}</shape><closed>{closed}</closed>
        <area/><length/><degree/><inside/><outside/></data></instance>
      <bind nodeset="/data/shape" type="geoshape"/><bind nodeset="/data/closed" type="geoshape"/>
      <bind nodeset="/data/area" type="decimal" calculate="area(/data/shape)"/>
      <bind nodeset="/data/length" type="decimal" calculate="distance(/data/shape)"/>
      <bind nodeset="/data/degree" type="decimal" calculate="distance('0 0', '0 1')"/>
      <bind nodeset="/data/inside" calculate="geofence('38.25081280703969 21.760299116099116', /data/closed)"/>
      <bind nodeset="/data/outside" calculate="geofence('38.252062644683356 21.758894013612437', /data/closed)"/>""")
    session = new_session(definition)
    # GeoUtilsTest.areaAndDistanceAreCorrectForPath1 (within 0.5 m² and 0.5 m), oneDegreeAroundAtEquator
    assert float(session.value("/data/area")) == pytest.approx(151_452, abs=0.5)
    assert float(session.value("/data/length")) == pytest.approx(1_801, abs=0.5)
    assert float(session.value("/data/degree")) == pytest.approx(CIRCUMFERENCE / 360, abs=1e-6)
    # a boolean in a calculation is BooleanData, which XFormAnswerDataSerializer writes "1"/"0"
    assert (session.value("/data/inside"), session.value("/data/outside")) == ("1", "0")
