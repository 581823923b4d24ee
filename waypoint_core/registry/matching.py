"""Is this the same person? An explainable score for a pair, and duplicate candidates without all pairs.

The score is a Fellegi-Sunter log-likelihood ratio: each piece of evidence adds (in natural-log units,
"points") how much more likely it is between two registrations of one person than between two different
people. Agreement on a rare name counts more than on a common one: a name word's points are the log of
its rarity in the population compared (`NameFrequencies`, counted on the phonetic keys, so Mohamed,
Muhammad and محمد are one name); w is 1 for the same name in any spelling or script and falls to 0 for a
weak likeness (a typing error keeps about half). Every point comes with a `Reason` in words that repeat no name, date or
number, so it can be shown, logged or written as JSON.

| evidence | points |
|---|---|
| each pair of name words that matched | ln(1 / frequency of the word) × w (see below) |
| each word of the shorter name left unmatched / no word matched | −3 / −6 |
| same document number / one character apart / different | +10 / +6 / −2 (−4 for the same type of document) |
| same phone number / same last eight digits | +8 / +6 |
| same sex / different sex | +0.6 / −4 |
| same date of birth (1 January, a common placeholder: +3) / day and month swapped | +7 / +5 |
| same month and year of birth / same year / years 2+ apart | +3 / +1.5 / −3 per year past one, to −6 |
| birth years from an age that fit / 1–3 years apart / further | +2 / 0 / −3 |
| same nationality / different | +1.5 / −2 |

The prior odds that two people picked at random are one person are about 1 in the population size N, so
the score is the posterior probability 1 / (1 + e^−(points − ln N)); a candidate needs `THRESHOLD` (0.5),
that is, evidence worth more than ln N. With 10,000 people, "same common name, sex, age and nationality"
is a candidate; with 100,000 it also needs a document, a phone, a date of birth or a rarer name.

`candidates` compares only people who share a blocking key (`keys.blocking_keys`) and skips a name block
whose best possible evidence (both names agreeing exactly, and sex, age and nationality too) could not
reach the threshold: that is what keeps 100,000 people of a few hundred common names from being millions
of pairs. Only people whose consent to matching is recorded take part.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field

from .identifiers import document_distance
from .keys import blocking_keys, phone_key
from .names import EMPTY_KEY, NameMatch, describe, name_similarity
from .person import Profile

THRESHOLD = 0.5
SAFETY_BLOCK = 2000  # no block larger than this is ever expanded into pairs, whatever its bound
# The most sex, a birth date or age short of an exact date, and nationality can add (same document, phone or
# date of birth have blocking keys of their own).
AGREE_REST = 0.6 + 3.0 + 1.5
NAME_AGREE = math.log(0.8)  # two registrations of one person agree on a name word about 4 times in 5

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class NameFrequencies:
    """How many people carry each name word (phonetic key), among `people`."""
    counts: Mapping[str, int] = field(default_factory=dict)
    people: int = 10_000

    @classmethod
    def of(cls, profiles: Iterable[Profile]) -> NameFrequencies:
        counts: Counter[str] = Counter()
        people = 0
        for profile in profiles:
            people += 1
            counts.update({t.keys[0] for view in profile.name.views for t in view})
        return cls(counts=dict(counts), people=max(people, 1))

    def rarity(self, key: str) -> float:
        """ln(1 / frequency), smoothed: a word no one else carries counts as one in `people`; a word with no
        consonant (Awa) is common by nature."""
        if key == EMPTY_KEY:
            return 2.0
        count = self.counts.get(key, 0) if self.counts else self.people // 50  # unknown: a common name
        return math.log((self.people + 1) / (count + 1))

    @property
    def prior(self) -> float:
        """ln N: the evidence a pair needs to be an even chance."""
        return math.log(max(self.people, 1000))


DEFAULT_FREQUENCIES = NameFrequencies()


@dataclass(frozen=True)
class Reason:
    field: str  # name, document, phone, sex, birth, nationality
    points: float
    text: str


@dataclass(frozen=True)
class PairScore:
    score: float
    points: float
    reasons: tuple[Reason, ...]

    @property
    def why(self) -> list[str]:
        """The reasons that count for the match, strongest first."""
        return [r.text for r in sorted(self.reasons, key=lambda r: -r.points) if r.points > 0]


@dataclass(frozen=True)
class DuplicateCandidate:
    a: str
    b: str
    score: float
    reasons: tuple[Reason, ...]

    @property
    def why(self) -> list[str]:
        return [r.text for r in sorted(self.reasons, key=lambda r: -r.points) if r.points > 0]


def _name_points(match: NameMatch, frequencies: NameFrequencies) -> float:
    if not match.pairs:
        return -6.0
    points = 0.0
    for pair in match.pairs:
        weight = min(1.0, max(0.0, (pair.score - 0.55) / 0.38))
        if pair.a.part or pair.b.part:
            weight /= 2  # half of a compound name (abdou | rahmane) is half the evidence
        rarity = min(frequencies.rarity(pair.a.keys[0]), frequencies.rarity(pair.b.keys[0]))
        points += weight * (rarity + NAME_AGREE)
    # A word of the shorter name left unmatched is evidence against: brothers share a family name.
    return points - 3.0 * min(match.unmatched_a, match.unmatched_b)


def _birth(a: Profile, b: Profile) -> Reason | None:
    if a.date_of_birth and b.date_of_birth:
        x, y = a.date_of_birth, b.date_of_birth
        if x == y:
            placeholder = x.month == 1 and x.day == 1
            return Reason("birth", 3.0 if placeholder else 7.0, "same date of birth")
        if x.year == y.year and x.month == y.day and x.day == y.month:
            return Reason("birth", 5.0, "date of birth with day and month swapped")
        if x.year == y.year and x.month == y.month:
            return Reason("birth", 3.0, "same month and year of birth")
        if x.year == y.year:
            return Reason("birth", 1.5, "same year of birth")
        gap = abs(x.year - y.year)
        if gap <= 1:
            return Reason("birth", 0.0, "years of birth one year apart")
        return Reason("birth", -min(6.0, 3.0 * (gap - 1)), f"years of birth {gap} years apart")
    if a.birth_years and b.birth_years:
        (a0, a1), (b0, b1) = a.birth_years, b.birth_years
        gap = max(b0 - a1, a0 - b1, 0)
        one_age = (a.date_of_birth is None) != (b.date_of_birth is None)
        if gap == 0:
            return Reason("birth", 2.0, "age fits the date of birth" if one_age else "ages fit")
        if gap <= 3:
            return Reason("birth", 0.0, "ages close")
        return Reason("birth", -3.0, f"ages {gap} years apart")
    return None


def score_pair(a: Profile, b: Profile, frequencies: NameFrequencies = DEFAULT_FREQUENCIES) -> PairScore:
    """The evidence that two profiles are one person: points, reasons and a probability-like score."""
    reasons = _other_evidence(a, b)
    if not (a.name.empty or b.name.empty):
        match = name_similarity(a.name, b.name)
        reasons.insert(0, Reason("name", round(_name_points(match, frequencies), 2), describe(match)))
    return _scored(reasons, frequencies)


def _scored(reasons: list[Reason], frequencies: NameFrequencies) -> PairScore:
    total = sum(r.points for r in reasons)
    exponent = max(-50.0, min(50.0, total - frequencies.prior))
    return PairScore(score=1.0 / (1.0 + math.exp(-exponent)), points=round(total, 2), reasons=tuple(reasons))


def _other_evidence(a: Profile, b: Profile) -> list[Reason]:
    """Everything but the name: cheap to compare, so the candidate generator uses it to skip hopeless pairs."""
    reasons: list[Reason] = []
    if a.document and b.document:
        distance = document_distance(a.document, b.document)
        if distance == 0:
            reasons.append(Reason("document", 10.0, "same document number"))
        elif distance == 1 and min(len(a.document), len(b.document)) >= 6:
            reasons.append(Reason("document", 6.0, "document numbers one character apart"))
        elif a.document_type and a.document_type == b.document_type:
            reasons.append(Reason("document", -4.0, "different numbers for the same type of document"))
        else:
            reasons.append(Reason("document", -2.0, "different document numbers"))
    if a.phone and b.phone:
        if a.phone == b.phone:
            reasons.append(Reason("phone", 8.0, "same phone number"))
        elif phone_key(a.phone) == phone_key(b.phone):
            reasons.append(Reason("phone", 6.0, "same phone number (last eight digits)"))
    if a.sex and b.sex:
        reasons.append(Reason("sex", 0.6, "same sex") if a.sex == b.sex else Reason("sex", -4.0, "different sex"))
    birth = _birth(a, b)
    if birth is not None:
        reasons.append(birth)
    if a.nationality and b.nationality:
        if a.nationality == b.nationality:
            reasons.append(Reason("nationality", 1.5, "same nationality"))
        else:
            reasons.append(Reason("nationality", -2.0, "different nationality"))
    return reasons


def name_bound(profile: Profile, frequencies: NameFrequencies) -> float:
    """The most points this person's name can bring to any pair: every word matched exactly."""
    return max((sum(frequencies.rarity(t.keys[0]) + NAME_AGREE for t in view) for view in profile.name.views),
               default=0.0)


