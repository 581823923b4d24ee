"""Keys: what a search index stores per record, what a query looks up, what duplicate blocking groups by.

Search (device and server) keeps one table of `(key, record_id)` rows with an index on the key. A record
stores few, exact keys (`search_keys`):

| key | for |
|---|---|
| `n:<phonetic key>` | each name word (every view and alternative: `names.NameToken.keys`) |
| `s:<spelling>` | each name word's spelling-normalised form (ranks the exact spelling first, and prefixes) |
| `d:<document>` | the canonical document number |
| `p:<last 8 digits>` | the phone number |
| `b:<YYYY-MM-DD>` | the date of birth |

Typo tolerance is on the query side: a query word looks up its phonetic key and every key one edit away
(`neighbours`: the key alphabet has 12 letters, so a 4-letter key has about 100 neighbours, looked up in one
`IN (...)` on the index), a number looks up every number one edit away. The index stays small (about
eight rows per person) and a look-up never scans.

Duplicate detection runs over profiles in memory, so its keys (`blocking_keys`) can be symmetric instead:
a document number and all its one-deletion variants (two numbers one edit apart always share one), the
phone, the date of birth (day and month in either order), and pairs of name words (phonetic keys, and their
one-deletion variants for typos) narrowed by sex and a five-year birth bucket (a person is put in every
bucket their birth years ± 2 touch, so two people born up to 4 years apart share one; unknown sex or birth
years: every one). Narrowing keeps a common pair of names in blocks of useful size.
"""

from __future__ import annotations

from itertools import combinations

from .names import EMPTY_KEY, NameToken
from .person import Profile
from .strsim import deletions

KEY_ALPHABET = "BFTSXJKLRMNW"
DOCUMENT_ALPHABET = "0123456789ACDEFGHJKMNPRTUVWXY"  # canonical documents: look-alike letters are digits


def search_keys(profile: Profile) -> set[str]:
    """The exact keys a search index stores for one person."""
    keys: set[str] = set()
    for view in profile.name.views:
        for token in view:
            keys.update("n:" + k for k in token.keys)
            keys.add("s:" + token.simple)
    if profile.document:
        keys.add("d:" + profile.document)
    if profile.phone:
        keys.add("p:" + phone_key(profile.phone))
    if profile.date_of_birth:
        keys.add("b:" + profile.date_of_birth.isoformat())
    return keys


def phone_key(canonical: str) -> str:
    return canonical.lstrip("+")[-8:]


def neighbours(key: str, alphabet: str = KEY_ALPHABET) -> set[str]:
    """Every string one edit (insert, delete, substitute, swap neighbours) away from `key`.

    Phonetic keys of one or two letters only grow at the end (Aïcha / Aichatou): a one-letter key's
    substitutions would be every other one-letter name.
    """
    if key == EMPTY_KEY or not key:
        return set()
    out: set[str] = set()
    if len(key) >= 3 or alphabet != KEY_ALPHABET:
        out.update(deletions(key))
        for i in range(len(key) + 1):
            for ch in alphabet:
                out.add(key[:i] + ch + key[i:])
        for i in range(len(key)):
            for ch in alphabet:
                out.add(key[:i] + ch + key[i + 1:])
        for i in range(len(key) - 1):
            out.add(key[:i] + key[i + 1] + key[i] + key[i + 2:])
    else:
        out.update(key + ch for ch in alphabet)
        if len(key) == 2:
            out.add(key[::-1])
            out.update(deletions(key))
    out.discard(key)
    return out


def _birth_buckets(profile: Profile) -> list[str]:
    """Five-year buckets covering the birth years ± 2, so two people born within 4 years share one.
    Unknown birth years: every bucket (such a person must still meet their duplicates)."""
    if profile.birth_years is None:
        return [str(y) for y in range(1900 // 5, 2100 // 5)]
    low, high = profile.birth_years
    if high - low > 8:  # a wide range from an estimated age: one bucket around its middle
        low = high = (low + high) // 2
    return sorted({str(y // 5) for y in range(low - 2, high + 3)})


def _word_keys(token: NameToken, *, with_deletions: bool) -> set[str]:
    keys = set(token.keys)
    if with_deletions:
        primary = token.keys[0]
        if len(primary) >= 4:
            keys |= deletions(primary)
    return keys


def blocking_keys(profile: Profile) -> set[str]:
    """The keys under which the duplicate candidate generator groups a person (see module docstring)."""
    keys: set[str] = set()
    if profile.document:
        keys.add("D:" + profile.document)
        if len(profile.document) >= 6:
            keys.update("D:" + d for d in deletions(profile.document))
    if profile.phone:
        keys.add("P:" + phone_key(profile.phone))
    if profile.date_of_birth:
        born = profile.date_of_birth  # day and month in either order: a swap is a common slip
        keys.add(f"B:{born.year}-{min(born.month, born.day)}-{max(born.month, born.day)}")
    sexes = [profile.sex] if profile.sex else ["male", "female"]
    narrow = [f"{sex}|{bucket}" for sex in sexes for bucket in _birth_buckets(profile)]
    tokens = {t.text: t for view in profile.name.views for t in view}
    for x, y in combinations(sorted(tokens), 2):
        a, b = tokens[x], tokens[y]
        exact_a, exact_b = _word_keys(a, with_deletions=False), _word_keys(b, with_deletions=False)
        pairs = {"|".join(sorted((ka, kb))) for ka in exact_a for kb in exact_b}
        pairs.update("|".join(sorted((ka, kb))) for ka in _word_keys(a, with_deletions=True) - exact_a
                     for kb in exact_b)
        pairs.update("|".join(sorted((ka, kb))) for kb in _word_keys(b, with_deletions=True) - exact_b
                     for ka in exact_a)
        keys.update(f"NN:{pair}|{n}" for pair in pairs for n in narrow)
    return keys
