"""Passphrase rules for every key slot, and generated passphrases to offer instead of a weak one.

Any one slot opens the whole vault, so the weakest passphrase protects everyone: a copied
slots.json is attacked offline, where only Argon2id and the passphrase itself stand in the way.
Strength is estimated with zxcvbn (dictionaries of common passwords, English words and names,
keyboard patterns, dates, look-alike substitutions) plus what an attacker of a Waypoint laptop
would try first: the organisation, the places of the region, years, the regional words and
names in `wordlists/region.txt`, common French words (`common_fr.txt` and the French generator
list: zxcvbn has no French) and the user's own name.

The rule: at least MIN_LENGTH characters and an estimate of at least 10^MIN_GUESSES_LOG10
guesses (zxcvbn's top score). Generated passphrases are six random words from a list shipped
with Waypoint (`wordlists/generate_en.txt`, `generate_fr.txt`: the BIP-39 lists, MIT licence,
accents removed so they type on any keyboard): 66 bits, far above the rule.

zxcvbn's own entry point writes the user's words into a module-level dictionary; two threads
(the UI's hint and the vault's check) could mix them up, so this module calls its matcher with
dictionaries of its own instead.
"""

from __future__ import annotations

import enum
import math
import re
import secrets
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from zxcvbn import matching, scoring

WORDLISTS = Path(__file__).parent / "wordlists"
MIN_LENGTH = 12
MIN_GUESSES_LOG10 = 10.0
GENERATED_WORDS = 6
LANGUAGES = ("en", "fr")
# zxcvbn's matcher is quadratic in the length; beyond this the first characters already decide.
_ASSESSED_LENGTH = 72
_YEARS = range(1940, 2041)
# An attacker who tries word lists tries them with the usual separators too: zxcvbn would count
# each space as a guess of its own, so the phrase is also assessed with them removed.
_SEPARATORS = re.compile(r"[\s\-_.]+")


class Reason(enum.Enum):
    """Why a passphrase is refused; the UI and the CLI turn each into a sentence."""

    EMPTY = "empty"
    TOO_SHORT = "too_short"
    COMMON_PASSWORD = "common_password"  # in the lists of passwords attackers try first
    REGION_WORD = "region_word"  # a place, the organisation, a regional word or name
    OWN_NAME = "own_name"  # the user name
    COMMON_WORDS = "common_words"  # a few dictionary words
    YEAR_OR_DATE = "year_or_date"
    PATTERN = "pattern"  # keyboard rows, repeats, sequences like abc or 1234
    LOOKALIKE = "lookalike"  # P@ssw0rd: substitutions attackers try too
    TOO_GUESSABLE = "too_guessable"  # none of the above stands out; it is simply too short a guess


@dataclass(frozen=True)
class Assessment:
    acceptable: bool
    reasons: tuple[Reason, ...]
    guesses_log10: float

    @property
    def level(self) -> int:
        """0 (trivial) to 4 (very strong), for a meter; 3 and 4 are acceptable."""
        if not self.acceptable:
            return 0 if self.guesses_log10 < 6 else 1 if self.guesses_log10 < 8 else 2
        return 4 if self.guesses_log10 >= 14 else 3


def _plain(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _read_words(name: str) -> list[str]:
    text = (WORDLISTS / name).read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@cache
def _region_dictionaries() -> dict[str, dict[str, int]]:
    """Extra ranked dictionaries: the region's words first (rank 1 = tried first), then years, then French."""
    region: list[str] = []
    for word in [*_read_words("region.txt"), *(str(y) for y in _YEARS)]:
        for variant in (word.lower(), _plain(word)):
            if variant not in region:
                region.append(variant)
    french = list(dict.fromkeys(_plain(w) for w in [*_read_words("common_fr.txt"), *_read_words("generate_fr.txt")]))
    return {
        "waypoint_region": {word: rank for rank, word in enumerate(region, start=1)},
        "french_common": {word: rank for rank, word in enumerate(french, start=1)},
    }


@cache
def _generator_words(language: str) -> tuple[str, ...]:
    if language not in LANGUAGES:
        raise ValueError(f"no word list for language {language!r}")
    return tuple(dict.fromkeys(_read_words(f"generate_{language}.txt")))


def _context_dictionary(context: Iterable[str]) -> dict[str, int]:
    words: list[str] = []
    for item in context:
        for part in [item, *item.replace(".", " ").replace("_", " ").replace("-", " ").split()]:
            part = _plain(part.strip())
            if len(part) >= 3 and part not in words:
                words.append(part)
    return {word: rank for rank, word in enumerate(words, start=1)}


def assess(passphrase: str, *, context: Iterable[str] = ()) -> Assessment:
    """Estimate how many guesses `passphrase` takes; `context` holds the user's name and the like."""
    if not passphrase:
        return Assessment(False, (Reason.EMPTY,), 0.0)
    text = unicodedata.normalize("NFC", passphrase)[:_ASSESSED_LENGTH]
    dictionaries: dict[str, dict[str, int]] = {
        **matching.RANKED_DICTIONARIES,
        **_region_dictionaries(),
        "user_inputs": _context_dictionary(context),
    }
    results = []
    for form in dict.fromkeys((text, _SEPARATORS.sub("", text))):
        if form:
            results.append(scoring.most_guessable_match_sequence(form, matching.omnimatch(form, dictionaries)))
    result = min(results, key=lambda r: float(r["guesses_log10"]))
    guesses_log10 = float(result["guesses_log10"])
    reasons: list[Reason] = []
    if len(passphrase) < MIN_LENGTH:
        reasons.append(Reason.TOO_SHORT)
    if guesses_log10 < MIN_GUESSES_LOG10:
        reasons.extend(r for r in _explain(result["sequence"]) if r not in reasons)
        if len(reasons) == (1 if Reason.TOO_SHORT in reasons else 0):
            reasons.append(Reason.TOO_GUESSABLE)
    return Assessment(not reasons, tuple(reasons), guesses_log10)


def _explain(sequence: Sequence[Mapping[str, object]]) -> list[Reason]:
    found: list[Reason] = []

    def note(reason: Reason) -> None:
        if reason not in found:
            found.append(reason)

    for match in sequence:
        pattern = match.get("pattern")
        if pattern == "dictionary":
            name = match.get("dictionary_name")
            if match.get("l33t"):
                note(Reason.LOOKALIKE)
            if name == "passwords":
                note(Reason.COMMON_PASSWORD)
            elif name == "waypoint_region":
                note(Reason.YEAR_OR_DATE if str(match.get("matched_word", "")).isdigit() else Reason.REGION_WORD)
            elif name == "user_inputs":
                note(Reason.OWN_NAME)
            else:
                note(Reason.COMMON_WORDS)
        elif pattern in ("date", "regex"):
            note(Reason.YEAR_OR_DATE)
        elif pattern in ("spatial", "repeat", "sequence"):
            note(Reason.PATTERN)
    return found


def generate(language: str = "en", *, words: int = GENERATED_WORDS) -> str:
    """`words` words drawn with the operating system's random source, separated by spaces."""
    choices = _generator_words(language)
    return " ".join(secrets.choice(choices) for _ in range(words))


def generated_bits(language: str = "en", *, words: int = GENERATED_WORDS) -> float:
    return words * math.log2(len(_generator_words(language)))


__all__ = ["Assessment", "Reason", "assess", "generate", "generated_bits", "MIN_LENGTH", "MIN_GUESSES_LOG10"]
