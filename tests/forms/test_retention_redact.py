"""What a retention purge removes comes from the form: answers marked P2 or P3 (bind::wp:sensitivity), every file
question and the display name; a form that marks no P2 answer falls back to the data model's P2 names."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from desktop_app.records.instance import InstanceTemplate
from desktop_app.records.retention import redact
from desktop_app.records.schema import form_schema
from waypoint_core.xlsform import convert_xlsform

MARKED = """
| survey |
| | type | name | label | bind::wp:sensitivity | bind::wp:extract |
| | text | case_number | Case number | | search |
| | text | full_name | Name | P2 | search |
| | text | phone_home | Home phone | P2 | |
| | select_one sex | sex | Sex | | sex |
| | image | portrait | Photo | | |
| | text | story | What happened | P3 | |
| | begin repeat | visit | Visits | | |
| | date | visit_date | Date | | |
| | text | visitor_name | Who came | P2 | |
| | end repeat | | | | |
| | date | next_appointment | Next appointment | | |
| | text | given_name | Given name (not marked: this form marks its P2 answers itself) | | |
| choices |
| | list_name | name | label |
| | sex | female | Female |
| | sex | male | Male |
| settings |
| | form_id | version | instance_name | namespaces |
| | marked | 1 | concat(${full_name}, ' ', ${case_number}) | wp="urn:waypoint:xforms" |
"""

UNMARKED = """
| survey |
| | type | name | label |
| | text | given_name | Name |
| | date | date_of_birth | Born |
| | text | id_document_number | Document |
| | select_one yn | nationality_known | Nationality known? |
| | file | scan | Scanned letter |
| choices |
| | list_name | name | label |
| | yn | yes | Yes |
| settings |
| | form_id | version |
| | unmarked | 1 |
"""


def _instance(xform, answers) -> str:
    return ET.tostring(InstanceTemplate.from_xform(xform).build(answers), encoding="unicode")


def test_a_form_that_marks_its_classes_says_what_goes():
    xform = convert_xlsform(MARKED, file_type=".md").xform
    schema = form_schema(xform)
    content = _instance(xform, {"case_number": "NE-0042", "full_name": "Zzanonymous Person", "phone_home": "+22790000000",
                                "sex": "female", "portrait": "portrait-1.jpg", "story": "long story",
                                "visit": [{"visit_date": "2026-11-02", "visitor_name": "Zzvisitor"}],
                                "next_appointment": "2026-12-24", "given_name": "Keptgiven"})
    purged, fields = redact(schema, content)
    for gone in ("Zzanonymous", "+22790000000", "portrait-1.jpg", "long story", "Zzvisitor"):
        assert gone in content and gone not in purged
    for kept in ("NE-0042", "female", "2026-11-02", "2026-12-24", "Keptgiven"):
        assert kept in purged
    assert fields["title"] is None and fields["sex"] == "female" and fields["case_number"] == "NE-0042"
    assert fields["full_name"] is None


def test_a_form_without_marks_falls_back_to_the_data_models_p2_names():
    xform = convert_xlsform(UNMARKED, file_type=".md").xform
    content = _instance(xform, {"given_name": "Zzfallback", "date_of_birth": "1990-02-03",
                                "id_document_number": "P-123", "nationality_known": "yes", "scan": "scan-1.pdf"})
    purged, _fields = redact(form_schema(xform), content)
    for gone in ("Zzfallback", "1990-02-03", "P-123", "scan-1.pdf"):
        assert gone in content and gone not in purged
    assert "yes" in purged
