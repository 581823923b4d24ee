"""EUTF-style indicators from plain typed rows, the same on the device and on the server (issue 12 point 3).

Definitions follow ../shared/reference/data-model.md §5 and §7.7. A person is counted once per indicator and
period, after merged duplicates are collapsed to the surviving registration (`Person.merged_into`; from facts, the
review desk's merge decisions: `merges_of`, `inputs_from_link_groups(merged=)`); deleted
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
`IndicatorResult.table(dimension)` gives a `disclosure.CountTable` (sensitive for VoT: k = 11). 3.3 is also
disaggregated as data-model §7.7 asks, by the session's channel and target group (`SESSION_DIMENSIONS`), and its age
groups are the session form's four bands (under 18, 18-24, 25-35, 36 and over: `SESSION_AGE_GROUPS`), the people
counselled one by one put in the same bands by their age, so that its age breakdown is one set of bands that adds
up. People counselled one by one count under the channel `COUNSELLED` (their assistance type) and under the
target group their category corresponds to (`TARGET_OF_CATEGORY`); session participants have no nationality or
category (those breakdowns say "unknown" for them) and count in the session's centre.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import compress, repeat
from operator import and_, attrgetter, is_not, itemgetter
from datetime import date
from typing import Any, NamedTuple, Protocol

from .disclosure import CountTable

PROTECTED_CATEGORIES = frozenset({"migrant_transit", "stranded", "expelled", "asylum_seeker", "refugee", "idp"})
VOT_STATUSES = frozenset({"PossibleVictimOfTrafficking", "ActualVictimOfTrafficking", "Possible", "Actual"})
DIMENSIONS = ("sex", "age_group", "nationality", "centre", "category")
AGE_GROUPS = ("0_4", "5_11", "12_17", "18_24", "25_35", "36_59", "60p")
UNKNOWN = "unknown"
# 3.3 only (data-model §7.6 G1, §7.7): what the information session form records of a session, in its codes and order
SESSION_DIMENSIONS = ("channel", "target_group")
# the session form's tally bands (f_0_17 … m_36p): 3.3's age groups, the people counselled mapped onto them
SESSION_AGE_GROUPS = ("0_17", "18_24", "25_35", "36p")
CHANNELS = ("community_dialogue", "theatre_film", "radio", "door_to_door", "in_centre", "social_media", "school")
COUNSELLED = "counselling_info"  # the channel of people counselled one by one: the assistance event's type
TARGET_GROUPS = ("potential_migrants", "migrants_transit", "returnees", "community")
OTHER = "other"  # a counselled person's category that is none of the form's target groups
# a counselled person's beneficiary category -> the session form's target group (anything else: OTHER; none: UNKNOWN)
TARGET_OF_CATEGORY = {"migrant_transit": "migrants_transit", "stranded": "migrants_transit",
                      "expelled": "migrants_transit", "returnee": "returnees", "host_community": "community"}

INDICATORS: dict[str, str] = {
    "3.2": "Migrants in transit and forcibly displaced people protected or assisted",
    "3.3": "(Potential) migrants reached by information campaigns on migration",
    "3.4": "Voluntary returns supported",
    "3.5": "Returning migrants benefitting from post-arrival assistance",
    "3.5bis": "Returning migrants benefitting from reintegration assistance",
    "vot": "Victims of trafficking identified, assisted or referred",
}
SENSITIVE_INDICATORS = frozenset({"vot"})


class Person(NamedTuple):
    """A registered person as the indicators read them. A named tuple: a report builds one per person named (100,000
    on the bench), at about half the cost of a frozen dataclass, whose `__init__` sets each field through
    `object.__setattr__`."""
    id: str
    sex: str | None = None
    birth_year: int | None = None
    nationality: str | None = None
    centre: str | None = None
    category: str | None = None  # beneficiary_category
    merged_into: str | None = None  # the surviving registration when this one was merged as a duplicate
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class Event:
    """One assistance event, return or referral: `kind` is "assistance", "return" or "referral"."""
    person_id: str
    day: date
    kind: str = "assistance"
    assistance_type: str | None = None
    centre: str | None = None


@dataclass(frozen=True)
class EventColumns:
    """Events as columns, the i-th entry of each being one event: all `_count` reads of an `Event` (its centre only
    ever filtered the scope before). A caller holding events as rows (the device's `indicator_fact`) gives them so,
    without an object per event; a list of `Event` is read into columns first."""
    person_ids: list[str]
    days: list[date]
    kinds: list[str]
    assistance_types: list[str | None]

    @classmethod
    def of(cls, events: Iterable[Event]) -> EventColumns:
        events = events if isinstance(events, list) else list(events)
        return cls(list(map(attrgetter("person_id"), events)), list(map(attrgetter("day"), events)),
                   list(map(attrgetter("kind"), events)), list(map(attrgetter("assistance_type"), events)))

    def __len__(self) -> int:
        return len(self.person_ids)


@dataclass(frozen=True)
class PeopleColumns:
    """People as columns, a person being a number: the position of its entries (what `inputs_from_link_groups`
    reads from facts kept as rows, none merged nor deleted). Iterated, it gives each as a `Person`."""
    ids: list[str]
    sexes: list[str | None]
    birth_years: list[int | None]
    nationalities: list[str | None]
    centres: list[str | None]
    categories: list[str | None]

    def person(self, number: int) -> Person:
        return Person(self.ids[number], self.sexes[number], self.birth_years[number], self.nationalities[number],
                      self.centres[number], self.categories[number])

    def column(self, attribute: str) -> list[Any]:
        """The column of a `Person` attribute (sex, birth_year, nationality, centre, category)."""
        column: list[Any] = getattr(self, _COLUMN_OF[attribute])
        return column

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[Person]:
        return map(tuple.__new__, repeat(Person), zip(self.ids, self.sexes, self.birth_years, self.nationalities,
                                                      self.centres, self.categories, repeat(None), repeat(False)))


_COLUMN_OF = {"id": "ids", "sex": "sexes", "birth_year": "birth_years", "nationality": "nationalities",
              "centre": "centres", "category": "categories"}


class EventGroup(NamedTuple):
    """The period's events of one kind and assistance type: the number of each one's person in `EventGroups.people`
    and its day (ISO text), the i-th entry of each being one event."""
    kind: str
    assistance_type: str | None
    numbers: list[int]
    days: list[str]


@dataclass(frozen=True)
class EventGroups:
    """Events already cut to a period and linked, grouped by kind and type, each naming its person by number in
    `people` (what `inputs_from_link_groups` gives the device and the server). The counting then works on numbers
    group by group: an indicator's people are the union of the numbers of the groups it counts, with no object,
    text or pair per event."""
    people: PeopleColumns
    groups: list[EventGroup]

    def __len__(self) -> int:
        return sum(len(g.numbers) for g in self.groups)

    def events(self) -> list[Event]:
        """Each event as an `Event` (for tests and readers of single events; the counting never builds them)."""
        ids = self.people.ids
        return [Event(ids[n], date.fromisoformat(day), g.kind, g.assistance_type)
                for g in self.groups for n, day in zip(g.numbers, g.days)]

    def named(self) -> list[Person]:
        """The people some event names, in the order of their numbers."""
        return list(map(self.people.person, sorted(set().union(*(g.numbers for g in self.groups)))))


class CountedPeople(Mapping[str, Person]):
    """An indicator's people as numbers into `PeopleColumns` (the counting of `EventGroups`): a mapping of id to
    `Person` like the dict the other counting gives, equal to it for the same people, whose `Person` objects are built
    only when asked for; `values_of` gives one attribute of every person straight from its column."""

    __slots__ = ("_people", "_numbers", "_index")

    def __init__(self, people: PeopleColumns, numbers: list[int]) -> None:
        self._people, self._numbers = people, numbers
        self._index: dict[str, int] | None = None

    def values_of(self, attribute: str) -> Iterator[Any]:
        return map(self._people.column(attribute).__getitem__, self._numbers)

    def __len__(self) -> int:
        return len(self._numbers)

    def __iter__(self) -> Iterator[str]:
        return map(self._people.ids.__getitem__, self._numbers)

    def __getitem__(self, person_id: str) -> Person:
        if self._index is None:
            self._index = dict(zip(self, self._numbers))
        return self._people.person(self._index[person_id])

    def __repr__(self) -> str:
        return f"CountedPeople({len(self._numbers)} people)"


def _values_of(people: Mapping[str, Person], attribute: str) -> Iterator[Any]:
    if isinstance(people, CountedPeople):
        return people.values_of(attribute)
    return map(attrgetter(attribute), people.values())


@dataclass(frozen=True, slots=True)
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
    channel: str | None = None  # the form's codes (G1): community_dialogue, radio…: 3.3's breakdown by channel
    target_group: str | None = None
    admin1: str | None = None


def age_group(birth_year: int | None, on: date) -> str:
    if birth_year is None:
        return UNKNOWN
    age = on.year - birth_year
    for bound, name in ((5, "0_4"), (12, "5_11"), (18, "12_17"), (25, "18_24"), (36, "25_35"), (60, "36_59")):
        if age < bound:
            return name
    return "60p"


def session_age_group(birth_year: int | None, on: date) -> str:
    """A person's age group in the session form's bands (3.3): the finer groups of `age_group` joined, 0-4, 5-11
    and 12-17 as under 18, 36-59 and 60+ as 36 and over (their bounds are the same)."""
    if birth_year is None:
        return UNKNOWN
    age = on.year - birth_year
    for bound, name in ((18, "0_17"), (25, "18_24"), (36, "25_35")):
        if age < bound:
            return name
    return "36p"


def target_group_of(category: str | None) -> str:
    """The session form's target group a counselled person's beneficiary category corresponds to (3.3)."""
    if not category:
        return UNKNOWN
    return TARGET_OF_CATEGORY.get(category, OTHER)


_ORDERS = {"age_group": AGE_GROUPS, "channel": (*CHANNELS, COUNSELLED), "target_group": (*TARGET_GROUPS, OTHER)}


@dataclass(frozen=True)
class IndicatorResult:
    code: str
    start: date
    end: date
    people: Mapping[str, Person]  # the surviving person of each counted id
    extra: Mapping[tuple[str, str], int] = field(default_factory=dict)  # 3.3: session tallies (sex, age group)
    estimated_reach: int = 0
    # 3.3: the sessions of the period whose tallies `extra` sums (their channel, target group and centre break it
    # down); none given, `extra` counts as tallies of no known session
    sessions: tuple[Session, ...] = ()

    @property
    def title(self) -> str:
        return INDICATORS[self.code]

    @property
    def sensitive(self) -> bool:
        return self.code in SENSITIVE_INDICATORS

    @property
    def total(self) -> int:
        return len(self.people) + sum(self.extra.values())

    @property
    def dimensions(self) -> tuple[str, ...]:
        """The breakdowns of this indicator: 3.3 also by its sessions' channel and target group."""
        return (*DIMENSIONS, *SESSION_DIMENSIONS) if self.code == "3.3" else DIMENSIONS

    def _check(self, dimension: str) -> None:
        if dimension not in self.dimensions:
            raise ValueError(f"unknown dimension {dimension!r} of {self.code}; expected one of {self.dimensions}")

    def value_of(self, person: Person, dimension: str) -> str:
        self._check(dimension)
        if dimension == "sex":
            return person.sex or UNKNOWN
        if dimension == "age_group":
            return (session_age_group if self.code == "3.3" else age_group)(person.birth_year, self.end)
        if dimension == "nationality":
            return person.nationality or UNKNOWN
        if dimension == "centre":
            return person.centre or UNKNOWN
        if dimension == "category":
            return person.category or UNKNOWN
        if dimension == "channel":
            return COUNSELLED
        return target_group_of(person.category)

    def _tallies(self) -> Iterator[tuple[Session | None, str, str, int]]:
        """3.3's session tallies as (session, sex, age group, participants); without `sessions`, `extra`'s."""
        if self.sessions:
            for s in self.sessions:
                for (sex, group), n in s.tallies.items():
                    yield s, sex, group, n
        else:
            for (sex, group), n in self.extra.items():
                yield None, sex, group, n

    @staticmethod
    def _tally_value(session: Session | None, sex: str, group: str, dimension: str) -> str:
        """A session tally's category in `dimension`: its sex and age group, its session's centre, channel and target
        group; a session has no nationality or category."""
        if dimension == "sex":
            value = sex
        elif dimension == "age_group":
            value = group
        elif session is None:
            value = None
        elif dimension == "centre":
            value = session.centre
        elif dimension == "channel":
            value = session.channel
        elif dimension == "target_group":
            value = session.target_group
        else:
            value = None
        return value or UNKNOWN

    def _ordered(self, dimension: str, counts: Mapping[str, int]) -> dict[str, int]:
        """Categories in the form's order where there is one (age groups youngest first, channels and target groups
        as the session form lists them), the others after, by code; otherwise by code."""
        order_of = SESSION_AGE_GROUPS if dimension == "age_group" and self.code == "3.3" else _ORDERS.get(dimension)
        if order_of is None:
            return dict(sorted(counts.items()))
        order = {value: n for n, value in enumerate(order_of)}
        return dict(sorted(counts.items(), key=lambda item: (order.get(item[0], len(order)), item[0] == UNKNOWN,
                                                              item[0])))

    def counts(self, dimension: str) -> dict[str, int]:
        self._check(dimension)
        # counted by raw value in one C-level pass (Counter over attrgetter), then folded: an empty value is
        # UNKNOWN, a birth year becomes its age group, a category its target group
        counts: Counter[str] = Counter()
        if dimension == "age_group":
            band = session_age_group if self.code == "3.3" else age_group
            for year, n in Counter(_values_of(self.people, "birth_year")).items():
                counts[band(year, self.end)] += n
        elif dimension == "channel":
            if self.people:
                counts[COUNSELLED] += len(self.people)
        elif dimension == "target_group":
            for value, n in Counter(_values_of(self.people, "category")).items():
                counts[target_group_of(value)] += n
        else:
            for value, n in Counter(_values_of(self.people, dimension)).items():
                counts[value or UNKNOWN] += n
        for session, sex, group, n in self._tallies():
            counts[self._tally_value(session, sex, group, dimension)] += n
        return self._ordered(dimension, counts)

    def table(self, dimension: str, by: str | None = None) -> CountTable:
        """One-way (dimension) or two-way (dimension × by) table of this indicator."""
        title = f"{self.code} {self.title} by {dimension}" + (f" and {by}" if by else "")
        if by is None:
            return CountTable.one_way(title, self.counts(dimension), sensitive=self.sensitive)
        self._check(by)
        cells: dict[tuple[str, str], int] = defaultdict(int)
        for person in self.people.values():
            cells[(self.value_of(person, dimension), self.value_of(person, by))] += 1
        for session, sex, group, n in self._tallies():
            cells[(self._tally_value(session, sex, group, dimension), self._tally_value(session, sex, group, by))] += n
        rows = tuple(sorted({r for r, _ in cells}))
        columns = tuple(sorted({c for _, c in cells}))
        return CountTable(title, rows, columns, dict(cells), self.sensitive)


class Register:
    """People with their merges resolved, so each indicator counts survivors."""

    def __init__(self, people: Iterable[Person]) -> None:
        self.people = {p.id: p for p in people}
        # merged or deleted: not their own survivor
        self.odd = {pid for pid, p in self.people.items() if p.merged_into or p.deleted}
        self._resolved: dict[str, Person | None] = {}

    def survivor(self, person_id: str) -> Person | None:
        if person_id in self._resolved:
            return self._resolved[person_id]
        seen: set[str] = set()
        current = self.people.get(person_id)
        while current is not None and current.merged_into and current.id not in seen:
            seen.add(current.id)
            current = self.people.get(current.merged_into)
        found = None if current is None or current.deleted or current.merged_into else current
        self._resolved[person_id] = found
        return found


def _code_targets(kind: str, assistance_type: str | None) -> tuple[str, ...]:
    """The indicators an event of this kind and type counts for, before the person's own conditions (3.2: a
    protected category; VoT: a trafficking case; 3.3: not linked to a counted session)."""
    codes = []
    if kind == "assistance":
        if assistance_type not in (None, "registration"):
            codes.append("3.2")
        if assistance_type == "counselling_info":
            codes.append("3.3")
        if assistance_type == "avrr_travel":
            codes.append("3.4")
        if assistance_type == "post_arrival":
            codes.append("3.5")
        if (assistance_type or "").startswith("reint_"):
            codes.append("3.5bis")
    if kind == "return":
        codes.append("3.4")
    if kind in ("assistance", "referral"):
        codes.append("vot")
    return tuple(codes)


def _count(codes: Iterable[str], start: date, end: date, events: Iterable[Event] | EventColumns, cases: Iterable[Case],
           sessions: Iterable[Session], register: Register) -> list[IndicatorResult]:
    """The indicators `codes` from one reading of the events. The per-event work runs in C (attrgetter, map,
    compress, dict.fromkeys): the events of the period, their (kind, type) and person ids read once, each distinct id
    numbered in order of appearance; each indicator keeps the numbers of the events its kinds and types count for,
    in order, each once; only merged or deleted people are resolved to their survivor in Python. A person's place in
    each result is that of its first counted event, as one pass per indicator gave."""
    codes = list(codes)
    for code in codes:
        if code not in INDICATORS:
            raise ValueError(f"unknown indicator {code!r}; expected one of {', '.join(INDICATORS)}")
    columns = events if isinstance(events, EventColumns) else EventColumns.of(events)
    days = columns.days
    ids, kinds, types = columns.person_ids, columns.kinds, columns.assistance_types
    if days and (min(days) < start or max(days) > end):  # linked inputs are cut to the period already
        in_period = list(map(and_, map(start.__le__, days), map(end.__ge__, days)))
        ids, kinds = list(compress(ids, in_period)), list(compress(kinds, in_period))
        types = list(compress(types, in_period))
    survivor = register.survivor
    registered = register.people
    # every id of the period, in order, once, numbered: the indicators below keep numbers, not ids (a dict of small
    # integers is filled in order in memory; of 300,000 texts, at random places: 0.5-0.8 s for six indicators on the
    # bench, against about a tenth of that). Most people are neither merged nor deleted and are their own survivor
    # (found in one map); the others, and ids of no one, are resolved by the call
    distinct = dict.fromkeys(ids)
    numbered = dict(zip(distinct, range(len(distinct))))
    nums = list(map(numbered.__getitem__, ids))
    survivors: list[Person | None] = list(map(registered.get, distinct))
    for pid in register.odd.intersection(numbered) if register.odd else ():
        survivors[numbered[pid]] = survivor(pid)
    codes_of = {key: _code_targets(*key) for key in set(zip(kinds, types))}
    number = {key: n for n, key in enumerate(codes_of)}  # each (kind, type) as a small number, hashed once
    numbers = list(map(number.__getitem__, zip(kinds, types)))  # zip reuses its pair once looked up: no list of pairs
    results = []
    for code in codes:
        wanted = {number[key] for key, targets in codes_of.items() if code in targets}
        if len(wanted) == len(codes_of):  # every event of the period counts for it: its people are those above
            firsts: Iterable[int] = range(len(survivors))
        else:
            firsts = dict.fromkeys(compress(nums, map(wanted.__contains__, numbers)))
        found = list(filter(None, map(survivors.__getitem__, firsts)))
        extra: dict[tuple[str, str], int] = defaultdict(int)
        reach = 0
        held: list[Session] = []
        if code == "3.2":
            found = list(compress(found, map(PROTECTED_CATEGORIES.__contains__, map(attrgetter("category"), found))))
        elif code == "vot":
            victims = {p.id for c in cases if (c.trafficking_status or "") in VOT_STATUSES
                       if (p := survivor(c.person_id)) is not None}
            found = list(compress(found, map(victims.__contains__, map(attrgetter("id"), found))))
        people = dict(zip(map(attrgetter("id"), found), found))
        if code == "3.3":
            held, extra, reach = _sessions_of_period(sessions, start, end)
            linked = {p.id for s in held for pid in s.person_ids if (p := survivor(pid)) is not None}
            if linked:
                people = {pid: p for pid, p in people.items() if pid not in linked}
        results.append(IndicatorResult(code, start, end, people, dict(extra), reach, tuple(held)))
    return results


def _sessions_of_period(sessions: Iterable[Session], start: date, end: date
                        ) -> tuple[list[Session], defaultdict[tuple[str, str], int], int]:
    """3.3's sessions held in [start, end], their tallies summed and their estimated reach (reported apart)."""
    held = [s for s in sessions if start <= s.day <= end]
    tallies: defaultdict[tuple[str, str], int] = defaultdict(int)
    for s in held:
        for tally, n in s.tallies.items():
            tallies[tally] += n
    return held, tallies, sum(s.estimated_reach for s in held)


def _count_groups(codes: Iterable[str], start: date, end: date, linked: EventGroups, cases: Iterable[Case],
                  sessions: Iterable[Session]) -> list[IndicatorResult]:
    """`_count` over events linked and grouped by kind and type (`EventGroups`, cut to the period already): an
    indicator's people are the union of the person numbers of the groups its kinds and types count for, then its
    person conditions, all on numbers (no one is merged or deleted among people read from facts). The same people as
    `_count` over the same events; they are in the order of their numbers, not of their first event."""
    codes = list(codes)
    for code in codes:
        if code not in INDICATORS:
            raise ValueError(f"unknown indicator {code!r}; expected one of {', '.join(INDICATORS)}")
    people = linked.people
    cases, sessions = list(cases), list(sessions)
    number_of: dict[str, int] = dict(zip(people.ids, range(len(people)))) if cases or sessions else {}
    targets = [_code_targets(g.kind, g.assistance_type) for g in linked.groups]
    results = []
    for code in codes:
        counted = sorted(set().union(*(g.numbers for g, codes_of in zip(linked.groups, targets) if code in codes_of)))
        extra: dict[tuple[str, str], int] = defaultdict(int)
        reach = 0
        held: list[Session] = []
        if code == "3.2":
            counted = list(compress(counted, map(PROTECTED_CATEGORIES.__contains__,
                                                 map(people.categories.__getitem__, counted))))
        elif code == "vot":
            victims = {number_of[c.person_id] for c in cases
                       if (c.trafficking_status or "") in VOT_STATUSES and c.person_id in number_of}
            counted = list(compress(counted, map(victims.__contains__, counted)))
        elif code == "3.3":
            held, extra, reach = _sessions_of_period(sessions, start, end)
            linked_people = {number_of[pid] for s in held for pid in s.person_ids if pid in number_of}
            if linked_people:
                counted = [n for n in counted if n not in linked_people]
        results.append(IndicatorResult(code, start, end, CountedPeople(people, counted), dict(extra), reach,
                                       tuple(held)))
    return results


def compute(code: str, *, start: date, end: date, people: Iterable[Person], events: Iterable[Event] | EventColumns
            | EventGroups = (), cases: Iterable[Case] = (), sessions: Iterable[Session] = (),
            register: Register | None = None) -> IndicatorResult:
    """One indicator for the period [start, end] (see the module docstring). Events as `EventGroups` carry their
    people (`people` must be `events.people`)."""
    if code not in INDICATORS:
        raise ValueError(f"unknown indicator {code!r}; expected one of {', '.join(INDICATORS)}")
    if isinstance(events, EventGroups):
        return _count_groups((code,), start, end, _own(events, people), cases, sessions)[0]
    return _count((code,), start, end, events, cases, sessions, register or Register(people))[0]


def compute_all(*, start: date, end: date, people: Iterable[Person], events: Iterable[Event] | EventColumns
                | EventGroups = (), cases: Iterable[Case] = (), sessions: Iterable[Session] = ()
                ) -> list[IndicatorResult]:
    """Every indicator for the period: the events read, their merges resolved and classified once for all (or, as
    `EventGroups`, counted group by group on their people's numbers)."""
    if isinstance(events, EventGroups):
        return _count_groups(INDICATORS, start, end, _own(events, people), cases, sessions)
    return _count(INDICATORS, start, end, events, cases, sessions, Register(people))


def _own(events: EventGroups, people: Iterable[Person]) -> EventGroups:
    if people is not events.people:
        raise ValueError("events grouped by number are counted with their own people (EventGroups.people)")
    return events


# --- from stored records: the one mapping the device (services/reports.py) and the server (sync_server/reports.py)
# both use, so the same records give the same figures on either side --------------------------------------------

MIGRANT_FORM = "waypoint_migrant_registration"
EVENT_FORM = "waypoint_assistance_event"
REFERRAL_FORM = "waypoint_referral"
CASE_FORM = "waypoint_vot_case"
SESSION_FORM = "waypoint_info_session"  # forms/info_session.md (data-model §7.6 G1): no personal data
DECISION_FORM = "waypoint_review_decision"  # the review desk's decisions (desktop_app/records/review.py)
DECISION_FIELDS = ("decision", "person_a", "person_b", "kept", "undone")  # what `merges_of` reads of each
# the session form's tally questions: f_0_17 … m_36p, participants by sex and age group (SESSION_AGE_GROUPS)
TALLIES = {f"{sex[0]}_{group}": (sex, group) for sex in ("female", "male") for group in SESSION_AGE_GROUPS}
SESSION_FIELDS = (*TALLIES, "estimated_reach", "registered_persons", "channel", "target_group", "admin1")
_HEX = frozenset("0123456789ABCDEF")


class RecordRow(Protocol):
    """A stored, finalized, live record as both sides read it: its summary columns and extracted fields."""

    @property
    def id(self) -> str: ...
    @property
    def form_id(self) -> str: ...
    @property
    def sex(self) -> str | None: ...
    @property
    def age(self) -> int | None: ...
    @property
    def nationality(self) -> str | None: ...
    @property
    def centre(self) -> str | None: ...
    @property
    def registered_on(self) -> str | None: ...
    @property
    def fields(self) -> Mapping[str, str]: ...


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """A `RecordRow` as the device (desktop_app/vault/report_reads.py) and the server (sync_server/derived.py) build
    it from their own storage."""

    id: str
    form_id: str
    sex: str | None
    age: int | None
    nationality: str | None
    centre: str | None
    registered_on: str | None
    fields: Mapping[str, str]


@dataclass(frozen=True)
class Inputs:
    people: list[Person] | PeopleColumns
    events: list[Event] | EventColumns | EventGroups
    cases: list[Case]
    unlinked: int  # events, referrals and cases whose registration number names no one among the rows
    sessions: list[Session] = field(default_factory=list)  # information sessions, naming people by their ids


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "")[:10]) if text else None
    except ValueError:
        return None


