"""Attachments on the server: blobs received in chunks, checked against their hash, sealed at rest, served in chunks
within the page budget, and removed when no record names them any more.

Upload (`receive_chunk`): under the blob's row lock, a chunk is appended only at the offset the server has reached;
a chunk before it (a retry) or after it (a gap) changes nothing, and every answer says how far the server is, so a
device resumes from there after a dropped connection or a kill. When the last byte is in, the whole blob is read
back and hashed: a blob that does not match its name is deleted (422 hash_mismatch), never kept or served.

Blobs are per centre (a device of another centre can neither read nor probe them) and deduplicated by hash inside
a centre: a complete blob is not sent again. Each chunk is AES-256-GCM under the data key, bound to centre, blob and
offset (atrest.py), so neither the database nor a backup of it holds a file in clear.

References (`update_references`, in the push transaction): each record's current `@files` names its blobs. A blob
that a record stops naming (a file replaced, a record deleted) and that no other record of the centre names is
deleted with its chunks in the same transaction; a blob uploaded before its record's op arrives is not touched, unless
no record names it 24 hours later (`sweep_orphans`, when the centre's next new blob begins).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, and_, delete, func, insert, select, update

from waypoint_core.protocol import (
    FILES_FIELD, PROTOCOL_VERSION, BlobChunk, BlobQuery, BlobStatus, BlobStatusList, parse_manifest,
)

from .atrest import DataKey, aad
from .auth import AuthenticatedDevice
from .db import Database, utcnow
from .errors import ProtocolError, malformed, unsupported_version
from .tables import Blob, BlobChunk as ChunkRow, RecordFile

IN_CHUNK = 500
ORPHAN_TTL = timedelta(hours=24)  # a blob no record names is removed after this


def _chunk_aad(centre_id: str, sha256: str, offset: int) -> bytes:
    return aad("blob_chunk", f"{centre_id}/{sha256}", offset)


def parse_chunk(body: bytes) -> BlobChunk:
    try:
        chunk = BlobChunk.model_validate_json(body)
    except ValidationError:
        raise malformed("malformed blob chunk") from None
    if chunk.protocol_version != PROTOCOL_VERSION:
        raise unsupported_version(chunk.protocol_version)
    problem = chunk.shape_error()
    if problem:
        raise malformed(problem)
    return chunk


def parse_query(body: bytes) -> BlobQuery:
    try:
        query = BlobQuery.model_validate_json(body)
    except ValidationError:
        raise malformed("malformed blob query") from None
    if query.protocol_version != PROTOCOL_VERSION:
        raise unsupported_version(query.protocol_version)
    return query


def _status(sha256: str, row: Any) -> BlobStatus:
    if row is None:
        return BlobStatus(sha256=sha256, size=None, received=0, complete=False)
    return BlobStatus(sha256=sha256, size=row.size, received=row.received, complete=bool(row.complete))


def statuses(db: Database, device: AuthenticatedDevice, query: BlobQuery) -> BlobStatusList:
    b = Blob.__table__
    found: dict[str, Any] = {}
    hashes = sorted(set(query.hashes))
    with db.read_engine.connect() as conn:
        for start in range(0, len(hashes), IN_CHUNK):
            for row in conn.execute(select(b.c.sha256, b.c.size, b.c.received, b.c.complete).where(
                    b.c.centre_id == device.centre_id, b.c.sha256.in_(hashes[start:start + IN_CHUNK]))):
                found[row.sha256] = row
    return BlobStatusList(protocol_version=PROTOCOL_VERSION,
                          blobs=[_status(h, found.get(h)) for h in query.hashes])


def receive_chunk(db: Database, device: AuthenticatedDevice, body: bytes, key: DataKey) -> BlobStatus:
    """Append one chunk if it is the next one; always answer how far the blob is."""
    chunk = parse_chunk(body)
    with db.write_engine.begin() as conn:
        answer, mismatch = receive_chunk_in(conn, device.centre_id, chunk, key)
    if mismatch:  # raised once the drop is committed: the next try starts from nothing
        raise _HashMismatch()
    return answer


def receive_chunk_in(conn: Connection, centre_id: str, chunk: BlobChunk, key: DataKey, *,
                     sweep: bool = True) -> tuple[BlobStatus, bool]:
    """receive_chunk inside the caller's transaction (a batch file's chunks go in one). Returns how far the blob is,
    and whether it was whole but did not match its hash (then it is dropped: sent again from the start)."""
    b, c = Blob.__table__, ChunkRow.__table__
    where = and_(b.c.centre_id == centre_id, b.c.sha256 == chunk.sha256)
    row = conn.execute(select(b.c.size, b.c.received, b.c.complete).where(where).with_for_update()).first()
    if row is None:
        if chunk.offset != 0:
            return _status(chunk.sha256, None), False
        if sweep:
            sweep_orphans(conn, centre_id)
        conn.execute(insert(b).values(centre_id=centre_id, sha256=chunk.sha256, size=chunk.size,
                                      received=0, complete=False, created_at=utcnow()))
        received = 0
    elif row.size != chunk.size:
        raise ProtocolError(409, "blob_size_mismatch", "this blob is already being received with another size")
    elif row.complete or chunk.offset != row.received:
        return _status(chunk.sha256, row), False
    else:
        received = row.received
    raw = chunk.raw()
    if raw or chunk.size == 0:
        conn.execute(insert(c).values(
            centre_id=centre_id, sha256=chunk.sha256, start_byte=chunk.offset, length=len(raw),
            data=key.seal(raw, _chunk_aad(centre_id, chunk.sha256, chunk.offset))))
    received += len(raw)
    complete = received == chunk.size
    if complete and _whole_hash(conn, key, centre_id, chunk.sha256) != chunk.sha256:
        _drop_blobs(conn, centre_id, [chunk.sha256])
        return BlobStatus(sha256=chunk.sha256, size=chunk.size, received=0, complete=False), True
    conn.execute(update(b).where(where).values(received=received, complete=complete))
    return BlobStatus(sha256=chunk.sha256, size=chunk.size, received=received, complete=complete), False


class _HashMismatch(ProtocolError):
    def __init__(self) -> None:
        super().__init__(422, "hash_mismatch", "the file's bytes do not match its SHA-256; nothing was kept: send it "
                         "again from the start")


def _whole_hash(conn: Connection, key: DataKey, centre_id: str, sha256: str) -> str:
    c = ChunkRow.__table__
    digest, expected = hashlib.sha256(), 0
    rows = conn.execute(select(c.c.start_byte, c.c.data).where(c.c.centre_id == centre_id, c.c.sha256 == sha256)
                        .order_by(c.c.start_byte))
    for row in rows:
        if row.start_byte != expected:
            return ""
        raw = key.open(row.data, _chunk_aad(centre_id, sha256, row.start_byte))
        digest.update(raw)
        expected += len(raw)
    return digest.hexdigest()


def read_chunk(db: Database, device: AuthenticatedDevice, sha256: str, offset: int, max_bytes: int,
               key: DataKey) -> BlobChunk:
    """Bytes of a complete blob of the device's centre from `offset`, at most `max_bytes` (within the page budget)."""
    b, c = Blob.__table__, ChunkRow.__table__
    with db.read_engine.connect() as conn:
        blob = conn.execute(select(b.c.size, b.c.complete).where(
            b.c.centre_id == device.centre_id, b.c.sha256 == sha256)).first()
        if blob is None or not blob.complete:
            raise ProtocolError(404, "blob_not_found", "the server does not hold this file (yet)")
        if offset > blob.size or (offset == blob.size and blob.size):
            raise ProtocolError(416, "bad_offset", "the offset is past the end of the file")
        row = conn.execute(select(c.c.start_byte, c.c.data).where(
            c.c.centre_id == device.centre_id, c.c.sha256 == sha256, c.c.start_byte <= offset)
            .order_by(c.c.start_byte.desc()).limit(1)).first()
    if row is None:
        raise ProtocolError(404, "blob_not_found", "the server does not hold this file (yet)")
    raw = key.open(row.data, _chunk_aad(device.centre_id, sha256, row.start_byte))
    start = offset - row.start_byte
    return BlobChunk.of(sha256=sha256, size=blob.size, offset=offset, raw=raw[start:start + max_bytes])


