"""Form logic from the XLSForm spec (xlsform.org) as pyxform compiles it, run by the engine:
relevant (and its inheritance), required and constraint with messages, calculate chains,
read_only, default, trigger, choice_filter, repeat_count, indexed-repeat and position(..)."""

from __future__ import annotations

import pytest

from waypoint_core.xform import AnswerError, DependencyCycleError
from tests.core.xform.conftest import md_form, new_session

SKIP_LOGIC = """
| survey |              |          |              |                               |
|        | type         | name     | label        | relevant                      |
|        | integer      | age      | Age          |                               |
|        | begin group  | minor    | Minor        | ${age} < 18                   |
|        | text         | guardian | Guardian     |                               |
|        | text         | school   | School       | ${guardian} != ''             |
|        | end group    |          |              |                               |
|        | text         | job      | Job          | ${age} >= 18                  |
"""


def test_relevance_and_its_inheritance(form):
    s = form(SKIP_LOGIC)
    # empty age: `'' < 18` and `'' >= 18` are both false (NaN), so both branches are hidden
    assert not s.item("/data/minor").relevant
    assert not s.item("/data/job").relevant
    changes = s.answer("/data/age", 12)
    assert {"/data/minor", "/data/minor/guardian"} <= changes.refs["relevance"]
    assert s.item("/data/minor/guardian").relevant
    assert not s.item("/data/minor/school").relevant  # its own condition is still false
    s.answer("/data/minor/guardian", "Aunt")
    assert s.item("/data/minor/school").relevant
    s.answer("/data/age", 30)
    # the group is hidden, so is everything inside, whatever their own conditions say
    assert not s.item("/data/minor/school").relevant
    assert s.item("/data/job").relevant
    xml = s.to_instance_xml()
    assert "<guardian>" not in xml and "<minor" not in xml  # non-relevant: left out of the record
    assert "<guardian>Aunt</guardian>" in s.to_instance_xml(include_nonrelevant=True)  # kept in a draft


def test_non_relevant_answers_read_as_empty_and_are_kept_for_when_shown_again(form):
    # JavaRosa: a hidden node reads as empty in every expression (XPathPathExpr.getRefValue,
    # XPathPathExprEval.removeIrrelevantNodesets; TriggerableDagTest
    # non_relevant_node_values_are_always_null_regardless_of_their_actual_value); its answer is
    # kept in the instance, left out of the finalized record, and counts again once shown.
    s = form("""
| survey |           |        |        |               |                    |
|        | type      | name   | label  | relevant      | calculation        |
|        | integer   | a      | A      |               |                    |
|        | integer   | b      | B      | ${a} > 0      |                    |
|        | calculate | seen   |        |               | concat('b=', ${b}) |
""")
    s.answer("/data/a", 1)
    s.answer("/data/b", 21)
    assert s.value("/data/seen") == "b=21"
    changes = s.answer("/data/a", 0)
    assert changes.refs["relevance"] == {"/data/b"} and changes.refs["values"] == {"/data/a", "/data/seen"}
    assert s.value("/data/seen") == "b="
    assert s.value("/data/b") == "21"  # kept, not cleared
    xml = s.to_instance_xml()
    assert "<b>" not in xml and "<seen>b=</seen>" in xml
    s.answer("/data/a", 5)
    assert s.value("/data/seen") == "b=21"
    assert "<b>21</b>" in s.to_instance_xml()


def test_hiding_an_answer_releases_the_questions_that_depended_on_it(form):
    # has_job=yes, job=other, then has_job=no: "Other job, specify" must go (it read job, which is
    # now hidden and so empty), and must not block finalizing.
    s = form("""
| survey  |                   |           |                   |                      |          |
|         | type              | name      | label             | relevant             | required |
|         | select_one yn     | has_job   | Has a job?        |                      | yes      |
|         | select_one jobs   | job       | Job               | ${has_job} = 'yes'   | yes      |
|         | text              | job_other | Other job         | ${job} = 'other'     | yes      |
| choices |                   |           |                   |                      |          |
|         | list_name         | name      | label             |                      |          |
|         | yn                | yes       | Yes               |                      |          |
|         | yn                | no        | No                |                      |          |
|         | jobs              | farmer    | Farmer            |                      |          |
|         | jobs              | other     | Other             |                      |          |
""")
    s.answer("/data/has_job", "yes")
    s.answer("/data/job", "other")
    assert s.item("/data/job_other").relevant
    changes = s.answer("/data/has_job", "no")
    assert {"/data/job", "/data/job_other"} <= changes.refs["relevance"]
    assert not s.item("/data/job_other").relevant
    assert s.finalize() == []


