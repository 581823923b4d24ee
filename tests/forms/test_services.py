"""Form and record use cases with the real engine: install, open, fill, finalize, reopen, consent refused."""

from __future__ import annotations

import json
import re
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from desktop_app.services import forms as form_service
from desktop_app.services import records as record_service
from desktop_app.vault.registrations import get_registration, get_registration_fields
from tests.vault.vault_testdata import acknowledged_by_server
from waypoint_core.xform import FormDefinition, FormSession

FORM_ID = "waypoint_migrant_registration"
FIXTURES = Path(__file__).parent / "fixtures"

ANSWERS = {
    "centre_page/centre_country": "ET", "centre_page/centre": "et_metema",
    "consent/consent_given_by": "self", "consent/consent_services": "yes", "consent/legal_basis": "consent",
    "consent/consent_share_providers": "yes", "consent/consent_share_authorities": "no",
    "consent/consent_share_unhcr": "no", "consent/consent_anonymous_reporting": "yes",
    "consent/consent_followup_contact": "yes", "consent/consent_matching": "yes",
    "consent/consent_method": "signed", "consent/interview_language": "am", "consent/interpreter_used": "no",
    "identity/given_name": "Enginefill", "identity/family_name": "Synthetic", "identity/sex": "female",
    "identity/date_of_birth": "2000-01-15", "identity/stateless_or_undetermined": "no",
    "identity/nationality": "ET", "identity/country_of_birth": "ET", "identity/origin_admin1": "ET-AM",
    "identity/id_document_type": "national_id", "identity/id_document_number": "ET-000-SYN",
    "group_info/travelling_alone": "no",
    "household_member[1]/member_name": "Memberone", "household_member[1]/member_relationship": "sibling",
    "household_member[1]/member_sex": "male", "household_member[1]/member_age": "19",
    "migration/beneficiary_category": "returnee", "migration/arrival_channel": "vhr_flight",
    "needs/specific_needs": "serious_medical", "needs/needs_referral": "yes",
    "intentions/intention": "stay",
}


def filled_session(new_form, answers) -> FormSession:
    from waypoint_core.xform import FormDefinition

    session = FormSession(FormDefinition.from_xml(new_form.xform), language="Français (fr)",
                          metadata={"username": "aissata", "deviceid": "test-device"})
    for ref, value in answers.items():
        session.answer(f"/data/{ref}", value)
    return session


def test_shipped_forms_install_once(vault):
    assert len(form_service.install_shipped_forms(vault)) == 5
    assert form_service.install_shipped_forms(vault) == []
    listed = form_service.list_installed_forms(vault)
    assert {f.form_id for f in listed} == {FORM_ID, "waypoint_vot_case", "waypoint_assistance_event",
                                           "waypoint_referral", "waypoint_info_session"}


def test_fill_finalize_and_reopen_with_the_engine(forms_vault):
    new_form = form_service.open_new_record_form(forms_vault, FORM_ID)
    session = filled_session(new_form, ANSWERS)
    assert session.finalize() == []
    saved = record_service.finalize(forms_vault, form_id=new_form.form_id, form_version=new_form.version,
                                    content=session.to_instance_xml())
    reg = get_registration(forms_vault, saved.record_id)
    assert (reg.sex, reg.nationality, reg.centre) == ("female", "ET", "et_metema")
    assert reg.age is not None and 20 <= reg.age <= 40  # computed from the date of birth by the engine
    assert get_registration_fields(forms_vault, saved.record_id)["household_size"] == "2"
    reopened = record_service.reopen(forms_vault, saved.record_id)
    again = reopened.session()
    assert again.node("/data/household_member[1]/member_name").value == "Memberone"
    assert again.validate() == []


def test_finalize_refuses_an_invalid_instance_and_lists_the_issues(forms_vault):
    new_form = form_service.open_new_record_form(forms_vault, FORM_ID)
    answers = {k: v for k, v in ANSWERS.items() if k != "intentions/intention"}
    session = filled_session(new_form, answers)
    with pytest.raises(record_service.RecordNotValid) as caught:
        record_service.finalize(forms_vault, form_id=FORM_ID, form_version=new_form.version,
                                content=session.to_instance_xml(include_nonrelevant=True))
    assert [i.ref for i in caught.value.issues] == ["/data/intentions/intention"]
    draft = record_service.save_draft(forms_vault, form_id=FORM_ID, form_version=new_form.version,
                                      content=session.to_instance_xml(include_nonrelevant=True))
    assert get_registration(forms_vault, draft.record_id).status == "draft"


