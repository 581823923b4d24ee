"""USB batches on the laptop: export the outbox as batch files, and take the server's receipts back.

The ops in a batch file are frozen by the same code as an online push (store._freeze: device_seq, wire op, in one
transaction) and the file carries the same `PushBatch` bytes, so a laptop that exports a batch and later syncs online
(or the other way round) never sends anything twice: the server applies each device_seq once, and an
acknowledgement from either path is stored by store.store_push_answer, the online code. An export repeats every
frozen op not yet acknowledged (a stick may be lost); the server answers repeats with their stored results.

A receipt file is opened with the one-time X25519 key this laptop put in the batch (kept in the encrypted vault),
its signature checked against the pinned server key (or a key reached by the rotation chain it carries), then:
the push results are stored as an online answer would be, the pages of changes are applied as pulled pages (their
cursor, the same transaction rules; the export asks for the reviewers' decisions on this laptop's conflicts, as an
online pull does with decisions=1, so a decided conflict closes here too), and new published forms are installed
through the services' callback.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from pydantic import ValidationError

from desktop_app.sync import errors, files, store
from desktop_app.sync.transport import check_page
from desktop_app.vault import Vault
from desktop_app.vault.sql import Db, text
from desktop_app.vault.writer import sent_wires, write
from waypoint_core.protocol import (
    MAX_OPS_PER_BATCH, BlobChunk, KeyHistory, Op, PublishedForm, PullPage, PushBatch, PushResponse, ServerKeys, b64decode,
    b64encode, chunks_of, key_id, parse_cursor,
)
from waypoint_core.protocol.batchfile import (
    BATCH_SUFFIX, DEFAULT_LIFETIME_S, BatchRefused, new_file_name, open_receipt, seal_batch, write_durably,
    x25519_public_b64,
)

RETURN_KEY_PREFIX = "return_key:"
MAX_FILE_PART_BYTES = 5 * 1024 * 1024  # chunks per batch file (base64 JSON): the upload limit is 8 MiB


@dataclass
class ExportSummary:
    batch_id: str
    files: list[str] = field(default_factory=list)
    ops: int = 0
    bytes: int = 0
    seq_from: int | None = None
    seq_to: int | None = None
    file_chunks: int = 0

    def as_json(self) -> dict:
        return asdict(self)


@dataclass
class ReceiptSummary:
    status: str  # the server's status for the batch (accepted, already_imported, conflicts)
    acknowledged: int = 0
    rejected: int = 0
    conflicts: int = 0
    pulled: int = 0
    decided: int = 0  # this laptop's conflicts closed by a reviewer's decision the returned pages named
    forms_installed: list[str] = field(default_factory=list)
    forms_refused: list[str] = field(default_factory=list)
    rejected_messages: list[str] = field(default_factory=list)
    files_sent: int = 0  # files the server now holds whole
    files_received: int = 0  # files of colleagues' records that arrived with the receipt

    def as_json(self) -> dict:
        return asdict(self)


# --- export ------------------------------------------------------------------------------------------------------


def _freeze_all(vault: Vault) -> None:
    """Every op of the outbox gets its device_seq and wire op (the online push's freezing), in one transaction."""
    with write(vault) as w:
        while store._freeze(w, MAX_OPS_PER_BATCH):
            pass


def _unacknowledged(vault: Vault) -> list[tuple[int, str]]:
    """(device_seq, wire op as sent) of every op frozen and not acknowledged (one kept as its registration put back:
    writer/bases.py)."""
    with vault.session(readonly=True) as session:
        conn = Db.of(session)
        rows = conn.execute(text(f"SELECT seq, record_id, device_seq, wire, wire_sha256 FROM outbox {store.IN_FLIGHT} "
                                 "AND wire IS NOT NULL ORDER BY device_seq")).all()
        wires = sent_wires(conn, rows)
        return [(row.device_seq, wires[row.seq]) for row in rows]


def _parts(rows: list[tuple[int, str]], max_ops: int = MAX_OPS_PER_BATCH) -> list[list[Op]]:
    """Gap-free runs of at most MAX_OPS_PER_BATCH ops and MAX_BATCH_BYTES: one PushBatch, one file each."""
    parts: list[list[Op]] = []
    size = 0
    for device_seq, wire in rows:
        current = parts[-1] if parts else None
        if (current is None or len(current) >= max_ops or size + len(wire) > store.MAX_BATCH_BYTES
                or device_seq != current[-1].device_seq + 1):
            parts.append([])
            size = 0
        parts[-1].append(Op.model_validate_json(wire))
        size += len(wire)
    return parts


def _file_parts(vault: Vault) -> list[list[bytes]]:
    """The files (photos, scans, audit logs) the server has not confirmed holding, as the chunks online upload
    sends (files.to_upload: every file of a record not yet acknowledged, or not yet confirmed), a few per file so
    that each batch file stays well inside the server's upload limit."""
    parts: list[list[bytes]] = []
    size = 0
    for sha256, data in files.read_files(vault, [sha256 for sha256, _size in files.to_upload(vault)]):
        for chunk in chunks_of(data, sha256=sha256):
            body = chunk.body()
            if not parts or size + len(body) > MAX_FILE_PART_BYTES:
                parts.append([])
                size = 0
            parts[-1].append(body)
            size += len(body)
    return parts


def _new_return_key(vault: Vault) -> X25519PrivateKey:
    key = X25519PrivateKey.generate()
    with vault.session() as session:
        store._put(Db.of(session), RETURN_KEY_PREFIX + key_id(x25519_public_b64(key)),
                   b64encode(key.private_bytes_raw()))
    return key


def _return_key(vault: Vault, kid: str) -> X25519PrivateKey | None:
    with vault.session(readonly=True) as session:
        raw = store._get(Db.of(session), RETURN_KEY_PREFIX + kid)
    return X25519PrivateKey.from_private_bytes(b64decode(raw)) if raw else None


def export_batches(vault: Vault, *, out_dir: Path, forms: list[list[str]],
                   progress: Callable[[int, int], None] | None = None, lifetime_s: int = DEFAULT_LIFETIME_S,
                   now: int | None = None, max_ops: int = MAX_OPS_PER_BATCH) -> ExportSummary:
    """Write the outbox as batch files into `out_dir` (a stick): every op not yet acknowledged, in parts. With
    nothing to send, one file still goes: it asks the server for this laptop's changes and forms."""
    credentials = store.load_credentials(vault)
    keys = credentials.server_keys
    if not keys.get("batch_key"):
        raise errors.NotEnrolled()
    _freeze_all(vault)
    parts = _parts(_unacknowledged(vault), max(1, min(max_ops, MAX_OPS_PER_BATCH)))
    file_parts = _file_parts(vault)
    cursor = store.cursor(vault)
    summary = ExportSummary(batch_id=str(uuid.uuid4()))
    return_key = _new_return_key(vault)
    count = max(1, len(parts) + len(file_parts))
    for index in range(count):
        ops = parts[index] if index < len(parts) else []
        chunks = file_parts[index - len(parts)] if index >= len(parts) and file_parts else []
        payload = PushBatch.of(device_id=credentials.device_id, ops=ops).body() if ops else b""
        data = seal_batch(payload=payload, device_id=credentials.device_id, device_key=credentials.device_key,
                          server_batch_key=keys["batch_key"], batch_id=summary.batch_id, part=index + 1,
                          parts=count, seq_from=ops[0].device_seq if ops else None,
                          seq_to=ops[-1].device_seq if ops else None, cursor=cursor, forms=forms,
                          return_key=return_key, now=now, lifetime_s=lifetime_s, chunks=chunks, decisions=True,
                          centres=True, codes=True)
        path = write_durably(out_dir, new_file_name(BATCH_SUFFIX), data)
        summary.files.append(str(path))
        summary.ops += len(ops)
        summary.file_chunks += len(chunks)
        summary.bytes += len(data)
        if ops:
            summary.seq_from = summary.seq_from or ops[0].device_seq
            summary.seq_to = ops[-1].device_seq
        if progress is not None:
            progress(index + 1, count)
    return summary


# --- receipts ----------------------------------------------------------------------------------------------------


def _verified_keys(vault: Vault, credentials: store.Credentials, opened: Any) -> None:
    """The receipt is signed by the pinned server key, or by one reached from it through signed rotations (then
    pinned, as online)."""
    pinned = ServerKeys.model_validate(credentials.server_keys)
    if opened.signer_key_id == pinned.signing_key_id and opened.verify(pinned.signing_key):
        return
    try:
        history = KeyHistory.model_validate(opened.receipt.get("keys"))
    except ValidationError:
        history = None
    current = history.follow(pinned) if history is not None else None
    if current is None or current.signing_key_id != opened.signer_key_id or not opened.verify(current.signing_key):
        raise BatchRefused("bad_signature", "this receipt is not signed by the server this laptop is enrolled with")
    store.pin_rotated_keys(vault, current)


def import_receipt(vault: Vault, data: bytes, *, installed_forms: Callable[[Vault], set[tuple[str, str]]],
                   install_form: Callable[[Vault, PublishedForm], None],
                   centre_code: store.CentreCode | None = None) -> ReceiptSummary:
    credentials = store.load_credentials(vault)
    opened = open_receipt(data, device_id=credentials.device_id, return_keys=lambda kid: _return_key(vault, kid))
    _verified_keys(vault, credentials, opened)
    receipt = opened.receipt
    summary = ReceiptSummary(status=str(receipt.get("status")))
    if receipt.get("push"):
        answer = PushResponse.model_validate(receipt["push"])
        if answer.device_id != credentials.device_id or not answer.results:
            raise BatchRefused("wrong_device", "this receipt answers another laptop's batch")
        frozen = store.FrozenBatch(batch_id=str(receipt["batch_id"]), seq_from=answer.results[0].device_seq,
                                   seq_to=answer.results[-1].device_seq, body=b"", op_count=len(answer.results))
        outcome = store.store_push_answer(vault, frozen, answer)
        summary.acknowledged, summary.rejected, summary.conflicts = (outcome.acknowledged, outcome.rejected,
                                                                     outcome.conflicts)
        summary.rejected_messages = outcome.rejected_messages[:20]
    held = [status["sha256"] for status in receipt.get("blobs") or []
            if isinstance(status, dict) and status.get("complete") and isinstance(status.get("sha256"), str)]
    if held:
        files.mark_uploaded(vault, *held)
    summary.files_sent += len(held)
    for raw in receipt.get("pages") or []:
        page = PullPage.model_validate(raw)
        check_page(page, page.since)
        if _already_have(store.cursor(vault), page):
            continue
        pulled = store.store_pull_page(vault, page, own_device_id=credentials.device_id, centre_code=centre_code)
        summary.pulled += pulled.applied + pulled.rebased + pulled.conflicts
        summary.conflicts += pulled.conflicts
        summary.decided += pulled.decided
    _store_files(vault, receipt.get("chunks") or [], summary)
    _install_forms(vault, receipt.get("forms") or [], credentials, summary, installed_forms, install_form)
    store.record_run(vault, {"via": "receipt", **summary.as_json()})
    return summary


def _store_files(vault: Vault, chunks: list[Any], summary: ReceiptSummary) -> None:
    """Colleagues' files the pulled records name, stored as downloaded chunks are (each checked against its hash
    once whole); chunks of files this laptop does not want (it has them) are skipped."""
    wanted = {item.sha256: item.received for item in files.to_download(vault)}
    for raw in chunks:
        chunk = BlobChunk.model_validate(raw)
        if chunk.sha256 not in wanted or chunk.offset != wanted[chunk.sha256] or chunk.shape_error():
            continue
        stored = files.store_chunk(vault, chunk)
        if stored.complete:
            summary.files_received += 1
            del wanted[chunk.sha256]
        elif stored.mismatch:
            del wanted[chunk.sha256]
        else:
            wanted[chunk.sha256] = stored.received


def _already_have(current: str, page: PullPage) -> bool:
    """A page this laptop already went past (it synced online, or took a later receipt, since)."""
    here, following = parse_cursor(current) if current else None, parse_cursor(page.next_cursor)
    return bool(here and following and here[0] == following[0] and following[1] <= here[1]
                and (page.since != current or not page.changes))


def _install_forms(vault: Vault, forms: list[Any], credentials: store.Credentials, summary: ReceiptSummary,
                   installed_forms: Callable[[Vault], set[tuple[str, str]]],
                   install_form: Callable[[Vault, PublishedForm], None]) -> None:
    have = installed_forms(vault)
    signing_key = store.load_credentials(vault).server_keys["signing_key"]  # after a rotation this receipt proved
    for raw in forms:
        form = PublishedForm.model_validate(raw)
        name = f"{form.form_id} {form.version}"
        if (form.form_id, form.version) in have:
            continue
        if not form.signature_valid(signing_key):
            summary.forms_refused.append(f"{name}: not signed by the pinned server key")
            continue
        try:
            install_form(vault, form)
        except (errors.SyncError, ValueError) as exc:
            summary.forms_refused.append(f"{name}: {exc}")
        else:
            summary.forms_installed.append(name)
