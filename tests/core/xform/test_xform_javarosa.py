"""What ODK Collect records, point by point: each test is written from JavaRosa's source (the
engine inside Collect; file and method named where it explains why) and the ODK XForms spec,
so a form filled here records what it would in Collect."""

from __future__ import annotations

from tests.core.xform.conftest import new_session
from waypoint_core.xform import FormDefinition

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