def _every_save_refused(vault, version, session, record_id, base, refused):
    """The form's autosave (a draft), a Finalize, and the records store alone, each on `record_id` at `base`, are
    refused with `refused` (records.store's own class: the service's is the store's)."""
    from desktop_app.records import store
    from desktop_app.records.form_store import get_form_xform
    from desktop_app.records.schema import form_schema

    content = session.to_instance_xml(include_nonrelevant=True)
    with pytest.raises(refused):
        record_service.save_draft(vault, form_id=FORM_ID, form_version=version, content=content, record_id=record_id,
                                  base=base)
    with pytest.raises(refused):
        record_service.finalize(vault, form_id=FORM_ID, form_version=version, content=session.to_instance_xml(),
                                record_id=record_id, base=base)
    prepared = store.prepare_record(form_schema(get_form_xform(vault, FORM_ID, version)), form_id=FORM_ID,
                                    form_version=version, content=content)
    with pytest.raises(refused):
        store.write_record(vault, prepared, status="draft", record_id=record_id, base=base)


def test_a_draft_deleted_while_its_form_is_open_is_not_brought_back_by_the_next_save(forms_vault):
    """The form's autosave after the draft was deleted from the list (which leaves no row: it never travelled) is
    refused, and so is a Finalize: the person stays deleted. The records store alone refuses it too."""
    new_form = form_service.open_new_record_form(forms_vault, FORM_ID)
    session = filled_session(new_form, ANSWERS)
    content = session.to_instance_xml(include_nonrelevant=True)
    first = record_service.save_draft(forms_vault, form_id=FORM_ID, form_version=new_form.version, content=content,
                                      record_id=str(uuid.uuid4()))
    record_service.delete_draft(forms_vault, first.record_id)
    _every_save_refused(forms_vault, new_form.version, session, first.record_id, first.base,
                        record_service.RecordDeleted)
    assert get_registration(forms_vault, first.record_id) is None


def test_a_record_purged_by_retention_while_its_form_is_open_is_never_written_back(forms_vault):
    """The retention period purges a record whose form is open (after unlock, or hourly): the form's next save, a
    Finalize, or the records store alone are refused with RecordPurged, and the purge stays whole (no name back)."""
    from desktop_app.services import retention

    new_form = form_service.open_new_record_form(forms_vault, FORM_ID)
    session = filled_session(new_form, ANSWERS)
    saved = record_service.finalize(forms_vault, form_id=FORM_ID, form_version=new_form.version,
                                    content=session.to_instance_xml())
    opened = record_service.reopen(forms_vault, saved.record_id)  # the form, open
    acknowledged_by_server(forms_vault, saved.record_id)  # the server acknowledged it (what a sync does)
    retention.set_retention_days(forms_vault, 0)
    assert retention.apply_retention(forms_vault).record_ids == (saved.record_id,)
    stored = record_service.stored_version(forms_vault, saved.record_id)
    assert stored.purged and not stored.deleted and stored.version == opened.record.version

    edited = opened.session()
    edited.answer("/data/identity/given_name", "Enginefilled")
    _every_save_refused(forms_vault, new_form.version, edited, saved.record_id, opened.base,
                        record_service.RecordPurged)
    after = get_registration(forms_vault, saved.record_id)
    assert after.purged_at is not None and "Enginefill" not in after.content and after.status == "finalized"


def test_deleting_a_record_deleted_already_is_its_own_outcome(forms_vault):
    """Two windows delete the same draft, or a record whose deletion sync brought: the second deletion says the
    record was deleted already (RecordAlreadyDeleted), not a bare 'no record'."""
    new_form = form_service.open_new_record_form(forms_vault, FORM_ID)
    content = filled_session(new_form, ANSWERS).to_instance_xml(include_nonrelevant=True)
    draft = record_service.save_draft(forms_vault, form_id=FORM_ID, form_version=new_form.version, content=content)
    record_service.delete_draft(forms_vault, draft.record_id)
    for delete in (record_service.delete_draft, record_service.delete):
        with pytest.raises(record_service.RecordAlreadyDeleted, match="deleted already"):
            delete(forms_vault, draft.record_id)
    assert get_registration(forms_vault, draft.record_id) is None


