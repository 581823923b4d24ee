"""A record whose form asks no centre on a shared laptop (the leak of a record naming no centre): it is stored with
the laptop's centre, in the code the visibility filter compares against, so its centre's field staff keep seeing it
and another centre's never do; an edit whose content names no centre keeps the record's centre, whoever edits it.
Real SQLCipher vault, the services as the app calls them. Synthetic people only."""

from __future__ import annotations

import pytest

from desktop_app.records.form_store import install_form
from desktop_app.services import access, places, records, registrations
from desktop_app.services.access import AccessDenied
from desktop_app.vault.registrations import RegistrationDraft, get_registration, save_registrations
from tests.access.no_centre_form import FORM_ID, VERSION, night, no_centre_xform
from tests.access.team import ADMIN, COORD, FIELD, signed_in
from waypoint_core.access import policy

HERE, THERE = "ne_agadez", "ne_niamey"
MADE_HERE = "a4000000-0000-4000-8000-000000000000"
OF_NIAMEY = "b4000000-0000-4000-8000-000000000000"


@pytest.fixture
def laptop(team):
    """The team's laptop at ne_agadez with a form that asks no centre, holding a record of that form that the
    coordinator's sync brought from ne_niamey (stored with the centre the server named)."""
    with signed_in(team, ADMIN) as vault:
        places.set_place(vault, country="NE", centre=HERE, source="setup")
        install_form(vault, xform=no_centre_xform(), source_name="night_log.md", check_role=False)
    with signed_in(team, COORD) as vault:
        save_registrations(vault, [RegistrationDraft(FORM_ID, VERSION, "finalized", night("Mariama", OF_NIAMEY),
                                                     OF_NIAMEY, {"title": "Mariama", "centre": THERE})])
    return team


def _listed(vault) -> set[str]:
    return {row.record_id for row in registrations.list_page(vault, offset=0, limit=100)}


def test_a_record_made_here_with_a_form_asking_no_centre_is_the_laptops_centre(laptop):
    with signed_in(laptop, FIELD) as vault:
        records.finalize(vault, form_id=FORM_ID, form_version=VERSION, record_id=MADE_HERE,
                         content=night("Aissata", MADE_HERE))
        assert get_registration(vault, MADE_HERE).centre == HERE
        assert _listed(vault) == {MADE_HERE}  # their own centre's record, not Niamey's
        records.reopen(vault, MADE_HERE)
        # an edit whose content names no centre keeps it
        records.finalize(vault, form_id=FORM_ID, form_version=VERSION, record_id=MADE_HERE,
                         content=night("Aissata", MADE_HERE, note="second night"))
        assert get_registration(vault, MADE_HERE).centre == HERE
        assert _listed(vault) == {MADE_HERE}
    with signed_in(laptop, COORD) as vault:
        assert _listed(vault) >= {MADE_HERE, OF_NIAMEY}


def test_an_edit_of_another_centres_record_keeps_its_centre(laptop):
    """The coordinator corrects the Niamey record on the Agadez laptop: the form names no centre, the record stays
    Niamey's, and Agadez's field staff still do not see it."""
    with signed_in(laptop, COORD) as vault:
        records.finalize(vault, form_id=FORM_ID, form_version=VERSION, record_id=OF_NIAMEY,
                         content=night("Mariama", OF_NIAMEY, note="corrected"))
        assert get_registration(vault, OF_NIAMEY).centre == THERE
    with signed_in(laptop, FIELD) as vault:
        assert OF_NIAMEY not in _listed(vault)
        with pytest.raises(AccessDenied, match="outside your scope"):
            records.reopen(vault, OF_NIAMEY)


def test_a_draft_and_a_record_saved_without_the_services_take_the_laptops_centre_too(laptop):
    """The writer decides, not each use case: a draft, and a record saved through the vault's own API."""
    draft = "a5000000-0000-4000-8000-000000000000"
    with signed_in(laptop, FIELD) as vault:
        records.save_draft(vault, form_id=FORM_ID, form_version=VERSION, record_id=draft,
                           content=night("Draft", draft))
        save_registrations(vault, [RegistrationDraft(FORM_ID, VERSION, "finalized", night("Api", MADE_HERE),
                                                     MADE_HERE, {"title": "Api"})])
        assert get_registration(vault, draft).centre == HERE
        assert get_registration(vault, MADE_HERE).centre == HERE
        assert access.visibility(vault).allows(kind="registration", created_by=FIELD, centre=HERE)


