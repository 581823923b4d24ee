"""The writer's sync operations: write what the server holds (registrations, the merge base), conflicts.

The decisions (what to freeze, how to merge, which state a record is in) are the sync client's
(desktop_app/sync/store.py); these write them, in the caller's one transaction.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from desktop_app.vault.models import SYNC_WRITER
from desktop_app.vault.sql import Row, chunks, in_json, text
from desktop_app.vault.states import State, state_from_columns
from desktop_app.vault.writer.records import RecordWrites
from waypoint_core.protocol import FILES_FIELD

_REMOTE_INSERT = text(
    "INSERT INTO registration (id, form_id, form_version, status, content, created_at, created_by, updated_at, "
    "updated_by, version, deleted, title, sex, age, nationality, centre, registered_on) VALUES (:id, :form_id, "
    ":form_version, :status, :content, :created_at, :created_by, :now, :by, 1, :deleted, :title, :sex, :age, "
    ":nationality, :centre, :registered_on)")
_REMOTE_UPDATE = text(
    "UPDATE registration SET form_id = :form_id, form_version = :form_version, status = :status, content = :content, "
    "updated_at = :now, updated_by = :by, version = version + 1, deleted = :deleted, title = :title, sex = :sex, "
    "age = :age, nationality = :nationality, centre = :centre, registered_on = :registered_on, purged_at = NULL "
    "WHERE id = :id")
# The sync columns of a registration written from the server (migration 0023: a narrow row of their own).
_REMOTE_SYNC = text(
    "INSERT INTO registration_sync (record_id, server_version, sync_state, acked_at) VALUES (:id, :sv, :ss, :now) "
    "ON CONFLICT (record_id) DO UPDATE SET server_version = excluded.server_version, "
    "sync_state = excluded.sync_state, acked_at = excluded.acked_at")
_INSERT_FIELD = text("INSERT INTO registration_field (record_id, name, value) VALUES (:r, :n, :v)")
_PUT_SYNC_RECORD = text(
    "INSERT INTO sync_record (record_id, server_version, base, hlc, stale, hash) VALUES (:r, :v, :b, :h, :s, :x) "
    "ON CONFLICT (record_id) DO UPDATE SET server_version = excluded.server_version, base = excluded.base, "
    "hlc = MAX(sync_record.hlc, excluded.hlc), stale = excluded.stale, hash = excluded.hash, "
    # the hash it replaces goes first in `earlier` (19 kept: 19 × 65 characters)
    "earlier = CASE WHEN excluded.hash IS NULL OR sync_record.hash IS NULL OR excluded.hash = sync_record.hash "
    "THEN sync_record.earlier ELSE substr(sync_record.hash || ' ' || sync_record.earlier, 1, 1234) END")


class SyncWrites(RecordWrites):
    # --- registrations as the server holds them ----------------------------------------------------------------

    def set_server_states(self, states: list[dict[str, Any]]) -> None:
        """After an acknowledgement: the record's server version (`v`, never lowered), sync state (`s`; a record
        with draft changes kept on this laptop stays 'local' unless in conflict) and when the server had it."""
        self.db.execute(text("UPDATE registration_sync SET server_version = MAX(COALESCE(server_version, 0), :v), "
                             "sync_state = CASE WHEN sync_state = 'local' AND :s != 'conflict' THEN 'local' "
                             "ELSE :s END, acked_at = :t WHERE record_id = :r"),
                        [{**state, "t": self.now} for state in sorted(states, key=lambda u: u["r"])])

    def mark_conflict(self, record_id: str) -> None:
        self.db.execute(text("UPDATE registration_sync SET sync_state = 'conflict' WHERE record_id = :r"),
                        {"r": record_id})

    def apply_remote(self, record_id: str, *, columns: dict[str, Any], extras: dict[str, str], version: int,
                     sync_state: str, existing: Row | None, created_at: str | None, created_by: str | None,
                     base_follows: bool = False) -> dict[str, Any] | None:
        """Write the server's state of a record (`columns` as state.columns_from_state gives them). Returns the row's
        columns as written (those state_from_columns reads), None when nothing was written.

        `existing`: the row's (version, status, content, created_at, created_by), None for a record new to this
        device. As for local edits, a finalized version it replaces is kept; a deletion takes the record's copies
        with it. `base_follows`: the caller writes the record's merge base in this transaction (else a base that
        names the registration is copied out first: writer/bases.py).
        """
        if existing is None and columns["deleted"]:
            return None  # a record this device never had, deleted elsewhere: nothing to show
        self.derive_inserted.pop(record_id, None)  # (inserted earlier in this transaction: derived from its row now)
        if existing is not None:
            if not base_follows:
                self.keep_bases([record_id])
            if columns["deleted"]:
                self.erase_copies(record_id)
            elif existing.status == "finalized" and existing.content != columns["content"]:
                self.db.execute(text(
                    "INSERT OR IGNORE INTO registration_version (record_id, version, form_id, form_version, status, "
                    "content, saved_at, saved_by, superseded_at, superseded_by) SELECT id, version, form_id, "
                    "form_version, status, content, updated_at, updated_by, :now, :by FROM registration WHERE id = :r"),
                    {"r": record_id, "now": self.now, "by": SYNC_WRITER})
        params = {**columns, "id": record_id, "sv": version, "now": self.now, "ss": sync_state, "by": SYNC_WRITER}
        if existing is None:
            params.update(created_at=created_at or self.now, created_by=created_by or SYNC_WRITER)
            self.db.execute(_REMOTE_INSERT, params)
            written = {**columns, "created_at": params["created_at"], "created_by": params["created_by"]}
        else:
            written = {**columns, "created_at": existing.created_at, "created_by": existing.created_by}
            self.db.execute(_REMOTE_UPDATE, params)
            self._drop_fields([record_id])
        self.db.execute(_REMOTE_SYNC, params)
        if extras:
            self.db.execute(_INSERT_FIELD, [{"r": record_id, "n": n, "v": v} for n, v in extras.items()])
        if not columns["deleted"]:
            self.follow_manifest(record_id, extras.get(FILES_FIELD))  # files come and go with the version
        # a pulled registration brings its entities (writer/entities.py) and its search keys (writer/search.py):
        # derived once for the whole page, before the commit (Writer.finish)
        self.derive_pending[record_id] = None
        return written

    def insert_remote(self, records: list[dict[str, Any]]) -> None:
        """Records new to this device, as the server holds them: what apply_remote writes for each record it has no
        row of, for all of them at once (a pulled page's new records: one statement per table, not four per record).

        Each of `records` has `id`, `columns` (state.columns_from_state; not a deletion), `extras`, `sv` (the server
        version), `ss` (the sync state), `created_at`, `created_by` (None: now, the sync writer), and may have `fact`:
        its indicator_fact row worked out already from what it holds (indicator_facts.fact_row; None: it counts for
        nothing). Their entities, search keys and indicator facts are derived at the end of the transaction
        (Writer.finish) from the rows as written here, not read back."""
        if not records:
            return
        rows: list[dict[str, Any]] = []
        fields: list[dict[str, Any]] = []
        for record in records:
            record_id, columns, extras = record["id"], record["columns"], record["extras"]
            row = {**columns, "id": record_id, "sv": record["sv"], "ss": record["ss"], "now": self.now,
                   "by": SYNC_WRITER, "created_at": record["created_at"] or self.now,
                   "created_by": record["created_by"] or SYNC_WRITER}
            rows.append(row)
            fields += [{"r": record_id, "n": n, "v": v} for n, v in extras.items()]
            self.derive_pending[record_id] = None
            self.derive_inserted[record_id] = {"row": row, "fields": extras}
            if "fact" in record:
                self.derive_inserted[record_id]["fact"] = record["fact"]
        self.db.execute(_REMOTE_INSERT, rows)
        self.db.execute(_REMOTE_SYNC, rows)
        if fields:
            self.db.execute(_INSERT_FIELD, fields)
        for record in records:  # files come with the version (none: one look at a set)
            self.follow_manifest(record["id"], record["extras"].get(FILES_FIELD))

    def name_centres(self, centres: dict[str, str]) -> None:
        """Records held here under another centre than the one the server names for each (record id -> centre), or
        none: pulled before the server named it (vault migration 0027), filed under their content's answer before
        the server's centre won over it, held with changes of this laptop's (skipped, in conflict). The row and its
        indicator fact take the server's; what the page just wrote has it already. Their merge bases (and wire ops
        in flight) are copied out first where they are the row itself."""
        held: list[str] = []
        for part in chunks(sorted(centres)):
            marks, params = in_json(part)
            held += [row.id for row in self.db.execute(text(
                f"SELECT id, centre FROM registration WHERE id IN ({marks}) AND deleted = 0"), params).all()
                if row.centre != centres[row.id]]
        if not held:
            return
        self.keep_bases(held)
        named = [{"r": record_id, "c": centres[record_id]} for record_id in sorted(held)]
        self.db.execute(text("UPDATE registration SET centre = :c WHERE id = :r"), named)
        self.db.execute(text("UPDATE indicator_fact SET centre = :c WHERE record_id = :r"), named)

    # --- sync_record: the server's state as last learnt (the base of 3-way merges) ---------------------------------

    def put_sync_records(self, rows: list[dict[str, Any]]) -> None:
        """Rows of (`r` record, `v` server version, `b` base state JSON or AS_RECORD (writer/bases.py: the base is the
        registration as it is now), `h` hlc, `s` stale, `x` that version's hash or None); hlc never goes down."""
        self.db.execute(_PUT_SYNC_RECORD, sorted(({"x": None, **row} for row in rows), key=lambda row: row["r"]))

    def reset_sync_records(self, rows: list[dict[str, Any]]) -> None:
        """After a server restore: the version (`v`, hash `x`) the restored server still holds of each record
        (`r`), with no known base (`b` is JSON null: the next op of the record carries its whole state); hlc and
        the registration's content are left as they are."""
        self.db.execute(text("UPDATE sync_record SET server_version = :v, hash = :x, base = 'null', stale = 0 "
                             "WHERE record_id = :r"), sorted(rows, key=lambda row: row["r"]))
        # The registration names the same version (a save made before the record goes again is based on it), and
        # is shown as waiting (a draft kept on this laptop stays so).
        self.db.execute(text("UPDATE registration_sync SET server_version = :v, sync_state = CASE "
                             "WHEN sync_state IN ('local', 'conflict') THEN sync_state ELSE 'queued' END "
                             "WHERE record_id = :r"), sorted(rows, key=lambda row: row["r"]))

    # --- conflicts ---------------------------------------------------------------------------------------------

    def open_conflict(self, *, record_id: str, local: Any, remote: dict[str, Any]) -> None:
        """One open conflict per record: a second one updates what the server side says, keeping the other side's
        version as first seen."""
        row = self.db.execute(text("SELECT id, remote FROM conflict WHERE record_id = :r AND resolved_at IS NULL "
                                   "AND server_id IS NULL"),
                              {"r": record_id}).first()
        if row is None:
            self.db.execute(text("INSERT INTO conflict (id, record_id, opened_at, local, remote) "
                                 "VALUES (:i, :r, :t, :l, :m)"),
                            {"i": str(uuid.uuid4()), "r": record_id, "t": self.now,
                             "l": json.dumps(local, sort_keys=True), "m": json.dumps(remote, sort_keys=True)})
            return
        before = json.loads(row.remote)
        merged = {**before, **{k: v for k, v in remote.items() if v is not None}}
        if before.get("state") is not None:
            merged["state"] = before["state"]
        self.set_conflict_remote(row.id, merged)

    def record_state(self, record_id: str) -> State | None:
        """The registration as this transaction sees it, in the shape both sides of a conflict take."""
        row = self.db.execute(text("SELECT * FROM registration WHERE id = :r"), {"r": record_id}).first()
        if row is None:
            return None
        extras = dict(self.db.execute(text("SELECT name, value FROM registration_field WHERE record_id = :r"),
                                      {"r": record_id}).all())
        return state_from_columns(row._asdict(), extras)

    def open_edit_conflict(self, record_id: str, *, theirs: State | None, server_version: int | None, where: str,
                           base_server_version: int | None) -> None:
        """A save made on an older version changed an answer that was also changed meanwhile (a change pulled from
        another laptop while the form was open): the person's version was just saved; the other one is kept in
        the conflict row (`remote.state`, with `field` naming the first answer both changed and `source` "edit");
        the record is in conflict. Its pending op goes on the server version the person saw, so the server's
        three-way merge sees the same clash and keeps both versions too (sync_server/merge.py)."""
        self.open_conflict(record_id=record_id, local=self.record_state(record_id),
                           remote={"state": theirs, "server_version": server_version, "field": where,
                                   "base_version": base_server_version, "source": "edit"})
        self.mark_conflict(record_id)
        pending = self.pending_unfrozen([record_id])
        if record_id in pending and base_server_version is not None:
            self.rebase_op(pending[record_id], base_version=base_server_version)

    def set_conflict_remote(self, conflict_id: str, remote: dict[str, Any]) -> None:
        self.db.execute(text("UPDATE conflict SET remote = :m WHERE id = :i"),
                        {"m": json.dumps(remote, sort_keys=True), "i": conflict_id})


__all__ = ["SyncWrites"]
