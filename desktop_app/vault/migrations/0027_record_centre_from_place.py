"""0027 (access: a record naming no centre was every centre's). A record whose form asks no centre question was
stored with a NULL `registration.centre`, and a centre-scoped reader of any centre saw it on a shared laptop. Records
saved from now on take the laptop's centre when their form names none (vault/writer/records.py); this fills the
records this laptop made before, from the laptop's place (meta `place.centre`, the code the visibility filter
compares against), and their indicator facts (`indicator_fact.centre` is the record's centre).

Made here: the record's first op carried no base version (the server had never seen it), or it never travelled (no
server version, no merge base). A record pulled from the server is not guessed at: the server knows its centre and
names it with each change pulled (docs/sync-protocol.md, `Change.centre_id`, `centre_name`). So that every such record
gets it, a laptop that holds one still naming no centre pulls everything again from the start at its next sync (its
cursor emptied, as after a server restore: what is already here is compared by hash and not written again; the
records naming no centre take the one each change names, sync/store.py). Until then no centre-scoped person sees
them (a record naming no centre is nobody's centre: waypoint_core/access/policy.within). A laptop with no place fills
nothing (nothing is limited by centre on it).
"""

from __future__ import annotations

from typing import Any

# Not a record with an op in flight that sends its registration's state (a wire stub, `@record:`/`@content:`, or
# the payload 'record': vault/writer/bases.py): that op is rebuilt from the registration and checked against the hash
# of what was sent, so naming its centre here made every sync and USB export stop with WireLost. Such a record keeps
# naming none; the cursor is emptied for it below, and the pull after its acknowledgement names it (through the
# writer, which writes the op out first).
_MADE_HERE = (
    "SELECT r.id FROM registration r LEFT JOIN registration_sync rs ON rs.record_id = r.id "
    "WHERE r.deleted = 0 AND r.centre IS NULL AND ("
    "EXISTS (SELECT 1 FROM outbox o WHERE o.record_id = r.id AND o.base_version IS NULL) "
    "OR (rs.server_version IS NULL AND NOT EXISTS (SELECT 1 FROM sync_record s WHERE s.record_id = r.id))) "
    "AND NOT EXISTS (SELECT 1 FROM outbox f WHERE f.record_id = r.id AND f.acked_at IS NULL "
    "AND (f.wire LIKE '@%' OR f.payload = 'record'))")


def upgrade(conn: Any) -> None:
    row = conn.execute("SELECT value FROM meta WHERE key = 'place.centre'").fetchone()
    centre = row[0] if row is not None else ""
    if not centre:
        return
    made_here = [(centre, record_id) for (record_id,) in conn.execute(_MADE_HERE).fetchall()]
    if made_here:
        conn.executemany("UPDATE registration SET centre = ? WHERE id = ?", made_here)
        conn.executemany("UPDATE indicator_fact SET centre = ? WHERE record_id = ? AND centre IS NULL", made_here)
    if conn.execute("SELECT 1 FROM registration WHERE deleted = 0 AND centre IS NULL LIMIT 1").fetchone():
        conn.execute("UPDATE sync_state SET value = '' WHERE key = 'cursor'")
