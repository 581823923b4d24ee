"""Consent as data (issue 11 point 5): consent per purpose from the registration, withdrawn or given again afterwards,
and checked by the features: from the moment of a withdrawal no duplicate matching (desk candidates, the warning
before finalizing), no referral shared with that kind of recipient, no follow-up contact, no record-level export;
the audit log shows the withdrawal and each refusal. Real vault, real services, the shipped forms."""

from __future__ import annotations

import csv
import json

import pytest

from desktop_app.cli import main
from desktop_app.services import audit, consent, desk, record_export, records, registrations, search
from desktop_app.vault.models import CONSENT_FORM
from desktop_app.vault.errors import InvalidInput
from desktop_app.vault.registrations import get_registration
from tests.access.team import ADMIN, COORD, FIELD, MIGRANT, PASSPHRASES, PERSON, instance, signed_in
from waypoint_core.access import consent as rule
from waypoint_core.xform import FormSession

REFERRAL = "waypoint_referral"
ONE = "0a000000-0000-4000-8000-000000000001"
TWIN = "0b000000-0000-4000-8000-000000000002"  # the same person registered again (a duplicate)
NEW = "0c000000-0000-4000-8000-000000000003"  # the same person about to be registered a third time
DUPLICATE = {**PERSON, "identity/id_document_type": "passport", "identity/id_document_number": "AB1234567"}
REFERRAL_ANSWERS = {
    "referral/centre_country": "NE", "referral/centre": "ne_agadez", "referral/recipient_kind": "providers",
    "referral/consent_checked": "consent",
    "referral/date_sent": "2026-11-20", "referral/from_org": "Centre team", "referral/to_org": "Clinic",
    "referral/service_type": "health_primary", "referral/reason": "AdditionalServicesRequired",
    "referral/urgency": "medium", "referral/data_shared_fields": "identity", "follow_up/status": "pending",
}


def _version(xforms, stem):
    return records.form_definition(xforms[stem]).version


def _register(vault, xforms, record_id, answers=DUPLICATE):
    return records.finalize(vault, form_id=MIGRANT, form_version=_version(xforms, "migrant_registration"),
                            record_id=record_id, content=instance(xforms["migrant_registration"], answers, record_id))


def _refer(vault, xforms, person, record_id, **extra):
    answers = {**REFERRAL_ANSWERS, "referral/person_ref": person.replace("-", "")[:8].upper(), **extra}
    return records.finalize(vault, form_id=REFERRAL, form_version=_version(xforms, "referral"), record_id=record_id,
                            content=instance(xforms["referral"], answers, record_id))


def _duplicate_warning(vault, xforms, record_id=NEW):
    return [r.record_id for r in search.possible_duplicates(
        vault, form_id=MIGRANT, form_version=_version(xforms, "migrant_registration"),
        content=instance(xforms["migrant_registration"], DUPLICATE, record_id), record_id=record_id)]


def _generate_candidates(vault) -> list[tuple[str, str]]:
    people, decided = desk.load_people(vault)
    desk.store_candidates(vault, desk.find_candidates(people, decided))
    return [(c.a, c.b) for c in desk.candidates_page(vault, offset=0, limit=50)]


def _consent_events(team) -> list[tuple[str, str, str, str | None, str]]:
    with signed_in(team, COORD) as vault:
        listed = audit.entries(vault, audit.Filter(event_prefix="record.consent"), limit=100)
    return [(e.actor, e.event, e.outcome, e.record_id, e.detail) for e in reversed(listed)]


# --- the rule ------------------------------------------------------------------------------------------------------