def test_a_laptop_with_no_place_leaves_the_centre_empty(team):
    """Nothing to give: a laptop never placed limits nothing by centre (docs/access.md)."""
    with signed_in(team, ADMIN) as vault:
        install_form(vault, xform=no_centre_xform(), source_name="night_log.md", check_role=False)
    with signed_in(team, FIELD) as vault:
        records.finalize(vault, form_id=FORM_ID, form_version=VERSION, record_id=MADE_HERE,
                         content=night("Aissata", MADE_HERE))
        assert get_registration(vault, MADE_HERE).centre is None
        assert _listed(vault) == {MADE_HERE}


def test_a_standalone_laptop_limits_nothing_by_centre(team):
    """Never enrolled and with no place: a laptop of one centre, which holds only what its people typed or imported.
    Its field staff see every record on it, whatever centre a form answered (docs/access.md); what an unresolved
    centre of an enrolled laptop no longer does (tests/sync/test_sync_centre_scope.py)."""
    with signed_in(team, ADMIN) as vault:
        install_form(vault, xform=no_centre_xform(), source_name="night_log.md", check_role=False)
    with signed_in(team, COORD) as vault:
        save_registrations(vault, [RegistrationDraft(FORM_ID, VERSION, "finalized", night("Mariama", OF_NIAMEY),
                                                     OF_NIAMEY, {"title": "Mariama", "centre": THERE})])
    with signed_in(team, FIELD) as vault:
        assert get_registration(vault, OF_NIAMEY).centre == THERE  # the answer: no server holds it anywhere
        assert access.actor_of(vault).centre is None and access.actor_of(vault).region is None
        assert _listed(vault) == {OF_NIAMEY}
        records.reopen(vault, OF_NIAMEY)


def test_a_record_naming_no_centre_is_no_centres_once_the_laptop_has_one(team):
    """Made before the laptop had a place (or pulled before the server named centres): its centre is unknown, so
    no centre-scoped person sees it; the coordinator does. New records are still made and finalized."""
    with signed_in(team, ADMIN) as vault:
        install_form(vault, xform=no_centre_xform(), source_name="night_log.md", check_role=False)
    with signed_in(team, FIELD) as vault:
        records.finalize(vault, form_id=FORM_ID, form_version=VERSION, record_id=MADE_HERE,
                         content=night("Aissata", MADE_HERE))
    with signed_in(team, ADMIN) as vault:
        places.set_place(vault, country="NE", centre=HERE, source="setup")
    with signed_in(team, FIELD) as vault:
        assert get_registration(vault, MADE_HERE).centre is None
        assert MADE_HERE not in _listed(vault) and registrations.list_counts(vault).total == 0
        with pytest.raises(AccessDenied, match="outside your scope"):
            records.reopen(vault, MADE_HERE)
        records.finalize(vault, form_id=FORM_ID, form_version=VERSION, record_id=OF_NIAMEY,
                         content=night("Hawa", OF_NIAMEY))
        assert _listed(vault) == {OF_NIAMEY}
    with signed_in(team, COORD) as vault:
        assert _listed(vault) == {MADE_HERE, OF_NIAMEY}


def test_the_policy_puts_a_record_naming_no_centre_in_no_centre():
    actor = policy.Actor.of("fatou", ("field_staff",), centre=HERE)
    assert not policy.within("centre", actor, policy.RecordFacts(centre=None))
    assert policy.within("centre", actor, policy.RecordFacts(centre=HERE))
    assert not policy.decide(actor, "view", "registration", policy.RecordFacts(centre=None))
    assert policy.within("centre", policy.Actor.of("fatou", ("field_staff",)), policy.RecordFacts(centre=None))
    assert policy.within("region", policy.Actor.of("zara", ("coordinator",), centre=HERE, region="NE"),
                         policy.RecordFacts(centre=None))