def person_ref(text: str | None) -> str:
    """A registration number as typed (the short id, with or without "WP-", spaces or dashes) in canonical form."""
    value = (text or "").strip().upper().removeprefix("WP-")
    if len(value) == 8 and _HEX.issuperset(value):
        return value
    return "".join(ch for ch in value if ch in _HEX)


@dataclass(frozen=True)
class Fact:
    """What one stored record gives the indicators, and nothing else (no name, no content): the person it registers
    (`person`, with its short id `short`) and/or what it links to a person (`link`: "assistance", "referral" or
    "case", naming the person by `ref`, the first eight characters of the canonical registration number, "" when
    it names no one). The server keeps these in a table written with each record version
    (sync_server/derived.py); the device computes them from its rows. Both then link them with `inputs_from_facts`."""

    id: str
    person: Person | None = None
    short: str | None = None
    link: str | None = None
    ref: str = ""
    day: date | None = None  # the event's or referral's day (registered_on)
    assistance_type: str | None = None
    centre: str | None = None  # the event's centre
    trafficking_status: str | None = None
    session: Session | None = None  # an information session; its person_ids are registration numbers (refs) here


def _count_of(text: str | None) -> int:
    """A tally as stored (the form allows whole numbers from 0): anything else counts nothing."""
    try:
        value = int(str(text).strip()) if text not in (None, "") else 0
    except ValueError:
        return 0
    return max(value, 0)


