"""The writer's review-desk part: a conflict closed, the server version a resolution is made on, candidate pairs.

The decisions are the review desk's (desktop_app/records/review.py); these write them, in the caller's one
transaction. A resolution is also a save of the record (`save`, with its outbox op and the finalized version it
replaces kept), so it is a new version that syncs and stays in the record's history.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Sequence
from typing import Any

from desktop_app.vault.sql import chunks, in_json, text
from desktop_app.vault.writer.base import WriterBase


CLOSED_ON_SERVER = "server"  # a server conflict decided on another laptop (the server closed it)


class ReviewWrites(WriterBase):
    def close_conflict(self, conflict_id: str, *, resolution: str) -> bool:
        """Mark an open conflict closed by the signed-in person; False if it was closed already."""
        done = self.db.execute(text("SELECT 1 FROM conflict WHERE id = :i AND resolved_at IS NULL"),
                               {"i": conflict_id}).first()
        if done is None:
            return False
        self.db.execute(text("UPDATE conflict SET resolved_at = :t, resolved_by = :b, resolution = :r WHERE id = :i"),
                        {"t": self.now, "b": self.username, "r": resolution, "i": conflict_id})
        return True

    def close_decided_elsewhere(self, record_id: str, server_conflict_id: str, *, decided_by: str) -> str | None:
        """This laptop's own conflict on the record, opened when the server answered its op with conflict
        `server_conflict_id`, closed because a reviewer decided it on another laptop (the decision was pulled):
        `resolved_by` names the deciding device. The record leaves the conflict state unless another of its
        conflicts is still open (queued again when it has changes not yet acknowledged). Returns the row's id,
        None when there is no such open row (closed already, or never opened here)."""
        row = self.db.execute(text("SELECT id FROM conflict WHERE record_id = :r AND resolved_at IS NULL "
                                   "AND server_id IS NULL AND json_extract(remote, '$.conflict_id') = :c"),
                              {"r": record_id, "c": server_conflict_id}).first()
        if row is None:
            return None
        self.db.execute(text("UPDATE conflict SET resolved_at = :t, resolved_by = :b, resolution = :r WHERE id = :i"),
                        {"t": self.now, "b": decided_by, "r": CLOSED_ON_SERVER, "i": row.id})
        self.db.execute(text(
            "UPDATE registration_sync SET sync_state = CASE WHEN EXISTS (SELECT 1 FROM outbox o WHERE o.record_id = :r "
            "AND o.acked_at IS NULL) THEN 'queued' ELSE 'acknowledged' END WHERE record_id = :r "
            "AND sync_state = 'conflict' "
            "AND NOT EXISTS (SELECT 1 FROM conflict WHERE record_id = :r AND resolved_at IS NULL "
            "AND server_id IS NULL)"), {"r": record_id})
        return str(row.id)

    def rebase_on_server(self, record_id: str, *, version: int, state: dict[str, Any], hlc: int = 0) -> None:
        """A resolution is made on the server's version it saw (`version`, `state`): the merge base and the record's
        server version move there, so the op the save queues is a plain change on top of it, not a new conflict."""
        self.db.execute(text(
            "INSERT INTO sync_record (record_id, server_version, base, hlc, stale) VALUES (:r, :v, :b, :h, 0) "
            "ON CONFLICT (record_id) DO UPDATE SET server_version = MAX(sync_record.server_version, excluded.server_version), "
            "base = excluded.base, hlc = MAX(sync_record.hlc, excluded.hlc), stale = 0"),
            {"r": record_id, "v": version, "b": json.dumps(state, sort_keys=True), "h": hlc})
        self.db.execute(text("UPDATE registration_sync SET server_version = MAX(COALESCE(server_version, 0), :v) "
                             "WHERE record_id = :r"), {"v": version, "r": record_id})

    def put_server_conflicts(self, rows: Sequence[dict[str, Any]], *, still_open: Collection[str]) -> tuple[int, int]:
        """The server's open conflicts as last fetched (GET /v2/conflicts): `rows` of `server_id`, `record_id`,
        `opened_at`, `local` and `remote` (JSON texts). A new one is added; one not decided here yet takes the newer
        sides; one decided here stays closed. Rows whose server conflict is not in `still_open` any more (decided on
        another laptop) are closed. Returns (added, closed)."""
        known = {row[0]: bool(row[1]) for row in self.db.execute(text(
            "SELECT server_id, resolved_at IS NULL FROM conflict WHERE server_id IS NOT NULL")).all()}
        added = [row for row in rows if row["server_id"] not in known]
        if added:
            self.db.execute(text("INSERT INTO conflict (id, record_id, opened_at, local, remote, server_id) "
                                 "VALUES (:id, :record_id, :opened_at, :local, :remote, :server_id)"),
                            [{**row, "id": str(uuid.uuid4())} for row in added])
        changed = [row for row in rows if known.get(row["server_id"])]
        if changed:
            self.db.execute(text("UPDATE conflict SET local = :local, remote = :remote WHERE server_id = :server_id "
                                 "AND resolved_at IS NULL"), changed)
        gone = sorted(server_id for server_id, is_open in known.items() if is_open and server_id not in still_open)
        if gone:
            self.db.execute(text("UPDATE conflict SET resolved_at = :t, resolved_by = '', resolution = :r "
                                 "WHERE server_id = :s AND resolved_at IS NULL"),
                            [{"t": self.now, "r": CLOSED_ON_SERVER, "s": server_id} for server_id in gone])
        return len(added), len(gone)

    def replace_candidates(self, rows: Sequence[dict[str, Any]]) -> None:
        """The result of one candidate generation, replacing the last: rows of a, b, score, reasons (JSON)."""
        self.db.execute(text("DELETE FROM duplicate_candidate"))
        if rows:
            self.db.execute(text("INSERT INTO duplicate_candidate (a, b, score, reasons, found_at) "
                                 "VALUES (:a, :b, :score, :reasons, :t)"),
                            [{**row, "t": self.now} for row in sorted(rows, key=lambda r: (r["a"], r["b"]))])

    def drop_candidates(self, record_ids: Sequence[str]) -> None:
        """Pairs that name any of these people (decided, merged, deleted)."""
        for part in chunks(list(record_ids)):
            marks, params = in_json(part)
            self.db.execute(text(f"DELETE FROM duplicate_candidate WHERE a IN ({marks}) OR b IN ({marks})"), params)

    def drop_candidate(self, a: str, b: str) -> None:
        first, second = sorted((a, b))
        self.db.execute(text("DELETE FROM duplicate_candidate WHERE a = :a AND b = :b"), {"a": first, "b": second})


__all__ = ["CLOSED_ON_SERVER", "ReviewWrites"]
