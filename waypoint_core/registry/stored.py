"""What a stored registration says about the person, read from its instance XML by the conventional answer names
(docs/registry.md): the device's search index (desktop_app/vault/search_index.py) and the server's search both
build their profiles with this one function, so both read the same person from the same record.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

from .person import PersonRecord

ANSWERS = ("given_name", "family_name", "other_names", "sex", "date_of_birth", "age_years", "age", "registered_on",
           "nationality", "id_document_number", "id_document_type", "phone", "centre", "centre_country",
           "consent_matching")
YES = frozenset({"yes", "true", "1", "true()"})
NAMES = ("given_name", "family_name", "other_names")  # a person is named by one of these, or is no one


def answers(content: str, names: tuple[str, ...] = ANSWERS) -> dict[str, str]:
    """The first non-empty leaf of each name, wherever the form puts it."""
    try:
        root = ET.fromstring(content.encode("utf-8"))
    except ET.ParseError:
        return {}
    found: dict[str, str] = {}
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1]
        if name in names and name not in found and len(element) == 0:
            value = (element.text or "").strip()
            if value:
                found[name] = value
    return found


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    try:
        return int(float(value)) if value else None
    except ValueError:
        return None


def person_from_content(record_id: str, content: str | None, *, status: str | None,
                        created_at: str | None) -> PersonRecord | None:
    """The person a registration describes, or None when it names nobody (a case, an event, consent refused)."""
    if not content or not any(name in content for name in NAMES):  # no name answer at all: nothing to parse
        return None
    found = answers(content)
    if not (found.get("given_name") or found.get("family_name") or found.get("other_names")):
        return None
    registered = _date(found.get("registered_on")) or _date(created_at)
    return PersonRecord(
        id=record_id, given_name=found.get("given_name"), family_name=found.get("family_name"),
        other_names=found.get("other_names"), sex=found.get("sex"), date_of_birth=_date(found.get("date_of_birth")),
        age_years=_int(found.get("age_years") or found.get("age")), age_on=registered,
        nationality=found.get("nationality"), document_number=found.get("id_document_number"),
        document_type=found.get("id_document_type"), phone=found.get("phone"), country=found.get("centre_country"),
        centre=found.get("centre"), status=status, consent_matching=(found.get("consent_matching") or "").lower() in YES,
    )
