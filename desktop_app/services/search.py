"""Finding a person again (issue 12): what someone typed, looked up in the vault's search index, ranked, with why
each result matched; and, before a registration is finalized, whether it looks like someone already registered.

The rules are waypoint_core.registry.search (the server runs the same): names in Latin or Arabic script, spelling
and transliteration variants, given and family names in either order, document numbers whatever their spacing,
phones with or without their country code, a date of birth, an age or a year of birth; country, centre, sex and
status words (English and French) filter, and so do the case's state ("closed", "clôturé", "open", "ouvert": the
case file's Open / Closed, read from the status changes only when such a word was typed). The index is kept by the
vault's one writer (vault/search_index.py).

Only what the signed-in person may see is looked up (services/access.py: a field-staff user never finds a
trafficking case, nor another person's records where their scope is their own). No Qt here; runs on the UI's
database thread.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import overload

from desktop_app.records import casefile as casefile_store
from desktop_app.records.form_store import get_form_xform
from desktop_app.records.schema import form_schema, parse_instance, withhold_personal_data
from desktop_app.services import access, places
from desktop_app.vault import consent_reads, search_reads
from desktop_app.vault.search_index import person_from_content
from desktop_app.vault.vault import Vault
from waypoint_core.registry import search as core
from waypoint_core.registry.keys import search_keys
from waypoint_core.registry.matching import score_pair
from waypoint_core.registry.person import Profile, prepare
from waypoint_core.registry.search_words import vocabulary_from_lists

DEFAULT_LIMIT = 50
FILTER_ONLY_LIMIT = 500  # registrations ranked when only filters (country, sex, age…) were typed
DUPLICATE_THRESHOLD = 0.5  # waypoint_core.registry.matching's default candidate threshold


@dataclass(frozen=True)
class SearchResult:
    """One found person: the record, how well it matched (0–1), why, and what the line shows."""

    record_id: str
    score: float
    why: tuple[str, ...]
    title: str = ""
    sex: str = ""
    age: int | None = None
    nationality: str = ""
    centre: str = ""
    status: str = ""
    form_id: str = ""

    @property
    def short_id(self) -> str:
        return self.record_id.replace("-", "")[:8].upper()


@dataclass(frozen=True)
class SearchOutcome:
    text: str
    results: tuple[SearchResult, ...] = ()
    seconds: float = 0.0
    understood: dict[str, tuple[str, ...]] = field(default_factory=dict)  # filters read from the words typed
    complete: bool = True  # False for the first stage (`first_results`): the refining search comes after


def vocabulary() -> core.Vocabulary:
    """Country names (English and French), centre names and their towns, sex, status and case words: the shared
    vocabulary (waypoint_core.registry.search_words), from the shipped place lists, as the server builds it."""
    return vocabulary_from_lists(places.LISTS_DIR)


def first_results(vault: Vault, text: str, *, limit: int = DEFAULT_LIMIT, today: date | None = None,
                  budget: int = core.FIRST_BUDGET) -> SearchOutcome:
    """The first stage, shown as the person types: records found by an exact key of every part of the query (each name
    word in its spelling or its sound, the word being typed as a beginning, each number, the date), at most
    core.FIRST_BUDGET of them read from the index's covering key, ranked by the same rules as `search`. `complete` is
    False: `search` refines it (close spellings, one-edit keys, a word left unfound). A query with no key (filters
    only) is answered in full at once. `budget` (the records ranked) is smaller only in tests, which compare the
    candidates' order with the server's. Its reads are one read transaction (`Vault.reading`), not one each."""
    with vault.reading():
        return _first_results(vault, text, limit=limit, today=today, budget=budget)


def _first_results(vault: Vault, text: str, *, limit: int, today: date | None, budget: int) -> SearchOutcome:
    started, today, seen, query = _asked(vault, text, today)
    if seen.nothing or query.empty:
        return SearchOutcome(text, (), time.perf_counter() - started)
    if not query.has_keys:
        return _ranked(vault, query, _filtered(vault, query, seen, today), limit=limit, today=today, started=started,
                       complete=True)
    ids = search_reads.first_candidates(vault, core.first_parts(query), budget + budget // 4)
    stored = search_reads.profiles(vault, search_reads.visible_ids(vault, ids, seen.rows, wanted=budget))
    return _ranked(vault, query, stored, limit=limit, today=today, started=started, complete=False)


@overload
def search(vault: Vault, text: str, *, limit: int = ..., today: date | None = ...) -> SearchOutcome: ...
@overload
def search(vault: Vault, text: str, *, limit: int = ..., today: date | None = ...,
           cancelled: Callable[[], bool]) -> SearchOutcome | None: ...


def search(vault: Vault, text: str, *, limit: int = DEFAULT_LIMIT, today: date | None = None,
           cancelled: Callable[[], bool] | None = None) -> SearchOutcome | None:
    """The people matching `text`, best first, among those the signed-in person may see. `cancelled` is asked between
    the look-ups (the screen cancels a refinement the person typed past); None when it said yes."""
    started, today, seen, query = _asked(vault, text, today)
    if seen.nothing or query.empty:
        return SearchOutcome(text, (), time.perf_counter() - started)
    if query.has_keys:
        wanted = core.lookups(query)
        ranges = core.prefix_ranges(query)
        # exact keys first (spelling, phonetic, numbers, dates); the one-edit neighbours, which a common name turns
        # into tens of thousands of rows, only when the exact keys leave the ranking budget unfilled
        exact = [key for key, (_, weight) in wanted.items() if weight > core.W_NEAR]
        rows = search_reads.key_hits(vault, exact, [(low, high) for low, high, _, _ in ranges])
        if cancelled is not None and cancelled():
            return None
        if len({record_id for _, record_id in rows}) < core.BUDGET:
            rows += search_reads.key_hits(vault, [key for key in wanted if wanted[key][1] <= core.W_NEAR], [])
        if ranges:
            for key in {key for key, _ in rows if key not in wanted}:
                for low, high, part, weight in ranges:
                    if low <= key < high:
                        wanted.setdefault(key, (part, weight))
        # the best by look-up weight, then only those the person may see (a few hidden ones may be among them)
        if cancelled is not None and cancelled():
            return None
        ids = search_reads.visible_ids(vault, core.pre_rank(wanted, rows, core.BUDGET + core.BUDGET // 4), seen.rows,
                                       wanted=core.BUDGET)
        stored = search_reads.profiles(vault, ids)
    else:
        stored = _filtered(vault, query, seen, today)
    return _ranked(vault, query, stored, limit=limit, today=today, started=started, complete=True)


def _asked(vault: Vault, text: str, today: date | None) -> tuple[float, date, access.Visibility, core.Query]:
    """What both stages start from: the clock, the day, what the person may see, the query as read."""
    started = time.perf_counter()
    today = today or date.today()
    seen = access.visibility(vault)
    query = core.parse_query(text, vocabulary(), today=today, default_country=places.get_place(vault).country or None)
    return started, today, seen, query


def _filtered(vault: Vault, query: core.Query, seen: access.Visibility, today: date) -> dict[str, str]:
    """A query with no key (filters, an age or a year of birth only): the records the filters keep, read in full."""
    age = None
    if query.age is not None:
        age = (query.age - 1, query.age + 1)
    elif query.birth_year is not None:
        age = (today.year - query.birth_year - 2, today.year - query.birth_year + 1)
    if query.filters.get("case") == frozenset({core.CASE_CLOSED}):
        # closed cases are the few: every one the person may see (the first FILTER_ONLY_LIMIT when nothing else was
        # typed), the other filters and the age left to `rank`
        closed = sorted(casefile_store.closed_cases(vault))
        alone = set(query.filters) == {"case"} and age is None
        return search_reads.profiles(vault, search_reads.visible_ids(vault, closed, seen.rows,
                                                                     wanted=FILTER_ONLY_LIMIT if alone else None))
    return search_reads.filtered(vault, dict(query.filters), age=age, limit=FILTER_ONLY_LIMIT, visible=seen.rows)


def _with_case(vault: Vault, query: core.Query, stored: dict[str, str]) -> list[Profile]:
    """The stored profiles, each with its case's state (`Profile.case`) when the query asks for one ("closed")."""
    found = [Profile.from_json(profile) for profile in stored.values()]
    if "case" not in query.filters:
        return found
    closed = casefile_store.closed_cases(vault, [profile.id for profile in found])
    return [dataclasses.replace(profile, case=core.CASE_CLOSED if profile.id in closed else core.CASE_OPEN)
            for profile in found]


