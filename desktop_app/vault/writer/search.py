"""The writer's search part: the vault's search index (`search_key`, `search_profile`; vault/search_index.py).

Like entity events, the index is derived from registrations and rederived whenever the writer saves, pulls,
deletes or purges one, in the same transaction: a deleted record leaves no key and no profile behind.

Consent to matching in a profile is the person's consent now (vault/consent_reads.py): the registration's answer
with the consent changes that name it applied. A consent change saved or pulled rederives the profile of the person
it names (`follow_consent`) and, when matching is no longer consented, removes the desk's candidate pairs naming
them, in the same transaction: from that commit no duplicate check, candidate list or generation sees them.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import dataclasses

from desktop_app.vault import consent_reads
from desktop_app.vault.search_index import index_rows
from waypoint_core.access import consent as consent_rule
from desktop_app.vault.sql import chunks, in_json, text
from desktop_app.vault.writer.base import WriterBase

_INSERT_KEY = text("INSERT OR IGNORE INTO search_key (key, record_id) VALUES (:k, :r)")
_INSERT_PROFILE = text("INSERT INTO search_profile (record_id, profile) VALUES (:r, :p)")


class _Written:
    """A row the writer just saved, read like a fetched one (never deleted, never purged: a save refuses both)."""

    __slots__ = ("id", "status", "content", "created_at")
    deleted = False
    purged_at = None

    def __init__(self, row: dict[str, Any]) -> None:
        self.id, self.status, self.content, self.created_at = row["id"], row["status"], row["content"], row["created_at"]


class SearchWrites(WriterBase):
    def refresh_search(self, record_ids: Sequence[str], *, saved: Sequence[dict[str, Any]] | None = None,
                       new: Collection[str] = ()) -> None:
        """Rederive the index rows of these records from their rows as they are now. `saved`: those rows as the
        caller just wrote them (id, status, content, created_at; not deleted, not purged), so they are not read
        back; `new`: ids inserted in this transaction, which have no index rows to remove."""
        if not record_ids:
            return
        keys: list[dict[str, Any]] = []
        profiles: list[dict[str, Any]] = []
        written = {row["id"]: row for row in saved} if saved is not None else {}
        for part in chunks(list(record_ids)):
            old = [record_id for record_id in part if record_id not in new]
            if old:
                marks, params = in_json(old)
                self._drop_search(marks, params)
            if all(record_id in written for record_id in part):
                rows: Sequence[Any] = [_Written(written[record_id]) for record_id in part]
            else:
                marks, params = in_json(part)
                rows = self.db.execute(text(
                    "SELECT id, status, content, created_at, deleted, purged_at FROM registration "
                    f"WHERE id IN ({marks})"), params).all()
            changes = consent_reads.changes_for(self.db, part)
            for row in rows:
                if row.deleted or row.purged_at is not None or not row.content:
                    continue
                found = index_rows(row.id, row.content, status=row.status, created_at=row.created_at)
                if found is None:
                    continue
                profile, record_keys = found
                if row.id in changes:
                    profile = dataclasses.replace(profile, consent_matching=_matching(profile.consent_matching,
                                                                                      row.id, changes[row.id]))
                profiles.append({"r": row.id, "p": profile.to_json()})
                keys += [{"k": key, "r": row.id} for key in sorted(record_keys)]
        if profiles:
            self.db.execute(_INSERT_PROFILE, profiles)
            self.db.execute(_INSERT_KEY, keys)

    def follow_consent(self, record_ids: Sequence[str]) -> list[str]:
        """The people whose consent the consent changes among `record_ids` change: their index rows rederived, and
        the candidate pairs of those no longer consenting to matching removed. Returns those people."""
        persons = list(dict.fromkeys(consent_reads.persons_named(self.db, record_ids)))
        if not persons:
            return []
        self.refresh_search(persons)
        changes = consent_reads.changes_for(self.db, persons)
        stopped = [p for p in persons if not _matching(True, p, changes.get(p, []))]
        for part in chunks(stopped):
            marks, params = in_json(part)
            self.db.execute(text(f"DELETE FROM duplicate_candidate WHERE a IN ({marks}) OR b IN ({marks})"), params)
        return persons

    def drop_search(self, record_id: str) -> None:
        marks, params = in_json([record_id])
        self._drop_search(marks, params)

    def _drop_search(self, marks: str, params: dict[str, Any]) -> None:
        self.db.execute(text(f"DELETE FROM search_key WHERE record_id IN ({marks})"), params)
        self.db.execute(text(f"DELETE FROM search_profile WHERE record_id IN ({marks})"), params)


def _matching(answered: bool, person: str, changes: list[consent_rule.Change]) -> bool:
    """Consent to matching after the changes, from the registration's answer (services assumed as answered)."""
    base = consent_rule.from_answers(person, {"consent_services": "yes",
                                              "consent_matching": "yes" if answered else "no"})
    return consent_rule.apply(base, changes).allows("matching")
