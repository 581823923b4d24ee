"""Search: what someone typed, parsed into index look-ups, filters and a ranking that says why.

The same code runs on the device (over the vault's search table) and on the server, and `MemoryIndex` runs
it over profiles held in memory (tests, benchmarks, the server's review desk).

A query is split into parts (`parse_query`):

- runs of words holding digits: a date (2001-03-12, 12/03/2001, 12.03.2001: day first, and the swap is
  tried when both could be a month), a year of birth (1990), an age (25, 25 ans, age 25), or a number of
  five digits or more, looked up as a document number and, with seven or more digits, as a phone number;
- words of the caller's vocabulary (`Vocabulary`: country names and codes → nationality, centre names →
  centre, status words → status (draft, finalized), case words → case (open, closed: `Profile.case`, which the
  caller sets), sex words → sex), which filter;
- every other word is a name word; the last one, while the person is still typing it, is also a prefix.

`lookups` lists the index keys with a weight; the caller counts, per record, the best weight of each query
part, keeps the best `budget` records and `rank`s them with their stored profiles.

Results come in two stages, ranked by the same `rank`. The first (`first_parts`) reads exact keys only: a record is a
first-stage candidate when every part of the query (each name word, each number, the date) finds one of its exact
keys, or, for the word still being typed, a key beginning with it; at most `FIRST_BUDGET` candidates, exact
spellings first (`Part.spelling`; when they alone find `FIRST_ENOUGH` records, those are the first results: they rank
above any other spelling), then any exact key; within a round, in one order (`first_order`: the weights of the keys
held, as `lookups` weighs them, then the record id), which the device's index, the server's hashed keys and
`MemoryIndex.first` all follow, so the same people give the same first results. It is what a screen shows as the
person types. The second (`lookups`, `pre_rank`) adds every key one edit away and a part left unfound, and refines
the first.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from .fold import fold_latin
from .identifiers import document_distance, normalise_document, normalise_phone
from .keys import DOCUMENT_ALPHABET, neighbours, phone_key, search_keys
from .names import PersonName, describe, name_similarity, parse_name
from .person import Profile

FILTER_FIELDS = ("nationality", "centre", "status", "sex", "case")
CASE_OPEN, CASE_CLOSED = "open", "closed"  # the case filter's values (a profile whose case is unknown is open)
MIN_SCORE = 0.55
BUDGET = 300  # records ranked in full per query, chosen by their look-up weights
FIRST_BUDGET = 100  # records ranked in the first stage (exact keys only)
FIRST_ENOUGH = 20  # exact spellings found: the first stage shows them and leaves sounds-alike to the refining search

_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DATE_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_AGE_WORDS = frozenset({"ans", "an", "years", "year", "yrs", "yr", "y", "a", "age", "âge"})


@dataclass(frozen=True)
class Vocabulary:
    """Folded words or phrases → (field, value): 'niger' → ('nationality', 'NE'), 'agadez' → ('centre', …)."""
    terms: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    longest: int = 1  # words in the longest phrase

    @classmethod
    def of(cls, entries: Iterable[tuple[str, str, str]]) -> Vocabulary:
        """From (label or code, field, value) triples; labels are folded, so 'Niger' and 'niger' agree."""
        terms: dict[str, tuple[str, str]] = {}
        for label, field_name, value in entries:
            if field_name not in FILTER_FIELDS:
                raise ValueError(f"unknown search filter {field_name!r}; expected one of {FILTER_FIELDS}")
            folded = " ".join(fold_latin(label).split())
            if folded:
                terms.setdefault(folded, (field_name, value))
        longest = max((len(t.split()) for t in terms), default=1)
        return cls(terms=terms, longest=longest)


@dataclass(frozen=True)
class Number:
    """A number typed in the query: looked up as a document number and, with 7+ digits, as a phone."""
    document: str | None
    phone: str | None  # phone key (last eight digits)


@dataclass(frozen=True)
class Query:
    text: str
    name: PersonName
    numbers: tuple[Number, ...] = ()
    dates: tuple[date, ...] = ()
    birth_year: int | None = None
    age: int | None = None
    filters: Mapping[str, frozenset[str]] = field(default_factory=dict)
    prefix: str | None = None  # the word still being typed (spelling-normalised)

    @property
    def empty(self) -> bool:
        return (self.name.empty and not self.numbers and not self.dates
                and self.birth_year is None and self.age is None and not self.filters)

    @property
    def has_keys(self) -> bool:
        return bool(not self.name.empty or self.numbers or self.dates or self.prefix)


def _date(text: str) -> list[date]:
    found: list[date] = []
    if m := _DATE_ISO.match(text):
        parts = [(int(m.group(1)), int(m.group(2)), int(m.group(3)))]
    elif m := _DATE_DMY.match(text):
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        parts = [(year, month, day), (year, day, month)]
    else:
        return found
    for year, month, day in parts:
        try:
            value = date(year, month, day)
        except ValueError:
            continue
        if value not in found:
            found.append(value)
    return found


def _is_numberish(word: str) -> bool:
    return any(ch.isdigit() for ch in word)


def _number_prefix(words: list[str], i: int) -> bool:
    """Letters typed apart from the digits of a document number: 'AB 123 4567' (five digits or more follow)."""
    if not (words[i].isalpha() and len(words[i]) <= 3):
        return False
    digits = 0
    for word in words[i + 1:]:
        if not _is_numberish(word):
            break
        digits += sum(ch.isdigit() for ch in word)
    return digits >= 5


def parse_query(text: str, vocabulary: Vocabulary | None = None, *, today: date,
                default_country: str | None = None) -> Query:
    """Split a typed query into its parts (see the module docstring)."""
    vocabulary = vocabulary or Vocabulary()
    raw = text.split()
    folded = [" ".join(fold_latin(w).split()) for w in raw]
    filters: dict[str, set[str]] = defaultdict(set)
    name_words: list[str] = []
    numbers: list[Number] = []
    dates: list[date] = []
    birth_year: int | None = None
    age: int | None = None
    i = 0
    while i < len(raw):
        # Vocabulary phrases first (longest match), so 'Burkina Faso' is one nationality, not two names.
        matched = False
        for size in range(min(vocabulary.longest, len(raw) - i), 0, -1):
            phrase = " ".join(folded[i:i + size])
            term = vocabulary.terms.get(phrase)
            if term is None and size == 1 and raw[i].isupper():
                term = vocabulary.terms.get(raw[i].casefold())
            if term is not None and (size > 1 or len(phrase) > 1):
                filters[term[0]].add(term[1])
                i += size
                matched = True
                break
        if matched:
            continue
        if _is_numberish(raw[i]) or _number_prefix(raw, i):
            j = i + 1
            while j < len(raw) and _is_numberish(raw[j]):
                j += 1
            run = raw[i:j]
            joined = "".join(run)
            digits = sum(ch.isdigit() for ch in joined)
            if (found := _date(joined)) or (len(run) == 1 and (found := _date(run[0]))):
                dates += found
            elif joined.isdigit() and len(joined) == 4 and 1900 <= int(joined) <= today.year:
                birth_year = int(joined)
            elif joined.isdigit() and len(joined) <= 3 and int(joined) <= 110:
                age = int(joined)
            elif digits >= 4:
                phone = normalise_phone(joined, default_country) if digits >= 7 else None
                number = Number(normalise_document(joined), phone_key(phone) if phone else None)
                if number.document or number.phone:
                    numbers.append(number)
            i = j
            continue
        if folded[i] in _AGE_WORDS and (age is not None or (i + 1 < len(raw) and raw[i + 1].isdigit())):
            i += 1
            continue
        name_words.append(raw[i])
        i += 1
    name = parse_name(text=" ".join(name_words))
    prefix = None
    if name_words and not text[-1:].isspace() and not name.empty:
        last = name.written[-1] if name.written else name.tokens[-1]
        if len(last.simple) >= 2:
            prefix = last.simple
    return Query(text=text, name=name, numbers=tuple(numbers), dates=tuple(dates),
                 birth_year=birth_year, age=age, filters={k: frozenset(v) for k, v in filters.items()},
                 prefix=prefix)


# --- look-ups ------------------------------------------------------------------------------------------

W_SPELLING, W_PHONETIC, W_NEAR = 3.0, 2.0, 1.0
# the word being typed: a name its letters begin weighs W_PREFIX, above the sound of that word when the sound is one
# consonant (or none), which weighs W_NEAR there ("Ous" is S: Issa, Aissa, Sow; Ousmane begins with its letters)
W_PREFIX = 1.5
W_DOCUMENT, W_DOCUMENT_NEAR, W_PHONE, W_DATE = 6.0, 4.0, 5.0, 3.0


def lookups(query: Query) -> dict[str, tuple[str, float]]:
    """Index key → (query part, weight). A record's pre-rank weight is the sum, over the query parts, of the
    best weight among its keys for that part."""
    out: dict[str, tuple[str, float]] = {}

    def add(key: str, part: str, weight: float) -> None:
        if key not in out or out[key][1] < weight:
            out[key] = (part, weight)

    last = len(query.name.tokens) - 1
    for n, token in enumerate(query.name.tokens):
        part = f"w{n}"
        for key in token.keys:
            for near in neighbours(key):
                add("n:" + near, part, W_NEAR)
        short = n == last and query.prefix is not None and len(token.keys[0]) <= 1
        for key in token.keys:
            add("n:" + key, part, W_NEAR if short else W_PHONETIC)
        add("s:" + token.simple, part, W_SPELLING)
    for token in query.name.written:  # the words of a compound, as written, also find their record
        part = f"x:{token.text}"
        for key in token.keys:
            add("n:" + key, part, W_NEAR)
    for n, number in enumerate(query.numbers):
        if number.document:
            if len(number.document) >= 6:
                for near in neighbours(number.document, DOCUMENT_ALPHABET):
                    add("d:" + near, f"d{n}", W_DOCUMENT_NEAR)
            add("d:" + number.document, f"d{n}", W_DOCUMENT)
        if number.phone:
            add("p:" + number.phone, f"d{n}", W_PHONE)
    for day in query.dates:
        add("b:" + day.isoformat(), "b", W_DATE)
    return out


def prefix_ranges(query: Query) -> list[tuple[str, str, str, float]]:
    """(low, high, part, weight): key ranges [low, high) for the word still being typed."""
    if query.prefix is None:
        return []
    last = (query.name.written or query.name.tokens)[-1]
    part = f"w{len(query.name.tokens) - 1}"
    ranges = [("s:" + query.prefix, "s:" + query.prefix + "\uffff", part, W_PREFIX)]
    if len(last.keys[0]) >= 2:
        ranges.append(("n:" + last.keys[0], "n:" + last.keys[0] + "\uffff", part, W_NEAR))
    return ranges


PREFIX = 0.9  # how much a name the word being typed begins counts, as a word of the name

_KEY_WEIGHTS = {"s:": W_SPELLING, "n:": W_PHONETIC, "d:": W_DOCUMENT, "p:": W_PHONE, "b:": W_DATE}


@dataclass(frozen=True)
class Part:
    """One part of a query for the first stage: its exact keys, best first, and key ranges [low, high) of the word
    still being typed. A first-stage candidate has, for every part, one of these keys."""
    name: str
    keys: tuple[str, ...]
    ranges: tuple[tuple[str, str], ...] = ()

    def spelling(self) -> Part:
        """A name word by its spelling only (its first key and range); a number or a date as it is."""
        if not self.name.startswith("w"):
            return self
        return Part(self.name, self.keys[:1], self.ranges[:1])

    def weights(self) -> dict[str, int]:
        """Each exact key's weight, as `lookups` weighs it (spelling 3, sound 2, document 6, phone 5, date 3); a key
        found only in a range weighs `RANGE_WEIGHT`. A record's weight for the part is the best of its keys'."""
        return {key: int(_KEY_WEIGHTS[key[:2]]) for key in self.keys}

    def levels(self) -> list[tuple[int, Part]]:
        """The weights a record can have for the part, heaviest first, each with the part's keys of that weight (the
        ranges of the word being typed last, at `RANGE_WEIGHT`): a record's weight for the part is that of the first
        level whose keys it holds."""
        weights = self.weights()
        found = [(weight, Part(self.name, tuple(key for key in self.keys if weights[key] == weight)))
                 for weight in sorted(set(weights.values()), reverse=True)]
        return found + ([(RANGE_WEIGHT, Part(self.name, (), self.ranges))] if self.ranges else [])


RANGE_WEIGHT = int(W_NEAR)  # a key of the word being typed found by its beginning (below every exact key's weight)


def first_order(weights: Mapping[str, int]) -> list[str]:
    """The first stage's one order of a round's candidates (record id → the sum over the parts of the record's best
    weight for each): heaviest first, then by record id. The device, the server and `MemoryIndex.first` all keep the
    first `budget` in this order, so the same query on the same people finds the same first results."""
    return sorted(weights, key=lambda record_id: (-weights[record_id], record_id))


def heaviest(weighed: Iterable[tuple[int, Iterable[str]]]) -> dict[str, int]:
    """Record id → the heaviest weight among the (weight, records) pairs that list it."""
    best: dict[str, int] = {}
    for weight, records in sorted(weighed, key=lambda item: item[0]):  # the heaviest last, so it stays
        best.update(dict.fromkeys(records, weight))
    return best


def best_weights(part: Part, by_key: Mapping[str, Iterable[str]], in_ranges: Iterable[Iterable[str]]) -> dict[str, int]:
    """Record id → its weight for `part` (`Part.levels`: the best weight of the part's exact keys it holds, else
    `RANGE_WEIGHT` for a key in one of the part's ranges), from the records of each exact key (`by_key`) and of each
    range (`in_ranges`): the weights `first_order` sums, however the records were read."""
    return heaviest([(RANGE_WEIGHT, records) for records in in_ranges]
                    + [(weight, by_key.get(key, ())) for key, weight in part.weights().items()])


def round_candidates(bests: list[dict[str, int]], budget: int) -> list[str]:
    """A round's candidates from each part's `best_weights`: the records holding every part, in `first_order`, the
    first `budget` (the smallest part's records checked against the others; the best `budget` taken without sorting
    them all)."""
    if not bests:
        return []
    smallest, *others = sorted(bests, key=len)
    total = dict(smallest)
    for best in others:
        total = {record_id: weight + best[record_id] for record_id, weight in total.items() if record_id in best}
    return heapq.nsmallest(budget, total, key=lambda record_id: (-total[record_id], record_id))


def first_tiers(parts: list[Part]) -> list[list[tuple[int, ...]]]:
    """`first_order` tier by tier: the weights a round's candidate can have for each part (`Part.levels`, as indexes
    into each part's levels), grouped by their sum, heaviest first. The candidates of one tier are those whose weight
    for each part is one of the tier's; `first_order` lists a tier's records by record id after the heavier tiers',
    so a reader that lists each tier's records in record id order can stop at the budget."""
    by_total: dict[int, list[tuple[int, ...]]] = defaultdict(list)
    levels = [[weight for weight, _ in part.levels()] for part in parts]
    for chosen in itertools.product(*(range(len(weights)) for weights in levels)):
        by_total[sum(weights[n] for weights, n in zip(levels, chosen, strict=True))].append(chosen)
    return [by_total[total] for total in sorted(by_total, reverse=True)]


def first_rounds(parts: list[Part]) -> list[list[Part]]:
    """The first stage's rounds: every part by its spelling, then by any of its keys (one round when no part is a
    name word). The caller stops after a round that found FIRST_ENOUGH records; each round's candidates come in
    `first_order`, a round's after those of the rounds before."""
    spelt = [part.spelling() for part in parts]
    return [spelt, parts] if spelt != parts else [parts]


def first_parts(query: Query) -> list[Part]:
    """The parts a first-stage candidate must all find (see the module docstring); empty when the query has no key."""
    parts: list[Part] = []
    typing: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for low, high, part, _ in prefix_ranges(query):
        typing[part].append((low, high))
    for n, token in enumerate(query.name.tokens):
        keys = ["s:" + token.simple] + ["n:" + key for key in token.keys]
        parts.append(Part(f"w{n}", tuple(dict.fromkeys(keys)), tuple(typing.get(f"w{n}", ()))))
    for n, number in enumerate(query.numbers):
        keys = (["d:" + number.document] if number.document else []) + (["p:" + number.phone] if number.phone else [])
        parts.append(Part(f"d{n}", tuple(keys)))
    if query.dates:
        parts.append(Part("b", tuple("b:" + day.isoformat() for day in query.dates)))
    return parts


# --- ranking -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    id: str
    score: float
    why: tuple[str, ...]


def _filters_pass(query: Query, profile: Profile) -> bool:
    values = {"nationality": profile.nationality, "centre": profile.centre, "status": profile.status,
              "sex": profile.sex, "case": profile.case or CASE_OPEN}
    return all(values[f] in allowed for f, allowed in query.filters.items())


def _age_fits(query: Query, profile: Profile, today: date) -> bool | None:
    if profile.birth_years is None:
        return None
    low, high = profile.birth_years
    if query.age is not None:
        born = today.year - query.age
        return low - 1 <= born <= high + 1 or low - 1 <= born - 1 <= high + 1
    if query.birth_year is not None:
        return low - 1 <= query.birth_year <= high + 1
    return None


def _number_score(number: Number, profile: Profile, why: list[str]) -> float:
    if number.phone and profile.phone and phone_key(profile.phone) == number.phone:
        why.append("same phone number")
        return 1.0
    if number.document and profile.document:
        distance = document_distance(number.document, profile.document)
        if distance == 0:
            why.append("same document number")
            return 1.0
        if distance == 1 and len(number.document) >= 6:
            why.append("document number one character apart")
            return 0.8
    return 0.0


def rank(query: Query, profile: Profile, *, today: date) -> SearchHit | None:
    """Score one candidate against the query, with the reasons; None when it does not match."""
    if not _filters_pass(query, profile):
        return None
    parts: list[tuple[float, float]] = []  # (score, weight)
    why: list[str] = []
    if not query.name.empty:
        match = name_similarity(query.name, profile.name, query=True)
        score = match.score
        last = query.name.tokens[-1]
        typed = next((pair.score for pair in match.pairs if pair.a.text == last.text), None)
        if query.prefix is not None and (typed is None and match.unmatched_a or typed is not None and typed < PREFIX):
            # the word being typed is unfound, or found only as a weaker variant of some word ("Abdour" a close
            # spelling of Abdoulaye): a name it begins counts PREFIX. By its sound only from two consonants on, as
            # prefix_ranges reads them: one ("Sow" is S) would let every name whose sound starts with it (Seydou,
            # Cissé) "begin with" the word
            sound = last.keys[0] if len(last.keys[0]) >= 2 else None
            if any(t.simple.startswith(query.prefix) or (sound is not None and t.keys[0].startswith(sound))
                   for t in profile.name.tokens):
                score = min(1.0, score + (PREFIX - (typed or 0.0)) / len(query.name.tokens))
                why.append("name begins with the last word typed")
        parts.append((score, float(len(query.name.tokens))))
        if match.pairs:
            why.insert(0, describe(match))
    for number in query.numbers:
        parts.append((_number_score(number, profile, why), 2.0))
    if query.dates:
        hit = profile.date_of_birth in query.dates
        parts.append((1.0 if hit else 0.0, 1.0))
        if hit:
            why.append("same date of birth")
    fits = _age_fits(query, profile, today)
    if query.age is not None or query.birth_year is not None:
        parts.append((1.0 if fits else 0.0, 0.5))
        if fits:
            why.append("age fits" if query.age is not None else "year of birth fits")
    for f in query.filters:
        why.append(f"case {profile.case or CASE_OPEN}" if f == "case" else f"{f} matches")
    if not parts:
        return SearchHit(profile.id, 1.0, tuple(why))
    total = sum(w for _, w in parts)
    score = sum(s * w for s, w in parts) / total
    if score < MIN_SCORE:
        return None
    return SearchHit(profile.id, round(score, 4), tuple(why))


def pre_rank(query_keys: Mapping[str, tuple[str, float]], rows: Iterable[tuple[str, str]],
             budget: int = BUDGET) -> list[str]:
    """Record ids by their look-up weight, best first, at most `budget`. `rows` are (key, record_id) hits."""
    best: dict[str, dict[str, float]] = defaultdict(dict)
    for key, record_id in rows:
        part, weight = query_keys[key]
        slots = best[record_id]
        if slots.get(part, 0.0) < weight:
            slots[part] = weight
    # the best `budget` of (-weight, id), as sorting them all would give, without sorting them all: a common name's
    # neighbours give tens of thousands of records, whose sort by a key function was most of pre-ranking's time
    ordered = heapq.nsmallest(budget, [(-sum(slots.values()), record_id) for record_id, slots in best.items()])
    return [record_id for _, record_id in ordered]


class MemoryIndex:
    """The search index in memory: the same keys, look-ups and ranking as the device's table."""

    def __init__(self, profiles: Iterable[Profile] = ()) -> None:
        self._keys: dict[str, set[str]] = defaultdict(set)
        self._profiles: dict[str, Profile] = {}
        self._sorted: list[str] | None = None
        for profile in profiles:
            self.add(profile)

    def add(self, profile: Profile) -> None:
        self._profiles[profile.id] = profile
        for key in search_keys(profile):
            self._keys[key].add(profile.id)
        self._sorted = None

    def search(self, query: Query, *, today: date, limit: int = 50, budget: int = BUDGET) -> list[SearchHit]:
        if not query.has_keys:
            found = [rank(query, p, today=today) for p in self._profiles.values()] if not query.empty else []
            hits = [h for h in found if h is not None]
        else:
            wanted = lookups(query)
            rows = [(k, rid) for k in wanted for rid in self._keys.get(k, ())]
            for low, high, part, weight in prefix_ranges(query):
                for key in self._range(low, high):
                    wanted.setdefault(key, (part, weight))
                    rows += [(key, rid) for rid in self._keys[key]]
            ids = pre_rank(wanted, rows, budget)
            hits = [h for rid in ids if (h := rank(query, self._profiles[rid], today=today)) is not None]
        hits.sort(key=lambda h: (-h.score, h.id))
        return hits[:limit]

    def first(self, query: Query, *, today: date, limit: int = 50, budget: int = FIRST_BUDGET) -> list[SearchHit]:
        """The first stage (`first_parts`): what the device's index gives before the refining search."""
        parts = first_parts(query)
        if not parts:
            return self.search(query, today=today, limit=limit)
        chosen = self.first_candidates(parts, budget)
        hits = [h for rid in chosen if (h := rank(query, self._profiles[rid], today=today)) is not None]
        hits.sort(key=lambda h: (-h.score, h.id))
        return hits[:limit]

    def first_candidates(self, parts: list[Part], budget: int) -> list[str]:
        """The first stage's candidates, at most `budget`, in the order the device's index and the server give them:
        each round's (`first_rounds`) in `first_order`, a round's after those of the rounds before."""
        chosen: dict[str, None] = {}
        for round_parts in first_rounds(parts):
            bests = [best_weights(part, {key: self._keys.get(key, ()) for key in part.keys},
                                  [[rid for key in self._range(low, high) for rid in self._keys[key]]
                                   for low, high in part.ranges]) for part in round_parts]
            chosen.update((rid, None) for rid in round_candidates(bests, budget))
            if len(chosen) >= FIRST_ENOUGH:
                break
        return list(chosen)[:budget]

    def _range(self, low: str, high: str) -> list[str]:
        if self._sorted is None:
            self._sorted = sorted(self._keys)
        start = bisect.bisect_left(self._sorted, low)
        end = bisect.bisect_left(self._sorted, high)
        return self._sorted[start:end]
