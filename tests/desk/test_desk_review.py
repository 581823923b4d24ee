"""The review desk's use cases on a real vault: duplicate candidates only among people who consented to matching,
scored with reasons; merge leaves every event on the registration it was recorded for (the kept person's case file
and the indicators follow the decision) and can be undone; "not the same person" is remembered;
the decisions are records that would sync; only reviewers may use any of it."""

from __future__ import annotations

from datetime import date

import pytest

from desktop_app.records import review
from desktop_app.records.form_store import latest_form
from desktop_app.records.store import record_history, save_record
from desktop_app.services import desk, registrations
from desktop_app.services.access import AccessDenied
from desktop_app.vault.models import DECISION_FORM
from desktop_app.vault.registrations import get_registration, get_registration_fields
from tests.access.team import COORD, FIELD, MIGRANT, PERSON, instance, make_team, shipped_xforms, signed_in
from tests.desk.people import new_id, save_event, save_people
from waypoint_core.protocol import refusals
from waypoint_core.registry.person import PersonRecord


@pytest.fixture(scope="module")
def xforms():
    return shipped_xforms()


@pytest.fixture
def team(tmp_path, xforms):
    return make_team(tmp_path / "desk-vault", xforms)


def pair_of_people(**other):
    a = PersonRecord(id=new_id(), given_name="Aïcha", family_name="Ould Salem", sex="female",
                     date_of_birth=date(1998, 4, 9), nationality="MR", document_number="B1234567",
                     document_type="passport", centre="ne_agadez", country="NE")
    b = PersonRecord(id=new_id(), given_name="Salem", family_name="Aisha", sex="female", age_years=28,
                     age_on=date(2026, 11, 20), nationality="MR", document_number="B1234576",
                     document_type="passport", centre="ne_arlit", country="NE", **other)
    return a, b


def generate(vault):
    people, decided = desk.load_people(vault)
    found = desk.find_candidates(people, decided)
    return desk.store_candidates(vault, found)


def test_candidates_across_centres_with_reasons_and_only_with_consent(team):
    with signed_in(team, COORD) as vault:
        a, b = pair_of_people()
        save_people(vault, [a, b])
        c, d = pair_of_people()
        save_people(vault, [c, d], consent=False)  # the same pair again, without consent to matching
        assert generate(vault) == 1
        [row] = desk.candidates_page(vault, offset=0, limit=50)
        assert {row.a, row.b} == {a.id, b.id}
        assert {row.centre_a, row.centre_b} == {"ne_agadez", "ne_arlit"}
        assert row.score >= 0.5
        why = " | ".join(row.why)
        assert "document numbers one character apart" in why and "age fits the date of birth" in why
        every = " | ".join(r.text for r in row.reasons)  # in a population of two, a shared name is common
        assert "given and family names in the other order" in every
        detail = desk.pair(vault, row.a, row.b)
        assert {detail.a.values["given_name"], detail.b.values["given_name"]} == {"Aïcha", "Salem"}


def test_the_shipped_form_records_consent_to_matching(team, xforms):
    """The real registration form, filled through the engine: consent_matching is what lets a person be matched."""
    with signed_in(team, COORD) as vault:
        version = latest_form(vault, MIGRANT).version
        ids = []
        for consent in ("yes", "yes", "no"):
            answers = {**PERSON, "consent/consent_matching": consent}
            record_id = new_id()
            content = instance(xforms["migrant_registration"], answers, record_id)
            ids.append(save_record(vault, form_id=MIGRANT, form_version=version, status="finalized", content=content,
                                   record_id=record_id).record_id)
        people, _ = desk.load_people(vault)
        assert sorted(p.id for p in people) == sorted(ids[:2])
        assert generate(vault) == 1


