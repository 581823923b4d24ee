"""Migration 0020: each record's files held by the record's centre (blobs.py), no table changed.

Before it, a file that a device of another centre of the region sent for a record (a coordinator's photo added to a
record of another centre) was held under the sending device's centre only: the record's centre never had it, and
its laptops showed the record incomplete for ever. Each file a record names that the record's centre does not hold
whole is copied there, sealed again for that centre, from the centre of a device that wrote a version of that very
record and holds the file whole; from nowhere else, so a record naming another centre's file opens nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from ..atrest import aad

VERSION = 20
NAME = "record_files_home"

_MISPLACED = text(
    "SELECT DISTINCT f.centre_id AS target, f.sha256 AS sha256, d.centre_id AS source FROM record_file f "
    "JOIN record_version v ON v.record_id = f.record_id "
    "JOIN device d ON d.id = v.device_id "
    "JOIN blob s ON s.centre_id = d.centre_id AND s.sha256 = f.sha256 AND s.complete = :t "
    "WHERE d.centre_id != f.centre_id AND NOT EXISTS (SELECT 1 FROM blob h WHERE h.centre_id = f.centre_id "
    "AND h.sha256 = f.sha256 AND h.complete = :t) ORDER BY f.centre_id, f.sha256, d.centre_id")


def _chunk_aad(centre_id: str, sha256: str, offset: int) -> bytes:
    return aad("blob_chunk", f"{centre_id}/{sha256}", offset)


def upgrade(conn, context) -> None:
    found: dict[tuple[str, str], str] = {}
    for row in conn.execute(_MISPLACED, {"t": True}):
        found.setdefault((row.target, row.sha256), row.source)
    if not found:
        return
    key = context.data_key
    if key is None:
        raise RuntimeError("migration 0020 copies files to their record's centre and needs the data key to seal them")
    for (target, sha256), source in sorted(found.items()):
        size = conn.execute(text("SELECT size FROM blob WHERE centre_id = :c AND sha256 = :s"),
                            {"c": source, "s": sha256}).scalar_one()
        for table in ("blob_chunk", "blob"):  # a part of it the record's centre held
            conn.execute(text(f"DELETE FROM {table} WHERE centre_id = :c AND sha256 = :s"), {"c": target, "s": sha256})
        conn.execute(text("INSERT INTO blob (centre_id, sha256, size, received, complete, created_at) VALUES "
                          "(:c, :s, :n, :n, :t, :at)"),
                     {"c": target, "s": sha256, "n": size, "t": True, "at": datetime.now(UTC)})
        starts = conn.execute(text("SELECT start_byte FROM blob_chunk WHERE centre_id = :c AND sha256 = :s "
                                   "ORDER BY start_byte"), {"c": source, "s": sha256}).scalars().all()
        for start in starts:
            row = conn.execute(text("SELECT length, data FROM blob_chunk WHERE centre_id = :c AND sha256 = :s AND "
                                    "start_byte = :b"), {"c": source, "s": sha256, "b": start}).one()
            raw = key.open(row.data, _chunk_aad(source, sha256, start))
            conn.execute(text("INSERT INTO blob_chunk (centre_id, sha256, start_byte, length, data) VALUES "
                              "(:c, :s, :b, :n, :d)"),
                         {"c": target, "s": sha256, "b": start, "n": row.length,
                          "d": key.seal(raw, _chunk_aad(target, sha256, start))})
