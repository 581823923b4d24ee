"""The refusal sentences of a push result read back as their code and values (waypoint_core/protocol/refusals.py):
every refusal the access policy can give, the consent refusals, another centre's record, the laptop's own "not
sendable", and the exact sentences servers have always written, so an older server's refusals are read too."""

from __future__ import annotations

import pytest

from waypoint_core.access import consent, policy
from waypoint_core.protocol import refusals
from waypoint_core.protocol.refusals import Refusal, parse


def test_every_refusal_of_the_access_policy_reads_back_with_its_values():
    outside = policy.RecordFacts(kind=policy.REGISTRATION, owner="someone else", centre="elsewhere", region="far")
    seen = set()
    for roles in ([], *([role] for role in policy.ROLES), list(policy.ROLES[:2])):
        actor = policy.Actor.of("me", roles, centre="here", region="near")
        for action in policy.ACTIONS:
            for subject in ("registration", "case", "organisation"):
                decision = policy.decide(actor, action, subject, outside)
                if decision.allowed:
                    continue
                found = parse(refusals.by_server(decision.reason))
                assert found is not None, decision.reason
                if decision.scope is None:
                    assert found == Refusal(refusals.NOT_ALLOWED, {
                        "roles": ", ".join(sorted(actor.roles)), "action": action.replace("_", " "),
                        "subject": subject})
                else:
                    assert found == Refusal(refusals.OUTSIDE_SCOPE, {"scope": decision.scope,
                                                                     "action": action.replace("_", " ")})
                seen.add(found.code)
    assert seen == {refusals.NOT_ALLOWED, refusals.OUTSIDE_SCOPE}


@pytest.mark.parametrize("purpose", consent.PURPOSES)
@pytest.mark.parametrize("status", ["refused", "withdrawn", "not_recorded"])
def test_consent_refusals_read_back(purpose, status):
    assert parse(refusals.no_consent(purpose, status)) == Refusal(refusals.NO_CONSENT,
                                                                  {"purpose": purpose, "status": status})


def test_the_sentences_servers_have_always_written_are_read():
    assert parse("this record belongs to another centre") == Refusal(refusals.OTHER_CENTRE)
    assert parse("refused by the server: field_staff: not allowed to create (case)") == Refusal(
        refusals.NOT_ALLOWED, {"roles": "field_staff", "action": "create", "subject": "case"})
    assert parse("refused by the server: outside your scope (own) for delete") == Refusal(
        refusals.OUTSIDE_SCOPE, {"scope": "own", "action": "delete"})
    assert parse("refused by the server: unknown recipient kind 'police' (one of providers, authorities, unhcr)") \
        == Refusal(refusals.UNKNOWN_RECIPIENT, {"kind": "police"})
    assert parse(refusals.unknown_recipient("police", consent.RECIPIENTS)) == Refusal(refusals.UNKNOWN_RECIPIENT,
                                                                                      {"kind": "police"})
    assert parse("refused by the server: the person has not consented to this sharing (share_providers: consent "
                 "not recorded)") == Refusal(refusals.NO_CONSENT, {"purpose": "share_providers",
                                                                   "status": "not_recorded"})
    assert parse("not sendable: fields.narrative: String should have at most 100000 characters") == Refusal(
        refusals.NOT_SENDABLE, {"field": "fields.narrative", "detail": "String should have at most 100000 characters"})


@pytest.mark.parametrize("message", ["", None, "rejected", "rejected by the server", "a newer server's reason",
                                     "refused by the server: something new"])
def test_a_sentence_not_known_is_none(message):
    assert parse(message) is None


def test_what_the_server_sends_gives_the_code_and_values_its_sentence_reads_back_as():
    """The server sends each refusal's code and values beside its sentence (OpResult.code, code_values), built
    together (refusals.Refused): for every refusal the access policy can give, the consent refusals and another
    centre's record, they are what `parse` (the fallback for refusals without a code) reads from the sentence."""
    outside = policy.RecordFacts(kind=policy.REGISTRATION, owner="someone else", centre="elsewhere", region="far")
    sent = [refusals.refused_other_centre(), refusals.refused_unknown_recipient("police", consent.RECIPIENTS),
            *(refusals.refused_no_consent(purpose, status) for purpose in consent.PURPOSES
              for status in ("refused", "withdrawn", "not_recorded"))]
    for roles in ([], *([role] for role in policy.ROLES), list(policy.ROLES[:2])):
        actor = policy.Actor.of("me", roles, centre="here", region="near")
        for action in policy.ACTIONS:
            for subject in ("registration", "case", "organisation"):
                decision = policy.decide(actor, action, subject, outside)
                if not decision.allowed:
                    sent.append(refusals.refused_by_policy(decision.reason, roles=actor.roles, action=action,
                                                           subject=subject, scope=decision.scope))
    assert {said.refusal.code for said in sent} == set(refusals.CODES) - {refusals.NOT_SENDABLE}
    for said in sent:
        assert parse(said.message) == said.refusal, said.message