def test_the_rule_reads_the_answers_and_applies_changes_in_order():
    answers = {"consent_services": "yes", "consent_share_providers": "yes", "consent_share_authorities": "no",
               "consent_matching": "yes", "consent_followup_contact": "yes", "consent_method": "signed",
               "consent_date": "2026-11-02", "consent_given_by": "self"}
    base = rule.from_answers("p", answers)
    assert base.of("share_providers") == rule.PurposeConsent("share_providers", "given", "2026-11-02", "signed", "self")
    assert base.of("share_authorities").status == "refused" and base.of("share_unhcr").status == "not_recorded"
    assert base.allows_recipient("providers") and not base.allows_recipient("authorities")
    withdraw = rule.Change("c1", "p", rule.WITHDRAW, ("matching",), "2026-11-10T09:00:00Z", "fatou")
    again = rule.Change("c2", "p", rule.GIVE, ("matching",), "2026-11-12T09:00:00Z", "kofi", "thumbprint",
                        "2026-11-12")
    later = rule.apply(base, [again, withdraw])  # applied in the order they were made, whatever the order given
    assert later.allows("matching") and later.of("matching").method == "thumbprint"
    assert later.of("matching").date == "2026-11-12" and later.of("matching").changed_by == "kofi"
    stopped = rule.apply(base, [withdraw])
    assert not stopped.allows("matching") and stopped.withdrawn == ("matching",)
    assert stopped.of("matching").withdrawn_at == "2026-11-10T09:00:00Z" and stopped.of("matching").withdrawn_by == "fatou"
    everything = rule.apply(base, [rule.Change("c3", "p", rule.WITHDRAW, ("services",), "2026-11-11T00:00:00Z", "x")])
    assert not any(everything.allows(p) for p in rule.PURPOSES)  # withdrawing services stops every purpose
    refused = rule.from_answers("p", {"consent_services": "no"})
    assert all(refused.of(p).status == "refused" for p in rule.PURPOSES)
    assert rule.parse_purposes(["matching,share_providers", "matching"]) == ("share_providers", "matching")
    assert rule.parse_purposes(["all"]) == rule.PURPOSES
    with pytest.raises(rule.ConsentError):
        rule.parse_purposes(["everything"])
    with pytest.raises(rule.ConsentError):
        rule.check_change(stopped, rule.WITHDRAW, ("matching",))  # nothing left to withdraw
    with pytest.raises(rule.ConsentError):
        rule.check_change(stopped, rule.GIVE, ("matching",))  # how was it given?


# --- on the device -------------------------------------------------------------------------------------------------


