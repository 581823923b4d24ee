"""Text folding and tokenisation for names: accents off, case off, script detected per token.

A name typed at a checkpoint may come in any mix of French, English, Somali or Arabic spelling, with accents,
apostrophes (N'Diaye, Sa'id) or Ethiopian abbreviations (G/Medhin). Everything here is lossy on purpose: it
produces the form the phonetic key and the similarity work on, never a form shown to anyone.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from typing import Literal

Script = Literal["latin", "arabic", "other"]

# Letters that NFKD does not decompose into a base letter + mark (West African orthographies included:
# Hausa hooked letters, Fula/Bambara open vowels, eng).
_SPECIAL = str.maketrans({
    "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "ł": "l", "ŋ": "ng", "ɓ": "b", "ɗ": "d",
    "ƙ": "k", "ƴ": "y", "ɛ": "e", "ɔ": "o", "ə": "e", "ı": "i", "ç": "s", "þ": "th",
})
# Apostrophes and the transliteration marks for ayn and hamza join the letters around them (N'Diaye → ndiaye).
_JOINERS = "'’‘`´ʼʻʿʾ"
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_.,;:/\\()\[\]{}\"«»+&|]+")
# Ethiopian abbreviations of the compound first element: G/Medhin is Gebremedhin, W/Mariam is Woldemariam.
_ETHIOPIAN_ABBREVIATIONS = {"g": "gebre", "w": "wolde", "h": "haile", "t": "tekle", "k": "kidane", "hab": "habte"}
_ETHIOPIAN_SLASH = re.compile(r"\b(g|w|h|t|k|hab)\s*/\s*", re.IGNORECASE)

_ARABIC_RANGES = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))


def is_arabic_char(ch: str) -> bool:
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in _ARABIC_RANGES)


@functools.lru_cache(maxsize=4096)
def _letter_script(ch: str) -> Script | None:
    """The script of one character, None when it is neither a letter nor a mark (asked once per character: names are
    read for every registration that push stores and every search)."""
    if not ch.isalpha() and not unicodedata.category(ch).startswith("M"):
        return None
    if is_arabic_char(ch):
        return "arabic"
    return "latin" if "LATIN" in unicodedata.name(ch, "") else "other"


def script_of(token: str) -> Script:
    """The script of a token: the one most of its letters are written in."""
    counts = Counter(map(_letter_script, token))
    arabic, latin, other = counts["arabic"], counts["latin"], counts["other"]
    if arabic and arabic >= latin and arabic >= other:
        return "arabic"
    if latin >= other:
        return "latin"
    return "other"


def fold_latin(text: str) -> str:
    """Lower case, accents and apostrophes off, special letters spelt out: 'Aïcha N'Diaye' → 'aicha ndiaye'."""
    text = text.casefold().translate(_SPECIAL)
    decomposed = unicodedata.normalize("NFKD", text)
    out = []
    for ch in decomposed:
        if unicodedata.category(ch) == "Mn" or ch in _JOINERS:
            continue
        out.append(ch)
    return "".join(out)


def split_tokens(text: str) -> list[str]:
    """Split a name into words on spaces, hyphens and punctuation, after expanding Ethiopian abbreviations.

    Arabic stays in Arabic script here (the romaniser needs its letters); Latin is folded by the caller.
    """
    text = _ETHIOPIAN_SLASH.sub(lambda m: _ETHIOPIAN_ABBREVIATIONS[m.group(1).lower()], text)
    text = unicodedata.normalize("NFKC", text)  # Arabic presentation forms → letters
    text = "".join(ch for ch in text if ch not in _JOINERS)
    return [t for t in _SEPARATORS.split(text) if t]
