"""USB batch files and their receipts: the push batch that travels on a stick, signed, then sealed.

A batch file carries exactly the bytes an online push posts (`PushBatch.body()`), so the server applies it through
the same push code, under the same high-water mark: a file imported twice, or a batch also sent online, is applied
once. Layout of both kinds of file:

    MAGIC (8 bytes) | u32 header length | outer header (canonical JSON) | u64 blob length | HPKE blob

* **Batch file** (`WPBATCH1`), sealed with HPKE (X25519, HKDF-SHA256, AES-256-GCM: the suite of access/sealed.py) to
  the server's batch key. The outer header `{format, server_key_id, batch_id, part, parts, device_id, created_at,
  expires_at}`
  is in clear (a courier groups parts and writes receipts back per laptop without opening anything) and bound
  through HPKE `info`: changing a byte of it makes the blob fail to open. Inside: `u32 length | inner header |
  payload | Ed25519 signature`, the device's signature over `DOMAIN_BATCH_FILE || outer || inner || payload`
  (sign, then seal: whoever holds the stick reads nothing and forges nothing; the signature covers the server key
  id, so a batch cannot be sent on to another server). The inner header names the payload's hash and seq range,
  the laptop's pull cursor, the forms it holds and a one-time X25519 key of the laptop to seal the answer to; with
  `decisions: true`, the laptop takes the reviewers' decisions on its conflicts in the returned pages (the USB
  `decisions=1`; an older server ignores it); with `centres: true`, each change of the returned pages names its
  record's centre (`Change.centre_id`, `centre_name`; the online `centres=1`; an older server ignores it); with
  `codes: true`, the receipt's push results carry each rejection's code and values (`OpResult.code`, `code_values`;
  the online `codes=1`; an older server ignores it, and the laptop reads the sentence).
* **Receipt file** (`WPRCPT01`), sealed to that laptop key, holds the server's signed receipt: the push results
  (what an online push answers), pull pages from the laptop's cursor and the published forms it lacks, and the
  server's key history (a laptop that never goes online still follows a key rotation).

Every refusal is a `BatchRefused` with a stable code and a sentence; none quotes the content.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from ..access.sealed import SUITE  # the one HPKE suite of the project: X25519, HKDF-SHA256, AES-256-GCM
from .signing import SigningKey, b64decode, b64encode, canonical_json, key_id, sha256_hex

MAGIC_BATCH = b"WPBATCH1"
MAGIC_RECEIPT = b"WPRCPT01"
FORMAT_BATCH = "waypoint-batch/1"
FORMAT_RECEIPT = "waypoint-receipt/1"
DOMAIN_BATCH_FILE = b"waypoint/batch-file/v1\x00"
DOMAIN_BATCH_INFO = b"waypoint/batch-file/info/v1\x00"
DOMAIN_RECEIPT = b"waypoint/batch-receipt/v1\x00"
DOMAIN_RECEIPT_INFO = b"waypoint/batch-receipt/info/v1\x00"
BATCH_SUFFIX = ".wpbatch"
RECEIPT_SUFFIX = ".wpreceipt"
MAX_HEADER_BYTES = 4096
MAX_FILE_BYTES = 64 * 1024 * 1024
DEFAULT_LIFETIME_S = 60 * 24 * 3600  # a stick may take weeks; after two months the batch is refused as stale


class BatchRefused(Exception):
    """A batch or receipt file that is not taken. `code` is stable (tests, the courier's table), `str()` a sentence.
    `cause` names a particular case of a code, for the words a courier shows (`restored`: a `reordered` file whose
    older operations the server lost in a restore, not a file that came early); a courier that does not know it acts
    on `code`, as before."""

    def __init__(self, code: str, message: str, *, cause: str | None = None) -> None:
        super().__init__(message)
        self.code, self.cause = code, cause


def x25519_public_b64(key: X25519PrivateKey | X25519PublicKey) -> str:
    public = key.public_key() if isinstance(key, X25519PrivateKey) else key
    return b64encode(public.public_bytes_raw())


# --- framing -------------------------------------------------------------------------------------------------------


def _frame(magic: bytes, header: dict[str, Any], blob: bytes) -> bytes:
    head = canonical_json(header)
    return magic + struct.pack(">I", len(head)) + head + struct.pack(">Q", len(blob)) + blob


def read_header(data: bytes, *, magic: bytes = MAGIC_BATCH) -> tuple[dict[str, Any], bytes, bytes]:
    """(outer header, its exact bytes, the sealed blob) of a file; BatchRefused when it is not one or is cut short."""
    kind = "batch" if magic == MAGIC_BATCH else "receipt"
    if len(data) < len(magic) or data[:len(magic)] != magic:
        if len(data) < len(magic) and magic.startswith(data):
            raise BatchRefused("truncated", f"the {kind} file is truncated (it stops before its header)")
        raise BatchRefused("not_a_batch", f"not a Waypoint {kind} file")
    pos = len(magic)
    if len(data) < pos + 4:
        raise BatchRefused("truncated", f"the {kind} file is truncated (it stops before its header)")
    (head_len,) = struct.unpack(">I", data[pos:pos + 4])
    if head_len > MAX_HEADER_BYTES:
        raise BatchRefused("tampered", f"the {kind} file's header is damaged")
    pos += 4
    if len(data) < pos + head_len + 8:
        raise BatchRefused("truncated", f"the {kind} file is truncated (it stops inside its header)")
    head = data[pos:pos + head_len]
    try:
        header = json.loads(head)
    except (ValueError, UnicodeDecodeError):
        raise BatchRefused("tampered", f"the {kind} file's header is damaged") from None
    if not isinstance(header, dict) or canonical_json(header) != head:
        raise BatchRefused("tampered", f"the {kind} file's header is damaged")
    pos += head_len
    (blob_len,) = struct.unpack(">Q", data[pos:pos + 8])
    pos += 8
    if len(data) < pos + blob_len:
        raise BatchRefused("truncated", f"the {kind} file is truncated: {len(data) - pos:,} of {blob_len:,} bytes "
                           "of its content are there (copy it again from the laptop)")
    if len(data) > pos + blob_len:
        raise BatchRefused("tampered", f"the {kind} file has bytes after its end")
    return header, head, data[pos:]


def _info(domain: bytes, head: bytes) -> bytes:
    return domain + hashlib.sha256(head).digest()


# --- batch files ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchContent:
    """What the server finds in a batch file once it is opened and its signature checked."""

    header: dict[str, Any]  # outer
    inner: dict[str, Any]
    payload: bytes  # a PushBatch's bytes, or b"" (a laptop with nothing to send asks for its changes)
    server_key_id: str
    chunks: tuple[bytes, ...] = ()  # attachment chunks (BlobChunk bodies), in the order they were written


def seal_batch(*, payload: bytes, device_id: str, device_key: SigningKey, server_batch_key: str, batch_id: str,
               part: int, parts: int, seq_from: int | None, seq_to: int | None, cursor: str,
               forms: list[list[str]], return_key: X25519PrivateKey, now: int | None = None,
               lifetime_s: int = DEFAULT_LIFETIME_S, chunks: list[bytes] | tuple[bytes, ...] = (),
               decisions: bool = False, centres: bool = False, codes: bool = False) -> bytes:
    """One batch file's bytes: signed by the device, sealed to the server's batch key (base64 X25519). `chunks`:
    attachment chunks (BlobChunk bodies, protocol/attachments.py) travelling beside the push batch. `decisions`:
    the returned pull pages may name the reviewers' decisions on this laptop's conflicts (`PullPage.decided`);
    `centres`: each of their changes names its record's centre (`Change.centre_id`, `centre_name`); `codes`: each
    rejected op's result carries its refusal code and values (`OpResult.code`, `code_values`)."""
    section = b"".join(struct.pack(">I", len(c)) + c for c in chunks)
    created = int(time.time()) if now is None else now
    outer = {"format": FORMAT_BATCH, "server_key_id": key_id(server_batch_key), "batch_id": batch_id, "part": part,
             "parts": parts, "device_id": device_id, "created_at": created,
             "expires_at": created + lifetime_s}
    inner = {"device_id": device_id, "batch_id": batch_id, "part": part, "parts": parts, "seq_from": seq_from,
             "seq_to": seq_to, "payload_sha256": sha256_hex(payload), "payload_bytes": len(payload),
             "created_at": created, "cursor": cursor, "forms": forms, "return_key": x25519_public_b64(return_key)}
    if chunks:
        inner.update(chunks=len(chunks), chunks_sha256=sha256_hex(section))
    if decisions:
        inner["decisions"] = True
    if centres:
        inner["centres"] = True
    if codes:
        inner["codes"] = True
    head, inner_bytes = canonical_json(outer), canonical_json(inner)
    signature = device_key.private_key.sign(DOMAIN_BATCH_FILE + head + inner_bytes + payload + section)
    plain = struct.pack(">I", len(inner_bytes)) + inner_bytes + payload + section + signature
    recipient = X25519PublicKey.from_public_bytes(b64decode(server_batch_key))
    return _frame(MAGIC_BATCH, outer, SUITE.encrypt(plain, recipient, info=_info(DOMAIN_BATCH_INFO, head)))


def open_batch(data: bytes, *, batch_key: Callable[[str], X25519PrivateKey | None],
               device_key: Callable[[str], str | None], now: int | None = None) -> BatchContent:
    """Open and check a batch file: `batch_key(key id)` gives the server's private batch key if it has (had) it,
    `device_key(device id)` the device's registered public key (base64 Ed25519) or None."""
    header, head, blob = read_header(data, magic=MAGIC_BATCH)
    if header.get("format") != FORMAT_BATCH:
        raise BatchRefused("unsupported", f"batch format {str(header.get('format'))[:40]!r} is not supported here")
    kid = str(header.get("server_key_id", ""))
    private = batch_key(kid)
    if private is None:
        named = kid[:16] if kid.isalnum() else "?"  # the clear header's key id, echoed only when it is one
        raise BatchRefused("retargeted", f"this batch was sealed for another server (its key {named} is not one "
                           "of ours): give it to the server the laptop is enrolled with. If this server's keys were "
                           "replaced (`admin init --new-keys`) or its keys/ folder lost an old batch key, enrol the "
                           "laptop again and export again: it keeps its records and unsent changes")
    try:
        plain = SUITE.decrypt(blob, private, info=_info(DOMAIN_BATCH_INFO, head))
    except (InvalidTag, ValueError):
        raise BatchRefused("tampered", "the batch file was changed after it was written (it does not open): "
                           "copy it again from the laptop") from None
    # Anyone may seal to the server's public key: until the signature is checked, the content is read defensively.
    inner_len = struct.unpack(">I", plain[:4])[0] if len(plain) >= 4 else -1
    if inner_len < 0 or len(plain) < 4 + inner_len + 64:
        raise BatchRefused("wrong_device", "this batch is not signed by the laptop it names")
    inner_bytes = plain[4:4 + inner_len]
    rest, signature = plain[4 + inner_len:-64], plain[-64:]
    expires = header.get("expires_at")
    if not isinstance(expires, int) or expires < (int(time.time()) if now is None else now):
        raise BatchRefused("expired", "this batch file has expired: export a new one on the laptop")
    device_id = str(header.get("device_id", ""))
    public = device_key(device_id)
    if public is None:
        raise BatchRefused("unknown_device", "this batch comes from a laptop this server does not know")
    try:
        Ed25519PublicKey.from_public_bytes(b64decode(public)).verify(
            signature, DOMAIN_BATCH_FILE + head + inner_bytes + rest)
    except (InvalidSignature, ValueError):
        raise BatchRefused("wrong_device", "this batch is not signed by the laptop it names") from None
    inner = json.loads(inner_bytes)
    size = inner.get("payload_bytes")
    payload, section = (rest[:size], rest[size:]) if isinstance(size, int) and 0 <= size <= len(rest) else (b"", b"-")
    same = all(inner.get(k) == header.get(k) for k in ("device_id", "batch_id", "part", "parts"))
    if not same or inner.get("payload_sha256") != sha256_hex(payload) or (
            section and inner.get("chunks_sha256") != sha256_hex(section)):
        raise BatchRefused("tampered", "the batch's inner header does not match its outside")
    chunks, at = [], 0
    while at < len(section):
        (length,) = struct.unpack(">I", section[at:at + 4])
        chunks.append(section[at + 4:at + 4 + length])
        at += 4 + length
    return BatchContent(header=header, inner=inner, payload=payload, server_key_id=kid, chunks=tuple(chunks))


# --- receipts ------------------------------------------------------------------------------------------------------


def seal_receipt(receipt: dict[str, Any], *, signing_key: SigningKey, return_key: str) -> bytes:
    """The server's receipt (a JSON object naming device_id, batch_id, part, parts), signed, sealed to the laptop."""
    outer = {"format": FORMAT_RECEIPT, "device_id": receipt["device_id"], "batch_id": receipt["batch_id"],
             "part": receipt["part"], "parts": receipt["parts"], "return_key_id": key_id(return_key)}
    head, body = canonical_json(outer), canonical_json(receipt)
    signature = signing_key.private_key.sign(DOMAIN_RECEIPT + head + body)
    plain = struct.pack(">I", len(body)) + body + signature + signing_key.key_id.encode("ascii")
    recipient = X25519PublicKey.from_public_bytes(b64decode(return_key))
    return _frame(MAGIC_RECEIPT, outer, SUITE.encrypt(plain, recipient, info=_info(DOMAIN_RECEIPT_INFO, head)))


@dataclass(frozen=True)
class OpenedReceipt:
    header: dict[str, Any]
    receipt: dict[str, Any]
    signer_key_id: str
    verify: Callable[[str], bool]  # verify(signing key base64): the server's signature holds for that key


def open_receipt(data: bytes, *, device_id: str, return_keys: Callable[[str], X25519PrivateKey | None]
                 ) -> OpenedReceipt:
    """Open a receipt file for this laptop; the caller checks the signature against the pinned key (`verify`)."""
    header, head, blob = read_header(data, magic=MAGIC_RECEIPT)
    if header.get("format") != FORMAT_RECEIPT:
        raise BatchRefused("unsupported", "this receipt format is not supported here")
    if header.get("device_id") != device_id:
        raise BatchRefused("wrong_device", "this receipt is for another laptop")
    private = return_keys(str(header.get("return_key_id", "")))
    if private is None:
        raise BatchRefused("wrong_device", "this receipt answers a batch this laptop did not export (or its key "
                           "was already used)")
    try:
        plain = SUITE.decrypt(blob, private, info=_info(DOMAIN_RECEIPT_INFO, head))
    except (InvalidTag, ValueError):
        raise BatchRefused("tampered", "the receipt file was changed after the server wrote it") from None
    body_len = struct.unpack(">I", plain[:4])[0] if len(plain) >= 4 else -1
    if body_len < 0 or len(plain) < 4 + body_len + 64:
        raise BatchRefused("tampered", "the receipt file is not one the server wrote")
    body = plain[4:4 + body_len]
    signature, signer = plain[4 + body_len:4 + body_len + 64], plain[4 + body_len + 64:].decode("ascii", "replace")
    try:
        receipt = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BatchRefused("tampered", "the receipt file is not one the server wrote") from None
    if not isinstance(receipt, dict):
        raise BatchRefused("tampered", "the receipt file is not one the server wrote")
    if any(receipt.get(k) != header.get(k) for k in ("device_id", "batch_id", "part", "parts")):
        raise BatchRefused("tampered", "the receipt's content does not match its outside")

    def verify(signing_key: str) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(b64decode(signing_key)).verify(signature, DOMAIN_RECEIPT + head + body)
            return True
        except (InvalidSignature, ValueError):
            return False

    return OpenedReceipt(header=header, receipt=receipt, signer_key_id=signer, verify=verify)


# --- files on a stick ----------------------------------------------------------------------------------------------


def new_file_name(suffix: str) -> str:
    """A name that says nothing about the centre, the laptop or the people: random, with the kind of file."""
    return "wp-" + secrets.token_hex(8) + suffix


def write_durably(folder: Path, name: str, data: bytes) -> Path:
    """Written to a temporary name in the same folder, fsynced, renamed, the folder fsynced: a stick pulled out
    mid-write leaves either the whole file or no file under its name."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    temp = folder / (".tmp-" + secrets.token_hex(6))
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:  # some removable file systems cannot open a folder: the file itself was synced
        return target
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)
    return target


def read_file(path: Path) -> bytes:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise BatchRefused("too_large", f"{path.name} is larger than a batch file can be")
    return path.read_bytes()
