"""A form with no wp: columns (e.g. downloaded from KoboToolbox) still gets extraction and the consent gate
from conventional field names."""

from __future__ import annotations

from desktop_app.records.instance import InstanceTemplate
from desktop_app.records.schema import extract_fields, form_schema, withhold_personal_data
from waypoint_core.xlsform import convert_xlsform

KOBO_LIKE = """
| survey |
| | type | name | label | relevant |
| | text | centre | Centre | |
| | begin group | consent_page | Consent | |
| | select_one yn | consent_services | Consents? | |
| | select_multiple basis | legal_basis | Basis | ${consent_services} = 'no' |
| | end group | | | |
| | begin group | person | Person | ${consent_services} = 'yes' or ${legal_basis} != '' |
| | text | given_name | Name | |
| | select_one yn | gender | Gender | |
| | integer | age_years | Age | |
| | end group | | | |
| | begin repeat | child | Child | |
| | text | child_name | Name | |
| | end repeat | | | |
| choices |
| | list_name | name | label |
| | yn | yes | Yes |
| | yn | no | No |
| | basis | vital_interest | Vital interest |
| settings |
| | form_id | version |
| | kobo_like | 3 |
"""


def test_conventional_names_drive_extraction_and_the_gate():
    xform = convert_xlsform(KOBO_LIKE, file_type=".md").xform
    schema = form_schema(xform)
    assert schema.consent_services == "consent_page/consent_services"
    assert schema.consent_basis == "consent_page/legal_basis"
    template = InstanceTemplate.from_xform(xform)
    answers = {"centre": "ne_dirkou", "consent_page/consent_services": "yes", "person/given_name": "Kobo",
               "person/gender": "no", "person/age_years": "40", "child": [{"child_name": "Kid"}]}
    root = template.build(answers)
    fields = extract_fields(schema, root)
    assert (fields["sex"], fields["age"], fields["centre"], fields["given_name"]) == ("no", 40, "ne_dirkou", "Kobo")
    assert not withhold_personal_data(schema, root)

    refused = template.build({**answers, "consent_page/consent_services": "no"})
    assert withhold_personal_data(schema, refused)
    assert refused.findtext("person/given_name") == "" and refused.findall("child") == []
    assert refused.findtext("centre") == "ne_dirkou"
    assert refused.findtext("consent_page/consent_services") == "no"

    with_basis = template.build({**answers, "consent_page/consent_services": "no",
                                 "consent_page/legal_basis": "vital_interest"})
    assert not withhold_personal_data(schema, with_basis)
