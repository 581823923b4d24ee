"""Entities on one laptop, as ODK Collect does them offline: finalizing a registration that creates an entity
makes it available at once to a follow-up form (its entity list, the CSV it attaches); the entity is derived
from the saved registration by the vault's writer in the same transaction, and follows what happens to it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from desktop_app.services import forms as form_service
from desktop_app.services import places
from desktop_app.services import records as record_service
from desktop_app.vault.entities import read_entity_lists
from desktop_app.vault.sql import text
from desktop_app.vault.writer import RegistrationDraft, write
from tests.corpus import corpus_path
from waypoint_core.xform import FormSession

pytestmark = pytest.mark.corpus

FEATURES = corpus_path("features")
REGISTRATION = FEATURES / "ona_entities_trees_registration.xlsx"
FOLLOW_UP = FEATURES / "ona_entities_trees_follow_up_media" / "ona_entities_trees_follow_up.xlsx"


@pytest.fixture
def follow_up_file(tmp_path):
    """The follow-up form alone in a folder: no trees.csv beside it (a server would provide the entity list)."""
    folder = tmp_path / "follow_up"
    folder.mkdir()
    return Path(shutil.copy(FOLLOW_UP, folder))


def _session(vault, form_id: str) -> tuple[FormSession, str]:
    form = form_service.open_new_record_form(vault, form_id)
    definition = record_service.form_definition(form.xform)
    return FormSession(definition, entities=record_service.entity_lists_for(vault, definition)), form.version


def _register_tree(vault, circumference: int) -> tuple[str, str]:
    session, version = _session(vault, "trees_registration")
    session.answer("/data/location", "13.5 2.1 0 0")
    session.answer("/data/species", session.choices("/data/species")[0].value)
    session.answer("/data/circumference", circumference)
    saved = record_service.finalize(vault, form_id="trees_registration", form_version=version,
                                    content=session.to_instance_xml())
    return saved.record_id, session.value("/data/meta/entity/@id")


def test_a_follow_up_form_needs_the_form_making_its_entities_first(vault, follow_up_file):
    with pytest.raises(form_service.FormFileError, match="trees.csv.*install the form that makes its entities first"):
        form_service.add_form_file(vault, follow_up_file)
    form_service.add_form_file(vault, REGISTRATION)
    form_service.add_form_file(vault, follow_up_file)  # trees.csv is the trees entity list now


def test_a_registration_makes_an_entity_the_follow_up_form_selects_at_once(vault, follow_up_file):
    form_service.add_form_file(vault, REGISTRATION)
    form_service.add_form_file(vault, follow_up_file)
    follow_up, _ = _session(vault, "trees_follow_up")
    assert follow_up.choices("/data/tree") == []
    record_id, tree_id = _register_tree(vault, 120)
    follow_up, version = _session(vault, "trees_follow_up")
    [tree] = follow_up.choices("/data/tree")
    assert tree.value == tree_id and tree.label.startswith("120cm ")
    follow_up.answer("/data/tree", tree_id)
    assert follow_up.value("/data/prior_circumference") == "120"
    follow_up.answer("/data/circumference", 130)
    visit = record_service.finalize(vault, form_id="trees_follow_up", form_version=version,
                                    content=follow_up.to_instance_xml())
    # reopened, the follow-up record reads the same list, so what it computed from the entity stays
    reopened = record_service.reopen(vault, visit.record_id).session()
    assert [c.value for c in reopened.choices("/data/tree")] == [tree_id]
    assert reopened.value("/data/prior_circumference") == "120"
    # the entity goes with its registration
    record_service.delete(vault, record_id)
    assert read_entity_lists(vault, ["trees"]) == {"trees": []}


def test_a_draft_makes_no_entity_and_the_entity_is_written_in_the_saves_transaction(vault):
    form_service.add_form_file(vault, REGISTRATION)
    session, version = _session(vault, "trees_registration")
    session.answer("/data/location", "13.5 2.1 0 0")
    session.answer("/data/species", session.choices("/data/species")[0].value)
    session.answer("/data/circumference", 80)
    record_service.save_draft(vault, form_id="trees_registration", form_version=version,
                              content=session.to_instance_xml(include_nonrelevant=True))
    assert read_entity_lists(vault, ["trees"]) == {"trees": []}  # Collect makes entities when a form is finalized
    draft = RegistrationDraft("trees_registration", version, "finalized", session.to_instance_xml())
    with pytest.raises(RuntimeError, match="after the save"):
        with write(vault) as w:
            [row] = w.save([draft])
            seen = w.db.execute(text("SELECT entity_id FROM entity_event WHERE record_id = :r"), {"r": row["id"]}).all()
            assert [r.entity_id for r in seen] == [session.value("/data/meta/entity/@id")]
            raise RuntimeError("after the save")  # the transaction rolls back: the entity with its record
    assert read_entity_lists(vault, ["trees"]) == {"trees": []}


def test_a_follow_up_form_offers_only_the_entities_of_records_of_the_centre_the_person_sees(vault, follow_up_file):
    """A laptop of ne_agadez holding a record of ne_niamey (a coordinator's sync brings the region's): the entity it
    made is not offered to someone whose scope is their centre (docs/access.md, 'one definition of what a person
    sees'); the administrator's scope is their centre."""
    form_service.add_form_file(vault, REGISTRATION)
    form_service.add_form_file(vault, follow_up_file)
    places.set_place(vault, country="NE", centre="ne_agadez", source="setup")
    for centre, circumference in (("ne_agadez", 120), ("ne_niamey", 90)):
        session, version = _session(vault, "trees_registration")
        session.answer("/data/location", "13.5 2.1 0 0")
        session.answer("/data/species", session.choices("/data/species")[0].value)
        session.answer("/data/circumference", circumference)
        with write(vault) as w:  # as a pull writes it: the record names its centre
            w.save([RegistrationDraft("trees_registration", version, "finalized", session.to_instance_xml(), None,
                                      {"centre": centre})])
    assert len(read_entity_lists(vault, ["trees"])["trees"]) == 2  # both held on the laptop
    follow_up, _ = _session(vault, "trees_follow_up")
    assert [c.label.split()[0] for c in follow_up.choices("/data/tree")] == ["120cm"]