def test_count_and_sum_leave_hidden_nodes_out(form):
    # JavaRosa drops non-relevant nodes from every node-set (TriggerableDagTest
    # non_relevant_nodes_are_excluded_from_nodeset_evaluation): count() and sum() see only shown ones
    s = form("""
| survey |              |        |        |               |                       |
|        | type         | name   | label  | relevant      | calculation           |
|        | begin repeat | member | Member |               |                       |
|        | integer      | age    | Age    |               |                       |
|        | integer      | income | Income | ${age} >= 18  |                       |
|        | end repeat   |        |        |               |                       |
|        | calculate    | n      |        |               | count(${income})      |
|        | calculate    | total  |        |               | sum(${income})        |
""")
    s.answer("/data/member[1]/age", 30)
    s.answer("/data/member[1]/income", 100)
    s.add_repeat("/data/member")
    s.answer("/data/member[2]/age", 40)
    s.answer("/data/member[2]/income", 50)
    assert (s.value("/data/n"), s.value("/data/total")) == ("2", "150")
    s.answer("/data/member[2]/age", 12)
    assert (s.value("/data/n"), s.value("/data/total")) == ("1", "100")
    assert s.value("/data/member[2]/income") == "50"


def test_required_and_constraint_with_messages(form):
    s = form("""
| survey |         |        |        |          |                  |                      |                      |
|        | type    | name   | label  | required | required_message | constraint           | constraint_message   |
|        | integer | age    | Age    | yes      | Age is needed    | . >= 0 and . <= 120  | Between 0 and 120    |
|        | text    | note   | Note   |          |                  |                      |                      |
|        | integer | kids   | Kids   | ${age} > 15 |               | . <= ${age} div 10   |                      |
""")
    issues = s.validate()
    assert [(i.ref, i.kind, i.message) for i in issues] == [("/data/age", "required", "Age is needed")]
    changes = s.answer("/data/age", 130)
    assert "/data/age" in changes.refs["validity"]
    item = s.item("/data/age")
    assert not item.valid and item.constraint_message == "Between 0 and 120"
    assert [(i.ref, i.kind, i.message) for i in s.validate()][0] == ("/data/age", "constraint", "Between 0 and 120")
    s.answer("/data/age", 40)
    assert s.item("/data/age").valid and s.item("/data/kids").required
    assert [i.ref for i in s.validate()] == ["/data/kids"]  # required by expression now
    s.answer("/data/kids", 5)
    assert not s.is_valid("/data/kids")  # 5 > 40 div 10
    assert s.validate()[0].message == "Sorry, this response is invalid."  # the default message
    s.answer("/data/age", 60)  # the constraint reads ${age}: re-checked without touching kids
    assert s.is_valid("/data/kids")
    assert s.finalize() == []


def test_calculate_chain_recomputes_only_dependents(form):
    s = form("""
| survey |           |       |       |                      |
|        | type      | name  | label | calculation          |
|        | decimal   | price | Price |                      |
|        | integer   | qty   | Qty   |                      |
|        | calculate | total |       | ${price} * ${qty}    |
|        | calculate | tax   |       | round(${total} * 0.2, 2) |
|        | calculate | label |       | concat('Total: ', ${total} + ${tax}) |
|        | text      | other | Other |                      |
""")
    s.answer("/data/price", "2.5")
    changes = s.answer("/data/qty", 3)
    assert (s.value("/data/total"), s.value("/data/tax"), s.value("/data/label")) == ("7.5", "1.5", "Total: 9")
    assert changes.refs["values"] == {"/data/qty", "/data/total", "/data/tax", "/data/label"}
    assert s.answer("/data/other", "x").refs["values"] == {"/data/other"}
    assert not s.answer("/data/other", "x")  # the same answer again changes nothing