def test_merge_keeps_both_ids_and_every_event_where_it_was_and_undo_separates_them(team):
    """The merge used to rewrite the merged registration's events to the kept number: synced back to the merged
    registration's centre, which may not hold the kept one, they left the person's case file there. Now no event is
    rewritten; the kept person's case file shows them and she counts once (the readers follow the decision)."""
    from desktop_app.services import casefile

    def events_of(record_id: str) -> list[str]:
        return sorted(e.record_id for e in casefile.case_file(vault, record_id).entries if e.kind == casefile.EVENT)

    with signed_in(team, COORD) as vault:
        a, b = pair_of_people()
        save_people(vault, [a, b])
        events = [save_event(vault, review.short_id(b.id)) for _ in range(2)]
        own = save_event(vault, review.short_id(a.id))
        generate(vault)
        decision = desk.merge(vault, kept=a.id, merged=b.id, reasons="same person")
        assert desk.count_candidates(vault) == 0
        for event in events:
            assert get_registration_fields(vault, event)["person_ref"] == review.short_id(b.id)
            assert len(record_history(vault, event)) == 1  # no new version, nothing to sync
        assert events_of(a.id) == sorted([*events, own]) and events_of(b.id) == sorted(events)
        assert get_registration(vault, b.id) is not None and not get_registration(vault, b.id).deleted
        [made] = desk.decisions_page(vault, offset=0, limit=10)
        assert (made.kind, made.kept, made.merged, made.undone, made.moved) == (review.MERGE, a.id, b.id, False, ())
        # The pair is not proposed again while the merge stands.
        generate(vault)
        assert desk.count_candidates(vault) == 0
        # The decision is a record that syncs (queued), never a registration in the list.
        stored = get_registration(vault, decision)
        assert stored.form_id == DECISION_FORM and stored.sync_state == "queued"
        assert decision not in [r.record_id for r in registrations.list_page(vault, offset=0, limit=100)]

        assert desk.undo(vault, decision) == 0  # nothing was moved, nothing moves back
        for event in events:
            assert get_registration_fields(vault, event)["person_ref"] == review.short_id(b.id)
            assert len(record_history(vault, event)) == 1
        assert events_of(a.id) == [own] and events_of(b.id) == sorted(events)
        [undone] = desk.decisions_page(vault, offset=0, limit=10)
        assert undone.undone and undone.undone_by == COORD
        with pytest.raises(review.ReviewError):
            desk.undo(vault, decision)
        generate(vault)
        assert desk.count_candidates(vault) == 1  # proposed again once the merge is undone


def test_undoing_a_merge_an_older_version_decided_moves_back_what_that_merge_moved(team):
    """Merges decided before this version rewrote the merged registration's events and listed them (`moved`): their
    undo still moves back those that name the kept person, so the two people are separate again."""
    import json

    from desktop_app.vault.writer import write

    with signed_in(team, COORD) as vault:
        a, b = pair_of_people()
        save_people(vault, [a, b])
        event = save_event(vault, review.short_id(a.id))  # as an older merge left it: rewritten to the kept number
        decision = desk.merge(vault, kept=a.id, merged=b.id)
        with write(vault) as w:  # the decision as an older version wrote it
            values = review._decision_values(w, decision)
            values["moved"] = json.dumps([[event, review.short_id(b.id)]])
            review._save_decision(w, decision, values)
        assert desk.undo(vault, decision) == 1
        assert get_registration_fields(vault, event)["person_ref"] == review.short_id(b.id)


def test_the_kept_person_s_case_file_shows_what_is_recorded_later_under_the_merged_number(team):
    """After a merge, the other centre (which had not synced, or reads the number on the card it gave her) records
    her next visit under the merged registration's number: it was in the merged registration's file only, and the
    kept person's case file, the one the coordinator opens, did not show it. The merged registration's own closing
    ("duplicate") stays its own: it does not close the kept person's case. Undone, each file is its own again."""
    from desktop_app.services import casefile

    with signed_in(team, COORD) as vault:
        a, b = pair_of_people()
        save_people(vault, [a, b])
        before = save_event(vault, review.short_id(b.id))
        decision = desk.merge(vault, kept=a.id, merged=b.id)
        casefile.close_case(vault, b.id, reason="duplicate")
        later = save_event(vault, f"WP-{review.short_id(b.id)}")
        kept = casefile.case_file(vault, a.id)
        assert [e.record_id for e in kept.entries if e.kind == casefile.EVENT] == [before, later]
        assert kept.state != casefile.CLOSED and casefile.case_file(vault, b.id).state == casefile.CLOSED
        desk.undo(vault, decision)
        assert [e.record_id for e in casefile.case_file(vault, a.id).entries if e.kind == casefile.EVENT] == []


