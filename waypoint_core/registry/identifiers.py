"""Document and phone numbers in one canonical form, so that the same number typed two ways is one key.

Document numbers are copied by hand from worn passports, consular cards and laissez-passer: spaces, dashes,
dots and slashes come and go, and letters that look like digits are read either way. The canonical form
keeps letters and digits only, upper case, Arabic-Indic digits as ASCII, and writes every look-alike as its
digit: O and Q → 0, I and L → 1, Z → 2, S → 5, B → 8. Two numbers that differ only in those confusions are
the same key; the matcher still tells "same number" from "one character apart" (`document_distance`).

Phone numbers become E.164 (+ country code, national number). A number written nationally (no + or 00) is
read in the country given as default (the centre's). The six countries of the programme are known with
their national number lengths and trunk prefix; a number that fits none is kept as digits only, and the
last eight digits are a second key, so +227 90 12 34 56 and 90123456 still meet.
"""

from __future__ import annotations

import re
import unicodedata

from .arabic import translate_digits
from .strsim import edits_up_to_one

_LOOKALIKES = str.maketrans({"O": "0", "Q": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "B": "8"})


def normalise_document(number: str | None) -> str | None:
    """'ab 123-4567' → 'A81234567': letters and digits only, upper case, look-alikes as digits."""
    if not number:
        return None
    text = unicodedata.normalize("NFKD", translate_digits(number)).upper()
    kept = "".join(ch for ch in text if ch.isascii() and ch.isalnum())
    canonical = kept.translate(_LOOKALIKES)
    return canonical if len(canonical) >= 4 else None


def document_distance(a: str, b: str) -> int:
    """Edits between two canonical document numbers: 0, 1, or 2 meaning 'more than one'."""
    return edits_up_to_one(a, b)


# country: (calling code, national significant number lengths, trunk prefix dropped before the number)
COUNTRIES: dict[str, tuple[str, tuple[int, ...], str]] = {
    "NE": ("227", (8,), ""),
    "BF": ("226", (8,), ""),
    "ML": ("223", (8,), ""),
    "MR": ("222", (8,), ""),
    "ET": ("251", (9,), "0"),
    "DJ": ("253", (8,), ""),
}
_CODES = {code: (country, lengths) for country, (code, lengths, _) in COUNTRIES.items()}
_NON_DIGITS = re.compile(r"[^\d+]")


def normalise_phone(number: str | None, default_country: str | None = None) -> str | None:
    """'+227 90-12-34-56', '00227 90123456', '90 12 34 56' (in NE) → '+22790123456'.

    A national number read in `default_country`; an international one kept with its code. Returns None for
    something that is not a phone number (fewer than 7 digits).
    """
    if not number:
        return None
    text = _NON_DIGITS.sub("", translate_digits(number).strip())
    if text.startswith("00"):
        text = "+" + text[2:]
    digits = text.lstrip("+")
    if not digits.isdigit() or len(digits) < 7:
        return None
    if text.startswith("+"):
        return "+" + digits
    for code, (_, lengths) in _CODES.items():
        if digits.startswith(code) and len(digits) - len(code) in lengths:
            return "+" + digits  # written with its country code but no +
    if default_country in COUNTRIES:
        code, lengths, trunk = COUNTRIES[default_country]
        national = digits[len(trunk):] if trunk and digits.startswith(trunk) else digits
        if len(national) in lengths:
            return "+" + code + national
    return digits


def phone_tail(canonical: str) -> str:
    """The last eight digits: the key that meets a number written with and without its country code."""
    return canonical.lstrip("+")[-8:]