def test_withdrawal_stops_matching_sharing_follow_up_and_export_at_once_and_is_audited(team, xforms, tmp_path):
    with signed_in(team, FIELD) as vault:
        _register(vault, xforms, ONE)
        _register(vault, xforms, TWIN)
        shown = consent.show(vault, ONE)
        assert [e.status for e in shown.consent.purposes] == ["given", "given", "refused", "refused", "given",
                                                              "given", "given"]
        assert shown.consent.of("matching").method == "signed" and shown.changes == ()
        # before: the duplicate warning names both, a referral to a provider is allowed, contact allowed
        assert set(_duplicate_warning(vault, xforms)) == {ONE, TWIN}
        made_before = "0d000000-0000-4000-8000-000000000001"
        _refer(vault, xforms, ONE, made_before)
        assert consent.check_contact(vault, ONE).allows("followup_contact")
        assert consent.contact_flags(vault, [ONE, TWIN]) == {ONE: True, TWIN: True}
    with signed_in(team, COORD) as vault:
        assert _generate_candidates(vault) == [(ONE, TWIN)]

    with signed_in(team, FIELD) as vault:
        view = consent.withdraw(vault, ONE, ["matching", "share_providers", "followup_contact", "reporting"])
        assert view.consent.withdrawn == ("share_providers", "reporting", "followup_contact", "matching")
        assert view.consent.of("matching").withdrawn_by == FIELD and view.consent.of("matching").withdrawn_at
        assert [(c.action, c.by) for c in view.changes] == [("withdraw", FIELD)]
        # matching: the warning before finalizing no longer names them, nor compares them when re-finalized
        assert _duplicate_warning(vault, xforms) == [TWIN]
        assert _duplicate_warning(vault, xforms, ONE) == []
        # sharing: a referral to a provider is refused
        with pytest.raises(consent.ConsentRefused, match="share providers: consent withdrawn"):
            _refer(vault, xforms, ONE, "0d000000-0000-4000-8000-000000000002")
        assert get_registration(vault, "0d000000-0000-4000-8000-000000000002") is None
        # the outcome of a referral made before the withdrawal may still be recorded; sending it elsewhere may not
        _refer(vault, xforms, ONE, made_before, **{"follow_up/status": "accepted",
                                                   "follow_up/outcome_date": "2026-11-21"})
        with pytest.raises(consent.ConsentRefused):
            _refer(vault, xforms, ONE, made_before, **{"referral/to_org": "Another clinic"})
        # not even on "another legal basis": the person said no
        with pytest.raises(consent.ConsentRefused):
            _refer(vault, xforms, ONE, "0d000000-0000-4000-8000-000000000003", **{
                "referral/consent_checked": "other_basis"})
        # follow-up contact: refused and flagged in a list
        with pytest.raises(consent.ConsentRefused, match="followup contact: consent withdrawn"):
            consent.check_contact(vault, ONE)
        assert consent.contact_flags(vault, [ONE, TWIN]) == {ONE: False, TWIN: True}
        # the change is a record of its own form, never listed or counted as a person
        rows = registrations.list_page(vault, offset=0, limit=50)
        assert {r.record_id for r in rows} == {ONE, TWIN, "0d000000-0000-4000-8000-000000000001"}
    with signed_in(team, COORD) as vault:
        # the desk's stored pair went with the withdrawal, and a new generation leaves them out
        assert desk.candidates_page(vault, offset=0, limit=50) == []
        assert _generate_candidates(vault) == []
        # record-level export: the person is left out, the other kept
        secret = "export passphrase of a dozen words"
        done = record_export.export_form(vault, form_id=MIGRANT, out=tmp_path / "people.csv", passphrase=secret)
        opened = record_export.open_export(done.path, secret, out_dir=tmp_path)
        ids = [row[0] for row in list(csv.reader(opened.read_text(encoding="utf-8").splitlines()))[1:]]
        assert ids == [TWIN]

    events = _consent_events(team)
    assert events[0] == (FIELD, "record.consent_withdrawn", "done", ONE,
                         "share_providers reporting followup_contact matching")
    assert (FIELD, "record.consent_refused", "refused", ONE, "referral: share_providers withdrawn") in events
    assert (FIELD, "record.consent_refused", "refused", ONE, "contact: followup_contact withdrawn") in events
    with signed_in(team, COORD) as vault:
        assert audit.verify(vault).broken is None


def test_a_referral_goes_only_to_a_kind_of_recipient_the_person_consented_to(team, xforms):
    """The referral form asks who receives the data; its choices are the rule's recipient kinds, each refused
    unless the person consented to sharing with that kind (PERSON: providers yes, authorities and UNHCR no)."""
    definition = records.form_definition(xforms["referral"])
    assert definition.version == "2026120602"
    kinds = [c.value for c in FormSession(definition).choices("/data/referral/recipient_kind")]
    assert kinds == list(rule.RECIPIENTS)
    with signed_in(team, FIELD) as vault:
        _register(vault, xforms, ONE)
        _refer(vault, xforms, ONE, "0d100000-0000-4000-8000-000000000001")  # service provider: consented
        for n, (kind, purpose) in enumerate((("authorities", "share authorities"), ("unhcr", "share unhcr")), 2):
            refused_id = f"0d100000-0000-4000-8000-00000000000{n}"
            with pytest.raises(consent.ConsentRefused, match=f"{purpose}: consent refused") as caught:
                _refer(vault, xforms, ONE, refused_id, **{"referral/recipient_kind": kind})
            assert caught.value.question == "recipient_kind" and caught.value.status == "refused"
            assert get_registration(vault, refused_id) is None
            # "another legal basis" does not stand where the person said no
            with pytest.raises(consent.ConsentRefused):
                _refer(vault, xforms, ONE, refused_id, **{"referral/recipient_kind": kind,
                                                          "referral/consent_checked": "other_basis"})
        consent.give(vault, ONE, ["share_unhcr"], method="signed")  # the person agrees later: now it goes
        _refer(vault, xforms, ONE, "0d100000-0000-4000-8000-000000000004", **{"referral/recipient_kind": "unhcr"})
        # a recipient the rule does not know is never shared with, whoever the person is
        old = instance(xforms["referral"], {**REFERRAL_ANSWERS, "referral/person_ref": "WP-FFFFFFFF"},
                       "0d100000-0000-4000-8000-000000000005").replace(
            "<recipient_kind>providers</recipient_kind>", "<recipient_kind>police</recipient_kind>")
        with pytest.raises(InvalidInput, match="unknown recipient kind 'police'"):
            consent.check_referral(vault, old)
    events = [(e[1], e[4]) for e in _consent_events(team)]
    assert events == [("record.consent_refused", "referral: share_authorities refused")] * 2 + [
        ("record.consent_refused", "referral: share_unhcr refused")] * 2 + [
        ("record.consent_given", "share_unhcr (signed)")]


