"""0012 (attachments sync): files travel with their record, by SHA-256, in chunks that resume.

- attachment gets sha256, size and uploaded_at (when the server said it holds the whole file), before `data`:
  SQLite keeps a row's columns in order, so the hash and size are read without walking the blob's overflow pages.
  The table is rebuilt to put them there; existing files are hashed once here.
- attachment_wanted: files a record names (its `@files` field, pulled from the server) that this laptop does not
  hold yet; such a record is shown as incomplete until they arrive.
- attachment_part: bytes of a wanted file received so far, in the order received, so a download resumes where it
  stopped (a dropped connection, a killed app); removed once the whole file matched its hash.
- registration_field '@files' rows: the manifest of each record that has files (the field that travels); a record
  that already travels (not a draft kept here) gets its one pending op, so its files reach the server at the next
  sync instead of staying behind until someone edits it.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any


def upgrade(conn: Any) -> None:
    conn.execute("CREATE TABLE attachment_new (id TEXT PRIMARY KEY NOT NULL, record_id TEXT NOT NULL, "
                 "name TEXT NOT NULL, mime TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL, "
                 "uploaded_at TEXT, data BLOB NOT NULL)")
    for row_id, in conn.execute("SELECT id FROM attachment").fetchall():
        record_id, name, mime, data = conn.execute("SELECT record_id, name, mime, data FROM attachment WHERE id = ?",
                                                   (row_id,)).fetchone()
        data = bytes(data)
        conn.execute("INSERT INTO attachment_new (id, record_id, name, mime, sha256, size, data) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (row_id, record_id, name, mime, hashlib.sha256(data).hexdigest(), len(data), data))
    conn.execute("DROP TABLE attachment")
    conn.execute("ALTER TABLE attachment_new RENAME TO attachment")
    conn.execute("CREATE INDEX ix_attachment_record_id ON attachment (record_id)")
    conn.execute("CREATE INDEX ix_attachment_sha256 ON attachment (sha256)")
    conn.execute("CREATE TABLE attachment_wanted (record_id TEXT NOT NULL, name TEXT NOT NULL, mime TEXT NOT NULL, "
                 "sha256 TEXT NOT NULL, size INTEGER NOT NULL, PRIMARY KEY (record_id, name))")
    conn.execute("CREATE INDEX ix_attachment_wanted_sha256 ON attachment_wanted (sha256)")
    conn.execute("CREATE TABLE attachment_part (sha256 TEXT NOT NULL, start_byte INTEGER NOT NULL, "
                 "data BLOB NOT NULL, PRIMARY KEY (sha256, start_byte))")
    manifests: dict[str, list[dict[str, Any]]] = {}
    for record_id, name, mime, sha256, size in conn.execute(
            "SELECT a.record_id, a.name, a.mime, a.sha256, a.size FROM attachment a JOIN registration r "
            "ON r.id = a.record_id WHERE r.deleted = 0 ORDER BY a.record_id, a.name").fetchall():
        manifests.setdefault(record_id, []).append({"mime": mime, "name": name, "sha256": sha256, "size": size})
    conn.executemany("INSERT OR REPLACE INTO registration_field (record_id, name, value) VALUES (?, '@files', ?)",
                     [(record_id, json.dumps(files, sort_keys=True, separators=(",", ":"), ensure_ascii=False))
                      for record_id, files in manifests.items()])
    now = datetime.now(UTC).isoformat(timespec="microseconds")
    travelling = [row[0] for row in conn.execute(
        "SELECT id FROM registration WHERE deleted = 0 AND sync_state != 'local' AND id IN "
        "(SELECT record_id FROM registration_field WHERE name = '@files') AND id NOT IN "
        "(SELECT record_id FROM outbox WHERE device_seq IS NULL AND acked_at IS NULL)").fetchall()]
    for record_id in travelling:
        conn.execute("INSERT INTO outbox (op_id, record_id, op, record_version, base_version, payload, created_at) "
                     "SELECT ?, id, 'upsert', version, server_version, '', ? FROM registration WHERE id = ?",
                     (str(uuid.uuid4()), now, record_id))
        conn.execute("UPDATE registration SET sync_state = 'queued' WHERE id = ? AND sync_state != 'conflict'",
                     (record_id,))
