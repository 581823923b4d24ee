"""The case file's use cases on a real vault (issue 12 point 2): one timeline of a person's registration, events,
referrals, cases and status changes; an event or referral that names no one is refused by the records store whoever
saves it; close and reopen with a reason, as records that would sync and entries of the audit log; the next
appointment and open referrals; field staff never see a trafficking case in it."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from desktop_app.records.store import RecordError
from desktop_app.services import audit, casefile, records, registrations
from desktop_app.vault.models import CASE_STATUS_FORM
from desktop_app.vault.registrations import get_registration
from tests.access.team import (
    CASE,
    CASE_ANSWERS,
    COORD,
    FIELD,
    MIGRANT,
    PASSPHRASES,
    PERSON,
    VOT,
    instance,
    make_team,
    shipped_xforms,
    signed_in,
)

EVENT, REFERRAL = "waypoint_assistance_event", "waypoint_referral"


@pytest.fixture(scope="module")
def xforms():
    return shipped_xforms()


@pytest.fixture
def team(tmp_path, xforms):
    return make_team(tmp_path / "case-vault", xforms)


def version_of(xform: str) -> str:
    import re

    return re.search(r'<data [^>]*version="([^"]+)"', xform).group(1)


def register(vault, xforms) -> str:
    record_id = str(uuid.uuid4())
    answers = {**PERSON, "centre_page/registered_on": "2026-11-01"}
    records.finalize(vault, form_id=MIGRANT, form_version=version_of(xforms["migrant_registration"]),
                     content=instance(xforms["migrant_registration"], answers, record_id), record_id=record_id)
    return record_id


def add_event(vault, xforms, person_ref: str, *, kind="food", day="2026-11-21", next_appointment=""):
    answers = {"event/person_ref": person_ref, "event/centre_country": "NE", "event/centre": "ne_agadez",
               "event/event_date": day, "event/assistance_type": kind, "event/modality": "in_kind",
               "event/unit": "meals"}
    if next_appointment:
        answers["event/next_appointment"] = next_appointment
    record_id = str(uuid.uuid4())
    xform = xforms["assistance_event"]
    return records.finalize(vault, form_id=EVENT, form_version=version_of(xform),
                            content=instance(xform, answers, record_id), record_id=record_id).record_id


def add_referral(vault, xforms, person_ref: str, *, status="pending", service="legal"):
    answers = {"referral/person_ref": person_ref, "referral/centre_country": "NE", "referral/centre": "ne_agadez",
               "referral/consent_checked": "consent", "referral/date_sent": "2026-11-22",
               "referral/from_org": "Centre", "referral/to_org": "Legal aid clinic", "referral/service_type": service,
               "referral/reason": "AdditionalServicesRequired", "referral/urgency": "medium",
               "referral/data_shared_fields": "identity", "referral/recipient_kind": "providers",
               "follow_up/status": status}
    if status != "pending":
        answers["follow_up/outcome_date"] = "2026-11-23"
    record_id = str(uuid.uuid4())
    xform = xforms["referral"]
    return records.finalize(vault, form_id=REFERRAL, form_version=version_of(xform),
                            content=instance(xform, answers, record_id), record_id=record_id).record_id


def test_an_event_or_referral_naming_no_one_is_refused_by_the_store(team, xforms):
    with signed_in(team, FIELD) as vault:
        person = register(vault, xforms)
        with pytest.raises(RecordError, match="registration number 'NOPE1234'"):
            add_event(vault, xforms, "NOPE1234")
        with pytest.raises(RecordError, match="no person registered"):
            add_referral(vault, xforms, "WP-0BADF00D")
        event = add_event(vault, xforms, f"WP-{casefile.short_id(person)}")  # as the list shows it, any case
        assert add_event(vault, xforms, casefile.short_id(person).lower())
        with pytest.raises(RecordError):  # an event is not a person
            add_event(vault, xforms, casefile.short_id(event))
        with pytest.raises(casefile.NotAPerson):
            casefile.case_file(vault, event)
        records.delete(vault, person)
        with pytest.raises(RecordError):  # the person was deleted: nobody to point at
            add_event(vault, xforms, casefile.short_id(person))


def test_one_timeline_with_next_appointment_and_open_referrals(team, xforms):
    with signed_in(team, FIELD) as vault:
        person = register(vault, xforms)
        other = register(vault, xforms)
        short = casefile.short_id(person)
        add_event(vault, xforms, short, kind="food", day="2026-11-21", next_appointment="2026-12-20")
        add_event(vault, xforms, short, kind="health_primary", day="2026-11-25", next_appointment="2026-12-10")
        add_event(vault, xforms, short, kind="accommodation", day="2026-11-20", next_appointment="2026-11-30")
        add_referral(vault, xforms, short, status="pending")
        add_referral(vault, xforms, short, status="completed", service="health_referral")
        add_event(vault, xforms, casefile.short_id(other), kind="legal")  # someone else's
        found = casefile.case_file(vault, person, today=date(2026, 12, 1))
    assert found.person.record_id == person and found.person.short_id == short
    assert [e.kind for e in found.entries] == ["registration", "event", "event", "referral", "referral", "event"]
    assert [e.what for e in found.entries if e.kind == "event"] == ["accommodation", "food", "health_primary"]
    assert found.state == casefile.OPEN and not found.closed
    # the nearest appointment from today on (the one of 30 November has passed)
    assert found.next_appointment is not None and found.next_appointment.detail["next_appointment"] == "2026-12-10"
    assert [(e.what, e.detail["status"]) for e in found.open_referrals] == [("legal", "pending")]
    assert found.open_referrals[0].detail["to_org"] == "Legal aid clinic"


def test_close_and_reopen_with_a_reason_are_records_that_sync_and_are_audited(team, xforms):
    with signed_in(team, FIELD) as vault:
        person = register(vault, xforms)
        with pytest.raises(casefile.CaseStatusError, match="reason must be one of"):
            casefile.close_case(vault, person, reason="bored")
        with pytest.raises(casefile.CaseStatusError, match="note"):
            casefile.close_case(vault, person, reason="other")
        with pytest.raises(casefile.CaseStatusError, match="not closed"):
            casefile.reopen_case(vault, person, reason="came_back")
        closed = casefile.close_case(vault, person, reason="onward", note="left for Arlit")
        with pytest.raises(casefile.CaseStatusError, match="already closed"):
            casefile.close_case(vault, person, reason="onward")
        now = casefile.case_file(vault, person)
        assert now.closed and now.state_reason == "onward"
        [status] = [e for e in now.entries if e.kind == "status"]
        assert (status.what, status.detail["reason"], status.detail["note"], status.by) == \
            ("closed", "onward", "left for Arlit", FIELD)
        stored = get_registration(vault, closed)
        assert stored.form_id == CASE_STATUS_FORM and stored.status == "finalized" and stored.sync_state == "queued"
        assert stored.centre == "ne_agadez"  # the server scopes it like the person
        casefile.reopen_case(vault, person, reason="came_back")
        again = casefile.case_file(vault, person)
        assert again.state == casefile.OPEN and again.state_reason == "came_back"
        assert [e.what for e in again.entries if e.kind == "status"] == ["closed", "reopened"]
        # status changes are never people: not listed, not counted
        assert {row.record_id for row in registrations.list_page(vault, offset=0, limit=50)} == {person}
        assert registrations.list_counts(vault).total == 1
    with signed_in(team, COORD) as vault:
        logged = [(e.event, e.record_id) for e in audit.entries(vault, limit=1000)]
    assert ("case.closed", person) in logged and ("case.reopened", person) in logged


def test_field_staff_never_see_a_trafficking_case_in_the_case_file(team, xforms):
    with signed_in(team, FIELD) as vault:
        person = register(vault, xforms)
    with signed_in(team, CASE) as vault:
        case_id = str(uuid.uuid4())
        answers = {**CASE_ANSWERS, "identification/person_ref": casefile.short_id(person)}
        records.finalize(vault, form_id=VOT, form_version=version_of(xforms["vot_case"]),
                         content=instance(xforms["vot_case"], answers, case_id), record_id=case_id)
        seen = casefile.case_file(vault, person)
        [case] = [e for e in seen.entries if e.kind == "case"]
        assert case.what == "ActualVictimOfTrafficking" and seen.hidden == 0
    with signed_in(team, FIELD) as vault:
        seen = casefile.case_file(vault, person)
    assert [e.kind for e in seen.entries] == ["registration"] and seen.hidden == 1


def test_a_coordinator_may_close_a_case_of_their_region(team, xforms):
    with signed_in(team, FIELD) as vault:
        person = register(vault, xforms)
    with signed_in(team, COORD) as vault:
        assert casefile.case_file(vault, person).person.record_id == person
        # coordinators edit registrations in their region: this laptop has no place, so nothing narrows them
        casefile.close_case(vault, person, reason="returned")


def test_link_defaults_name_the_person_question_of_events_and_referrals(xforms):
    from waypoint_core.xform import FormDefinition

    person = "1a2b3c4d-0000-4000-8000-000000000001"
    event = FormDefinition.from_xml(xforms["assistance_event"])
    referral = FormDefinition.from_xml(xforms["referral"])
    assert casefile.link_defaults(event, person) == {"/data/event/person_ref": "1A2B3C4D"}
    assert casefile.link_defaults(referral, person) == {"/data/referral/person_ref": "1A2B3C4D"}
    assert casefile.names_a_person(event) and not casefile.names_a_person(
        FormDefinition.from_xml(xforms["migrant_registration"]))


def test_the_case_file_says_when_the_person_may_not_be_contacted(team, xforms):
    from desktop_app.services import consent

    with signed_in(team, FIELD) as vault:
        person = register(vault, xforms)
        assert casefile.case_file(vault, person).may_contact
        consent.withdraw(vault, person, ["followup_contact"])
        seen = casefile.case_file(vault, person)
    assert not seen.may_contact
    # the withdrawal is on the timeline too
    [change] = [e for e in seen.entries if e.kind == "consent"]
    assert (change.what, change.detail["purposes"], change.by) == ("withdraw", "followup_contact", FIELD)


def test_cli_case_show_close_reopen(team, xforms, tmp_path, capsys):
    import json

    from desktop_app.cli import main

    with signed_in(team, FIELD) as vault:
        person = register(vault, xforms)
        add_event(vault, xforms, casefile.short_id(person), next_appointment="2099-01-15")
    secret = tmp_path / "field.pass"
    secret.write_text(PASSPHRASES[FIELD])
    who = ["--vault", str(team), "--user", FIELD, "--passphrase-file", str(secret)]
    short = "WP-" + casefile.short_id(person)
    assert main(["case", "show", short, *who]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["person"]["record_id"] == person and shown["state"] == "open"
    assert shown["next_appointment"] == "2099-01-15"
    assert [e["kind"] for e in shown["timeline"]] == ["registration", "event"]
    assert main(["case", "close", short, "--reason", "other", *who]) == 2  # "other" needs a note
    assert "note" in capsys.readouterr().err
    assert main(["case", "close", short, "--reason", "deceased", *who]) == 0
    assert capsys.readouterr().out.split() == [casefile.short_id(person), "closed", "deceased"]
    assert main(["case", "reopen", short, "--reason", "closed_by_mistake", *who]) == 0
    assert "open" in capsys.readouterr().out
    assert main(["case", "show", "NOPE1234", *who]) == 2


def test_a_printed_case_file_is_recorded_in_the_audit_log(team, xforms):
    """Issue 11 point 4: every print is recorded ("record.print", the person's id), through the service layer."""
    with signed_in(team, FIELD) as vault:
        person = register(vault, xforms)
        casefile.record_print(vault, person)
        with pytest.raises(casefile.NotAPerson):
            casefile.record_print(vault, str(uuid.uuid4()))
    with signed_in(team, COORD) as vault:
        printed = [(e.event, e.outcome, e.actor, e.record_id) for e in audit.entries(vault, limit=1000)
                   if e.event == audit.PRINT]
    assert printed == [("record.print", "allowed", FIELD, person)]


def test_an_event_naming_the_person_in_any_case_the_store_accepts_is_on_their_timeline(team, xforms):
    """The store accepts `WP-1a2b3c4d` (ref_key ignores case): the case file and the review desk find it too, where
    such an event was saved and then on no one's timeline."""
    with signed_in(team, FIELD) as vault:
        person = register(vault, xforms)
        short = casefile.short_id(person)
        written = [f"WP-{short.lower()}", f"wp-{short}", person.upper(), short]
        for ref in written:
            add_event(vault, xforms, ref)
        found = casefile.case_file(vault, person, today=date(2026, 12, 1))
    assert [e.kind for e in found.entries].count("event") == len(written)
