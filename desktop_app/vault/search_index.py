"""The vault's search index: what a registration says about the person, as keys and a compact profile.

The index is derived from registrations, never written on its own: the one writer (writer/search.py) rederives a
record's rows in every transaction that saves, pulls, deletes or purges it, so the index always says what the
records say, and loses what they lose (a deletion, consent refused, retention) in the same transaction.

Two tables (migration 0009):

- `search_key (key, record_id)`: the few exact keys of `waypoint_core.registry.keys.search_keys` (phonetic and
  spelling keys of each name word, the canonical document number, the phone's last eight digits, the date of
  birth), about eight rows a person; a query looks keys up with `IN (...)` and key ranges on the primary key;
- `search_profile (record_id, profile)`: the person prepared for ranking (`Profile.to_json`: folded name words
  and their keys, sex, birth years, nationality, canonical numbers, centre, status, consent to matching).

Only what ranking needs is kept: no answer other than those below, nothing of a record without a name (a case
holds no names), nothing of a record whose consent was refused (the gate blanked its names before the save).

`person_from_content` (waypoint_core.registry.stored, the same rule the server's search reads with) takes the answers
by their conventional names (docs/registry.md), wherever the form puts them outside a household repeat; the first
occurrence wins.
"""

from __future__ import annotations

from waypoint_core.registry.keys import search_keys
from waypoint_core.registry.person import Profile, prepare
from waypoint_core.registry.stored import person_from_content

__all__ = ["index_rows", "person_from_content"]


def index_rows(record_id: str, content: str, *, status: str | None,
               created_at: str | None) -> tuple[Profile, set[str]] | None:
    """(profile, keys) to store for one registration, or None when nothing is to be stored."""
    person = person_from_content(record_id, content, status=status, created_at=created_at)
    if person is None:
        return None
    profile = prepare(person)
    keys = search_keys(profile)
    if not keys:
        return None
    return profile, keys

