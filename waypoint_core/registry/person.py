"""The person the matcher and the search read, as plain typed values the vault and the server both produce.

`PersonRecord` is what a registration says (names as typed, date of birth or an age recorded on a date,
numbers as typed). `Profile` is the same person prepared once for comparison: names parsed into words with
their keys, numbers canonical, the birth year known exactly or as a range. A profile serialises to a small
JSON object (`to_json` / `from_json`) so an index can store it beside its keys and rank candidates without
re-reading and re-parsing the registration.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from .identifiers import normalise_document, normalise_phone
from .names import NameToken, PersonName, parse_name

# Nationalities whose registrations may be spelt in Somali orthography (c = ayn, x = h).
SOMALI_SPELLING = frozenset({"SO", "DJ", "ET", "KE"})
AGE_TOLERANCE = 1  # years either way: ages are often estimated, and an age says nothing of the birthday


@dataclass(frozen=True)
class PersonRecord:
    id: str
    given_name: str | None = None
    family_name: str | None = None
    other_names: str | None = None
    sex: str | None = None  # male, female, unknown
    date_of_birth: date | None = None
    age_years: int | None = None
    age_on: date | None = None  # when the age was recorded (the registration date)
    nationality: str | None = None  # ISO 3166-1 alpha-2
    document_number: str | None = None
    document_type: str | None = None
    phone: str | None = None
    country: str | None = None  # the centre's country: reads national phone numbers
    centre: str | None = None
    status: str | None = None
    consent_matching: bool = False


@dataclass(frozen=True)
class Profile:
    id: str
    name: PersonName
    sex: str | None
    date_of_birth: date | None
    birth_years: tuple[int, int] | None  # inclusive range: exact from a date of birth, ± tolerance from an age
    nationality: str | None
    document: str | None
    document_type: str | None
    phone: str | None
    centre: str | None
    status: str | None
    consent_matching: bool
    # the person's case, open or closed (the case file's state): not stored in the profile (status changes are records
    # of their own), set by the caller that knows it before ranking a query that asks for it (search "closed")
    case: str | None = None

    @property
    def birth_year(self) -> int | None:
        """The middle of the birth-year range (exact when a date of birth is known)."""
        if self.birth_years is None:
            return None
        return (self.birth_years[0] + self.birth_years[1]) // 2

    def to_json(self) -> str:
        return json.dumps({
            "id": self.id,
            "t": [_token_json(t) for t in self.name.tokens],
            "w": [_token_json(t) for t in self.name.written],
            "sex": self.sex, "dob": self.date_of_birth.isoformat() if self.date_of_birth else None,
            "by": list(self.birth_years) if self.birth_years else None, "nat": self.nationality,
            "doc": self.document, "dt": self.document_type, "ph": self.phone, "c": self.centre,
            "st": self.status, "cm": self.consent_matching,
        }, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Profile:
        data: dict[str, Any] = json.loads(text)
        by = data.get("by")
        return cls(
            id=data["id"],
            name=PersonName(tokens=tuple(_token_from(t) for t in data["t"]),
                            written=tuple(_token_from(t) for t in data["w"])),
            sex=data.get("sex"), date_of_birth=date.fromisoformat(data["dob"]) if data.get("dob") else None,
            birth_years=(int(by[0]), int(by[1])) if by else None, nationality=data.get("nat"),
            document=data.get("doc"), document_type=data.get("dt"), phone=data.get("ph"), centre=data.get("c"),
            status=data.get("st"), consent_matching=bool(data.get("cm")),
        )


def _token_json(token: NameToken) -> list[Any]:
    return [token.text, token.simple, list(token.keys), token.script, token.role, int(token.part)]


def _token_from(data: list[Any]) -> NameToken:
    return NameToken(text=data[0], simple=data[1], keys=tuple(data[2]), script=data[3], role=data[4],
                     part=bool(data[5]))


def birth_years(date_of_birth: date | None, age_years: int | None, age_on: date | None) -> tuple[int, int] | None:
    if date_of_birth is not None:
        return (date_of_birth.year, date_of_birth.year)
    if age_years is None or age_on is None:
        return None
    # Aged n on date d: born in d.year - n (birthday passed) or d.year - n - 1; ages are often estimated.
    year = age_on.year - age_years
    return (year - 1 - AGE_TOLERANCE, year + AGE_TOLERANCE)


def _sex(value: str | None) -> str | None:
    value = (value or "").strip().lower()
    return {"m": "male", "f": "female", "male": "male", "female": "female"}.get(value)


def prepare(record: PersonRecord) -> Profile:
    """Parse and normalise a record once, for scoring, keys and storage."""
    return Profile(
        id=record.id,
        name=parse_name(record.given_name, record.family_name, record.other_names,
                        somali=(record.nationality or "").upper() in SOMALI_SPELLING),
        sex=_sex(record.sex),
        date_of_birth=record.date_of_birth,
        birth_years=birth_years(record.date_of_birth, record.age_years, record.age_on),
        nationality=(record.nationality or "").strip().upper() or None,
        document=normalise_document(record.document_number),
        document_type=record.document_type or None,
        phone=normalise_phone(record.phone, record.country),
        centre=record.centre or None,
        status=record.status or None,
        consent_matching=record.consent_matching,
    )
