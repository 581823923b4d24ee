"""The attachment messages of protocol 2 (waypoint_core.protocol.attachments), as a batch file would use them:
no server, no HTTP."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from waypoint_core.protocol import (
    CHUNK_BYTES, BlobChunk, FileRef, blob_hash, chunks_of, manifest_text, parse_manifest,
)


def test_a_file_is_carried_by_chunks_that_rebuild_it_exactly():
    data = bytes(range(256)) * (3 * CHUNK_BYTES // 256) + b"tail"
    chunks = chunks_of(data)
    assert [c.offset for c in chunks] == [0, CHUNK_BYTES, 2 * CHUNK_BYTES, 3 * CHUNK_BYTES]
    assert all(c.shape_error() is None and c.sha256 == blob_hash(data) for c in chunks)
    assert all(c.body() == c.canonical() for c in chunks)  # written out directly, the same canonical bytes
    again = [BlobChunk.model_validate_json(c.body()) for c in chunks]  # the bytes a batch file would hold
    assert b"".join(c.raw() for c in again) == data
    assert [c.offset for c in chunks_of(data, start=CHUNK_BYTES + 5)] == [CHUNK_BYTES, 2 * CHUNK_BYTES, 3 * CHUNK_BYTES]
    empty = chunks_of(b"")
    assert len(empty) == 1 and empty[0].size == 0 and empty[0].shape_error() is None


def test_a_chunk_that_cannot_belong_to_its_file_says_why():
    digest = blob_hash(b"x" * 10)
    assert "past the blob's size" in BlobChunk.of(sha256=digest, size=10, offset=8, raw=b"abc").shape_error()
    assert "empty chunk" in BlobChunk.of(sha256=digest, size=10, offset=0, raw=b"").shape_error()
    with pytest.raises(ValidationError):
        BlobChunk.of(sha256="not a hash", size=10, offset=0, raw=b"x")
    with pytest.raises(ValidationError):  # more than one chunk's worth of base64
        BlobChunk.of(sha256=digest, size=10 * CHUNK_BYTES, offset=0, raw=b"x" * (CHUNK_BYTES + 3))


def test_the_manifest_is_one_canonical_text_and_refuses_what_is_not_one():
    photo = FileRef(name="photo.jpg", mime="image/jpeg", sha256=blob_hash(b"p"), size=1)
    audit = FileRef(name="audit.csv", mime="text/csv", sha256=blob_hash(b"a"), size=1)
    text = manifest_text([photo, audit])
    assert text == manifest_text([audit, photo])  # sorted by name: the same files are the same field value
    assert parse_manifest(text) == [audit, photo]
    assert manifest_text([]) is None and parse_manifest(None) == []
    for bad in ("not json", '[{"name": "a"}]', 7, manifest_text([photo])[:-1] + ',{"mime":"image/jpeg","name":'
                '"photo.jpg","sha256":"' + blob_hash(b"q") + '","size":1}]'):
        with pytest.raises(ValueError):
            parse_manifest(bad)
