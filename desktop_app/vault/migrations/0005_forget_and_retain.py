"""0005 (writer): a vault that forgets what it must, keeps one pending op per record, and can purge by retention.

- registration.acked_at: when the server last acknowledged the record (our op applied, or its state pulled); the
  retention period counts from here. registration.purged_at: when retention removed its identifying data.
- outbox.wire_sha256: what an acknowledged op keeps of what was sent (its content is wiped; ids, seq and hash stay).
- The six single-column indexes on summary columns are dropped: no query uses them (the list and the title
  search use ix_registration_list) and each made every save write six more b-trees.
- Existing rows follow the new rules: acknowledged ops lose their content; a deleted record loses every copy
  (conflicts, the merge base); a record keeps at most one op not yet frozen into a batch (the op sends the
  record's current state, so the row holds no content); drafts stay on the laptop (their unsent ops go,
  their sync state is 'local').
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

BLIND = "\x00withheld"  # as desktop_app/vault/writer/sync.py: a merge base whose values were forgotten


def upgrade(conn: Any) -> None:
    conn.execute("ALTER TABLE registration ADD COLUMN acked_at TEXT")
    conn.execute("ALTER TABLE registration ADD COLUMN purged_at TEXT")
    conn.execute("ALTER TABLE outbox ADD COLUMN wire_sha256 TEXT")
    for name in ("title", "sex", "age", "nationality", "centre", "registered_on"):
        conn.execute(f"DROP INDEX IF EXISTS ix_registration_{name}")

    hashes = [(hashlib.sha256(wire.encode("utf-8")).hexdigest(), seq)
              for seq, wire in conn.execute("SELECT seq, wire FROM outbox WHERE wire IS NOT NULL").fetchall()]
    conn.executemany("UPDATE outbox SET wire_sha256 = ? WHERE seq = ?", hashes)
    conn.execute("UPDATE outbox SET payload = '', wire = NULL WHERE acked_at IS NOT NULL")
    conn.execute("UPDATE registration SET acked_at = (SELECT MAX(o.acked_at) FROM outbox o WHERE o.record_id = "
                 "registration.id) WHERE sync_state IN ('acknowledged', 'sent')")
    conn.execute("UPDATE registration SET acked_at = updated_at WHERE sync_state IN ('acknowledged', 'sent') "
                 "AND acked_at IS NULL")

    # One unfrozen op per record: the newest says what to send (the record's current state), the older go.
    conn.execute("DELETE FROM outbox WHERE device_seq IS NULL AND acked_at IS NULL AND seq NOT IN ("
                 "SELECT MAX(seq) FROM outbox WHERE device_seq IS NULL AND acked_at IS NULL GROUP BY record_id)")
    conn.execute("UPDATE outbox SET payload = '' WHERE device_seq IS NULL AND acked_at IS NULL")
    # Drafts stay on this laptop: their unsent ops go.
    conn.execute("DELETE FROM outbox WHERE device_seq IS NULL AND acked_at IS NULL AND op = 'upsert' AND record_id IN "
                 "(SELECT id FROM registration WHERE status = 'draft' AND deleted = 0)")
    conn.execute("UPDATE registration SET sync_state = 'local' WHERE status = 'draft' AND deleted = 0 AND id NOT IN "
                 "(SELECT record_id FROM outbox WHERE acked_at IS NULL)")

    # A deleted record keeps no copy: no conflict, and a merge base without values.
    conn.execute("DELETE FROM conflict WHERE record_id IN (SELECT id FROM registration WHERE deleted = 1)")
    rows = conn.execute("SELECT s.record_id, s.base FROM sync_record s JOIN registration r ON r.id = s.record_id "
                        "WHERE r.deleted = 1").fetchall()
    conn.executemany("UPDATE sync_record SET base = ?, stale = 0 WHERE record_id = ?",
                     [(json.dumps(blind(json.loads(base)), sort_keys=True), record_id) for record_id, base in rows])


def blind(state: dict[str, Any]) -> dict[str, Any]:
    return {"form_id": state.get("form_id", ""), "form_version": state.get("form_version", ""),
            "deleted": bool(state.get("deleted")), "fields": {name: BLIND for name in state.get("fields") or {}},
            "content": BLIND if state.get("content") is not None else None}
