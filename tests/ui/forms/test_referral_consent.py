"""The referral form helps the worker: a kind of recipient the person did not consent to is refused at Finalize
with a sentence at the recipient question (focused), every answer still on screen and kept; choosing a consented
kind then finalizes. Real vault on the database thread, the shipped forms, the real services' consent rule."""

from __future__ import annotations

import pytest

from desktop_app.services import records
from desktop_app.ui.forms.screen import FormScreen, OpenedForm
from desktop_app.vault.registrations import get_registration
from tests.access.team import PERSON, instance
from tests.ui.forms.test_form_screen import click
from waypoint_core.xform import FormDefinition

pytestmark = pytest.mark.gui

PERSON_ID = "0a100000-0000-4000-8000-000000000001"  # consented to providers, refused authorities and UNHCR
REFERRAL_ID = "0d200000-0000-4000-8000-000000000001"
ANSWERS = {
    "referral/person_ref": "WP-0A100000", "referral/centre_country": "NE", "referral/centre": "ne_agadez",
    "referral/recipient_kind": "providers", "referral/consent_checked": "consent", "referral/date_sent": "2026-11-20",
    "referral/from_org": "Centre team", "referral/to_org": "Legal aid office", "referral/service_type": "legal",
    "referral/reason": "AdditionalServicesRequired", "referral/urgency": "medium",
    "referral/data_shared_fields": "identity", "follow_up/status": "pending",
}


def test_a_refused_recipient_is_named_at_its_question_and_nothing_typed_is_lost(qtbot, db, shipped_xforms):
    migrant, referral = shipped_xforms["migrant_registration"], shipped_xforms["referral"]
    definition = FormDefinition.from_xml(referral)
    registration = FormDefinition.from_xml(migrant)
    db.call(qtbot, lambda vault: records.finalize(
        vault, form_id="waypoint_migrant_registration", form_version=registration.version, record_id=PERSON_ID,
        content=instance(migrant, PERSON, PERSON_ID)))
    draft = instance(referral, ANSWERS, REFERRAL_ID)
    db.call(qtbot, lambda vault: records.save_draft(vault, form_id="waypoint_referral",
                                                    form_version=definition.version, content=draft,
                                                    record_id=REFERRAL_ID))
    reopened = db.call(qtbot, lambda vault: records.reopen(vault, REFERRAL_ID))
    screen = FormScreen(opened=OpenedForm(definition, "waypoint_referral", definition.version, REFERRAL_ID,
                                          content=reopened.record.content, status="draft", base=reopened.base),
                        run_with_vault=db.run_with_vault, metadata={"username": "amina.admin"}, autosave_ms=60_000)
    qtbot.addWidget(screen)
    screen.resize(1100, 800)
    screen.show()
    view = screen.view

    click(qtbot, view, "/data/referral/recipient_kind", "authorities")
    with qtbot.waitSignal(screen.save_failed, timeout=20_000) as failed:
        screen.finalize_button.click()
    assert "share authorities: consent refused" in failed.args[0]
    text = screen.banner.text()
    assert screen.banner.isVisibleTo(screen)
    assert "has not consented to sharing their data with the national authorities" in text
    assert "said no to it at registration" in text and "Your answers are kept" in text
    kind = view.field("/data/referral/recipient_kind")
    assert view.current == view.page_of(kind)
    # every answer is still on screen; the record stays a draft, nothing finalized or sent
    assert screen.session.value("/data/referral/to_org") == "Legal aid office"
    assert screen.session.value("/data/referral/recipient_kind") == "authorities" and screen.dirty
    assert db.call(qtbot, lambda vault: get_registration(vault, REFERRAL_ID)).status == "draft"

    click(qtbot, view, "/data/referral/recipient_kind", "providers")
    with qtbot.waitSignal(screen.finalized, timeout=20_000):
        screen.finalize_button.click()
    stored = db.call(qtbot, lambda vault: get_registration(vault, REFERRAL_ID))
    assert stored.status == "finalized" and "<recipient_kind>providers</recipient_kind>" in stored.content
    assert "<to_org>Legal aid office</to_org>" in stored.content