def _ranked(vault: Vault, query: core.Query, stored: dict[str, str], *, limit: int, today: date, started: float,
            complete: bool) -> SearchOutcome:
    """Rank stored profiles against the query (core.rank: the reasons too) and add each result's summary line."""
    hits = [hit for profile in _with_case(vault, query, stored)
            if (hit := core.rank(query, profile, today=today)) is not None]
    hits.sort(key=lambda h: (-h.score, h.id))
    hits = hits[:limit]
    lines = search_reads.summaries(vault, [h.id for h in hits])
    results = tuple(_result(h.id, h.score, h.why, lines.get(h.id)) for h in hits if h.id in lines)
    understood = {name: tuple(sorted(values)) for name, values in query.filters.items()}
    return SearchOutcome(query.text, results, time.perf_counter() - started, understood, complete)


def _result(record_id: str, score: float, why: tuple[str, ...], line: search_reads.Summary | None) -> SearchResult:
    if line is None:
        return SearchResult(record_id, score, why)
    return SearchResult(record_id, score, why, title=line.title or "", sex=line.sex or "", age=line.age,
                        nationality=line.nationality or "", centre=line.centre or "", status=line.status,
                        form_id=line.form_id)


# --- before finalizing: has this person been registered already? ---------------------------------------------------


def possible_duplicates(vault: Vault, *, form_id: str, form_version: str, content: str,
                        record_id: str | None = None, limit: int = 5) -> list[SearchResult]:
    """Registrations that look like the person in `content` (a record about to be finalized), best first.

    Only for a person who consented to matching, and only among registrations whose person consented too
    (R1, data-model §6.6); the record itself is left out. Scored as duplicate candidates are
    (waypoint_core.registry.matching: document, phone, date of birth, names weighted by rarity), so the reasons
    say what agrees. Nothing is written.
    """
    schema = form_schema(get_form_xform(vault, form_id, form_version))
    root = parse_instance(content)
    if withhold_personal_data(schema, root):
        return []  # consent refused: nothing personal is kept, nothing is compared
    person = person_from_content(record_id or "new", content, status=None, created_at=None)
    if person is None or not person.consent_matching:
        return []
    if record_id is not None:  # consent to matching withdrawn since registration (services/consent.py)
        now = consent_reads.consent_many(vault, [record_id]).get(record_id)
        if now is not None and not now.allows("matching"):
            return []
    new = prepare(person)
    seen = access.visibility(vault)
    if seen.nothing:
        return []
    keys = search_keys(new)
    rows = search_reads.key_hits(vault, keys, [])
    counts: dict[str, int] = {}
    for _, other in rows:
        if other != record_id:
            counts[other] = counts.get(other, 0) + 1
    best = sorted(counts, key=lambda r: (-counts[r], r))[:core.BUDGET + core.BUDGET // 4]
    ids = search_reads.visible_ids(vault, best, seen.rows, wanted=core.BUDGET)
    found: list[tuple[float, str, tuple[str, ...]]] = []
    for other, stored in search_reads.profiles(vault, ids).items():
        profile = Profile.from_json(stored)
        if not profile.consent_matching:
            continue
        pair = score_pair(new, profile)
        if pair.score >= DUPLICATE_THRESHOLD:
            found.append((pair.score, other, tuple(pair.why)))
    found.sort(key=lambda item: (-item[0], item[1]))
    found = found[:limit]
    lines = search_reads.summaries(vault, [other for _, other, _ in found])
    return [_result(other, round(score, 4), why, lines.get(other)) for score, other, why in found if other in lines]
