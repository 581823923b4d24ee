"""The indicators' one-pass computation (`indicators.compute_all`, `compute`) gives what the earlier one pass per
indicator gave, kept here as the reference, on random synthetic sets: merges (chains, cycles, to deleted or missing
registrations), deleted people, events outside the period, returns, referrals, empty values, sessions naming people.
Compared: the people counted (and their order), the session tallies and reach, every one-way count and a two-way
table."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, timedelta

import pytest

from waypoint_core.registry.indicators import (
    DIMENSIONS, INDICATORS, PROTECTED_CATEGORIES, VOT_STATUSES, Case, Event, Fact, IndicatorResult,
    Person, Register, Session, compute, compute_all, fact_rows, inputs_from_facts, inputs_from_link_groups,
    link_groups, short_id,
)

START, END = date(2026, 1, 1), date(2026, 6, 30)
TYPES = [None, "", "food", "registration", "counselling_info", "avrr_travel", "post_arrival", "reint_economic",
         "reint_social", "legal"]
KINDS = ["assistance"] * 6 + ["return", "referral", "other"]
CATEGORIES = [None, "", "migrant_transit", "stranded", "returnee", "refugee", "idp"]
STATUSES = [None, "", "PossibleVictimOfTrafficking", "ActualVictimOfTrafficking", "Possible", "Actual", "NotAVictim"]


# --- the reference: one pass per indicator over the resolved events, as computed before ------------------------

Resolved = list[tuple[Person, Event]]


def _resolve(events: Iterable[Event], register: Register, start: date, end: date) -> Resolved:
    return [(person, e) for e in events
            if start <= e.day <= end and (person := register.survivor(e.person_id)) is not None]


def _assistance(resolved: Resolved, test: Callable[[str | None], bool]) -> dict[str, Person]:
    return {p.id: p for p, e in resolved if e.kind == "assistance" and test(e.assistance_type)}


def reference(code: str, start: date, end: date, resolved: Resolved, cases: list[Case], sessions: list[Session],
              register: Register) -> IndicatorResult:
    counted: dict[str, Person] = {}
    extra: dict[tuple[str, str], int] = defaultdict(int)
    reach = 0
    held: list[Session] = []
    if code == "3.2":
        counted = {p.id: p for p, e in resolved if e.kind == "assistance" and e.assistance_type not in
                   (None, "registration") and p.category in PROTECTED_CATEGORIES}
    elif code == "3.3":
        linked: set[str] = set()
        for s in sessions:
            if start <= s.day <= end:
                held.append(s)
                for key, n in s.tallies.items():
                    extra[key] += n
                reach += s.estimated_reach
                linked.update(p.id for pid in s.person_ids if (p := register.survivor(pid)) is not None)
        counted = {pid: p for pid, p in _assistance(resolved, lambda t: t == "counselling_info").items()
                   if pid not in linked}
    elif code == "3.4":
        counted = {p.id: p for p, e in resolved
                   if e.kind == "return" or (e.kind == "assistance" and e.assistance_type == "avrr_travel")}
    elif code == "3.5":
        counted = _assistance(resolved, lambda t: t == "post_arrival")
    elif code == "3.5bis":
        counted = _assistance(resolved, lambda t: (t or "").startswith("reint_"))
    elif code == "vot":
        victims = {p.id for c in cases if (c.trafficking_status or "") in VOT_STATUSES
                   if (p := register.survivor(c.person_id)) is not None}
        counted = {p.id: p for p, e in resolved if e.kind in ("assistance", "referral") and p.id in victims}
    return IndicatorResult(code, start, end, counted, dict(extra), reach, tuple(held))


# --- random synthetic sets --------------------------------------------------------------------------------------

def synthetic(seed: int, size: int) -> tuple[list[Person], list[Event], list[Case], list[Session]]:
    rng = random.Random(seed)
    ids = [f"p{n}" for n in range(size)]
    people = []
    for pid in ids:
        merged = rng.choice(ids + ["missing"]) if rng.random() < 0.15 else None  # chains, cycles, self, missing
        people.append(Person(pid, rng.choice(["female", "male", None, ""]), rng.choice([None, *range(1950, 2026)]),
                             rng.choice(["ML", "NE", None, ""]), rng.choice(["ne_agadez", "ml_gao", None]),
                             rng.choice(CATEGORIES), merged_into=merged, deleted=rng.random() < 0.05))
    named = ids + ["missing", "other"]
    events = [Event(rng.choice(named), START + timedelta(days=rng.randrange(-30, 220)), rng.choice(KINDS),
                    rng.choice(TYPES), rng.choice(["ne_agadez", None])) for _ in range(size * 3)]
    cases = [Case(rng.choice(named), rng.choice(STATUSES)) for _ in range(size // 5)]
    sessions = [Session(START + timedelta(days=rng.randrange(-30, 220)),
                        {(rng.choice(["female", "male"]), rng.choice(["18_24", "25_35"])): rng.randrange(1, 40)},
                        rng.randrange(0, 500), tuple(rng.sample(named, 5)), "ne_agadez") for _ in range(4)]
    return people, events, cases, sessions


def same(found: IndicatorResult, expected: IndicatorResult) -> None:
    assert found.code == expected.code
    assert list(found.people.items()) == list(expected.people.items())  # the same people, in the same order
    assert found.extra == expected.extra and found.estimated_reach == expected.estimated_reach
    assert found.total == expected.total
    assert found.dimensions == expected.dimensions
    for dimension in found.dimensions:
        assert found.counts(dimension) == expected.counts(dimension)
        assert list(found.counts(dimension)) == list(expected.counts(dimension))
    assert found.table("sex", "age_group") == expected.table("sex", "age_group")


@pytest.mark.parametrize("seed", range(12))
def test_every_indicator_equals_the_one_pass_per_indicator_reference(seed):
    people, events, cases, sessions = synthetic(seed, 150 + 40 * seed)
    register = Register(people)
    resolved = _resolve(events, register, START, END)
    results = compute_all(start=START, end=END, people=iter(people), events=iter(events), cases=iter(cases),
                          sessions=iter(sessions))
    assert [r.code for r in results] == list(INDICATORS)
    for result in results:
        expected = reference(result.code, START, END, resolved, cases, sessions, register)
        same(result, expected)
        same(compute(result.code, start=START, end=END, people=people, events=events, cases=cases,
                     sessions=sessions), expected)


def test_every_event_inside_the_period_and_an_empty_one():
    people, events, cases, sessions = synthetic(99, 200)
    inside = [e for e in events if START <= e.day <= END]
    register = Register(people)
    resolved = _resolve(inside, register, START, END)
    for result in compute_all(start=START, end=END, people=people, events=inside, cases=cases, sessions=sessions):
        same(result, reference(result.code, START, END, resolved, cases, sessions, register))
    for result in compute_all(start=START, end=END, people=people):
        assert result.people == {} and result.total == 0


def test_an_unknown_indicator_is_refused():
    with pytest.raises(ValueError):
        compute("3.9", start=START, end=END, people=[])


# --- facts kept as rows (the device's indicator_fact) link as facts do ------------------------------------------------


def random_facts(seed: int, size: int) -> list[Fact]:
    """Registrations (some sharing a registration number), events, referrals and cases naming them, no one or a number
    typed in another way; days missing; records that are both a person and a link."""
    rng = random.Random(seed)
    ids = [f"{rng.randrange(64):04x}{rng.choice(['0000', '0001'])}-0000-4000-8000-{n:012x}" for n in range(size)]
    facts: list[Fact] = []
    for record_id in ids:
        person = Person(record_id, rng.choice([None, "female", "male"]), rng.choice([None, 1980, 2001, 2019]),
                        rng.choice([None, "ML", "NE"]), rng.choice([None, "ne_agadez", "ml_gao"]),
                        rng.choice(CATEGORIES)) if rng.random() < 0.5 else None
        link = rng.choice([None, "assistance", "assistance", "referral", "case"]) if person is None or \
            rng.random() < 0.1 else None
        if person is None and link is None:
            link = "assistance"
        ref = rng.choice(["", short_id(rng.choice(ids)), short_id(rng.choice(ids)), "DEADBEEF"])
        day = rng.choice([None, START, END, START + timedelta(days=rng.randrange(400))])
        facts.append(Fact(record_id, person, short_id(record_id) if person is not None else None, link,
                          ref if link else "", day if link else None,
                          rng.choice(TYPES) if link == "assistance" else None,
                          rng.choice([None, "ne_agadez", "ml_gao"]) if link else None,
                          rng.choice(STATUSES) if link == "case" else None))
    return facts


def same_counts(found: IndicatorResult, expected: IndicatorResult) -> None:
    """`same`, the people in any order: linked from grouped rows, events come group by group."""
    assert found.code == expected.code and found.people == expected.people
    assert found.extra == expected.extra and found.estimated_reach == expected.estimated_reach
    for dimension in DIMENSIONS:
        assert list(found.counts(dimension).items()) == list(expected.counts(dimension).items())
    assert found.table("sex", "age_group") == expected.table("sex", "age_group")


@pytest.mark.parametrize("seed", range(6))
def test_fact_rows_link_as_the_facts_do(seed):
    """Facts kept as rows, their links grouped as the device's and the server's SQL group them, give the people,
    cases, unlinked count and indicators the facts give (`inputs_from_facts`), sessions naming people included; events
    only those of the period."""
    facts = random_facts(seed, 300)
    people, links = [], []
    for fact in facts:
        person, link = fact_rows(fact)
        if person is not None:
            people.append(person)
        if link is not None:
            links.append(link)
    rng = random.Random(seed)
    ids = [f.id for f in facts if f.person is not None]
    sessions = [Session(START + timedelta(days=rng.randrange(-30, 220)), {("female", "18_24"): rng.randrange(1, 40)},
                        rng.randrange(0, 500), tuple(rng.sample(ids, 40)) + ("missing",)) for _ in range(3)]
    for covers in (None, lambda centre: centre == "ne_agadez"):
        expected = inputs_from_facts(facts, covers=covers or (lambda _c: True))
        assert len({p.id for p in expected.people}) > len({short_id(p.id) for p in expected.people})  # shared numbers
        for start, end in ((START, END), (END, END + timedelta(days=90)), (START, START)):
            found = inputs_from_link_groups(people, link_groups(links, by_centre=covers is not None), start=start,
                                            end=end, covers=covers)
            in_period = [e for e in expected.events if start <= e.day <= end]
            named = {e.person_id for e in in_period} | {c.person_id for c in expected.cases}
            everyone = {p.id: p for p in found.people}  # every row, a number each
            assert [everyone[p.id] for p in expected.people if p.id in named] == \
                [p for p in expected.people if p.id in named]
            assert {p.id for p in found.events.named()} | {c.person_id for c in found.cases} == named
            assert sorted(found.cases, key=repr) == sorted(expected.cases, key=repr)
            assert found.unlinked == expected.unlinked and expected.unlinked > 0
            assert sorted(((e.person_id, e.day, e.kind, e.assistance_type) for e in found.events.events()),
                          key=repr) == \
                sorted(((e.person_id, e.day, e.kind, e.assistance_type) for e in in_period), key=repr)
            for code, result in zip(INDICATORS, compute_all(start=start, end=end, people=found.people,
                                                             events=found.events, cases=found.cases,
                                                             sessions=sessions)):
                same_counts(result, compute(code, start=start, end=end, people=expected.people,
                                            events=expected.events, cases=expected.cases, sessions=sessions))


def test_no_fact_rows_give_no_inputs():
    found = inputs_from_link_groups([], [], start=START, end=END)
    assert (len(found.people), len(found.events), found.cases, found.unlinked) == (0, 0, [], 0)
    assert [r.total for r in compute_all(start=START, end=END, people=found.people, events=found.events)] == \
        [0] * len(INDICATORS)
