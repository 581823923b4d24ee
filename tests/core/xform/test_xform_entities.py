"""Entities as ODK Collect does them offline (its `entities` module): declarations (meta/entity with attribute binds)
load, are computed and written into the record; a finalized record says which entities it creates or updates
(EntityFormFinalizationProcessor); those fold into entity lists (LocalEntityUseCases) that a follow-up form reads
as the instance named after the dataset (LocalEntitiesInstanceAdapter)."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

import pytest

from tests.core.xform.conftest import new_session
from tests.corpus import corpus_path
from waypoint_core.xform import FormDefinition, FormSession
from waypoint_core.xform.entities import Entity, FormEntity, entity_lists, fold, form_entities, spec_from_xform
from waypoint_core.xform.media import mark_entity_lists
from waypoint_core.xlsform import convert_xlsform

FEATURES = corpus_path("features")
pytestmark = pytest.mark.corpus
REPEATS = "co_create-or-update-entities-from-repeats.xml"
ID1, ID2 = str(uuid.uuid4()), str(uuid.uuid4())


@pytest.fixture(scope="module")
def registration_xform() -> str:
    return convert_xlsform(FEATURES / "ona_entities_trees_registration.xlsx").xform


@pytest.mark.corpus
def test_entity_attributes_are_computed_and_written_into_the_record():
    xform = (FEATURES / REPEATS).read_text(encoding="utf-8")
    definition = FormDefinition.from_xml(mark_entity_lists(xform, {"people"})[0])
    assert definition.unsupported == [] and definition.entity_lists == ("people",)
    assert definition.entities is not None and definition.entities.datasets == ("people",)
    session = new_session(definition)
    session.answer("/data/people[1]/action", "create")
    session.answer("/data/people[1]/name", "Amina Diallo")
    session.add_repeat("/data/people")
    session.answer("/data/people[2]/action", "update")
    # @create and @update are computed (a boolean calculation is written 1 or 0, as JavaRosa's BooleanData)
    assert [session.value(f"/data/people[{i}]/meta/entity/@{a}") for i in (1, 2) for a in ("create", "update")] == \
        ["1", "0", "0", "1"]
    created = session.value("/data/people[1]/meta/entity/@id")
    assert uuid.UUID(created).version == 4  # calculate="if(../../../action = 'create', uuid(), ...)"
    entity = ET.fromstring(session.to_instance_xml()).find("people/meta/entity")
    assert entity.attrib["dataset"] == "people" and entity.attrib["id"] == created
    assert entity.attrib["create"] == "1" and entity.find("label").text == "Amina Diallo"
    # a draft reopened keeps what was written; the form then computes its attributes again, as JavaRosa does
    reopened = new_session(definition, instance_xml=session.to_instance_xml(include_nonrelevant=True))
    assert reopened.value("/data/people[1]/meta/entity/@create") == "1"


@pytest.mark.corpus
def test_a_finalized_record_says_what_it_creates_and_updates():
    xform = (FEATURES / REPEATS).read_text(encoding="utf-8")
    spec = spec_from_xform(xform)
    assert spec is not None and spec.local and spec.datasets == ("people",)
    record = (f'<data id="create_or_update_entities_from_repeats" version="1">'
              f'<people><action>create</action><name>Amina</name><meta>'
              f'<entity dataset="people" create="1" update="0" id="{ID1}"><label>Amina</label></entity></meta></people>'
              f'<people><action>update</action><person>{ID2}</person><name>Ali</name><meta>'
              f'<entity dataset="people" create="0" update="true" id="{ID2}"><label>Ali</label></entity></meta></people>'
              f'<people><action/><meta><entity dataset="people" create="0" update="0" id=""><label/></entity></meta>'
              f'</people></data>')
    assert form_entities(spec, record) == [
        FormEntity("create", "people", ID1, "Amina", (("full_name", "Amina"),)),
        FormEntity("update", "people", ID2, "Ali", (("full_name", "Ali"),))]


def test_the_registration_form_sets_its_entity_id_once_and_saves_its_properties(registration_xform):
    definition = FormDefinition.from_xml(registration_xform)
    assert definition.unsupported == [] and definition.entities.local
    session = new_session(definition)
    entity_id = session.value("/data/meta/entity/@id")  # setvalue odk-instance-first-load uuid()
    assert uuid.UUID(entity_id).version == 4
    session.answer("/data/location", "13.5 2.1 0 0")
    session.answer("/data/species", session.choices("/data/species")[0].value)
    session.answer("/data/circumference", 120)
    assert session.finalize() == []
    [made] = form_entities(definition.entities, session.to_instance_xml())
    species = session.value("/data/species")
    assert made == FormEntity("create", "trees", entity_id, f"120cm {species}", (
        ("geometry", "13.5 2.1 0.0 0.0"), ("species", species), ("circumference_cm", "120")))


def test_entities_fold_as_collect_applies_them():
    entities: dict[str, Entity] = {}
    fold(entities, [FormEntity("create", "trees", ID1, "Oak", (("height", "3"), ("girth", "40")))], branch_id="r1")
    fold(entities, [FormEntity("create", "trees", "not-a-uuid", "Elm", ()),  # ignored: not a version 4 UUID
                    FormEntity("create", "trees", ID2, " ", ()),  # ignored: a create needs a label
                    FormEntity("update", "trees", ID2, "Ash", ())], branch_id="r2")  # ignored: nothing to update
    fold(entities, [FormEntity("update", "trees", ID1, "", (("height", "4"),))], branch_id="r3")
    oak = entities[ID1]
    # an update keeps the label when it gives none, replaces the properties it gives and counts a version
    assert (oak.label, oak.version, oak.properties, oak.branch_id) == ("Oak", 2, [("height", "4"), ("girth", "40")], "r1")
    assert list(entities) == [ID1]
    fold(entities, [FormEntity("upsert", "trees", ID2, "Ash", (("height", "1"),))], branch_id="r4")
    assert entities[ID2].version == 1  # an upsert of an unknown entity creates it
    lists = entity_lists([("trees", "r1", FormEntity("create", "trees", ID1, "Oak", (("height", "3"),))),
                          ("trees", "r2", FormEntity("create", "trees", ID2, "Ash", (("girth", "9"),)))])
    assert lists == {"trees": [
        [("name", ID1), ("label", "Oak"), ("__version", "1"), ("__trunkVersion", ""), ("__branchId", "r1"),
         ("height", "3"), ("girth", "")],
        [("name", ID2), ("label", "Ash"), ("__version", "1"), ("__trunkVersion", ""), ("__branchId", "r2"),
         ("height", ""), ("girth", "9")]]}


@pytest.mark.corpus
def test_a_follow_up_form_selects_from_the_entity_list(registration_xform):
    xform = convert_xlsform(FEATURES / "ona_entities_trees_follow_up_media" / "ona_entities_trees_follow_up.xlsx").xform
    marked, files = mark_entity_lists(xform, {"trees"})
    assert files == ["trees.csv"]
    definition = FormDefinition.from_xml(marked)
    assert definition.unsupported == [] and definition.entity_lists == ("trees",)
    assert FormSession(definition).choices("/data/tree") == []  # no registration yet: an empty list
    trees = entity_lists([("trees", "r1", FormEntity("create", "trees", ID1, "120cm Oak", (
        ("geometry", "13.5 2.1 0.0 0.0"), ("species", "oak"), ("circumference_cm", "120"))))])
    session = FormSession(definition, entities=trees)
    [tree] = session.choices("/data/tree")
    assert (tree.value, tree.label) == (ID1, "120cm Oak")
    assert ("geometry", "13.5 2.1 0.0 0.0") in tree.properties  # a select one from map: where the tree is
    session.answer("/data/tree", ID1)
    assert session.value("/data/prior_circumference") == "120"  # read from the entity's properties
    session.answer("/data/circumference", 100)
    assert session.item("/data/circumference_warning").relevant  # less than before: measure again


def test_an_entities_version_collect_does_not_know_is_refused(registration_xform):
    unknown = registration_xform.replace('entities-version="2024.1.0"', 'entities-version="2030.1.0"')
    assert any("2030.1.0 is not one ODK Collect knows" in u for u in FormDefinition.from_xml(unknown).unsupported)
    server_side = FormDefinition.from_xml(registration_xform.replace('entities-version="2024.1.0"',
                                                                     'entities-version="2023.1.0"'))
    assert server_side.unsupported == [] and not server_side.entities.local
    assert any("made by ODK Central" in w for w in server_side.warnings)


def test_a_sealed_p3_answer_never_becomes_an_entity_property(registration_xform):
    # docs/access.md: a stored record holds each P3 answer as a sealed token; an entity list is read by anyone
    # filling the follow-up form, so the token is left out (and a sealed label makes no entity: no label)
    spec = spec_from_xform(registration_xform)
    token = "wp:p3:1:" + "A" * 40
    record = (f'<data id="trees_registration"><location>13.5 2.1 0.0 0.0</location><species>{token}</species>'
              f'<circumference>80</circumference><meta><entity dataset="trees" create="1" id="{ID1}">'
              f'<label>80cm oak</label></entity></meta></data>')
    [made] = form_entities(spec, record)
    assert made.properties == (("geometry", "13.5 2.1 0.0 0.0"), ("circumference_cm", "80"))
    [unlabelled] = form_entities(spec, record.replace("<label>80cm oak</label>", f"<label>{token}</label>"))
    assert unlabelled.label == ""
