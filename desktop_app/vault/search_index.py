"""The vault's search index: what a registration says about the person, as keys and a compact profile.

The index is derived from registrations, never written on its own: the one writer (writer/search.py) rederives a
record's rows in every transaction that saves, pulls, deletes or purges it, so the index always says what the
records say, and loses what they lose (a deletion, consent refused, retention) in the same transaction.

Two tables (migration 0009):

- `search_key (key, record_id)`: the few exact keys of `waypoint_core.registry.keys.search_keys` (phonetic and
  spelling keys of each name word, the canonical document number, the phone's last eight digits, the date of
  birth), about eight rows a person; a query looks keys up with `IN (...)` and key ranges on the primary key;
- `search_profile (record_id, profile)`: the person prepared for ranking (`Profile.to_json`: folded name words
  and their keys, sex, birth years, nationality, canonical numbers, centre, status, consent to matching).

Only what ranking needs is kept: no answer other than those below, nothing of a record without a name (a case
holds no names), nothing of a record whose consent was refused (the gate blanked its names before the save).

`person_from_content` reads the answers by their conventional names (docs/registry.md), wherever the form puts
them outside a household repeat; the first occurrence wins.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

from waypoint_core.registry.keys import search_keys
from waypoint_core.registry.person import PersonRecord, Profile, prepare

ANSWERS = ("given_name", "family_name", "other_names", "sex", "date_of_birth", "age_years", "age", "registered_on",
           "nationality", "id_document_number", "id_document_type", "phone", "centre", "centre_country",
           "consent_matching")
YES = frozenset({"yes", "true", "1", "true()"})


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _answers(content: str) -> dict[str, str]:
    try:
        root = ET.fromstring(content.encode("utf-8"))
    except ET.ParseError:
        return {}
    found: dict[str, str] = {}
    for element in root.iter():
        name = _local(element.tag)
        if name in ANSWERS and name not in found and len(element) == 0:
            value = (element.text or "").strip()
            if value:
                found[name] = value
    return found


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(float(value))
    except ValueError:
        return None


def person_from_content(record_id: str, content: str, *, status: str | None, created_at: str | None) -> PersonRecord | None:
    """The person a registration describes, or None when it names nobody (a case, an event, consent refused)."""
    if not content or "name" not in content:
        return None
    answers = _answers(content)
    if not (answers.get("given_name") or answers.get("family_name") or answers.get("other_names")):
        return None
    registered = _date(answers.get("registered_on")) or _date(created_at)
    return PersonRecord(
        id=record_id, given_name=answers.get("given_name"), family_name=answers.get("family_name"),
        other_names=answers.get("other_names"), sex=answers.get("sex"),
        date_of_birth=_date(answers.get("date_of_birth")),
        age_years=_int(answers.get("age_years") or answers.get("age")), age_on=registered,
        nationality=answers.get("nationality"), document_number=answers.get("id_document_number"),
        document_type=answers.get("id_document_type"), phone=answers.get("phone"),
        country=answers.get("centre_country"), centre=answers.get("centre"), status=status,
        consent_matching=(answers.get("consent_matching") or "").lower() in YES,
    )


def index_rows(record_id: str, content: str, *, status: str | None,
               created_at: str | None) -> tuple[Profile, set[str]] | None:
    """(profile, keys) to store for one registration, or None when nothing is to be stored."""
    person = person_from_content(record_id, content, status=status, created_at=created_at)
    if person is None:
        return None
    profile = prepare(person)
    keys = search_keys(profile)
    if not keys:
        return None
    return profile, keys

