"""Importing USB batch files (waypoint_core/protocol/batchfile.py): `admin import-batch FILE...` and the upload
endpoint a coordinator's machine forwards them to.

A batch file is opened with the batch key it names (current or kept since a rotation), its device signature checked
against the enrolled device, then its payload, the very bytes of an online push, goes through `push.push`: the same
transaction, the same high-water mark. So a file imported twice, a batch also sent online, or an export that repeats
ops the server already holds are applied once. Each file gets a receipt sealed to the laptop that wrote it: the push
results, the pages of changes it should receive from its cursor, the published forms it lacks, the server's key
history. Every refusal changes nothing and has its own code and sentence.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from waypoint_core.protocol import (
    CHUNK_BYTES, FILES_FIELD, PROTOCOL_VERSION, PULL_PAGE_MAX, b64decode, now_ms, parse_cursor, parse_manifest,
)
from waypoint_core.protocol.batchfile import BatchContent, BatchRefused, open_batch, seal_receipt

from . import blobs as blobs_module
from . import epochs
from .auth import AuthenticatedDevice
from .db import Database, utcnow
from .errors import ProtocolError
from .keys import ServerKeyring, find_key, key_history
from .pull import pull_page
from .push import PushRules, PushStats, push
from .tables import BatchImport, Blob, Centre, Device, FormVersion

RETURN_BYTES = 16 * 1024 * 1024  # changes carried back per receipt; the rest comes with the next batch
RETURN_FILE_BYTES = 24 * 1024 * 1024  # files (photos, scans) of those changes carried back per receipt


@dataclass
class ImportOutcome:
    """What the courier shows for one file: accepted, already_imported, conflicts or rejected (with the reason)."""

    status: str
    message: str
    reason: str | None = None  # the refusal's code
    cause: str | None = None  # a particular case of it (BatchRefused.cause), in the answer only when there is one
    device_id: str | None = None
    centre: str | None = None
    batch_id: str | None = None
    part: int | None = None
    parts: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    receipt: bytes | None = None

    def as_json(self) -> dict[str, Any]:
        answer = {"status": self.status, "message": self.message, "reason": self.reason, "device_id": self.device_id,
                  "centre": self.centre, "batch_id": self.batch_id, "part": self.part, "parts": self.parts,
                  "counts": self.counts}
        if self.cause:
            answer["cause"] = self.cause
        return answer


class BatchImporter:
    """Imports batch files into one server: its database, its keys folder (old batch keys) and its keyring."""

    def __init__(self, db: Database, keyring: ServerKeyring, keys_dir: Path, rules: PushRules, *,
                 data_dir: Path | None = None, page_bytes: int = 4 * 1024 * 1024) -> None:
        self.db, self.keyring, self.keys_dir, self.rules = db, keyring, keys_dir, rules
        self.data_dir, self.page_bytes = data_dir, page_bytes

    def _batch_key(self, kid: str) -> X25519PrivateKey | None:
        public = self.keyring.public
        if kid == public.batch_key_id:
            return self.keyring.batch_private
        found = find_key(self.keys_dir, "batch", kid) if len(kid) == 16 and kid.isalnum() else None
        return found if isinstance(found, X25519PrivateKey) else None

    def _device(self, device_id: str) -> Any:
        with self.db.read_engine.connect() as conn:
            return conn.execute(select(Device.id, Device.centre_id, Device.public_key, Device.revoked_at,
                                       Device.high_water_mark, Device.served_cursor, Centre.name)
                                .join(Centre, Centre.id == Device.centre_id).where(Device.id == device_id)).first()

    def import_file(self, data: bytes, *, via: str) -> ImportOutcome:
        try:
            content = open_batch(data, batch_key=self._batch_key,
                                 device_key=lambda d: (row.public_key if (row := self._device(d)) else None))
        except BatchRefused as refused:
            return ImportOutcome("rejected", str(refused), reason=refused.code)
        header = content.header
        outcome = ImportOutcome("rejected", "", device_id=header["device_id"], batch_id=header["batch_id"],
                                part=header["part"], parts=header["parts"])
        try:
            self._import(content, data, outcome, via)
        except BatchRefused as refused:
            outcome.status, outcome.message, outcome.reason, outcome.receipt = "rejected", str(refused), refused.code, None
            outcome.cause = refused.cause
        return outcome

    def _import(self, content: BatchContent, data: bytes, outcome: ImportOutcome, via: str) -> None:
        row = self._device(content.header["device_id"])
        outcome.centre = row.name
        if row.revoked_at is not None:
            raise BatchRefused("revoked", "this laptop has been revoked: its batches are no longer taken")
        inner, part, parts = content.inner, content.header["part"], content.header["parts"]
        _check_inner(inner)
        file_hash = hashlib.sha256(data).hexdigest()
        seen = self._seen(content.header["batch_id"], part)
        stats, response = PushStats(), None
        if content.payload:
            device = AuthenticatedDevice(row.id, row.centre_id, row.high_water_mark, row.served_cursor)
            try:
                # `codes`: the laptop asked for each rejection's code and values in its receipt (inner header)
                response, stats = push(self.db, device, content.payload, self.rules, codes=inner.get("codes") is True)
            except ProtocolError as refusal:
                raise self._refusal(refusal, inner, part, parts) from None
            if stats.last_seq is not None and self.data_dir is not None:
                epochs.note_push(self.data_dir, response.epoch, stats.last_seq)
        device = AuthenticatedDevice(row.id, row.centre_id, row.high_water_mark, row.served_cursor)
        blobs = self._receive_chunks(device, content.chunks)
        ops = len(response.results) if response else 0
        if stats.replayed or (seen is not None and stats.applied + stats.merged + stats.conflicts
                              + stats.rejected == 0) or (not ops and blobs and all(b["was_complete"] for b in blobs)):
            outcome.status, outcome.message = "already_imported", "already imported: nothing changed"
        elif stats.conflicts:
            outcome.status = "conflicts"
            outcome.message = f"imported; {stats.conflicts} change(s) conflict with other devices' and wait for review"
        else:
            outcome.status, outcome.message = "accepted", f"imported {ops} operation(s)"
        outcome.counts = {"ops": ops, "applied": stats.applied, "merged": stats.merged,
                          "conflicts": stats.conflicts, "rejected": stats.rejected,
                          "files": sum(1 for b in blobs if b["complete"])}
        if seen is None:
            self._note(content, file_hash, outcome.status, ops, via)
        outcome.receipt = self._receipt(content, row, outcome, response, blobs)

    def _refusal(self, refusal: ProtocolError, inner: dict[str, Any], part: int, parts: int) -> BatchRefused:
        code, expected = refusal.body.error, refusal.body.expected_seq
        if code == "sequence_gap" and part > 1:
            return BatchRefused("part_missing", f"part {part - 1} of {parts} of this export has not been imported: "
                                "import every part of the export, in order")
        if code == "sequence_gap" and self._restored_since(inner):
            # No older file is missing: the server was restored from a backup and lost operations this laptop sent
            # (by stick or online) after that backup; its exports carry only what it has not seen acknowledged.
            return BatchRefused("reordered", f"this server was restored from a backup since this laptop's last "
                                f"receipt, and lost its operations {expected} to {inner.get('seq_from', 0) - 1}, "
                                "which had been imported before the restore. Import again the laptop's batch files "
                                "that carried them if you still have them (they go in as new), then this one; or "
                                "have the laptop sync online once, which sends again what the server lost. Nothing "
                                "was changed", cause="restored")
        if code == "sequence_gap":
            return BatchRefused("reordered", f"an earlier batch from this laptop has not been imported yet (the server "
                                f"expects operation {expected}, this file starts at {inner.get('seq_from')}): "
                                "import the older batch first")
        return BatchRefused(code, str(refusal))

    def _restored_since(self, inner: dict[str, Any]) -> bool:
        """The laptop's cursor (from its last receipt) names an epoch before the current one: a restore since."""
        try:
            cursor = parse_cursor(str(inner.get("cursor") or ""))
        except ValueError:
            return False
        with self.db.read_engine.connect() as conn:
            return cursor is not None and cursor[0] != epochs.current(conn)

    def _seen(self, batch_id: str, part: int) -> Any:
        with self.db.read_engine.connect() as conn:
            return conn.execute(select(BatchImport.status).where(BatchImport.batch_id == batch_id,
                                                                 BatchImport.part == part)).first()

    def _note(self, content: BatchContent, file_hash: str, status: str, ops: int, via: str) -> None:
        header = content.header
        try:
            with self.db.write_engine.begin() as conn:
                conn.execute(BatchImport.__table__.insert().values(
                    batch_id=header["batch_id"], part=header["part"], parts=header["parts"],
                    device_id=header["device_id"], file_sha256=file_hash, status=status, ops=ops, via=via[:64],
                    imported_at=utcnow()))
        except IntegrityError:
            pass  # imported at the same moment through another path: the first note stays

    def _receive_chunks(self, device: AuthenticatedDevice, chunks: tuple[bytes, ...]) -> list[dict[str, Any]]:
        """Attachment chunks, through the online upload's code (appended only where the blob has reached, checked
        against its hash when whole), all of one file in one transaction (a commit per photo would time the disk).
        Returns each blob's status once its chunks are in."""
        b = Blob.__table__
        before: dict[str, bool] = {}
        status: dict[str, dict[str, Any]] = {}
        if not chunks:
            return []
        with self.db.write_engine.begin() as conn:
            blobs_module.sweep_orphans(conn, device.centre_id)
            for body in chunks:
                sha = None
                try:
                    chunk = blobs_module.parse_chunk(body)
                    sha = chunk.sha256
                    if sha not in before:
                        before[sha] = bool(conn.execute(select(b.c.complete).where(
                            b.c.centre_id == device.centre_id, b.c.sha256 == sha)).scalar())
                    answer, mismatch = blobs_module.receive_chunk_in(conn, device.centre_id, chunk,
                                                                     self.rules.data_key, device_id=device.id,
                                                                     sweep=False)
                    status[sha] = {**answer.model_dump(mode="json"), "was_complete": before[sha]}
                    if mismatch:
                        status[sha]["error"] = "hash_mismatch"
                except ProtocolError as refused:  # one bad file never holds back the records or other files
                    if sha is None:
                        try:
                            sha = json.loads(body).get("sha256")
                        except (ValueError, AttributeError):
                            sha = None
                    if isinstance(sha, str):
                        status[sha] = {"sha256": sha, "size": None, "received": 0, "complete": False,
                                       "was_complete": False, "error": refused.body.error}
        return list(status.values())

    def _return_chunks(self, row: Any, pages: list[dict[str, Any]], budget: int) -> list[dict[str, Any]]:
        """The files that the pages' changes from other devices name, whole, within the budget (the rest comes with
        the next receipt: the laptop still wants them)."""
        wanted: dict[str, int] = {}
        for page in pages:
            for change in page["changes"]:
                if change.get("origin_device_id") == row.id or change.get("deleted"):
                    continue
                try:
                    for ref in parse_manifest((change.get("fields") or {}).get(FILES_FIELD)):
                        wanted.setdefault(ref.sha256, ref.size)
                except ValueError:
                    continue
        device = AuthenticatedDevice(row.id, row.centre_id, row.high_water_mark, row.served_cursor)
        out: list[dict[str, Any]] = []
        used = 0
        for sha256, size in sorted(wanted.items()):
            if used + size > budget:
                continue
            parts, offset = [], 0
            try:
                while offset < size or (size == 0 and not parts):
                    chunk = blobs_module.read_chunk(self.db, device, sha256, offset, CHUNK_BYTES, self.rules.data_key)
                    parts.append(chunk.model_dump(mode="json"))
                    offset += len(chunk.raw())
                    if size == 0:
                        break
            except ProtocolError:
                continue  # not on the server (yet): the laptop shows the record incomplete until a later receipt
            out.extend(parts)
            used += size
        return out

    def _receipt(self, content: BatchContent, row: Any, outcome: ImportOutcome, response: Any,
                 blobs: list[dict[str, Any]]) -> bytes:
        inner = content.inner
        # What the laptop should receive travels once per export, with its last part (the others acknowledge).
        last = content.header["part"] == content.header["parts"]
        pages, restarted = (self._pages(row, str(inner.get("cursor") or ""), decisions=inner.get("decisions") is True,
                                        centres=inner.get("centres") is True)
                            if last else ([], False))
        have = {(f[0], f[1]) for f in inner.get("forms") or [] if isinstance(f, list) and len(f) == 2}
        receipt = {"format": "waypoint-receipt/1", "protocol_version": PROTOCOL_VERSION,
                   "device_id": row.id, "batch_id": content.header["batch_id"], "part": content.header["part"],
                   "parts": content.header["parts"], "status": outcome.status, "message": outcome.message,
                   "issued_at": now_ms(), "push": response.as_json() if response else None,
                   "pages": pages, "cursor_restarted": restarted, "forms": self._forms(have) if last else [],
                   "blobs": [{k: v for k, v in b.items() if k != "was_complete"} for b in blobs],
                   "chunks": self._return_chunks(row, pages, RETURN_FILE_BYTES) if last else [],
                   "keys": key_history(self.db, self.keyring.public).model_dump(mode="json")}
        return seal_receipt(receipt, signing_key=self.keyring.signing, return_key=str(inner["return_key"]))

    def _pages(self, row: Any, cursor: str, *, decisions: bool = False,
               centres: bool = False) -> tuple[list[dict[str, Any]], bool]:
        """The pages of changes for this laptop from its cursor, as online pull serves them, within a budget. A
        cursor of an older epoch (the server was restored) starts again from the beginning. `decisions`: the laptop
        asked for them in its batch (inner header `decisions`, the USB `decisions=1`): each page names the
        conflicts on its ops a reviewer decided (review.decided_for), as online; `centres` (inner header `centres`):
        each change names its record's centre, as online with `centres=1`."""
        pages: list[dict[str, Any]] = []
        restarted, total = False, 0
        while total < RETURN_BYTES:
            fresh = self._device(row.id)
            device = AuthenticatedDevice(fresh.id, fresh.centre_id, fresh.high_water_mark, fresh.served_cursor)
            try:
                body = pull_page(self.db, device=device, cursor=cursor, limit=PULL_PAGE_MAX,
                                 page_bytes=self.page_bytes, key=self.rules.data_key, decisions=decisions,
                                 centres=centres)
            except ProtocolError:
                if restarted or cursor == "":
                    break
                cursor, restarted = "", True
                continue
            page = json.loads(body)
            pages.append(page)
            total += len(body)
            if not page["has_more"]:
                break
            cursor = page["next_cursor"]
        return pages, restarted

    def _forms(self, have: set[tuple[str, str]]) -> list[dict[str, Any]]:
        t = FormVersion.__table__
        with self.db.read_engine.connect() as conn:
            rows = conn.execute(select(t.c.form_id, t.c.version, t.c.title, t.c.sha256, t.c.xform, t.c.signature)
                                .order_by(t.c.form_id, t.c.version)).all()
        return [{"form_id": r.form_id, "version": r.version, "title": r.title, "sha256": r.sha256, "xform": r.xform,
                 "signature": r.signature} for r in rows if (r.form_id, r.version) not in have]


def _check_inner(inner: dict[str, Any]) -> None:
    """What the receipt needs from the inner header, checked before anything is applied (it is signed by the
    laptop, but a broken laptop must not get its ops applied and then no receipt)."""
    try:
        X25519PublicKey.from_public_bytes(b64decode(str(inner.get("return_key"))))
        ok = isinstance(inner.get("cursor"), str) and isinstance(inner.get("forms"), list)
    except (ValueError, TypeError):
        ok = False
    if not ok:
        raise BatchRefused("tampered", "the batch's inner header is incomplete: export it again on the laptop")


def list_imports(db: Database) -> list[dict[str, Any]]:
    t = BatchImport.__table__
    with db.read_engine.connect() as conn:
        rows = conn.execute(select(t).order_by(t.c.imported_at)).all()
    return [dict(r._mapping) for r in rows]
