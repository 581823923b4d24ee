"""Names: parsed into comparable words, keyed for an index, and scored against each other.

A `PersonName` is the given, family and other names of one person as words (`NameToken`), each with its
script, a spelling-normalised form and its phonetic keys (`phonetic.skeleton`; Arabic script is romanised
first by `arabic.romanise`). Two views are kept when they differ: compounds joined (Abdou Rahmane →
abdourahmane, عبد الله → abdallah, Gebre Medhin → gebremedhin) and as written, so "Abdoul Aziz" finds
"Abdulaziz" and "Aziz Abdoul" alike. Particles (ould, ag, ben, bint…) and honorifics (El Hadj, Alhaji…) are
left out: they say nothing about who the person is.

`name_similarity` aligns the words of two names whatever their order (given and family names swapped is the
commonest variant there is) and says how each pair matched.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from .arabic import romanise
from .fold import Script, fold_latin, script_of, split_tokens
from .phonetic import looks_somali, simple, skeleton
from .strsim import jaro_winkler, osa_distance

Role = Literal["given", "family", "other", "any"]
MatchKind = Literal["exact", "spelling", "transliteration", "typo", "weak"]

PARTICLES = frozenset({
    "ould", "uld", "wld", "wuld", "ag", "ben", "bin", "bn", "ibn", "abn", "bint", "bnt", "mint", "mnt",
    "el", "al", "ul", "wad", "walad",
})
HONORIFICS = frozenset({
    "elhadj", "elhadji", "elhaj", "elhaji", "alhaji", "alhadji", "alhadj", "alhaj", "alhajj", "alhaja",
    "hadj", "hadji", "haji", "hadja", "hadjia", "hajia", "hajiya", "hajja", "mr", "mme", "mrs", "ms", "dr",
})
# Words that form one name with the word after them.
COMPOUND_HEADS = frozenset({
    "abd", "abdu", "abdou", "abdel", "abdul", "abdoul", "abdal", "abdil", "abdo", "abu", "abou", "abo",
    "gebre", "gebra", "ghebre", "wolde", "welde", "walda", "haile", "hayle", "tekle", "tekla", "habte", "kidane",
})
EMPTY_KEY = "_"  # the key of a word with no consonant (Awa, Aoua, حواء)


@dataclass(frozen=True, slots=True)
class NameToken:
    text: str  # folded Latin letters (romanised when written in Arabic script)
    simple: str  # spelling-normalised, for comparing two Latin spellings
    keys: tuple[str, ...]  # phonetic keys, the primary first (a second one without the article al-/el-)
    script: Script
    role: Role
    part: bool = False  # one word of a compound written in two (abdou | rahmane): half a name


@dataclass(frozen=True, slots=True)
class PersonName:
    tokens: tuple[NameToken, ...]  # compounds joined
    written: tuple[NameToken, ...] = ()  # as written, when that differs from `tokens`

    @property
    def views(self) -> tuple[tuple[NameToken, ...], ...]:
        return (self.tokens, self.written) if self.written else (self.tokens,)

    @property
    def empty(self) -> bool:
        return not self.tokens

    def all_keys(self) -> set[str]:
        return {k for view in self.views for t in view for k in t.keys}


def _words(text: str | None) -> list[tuple[str, Script]]:
    words: list[tuple[str, Script]] = []
    for raw in split_tokens(text or ""):
        script = script_of(raw)
        word = romanise(raw) if script == "arabic" else fold_latin(raw)
        word = "".join(ch for ch in word if ch.isalnum())
        if word and not word.isdigit():
            words.append((word, script))
    return words


def _token(word: str, script: Script, role: Role, somali: bool, part: bool = False) -> NameToken:
    readings = [False]
    if script == "latin" and ("c" in word or "x" in word) and (somali or looks_somali(word)):
        readings = [True, False]  # Somali c = ayn, x = h first; the French/English reading stays findable
    keys: list[str] = []
    for reading in readings:
        key = skeleton(word, somali=reading) or EMPTY_KEY
        if key not in keys:
            keys.append(key)
        if word[:2] in ("al", "el") and len(word) >= 6:  # the article: Alhassane, Alassane = Hassan
            bare = skeleton(word[2:], somali=reading)
            if len(bare) >= 2 and bare not in keys:
                keys.append(bare)
    return NameToken(text=word, simple=simple(word), keys=tuple(keys), script=script, role=role, part=part)


def parse_name(given: str | None = None, family: str | None = None, other: str | None = None,
               *, text: str | None = None, somali: bool = False) -> PersonName:
    """Parse a person's names (or, with `text`, a free-text query whose words have no role).

    `somali`: the person is likely to spell in Somali orthography (their nationality says so); a Somali
    spelling in the name itself (x between vowels, a doubled vowel) says so too.
    """
    parts: list[tuple[Role, list[tuple[str, Script]]]] = []
    if text is not None:
        parts.append(("any", _words(text)))
    parts += [("given", _words(given)), ("family", _words(family)), ("other", _words(other))]
    # A Somali spelling anywhere (x between vowels) marks the whole name as Somali orthography.
    somali = somali or any("x" in w and looks_somali(w) for _, words in parts for w, _ in words)
    joined: list[NameToken] = []
    written: list[NameToken] = []
    for role, words in parts:
        words = [(w, s) for w, s in words if w not in PARTICLES and w not in HONORIFICS]
        i = 0
        while i < len(words):
            word, script = words[i]
            if word in COMPOUND_HEADS and i + 1 < len(words):
                nxt, nscript = words[i + 1]
                written.append(_token(word, script, role, somali, part=True))
                written.append(_token(nxt, nscript, role, somali, part=True))
                joined.append(_token(word + nxt, script, role, somali))
                i += 2
                continue
            joined.append(_token(word, script, role, somali))
            written.append(joined[-1])
            i += 1
    if [t.text for t in joined] == [t.text for t in written]:
        return PersonName(tokens=tuple(joined))
    return PersonName(tokens=tuple(joined), written=tuple(written))


# --- similarity ------------------------------------------------------------------------------------------


@lru_cache(maxsize=100_000)
def _key_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if a == EMPTY_KEY or b == EMPTY_KEY:
        return 0.0
    shorter, longer = sorted((a, b), key=len)
    if len(longer) == len(shorter) + 1 and longer.startswith(shorter) and longer[-1] == "T":
        return 0.8  # the Fula and Hausa -tou/-ta: Aïcha / Aichatou, Fatouma / Fatoumata, Hadiza / Hadizatou
    if len(shorter) < 2:
        return 0.0
    distance = osa_distance(a, b, limit=2)
    if distance > 2:
        return 0.0
    return max(0.0, 1.0 - distance / max(len(a), len(b), 3))


# A sound key of one consonant (Issa S, Sow S, Ali L) or none (Awa) is shared by many names that have little else in
# common: such a pair counts as a spelling variant only when the letters agree too (Jaro-Winkler of the spellings at
# least SHORT_SURFACE: Issa / Aissa 0.92, Sow / So 0.91); otherwise it is a weak match, below a name that begins with
# what was typed (search.PREFIX) and below a longer sound's spelling variant.
SHORT_SURFACE = 0.85


def _short_key(a: NameToken, b: NameToken, *, empty: bool) -> bool:
    """The keys the two words share are all of one consonant (or, with `empty`, of none)."""
    shared = set(a.keys) & set(b.keys)
    return bool(shared) and all(len(k) <= 1 and (empty or k != EMPTY_KEY) for k in shared)


@lru_cache(maxsize=200_000)
def _token_similarity(a: NameToken, b: NameToken) -> tuple[float, MatchKind]:
    if a.text == b.text:
        return 1.0, "exact"
    key_sim = max(_key_similarity(x, y) for x in a.keys for y in b.keys)
    if a.script == "latin" and b.script == "latin":
        if a.simple == b.simple:
            return 0.98, "spelling"
        surface = jaro_winkler(a.simple, b.simple)
        if key_sim == 1.0:
            if surface < SHORT_SURFACE and _short_key(a, b, empty=True):
                return 0.6 + 0.13 * surface, "weak"  # only the sound of one consonant: Ous / Issa, Sow / Sy
            return 0.85 + 0.13 * surface, "spelling"
        if surface < 0.78:
            return 0.0, "weak"  # different keys and different letters: different names (Ousmane / Amina)
        score = 0.5 * key_sim + 0.5 * surface
        if surface >= 0.88 and min(len(a.simple), len(b.simple)) >= 4:
            score = max(score, surface - 0.15)  # one letter typed wrong can change the key a lot (Oumarou / Ouarou)
        return score, ("typo" if surface >= 0.85 or key_sim >= 0.66 else "weak")
    if a.script != b.script:
        if key_sim == 1.0:
            if _short_key(a, b, empty=False) and jaro_winkler(a.simple, b.simple) < SHORT_SURFACE:
                return 0.75, "weak"  # one consonant in common, the letters otherwise apart: Ous / عيسى
            return 0.95, "transliteration"
        # Across scripts only the key compares: a one-letter difference is trusted on longer keys only.
        longest = max(len(k) for k in a.keys + b.keys)
        if key_sim >= 0.8 or (key_sim >= 0.66 and longest >= 4):
            return 0.85 * key_sim, "typo"
        return 0.0, "weak"
    # Both in Arabic script (or both in another script): the romanised letters are reliable.
    if key_sim == 1.0:
        return 0.9 + 0.08 * jaro_winkler(a.simple, b.simple), "spelling"
    surface = jaro_winkler(a.simple, b.simple)
    if surface < 0.78:
        return 0.0, "weak"
    return 0.5 * key_sim + 0.5 * surface, ("typo" if surface >= 0.85 else "weak")


@dataclass(frozen=True)
class TokenPair:
    a: NameToken
    b: NameToken
    score: float
    kind: MatchKind


@dataclass(frozen=True)
class NameMatch:
    score: float  # 0..1
    pairs: tuple[TokenPair, ...] = ()
    unmatched_a: int = 0
    unmatched_b: int = 0
    swapped: bool = False  # a given name matched a family name

    @property
    def kinds(self) -> set[MatchKind]:
        return {p.kind for p in self.pairs}


WEAKEST_PAIR = 0.55  # below this two words are not taken as the same word


def _align(a: tuple[NameToken, ...], b: tuple[NameToken, ...]) -> list[TokenPair]:
    scored = []
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            score, kind = _token_similarity(x, y)
            if score >= WEAKEST_PAIR:
                scored.append((score, i, j, kind))
    scored.sort(key=lambda item: (-item[0], item[1], item[2]))
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs = []
    for score, i, j, kind in scored:
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        pairs.append(TokenPair(a[i], b[j], score, kind))
    return pairs


@lru_cache(maxsize=100_000)  # the same pairs of names recur: a population has a few thousand common names
def name_similarity(a: PersonName, b: PersonName, *, query: bool = False) -> NameMatch:
    """How alike two names are, in [0, 1], with the word pairs that matched.

    Symmetric by default (duplicate detection: extra words on either side cost a little). With `query=True`,
    `a` is what someone typed: every typed word must be found, the record's other words cost nothing.
    """
    best = NameMatch(score=0.0, unmatched_a=len(a.tokens), unmatched_b=len(b.tokens))
    if a.empty or b.empty:
        return best
    for view_a in a.views:
        for view_b in b.views:
            pairs = _align(view_a, view_b)
            if not pairs:
                continue
            total = sum(p.score for p in pairs)
            na, nb = len(view_a), len(view_b)
            if query:
                score = total / na
            else:
                shorter, longer = min(na, nb), max(na, nb)
                score = (total / shorter) * (shorter / longer) ** 0.25
            if score > best.score:
                swapped = any({p.a.role, p.b.role} == {"given", "family"} for p in pairs)
                best = NameMatch(score=min(score, 1.0), pairs=tuple(pairs), unmatched_a=na - len(pairs),
                                 unmatched_b=nb - len(pairs), swapped=swapped)
    return best


def describe(match: NameMatch) -> str:
    """'name: 2 words (1 exact, 1 transliteration), given and family swapped' — no name is repeated."""
    if not match.pairs:
        return "name: no word in common"
    counts: dict[str, int] = {}
    for pair in match.pairs:
        counts[pair.kind] = counts.get(pair.kind, 0) + 1
    order = ("exact", "spelling", "transliteration", "typo", "weak")
    detail = ", ".join(f"{counts[k]} {_KIND_WORDS[k]}" for k in order if k in counts)
    text = f"name: {len(match.pairs)} word{'s' if len(match.pairs) > 1 else ''} ({detail})"
    if match.swapped:
        text += ", given and family names in the other order"
    return text


_KIND_WORDS = {
    "exact": "exact",
    "spelling": "spelling variant",
    "transliteration": "Arabic/Latin transliteration",
    "typo": "close spelling",
    "weak": "weak",
}
