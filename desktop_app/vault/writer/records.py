"""The writer's record operations: save (with its outbox op and entity events), delete, withhold, kept versions,
files."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from desktop_app.vault.errors import InvalidInput, RegistrationDeleted, RegistrationGone, RegistrationPurged
from desktop_app.vault.models import SUMMARY_FIELDS
from desktop_app.vault.place import enrolled_db, home_centre_db
from desktop_app.vault.sql import chunks, in_json, join_sync, text
from desktop_app.vault.writer.base import RegistrationDraft, Stored, validated
from desktop_app.vault.writer.entities import EntityWrites
from desktop_app.vault.writer.facts import FactWrites
from desktop_app.vault.writer.files import FileWrites
from desktop_app.vault.writer.outbox import OutboxWrites
from desktop_app.vault.writer.search import SearchWrites
from waypoint_core.protocol import FILES_FIELD

_REG_COLUMNS = ("id", "form_id", "form_version", "status", "content", "created_at", "created_by", "updated_at",
                "updated_by", "version", "deleted", *SUMMARY_FIELDS)
_INSERT_REG = text(f"INSERT INTO registration ({', '.join(_REG_COLUMNS)}) "
                   f"VALUES ({', '.join(':' + c for c in _REG_COLUMNS)})")
_UPDATE_REG = text("UPDATE registration SET " + ", ".join(f"{c} = :{c}" for c in _REG_COLUMNS if c != "id")
                   + " WHERE id = :id")
# The sync columns (migration 0023, registration_sync): a new record gets its row, a saved one its new sync state;
# its server version and acknowledgement time stay.
_SAVE_SYNC = text("INSERT INTO registration_sync (record_id, server_version, sync_state) VALUES (:id, :server_version, "
                  ":sync_state) ON CONFLICT (record_id) DO UPDATE SET sync_state = excluded.sync_state")
_INSERT_FIELD = text("INSERT INTO registration_field (record_id, name, value) VALUES (:record_id, :name, :value)")


class RecordWrites(EntityWrites, SearchWrites, FactWrites, OutboxWrites, FileWrites):
    def save(self, drafts: Sequence[RegistrationDraft]) -> list[dict[str, Any]]:
        """Write rows and extracted fields with a few executemany statements, and queue what may travel.

        A finalized record (or a draft, where the policy shares drafts) gets its one pending op, new or changed;
        a draft stays on this laptop (sync state 'local'), and withdraws an op not yet frozen.
        A deleted registration is never written again (`RegistrationDeleted`): neither over its tombstone nor, for a
        draft that edits a stored one (`edits_stored`), where its deletion left no row.
        """
        prepared = [(draft, *validated(draft)) for draft in drafts]
        ids = [record_id for _, record_id, _, _ in prepared]
        if len(set(ids)) != len(ids):
            raise InvalidInput("the same registration appears twice in one save")
        existing = self.stored_many(ids)
        pending = self.pending_unfrozen(list(existing)) if existing else {}
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        field_rows: list[dict[str, Any]] = []
        ops: list[dict[str, Any]] = []
        withdrawn: list[int] = []
        saved: list[dict[str, Any]] = []
        extracted: dict[str, dict[str, str | None]] = {}
        for draft, record_id, summary, extra in prepared:
            old = existing.get(record_id)
            if (old is not None and old.deleted) or (old is None and draft.edits_stored):
                raise RegistrationDeleted()  # a tombstone, or no row left: deleted while it was being edited
            if old is not None and old.purged_at is not None:
                raise RegistrationPurged()  # a purge is never undone by a save (a form left open)
            made_here = old is None or old.server_version is None
            if not made_here and old is not None and old.centre:
                # A record the server holds: its centre is the one the server holds it in (each pull names it,
                # sync/store.py centres_here), whatever the content answers (a slip, an old value): an edit here does
                # not move another centre's record to the answer's centre, nor this centre's out of it.
                summary["centre"] = old.centre
            elif made_here and self.enrolled and self.home_centre:
                # Made on an enrolled laptop: the server will hold it in this laptop's centre (its push files a new
                # record under the device's centre) and send it to that centre's laptops, so it is filed so here too.
                summary["centre"] = self.home_centre
            elif not summary["centre"]:
                # A form without a centre question (or one left blank): the record keeps the centre it has; one made
                # here (new, or never on the server) is this laptop's. A record pulled before its centre was known
                # stays without one (the next pull names it, docs/access.md): never another centre's record labelled
                # as this laptop's by an edit, since the label travels with the record's fields.
                summary["centre"] = (old.centre if old else None) or (self.home_centre if made_here else None)
            travels = draft.status == "finalized" or self.policy.share_drafts
            row: dict[str, Any] = {
                "id": record_id, "form_id": draft.form_id, "form_version": draft.form_version,
                "status": draft.status, "content": draft.content,
                "created_at": old.created_at if old else self.now, "created_by": old.created_by if old else self.username,
                "updated_at": self.now, "updated_by": self.username, "version": old.version + 1 if old else 1,
                "server_version": old.server_version if old else None,
                "sync_state": "queued" if travels else "local", "deleted": False, **summary,
            }
            (updates if old else inserts).append(row)
            field_rows += [{"record_id": record_id, "name": k, "value": v} for k, v in extra.items()]
            extracted[record_id] = extra
            if travels:
                ops.append({"record_id": record_id, "op": "upsert", "record_version": row["version"],
                            "base_version": row["server_version"]})
            elif record_id in pending:
                withdrawn.append(pending[record_id])
            saved.append(row)
        if updates:
            self.keep_bases([r["id"] for r in updates])  # before the record changes (writer/bases.py)
        if inserts:
            self.db.execute(_INSERT_REG, inserts)
        if updates:
            self.db.execute(_UPDATE_REG, updates)
            self._drop_fields([r["id"] for r in updates], keep_manifest=True)  # files: put_files keeps it
        self.db.execute(_SAVE_SYNC, sorted(inserts + updates, key=lambda row: row["id"]))
        if field_rows:
            self.db.execute(_INSERT_FIELD, field_rows)
        self.queue_ops(ops, pending)
        if withdrawn:
            self.unqueue(withdrawn)
        self.refresh_entities(ids)  # entity lists follow the records (writer/entities.py)
        # and so does the search index (writer/search.py), from the rows just written
        self.refresh_search(ids, saved=saved, new={row["id"] for row in inserts})
        self.follow_consent(ids)  # a consent change takes effect in this transaction (writer/search.py)
        # and the indicators' facts (writer/facts.py), from the rows and fields just written
        self.refresh_facts(ids, saved=saved, fields=extracted, new={row["id"] for row in inserts})
        return saved

    def file_unsent_here(self) -> list[str]:
        """After an enrolment: the records made here that the server has not acknowledged yet (typed before the laptop
        was enrolled, or before it was enrolled again elsewhere) filed under the laptop's centre, as a save on an
        enrolled laptop files them: the server will hold them there (a new record takes the pushing device's
        centre), whatever their centre answer. Their indicator facts follow; wire ops in flight are copied out first.
        Returns their ids (none on a laptop not enrolled)."""
        home = home_centre_db(self.db) if enrolled_db(self.db) else None
        if home is None:
            return []
        ids = [row.id for row in self.db.execute(text(
            "SELECT id FROM registration" + join_sync() + " WHERE deleted = 0 AND rs.server_version IS NULL "
            "AND (centre IS NULL OR centre != :h)"), {"h": home}).all()]
        if not ids:
            return []
        self.keep_bases(ids)
        named = [{"r": record_id, "c": home} for record_id in sorted(ids)]
        self.db.execute(text("UPDATE registration SET centre = :c WHERE id = :r"), named)
        self.db.execute(text("UPDATE indicator_fact SET centre = :c WHERE record_id = :r"), named)
        return ids

    def _drop_fields(self, record_ids: list[str], *, keep_manifest: bool = False) -> None:
        keep = f" AND name != '{FILES_FIELD}'" if keep_manifest else ""
        for part in chunks(record_ids):
            marks, params = in_json(part)
            self.db.execute(text(f"DELETE FROM registration_field WHERE record_id IN ({marks}){keep}"), params)

    def delete(self, record_id: str) -> bool:
        """Delete a record and every copy of its data. False if it was deleted already (its tombstone);
        `RegistrationGone` when no row is left.

        A record the server never heard of (no server version, no op ever frozen) leaves no row at all. Otherwise a
        tombstone stays (id and version, no content) with a pending `delete` op, so the deletion syncs; ops already
        frozen carry nothing any more, and the merge base keeps field names only.
        """
        old = self.stored(record_id)
        if old is None:  # deleted already (a draft that never travelled leaves no row), or never here
            raise RegistrationGone(record_id)
        if old.deleted:
            return False
        self.blind_sync_record(record_id)  # from the record as it is still (writer/bases.py)
        self.erase_copies(record_id)
        self.forget_in_flight(record_id, deleted=True)
        sent = self.db.execute(text("SELECT 1 FROM outbox WHERE record_id = :r AND device_seq IS NOT NULL LIMIT 1"),
                               {"r": record_id}).first()
        if old.server_version is None and sent is None:
            for table, column in (("outbox", "record_id"), ("sync_record", "record_id"),
                                  ("registration_sync", "record_id"), ("registration", "id")):
                self.db.execute(text(f"DELETE FROM {table} WHERE {column} = :r"), {"r": record_id})
            return True
        version = old.version + 1
        self.db.execute(text(
            "UPDATE registration SET deleted = 1, content = '', " + ", ".join(f"{n} = NULL" for n in SUMMARY_FIELDS)
            + ", updated_at = :now, updated_by = :by, version = :v, purged_at = NULL WHERE id = :id"),
            {"now": self.now, "by": self.username, "v": version, "id": record_id})
        self.db.execute(text("UPDATE registration_sync SET sync_state = 'queued', acked_at = NULL WHERE record_id = :id"),
                        {"id": record_id})
        self.queue_ops([{"record_id": record_id, "op": "delete", "record_version": version,
                         "base_version": old.server_version}], self.pending_unfrozen([record_id]))
        return True

    def erase_copies(self, record_id: str) -> None:
        """Every copy of a record's data besides its row: extracted fields, kept versions, files, conflicts."""
        self._drop_fields([record_id])
        self.drop_versions(record_id)
        self.erase_files(record_id)
        self.drop_conflicts(record_id)
        self.drop_entities(record_id)
        self.drop_search(record_id)
        self.drop_facts(record_id)
        self.erased = True

    def withhold(self, record_id: str, *, keep_file: Callable[[str], bool]) -> None:
        """Consent refused or withdrawn: before the gated state is saved, every earlier copy of the person goes
        (kept versions, files `keep_file` does not keep, conflicts, what ops in flight carry, the merge base's
        values). The save that follows queues the gated state, which the server then holds too."""
        self.blind_sync_record(record_id)  # first: from the record as it is still (writer/bases.py)
        self.drop_versions(record_id)
        self.drop_files(record_id, keep=keep_file)
        self.drop_conflicts(record_id)
        self.forget_in_flight(record_id, deleted=False)
        self.erased = True

    # --- retention ---------------------------------------------------------------------------------------------

    def due_for_purge(self, cutoff: str) -> list[Stored]:
        """Records whose identifying data the retention period removes now: acknowledged by the server at or before
        `cutoff` (ISO 8601 UTC, as `utc_now`), nothing of them waiting to be sent, not deleted, not purged yet."""
        rows = self.db.execute(text(
            "SELECT id FROM registration" + join_sync() + " WHERE deleted = 0 AND purged_at IS NULL "
            "AND rs.sync_state = 'acknowledged' AND rs.acked_at IS NOT NULL AND rs.acked_at <= :cutoff AND id NOT IN "
            "(SELECT record_id FROM outbox WHERE acked_at IS NULL) ORDER BY rs.acked_at, id"), {"cutoff": cutoff}).all()
        found = self.stored_many([row.id for row in rows])
        return [found[row.id] for row in rows if row.id in found]

    def kept_versions(self, record_id: str) -> list[tuple[int, str, str]]:
        """(version, form_version, content) of the record's kept finalized versions, oldest first."""
        return [(int(row.version), row.form_version, row.content) for row in self.db.execute(text(
            "SELECT version, form_version, content FROM registration_version WHERE record_id = :r ORDER BY version"),
            {"r": record_id}).all()]

    def purge(self, record_id: str, *, content: str, fields: dict[str, Any], versions: dict[int, str]) -> None:
        """Retention: the record keeps only what the caller left in `content` (its identifying answers removed),
        with the summary and extracted `fields` of that content, and its kept `versions` (version -> content, as
        redacted; a version not named goes). Its files and conflicts go, the merge base keeps field names only,
        entity events are rederived, `purged_at` is set. Nothing is queued: the server keeps its copy; this laptop
        no longer has the person's identifying data. The record can no longer be edited here."""
        old = self.stored(record_id)
        if old is None or old.deleted:
            raise InvalidInput(f"no registration {record_id}")
        self.blind_sync_record(record_id)  # first: from the record as it is still (writer/bases.py)
        summary = {name: fields.get(name) for name in SUMMARY_FIELDS}
        # the centre is kept (retention keeps the place): the one the server holds the record in (only acknowledged
        # records are purged), not the answer of what is left
        summary["centre"] = old.centre or summary["centre"]
        self.db.execute(text(
            "UPDATE registration SET content = :content, " + ", ".join(f"{n} = :{n}" for n in SUMMARY_FIELDS)
            + ", purged_at = :now WHERE id = :id"), {**summary, "content": content, "now": self.now, "id": record_id})
        self._drop_fields([record_id])
        extra = [{"record_id": record_id, "name": str(name), "value": None if value is None else str(value)}
                 for name, value in fields.items() if name not in SUMMARY_FIELDS]
        if extra:
            self.db.execute(_INSERT_FIELD, extra)
        for version, _form_version, _content in self.kept_versions(record_id):
            if version in versions:
                self.db.execute(text("UPDATE registration_version SET content = :c WHERE record_id = :r AND "
                                     "version = :v"), {"c": versions[version], "r": record_id, "v": version})
            else:
                self.db.execute(text("DELETE FROM registration_version WHERE record_id = :r AND version = :v"),
                                {"r": record_id, "v": version})
        self.drop_files(record_id)
        self.drop_conflicts(record_id)
        self.refresh_entities([record_id])
        self.refresh_search([record_id])  # a purged record has no search keys (writer/search.py)
        self.refresh_facts([record_id])  # from the fields the purge left
        self.erased = True

    # --- kept versions ---------------------------------------------------------------------------------------

    def keep_version(self, stored: Stored, *, by: str | None = None) -> None:
        """Copy a finalized state into registration_version before it is overwritten (once per version)."""
        self.db.execute(text(
            "INSERT OR IGNORE INTO registration_version (record_id, version, form_id, form_version, status, content, "
            "saved_at, saved_by, superseded_at, superseded_by) VALUES (:r, :v, :f, :fv, :s, :c, :at, :sb, :now, :by)"),
            {"r": stored.id, "v": stored.version, "f": stored.form_id, "fv": stored.form_version,
             "s": stored.status, "c": stored.content, "at": stored.updated_at, "sb": stored.updated_by,
             "now": self.now, "by": by or self.username})

    def drop_versions(self, record_id: str) -> None:
        self.db.execute(text("DELETE FROM registration_version WHERE record_id = :r"), {"r": record_id})
        self.erased = True
