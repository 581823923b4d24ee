"""Entity lists travel with sync because the registrations that make them do: a tree registered on one laptop is
offered by the follow-up form of another laptop of the same centre after both sync through the real server, and
the registration's own entity comes back on a laptop that installs the registration form only after pulling it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from desktop_app.services import forms as form_service
from desktop_app.services import records as record_service
from desktop_app.services import sync as sync_service
from desktop_app.vault.entities import read_entity_lists
from tests.corpus import corpus_path
from tests.sync.support import fast_connect, sqlite_backend
from waypoint_core.xform import FormSession

pytestmark = pytest.mark.corpus

# SQLite only: entity lists are made and offered on the laptop; records travelling through the server
# on both databases are tested in test_sync_client.py and tests/server.
backend = sqlite_backend()

FEATURES = corpus_path("features")
REGISTRATION = FEATURES / "ona_entities_trees_registration.xlsx"
FOLLOW_UP = FEATURES / "ona_entities_trees_follow_up_media" / "ona_entities_trees_follow_up.xlsx"


def _session(vault, form_id: str) -> tuple[FormSession, str]:
    form = form_service.open_new_record_form(vault, form_id)
    definition = record_service.form_definition(form.xform)
    return FormSession(definition, entities=record_service.entity_lists_for(vault, definition)), form.version


def test_a_tree_registered_on_one_laptop_is_offered_by_the_follow_up_form_of_another(enrolled, tmp_path):
    a, b = enrolled("a"), enrolled("b")
    follow_up = Path(shutil.copy(FOLLOW_UP, tmp_path))  # alone: its trees.csv is the entity list
    for vault in (a, b):
        form_service.add_form_file(vault, REGISTRATION)
        form_service.add_form_file(vault, follow_up)

    registration, version = _session(a, "trees_registration")
    registration.answer("/data/location", "13.5 2.1 0 0")
    registration.answer("/data/species", registration.choices("/data/species")[0].value)
    registration.answer("/data/circumference", 95)
    tree_id = registration.value("/data/meta/entity/@id")
    record_service.finalize(a, form_id="trees_registration", form_version=version,
                            content=registration.to_instance_xml())
    assert sync_service.sync_now(a, connect=fast_connect()).acknowledged == 1

    visit, version = _session(b, "trees_follow_up")
    assert visit.choices("/data/tree") == []  # not pulled yet
    sync_service.sync_now(b, connect=fast_connect())
    visit, version = _session(b, "trees_follow_up")
    [tree] = visit.choices("/data/tree")
    assert tree.value == tree_id and tree.label.startswith("95cm ")
    visit.answer("/data/tree", tree_id)
    visit.answer("/data/circumference", 101)
    assert visit.value("/data/prior_circumference") == "95"
    record_service.finalize(b, form_id="trees_follow_up", form_version=version, content=visit.to_instance_xml())
    assert read_entity_lists(b, ["trees"]) == read_entity_lists(a, ["trees"])  # the same list on both laptops


def test_a_registration_pulled_before_its_form_is_installed_makes_its_entity_at_install(enrolled):
    a, c = enrolled("a2", centre="Tahoua"), enrolled("c", centre="Tahoua")  # apart from the other test's records
    form_service.add_form_file(a, REGISTRATION)
    registration, version = _session(a, "trees_registration")
    registration.answer("/data/location", "13.6 2.2 0 0")
    registration.answer("/data/species", registration.choices("/data/species")[0].value)
    registration.answer("/data/circumference", 40)
    record_service.finalize(a, form_id="trees_registration", form_version=version,
                            content=registration.to_instance_xml())
    sync_service.sync_now(a, connect=fast_connect())
    sync_service.sync_now(c, connect=fast_connect())
    assert read_entity_lists(c, ["trees"]) == {"trees": []}  # c does not know the form yet
    form_service.add_form_file(c, REGISTRATION)
    [tree] = read_entity_lists(c, ["trees"])["trees"]
    assert dict(tree)["label"].startswith("40cm ") and dict(tree)["circumference_cm"] == "40"
