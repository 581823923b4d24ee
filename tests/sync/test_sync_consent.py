"""Consent withdrawn on one laptop, through the real server: the change travels as a record of its own form, the
server holds it, and the other laptop honours it from its next sync (no candidate pair, no duplicate warning, no
follow-up contact), with the withdrawal in the first laptop's audit log, which the server verifies."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text

from desktop_app.services import consent, desk
from desktop_app.services import sync as sync_service
from desktop_app.vault.models import CONSENT_FORM
from desktop_app.vault.registrations import get_registration, get_registration_fields, save_registrations
from desktop_app.vault.writer import RegistrationDraft
from tests.desk.people import save_people
from tests.desk.test_desk_review import generate, pair_of_people
from tests.sync.support import fast_connect
from tests.sync.test_sync_desk import as_coordinator


def test_a_withdrawal_reaches_the_server_and_the_other_laptop(enrolled):
    a, b = enrolled("consent-a"), enrolled("consent-b")
    kept, other = pair_of_people()
    save_people(a, [kept, other])
    consent.give(a, kept.id, ["followup_contact"], method="signed")  # not asked by these registrations: given later
    sync_service.sync_now(a, connect=fast_connect())
    coordinator = as_coordinator(b)
    try:
        sync_service.sync_now(coordinator, connect=fast_connect())
        assert generate(coordinator) == 1
        assert consent.contact_flags(coordinator, [kept.id]) == {kept.id: True}

        view = consent.withdraw(a, kept.id, ["matching", "services"])
        assert view.consent.withdrawn == ("services", "matching")
        change = view.changes[-1]
        sync_service.sync_now(a, connect=fast_connect())
        assert get_registration(a, change.change_id).sync_state == "acknowledged"  # the server holds it

        sync_service.sync_now(coordinator, connect=fast_connect())
        pulled = get_registration(coordinator, change.change_id)
        assert pulled is not None and pulled.form_id == CONSENT_FORM
        assert get_registration_fields(coordinator, change.change_id)["consent_person"] == kept.id
        # honoured from this sync on: the pair went with the pull, a new generation leaves them out
        assert desk.count_candidates(coordinator) == 0 and generate(coordinator) == 0
        now = consent.show(coordinator, kept.id).consent
        assert not now.allows("matching") and now.of("matching").withdrawn_by == "admin"
        assert consent.contact_flags(coordinator, [kept.id]) == {kept.id: False}
        with pytest.raises(consent.ConsentRefused):
            consent.check_contact(coordinator, kept.id)
    finally:
        coordinator.close()


def _referral(person_id: str, *, to_org: str = "Clinic", status: str = "pending", record_id: str | None = None,
              kind: str | None = None) -> str:
    """A referral as a laptop that has not pulled the withdrawal yet saves it (written as the shipped form does:
    version 2026120601 without the recipient question, which means service providers, unless `kind` is given)."""
    record_id = record_id or str(uuid.uuid4())
    version, asked = ("2026120601", "") if kind is None else ("2026120602", f"<recipient_kind>{kind}</recipient_kind>")
    return (f'<data id="waypoint_referral" version="{version}"><referral><person_ref>WP-{person_id[:8].upper()}'
            f"</person_ref>{asked}<consent_checked>consent</consent_checked><to_org>{to_org}</to_org>"
            f"<data_shared_fields>identity</data_shared_fields></referral><follow_up><status>{status}</status>"
            f"</follow_up><meta><instanceID>uuid:{record_id}</instanceID></meta></data>")


def _save_referral(vault, person_id: str, record_id: str, **kw) -> None:
    version = "2026120601" if kw.get("kind") is None else "2026120602"
    save_registrations(vault, [RegistrationDraft("waypoint_referral", version, "finalized",
                                                 _referral(person_id, record_id=record_id, **kw), record_id,
                                                 {"person_ref": f"WP-{person_id[:8].upper()}"})])


def test_the_server_refuses_a_referral_from_a_laptop_that_has_not_pulled_the_withdrawal(enrolled, backend):
    a, b = enrolled("share-a"), enrolled("share-b")
    person, _ = pair_of_people()
    save_people(a, [person])
    consent.give(a, person.id, ["share_providers"], method="signed")
    sync_service.sync_now(a, connect=fast_connect())
    sync_service.sync_now(b, connect=fast_connect())
    made_before = str(uuid.uuid4())
    _save_referral(b, person.id, made_before)  # consented: the server applies it
    assert sync_service.sync_now(b, connect=fast_connect()).rejected == 0

    consent.withdraw(a, person.id, ["share_providers"])
    sync_service.sync_now(a, connect=fast_connect())
    # b has not pulled the withdrawal: a new referral, and the old one sent to another organisation, are refused
    _save_referral(b, person.id, str(uuid.uuid4()))
    _save_referral(b, person.id, made_before, to_org="Another clinic")
    summary = sync_service.sync_now(b, connect=fast_connect())
    assert summary.rejected == 2, summary.rejected_messages
    assert all("not consented to this sharing (share_providers: consent withdrawn)" in m
               for m in summary.rejected_messages)
    # recording the outcome of the referral made before the withdrawal is not new sharing
    _save_referral(b, person.id, made_before, status="accepted")
    assert sync_service.sync_now(b, connect=fast_connect()).rejected == 0
    assert not consent.show(b, person.id).consent.allows("share_providers")  # b has the withdrawal now
    engine = create_engine(backend.admin_url)
    try:
        with engine.connect() as conn:
            refused = [r[0] for r in conn.execute(text(
                "SELECT detail FROM server_audit_entry WHERE event = 'push.consent_refused' ORDER BY seq"))]
    finally:
        engine.dispose()
    assert len(refused) == 2 and all("share_providers: consent withdrawn" in d for d in refused)


def test_the_server_refuses_a_referral_to_a_kind_of_recipient_the_person_did_not_consent_to(enrolled, backend):
    """The same rule as the laptop's, read from the referral's recipient question: a laptop whose own check was
    bypassed (records written under the services) still cannot send data to the authorities or UNHCR without the
    person's consent, nor to a recipient kind the rule does not know; service providers, consented, go through."""
    a = enrolled("kind-a")
    person, _ = pair_of_people()
    save_people(a, [person])
    consent.give(a, person.id, ["share_providers"], method="signed")  # providers only
    sync_service.sync_now(a, connect=fast_connect())
    to_provider, to_authorities, to_unhcr, to_police = (str(uuid.uuid4()) for _ in range(4))
    _save_referral(a, person.id, to_provider, kind="providers")
    _save_referral(a, person.id, to_authorities, kind="authorities")
    _save_referral(a, person.id, to_unhcr, kind="unhcr")
    _save_referral(a, person.id, to_police, kind="police")
    summary = sync_service.sync_now(a, connect=fast_connect())
    assert summary.rejected == 3, summary.rejected_messages
    messages = sorted(summary.rejected_messages)
    assert any("(share_authorities: consent not recorded)" in m for m in messages), messages
    assert any("(share_unhcr: consent not recorded)" in m for m in messages), messages
    assert any("unknown recipient kind 'police'" in m for m in messages), messages
    assert get_registration(a, to_provider).sync_state == "acknowledged"
    engine = create_engine(backend.admin_url)
    try:
        with engine.connect() as conn:
            held = {r[0] for r in conn.execute(text("SELECT id FROM record WHERE form_id = 'waypoint_referral'"))}
            refused = [r[0] for r in conn.execute(text(
                "SELECT detail FROM server_audit_entry WHERE event = 'push.consent_refused' ORDER BY seq"))]
    finally:
        engine.dispose()
    assert held & {to_provider, to_authorities, to_unhcr, to_police} == {to_provider}  # nothing refused reached it
    mine = [d for d in refused if any(i in d for i in (to_authorities, to_unhcr, to_police))]
    assert len(mine) == 3 and sum("share_authorities" in d or "share_unhcr" in d for d in mine) == 2