def test_consent_refused_through_the_engine_saves_no_personal_data(forms_vault):
    new_form = form_service.open_new_record_form(forms_vault, FORM_ID)
    session = filled_session(new_form, ANSWERS)  # everything typed, then consent refused
    session.answer("/data/consent/legal_basis", "")
    session.answer("/data/consent/consent_services", "no")
    assert session.finalize() == []
    for draft in (False, True):  # even a draft that keeps non-relevant answers must not keep these
        content = session.to_instance_xml(include_nonrelevant=draft)
        saved = (record_service.save_draft if draft else record_service.finalize)(
            forms_vault, form_id=FORM_ID, form_version=new_form.version, content=content)
        stored = get_registration(forms_vault, saved.record_id).content
        for personal in ("Enginefill", "Synthetic", "2000-01-15", "ET-000-SYN", "Memberone", "returnee",
                         "serious_medical"):
            assert personal not in stored, (draft, personal)
        root = ET.fromstring(stored)
        assert root.findtext("consent/consent_services") == "no"
        assert not any((el.text or "").strip() for el in root.iter() if el.tag in ("sex", "nationality", "age"))


def test_a_form_with_a_broken_expression_is_refused_naming_it(forms_vault, tmp_path):
    with pytest.raises(form_service.FormFileError) as caught:
        form_service.add_form_file(forms_vault, FIXTURES / "broken_form.md")
    assert "sheet 'survey', row 4, column 'relevant'" in str(caught.value)
    bad_xpath = tmp_path / "bad_xpath.md"
    bad_xpath.write_text("| survey |\n| | type | name | label | constraint |\n| | integer | a | A | . < < 3 |\n"
                         "| settings |\n| | form_id | version |\n| | bad_xpath | 1 |\n", encoding="utf-8")
    with pytest.raises(form_service.FormFileError, match="engine cannot load"):
        form_service.add_form_file(forms_vault, bad_xpath)


def test_new_record_menu_offers_the_latest_version_of_each_form(forms_vault, shipped_xforms):
    from desktop_app.records.form_store import install_form

    install_form(forms_vault, xform=shipped_xforms["referral"].replace('version="2026120602"', 'version="2026120701"'))
    menu = {f.form_id: f.version for f in form_service.forms_for_new_records(forms_vault)}
    assert menu == {FORM_ID: "2026120701", "waypoint_vot_case": "2026120610",
                    "waypoint_assistance_event": "2026120602", "waypoint_referral": "2026120701",
                    "waypoint_info_session": "2026120701"}
    assert form_service.open_new_record_form(forms_vault, "waypoint_referral").version == "2026120701"


CITIES_FORM = """| survey |
| | type | name | label | choice_filter |
| | select_one region | region | Region | |
| | select_one_from_file cities.csv | city | City | region=${region} |
| choices |
| | list_name | name | label |
| | region | tahoua | Tahoua |
| | region | agadez | Agadez |
| settings |
| | form_id | version |
| | city_form | 1 |
"""


def test_a_csv_choice_list_is_kept_inside_the_installed_form(forms_vault, tmp_path):
    source = tmp_path / "city_form.md"
    source.write_text(CITIES_FORM, encoding="utf-8")
    with pytest.raises(form_service.FormFileError, match="uses the file cities.csv, which is not in"):
        form_service.add_form_file(forms_vault, source)
    (tmp_path / "cities.csv").write_text("name,label,region\nagadez_town,Agadez town,agadez\n"
                                         "arlit,Arlit,agadez\nkonni,Birni-N'Konni,tahoua\n", encoding="utf-8")
    form_service.add_form_file(forms_vault, source)
    (tmp_path / "cities.csv").unlink()  # nothing outside the vault is needed any more
    new_form = form_service.open_new_record_form(forms_vault, "city_form")
    assert "jr://file-csv" not in new_form.xform
    definition = FormDefinition.from_xml(new_form.xform)  # no media folder: the list is in the form itself
    assert definition.unsupported == []
    session = FormSession(definition)
    session.answer("/data/region", "agadez")
    assert [c.value for c in session.choices("/data/city")] == ["agadez_town", "arlit"]
    session.answer("/data/city", "arlit")
    assert session.finalize() == []


