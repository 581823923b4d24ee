"""The writer's merge bases: sync_record.base, the server state a three-way merge starts from.

At a push's acknowledgement and at a pull the base is, nearly always, exactly what the registration now holds. It is
then stored as AS_RECORD (an empty text) meaning "the registration's current state" instead of a second ~2 KB copy
of the record, written and read back at every sync (docs/sync-client.md, "No silent overwrite").

The rule that keeps this right: before any change to what a registration holds (its row's content, form, status,
summary columns, its extracted fields, its files manifest), the writer calls `keep_bases` for it, which copies the
registration's state out into its base while the base still says AS_RECORD. Forgetting a person (`blind_sync_record`:
deletion, refused consent, retention) reads the same state and keeps only its field names, never a copy of the values.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from desktop_app.vault.sql import chunks, in_json, text
from desktop_app.vault.states import State, state_from_columns
from desktop_app.vault.writer.base import WriterBase

# sync_record.base for "the base is the registration's current state" (never valid JSON, so a reader that does not
# know it fails loudly instead of merging from a wrong base).
AS_RECORD = ""

# A merge base (sync_record.base) whose values were forgotten: the names stay, the values become this, which
# never equals a real value, so a 3-way merge sees every field as changed and never revives a forgotten one.
BLIND = "\x00withheld"


def blind(state: dict[str, Any]) -> dict[str, Any]:
    """A sync state with its values forgotten: form, deletion flag and field names only."""
    return {"form_id": state.get("form_id", ""), "form_version": state.get("form_version", ""),
            "deleted": bool(state.get("deleted")), "fields": {name: BLIND for name in state.get("fields") or {}},
            "content": BLIND if state.get("content") is not None else None}


def registration_states(db: Any, record_ids: Iterable[str]) -> dict[str, tuple[State, str | None]]:
    """record_id -> (the registration's state as sync sees it: its row and extracted fields; its purged_at), for those
    that exist. The keys joined as `sql.in_json`'s one JSON parameter (the push's reads, docs/sync-client.md)."""
    found: dict[str, tuple[State, str | None]] = {}
    for part in chunks(sorted(set(record_ids))):
        params = in_json(part)[1]
        extras: dict[str, dict[str, Any]] = {}
        for row in db.execute(text("SELECT f.record_id, f.name, f.value FROM json_each(:keys) k "
                                   "CROSS JOIN registration_field f ON f.record_id = k.value"), params).all():
            extras.setdefault(row.record_id, {})[row.name] = row.value
        for row in db.execute(text("SELECT r.* FROM json_each(:keys) k CROSS JOIN registration r ON r.id = k.value"),
                              params).all():
            columns = row._asdict()
            found[row.id] = (state_from_columns(columns, extras.get(row.id, {})), columns.get("purged_at"))
    return found


def record_states(db: Any, record_ids: Iterable[str]) -> dict[str, State]:
    """record_id -> the registration's state as sync sees it (row and extracted fields), for those that exist."""
    return {record_id: state for record_id, (state, _) in registration_states(db, record_ids).items()}


def base_state(db: Any, record_id: str, base: str) -> State | None:
    """A stored base (sync_record.base) as a state: AS_RECORD read from the registration; JSON null (no known base,
    after a server restore) is None."""
    if base == AS_RECORD:
        return record_states(db, [record_id]).get(record_id)
    state: State | None = json.loads(base)
    return state


class BaseWrites(WriterBase):
    def keep_bases(self, record_ids: Iterable[str]) -> None:
        """Before these registrations change: a base that says AS_RECORD becomes a copy of the state it names."""
        held: list[str] = []
        for part in chunks(sorted(set(record_ids))):
            marks, params = in_json(part)
            held += [row[0] for row in self.db.execute(text(
                f"SELECT record_id FROM sync_record WHERE record_id IN ({marks}) AND base = ''"), params).all()]
        if not held:
            return
        states = record_states(self.db, held)
        self.db.execute(text("UPDATE sync_record SET base = :b WHERE record_id = :r AND base = ''"),
                        [{"r": r, "b": json.dumps(states[r], sort_keys=True) if r in states else "null"}
                         for r in held])

    def blind_sync_record(self, record_id: str) -> None:
        """Forget the values of the record's merge base (and any server state held to show later). Called before the
        registration itself changes (a base AS_RECORD is read from it)."""
        row = self.db.execute(text("SELECT base FROM sync_record WHERE record_id = :r"), {"r": record_id}).first()
        if row is not None:
            state = base_state(self.db, record_id, row.base) or {}
            self.db.execute(text("UPDATE sync_record SET base = :b, stale = 0 WHERE record_id = :r"),
                            {"b": json.dumps(blind(state), sort_keys=True), "r": record_id})