def test_a_referral_of_the_form_version_before_the_question_is_one_to_service_providers():
    """Records made with version 2026120601 (no recipient question) keep opening with it, and the rule reads them
    as what that version meant: a referral to a service provider."""
    before = ('<data id="waypoint_referral" version="2026120601"><referral><person_ref>WP-0A000000</person_ref>'
              "<consent_checked>consent</consent_checked><to_org>Clinic</to_org></referral></data>")
    referral = rule.referral_of(before)
    assert referral is not None and referral.kind == "providers" and referral.purpose == "share_providers"
    consent_now = rule.from_answers("p", {"consent_services": "yes", "consent_share_providers": "no",
                                          "consent_share_unhcr": "yes"})
    assert rule.may_share(consent_now, referral) == (False, "refused")
    to_unhcr = rule.referral_of(before.replace("</to_org>", "</to_org><recipient_kind>unhcr</recipient_kind>"))
    assert to_unhcr is not None and rule.may_share(consent_now, to_unhcr) == (True, "given")
    assert to_unhcr.sharing != referral.sharing  # changing the recipient is new sharing, checked again


def test_consent_given_again_restores_matching_and_services_withdrawal_stops_everything(team, xforms):
    with signed_in(team, FIELD) as vault:
        _register(vault, xforms, ONE)
        _register(vault, xforms, TWIN)
        consent.withdraw(vault, ONE, ["matching"])
        assert _duplicate_warning(vault, xforms) == [TWIN]
        with pytest.raises(consent.ConsentChangeRefused, match="nothing to withdraw"):
            consent.withdraw(vault, ONE, ["matching"])
        with pytest.raises(consent.ConsentChangeRefused, match="say how consent was given"):
            consent.give(vault, ONE, ["matching"], method="")
        view = consent.give(vault, ONE, ["matching"], method="thumbprint")
        assert view.consent.allows("matching") and view.consent.of("matching").method == "thumbprint"
        assert set(_duplicate_warning(vault, xforms)) == {ONE, TWIN}
        # editing the registration does not undo a withdrawal: only a new consent does
        consent.withdraw(vault, TWIN, ["services"])
        _register(vault, xforms, TWIN)
        after = consent.show(vault, TWIN).consent
        assert not any(after.allows(p) for p in rule.PURPOSES)
        assert _duplicate_warning(vault, xforms) == [ONE]
    events = [(e[1], e[4]) for e in _consent_events(team)]
    assert events == [("record.consent_withdrawn", "matching"), ("record.consent_given", "matching (thumbprint)"),
                      ("record.consent_withdrawn", "services")]