def session_refs(text: str | None) -> tuple[str, ...]:
    """The registration numbers a session names (`registered_persons`: typed numbers apart by spaces, commas or
    semicolons, with or without "WP-"), each as `Fact.ref` (the first eight canonical characters), once."""
    found = (person_ref(part) for part in (text or "").replace(",", " ").replace(";", " ").split())
    return tuple(dict.fromkeys(ref[:8] for ref in found if len(ref) >= 8))


def session_of(row: RecordRow) -> Session | None:
    """An information session record as the indicators read it (None without a day): its tallies, estimated reach
    and the registration numbers of the registered people it names."""
    day = _day(row.registered_on)
    if day is None:
        return None
    fields = row.fields
    tallies = {key: n for name, key in TALLIES.items() if (n := _count_of(fields.get(name)))}
    return Session(day, tallies, _count_of(fields.get("estimated_reach")), session_refs(fields.get("registered_persons")),
                   row.centre, fields.get("channel"), fields.get("target_group"), fields.get("admin1"))


# A session kept as a row's text (the device's and the server's `indicator_fact.session`): its tallies, reach,
# registration numbers and words, as compact JSON; the day and centre are the row's own columns.
def session_text(session: Session) -> str:
    return json.dumps({"tallies": {f"{sex} {group}": n for (sex, group), n in sorted(session.tallies.items())},
                       "reach": session.estimated_reach, "refs": list(session.person_ids), "channel": session.channel,
                       "target_group": session.target_group, "admin1": session.admin1},
                      ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def session_from_text(day: date, centre: str | None, text: str) -> Session:
    data = json.loads(text)
    tallies = {tuple(key.split(" ", 1)): int(n) for key, n in data.get("tallies", {}).items()}
    return Session(day, tallies, int(data.get("reach") or 0), tuple(data.get("refs") or ()), centre,
                   data.get("channel"), data.get("target_group"), data.get("admin1"))


LINK_FORMS = {EVENT_FORM: "assistance", REFERRAL_FORM: "referral", CASE_FORM: "case"}


def short_id(record_id: str) -> str:
    """The registration number a list shows for a record id (what `person_ref` names)."""
    return record_id.replace("-", "")[:8].upper()


def fact_of(row: RecordRow) -> Fact | None:
    """The indicators' reading of one stored record (see `Fact`); None when it counts for nothing."""
    if row.form_id == SESSION_FORM:
        session = session_of(row)
        return Fact(row.id, day=session.day, centre=row.centre, session=session) if session is not None else None
    person: Person | None = None
    if row.form_id == MIGRANT_FORM or "beneficiary_category" in row.fields:
        registered = _day(row.registered_on)
        birth_year = registered.year - row.age if registered is not None and row.age is not None else None
        person = Person(row.id, row.sex, birth_year, row.nationality, row.centre,
                        row.fields.get("beneficiary_category"))
    link = LINK_FORMS.get(row.form_id)
    if person is None and link is None:
        return None
    if link is None:
        return Fact(row.id, person, short_id(row.id))
    ref = person_ref(row.fields.get("person_ref"))
    return Fact(row.id, person, short_id(row.id) if person is not None else None, link,
                ref[:8] if len(ref) >= 8 else "", _day(row.registered_on), row.fields.get("assistance_type"),
                row.centre, row.fields.get("trafficking_status"))


def inputs_from_facts(facts: Iterable[Fact], *, covers: Callable[[str | None], bool] = lambda _c: True) -> Inputs:
    """People, events, referrals and cases from facts (see `inputs_from_records`)."""
    facts = list(facts)
    people: list[Person] = []
    by_short: dict[str, str] = {}
    for fact in facts:
        if fact.person is not None and fact.short is not None:
            people.append(fact.person)
            by_short[fact.short] = fact.id
    events: list[Event] = []
    cases: list[Case] = []
    sessions: list[Session] = []
    unlinked = 0
    for fact in facts:
        if fact.session is not None:
            if covers(fact.centre):
                sessions.append(_named(fact.session, by_short))
            continue
        if fact.link is None:
            continue
        person = by_short.get(fact.ref) if fact.ref else None
        if person is None:
            unlinked += 1
            continue
        if fact.link == "case":
            cases.append(Case(person, fact.trafficking_status))
            continue
        if fact.day is None or not covers(fact.centre):
            continue
        events.append(Event(person, fact.day, fact.link, fact.assistance_type, fact.centre))
    return Inputs(people, events, cases, unlinked, sessions)


def _named(session: Session, by_short: Mapping[str, Any], ids: Sequence[str] | None = None) -> Session:
    """A session read from a fact, its registration numbers turned into the ids of the people they name (through
    `by_short`: number -> id, or -> position in `ids`); numbers naming no one are dropped."""
    found = [by_short[ref] for ref in session.person_ids if ref in by_short]
    return replace(session, person_ids=tuple(ids[n] for n in found) if ids is not None else tuple(found))


def sessions_from_rows(rows: Iterable[Sequence[Any]], by_short: Mapping[str, int], ids: Sequence[str], *, start: date,
                       end: date, covers: Callable[[str | None], bool] | None) -> list[Session]:
    """Sessions kept as SESSION_ROW rows, those of [start, end] (and of a centre `covers` accepts), naming people by
    id. A few per centre and month: read one by one."""
    first, last = start.isoformat(), end.isoformat()
    found = []
    for day, centre, text in rows:
        if not day or not first <= day[:10] <= last or (covers is not None and not covers(centre)):
            continue
        found.append(_named(session_from_text(date.fromisoformat(day[:10]), centre, text), by_short, ids))
    return found


# A fact kept as rows (the device's `indicator_fact`, desktop_app/vault/writer/facts.py): the person it registers,
# and what it links to a person (`day` as ISO text, as stored).
PERSON_ROW = ("short", "id", "sex", "birth_year", "nationality", "centre", "category")
LINK_ROW = ("ref", "link", "day", "assistance_type", "centre", "trafficking_status")
SESSION_ROW = ("day", "centre", "session")  # an information session: `session` is `session_text`


def fact_rows(fact: Fact) -> tuple[tuple[Any, ...] | None, tuple[Any, ...] | None]:
    """A fact as its person row (PERSON_ROW) and link row (LINK_ROW), each None when it has none."""
    p = fact.person
    person = None if p is None or fact.short is None else (
        fact.short, p.id, p.sex, p.birth_year, p.nationality, p.centre, p.category)
    link = None if fact.link is None else (
        fact.ref, fact.link, fact.day.isoformat() if fact.day else None, fact.assistance_type, fact.centre,
        fact.trafficking_status)
    return person, link


def _columns(rows: Sequence[Sequence[Any]], width: int) -> list[list[Any]]:
    return [list(map(itemgetter(n), rows)) for n in range(width)]


# Links kept as rows are read grouped (the device's and the server's `indicator_fact`): one row per kind, assistance
# type, trafficking status and, when a scope filters events by centre, centre (else None), each group's registration
# numbers and days joined in one text, `ref SEP day SEP ref SEP day…` (a day missing is ""): the driver builds a
# dozen rows instead of one per record. A number is canonical hexadecimal and a day ISO text: SEP is in neither.
LINK_GROUP = ("link", "assistance_type", "trafficking_status", "centre", "joined")
LINK_SEP = "\x1f"


def link_groups(links: Iterable[Sequence[Any]], *, by_centre: bool = True) -> list[tuple[Any, ...]]:
    """LINK_ROW rows grouped as LINK_GROUP rows, in the order each group first appears (what the SQL of either side
    gives; for callers and tests holding rows)."""
    joined: dict[tuple[Any, ...], list[str]] = {}
    for ref, link, day, assistance_type, centre, status in links:
        joined.setdefault((link, assistance_type, status, centre if by_centre else None), []).extend(
            (ref or "", day or ""))
    return [(*key, LINK_SEP.join(parts)) for key, parts in joined.items()]


def inputs_from_link_groups(people: Sequence[Sequence[Any]], groups: Iterable[Sequence[Any]], *, start: date,
                            end: date, covers: Callable[[str | None], bool] | None = None,
                            sessions: Iterable[Sequence[Any]] = (), merged: Mapping[str, str] | None = None
                            ) -> Inputs:
    """People, the period's events and referrals, and the cases, from facts kept as rows: `people` (PERSON_ROW, in an
    order where of two registrations sharing a number the one named comes last) and the links as LINK_GROUP rows;
    `merged` (`merges_of`: merged registration -> kept one) makes a link to a merged person's number count the kept
    person, so a person merged at the review desk counts once, even for events recorded after the merge.
    What `inputs_from_facts` gives for the same indicators (the device's report_reads and the server's reports.py
    both call this), in the form the counting reads fastest: `people` as `PeopleColumns`, every row of `people` a
    number (its position); `events` as `EventGroups`, only those of [start, end] (of a centre `covers` accepts; None:
    every centre), each naming its person by number, group by group; `cases` in the order of the groups. `unlinked`
    counts every link naming no one, in the period or not; `sessions` (SESSION_ROW rows) become the information
    sessions of the period and scope, naming the registered people they list by id.

    Each step over a group's numbers (finding the person each names, counting those naming no one, keeping the
    events of the period) is a `split`, slice, `map`, `compress` or `count` in C, and is skipped when it would
    keep everything (every day of a group in the period: `min` and `max`); the scope is asked once per centre. A
    person is an int from there on: no `Person`, id text or pair is built per person or event. Equal texts read from
    a database are distinct objects; a person's sex, nationality, centre and category are made one shared object
    each, which the breakdowns then hash and compare once per distinct object."""
    shared: dict[Any, Any] = {}

    def share(values: list[Any]) -> list[Any]:
        return list(map(shared.setdefault, values, values))

    if people:
        shorts, ids, sexes, born, nationalities, centres, categories = _columns(people, len(PERSON_ROW))
    else:
        shorts = ids = sexes = born = nationalities = centres = categories = []
    by_short = dict(zip(shorts, range(len(shorts))))  # a shared number: the last
    by_short.pop("", None)  # "" names no one (a short id always has eight characters)
    if merged:
        _collapse_merged(by_short, shorts, ids, merged)
    first, last = start.isoformat(), end.isoformat()
    kept: list[EventGroup] = []
    cases: list[Case] = []
    covered: dict[str | None, bool] = {}
    unlinked = 0
    for link, assistance_type, status, centre, joined in groups:
        parts = joined.split(LINK_SEP)
        named: list[Any] = list(map(by_short.get, parts[0::2]))
        missing = named.count(None)
        unlinked += missing
        found = list(map(is_not, named, repeat(None))) if missing else None
        if link == "case":
            cases += map(Case, map(ids.__getitem__, compress(named, found) if found else named), repeat(status))
            continue
        if covers is not None and not covered.setdefault(centre, covers(centre)):
            continue
        days = parts[1::2]
        if days and first <= min(days) and max(days) <= last:  # the whole group in the period
            numbers = list(compress(named, found)) if found else named
            if found:
                days = list(compress(days, found))
        else:
            keep = list(map(and_, map(first.__le__, days), map(last.__ge__, days)))
            if found:
                keep = list(map(and_, keep, found))
            numbers, days = list(compress(named, keep)), list(compress(days, keep))
        if numbers:
            kept.append(EventGroup(shared.setdefault(link, link), shared.setdefault(assistance_type, assistance_type),
                                   numbers, days))
    columns = PeopleColumns(ids, share(sexes), born, share(nationalities), share(centres), share(categories))
    held = sessions_from_rows(sessions, by_short, ids, start=start, end=end, covers=covers)
    return Inputs(columns, EventGroups(columns, kept), cases, unlinked, held)


def merges_of(decisions: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """The merged registration's id -> the kept one's, from the review desk's decisions (each its extracted fields,
    DECISION_FIELDS): the merges not undone. The desk leaves every event naming the registration it was recorded for
    (before, after or on its way during the merge): those naming the merged registration's number count for the kept
    person through this (`inputs_from_link_groups(merged=)`)."""
    out: dict[str, str] = {}
    for d in decisions:
        a, b, kept = d.get("person_a") or "", d.get("person_b") or "", d.get("kept") or ""
        if d.get("decision") != "merge" or d.get("undone") == "yes" or not a or not b or a == b or kept not in (a, b):
            continue
        out[b if kept == a else a] = kept
    return out


def merge_survivor(merged: Mapping[str, str], record_id: str) -> str | None:
    """Where a registration ends up through the merges (`merges_of`): itself when not merged, the kept one's own
    survivor when it was (a chain followed to its end); None when the merges go round in a circle."""
    seen = {record_id}
    current = record_id
    while current in merged:
        current = merged[current]
        if current in seen:
            return None
        seen.add(current)
    return current


def merge_groups(merged: Mapping[str, str], persons: Iterable[str]) -> dict[str, list[str]]:
    """For each of `persons` that was merged or kept in a merge (`merges_of`): the other registrations of the same
    person, all those that end at the same survivor (consent changes recorded on any of them are the person's)."""
    if not merged:
        return {}
    by_survivor: dict[str, set[str]] = {}
    for record_id in {*merged, *merged.values()}:
        survivor = merge_survivor(merged, record_id)
        if survivor is not None:
            by_survivor.setdefault(survivor, set()).update((record_id, survivor))
    out: dict[str, list[str]] = {}
    for person in persons:
        survivor = merge_survivor(merged, person)
        others = sorted(by_survivor.get(survivor, set()) - {person}) if survivor is not None else []
        if others:
            out[person] = others
    return out


def _collapse_merged(by_short: dict[str, int], shorts: Sequence[str], ids: Sequence[str],
                     merged: Mapping[str, str]) -> None:
    """Make the registration number of each merged person name its survivor (the kept person, or theirs when the kept
    one was merged in turn): every link to either number counts one person. A merged person who is not the one their
    number names (two sharing a number), a survivor not among these people (another scope) or a cycle of merges
    leaves the number as it was."""
    number_of = dict(zip(ids, range(len(ids))))
    for gone in merged:
        n = number_of.get(gone)
        if n is None or by_short.get(shorts[n]) != n:
            continue
        kept = merge_survivor(merged, gone)
        survivor = number_of.get(kept) if kept is not None else None
        if survivor is not None:
            by_short[shorts[n]] = survivor


def inputs_from_records(rows: Iterable[RecordRow], *, covers: Callable[[str | None], bool] = lambda _c: True
                        ) -> Inputs:
    """People, events, referrals and cases from stored records. Events and referrals name their person by the
    registration number (person_ref: the short id); a number that names no one is counted in `unlinked`. `covers`
    is the scope's filter on an event's centre."""
    return inputs_from_facts((f for row in rows if (f := fact_of(row)) is not None), covers=covers)