def candidate_pairs(profiles: list[Profile], frequencies: NameFrequencies, *,
                    progress: Progress | None = None) -> set[tuple[int, int]]:
    """Index pairs (i < j) of profiles that share a blocking key and could be a candidate.

    In a name block, a person whose name alone (all words agreeing, plus sex, age and nationality) cannot
    bring the evidence the threshold needs is left out: such a pair can only be a candidate through a
    shared document, phone or date of birth, which have blocks of their own.
    """
    blocks: dict[str, list[int]] = defaultdict(list)
    total = len(profiles)
    floor = frequencies.prior - AGREE_REST
    strong = [name_bound(p, frequencies) >= floor for p in profiles]
    for i, profile in enumerate(profiles):
        for key in blocking_keys(profile):
            if strong[i] or not key.startswith("NN"):
                blocks[key].append(i)
        if progress is not None and i % 5000 == 4999:
            progress(i + 1, 2 * total)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        if len(members) < 2 or len(members) > SAFETY_BLOCK:
            continue
        for x in range(len(members)):
            i = members[x]
            for y in range(x + 1, len(members)):
                j = members[y]
                pairs.add((i, j) if i < j else (j, i))
    return pairs


def candidates(profiles: Iterable[Profile], *, threshold: float = THRESHOLD,
               not_same: Collection[tuple[str, str]] = (), frequencies: NameFrequencies | None = None,
               progress: Progress | None = None) -> list[DuplicateCandidate]:
    """Pairs of people who may be the same person, best first.

    Only profiles with consent to matching take part. `not_same` holds pairs a reviewer said are different
    people: they are not proposed again (in either order). Name frequencies are counted on the profiles
    given unless `frequencies` is passed (a server may count them over all its records). `progress(done,
    total)` is called as blocks are built and pairs scored.
    """
    people = [p for p in profiles if p.consent_matching]
    frequencies = frequencies or NameFrequencies.of(people)
    pairs = candidate_pairs(people, frequencies, progress=progress)
    refused = {frozenset(pair) for pair in not_same}
    bounds = [name_bound(p, frequencies) for p in people]
    # Points a pair needs: the logistic score is >= threshold exactly when points >= prior + logit(threshold).
    needed = frequencies.prior + math.log(threshold / (1.0 - threshold))
    found: list[DuplicateCandidate] = []
    total = len(pairs)
    for n, (i, j) in enumerate(sorted(pairs)):
        a, b = people[i], people[j]
        if a.id == b.id or (refused and frozenset((a.id, b.id)) in refused):
            continue
        reasons = _other_evidence(a, b)
        if min(bounds[i], bounds[j]) + sum(r.points for r in reasons) < needed:
            continue  # even a perfect name agreement could not make this pair a candidate
        if not (a.name.empty or b.name.empty):
            match = name_similarity(a.name, b.name)
            reasons.insert(0, Reason("name", round(_name_points(match, frequencies), 2), describe(match)))
        result = _scored(reasons, frequencies)
        if result.score >= threshold:
            first, second = (a, b) if a.id < b.id else (b, a)
            found.append(DuplicateCandidate(first.id, second.id, result.score, result.reasons))
        if progress is not None and n % 5000 == 4999:
            progress(len(people) + (n + 1) * len(people) // max(total, 1), 2 * len(people))
    if progress is not None:
        progress(2 * len(people), 2 * len(people))
    found.sort(key=lambda c: (-c.score, c.a, c.b))
    return found
