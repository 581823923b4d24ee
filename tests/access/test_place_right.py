"""Who may set this laptop's place (its country and centre): the laptop's centre is every centre-scoped person's
centre on it, so on a laptop shared with a coordinator who pulled the region, field staff who set another centre
as the laptop's would then see that centre's people. Setting it is managing the device (administrators and
coordinators), checked by the service and audited with the centre codes only. The enrolled laptop's case (nobody
changes it) is tested on the real server: tests/sync/test_sync_centre_scope.py. Synthetic people only."""

from __future__ import annotations

import pytest

from desktop_app.services import access, places, records, registrations
from desktop_app.services.access import AccessDenied
from desktop_app.vault import Vault
from desktop_app.vault import audit as log
from tests.access.team import ADMIN, CASE, COORD, FIELD, MIGRANT, PASSPHRASES, PERSON, instance, signed_in
from waypoint_core.access import audit as chain

HERE, THERE = "ne_agadez", "ne_niamey"
AGADEZ, NIAMEY = "a4000000-0000-4000-8000-000000000000", "b4000000-0000-4000-8000-000000000000"


def _place_entries(vault: Vault) -> list[log.Entry]:
    return log.entries(vault, log.Filter(event_prefix="devices.place"), offset=0, limit=100, newest_first=False)


@pytest.fixture
def placed(team):
    with signed_in(team, ADMIN) as vault:
        places.set_place(vault, country="NE", centre=HERE)
    return team


def test_field_staff_and_case_workers_may_not_set_the_laptops_place_and_the_refusal_is_audited(placed):
    for name in (FIELD, CASE):
        with signed_in(placed, name) as vault:
            before = len(_place_entries(vault))
            with pytest.raises(AccessDenied, match="not allowed to manage devices"):
                places.set_place(vault, country="NE", centre=THERE)
            assert places.get_place(vault).centre == HERE
            [refused] = _place_entries(vault)[before:]
            assert (refused.event, refused.outcome, refused.actor) == ("devices.place", "refused", name)
        assert not access.may_manage_devices(("field_staff", "case_worker"))


def test_an_administrator_or_a_coordinator_sets_it_and_the_log_names_codes_only(placed):
    with signed_in(placed, ADMIN) as vault:
        assert places.set_place(vault, country="NE", centre=THERE).centre == THERE
        assert places.get_place(vault).centre == THERE
        checked, written = _place_entries(vault)[-2:]
    assert (checked.event, checked.outcome, checked.actor) == ("devices.place", "allowed", ADMIN)
    assert (written.event, written.outcome, written.actor) == (chain.PLACE_SET, "done", ADMIN)
    assert written.detail == f"NE/{HERE} -> NE/{THERE}"  # codes, no person, no name typed by anyone
    with signed_in(placed, COORD) as vault:
        places.set_place(vault, country="NE", centre=HERE)
        assert places.get_place(vault).centre == HERE
        assert _place_entries(vault)[-1].detail == f"NE/{THERE} -> NE/{HERE}"
        assert log.verify(vault).ok  # the chain holds with the new entries


def test_the_leak_a_field_worker_cannot_move_the_laptop_to_see_another_centres_people(placed, xforms):
    version = records.form_definition(xforms["migrant_registration"]).version
    with signed_in(placed, COORD) as vault:  # as the coordinator's region-wide pull leaves them on the laptop
        for record_id, centre, given in ((AGADEZ, HERE, "Aissata"), (NIAMEY, THERE, "Mariama")):
            records.finalize(vault, form_id=MIGRANT, form_version=version, record_id=record_id,
                             content=instance(xforms["migrant_registration"],
                                              {**PERSON, "centre_page/centre": centre,
                                               "identity/given_name": given}, record_id))
    with signed_in(placed, FIELD) as vault:
        with pytest.raises(AccessDenied):
            places.set_place(vault, country="NE", centre=THERE)
        with pytest.raises(AccessDenied):
            places.set_place(vault, country="", centre="")  # nor clear it (a laptop with no place limits nothing)
        listed = {row.record_id for row in registrations.list_page(vault, offset=0, limit=100)}
        assert AGADEZ in listed and NIAMEY not in listed


def test_later_never_changes_a_place_that_is_set_and_marks_an_unset_one(team):
    with signed_in(team, FIELD) as vault:
        assert places.postpone_place(vault).source == "later"  # nothing set: only "do not ask again"
        assert not places.get_place(vault).is_set
    with signed_in(team, ADMIN) as vault:
        places.set_place(vault, country="NE", centre=HERE)
    with signed_in(team, FIELD) as vault:
        places.postpone_place(vault)
        assert places.get_place(vault).centre == HERE


def test_the_first_administrator_of_a_new_vault_sets_the_place(isolated_home):
    vault, _code = Vault.create(isolated_home / "new-vault", admin_username="first.admin",
                                admin_passphrase=PASSPHRASES[ADMIN], kdf_profile="test")
    with vault:
        assert places.set_place(vault, country="BF", centre="bf_dori").centre == "bf_dori"
        assert _place_entries(vault)[-1].detail == "none -> BF/bf_dori"


SCOPED, SCOPED_WORDS = "moussa", "scoped administrator passphrase 8812"


def _scoped_administrator(team, scope: dict[str, str]) -> None:
    """A second administrator whose grant names a scope (the grant's `scope`, signed by the role authority as every
    grant is; nothing in the app writes one yet, so the test signs it as an administrator's laptop would)."""
    from desktop_app.vault import grants, keyslots, users

    with signed_in(team, ADMIN) as vault:
        vault.add_user(SCOPED, SCOPED_WORDS, "administrator")
        doc = keyslots.load(vault.path, vault._directory_key)
        grants.sign(doc, users.user_slot(doc, SCOPED), vault._require_admin(), issued_by=vault.user.id,
                    roles=("administrator",), scope=scope)
        keyslots.save(vault.path, doc)


def test_an_administrator_whose_grant_names_a_centre_sets_only_that_centre(placed):
    _scoped_administrator(placed, {"centre": HERE})
    with Vault.unlock(placed, username=SCOPED, passphrase=SCOPED_WORDS) as vault:
        assert vault.grant.scope == {"centre": HERE}
        before = len(_place_entries(vault))
        with pytest.raises(AccessDenied, match="outside your scope"):
            places.set_place(vault, country="NE", centre=THERE)  # another centre's laptop, then its people
        with pytest.raises(AccessDenied, match="outside your scope"):
            places.set_place(vault, country="", centre="")  # nor none (a laptop with no place limits nothing)
        assert places.get_place(vault).centre == HERE
        refused = _place_entries(vault)[before:]
        assert [(e.event, e.outcome) for e in refused] == [("devices.place", "refused")] * 2
        assert places.set_place(vault, country="NE", centre=HERE).centre == HERE  # its own centre, by its code
    with signed_in(placed, ADMIN) as vault:  # a grant naming no centre: the laptop's administrator corrects it
        assert places.set_place(vault, country="NE", centre=THERE).centre == THERE
