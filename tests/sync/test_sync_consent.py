"""Consent withdrawn on one laptop, through the real server: the change travels as a record of its own form, the
server holds it, and the other laptop honours it from its next sync (no candidate pair, no duplicate warning, no
follow-up contact), with the withdrawal in the first laptop's audit log, which the server verifies."""

from __future__ import annotations

import pytest

from desktop_app.services import consent, desk
from desktop_app.services import sync as sync_service
from desktop_app.vault.models import CONSENT_FORM
from desktop_app.vault.registrations import get_registration, get_registration_fields
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
