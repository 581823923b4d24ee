"""The policy table, read as a person would: for each role, what it may do to registrations, cases and the
organisation, and how far. The expectations are written out here, not derived from the table."""

from __future__ import annotations

import pytest

from waypoint_core.access import policy
from waypoint_core.access.policy import Actor, RecordFacts

# role -> (subject, action) -> scope; every pair not listed must be refused.
EXPECTED = {
    "field_staff": {
        ("registration", "view"): "centre", ("registration", "create"): "centre", ("registration", "edit"): "centre",
        ("registration", "finalize"): "centre", ("registration", "delete"): "own",
    },
    "case_worker": {
        ("registration", "view"): "centre", ("registration", "create"): "centre", ("registration", "edit"): "centre",
        ("registration", "finalize"): "centre", ("registration", "delete"): "own",
        ("case", "view"): "centre", ("case", "create"): "centre", ("case", "edit"): "centre",
        ("case", "finalize"): "centre", ("case", "delete"): "own", ("case", "export"): "centre",
    },
    "coordinator": {
        ("registration", "view"): "region", ("registration", "create"): "region", ("registration", "edit"): "region",
        ("registration", "finalize"): "region", ("registration", "delete"): "region",
        ("registration", "export"): "region", ("registration", "review"): "region",
        ("case", "view"): "region", ("case", "delete"): "region", ("case", "review"): "region",
        ("organisation", "manage_devices"): "region",
    },
    "administrator": {
        ("registration", "view"): "centre", ("registration", "create"): "centre", ("registration", "edit"): "centre",
        ("registration", "finalize"): "centre", ("registration", "delete"): "own",
        ("organisation", "manage_users"): "all", ("organisation", "manage_devices"): "centre",
    },
}
SUBJECTS = ("registration", "case", "organisation")


@pytest.mark.parametrize("role", policy.ROLES)
@pytest.mark.parametrize("subject", SUBJECTS)
@pytest.mark.parametrize("action", policy.ACTIONS)
def test_each_role_action_and_subject(role, subject, action):
    actor = Actor.of("someone", [role])
    expected = EXPECTED[role].get((subject, action))
    decision = policy.decide(actor, action, subject)
    assert decision.allowed == (expected is not None)
    assert decision.scope == expected
    if expected is None:
        assert "not allowed" in decision.reason


def test_the_table_holds_nothing_the_expectations_do_not():
    assert {(r, (s, a)) for r, s, a, _ in policy.table_rows()} == {
        (r, pair) for r, pairs in EXPECTED.items() for pair in pairs}


def test_several_roles_give_the_widest_scope():
    both = Actor.of("kofi", ["field_staff", "coordinator"])
    assert policy.widest_scope(both, "view", "registration") == "region"
    assert policy.widest_scope(both, "delete", "registration") == "region"
    assert policy.widest_scope(both, "view", "case") == "region"


def test_scopes_own_centre_region_all():
    staff = Actor.of("fatou", ["field_staff"], centre="ne_agadez", region="NE")
    mine = RecordFacts(owner="fatou", centre="ne_agadez", region="NE")
    colleague = RecordFacts(owner="moussa", centre="ne_agadez", region="NE")
    elsewhere = RecordFacts(owner="moussa", centre="ne_arlit", region="NE")
    assert policy.decide(staff, "delete", "registration", mine)
    refused = policy.decide(staff, "delete", "registration", colleague)
    assert not refused and "outside your scope (own)" in refused.reason
    assert policy.decide(staff, "edit", "registration", colleague)
    assert not policy.decide(staff, "edit", "registration", elsewhere)
    coordinator = Actor.of("zara", ["coordinator"], centre="ne_agadez", region="NE")
    assert policy.decide(coordinator, "delete", "registration", elsewhere)
    assert not policy.decide(coordinator, "delete", "registration",
                             RecordFacts(owner="x", centre="ml_gao", region="ML"))
    assert policy.within("all", coordinator, RecordFacts(owner="x", centre="ml_gao", region="ML"))


def test_unknown_places_do_not_limit_but_unknown_owners_are_not_own():
    laptop = Actor.of("fatou", ["field_staff"])  # a laptop never enrolled: no centre known
    assert policy.decide(laptop, "edit", "registration", RecordFacts(centre="ml_gao"))
    assert not policy.decide(laptop, "delete", "registration", RecordFacts(owner=None))


def test_only_case_workers_read_p3():
    for role in policy.ROLES:
        assert policy.may_read(Actor.of("x", [role])) == (role == "case_worker")
    assert policy.may_read(Actor.of("x", ["coordinator", "case_worker"]))


def test_unknown_roles_give_nothing_and_unknown_kinds_are_cases():
    nobody = Actor.of("x", ["superuser", "root"])
    assert nobody.roles == frozenset()
    assert not policy.decide(nobody, "view", "registration")
    assert policy.subject_of("something_new") == "case"
    assert policy.viewable_kinds(Actor.of("x", ["field_staff"])) == {"registration"}
    assert policy.viewable_kinds(Actor.of("x", ["coordinator"])) == {"registration", "case"}
