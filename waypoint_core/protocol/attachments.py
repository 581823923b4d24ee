"""Attachments on the wire (protocol 2): a record's files travel beside it, content-addressed by SHA-256.

A record names its files in one field, `@files` (FILES_FIELD): the canonical JSON of a list of FileRef (name, mime,
sha256, size), sorted by name. The field travels, merges and is hashed into the record version like any other
field, so every device learns which files a version has, and which it still lacks.

The bytes travel apart, in chunks of at most CHUNK_BYTES, each a BlobChunk message: the blob's hash and size, the
chunk's offset and its bytes (base64). A BlobChunk is a plain message: online it is the body of a signed request
(upload) or of a signed answer (download); in a USB batch file it can travel beside the signed push batch. The
receiver appends a chunk only at the offset it has reached (so a dropped connection or a killed process resumes
from there), and checks the SHA-256 of the whole blob once the last byte is in: a blob that does not match its
hash is thrown away, never kept. Blobs are deduplicated by hash: a blob the receiver holds is never sent again.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated

from pydantic import Field, StringConstraints, ValidationError

from .messages import NO_CONTROL, PROTOCOL_VERSION, Hash, Message
from .signing import b64decode, b64encode, canonical_json

FILES_FIELD = "@files"
CHUNK_BYTES = 1024 * 1024  # raw bytes per chunk: ~1.4 MB of JSON, well inside the page budget and the body limit
MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_FILES_PER_RECORD = 200
MAX_BLOB_QUERY = 1000

FileName = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=NO_CONTROL)]
Mime = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NO_CONTROL)]
Size = Annotated[int, Field(ge=0, le=MAX_FILE_BYTES)]
Offset = Annotated[int, Field(ge=0, le=MAX_FILE_BYTES)]
# Base64, checked by raw() (b64decode with validate=True; shape_error reports it): a regex over 1.4 MB per chunk
# cost more than the rest of the chunk's handling.
ChunkData = Annotated[str, StringConstraints(max_length=(CHUNK_BYTES + 2) // 3 * 4)]


def blob_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class FileRef(Message):
    """One file of a record: its name in the record (the answer's value), type, and the blob it is."""

    name: FileName
    mime: Mime
    sha256: Hash
    size: Size


class Manifest(Message):
    files: Annotated[list[FileRef], Field(max_length=MAX_FILES_PER_RECORD)]


def manifest_text(files: list[FileRef]) -> str | None:
    """The `@files` field's value for these files (None when a record has none: absent and empty are one)."""
    if not files:
        return None
    ordered = sorted(files, key=lambda f: f.name)
    return canonical_json([f.model_dump(mode="json") for f in ordered]).decode("utf-8")


def parse_manifest(value: object) -> list[FileRef]:
    """The files an `@files` value names; ValueError when it is not a manifest (no field: no files)."""
    if value is None or value == "":
        return []
    if not isinstance(value, str):
        raise ValueError("@files must be text")
    try:
        manifest = Manifest.model_validate({"files": json.loads(value)})
    except (ValueError, ValidationError) as exc:
        raise ValueError("@files is not a list of files (name, mime, sha256, size)") from exc
    names = [f.name for f in manifest.files]
    if len(set(names)) != len(names):
        raise ValueError("@files names a file twice")
    return list(manifest.files)


class BlobChunk(Message):
    """Bytes [offset, offset + len(data)) of the blob `sha256` of `size` bytes. Usable outside HTTP (batch files)."""

    protocol_version: int
    sha256: Hash
    size: Size
    offset: Offset
    data: ChunkData

    @classmethod
    def of(cls, *, sha256: str, size: int, offset: int, raw: bytes) -> BlobChunk:
        return cls(protocol_version=PROTOCOL_VERSION, sha256=sha256, size=size, offset=offset, data=b64encode(raw))

    def raw(self) -> bytes:
        return b64decode(self.data)

    def shape_error(self) -> str | None:
        """Why this chunk cannot be part of its blob, or None."""
        try:
            length = len(self.raw())
        except ValueError:
            return "chunk data is not base64"
        if length > CHUNK_BYTES:
            return f"a chunk holds at most {CHUNK_BYTES} bytes"
        if self.offset + length > self.size:
            return "the chunk runs past the blob's size"
        if length == 0 and self.size != 0:
            return "an empty chunk (only an empty blob has one)"
        return None

    def body(self) -> bytes:
        """canonical() written out directly: the same bytes, without copying a megabyte through json.dumps (the
        fields are digits, hex and base64, which JSON never escapes)."""
        return (f'{{"data":"{self.data}","offset":{self.offset},"protocol_version":{self.protocol_version},'
                f'"sha256":"{self.sha256}","size":{self.size}}}').encode("ascii")


class BlobStatus(Message):
    """How much of a blob the server holds: `received` bytes from the start; `complete` once checked against its
    hash. size None: the server holds none of it."""

    sha256: Hash
    size: Size | None
    received: Offset
    complete: bool


class BlobQuery(Message):
    protocol_version: int
    hashes: Annotated[list[Hash], Field(min_length=1, max_length=MAX_BLOB_QUERY)]


class BlobStatusList(Message):
    protocol_version: int
    blobs: list[BlobStatus]


def chunks_of(data: bytes, *, sha256: str | None = None, start: int = 0) -> list[BlobChunk]:
    """The chunks that carry `data` from `start` (a batch file carries them all; an upload resumes from `start`)."""
    digest = sha256 or blob_hash(data)
    if not data:
        return [BlobChunk.of(sha256=digest, size=0, offset=0, raw=b"")]
    return [BlobChunk.of(sha256=digest, size=len(data), offset=at, raw=data[at:at + CHUNK_BYTES])
            for at in range(start - start % CHUNK_BYTES, len(data), CHUNK_BYTES)]