def chunk_budget(page_bytes: int) -> int:
    """Raw bytes per download answer: base64 grows them by a third; the page budget bounds the answer."""
    return max(4096, min(1024 * 1024, (page_bytes * 3) // 4 - 1024))


# ---- references ----------------------------------------------------------------------------------------------------


def named_blobs(values: dict[str, Any]) -> set[str]:
    """The blobs a record's values name (none for a tombstone or a field that is not a manifest)."""
    if values.get("#deleted"):
        return set()
    try:
        return {ref.sha256 for ref in parse_manifest(values.get(FILES_FIELD))}
    except ValueError:
        return set()


def update_references(conn: Connection, centre_id: str, named: dict[str, set[str]]) -> int:
    """`named`: record_id -> the blobs its new current version names. Returns how many blobs were removed."""
    if not named:
        return 0
    f = RecordFile.__table__
    ids = sorted(named)
    before: dict[str, set[str]] = {}
    for start in range(0, len(ids), IN_CHUNK):
        for row in conn.execute(select(f.c.record_id, f.c.sha256).where(f.c.record_id.in_(ids[start:start + IN_CHUNK]))):
            before.setdefault(row.record_id, set()).add(row.sha256)
    dropped: set[str] = set()
    gone, added = [], []
    for record_id in ids:
        old, new = before.get(record_id, set()), named[record_id]
        gone += [{"r": record_id, "s": s} for s in sorted(old - new)]
        added += [{"record_id": record_id, "sha256": s, "centre_id": centre_id} for s in sorted(new - old)]
        dropped |= old - new
    if not gone and not added:
        return 0
    for row in gone:
        conn.execute(delete(f).where(f.c.record_id == row["r"], f.c.sha256 == row["s"]))
    if added:
        conn.execute(insert(f), added)
    if not dropped:
        return 0
    still = {s for (s,) in conn.execute(select(f.c.sha256).where(
        f.c.centre_id == centre_id, f.c.sha256.in_(sorted(dropped))).group_by(f.c.sha256))}
    orphans = sorted(dropped - still)
    _drop_blobs(conn, centre_id, orphans)
    return len(orphans)


def sweep_orphans(conn: Connection, centre_id: str, *, older_than: timedelta = ORPHAN_TTL) -> int:
    """Blobs of the centre that no record names and that were created long enough ago: a device that sent a file
    and then lost the record before its op arrived (killed, then the record deleted unsent) leaves no file behind.
    Run when a new blob begins, so it costs nothing to a push; a device whose record still comes asks about its
    files again before it pushes and sends them again."""
    b, f = Blob.__table__, RecordFile.__table__
    named = select(f.c.sha256).where(f.c.centre_id == b.c.centre_id, f.c.sha256 == b.c.sha256).exists()
    orphans = [sha for (sha,) in conn.execute(select(b.c.sha256).where(
        b.c.centre_id == centre_id, b.c.created_at < utcnow() - older_than, ~named))]
    _drop_blobs(conn, centre_id, orphans)
    return len(orphans)


def _drop_blobs(conn: Connection, centre_id: str, hashes: list[str]) -> None:
    if not hashes:
        return
    b, c = Blob.__table__, ChunkRow.__table__
    conn.execute(delete(c).where(c.c.centre_id == centre_id, c.c.sha256.in_(hashes)))
    conn.execute(delete(b).where(b.c.centre_id == centre_id, b.c.sha256.in_(hashes)))


def blob_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(Blob.__table__)).scalar_one())