def test_read_only_default_and_trigger(form):
    s = form("""
| survey |           |          |          |          |           |               |          |
|        | type      | name     | label    | default  | read_only | calculation   | trigger  |
|        | text      | country  | Country  | Niger    |           |               |          |
|        | date      | visit    | Visit    | today()  |           |               |          |
|        | note      | info     | Read me  |          |           |               |          |
|        | text      | fixed    | Fixed    | F        | yes       |               |          |
|        | integer   | n        | N        |          |           |               |          |
|        | dateTime  | changed  | Changed  |          |           | now()         | ${n}     |
""")
    assert s.value("/data/country") == "Niger"
    assert s.value("/data/visit") == "2024-03-15"  # a dynamic default, evaluated at first load
    assert s.item("/data/info").readonly
    with pytest.raises(AnswerError, match="read-only"):
        s.answer("/data/fixed", "G")
    assert s.value("/data/changed") == ""
    s.answer("/data/n", 1)  # the trigger fires when n changes, not before
    assert s.value("/data/changed").startswith("2024-03-15T10:30:00.000")


CASCADE = """
| survey |                   |          |          |                        |
|        | type              | name     | label    | choice_filter          |
|        | select_one region | region   | Region   |                        |
|        | select_one town   | town     | Town     | region=${region}       |
| choices |           |        |          |        |
|         | list_name | name   | label    | region |
|         | region    | tah    | Tahoua   |        |
|         | region    | aga    | Agadez   |        |
|         | town      | konni  | Konni    | tah    |
|         | town      | madaoua | Madaoua | tah    |
|         | town      | arlit  | Arlit    | aga    |
"""


def test_choice_filter(form):
    s = form(CASCADE)
    assert s.choices("/data/town") == []
    changes = s.answer("/data/region", "tah")
    assert "/data/town" in changes.refs["choices"]
    assert [(c.value, c.label) for c in s.choices("/data/town")] == [("konni", "Konni"), ("madaoua", "Madaoua")]
    with pytest.raises(AnswerError, match="not among the choices: arlit"):
        s.answer("/data/town", "arlit")
    s.answer("/data/region", "aga")
    s.answer("/data/town", "arlit")
    assert s.value("/data/town") == "arlit"


def test_select_multiple_and_selected(form):
    s = form("""
| survey |                      |          |          |                              |                          |
|        | type                 | name     | label    | relevant                     | calculation              |
|        | select_multiple need | needs    | Needs    |                              |                          |
|        | text                 | medical  | Details  | selected(${needs}, 'health') |                          |
|        | calculate            | n        |          |                              | count-selected(${needs}) |
| choices |           |        |          |
|         | list_name | name   | label    |
|         | need      | food   | Food     |
|         | need      | health | Health   |
|         | need      | shelter_health | Shelter |
""")
    s.answer("/data/needs", ["food", "shelter_health"])
    assert s.value("/data/needs") == "food shelter_health"
    assert s.value("/data/n") == "2"
    assert not s.item("/data/medical").relevant  # 'health' is not a substring match
    s.answer("/data/needs", "health food")
    assert s.item("/data/medical").relevant
    with pytest.raises(AnswerError, match="twice"):
        s.answer("/data/needs", ["food", "food"])


def _find(items, kind):
    for item in items:
        if item.kind == kind:
            return item
        found = _find(item.children, kind)
        if found is not None:
            return found
    return None


REPEATS = """
| survey |              |          |          |                  |                                     |
|        | type         | name     | label    | repeat_count     | calculation                         |
|        | integer      | n        | Members  |                  |                                     |
|        | begin repeat | member   | Member   | ${n}             |                                     |
|        | text         | name     | Name     |                  |                                     |
|        | integer      | age      | Age      |                  |                                     |
|        | calculate    | pos      |          |                  | position(..)                        |
|        | calculate    | older    |          |                  | ../age + 1                          |
|        | end repeat   |          |          |                  |                                     |
|        | calculate    | total    |          |                  | sum(${age})                         |
|        | calculate    | second   |          |                  | indexed-repeat(${name}, ${member}, 2) |
|        | calculate    | count    |          |                  | count(${member})                    |
"""


