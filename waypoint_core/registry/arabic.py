"""Arabic script → Latin letters, tuned to how West African and Horn of Africa names are spelt in Latin.

The output is not a scholarly transliteration: it is the spelling the phonetic key (`phonetic.py`) reads, so
each letter becomes the Latin letters a French- or English-speaking registrar would write for it:

- consonants map one to one (ث → th, ج → j, خ → kh, ش → sh, ق → q, غ → gh…); emphatic letters fold into
  their plain counterparts (ص → s, ض → d, ط → t, ظ → z), as every Latin spelling in the region does;
- ayn (ع) and hamza (ء) are dropped, as Latin spellings drop them (عائشة → aisha), except that a word-initial
  ayn before a consonant is written "a", the vowel it is heard as (عبد → abd, عثمان → athman);
- alef, waw and ya are vowels (a, u, i) between consonants and consonants (w, y) at the start of a word or
  beside an alef; the key drops vowels and semivowels alike, so the choice only matters for readability;
- ta marbuta (ة) and alef maqsura (ى) end a word in "a" (عائشة → aisha);
- short-vowel marks are read when present (rare in names), shadda doubles the letter it sits on;
- Arabic-Indic digits become 0-9 (document and phone numbers are sometimes typed with them);
- letters of Ajami and Persian orthographies (پ چ گ ڤ ڨ ک ی) get their usual values.
"""

from __future__ import annotations

_CONSONANTS = {
    "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r", "ز": "z",
    "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "غ": "gh", "ف": "f", "ق": "q", "ك": "k",
    "ل": "l", "م": "m", "ن": "n", "ه": "h",
    # Persian, Ajami (Hausa, Wolof, Fula) and Maghrebi letters.
    "پ": "p", "چ": "tch", "ژ": "j", "گ": "g", "ڤ": "v", "ڨ": "g", "ڢ": "f", "ڧ": "q", "ک": "k", "ٻ": "b",
    "ڭ": "g", "ݣ": "ng", "ۀ": "h", "ھ": "h",
}
_ALEFS = {"ا": "a", "أ": "a", "إ": "i", "آ": "a", "ٱ": "a", "ى": "a"}
_SILENT = {"ع", "ء", "ـ", "ؤ"}  # ayn, hamza, tatweel, hamza on waw
_MARKS = {"َ": "a", "ِ": "i", "ُ": "u", "ٰ": "a"}
_SILENT_MARKS = {"ً", "ٍ", "ٌ", "ْ", "ٓ", "ٔ", "ٕ"}
_SHADDA = "ّ"
_DIGITS = {**{chr(0x0660 + i): str(i) for i in range(10)}, **{chr(0x06F0 + i): str(i) for i in range(10)}}
_VOWEL_LETTERS = {"ا", "أ", "إ", "آ", "ٱ", "ى", "ة"}


def romanise(token: str) -> str:
    """One Arabic-script word in Latin letters (lower case). Characters it does not know are kept as they are."""
    out: list[str] = []
    last, last_at = "", -1  # the previous consonant and where it is in `out`, doubled by a shadda
    letters = [ch for ch in token if ch != "ـ"]
    for i, ch in enumerate(letters):
        before = letters[i - 1] if i > 0 else ""
        after = letters[i + 1] if i + 1 < len(letters) else ""
        if ch in _CONSONANTS:
            last, last_at = _CONSONANTS[ch], len(out)
            out.append(last)
        elif ch in _ALEFS:
            out.append(_ALEFS[ch])
            last = ""
        elif ch == "ة":
            out.append("a")
        elif ch == "ئ":
            out.append("i")
        elif ch in ("و", "ي"):
            consonantal = i == 0 or after in _VOWEL_LETTERS or before in _VOWEL_LETTERS
            if ch == "و":
                out.append("w" if consonantal else "u")
            else:
                out.append("y" if consonantal else "i")
            last = ""
        elif ch == "ع" and i == 0 and after and after not in _VOWEL_LETTERS and after not in ("و", "ي"):
            out.append("a")  # a word-initial ayn before a consonant is heard as a vowel: عبد → abd, علي → ali
        elif ch in _SILENT or ch in _SILENT_MARKS:
            continue
        elif ch in _MARKS:
            out.append(_MARKS[ch])
        elif ch == _SHADDA:
            if last:  # the mark may come before or after the vowel mark on the letter
                out.insert(last_at + 1, last)
        elif ch in _DIGITS:
            out.append(_DIGITS[ch])
        else:
            out.append(ch)
    return "".join(out)


def translate_digits(text: str) -> str:
    """Arabic-Indic and Persian digits → ASCII digits; everything else unchanged."""
    return "".join(_DIGITS.get(ch, ch) for ch in text)
