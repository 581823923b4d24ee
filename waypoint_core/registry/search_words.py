"""The filter words of a search (issue 12 point 1: "with the same rules on the server"): one vocabulary, built the
same way on the device and on the server from the shipped place lists (forms/lists/countries.csv, centres.csv),
each side giving the lists it holds.

Country names (English and French) → nationality; centre names and their towns → centre; sex, status and case words
(English and French; accents are folded). The case words (open, closed) filter on the case file's state, which only
the device holds: the server ignores that filter and says so in its answer (docs/registry.md). No Qt, no I/O but the
reading of the two list files.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable, Mapping
from pathlib import Path

from .search import CASE_CLOSED, CASE_OPEN, Vocabulary

SEX_WORDS = (("male", "male"), ("man", "male"), ("men", "male"), ("homme", "male"), ("masculin", "male"),
             ("female", "female"), ("woman", "female"), ("women", "female"), ("femme", "female"),
             ("feminin", "female"))
STATUS_WORDS = (("draft", "draft"), ("brouillon", "draft"), ("finalized", "finalized"), ("finalised", "finalized"),
                ("finalise", "finalized"))
# the case's state (the case file's Open / Closed), English and French
CASE_WORDS = (("open", CASE_OPEN), ("opened", CASE_OPEN), ("reopened", CASE_OPEN), ("ouvert", CASE_OPEN),
              ("ouverte", CASE_OPEN), ("rouvert", CASE_OPEN), ("rouverte", CASE_OPEN), ("closed", CASE_CLOSED),
              ("clôturé", CASE_CLOSED), ("clôturée", CASE_CLOSED), ("clos", CASE_CLOSED), ("fermé", CASE_CLOSED),
              ("fermée", CASE_CLOSED))


def centre_town(english_name: str) -> str:
    """'Agadez transit centre' → 'Agadez': the town a centre is also found by."""
    return english_name.split(" transit ")[0].split(" reception ")[0].split(" migrant ")[0]


def vocabulary_of(countries: Mapping[str, tuple[str, str]], centres: Iterable[tuple[str, str, str]]) -> Vocabulary:
    """The search vocabulary from the place lists: `countries` {ISO code: (English, French)}, `centres`
    (code, English name, French name) triples; then the sex, status and case words."""
    entries: list[tuple[str, str, str]] = []
    for code, (en, fr) in countries.items():
        entries += [(en, "nationality", code), (fr, "nationality", code)]
    for code, en, fr in centres:
        entries += [(en, "centre", code), (fr, "centre", code), (centre_town(en), "centre", code)]
    entries += [(word, "sex", value) for word, value in SEX_WORDS]
    entries += [(word, "status", value) for word, value in STATUS_WORDS]
    entries += [(word, "case", value) for word, value in CASE_WORDS]
    return Vocabulary.of(entries)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@functools.cache
def vocabulary_from_lists(lists_dir: Path) -> Vocabulary:
    """The vocabulary from a directory holding the shipped countries.csv and centres.csv."""
    countries = {r["code"]: (r["en"], r["fr"]) for r in _rows(lists_dir / "countries.csv")}
    centres = [(r["code"], r["en"], r["fr"]) for r in _rows(lists_dir / "centres.csv")]
    return vocabulary_of(countries, centres)


__all__ = ["CASE_WORDS", "SEX_WORDS", "STATUS_WORDS", "centre_town", "vocabulary_from_lists", "vocabulary_of"]