def test_withdrawing_needs_the_edit_right_and_is_refused_otherwise(team, xforms):
    with signed_in(team, FIELD) as vault:
        _register(vault, xforms, ONE)
    with signed_in(team, ADMIN) as vault:  # administrators edit only their own registrations ... and see them
        shown = consent.show(vault, ONE)
        assert shown.consent.allows("matching")
    with signed_in(team, COORD) as vault:
        consent.withdraw(vault, ONE, ["matching"])  # a coordinator of the region may
    with signed_in(team, FIELD) as vault:
        assert not consent.show(vault, ONE).consent.allows("matching")
        with pytest.raises(Exception, match="no registration"):
            consent.show(vault, "0f000000-0000-4000-8000-00000000000f")


def test_cli_show_withdraw_give_contact(team, xforms, tmp_path, capsys):
    with signed_in(team, FIELD) as vault:
        _register(vault, xforms, ONE)
    secret = tmp_path / "field.pass"
    secret.write_text(PASSPHRASES[FIELD])
    who = ["--vault", str(team), "--user", FIELD, "--passphrase-file", str(secret)]
    short = "WP-" + ONE.replace("-", "")[:8].upper()
    assert main(["consent", "contact", short, *who]) == 0
    assert "may be contacted" in capsys.readouterr().out
    assert main(["consent", "withdraw", short, "--purpose", "followup_contact", "--purpose", "matching", *who]) == 0
    out = capsys.readouterr().out
    assert "followup_contact\twithdrawn\tnot allowed" in out and "matching\twithdrawn" in out
    assert main(["consent", "contact", short, *who]) == 1
    assert "do not contact: followup contact: consent withdrawn" in capsys.readouterr().out
    assert main(["consent", "withdraw", short, "--purpose", "matching", *who]) == 2
    assert "nothing to withdraw" in capsys.readouterr().err
    assert main(["consent", "give", short, "--purpose", "followup_contact", "--method", "verbal_witnessed", *who]) == 0
    capsys.readouterr()
    assert main(["consent", "show", short, "--json", *who]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["purposes"]["followup_contact"]["allowed"] and not shown["purposes"]["matching"]["allowed"]
    assert [c["action"] for c in shown["changes"]] == ["withdraw", "give"]
    with signed_in(team, FIELD) as vault:
        kept = [r for r in registrations.list_page(vault, offset=0, limit=10)]
        assert [r.record_id for r in kept] == [ONE]  # two consent changes, never listed
        assert CONSENT_FORM not in {r.form_id for r in kept}


def test_another_legal_basis_only_where_consent_was_never_recorded_and_audited(team, xforms):
    from tests.desk.people import save_people
    from tests.desk.test_desk_review import pair_of_people

    person, _ = pair_of_people()
    with signed_in(team, FIELD) as vault:
        save_people(vault, [person])  # a registration that never asked about sharing
        assert consent.show(vault, person.id).consent.of("share_providers").status == "not_recorded"
        with pytest.raises(consent.ConsentRefused, match="share providers: consent not recorded"):
            _refer(vault, xforms, person.id, "0e000000-0000-4000-8000-000000000001")
        _refer(vault, xforms, person.id, "0e000000-0000-4000-8000-000000000002",
               **{"referral/consent_checked": "other_basis"})
        consent.withdraw(vault, person.id, ["services"])
        with pytest.raises(consent.ConsentRefused, match="share providers: consent withdrawn"):
            _refer(vault, xforms, person.id, "0e000000-0000-4000-8000-000000000003",
                   **{"referral/consent_checked": "other_basis"})
    events = [(e[1], e[2], e[4]) for e in _consent_events(team)]
    assert events == [
        ("record.consent_refused", "refused", "referral: share_providers not_recorded"),
        ("record.consent_exception", "done",
         "referral 0e000000-0000-4000-8000-000000000002: share_providers by another legal basis"),
        ("record.consent_withdrawn", "done", "services"),
        ("record.consent_refused", "refused", "referral: share_providers withdrawn"),
    ]