def test_a_form_without_a_version_installs_under_one_derived_from_its_content(forms_vault, tmp_path):
    # KoboToolbox and ODK Central accept forms without `version` (most real XLSForms have none); Central
    # writes a version into the XForm when one is needed (setVersion): so do we, derived from the content
    source = tmp_path / "no_version.md"
    source.write_text("| survey |\n| | type | name | label |\n| | text | place | Place |\n"
                      "| settings |\n| | form_id |\n| | no_version |\n", encoding="utf-8")
    added = form_service.add_form_file(forms_vault, source)
    version = added.form.version
    assert version.startswith("sha256-") and added.form.newly_installed
    assert any("has no version" in str(w) for w in added.warnings)
    xform = form_service.open_new_record_form(forms_vault, "no_version").xform
    assert f'version="{version}"' in xform
    again = form_service.add_form_file(forms_vault, source)  # the same file: the same version, nothing new
    assert again.form.version == version and not again.form.newly_installed
    source.write_text(source.read_text(encoding="utf-8").replace("Place", "Place of birth"), encoding="utf-8")
    changed = form_service.add_form_file(forms_vault, source)  # a changed file: a new version beside it
    assert changed.form.newly_installed and changed.form.version != version
    record = FormSession(FormDefinition.from_xml(xform))
    assert f'version="{version}"' in record.to_instance_xml()  # records say which version they were made with


ATTACHED_FORM = """| survey |
| | type | name | label | appearance | choice_filter |
| | select_one state | state | State | | |
| | select_one_external county | county | County | | state=${state} |
| | select_one fruit | fruit | Fruit | search('fruits') | |
| | select_one_from_file places.geojson | place | Place | map | |
| choices |
| | list_name | name | label |
| | state | a1 | Texas |
| | state | a2 | Washington |
| | fruit | name_key | name |
| external_choices |
| | list_name | name | label | state |
| | county | b1 | King | a2 |
| settings |
| | form_id | version |
| | attached_form | 1 |
"""


def test_search_external_select_and_geojson_files_travel_inside_the_installed_form(forms_vault, tmp_path):
    source = tmp_path / "attached_form.md"
    source.write_text(ATTACHED_FORM, encoding="utf-8")
    with pytest.raises(form_service.FormFileError) as refused:
        form_service.add_form_file(forms_vault, source)
    named = {re.search(r"uses the file (\S+), which", p.message).group(1) for p in refused.value.problems}
    assert named == {"places.geojson", "itemsets.csv", "fruits.csv"}
    (tmp_path / "itemsets.csv").write_text("list_name,name,label,state\ncounty,b1,King,a2\ncounty,b3,Cameron,a1\n",
                                           encoding="utf-8")
    (tmp_path / "fruits.csv").write_text("name_key,name\nmango,Mango\nkiwi,Kiwi\n", encoding="utf-8")
    (tmp_path / "places.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [2.1, 13.5]},
         "properties": {"id": "niamey", "title": "Niamey centre"}}]}), encoding="utf-8")
    form_service.add_form_file(forms_vault, source)
    for name in ("itemsets.csv", "fruits.csv", "places.geojson"):
        (tmp_path / name).unlink()  # nothing outside the vault is needed any more
    definition = FormDefinition.from_xml(form_service.open_new_record_form(forms_vault, "attached_form").xform)
    assert definition.unsupported == []
    session = FormSession(definition)
    session.answer("/data/state", "a2")
    assert [(c.value, c.label) for c in session.choices("/data/county")] == [("b1", "King")]
    assert [c.value for c in session.choices("/data/fruit")] == ["mango", "kiwi"]
    assert [(c.value, c.label) for c in session.choices("/data/place")] == [("niamey", "Niamey centre")]
    for ref, value in (("/data/county", "b1"), ("/data/fruit", "kiwi"), ("/data/place", "niamey")):
        session.answer(ref, value)
    assert session.finalize() == []
