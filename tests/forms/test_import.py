"""`import_file`: Kobo CSV / JSON lines through the engine; any invalid row imports nothing, all errors listed."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET

import pytest

from desktop_app.records.importer import ImportFileError, import_file
from desktop_app.vault.registrations import count_registrations, count_unsynced, get_registration

FORM_ID = "waypoint_migrant_registration"
UUID_1 = "6f1c0c52-6a8e-4d3b-9f51-000000000001"
UUID_2 = "6f1c0c52-6a8e-4d3b-9f51-000000000002"

BASE = {
    "start": "2026-11-20T09:00:00.000+01:00", "end": "2026-11-20T09:20:00.000+01:00",
    "centre_page/centre_country": "NE", "centre_page/centre": "ne_arlit", "centre_page/registered_on": "2026-11-20",
    "consent/consent_given_by": "self", "consent/consent_services": "yes", "consent/legal_basis": "consent",
    "consent/may_record": "yes",
    "consent/consent_share_providers": "yes", "consent/consent_share_authorities": "no",
    "consent/consent_share_unhcr": "no", "consent/consent_anonymous_reporting": "yes",
    "consent/consent_followup_contact": "yes", "consent/consent_matching": "no",
    "consent/consent_method": "verbal_witnessed", "consent/consent_date": "2026-11-20",
    "consent/interview_language": "ha", "consent/interpreter_used": "no",
    "identity/given_name": "Importone", "identity/family_name": "Synthetic", "identity/sex": "male",
    "identity/age_years": "31", "identity/stateless_or_undetermined": "no", "identity/nationality": "NG",
    "identity/languages": "ha en", "identity/languages/ha": "1", "identity/languages/en": "1",
    "identity/id_document_type": "none", "group_info/travelling_alone": "yes",
    "migration/beneficiary_category": "expelled", "migration/arrival_channel": "expulsion_convoy",
    "needs/needs_referral": "no", "intentions/intention": "return_avrr", "intentions/return_country": "NG",
    "meta/instanceID": f"uuid:{UUID_1}", "_id": "101", "_uuid": UUID_1, "_submission_time": "2026-11-20T10:00:00",
}


def write_csv(path, rows, *, delimiter=";"):
    columns = list(dict.fromkeys(c for row in rows for c in row))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


def second_row(**changes):
    row = {**BASE, "identity/given_name": "Importtwo", "identity/sex": "female", "identity/age_years": "27",
           "meta/instanceID": f"uuid:{UUID_2}", "_uuid": UUID_2, "_id": "102"}
    row.update(changes)
    return row


def test_valid_csv_imports_every_row_with_outbox_rows(forms_vault, tmp_path):
    path = write_csv(tmp_path / "export.csv", [BASE, second_row()])
    report = import_file(forms_vault, form_id=FORM_ID, path=path)
    assert report.errors == [] and report.rows == 2
    assert sorted(report.imported) == [UUID_1, UUID_2]
    assert count_registrations(forms_vault, status="finalized") == 2 and count_unsynced(forms_vault) == 2
    reg = get_registration(forms_vault, UUID_1)
    assert (reg.title, reg.sex, reg.age, reg.nationality, reg.centre) == ("Importone Synthetic", "male", 31, "NG",
                                                                           "ne_arlit")
    root = ET.fromstring(reg.content)
    assert root.findtext("identity/languages") == "ha en"
    assert root.findtext("identity/age_group") == "25_35"  # calculations recomputed by the engine
    assert root.findtext("meta/instanceID") == f"uuid:{UUID_1}"


def test_any_invalid_row_imports_nothing_and_every_error_is_listed(forms_vault, tmp_path):
    bad_choice = second_row(**{"identity/sex": "M"})
    bad_many = {**BASE, "meta/instanceID": "uuid:6f1c0c52-6a8e-4d3b-9f51-000000000003",
                "_uuid": "6f1c0c52-6a8e-4d3b-9f51-000000000003",
                "identity/age_years": "140", "migration/beneficiary_category": "",
                "identity/phone": "90000000", "group_info/uasc_status": "unaccompanied"}
    bad_type = {**BASE, "meta/instanceID": "uuid:6f1c0c52-6a8e-4d3b-9f51-000000000004",
                "_uuid": "6f1c0c52-6a8e-4d3b-9f51-000000000004", "centre_page/registered_on": "20/11/2026"}
    path = write_csv(tmp_path / "export.csv", [BASE, bad_choice, bad_many, {**BASE, "colour": "blue"}, bad_type])
    report = import_file(forms_vault, form_id=FORM_ID, path=path)
    assert report.imported == []
    assert count_registrations(forms_vault) == 0 and count_unsynced(forms_vault) == 0
    found = {(e.row, e.field) for e in report.errors}
    assert (3, "identity/sex") in found  # not among the choices
    assert (4, "identity/age_years") in found  # constraint
    assert (4, "identity/phone") in found  # regex constraint
    assert (4, "migration/beneficiary_category") in found  # required
    assert (4, "group_info/uasc_status") in found  # answered but not relevant for an adult
    assert (6, "centre_page/registered_on") in found  # not a date
    assert (1, "colour") in found  # unknown column, named once on the header row
    assert (5, "meta/instanceID") in found  # same record as row 2
    messages = {(e.row, e.field): e.message for e in report.errors}
    assert "between 0 and 110" in messages[(4, "identity/age_years")]
    assert "required" in messages[(4, "migration/beneficiary_category")]


def test_importing_the_same_export_twice_is_refused(forms_vault, tmp_path):
    path = write_csv(tmp_path / "export.csv", [BASE], delimiter=",")
    assert import_file(forms_vault, form_id=FORM_ID, path=path).ok
    again = import_file(forms_vault, form_id=FORM_ID, path=path)
    assert [(e.row, e.field) for e in again.errors] == [(2, "meta/instanceID")]
    assert count_registrations(forms_vault) == 1


def test_json_lines_with_a_repeat(forms_vault, tmp_path):
    row = {**BASE, "group_info/travelling_alone": "no", "_notes": [],
           "household_member": [
               {"household_member/member_name": "Childone", "household_member/member_relationship": "child",
                "household_member/member_sex": "female", "household_member/member_age": 6},
               {"household_member/member_name": "Spouse", "household_member/member_relationship": "spouse",
                "household_member/member_sex": "female", "household_member/member_age": 29}]}
    path = tmp_path / "export.jsonl"
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    report = import_file(forms_vault, form_id=FORM_ID, path=path)
    assert report.errors == []
    root = ET.fromstring(get_registration(forms_vault, UUID_1).content)
    assert [m.findtext("member_name") for m in root.findall("household_member")] == ["Childone", "Spouse"]
    assert root.findtext("household_size") == "3"


def test_json_lines_repeat_errors_name_the_instance(forms_vault, tmp_path):
    row = {**BASE, "group_info/travelling_alone": "no",
           "household_member": [{"member_name": "Childone", "member_relationship": "cousin",
                                 "member_sex": "female", "member_age": 6}]}
    path = tmp_path / "export.jsonl"
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    report = import_file(forms_vault, form_id=FORM_ID, path=path)
    assert [(e.row, e.field) for e in report.errors] == [(1, "household_member[1]/member_relationship")]


def test_consent_refused_rows_keep_no_personal_data(forms_vault, tmp_path):
    refused = {k: v for k, v in BASE.items() if k.startswith(("centre_page/", "consent/", "meta/", "_"))}
    refused.update({"consent/consent_services": "no", "consent/legal_basis": ""})
    for k in list(refused):
        if k.startswith("consent/consent_share") or k in ("consent/consent_anonymous_reporting",
                                                          "consent/consent_followup_contact",
                                                          "consent/consent_matching"):
            del refused[k]
    ok = import_file(forms_vault, form_id=FORM_ID, path=write_csv(tmp_path / "ok.csv", [refused]))
    assert ok.errors == [] and ok.withheld == 1
    reg = get_registration(forms_vault, UUID_1)
    assert reg.sex is None and reg.title is None and "<identity>" not in reg.content
    # personal answers in a refused row are errors, not silently dropped
    leaking = {**refused, "identity/given_name": "Leak", "_uuid": UUID_2, "meta/instanceID": f"uuid:{UUID_2}"}
    report = import_file(forms_vault, form_id=FORM_ID, path=write_csv(tmp_path / "leak.csv", [leaking]))
    assert [(e.row, e.field) for e in report.errors] == [(2, "identity/given_name")]


def test_unreadable_files_are_refused_with_a_message(forms_vault, tmp_path):
    bad = tmp_path / "export.jsonl"
    bad.write_text('{"a": 1}\nnot json\n', encoding="utf-8")
    with pytest.raises(ImportFileError, match="line 2"):
        import_file(forms_vault, form_id=FORM_ID, path=bad)
    latin = tmp_path / "export.csv"
    latin.write_bytes("identity/given_name\nJos\xe9\n".encode("latin-1"))
    with pytest.raises(ImportFileError, match="UTF-8"):
        import_file(forms_vault, form_id=FORM_ID, path=latin)


def event_row(person_ref: str, n: int) -> dict:
    record_id = f"6f1c0c52-6a8e-4d3b-9f51-00000000010{n}"
    return {"event/person_ref": person_ref, "event/centre_country": "NE", "event/centre": "ne_arlit",
            "event/event_date": "2026-11-21", "event/assistance_type": "food", "event/modality": "in_kind",
            "event/quantity": "1", "event/unit": "meals", "meta/instanceID": f"uuid:{record_id}", "_uuid": record_id}


def test_an_imported_event_naming_no_one_imports_nothing(forms_vault, tmp_path):
    """An event or referral always names a person who exists (issue 12): an import row is checked as a save is,
    where every row of an events file was saved whatever number it named ("NOPE1234")."""
    import_file(forms_vault, form_id=FORM_ID, path=write_csv(tmp_path / "people.csv", [BASE]))
    short = UUID_1.replace("-", "")[:8]
    rows = [event_row(short.upper(), 1), event_row("NOPE1234", 2), event_row(f"WP-{short}", 3)]
    report = import_file(forms_vault, form_id="waypoint_assistance_event", path=write_csv(tmp_path / "ev.csv", rows))
    assert report.imported == []
    assert [(e.row, e.field) for e in report.errors] == [(3, "event/person_ref")]
    assert "'NOPE1234'" in report.errors[0].message and "case file" in report.errors[0].message
    assert count_registrations(forms_vault, status="finalized") == 1
    rows.pop(1)
    report = import_file(forms_vault, form_id="waypoint_assistance_event", path=write_csv(tmp_path / "ok.csv", rows))
    assert report.errors == [] and len(report.imported) == 2
