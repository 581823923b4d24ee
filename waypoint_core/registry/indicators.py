"""EUTF-style indicators from plain typed rows, the same on the device and on the server (issue 12 point 3).

Definitions follow ../shared/reference/data-model.md §5 and §7.7. A person is counted once per indicator and
period, after merged duplicates are collapsed to the surviving registration (`Person.merged_into`); deleted
registrations and registrations marked as duplicates without a survivor do not count. The period is inclusive:
[start, end]. Scope (a centre, a country, all) is the caller's filter on the rows it passes.

- 3.2, migrants in transit and forcibly displaced people protected or assisted: distinct people of category
  migrant in transit, stranded, expelled, asylum seeker, refugee or IDP with an assistance other than
  registration in the period;
- 3.3, (potential) migrants reached by information campaigns: participants tallied by the sessions of the period,
  plus distinct people counselled (counselling_info) not linked to a counted session; mass-media reach is
  reported apart, never added;
- 3.4, voluntary returns supported: distinct people with a return in the period (a return event, or assistance
  avrr_travel);
- 3.5, returning migrants benefitting from post-arrival assistance: distinct people with assistance post_arrival;
- 3.5 bis, reintegration assistance: distinct people with assistance reint_*;
- VoT, victims of trafficking identified, assisted or referred: distinct people with a possible or actual
  trafficking case and an assistance or a referral in the period.

Each indicator is disaggregated by sex, age group (at the end of the period), nationality, centre and category;
`IndicatorResult.table(dimension)` gives a `disclosure.CountTable` (sensitive for VoT: k = 11).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from .disclosure import CountTable

PROTECTED_CATEGORIES = frozenset({"migrant_transit", "stranded", "expelled", "asylum_seeker", "refugee", "idp"})
VOT_STATUSES = frozenset({"PossibleVictimOfTrafficking", "ActualVictimOfTrafficking", "Possible", "Actual"})
DIMENSIONS = ("sex", "age_group", "nationality", "centre", "category")
AGE_GROUPS = ("0_4", "5_11", "12_17", "18_24", "25_35", "36_59", "60p")
UNKNOWN = "unknown"

INDICATORS: dict[str, str] = {
    "3.2": "Migrants in transit and forcibly displaced people protected or assisted",
    "3.3": "(Potential) migrants reached by information campaigns on migration",
    "3.4": "Voluntary returns supported",
    "3.5": "Returning migrants benefitting from post-arrival assistance",
    "3.5bis": "Returning migrants benefitting from reintegration assistance",
    "vot": "Victims of trafficking identified, assisted or referred",
}
SENSITIVE_INDICATORS = frozenset({"vot"})


@dataclass(frozen=True)
class Person:
    id: str
    sex: str | None = None
    birth_year: int | None = None
    nationality: str | None = None
    centre: str | None = None
    category: str | None = None  # beneficiary_category
    merged_into: str | None = None  # the surviving registration when this one was merged as a duplicate
    deleted: bool = False


@dataclass(frozen=True)
class Event:
    """One assistance event, return or referral: `kind` is "assistance", "return" or "referral"."""
    person_id: str
    day: date
    kind: str = "assistance"
    assistance_type: str | None = None
    centre: str | None = None


@dataclass(frozen=True)
class Case:
    """A trafficking case, linked to its person."""
    person_id: str
    trafficking_status: str | None


@dataclass(frozen=True)
class Session:
    """An information session (aggregate form G1): participants tallied by sex and age group."""
    day: date
    tallies: Mapping[tuple[str, str], int] = field(default_factory=dict)  # (sex, age group) -> participants
    estimated_reach: int = 0  # radio, social media: reported apart
    person_ids: tuple[str, ...] = ()  # registered people who attended (not counted again through counselling)
    centre: str | None = None


def age_group(birth_year: int | None, on: date) -> str:
    if birth_year is None:
        return UNKNOWN
    age = on.year - birth_year
    for bound, name in ((5, "0_4"), (12, "5_11"), (18, "12_17"), (25, "18_24"), (36, "25_35"), (60, "36_59")):
        if age < bound:
            return name
    return "60p"


@dataclass(frozen=True)
class IndicatorResult:
    code: str
    start: date
    end: date
    people: Mapping[str, Person]  # the surviving person of each counted id
    extra: Mapping[tuple[str, str], int] = field(default_factory=dict)  # 3.3: session tallies (sex, age group)
    estimated_reach: int = 0

    @property
    def title(self) -> str:
        return INDICATORS[self.code]

    @property
    def sensitive(self) -> bool:
        return self.code in SENSITIVE_INDICATORS

    @property
    def total(self) -> int:
        return len(self.people) + sum(self.extra.values())

    def value_of(self, person: Person, dimension: str) -> str:
        if dimension == "sex":
            return person.sex or UNKNOWN
        if dimension == "age_group":
            return age_group(person.birth_year, self.end)
        if dimension == "nationality":
            return person.nationality or UNKNOWN
        if dimension == "centre":
            return person.centre or UNKNOWN
        if dimension == "category":
            return person.category or UNKNOWN
        raise ValueError(f"unknown dimension {dimension!r}; expected one of {DIMENSIONS}")

    def counts(self, dimension: str) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for person in self.people.values():
            counts[self.value_of(person, dimension)] += 1
        for (sex, group), n in self.extra.items():
            if dimension == "sex":
                counts[sex or UNKNOWN] += n
            elif dimension == "age_group":
                counts[group or UNKNOWN] += n
            else:
                counts[UNKNOWN] += n
        if dimension == "age_group":  # youngest first, not in the order of the codes' letters
            order = {group: n for n, group in enumerate(AGE_GROUPS)}
            return dict(sorted(counts.items(), key=lambda item: (order.get(item[0], len(order)), item[0])))
        return dict(sorted(counts.items()))

    def table(self, dimension: str, by: str | None = None) -> CountTable:
        """One-way (dimension) or two-way (dimension × by) table of this indicator."""
        title = f"{self.code} {self.title} by {dimension}" + (f" and {by}" if by else "")
        if by is None:
            return CountTable.one_way(title, self.counts(dimension), sensitive=self.sensitive)
        cells: dict[tuple[str, str], int] = defaultdict(int)
        for person in self.people.values():
            cells[(self.value_of(person, dimension), self.value_of(person, by))] += 1
        rows = tuple(sorted({r for r, _ in cells}))
        columns = tuple(sorted({c for _, c in cells}))
        return CountTable(title, rows, columns, dict(cells), self.sensitive)


class Register:
    """People with their merges resolved, so each indicator counts survivors."""

    def __init__(self, people: Iterable[Person]) -> None:
        self.people = {p.id: p for p in people}

    def survivor(self, person_id: str) -> Person | None:
        seen: set[str] = set()
        current = self.people.get(person_id)
        while current is not None and current.merged_into and current.id not in seen:
            seen.add(current.id)
            current = self.people.get(current.merged_into)
        if current is None or current.deleted or current.merged_into:
            return None
        return current


def compute(code: str, *, start: date, end: date, people: Iterable[Person], events: Iterable[Event] = (),
            cases: Iterable[Case] = (), sessions: Iterable[Session] = (),
            register: Register | None = None) -> IndicatorResult:
    """One indicator for the period [start, end] (see the module docstring)."""
    if code not in INDICATORS:
        raise ValueError(f"unknown indicator {code!r}; expected one of {', '.join(INDICATORS)}")
    register = register or Register(people)
    in_period = [e for e in events if start <= e.day <= end]
    counted: dict[str, Person] = {}

    def count(person_id: str) -> None:
        person = register.survivor(person_id)
        if person is not None:
            counted[person.id] = person

    extra: dict[tuple[str, str], int] = defaultdict(int)
    reach = 0
    if code == "3.2":
        for e in in_period:
            if e.kind == "assistance" and e.assistance_type not in (None, "registration"):
                person = register.survivor(e.person_id)
                if person is not None and person.category in PROTECTED_CATEGORIES:
                    counted[person.id] = person
    elif code == "3.3":
        linked: set[str] = set()
        for s in sessions:
            if start <= s.day <= end:
                for key, n in s.tallies.items():
                    extra[key] += n
                reach += s.estimated_reach
                linked.update(p.id for pid in s.person_ids if (p := register.survivor(pid)) is not None)
        for e in in_period:
            if e.kind == "assistance" and e.assistance_type == "counselling_info":
                person = register.survivor(e.person_id)
                if person is not None and person.id not in linked:
                    counted[person.id] = person
    elif code == "3.4":
        for e in in_period:
            if e.kind == "return" or (e.kind == "assistance" and e.assistance_type == "avrr_travel"):
                count(e.person_id)
    elif code == "3.5":
        for e in in_period:
            if e.kind == "assistance" and e.assistance_type == "post_arrival":
                count(e.person_id)
    elif code == "3.5bis":
        for e in in_period:
            if e.kind == "assistance" and (e.assistance_type or "").startswith("reint_"):
                count(e.person_id)
    elif code == "vot":
        victims = {p.id for c in cases if (c.trafficking_status or "") in VOT_STATUSES
                   if (p := register.survivor(c.person_id)) is not None}
        for e in in_period:
            if e.kind in ("assistance", "referral"):
                person = register.survivor(e.person_id)
                if person is not None and person.id in victims:
                    counted[person.id] = person
    return IndicatorResult(code, start, end, counted, dict(extra), reach)


def compute_all(*, start: date, end: date, people: Iterable[Person], events: Iterable[Event] = (),
                cases: Iterable[Case] = (), sessions: Iterable[Session] = ()) -> list[IndicatorResult]:
    """Every indicator for the period, reading the rows once (the merges resolved once)."""
    people = list(people)
    events = [e for e in events if start <= e.day <= end]
    cases = list(cases)
    sessions = list(sessions)
    register = Register(people)
    return [compute(code, start=start, end=end, people=people, events=events, cases=cases, sessions=sessions,
                    register=register) for code in INDICATORS]