def test_repeat_count_position_and_indexed_repeat(form):
    s = form(REPEATS)
    assert s.repeat_count("/data/member") == 0
    s.answer("/data/n", 3)
    changes = s.apply_repeat_count("/data/member")
    assert changes.refs["structure"] == {"/data/member"}
    assert [c.ref for c in s.item("/data/member", deep=True).children] == [f"/data/member[{k}]" for k in (1, 2, 3)]
    repeat = _find(s.items(), "repeat")
    assert repeat.count_fixed and [c.ref for c in repeat.children] == [f"/data/member[{k}]" for k in (1, 2, 3)]
    for k, (name, age) in enumerate([("Ada", 30), ("Bo", 8), ("Cy", 4)], 1):
        s.answer(f"/data/member[{k}]/name", name)
        s.answer(f"/data/member[{k}]/age", age)
    assert [s.value(f"/data/member[{k}]/pos") for k in (1, 2, 3)] == ["1", "2", "3"]
    assert s.value("/data/member[2]/older") == "9"  # relative refs stay in their own instance
    assert (s.value("/data/total"), s.value("/data/second"), s.value("/data/count")) == ("42", "Bo", "3")
    s.remove_repeat("/data/member[1]")
    assert [s.value(f"/data/member[{k}]/pos") for k in (1, 2)] == ["1", "2"]
    assert (s.value("/data/total"), s.value("/data/second"), s.value("/data/count")) == ("12", "Cy", "2")
    s.answer("/data/n", 1)
    s.apply_repeat_count("/data/member")
    # A count that goes down removes nothing (JavaRosa's createModelIfNecessary only creates; ODK's docs:
    # "no groups will be deleted", to avoid losing answers to a mistyped count)
    assert (s.value("/data/count"), s.value("/data/second")) == ("2", "Cy")
    s.remove_repeat("/data/member[2]")
    assert s.value("/data/count") == "1" and s.value("/data/second") == ""
    s.apply_repeat_count("/data/member")
    assert s.value("/data/count") == "1"


def test_add_repeat_by_hand_runs_defaults_for_the_new_instance(form):
    s = form("""
| survey |              |        |        |          |                 |
|        | type         | name   | label  | default  | calculation     |
|        | begin repeat | visit  | Visit  |          |                 |
|        | date         | day    | Day    | today()  |                 |
|        | end repeat   |        |        |          |                 |
|        | calculate    | visits |        |          | count(${visit}) |
""")
    start = len(s.node("/data").kids.get("visit", []))
    s.add_repeat("/data/visit")
    instances = s.node("/data").kids["visit"]
    assert len(instances) == start + 1
    assert s.value(f"/data/visit[{start + 1}]/day") == "2024-03-15"
    assert s.value("/data/visits") == str(start + 1)
    s.remove_repeat(f"/data/visit[{start + 1}]")
    assert s.value("/data/visits") == str(start)


def test_self_referencing_repeat_count_does_not_loop():
    # jr:count = count(household) + 1, as in JavaRosa's child-vaccination benchmark form:
    # evaluated only when the repeat is reached, each time growing by one, never in a loop
    definition = md_form("""
| survey |              |           |           |                        |
|        | type         | name      | label     | repeat_count           |
|        | begin repeat | household | Household | count(${household}) + 1 |
|        | text         | head      | Head      |                        |
|        | end repeat   |           |           |                        |
""")
    s = new_session(definition)
    first = s.repeat_count("/data/household")
    s.apply_repeat_count("/data/household")
    assert len(s.node("/data").kids["household"]) == first
    s.apply_repeat_count("/data/household")
    assert len(s.node("/data").kids["household"]) == first + 1


def test_cycles_are_rejected_naming_the_binds():
    with pytest.raises(DependencyCycleError) as err:
        md_form("""
| survey |           |      |       |             |
|        | type      | name | label | calculation |
|        | calculate | a    |       | ${b} + 1    |
|        | calculate | b    |       | ${c} + 1    |
|        | calculate | c    |       | ${a} + 1    |
""")
    message = str(err.value)
    assert "/data/a (calculate)" in message and "/data/b (calculate)" in message and "/data/c (calculate)" in message
    assert err.value.ref in ("/data/a", "/data/b", "/data/c")


def test_absolute_paths_inside_a_repeat_mean_the_same_instance(form):
    # JavaRosa contextualizes absolute references: /data/member/age read from inside member[2]
    # is member[2]'s age (older forms, like the Enketo benchmarks, are written this way);
    # from outside the repeat the same path means every instance.
    s = form("""
| survey |              |        |        |                          |
|        | type         | name   | label  | calculation              |
|        | begin repeat | member | Member |                          |
|        | integer      | age    | Age    |                          |
|        | calculate    | next   |        | /data/member/age + 1     |
|        | end repeat   |        |        |                          |
|        | calculate    | oldest |        | max(/data/member/age)    |
""")
    while len(s.node("/data").kids["member"]) < 2:
        s.add_repeat("/data/member")
    s.answer("/data/member[1]/age", 30)
    s.answer("/data/member[2]/age", 7)
    assert (s.value("/data/member[1]/next"), s.value("/data/member[2]/next")) == ("31", "8")
    assert s.value("/data/oldest") == "30"
