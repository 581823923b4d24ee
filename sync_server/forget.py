"""The server forgets: the content of a deleted record is purged from its history once every device of the record's
centre has acknowledged the deletion (issue 7: deletion is real, on the server too).

A device acknowledges the feed up to a position by asking for the changes after it (`pull`: it stored everything up
to its cursor). When the lowest acknowledged position among the centre's devices (revoked ones do not count) reaches
a tombstone's place in the feed, every stored state of that record (the current row and each version) is replaced by
its form and deletion flag only, sealed as before (a version row's `previous_state`, history.py, is emptied), and its
conflicts (which hold both sides' states) are deleted. What sync needs stays: ids, version numbers and hashes (a device
reconciling after a restore still finds its versions), which field names each version set and who set them (merges).
A backup made afterwards holds nothing more.

A backup made before the purge still holds the content (sealed); restoring it brings the content back until the
devices have acknowledged the deletion again in the new epoch, and then it is purged again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

from waypoint_core.protocol import canonical_json

from . import derived
from .atrest import DataKey, seal_text
from .db import utcnow
from .merge import DELETED, FORM

CHUNK = 200
# The terms of the partial index's WHERE, written as it is, so that both databases answer from the index alone.
_WAITING = text("SELECT 1 FROM record WHERE centre_id = :c AND deleted = true AND purged_at IS NULL LIMIT 1")


def acknowledge(conn: Connection, device_id: str, seq: int) -> bool:
    """The device stored the feed up to `seq` (in the current epoch). True if that moved its acknowledgement."""
    moved = conn.execute(text("UPDATE device SET acked_seq = :s WHERE id = :d AND acked_seq < :s"),
                         {"s": seq, "d": device_id})
    return bool(moved.rowcount)


def purge_acknowledged(conn: Connection, centre_id: str, key: DataKey) -> list[str]:
    """Purge the content of the centre's tombstones every active device has acknowledged; returns their ids."""
    if conn.execute(_WAITING, {"c": centre_id}).first() is None:
        return []  # nearly always: no tombstone waits (one probe of ix_record_unpurged, migration 0008)
    floor = conn.execute(text("SELECT MIN(acked_seq) FROM device WHERE centre_id = :c AND revoked_at IS NULL"),
                         {"c": centre_id}).scalar_one_or_none()
    if not floor:
        return []
    rows = conn.execute(text(
        "SELECT r.id, r.server_version, r.form_id, r.form_version FROM record r JOIN change ch "
        "ON ch.record_id = r.id AND ch.server_version = r.server_version "
        "WHERE r.centre_id = :c AND r.deleted = true AND r.purged_at IS NULL AND ch.seq <= :f"),
        {"c": centre_id, "f": floor}).all()
    purged = []
    for start in range(0, len(rows), CHUNK):
        for row in rows[start:start + CHUNK]:
            _purge(conn, row, key)
            purged.append(row.id)
    derived.forget(conn, purged)  # a tombstone has none left; made sure of with its content
    return purged


def _bare(form_id: str, form_version: str, deleted: bool) -> str:
    values: dict[str, Any] = {FORM: f"{form_id}\x1f{form_version}", DELETED: deleted}
    return canonical_json(values).decode()


def _purge(conn: Connection, row: Any, key: DataKey) -> None:
    now = utcnow()
    conn.execute(text("UPDATE record SET state = :s, purged_at = :t WHERE id = :r AND purged_at IS NULL"),
                 {"s": seal_text(key, _bare(row.form_id, row.form_version, True), table="record", row_id=row.id,
                                 version=row.server_version), "t": now, "r": row.id})
    versions = conn.execute(text("SELECT server_version, form_id, form_version, deleted FROM record_version "
                                 "WHERE record_id = :r"), {"r": row.id}).all()
    if versions:
        conn.execute(text("UPDATE record_version SET state = :s, previous_state = NULL WHERE record_id = :r AND "
                          "server_version = :v"),
                     [{"s": seal_text(key, _bare(v.form_id, v.form_version, bool(v.deleted)), table="record_version",
                                      row_id=row.id, version=v.server_version), "r": row.id, "v": v.server_version}
                      for v in versions])
    conn.execute(text("DELETE FROM conflict WHERE record_id = :r"), {"r": row.id})
