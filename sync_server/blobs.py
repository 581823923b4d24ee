"""Attachments on the server: blobs received in chunks, checked against their hash, sealed at rest, served in chunks
within the page budget, and removed when no record names them any more.

Upload (`receive_chunk`): under the blob's row lock, a chunk is appended only at the offset the server has reached;
a chunk before it (a retry) or after it (a gap) changes nothing, and every answer says how far the server is, so a
device resumes from there after a dropped connection or a kill. When the last byte is in, the whole blob is read
back and hashed: a blob that does not match its name is deleted (422 hash_mismatch), never kept or served.

A record's files belong to the record's centre (`record.centre_id`, `record_file.centre_id`): blobs are held per
centre and deduplicated by hash inside a centre, each chunk AES-256-GCM under the data key, bound to centre, blob and
offset (atrest.py), so neither the database nor a backup of it holds a file in clear. A device reads a file (status,
download) only as the record's scope allows (`readable`): a centre of its reach (scope.reach) holds it whole and a
record there that the device may receive names it (not a case, unless its people view cases), the rules of pull
itself; knowing a hash gives nothing more. It may also ask about its own centre's uploads under way, and whole ones
that no record names yet (sent before their record's op), to resume and deduplicate.

An upload lands in the device's own centre (the upload does not say which record it is for). A file that belongs to
another centre's record reaches that centre by a copy, in the transaction that makes it needed: when a push names it
in a record of a centre that does not hold it (`fill_references`: from a copy the pushing device may read), and when
an upload completes a file that records of the device's reach name but their centre lacks (a coordinator's laptop
sending files again after a server restore, a file refused once and sent by a later run).

References (`update_references`, in the push transaction): each record's current `@files` names its blobs. A blob
that a record stops naming (a file replaced, a record deleted) and that no other record of its centre names is
deleted with its chunks in the same transaction; a blob uploaded before its record's op arrives is not touched, unless
no record names it 24 hours later (`sweep_orphans`, when the centre's next new blob begins): so is the uploader's copy
of a file that went to another centre's record.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from pydantic import ValidationError
from collections.abc import Collection, Iterable

from sqlalchemy import Connection, and_, delete, false, func, insert, or_, select, true, update

from waypoint_core.protocol import (
    FILES_FIELD, PROTOCOL_VERSION, BlobChunk, BlobQuery, BlobStatus, BlobStatusList, parse_manifest,
)

from . import scope
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


def _in_chunks(values: Iterable[str]) -> Iterable[list[str]]:
    ordered = sorted(set(values))
    for start in range(0, len(ordered), IN_CHUNK):
        yield ordered[start:start + IN_CHUNK]


def readable(conn: Connection, device_id: str, centre_id: str, hashes: Collection[str]) -> dict[str, str]:
    """sha256 -> the centre whose whole copy the device may read: a centre of its reach where a record it may receive
    names the file (its own centre first), the scope of pull. A hash no such record names is absent."""
    if not hashes:
        return {}
    b, f = Blob.__table__, RecordFile.__table__
    actor = scope.actor_of(conn, device_id, centre_id)
    reach = scope.reach(conn, device_id, centre_id, actor=actor)
    cases = scope.may_receive_cases(conn, device_id, centre_id, actor=actor)
    found: dict[str, str] = {}
    for part in _in_chunks(hashes):
        query = select(f.c.sha256, f.c.centre_id).join(b, and_(b.c.centre_id == f.c.centre_id,
                                                               b.c.sha256 == f.c.sha256)).where(
            f.c.sha256.in_(part), f.c.centre_id.in_(reach), b.c.complete == true())
        if not cases:
            query = query.where(f.c.record_id.not_in(scope.case_ids()))
        for row in conn.execute(query.distinct()):
            if found.get(row.sha256) != centre_id:
                found[row.sha256] = row.centre_id
    return found


def _own_uploads(conn: Connection, centre_id: str, hashes: Collection[str]) -> dict[str, Any]:
    """sha256 -> the blob row of the device's own centre, where uploads land: one under way, or whole and named by no
    record of the centre yet (its record's op not arrived). A whole one that records name is `readable`'s to tell."""
    b, f = Blob.__table__, RecordFile.__table__
    named = select(f.c.sha256).where(f.c.centre_id == b.c.centre_id, f.c.sha256 == b.c.sha256).exists()
    found: dict[str, Any] = {}
    for part in _in_chunks(hashes):
        for row in conn.execute(select(b.c.sha256, b.c.size, b.c.received, b.c.complete).where(
                b.c.centre_id == centre_id, b.c.sha256.in_(part), or_(~named, b.c.complete == false()))):
            found[row.sha256] = row
    return found


def statuses(db: Database, device: AuthenticatedDevice, query: BlobQuery) -> BlobStatusList:
    """Whole when a record the device may receive has it whole in its centre; else how far the device's own centre's
    upload of it is (none when a record the device may not receive is all that names it)."""
    b = Blob.__table__
    with db.read_engine.connect() as conn:
        holders = readable(conn, device.id, device.centre_id, query.hashes)
        found = _own_uploads(conn, device.centre_id, [h for h in query.hashes if h not in holders])
        for part in _in_chunks(holders):
            for row in conn.execute(select(b.c.centre_id, b.c.sha256, b.c.size, b.c.received, b.c.complete).where(
                    b.c.sha256.in_(part))):
                if holders[row.sha256] == row.centre_id:
                    found[row.sha256] = row
    return BlobStatusList(protocol_version=PROTOCOL_VERSION,
                          blobs=[_status(h, found.get(h)) for h in query.hashes])


def receive_chunk(db: Database, device: AuthenticatedDevice, body: bytes, key: DataKey) -> BlobStatus:
    """Append one chunk if it is the next one; always answer how far the blob is."""
    chunk = parse_chunk(body)
    with db.write_engine.begin() as conn:
        answer, mismatch = receive_chunk_in(conn, device.centre_id, chunk, key, device_id=device.id)
    if mismatch:  # raised once the drop is committed: the next try starts from nothing
        raise _HashMismatch()
    return answer


def receive_chunk_in(conn: Connection, centre_id: str, chunk: BlobChunk, key: DataKey, *, device_id: str,
                     sweep: bool = True) -> tuple[BlobStatus, bool]:
    """receive_chunk inside the caller's transaction (a batch file's chunks go in one), into the device's centre.
    Returns how far the blob is, and whether it was whole but did not match its hash (then it is dropped: sent again
    from the start). A blob it completes goes to the centres of the device's reach whose records name it and lack
    it."""
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
    if complete:
        _give(conn, key, centre_id, chunk.sha256, scope.reach(conn, device_id, centre_id))
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
    """Bytes of a complete blob that a record the device may receive names (`readable`), from `offset`, at most
    `max_bytes` (within the page budget)."""
    b, c = Blob.__table__, ChunkRow.__table__
    with db.read_engine.connect() as conn:
        centre_id = readable(conn, device.id, device.centre_id, [sha256]).get(sha256)
        blob = None if centre_id is None else conn.execute(select(b.c.size, b.c.complete).where(
            b.c.centre_id == centre_id, b.c.sha256 == sha256)).first()
        if centre_id is None or blob is None or not blob.complete:
            raise ProtocolError(404, "blob_not_found", "the server does not hold this file (yet)")
        if offset > blob.size or (offset == blob.size and blob.size):
            raise ProtocolError(416, "bad_offset", "the offset is past the end of the file")
        row = conn.execute(select(c.c.start_byte, c.c.data).where(
            c.c.centre_id == centre_id, c.c.sha256 == sha256, c.c.start_byte <= offset)
            .order_by(c.c.start_byte.desc()).limit(1)).first()
    if row is None:
        raise ProtocolError(404, "blob_not_found", "the server does not hold this file (yet)")
    raw = key.open(row.data, _chunk_aad(centre_id, sha256, row.start_byte))
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


def update_references(conn: Connection, centre_id: str, named: dict[str, set[str]],
                      gained: set[tuple[str, str]] | None = None) -> int:
    """`named`: record_id -> the blobs its new current version names. Returns how many blobs were removed;
    `gained` gets each (centre, blob) a record of the centre names now and did not before."""
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
        if gained is not None:
            gained.update((centre_id, row["sha256"]) for row in added)
    if not dropped:
        return 0
    still = {s for (s,) in conn.execute(select(f.c.sha256).where(
        f.c.centre_id == centre_id, f.c.sha256.in_(sorted(dropped))).group_by(f.c.sha256))}
    orphans = sorted(dropped - still)
    _drop_blobs(conn, centre_id, orphans)
    return len(orphans)


def fill_references(conn: Connection, key: DataKey, device_id: str, centre_id: str,
                    gained: set[tuple[str, str]]) -> int:
    """After a push by the device (of `centre_id`): each file its records name now in a centre that does not hold
    it whole is copied there from a copy the device may read (`readable`, or its own centre's upload that no record
    names yet), so the record's centre holds its files (a coordinator's photo added to a record of another centre of
    its region). Returns how many copies were made."""
    b = Blob.__table__
    lacking: set[tuple[str, str]] = set()
    for target in {c for c, _sha in gained}:
        wanted = {sha for c, sha in gained if c == target}
        held = set()
        for part in _in_chunks(wanted):
            held |= set(conn.execute(select(b.c.sha256).where(
                b.c.centre_id == target, b.c.sha256.in_(part), b.c.complete == true())).scalars())
        lacking |= {(target, sha) for sha in wanted - held}
    if not lacking:
        return 0
    hashes = {sha for _c, sha in lacking}
    sources = {sha: centre_id for sha, row in _own_uploads(conn, centre_id, hashes).items() if row.complete}
    sources = {**sources, **readable(conn, device_id, centre_id, hashes)}
    copied = 0
    for target, sha in sorted(lacking):
        source = sources.get(sha)
        if source is not None and source != target:
            _copy_blob(conn, key, sha, source=source, target=target)
            copied += 1
    return copied


def _give(conn: Connection, key: DataKey, centre_id: str, sha256: str, reach: list[str]) -> None:
    """A blob just completed in `centre_id`, copied to each centre of `reach` whose records name it and that does not
    hold it whole."""
    b, f = Blob.__table__, RecordFile.__table__
    others = [c for c in reach if c != centre_id]
    if not others:
        return
    naming = set(conn.execute(select(f.c.centre_id).where(f.c.sha256 == sha256, f.c.centre_id.in_(others))
                              .distinct()).scalars())
    whole = set(conn.execute(select(b.c.centre_id).where(b.c.sha256 == sha256, b.c.centre_id.in_(sorted(naming)),
                                                         b.c.complete == true())).scalars()) if naming else set()
    for target in sorted(naming - whole):
        _copy_blob(conn, key, sha256, source=centre_id, target=target)


def _copy_blob(conn: Connection, key: DataKey, sha256: str, *, source: str, target: str) -> None:
    """The whole blob of `source` sealed again for `target` (each chunk is bound to its centre), replacing any part
    of it `target` held."""
    b, c = Blob.__table__, ChunkRow.__table__
    blob = conn.execute(select(b.c.size).where(b.c.centre_id == source, b.c.sha256 == sha256,
                                               b.c.complete == true())).first()
    if blob is None:
        return
    _drop_blobs(conn, target, [sha256])
    conn.execute(insert(b).values(centre_id=target, sha256=sha256, size=blob.size, received=blob.size, complete=True,
                                  created_at=utcnow()))
    starts = list(conn.execute(select(c.c.start_byte).where(c.c.centre_id == source, c.c.sha256 == sha256)
                               .order_by(c.c.start_byte)).scalars())
    for start in starts:  # one chunk in memory at a time (a 20 MB scan is twenty)
        row = conn.execute(select(c.c.length, c.c.data).where(c.c.centre_id == source, c.c.sha256 == sha256,
                                                              c.c.start_byte == start)).one()
        raw = key.open(row.data, _chunk_aad(source, sha256, start))
        conn.execute(insert(c).values(centre_id=target, sha256=sha256, start_byte=start, length=row.length,
                                      data=key.seal(raw, _chunk_aad(target, sha256, start))))


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