def test_the_server_refuses_a_referral_naming_the_kept_registration_after_a_withdrawal_on_the_merged_one(enrolled):
    """One woman registered twice, merged by a coordinator; she withdraws consent to sharing on the merged
    registration. A laptop that has not pulled that yet refers her under the kept registration's number: the server
    checked only the kept registration's own consent and applied it; now it applies the person's withdrawal."""
    a, b = enrolled("merged-share-a"), enrolled("merged-share-b")
    kept, merged = pair_of_people()
    save_people(a, [kept, merged])
    for person in (kept, merged):
        consent.give(a, person.id, ["share_providers"], method="signed")
    sync_service.sync_now(a, connect=fast_connect())
    coordinator = as_coordinator(enrolled("merged-share-coordinator"))
    try:
        sync_service.sync_now(coordinator, connect=fast_connect())
        desk.merge(coordinator, kept=kept.id, merged=merged.id)
        assert sync_service.sync_now(coordinator, connect=fast_connect()).rejected == 0
    finally:
        coordinator.close()
    sync_service.sync_now(b, connect=fast_connect())  # b holds both, and will not pull what follows before it refers

    consent.withdraw(a, merged.id, ["share_providers"])
    sync_service.sync_now(a, connect=fast_connect())
    _save_referral(b, kept.id, str(uuid.uuid4()))
    summary = sync_service.sync_now(b, connect=fast_connect())
    assert summary.rejected == 1, summary.rejected_messages
    assert "not consented to this sharing (share_providers: consent withdrawn)" in summary.rejected_messages[0]
    assert not consent.show(b, kept.id).consent.allows("share_providers")  # and b, once it has pulled, says so