def test_a_withdrawal_recorded_on_either_registration_of_a_merged_person_stands_for_the_person(team):
    """She withdrew consent to follow-up contact at the centre whose registration was merged: the kept registration
    said she could be contacted (and referred), against her word. Now consent changes recorded on either registration
    count for both, in the order they were made; undone, each registration has its own again."""
    from dataclasses import replace

    from desktop_app.services import consent
    from desktop_app.vault.registrations import save_registrations
    from tests.desk.people import person_draft

    def consenting(record: PersonRecord):
        draft = person_draft(record)
        return replace(draft, content=draft.content.replace(
            "<consent>", "<consent><consent_followup_contact>yes</consent_followup_contact>"))

    with signed_in(team, COORD) as vault:
        a, b = pair_of_people()
        save_registrations(vault, [consenting(a), consenting(b)])
        assert consent.contact_flags(vault, [a.id, b.id]) == {a.id: True, b.id: True}
        decision = desk.merge(vault, kept=a.id, merged=b.id)
        consent.withdraw(vault, b.id, ["followup_contact"])  # said at the merged registration's centre
        assert consent.contact_flags(vault, [a.id, b.id]) == {a.id: False, b.id: False}
        with pytest.raises(consent.ConsentRefused):
            consent.check_contact(vault, a.id)
        assert consent.show(vault, a.id).consent.of("followup_contact").status == "withdrawn"
        consent.give(vault, a.id, ["followup_contact"], method="signed")  # she agrees again, later
        assert consent.contact_flags(vault, [a.id, b.id]) == {a.id: True, b.id: True}
        desk.undo(vault, decision)  # two people after all: each registration's own changes only
        assert consent.contact_flags(vault, [a.id, b.id]) == {a.id: True, b.id: False}


def test_not_the_same_person_is_remembered(team):
    with signed_in(team, COORD) as vault:
        a, b = pair_of_people()
        save_people(vault, [a, b])
        generate(vault)
        desk.not_same(vault, a.id, b.id)
        assert desk.count_candidates(vault) == 0
        assert generate(vault) == 0
        [made] = desk.decisions_page(vault, offset=0, limit=10)
        assert made.kind == review.NOT_SAME and {made.a, made.b} == {a.id, b.id}


def test_only_reviewers_use_the_desk(team):
    with signed_in(team, FIELD) as vault:
        assert not desk.may_review(vault.roles)
        for call in (lambda: desk.count_conflicts(vault), lambda: desk.load_people(vault),
                     lambda: desk.candidates_page(vault, offset=0, limit=10),
                     lambda: desk.merge(vault, kept=new_id(), merged=new_id()),
                     lambda: desk.not_same(vault, new_id(), new_id())):
            with pytest.raises(AccessDenied):
                call()
    with signed_in(team, COORD) as vault:
        assert desk.may_review(vault.roles)


def test_advice_for_rejections_follows_the_refusal_code():
    """The advice comes from the refusal's code (ConflictRow.refusal), never from keywords of its English sentence;
    every code has its advice, and a refusal not known here (None) the general one."""
    assert set(review.ADVICE_BY_CODE) == set(refusals.CODES)
    assert review.advice_for(refusals.parse("not sendable: fields.x: String should have at most 100000 characters")) \
        == review.ADVICE_TOO_LONG
    assert review.advice_for(refusals.parse(refusals.other_centre())) == review.ADVICE_OTHER_CENTRE
    assert review.advice_for(refusals.parse(refusals.by_server("outside your scope (own) for delete"))) == \
        review.ADVICE_ALLOWED
    # a recipient kind whose name holds "form" is no unknown form version
    assert review.advice_for(refusals.parse(refusals.unknown_recipient("information_desk", ["providers"]))) == \
        review.ADVICE_DEFAULT
    assert review.advice_for(None) == review.ADVICE_DEFAULT
    assert review.advice_for(refusals.Refusal("a_newer_code")) == review.ADVICE_DEFAULT
