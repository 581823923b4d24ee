"""Records in the vault: form versions, pinning, the consent gate, extraction, finalized versions kept."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import text

from desktop_app.records.form_store import (
    FormNotInstalled,
    FormVersionConflict,
    install_form,
    latest_form,
    list_forms,
)
from desktop_app.records.instance import InstanceTemplate, serialize
from desktop_app.records.store import (
    RecordError,
    delete_record,
    open_record,
    record_history,
    save_record,
)
from desktop_app.vault.errors import PermissionDenied
from desktop_app.vault.registrations import get_registration, get_registration_fields

FORM_ID = "waypoint_migrant_registration"

PERSON = {
    "centre_page/centre_country": "NE", "centre_page/centre": "ne_agadez", "centre_page/registered_on": "2026-11-20",
    "consent/consent_given_by": "self", "consent/consent_services": "yes", "consent/legal_basis": "consent",
    "consent/may_record": "yes",
    "identity/given_name": "Testperson", "identity/family_name": "Synthetic", "identity/sex": "female",
    "identity/age_years": "24", "identity/age": "24", "identity/nationality": "ML",
    "identity/id_document_type": "passport", "identity/id_document_number": "X0000001",
    "identity/phone": "+22790000000", "group_info/travelling_alone": "no",
    "household_member": [{"member_name": "Childname Synthetic", "member_relationship": "child", "member_sex": "male",
                          "member_age": "4"}],
    "household_size": "2", "migration/beneficiary_category": "stranded", "intentions/intention": "return_avrr",
    "meta/instanceName": "Testperson Synthetic",
}
PERSONAL_PATHS = ["identity/given_name", "identity/family_name", "identity/sex", "identity/age_years",
                  "identity/nationality", "identity/id_document_number", "identity/phone",
                  "migration/beneficiary_category", "intentions/intention", "meta/instanceName"]


def instance(xform: str, answers: dict, *, version: str | None = None) -> str:
    root = InstanceTemplate.from_xform(xform).build(answers)
    if version is not None:
        root.set("version", version)
    meta = root.find("meta/instanceID")
    meta.text = "uuid:00000000-0000-4000-8000-000000000001"
    return serialize(root)


def with_version(xform: str, version: str) -> str:
    """The same form under another version (what a form writer's bump produces)."""
    return xform.replace('version="2026120701"', f'version="{version}"')


@pytest.fixture
def registration_xform(vault, shipped_xforms):
    xform = shipped_xforms["migrant_registration"]
    install_form(vault, xform=xform, source_name="migrant_registration.md")
    return xform


def test_install_is_idempotent_and_refuses_changed_content_under_the_same_version(vault, shipped_xforms):
    xform = shipped_xforms["migrant_registration"]
    first = install_form(vault, xform=xform, source_name="a.md")
    again = install_form(vault, xform=xform, source_name="a.md")
    assert first.newly_installed and not again.newly_installed
    with pytest.raises(FormVersionConflict, match="change 'version'"):
        install_form(vault, xform=xform.replace("Given name(s)", "First name"), source_name="a.md")
    v2 = install_form(vault, xform=with_version(xform, "2026120801"), source_name="a.md")
    assert [(f.form_id, f.version) for f in list_forms(vault)] == [(FORM_ID, "2026120701"), (FORM_ID, "2026120801")]
    assert latest_form(vault, FORM_ID).version == v2.version == "2026120801"


def test_field_staff_cannot_install_forms(vault, shipped_xforms):
    vault.add_user("moussa", "synthetic test passphrase 2", "field_staff")
    from desktop_app.vault import Vault
    staff = Vault.unlock(vault.path, username="moussa", passphrase="synthetic test passphrase 2")
    try:
        with pytest.raises(PermissionDenied):
            install_form(staff, xform=shipped_xforms["referral"])
    finally:
        staff.close()


def test_summary_and_search_fields_are_extracted(vault, registration_xform):
    saved = save_record(vault, form_id=FORM_ID, form_version="2026120701", status="finalized",
                        content=instance(registration_xform, PERSON))
    reg = get_registration(vault, saved.record_id)
    assert (reg.title, reg.sex, reg.age, reg.nationality, reg.centre, reg.registered_on) == (
        "Testperson Synthetic", "female", 24, "ML", "ne_agadez", "2026-11-20")
    fields = get_registration_fields(vault, saved.record_id)
    assert fields["given_name"] == "Testperson" and fields["id_document_number"] == "X0000001"
    assert fields["beneficiary_category"] == "stranded" and fields["household_size"] == "2"


def test_consent_refused_without_legal_basis_saves_no_personal_data(vault, registration_xform):
    # The engine would already have dropped these answers as non-relevant; the store must drop them anyway.
    refused = {**PERSON, "consent/consent_services": "no", "consent/legal_basis": "", "consent/may_record": "no"}
    saved = save_record(vault, form_id=FORM_ID, form_version="2026120701", status="finalized",
                        content=instance(registration_xform, refused))
    assert saved.personal_data_withheld
    reg = get_registration(vault, saved.record_id)
    root = ET.fromstring(reg.content)
    for path in PERSONAL_PATHS:
        assert not (root.findtext(path) or ""), path
    assert root.findall("household_member") == []
    assert "Testperson" not in reg.content and "X0000001" not in reg.content and "Childname" not in reg.content
    assert root.findtext("consent/consent_services") == "no"
    assert root.findtext("centre_page/centre") == "ne_agadez"
    assert root.findtext("meta/instanceID").startswith("uuid:")
    assert (reg.title, reg.sex, reg.age, reg.nationality) == (None, None, None, None)
    fields = get_registration_fields(vault, saved.record_id)
    assert all(v is None for k, v in fields.items()), fields


def test_consent_refused_but_another_legal_basis_keeps_the_data(vault, registration_xform):
    vital = {**PERSON, "consent/consent_services": "no", "consent/legal_basis": "vital_interest"}
    saved = save_record(vault, form_id=FORM_ID, form_version="2026120701", status="finalized",
                        content=instance(registration_xform, vital))
    assert not saved.personal_data_withheld
    assert "Testperson" in get_registration(vault, saved.record_id).content


def test_record_made_with_v1_reopens_with_v1_after_v2_is_installed(vault, registration_xform):
    saved = save_record(vault, form_id=FORM_ID, form_version="2026120701", status="draft",
                        content=instance(registration_xform, PERSON))
    v2 = with_version(registration_xform, "2026120801").replace("Given name(s)", "First name(s)")
    install_form(vault, xform=v2, source_name="migrant_registration.md")
    assert latest_form(vault, FORM_ID).version == "2026120801"
    reopened = open_record(vault, saved.record_id)
    assert reopened.form_version == "2026120701"
    assert "Given name(s)" in reopened.xform and "First name(s)" not in reopened.xform
    with pytest.raises(RecordError, match="must be edited with that version"):
        save_record(vault, record_id=saved.record_id, form_id=FORM_ID, form_version="2026120801",
                    status="draft", content=instance(v2, PERSON, version="2026120801"))


def test_a_record_for_a_version_not_installed_is_refused(vault, registration_xform):
    with pytest.raises(FormNotInstalled, match="not installed"):
        save_record(vault, form_id=FORM_ID, form_version="1999010101", status="draft",
                    content=instance(registration_xform, PERSON))


def test_instance_of_another_version_is_refused(vault, registration_xform):
    with pytest.raises(RecordError, match="was made with form"):
        save_record(vault, form_id=FORM_ID, form_version="2026120701", status="draft",
                    content=instance(registration_xform, PERSON, version="2026120801"))


def test_edits_after_finalize_are_kept_as_versions(vault, registration_xform):
    first = save_record(vault, form_id=FORM_ID, form_version="2026120701", status="finalized",
                        content=instance(registration_xform, PERSON))
    edited = {**PERSON, "intentions/intention": "stay"}
    save_record(vault, record_id=first.record_id, form_id=FORM_ID, form_version="2026120701", status="draft",
                content=instance(registration_xform, edited))
    again = save_record(vault, record_id=first.record_id, form_id=FORM_ID, form_version="2026120701",
                        status="finalized", content=instance(registration_xform, edited))
    unchanged = save_record(vault, record_id=first.record_id, form_id=FORM_ID, form_version="2026120701",
                            status="finalized", content=instance(registration_xform, edited))
    assert not unchanged.changed and unchanged.version == again.version == 3
    history = record_history(vault, first.record_id)
    assert [(h.version, h.status, h.current) for h in history] == [(1, "finalized", False), (3, "finalized", True)]
    assert "return_avrr" in history[0].content and "stay" in history[1].content
    assert get_registration_fields(vault, first.record_id)["intention"] == "stay"


def test_deleting_a_record_removes_its_kept_versions(vault, registration_xform):
    first = save_record(vault, form_id=FORM_ID, form_version="2026120701", status="finalized",
                        content=instance(registration_xform, PERSON))
    save_record(vault, record_id=first.record_id, form_id=FORM_ID, form_version="2026120701", status="draft",
                content=instance(registration_xform, {**PERSON, "identity/phone": ""}))
    delete_record(vault, first.record_id)
    with vault.session(readonly=True) as session:
        left = session.connection().exec_driver_sql("SELECT count(*) FROM registration_version").scalar()
    assert left == 0
    with pytest.raises(RecordError):
        open_record(vault, first.record_id)


def test_vot_case_refused_keeps_neither_the_person_link_nor_the_profile(vault, shipped_xforms):
    xform = shipped_xforms["vot_case"]
    install_form(vault, xform=xform, source_name="vot_case.md")
    answers = {"case_page/centre_country": "NE", "case_page/centre": "ne_agadez",
               "case_page/screening_date": "2026-11-20", "consent/consent_services": "no",
               "identification/person_ref": "WP-7F3A", "identification/sex": "female",
               "identification/trafficking_status": "ActualVictimOfTrafficking",
               "profile/type_of_exploitation": "SexualExploitation",
               "trafficking_event": [{"event_type": "Recruitment", "event_country": "NG"}]}
    saved = save_record(vault, form_id="waypoint_vot_case", form_version="2026120610", status="finalized",
                        content=instance(xform, answers))
    content = get_registration(vault, saved.record_id).content
    assert saved.personal_data_withheld
    for sensitive in ("WP-7F3A", "female", "ActualVictimOfTrafficking", "SexualExploitation", "Recruitment"):
        assert sensitive not in content
    assert "ne_agadez" in content and "2026-11-20" in content


def test_refusing_consent_after_finalize_drops_the_earlier_versions(vault, registration_xform):
    first = save_record(vault, form_id=FORM_ID, form_version="2026120701", status="finalized",
                        content=instance(registration_xform, PERSON))
    refused = {**PERSON, "consent/consent_services": "no", "consent/legal_basis": ""}
    later = save_record(vault, record_id=first.record_id, form_id=FORM_ID, form_version="2026120701",
                        status="finalized", content=instance(registration_xform, refused))
    assert later.personal_data_withheld
    history = record_history(vault, first.record_id)
    assert [(h.version, h.current) for h in history] == [(2, True)]
    assert all("Testperson" not in h.content for h in history)


def test_refusing_consent_leaves_one_queued_op_holding_nothing(vault, registration_xform):
    draft = save_record(vault, form_id=FORM_ID, form_version="2026120701", status="finalized",
                        content=instance(registration_xform, PERSON))
    refused = {**PERSON, "consent/consent_services": "no", "consent/legal_basis": ""}
    save_record(vault, record_id=draft.record_id, form_id=FORM_ID, form_version="2026120701",
                status="finalized", content=instance(registration_xform, refused))
    with vault.session(readonly=True) as session:
        rows = list(session.connection().execute(
            text("SELECT op, record_version, payload, wire FROM outbox WHERE record_id = :r"), {"r": draft.record_id}))
    assert rows == [("upsert", 2, "", None)]  # one op: "send the current (gated) state" when sync freezes it


def test_an_op_already_frozen_for_sync_carries_nothing_after_a_refusal(vault, registration_xform):
    import json

    from desktop_app.vault.writer import write

    draft = save_record(vault, form_id=FORM_ID, form_version="2026120701", status="finalized",
                        content=instance(registration_xform, PERSON))
    sent = {"op_id": "00000000-0000-4000-8000-00000000000a", "device_seq": 1, "op": "upsert",
            "fields": {"given_name": "Testperson", "id_document_number": "X0000001"},
            "content": instance(registration_xform, PERSON)}
    with write(vault) as w:  # what the sync client does when it freezes the op into a batch
        seq = w.pending_unfrozen([draft.record_id])[draft.record_id]
        w.freeze_ops([{"d": 1, "w": json.dumps(sent), "b": "batch-1", "s": seq, "p": json.dumps({"state": sent})}])
    refused = {**PERSON, "consent/consent_services": "no", "consent/legal_basis": ""}
    save_record(vault, record_id=draft.record_id, form_id=FORM_ID, form_version="2026120701",
                status="finalized", content=instance(registration_xform, refused))
    with vault.session(readonly=True) as session:
        rows = list(session.connection().execute(
            text("SELECT device_seq, payload, wire, batch_id FROM outbox WHERE record_id = :r ORDER BY seq"),
            {"r": draft.record_id}))
    # Still op 1 of batch-1 with the same op_id (a retry must carry it), but nothing of the person any more;
    # then the gated state, queued.
    frozen = json.loads(rows[0][2])
    assert (rows[0][0], rows[0][1], rows[0][3]) == (1, "", "batch-1")
    assert frozen == {**sent, "fields": {}, "content": None}
    assert rows[1] == (None, "", None, None)


def test_refusing_consent_drops_files_answered_before_but_keeps_the_audit(vault, registration_xform):
    """The service's rule, as the form screen saves: the record and its files in one call (one transaction)."""
    from desktop_app.services import records as record_service

    draft = record_service.save_draft(
        vault, form_id=FORM_ID, form_version="2026120701", content=instance(registration_xform, PERSON),
        files=[("passport.jpg", "image/jpeg", b"synthetic"), ("audit-1700000000000.csv", "text/csv", b"t")])
    refused = {**PERSON, "consent/consent_services": "no", "consent/legal_basis": ""}
    later = record_service.save_draft(
        vault, record_id=draft.record_id, form_id=FORM_ID, form_version="2026120701",
        content=instance(registration_xform, refused),
        files=[("scan.pdf", "application/pdf", b"synthetic"), ("audit-1700000000001.csv", "text/csv", b"t")])
    assert later.personal_data_withheld
    with vault.session(readonly=True) as session:
        names = sorted(row[0] for row in session.connection().execute(
            text("SELECT name FROM attachment WHERE record_id = :r"), {"r": draft.record_id}))
    assert names == ["audit-1700000000000.csv", "audit-1700000000001.csv"]


def test_the_records_store_alone_keeps_no_file_when_consent_is_refused(vault, registration_xform):
    """Without the service (which knows audit files hold no answers), a refusal erases every stored file."""
    from desktop_app.services import attachments

    draft = save_record(vault, form_id=FORM_ID, form_version="2026120701", status="draft",
                        content=instance(registration_xform, PERSON))
    attachments.save_attachments(vault, record_id=draft.record_id, files=[("passport.jpg", "image/jpeg", b"x")])
    refused = {**PERSON, "consent/consent_services": "no", "consent/legal_basis": ""}
    save_record(vault, record_id=draft.record_id, form_id=FORM_ID, form_version="2026120701",
                status="draft", content=instance(registration_xform, refused))
    assert attachments.list_attachments(vault, draft.record_id) == []
