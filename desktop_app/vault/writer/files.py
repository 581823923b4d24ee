"""The writer's files: a record's attachments, the manifest that travels with it, and files still on their way.

A record's files are named in its `@files` field (registration_field), the manifest that sync carries: name, mime,
SHA-256 and size of each, sorted by name (waypoint_core.protocol.attachments). The writer keeps it equal to what the
record has: the files held here (attachment) and those named by a pulled version but not arrived yet
(attachment_wanted). A record with a wanted file is incomplete; its bytes arrive in parts (attachment_part), and
only a whole file that matches its hash becomes an attachment.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from desktop_app.vault.sql import chunks, in_json, text
from desktop_app.vault.writer.bases import BaseWrites
from waypoint_core.protocol import FILES_FIELD, FileRef, blob_hash, manifest_text, parse_manifest


class FileWrites(BaseWrites):
    def put_files(self, record_id: str, files: Sequence[tuple[str, str, bytes]]) -> None:
        """Store (name, mime, data) files of a record; a name already stored for it is replaced (the same answer
        saved again with each draft), an identical file is left as it is."""
        changed = False
        for name, mime, data in files:
            digest = blob_hash(data)
            old = self.db.execute(text("SELECT id, mime, sha256 FROM attachment WHERE record_id = :r AND name = :n"),
                                  {"r": record_id, "n": name}).first()
            if old is not None:
                if old.sha256 == digest and old.mime == mime:
                    continue
                self.db.execute(text("DELETE FROM attachment WHERE id = :i"), {"i": old.id})
            self.db.execute(text("DELETE FROM attachment_wanted WHERE record_id = :r AND name = :n"),
                            {"r": record_id, "n": name})
            self.db.execute(text("INSERT INTO attachment (id, record_id, name, mime, sha256, size, data) "
                                 "VALUES (:i, :r, :n, :m, :h, :s, :d)"),
                            {"i": str(uuid.uuid4()), "r": record_id, "n": name, "m": mime, "h": digest,
                             "s": len(data), "d": data})
            self._holds_files(record_id)
            changed = True
        if changed:
            self.refresh_manifests([record_id])

    def drop_files(self, record_id: str, *, keep: Callable[[str], bool] = lambda name: False) -> int:
        """Remove a record's files (held or on their way) except those `keep(name)` names; returns how many went."""
        names = [row.name for row in self.db.execute(text(
            "SELECT name FROM attachment WHERE record_id = :r UNION SELECT name FROM attachment_wanted "
            "WHERE record_id = :r"), {"r": record_id}).all()]
        gone = [name for name in names if not keep(name)]
        if gone:
            for table in ("attachment", "attachment_wanted"):
                self.db.execute(text(f"DELETE FROM {table} WHERE record_id = :r AND name = :n"),
                                [{"r": record_id, "n": name} for name in gone])
            self.drop_unwanted_parts()
            self.refresh_manifests([record_id])
            self.erased = True
        return len(gone)

    def erase_files(self, record_id: str) -> None:
        """Every file of a record, held or on its way (the record's deletion)."""
        self.db.execute(text("DELETE FROM attachment WHERE record_id = :r"), {"r": record_id})
        self.db.execute(text("DELETE FROM attachment_wanted WHERE record_id = :r"), {"r": record_id})
        self.drop_unwanted_parts()

    def drop_unwanted_parts(self) -> None:
        self.db.execute(text("DELETE FROM attachment_part WHERE sha256 NOT IN (SELECT sha256 FROM attachment_wanted)"))

    # --- the manifest --------------------------------------------------------------------------------------------

    def files_of(self, record_id: str) -> list[FileRef]:
        held = {row.name: FileRef(name=row.name, mime=row.mime, sha256=row.sha256, size=row.size)
                for row in self.db.execute(text("SELECT name, mime, sha256, size FROM attachment WHERE record_id = :r"),
                                           {"r": record_id}).all()}
        for row in self.db.execute(text("SELECT name, mime, sha256, size FROM attachment_wanted WHERE record_id = :r"),
                                   {"r": record_id}).all():
            held.setdefault(row.name, FileRef(name=row.name, mime=row.mime, sha256=row.sha256, size=row.size))
        return list(held.values())

    def refresh_manifests(self, record_ids: list[str]) -> None:
        """Write each record's `@files` field from the files it has (none: no field)."""
        self.keep_bases(record_ids)  # the manifest is part of the record's state (writer/bases.py)
        for record_id in record_ids:
            self.db.execute(text("DELETE FROM registration_field WHERE record_id = :r AND name = :n"),
                            {"r": record_id, "n": FILES_FIELD})
            value = manifest_text(self.files_of(record_id))
            exists = self.db.execute(text("SELECT 1 FROM registration WHERE id = :r"), {"r": record_id}).first()
            if value is not None and exists is not None:
                self.db.execute(text("INSERT INTO registration_field (record_id, name, value) VALUES (:r, :n, :v)"),
                                {"r": record_id, "n": FILES_FIELD, "v": value})

    def _holds_files(self, record_id: str | None = None) -> set[str]:
        """Records that hold files here or wait for some: read once per transaction, then kept in step with every
        row this class adds (rows removed meanwhile only leave a record in the set, which costs a lookup, no more)."""
        if self._file_holders is None:
            self._file_holders = {row[0] for row in self.db.execute(text(
                "SELECT record_id FROM attachment UNION SELECT record_id FROM attachment_wanted")).all()}
        if record_id is not None:
            self._file_holders.add(record_id)
        return self._file_holders

    def follow_manifest(self, record_id: str, manifest: Any) -> None:
        """A pulled version names these files: files it no longer names go, files it names that are not here are
        taken from another record holding the same bytes, or wanted (the record is incomplete until they arrive)."""
        try:
            wanted = {ref.name: ref for ref in parse_manifest(manifest)}
        except ValueError:
            wanted = {}
        if not wanted and record_id not in self._holds_files():
            # Names no file and holds none (most pulled records): nothing to remove, nothing to want; the parts no
            # record wants any more are still dropped, once, before the commit (Writer.finish).
            self.drop_parts_at_finish = True
            return
        self._holds_files(record_id)
        held = {row.name: row for row in self.db.execute(text(
            "SELECT id, name, mime, sha256 FROM attachment WHERE record_id = :r"), {"r": record_id}).all()}
        for name, row in held.items():
            ref = wanted.get(name)
            if ref is None or ref.sha256 != row.sha256 or ref.mime != row.mime:
                self.db.execute(text("DELETE FROM attachment WHERE id = :i"), {"i": row.id})
                self.erased = True
        self.db.execute(text("DELETE FROM attachment_wanted WHERE record_id = :r"), {"r": record_id})
        for name, ref in wanted.items():
            row = held.get(name)
            if row is not None and ref.sha256 == row.sha256 and ref.mime == row.mime:
                continue
            copied = self.db.execute(text(
                "INSERT INTO attachment (id, record_id, name, mime, sha256, size, uploaded_at, data) "
                "SELECT :i, :r, :n, :m, sha256, size, COALESCE(uploaded_at, :t), data FROM attachment "
                "WHERE sha256 = :h LIMIT 1"),
                {"i": str(uuid.uuid4()), "r": record_id, "n": name, "m": ref.mime, "h": ref.sha256, "t": self.now})
            if not copied.rowcount:
                self.db.execute(text("INSERT INTO attachment_wanted (record_id, name, mime, sha256, size) "
                                     "VALUES (:r, :n, :m, :h, :s)"),
                                {"r": record_id, "n": name, "m": ref.mime, "h": ref.sha256, "s": ref.size})
        self.drop_unwanted_parts()

    # --- the sync client's steps ---------------------------------------------------------------------------------

    def mark_uploaded(self, sha256: str) -> None:
        """The server holds the whole file (checked against its hash there)."""
        self.db.execute(text("UPDATE attachment SET uploaded_at = :t WHERE sha256 = :h AND uploaded_at IS NULL"),
                        {"t": self.now, "h": sha256})

    def ask_about_uploads_again(self) -> None:
        """The server went back in time (restored from a backup): what it confirmed holding may be gone, so every
        file held here is asked about again (sync/files.py `to_upload`), in the transaction that begins the
        reconciliation (sync/store.py begin_restore): a run cut off before it asked goes on at the next run."""
        self.db.execute(text("UPDATE attachment SET uploaded_at = NULL WHERE uploaded_at IS NOT NULL"))

    def received_bytes(self, sha256: str) -> int:
        return int(self.db.execute(text("SELECT COALESCE(SUM(length(data)), 0) FROM attachment_part "
                                        "WHERE sha256 = :h"), {"h": sha256}).scalar_one())

    def receive_part(self, sha256: str, size: int, offset: int, data: bytes) -> str:
        """Keep bytes of a wanted file if they continue what is here: "partial"; "complete" once the whole file has
        arrived, matched its hash and became the attachment of every record that wants it; "mismatch" when the
        whole does not match its hash (every part is thrown away: the file is fetched again from the start)."""
        if offset != self.received_bytes(sha256):
            return "partial"
        if data:
            self.db.execute(text("INSERT INTO attachment_part (sha256, start_byte, data) VALUES (:h, :o, :d)"),
                            {"h": sha256, "o": offset, "d": data})
        if offset + len(data) < size:
            return "partial"
        digest = hashlib.sha256()
        whole = bytearray()
        for (part,) in self.db.execute(text("SELECT data FROM attachment_part WHERE sha256 = :h ORDER BY start_byte"),
                                       {"h": sha256}).all():
            digest.update(part)
            whole += part
        self.db.execute(text("DELETE FROM attachment_part WHERE sha256 = :h"), {"h": sha256})
        if digest.hexdigest() != sha256 or len(whole) != size:
            return "mismatch"
        wanting = self.db.execute(text("SELECT record_id, name, mime FROM attachment_wanted WHERE sha256 = :h"),
                                  {"h": sha256}).all()
        rows: list[dict[str, Any]] = [
            {"i": str(uuid.uuid4()), "r": row.record_id, "n": row.name, "m": row.mime, "h": sha256, "s": size,
             "t": self.now, "d": bytes(whole)} for row in wanting]
        if rows:
            self.db.execute(text("INSERT INTO attachment (id, record_id, name, mime, sha256, size, uploaded_at, data) "
                                 "VALUES (:i, :r, :n, :m, :h, :s, :t, :d)"), rows)
            for row in wanting:
                self._holds_files(row.record_id)
        self.db.execute(text("DELETE FROM attachment_wanted WHERE sha256 = :h"), {"h": sha256})
        return "complete"


def incomplete_records(db: Any, record_ids: Sequence[str] | None = None) -> set[str]:
    """Records that name files this laptop does not hold yet (read-only helper for lists and status)."""
    if record_ids is None:
        return {row[0] for row in db.execute(text("SELECT DISTINCT record_id FROM attachment_wanted")).all()}
    found: set[str] = set()
    for part in chunks(list(record_ids)):
        marks, params = in_json(part)
        found.update(row[0] for row in db.execute(text(
            f"SELECT DISTINCT record_id FROM attachment_wanted WHERE record_id IN ({marks})"), params).all())
    return found
