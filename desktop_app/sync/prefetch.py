"""Set-based reads for one batch of sync work, so that freezing, acknowledging and applying cost a few
statements per batch instead of a dozen per record.

Every SQLCipher statement costs ~50 µs of page work whatever it returns; a push of 10,000 records used to run
~150,000 of them. These read what a batch needs in chunks of `CHUNK` keys (`WHERE ... IN (...)`) inside the
caller's transaction; the per-record logic then runs in Python over the dicts, which the callers keep in step
with their own writes.
"""

from __future__ import annotations

from collections import Counter, namedtuple
from collections.abc import Iterable
from dataclasses import dataclass

from desktop_app.vault.models import SUMMARY_FIELDS
from desktop_app.vault.sql import chunks, in_json, join_sync, text
from desktop_app.vault.states import State, state_from_columns
from desktop_app.vault.writer import sent_wires
from waypoint_core.protocol import FILES_FIELD

# Ops not acknowledged, by record: the partial index of vault migration 0018 (only those ops, so the reads below never
# visit the acknowledged ops a record had before; left to itself SQLite would walk ix_outbox_acked_at).
PENDING = "INDEXED BY ix_outbox_pending WHERE acked_at IS NULL"

# What sync_record holds for one record (the fields the old per-record SELECT returned, same names).
Known = namedtuple("Known", "server_version base hlc stale hash", defaults=(None,))


def keys(part: list) -> dict[str, str]:
    """`sql.in_json`'s one JSON parameter, joined rather than listed: `FROM json_each(:keys) k CROSS JOIN some_table t
    ON t.key = k.value`. `IN (SELECT value FROM json_each(:keys))` first copies the keys into a temporary b-tree; the
    join reads them in order and finds each row by its index (CROSS JOIN keeps the keys the outer loop, whatever the
    planner makes of the table's other indexes): 1.4 to 4 times cheaper per key on a pushed vault (docs/sync-client.md).
    The callers pass distinct keys (a list drops duplicates; a join would not)."""
    return in_json(part)[1]


def known_records(conn, record_ids: Iterable[str]) -> dict[str, Known]:
    found: dict[str, Known] = {}
    for part in chunks(set(record_ids)):
        for row in conn.execute(text("SELECT s.record_id, s.server_version, s.base, s.hlc, s.stale, s.hash "
                                     "FROM json_each(:keys) k CROSS JOIN sync_record s ON s.record_id = k.value"),
                                keys(part)).all():
            found[row.record_id] = Known(row.server_version, row.base, row.hlc, row.stale, row.hash)
    return found


# The registration columns a record's state is made of (states.state_from_columns reads these and no other).
_STATE_COLUMNS = ("form_id", "form_version", "status", "content", "created_at", "created_by", "deleted", *SUMMARY_FIELDS)
_FREEZE_READ = text(
    "SELECT k.value, r.id IS NOT NULL, r.purged_at, " + ", ".join(f"r.{name}" for name in _STATE_COLUMNS) + ", "
    "s.record_id IS NOT NULL, s.server_version, s.base, s.hlc, s.stale, s.hash, "
    "(SELECT MIN(o.seq) FROM outbox o INDEXED BY ix_outbox_pending WHERE o.record_id = k.value AND o.acked_at IS NULL) "
    "FROM json_each(:keys) k LEFT JOIN registration r ON r.id = k.value LEFT JOIN sync_record s ON s.record_id = k.value")
_FIELDS_READ = text("SELECT f.record_id, f.name, f.value FROM json_each(:keys) k "
                    "CROSS JOIN registration_field f ON f.record_id = k.value")


@dataclass
class FreezeReads:
    """What freezing a batch reads of its records, in two statements per chunk of them (their registration, merge
    base and oldest op not acknowledged in one, their extracted fields in the other) instead of four:
    `states` as writer.registration_states gives them (record_id -> (state, purged_at), for those that exist),
    `known` as known_records, `earlier` the records with an op not acknowledged before their first op of the batch."""

    states: dict[str, tuple[State, str | None]]
    known: dict[str, Known]
    earlier: set[str]


def freeze_reads(conn, first_seq: dict[str, int]) -> FreezeReads:
    """`first_seq`: record_id -> the outbox seq of its first op in the batch."""
    reads = FreezeReads({}, {}, set())
    columns_at = slice(3, 3 + len(_STATE_COLUMNS))
    for part in chunks(sorted(first_seq)):  # (in key order, as registration_states reads them)
        params = keys(part)
        extras: dict[str, dict[str, str]] = {}
        for record_id, name, value in conn.execute(_FIELDS_READ, params).tuples():
            extras.setdefault(record_id, {})[name] = value
        for row in conn.execute(_FREEZE_READ, params).tuples():
            record_id = row[0]
            if row[1]:
                reads.states[record_id] = (state_from_columns(dict(zip(_STATE_COLUMNS, row[columns_at])),
                                                              extras.get(record_id, {})), row[2])
            synced, version, base, hlc, stale, version_hash, oldest = row[columns_at.stop:]
            if synced:
                reads.known[record_id] = Known(version, base, hlc, stale, version_hash)
            if oldest is not None and oldest < first_seq[record_id]:
                reads.earlier.add(record_id)
    return reads


def registrations(conn, record_ids: Iterable[str]) -> list:
    """(id, version, deleted, sync_state) of these registrations."""
    found: list = []
    for part in chunks(set(record_ids)):
        found.extend(conn.execute(text("SELECT r.id, r.version, r.deleted, rs.sync_state FROM json_each(:keys) k "
                                       "CROSS JOIN registration r ON r.id = k.value" + join_sync("r")),
                                  keys(part)).all())
    return found


def earlier_payloads(conn, first_seq: dict[str, int], earlier: set[str]) -> dict:
    """record_id -> (payload, acked_at, wire) of its latest outbox row before `first_seq[record_id]`, for the records
    with an op not acknowledged before it. The others are left out: every row they have before it is acknowledged,
    and a freeze takes nothing from an acknowledged op (store._previous_state). They are told apart by one look at
    the partial index of ops not acknowledged, where the search for each record's latest row walked its outbox rows
    (an edited record's acknowledged op; about 18 µs a record of the freeze). `earlier`: those records, as the
    freeze read them (FreezeReads.earlier)."""
    found: dict = {}
    for part in chunks((record_id, seq) for record_id, seq in first_seq.items() if record_id in earlier):
        names = [f"(:r{n}, :s{n})" for n in range(len(part))]
        params = {}
        for n, (record_id, seq) in enumerate(part):
            params.update({f"r{n}": record_id, f"s{n}": seq})
        rows = conn.execute(text(
            "SELECT o.seq, o.record_id, o.payload, o.acked_at, o.wire, o.wire_sha256 FROM outbox o WHERE o.seq IN ("
            "SELECT (SELECT MAX(e.seq) FROM outbox e WHERE e.record_id = f.column1 AND e.seq < f.column2) "
            f"FROM (VALUES {', '.join(names)}) f)"), params).all()
        wires = sent_wires(conn, rows)
        for row in rows:
            found[row.record_id] = (row.payload, row.acked_at, wires[row.seq])
    return found


_ANSWER_READ = text(
    "SELECT o.device_seq, o.seq, o.op_id, o.record_id, o.record_version, o.payload, o.wire_sha256, o.acked_at, "
    "substr(o.wire, 1, 1) = '@' AS kept, s.record_id IS NOT NULL AS synced, s.server_version, s.base, s.hlc, s.stale, "
    "s.hash, (SELECT COUNT(*) FROM outbox p INDEXED BY ix_outbox_pending WHERE p.record_id = o.record_id "
    "AND p.acked_at IS NULL) AS pending, EXISTS (SELECT 1 FROM conflict c WHERE c.record_id = o.record_id "
    "AND c.resolved_at IS NULL AND c.server_id IS NULL) AS conflicted "
    "FROM json_each(:keys) k CROSS JOIN outbox o ON o.device_seq = k.value "
    "LEFT JOIN sync_record s ON s.record_id = o.record_id")


@dataclass
class AnswerReads:
    """What storing the answer to a batch reads of its ops and their records, in one statement per chunk (it ran four):
    `outbox` device_seq -> its outbox row, with the hash of its wire op but not the wire op itself (2 KB a record,
    which an acknowledgement seldom needs: outbox_wires) and `kept`: whether the wire op is still a stub kept as its
    registration (writer/bases.py); `known` as known_records; `pending` record_id -> its outbox rows not acknowledged
    before the answer (absent: none); `open_conflicts` the records with an open conflict of this laptop's."""

    outbox: dict
    known: dict[str, Known]
    pending: dict[str, int]
    open_conflicts: set[str]


def answer_reads(conn, device_seqs: Iterable[int]) -> AnswerReads:
    reads = AnswerReads({}, {}, {}, set())
    for part in chunks(sorted(set(device_seqs))):
        for row in conn.execute(_ANSWER_READ, keys(part)).all():
            reads.outbox[row.device_seq] = row
            record_id = row.record_id
            if row.synced:
                reads.known[record_id] = Known(row.server_version, row.base, row.hlc, row.stale, row.hash)
            if row.pending:
                reads.pending[record_id] = row.pending
            if row.conflicted:
                reads.open_conflicts.add(record_id)
    return reads


def outbox_wires(conn, seqs: Iterable[int]) -> dict[int, str]:
    """outbox seq -> its wire op as sent (one kept as its registration put back: writer/bases.py), for those that
    have one."""
    found: dict[int, str] = {}
    for part in chunks(set(seqs)):
        marks, params = in_json(part)
        rows = conn.execute(text(f"SELECT seq, record_id, wire, wire_sha256 FROM outbox WHERE seq IN ({marks}) "
                                 "AND wire IS NOT NULL"), params).all()
        found.update(sent_wires(conn, rows))
    return found


# A registration's version and files manifest: what tells an acknowledgement whether the record still holds what its op
# sent (every change of a record's state raises its version, but for the manifest: files added or dropped alone).
Marks = namedtuple("Marks", "version files")


def registration_marks(conn, record_ids: Iterable[str]) -> dict[str, Marks]:
    found: dict[str, Marks] = {}
    for part in chunks(set(record_ids)):
        for row in conn.execute(text(
                "SELECT r.id, r.version, f.value FROM json_each(:keys) k CROSS JOIN registration r ON r.id = k.value "
                f"LEFT JOIN registration_field f ON f.record_id = r.id AND f.name = '{FILES_FIELD}'"),
                keys(part)).all():
            found[row.id] = Marks(int(row.version), row.value)
    return found


def already_known(known, change) -> bool:
    """A pulled change this laptop already holds: a version below the one known, or the same version with the same
    content hash (and not flagged stale): re-delivered, or this laptop's own op coming back from the feed."""
    return known is not None and (change.server_version < known.server_version or (
        change.server_version == known.server_version and known.stale == 0
        and known.hash in (None, change.version_hash)))


class PageReads:
    """What applying one pulled page reads, record by record.

    A record that appears once in the page is read for the whole page up front: applying the other changes
    never touches its rows (every write is keyed by its own record_id). A record that appears more than once
    is read when asked, since its earlier change in the page may have rewritten what the next one reads.
    A change already known here (`already_known`: the laptop's own ops echoed back after a push, a re-delivered
    page) is decided on its sync_record alone, so only that is read for it; its registration (2 KB of content),
    outbox rows and conflicts are read only if asked after all.
    """

    def __init__(self, conn, changes: list) -> None:
        self._conn = conn
        counts = Counter(change.record_id for change in changes)
        once = [record_id for record_id, count in counts.items() if count == 1]
        self._once = set(once)
        self._known = known_records(conn, once)
        needed = [change.record_id for change in changes if change.record_id in self._once
                  and not already_known(self._known.get(change.record_id), change)]
        self._read = set(needed)
        self._pending: dict[str, list] = {}
        self._existing: dict = {}
        self._conflicts: dict[str, list] = {}
        for part in chunks(needed):  # (distinct: each appears once in the page)
            params = keys(part)
            for row in conn.execute(text(
                    "SELECT o.record_id, o.seq, o.payload, o.wire FROM json_each(:keys) k CROSS JOIN outbox o "
                    "INDEXED BY ix_outbox_pending ON o.record_id = k.value WHERE o.acked_at IS NULL ORDER BY o.seq"),
                    params).all():
                self._pending.setdefault(row.record_id, []).append(row)
            for row in conn.execute(text(
                    "SELECT r.id, r.version, r.status, r.content, rs.sync_state, r.purged_at, r.created_at, "
                    "r.created_by, r.centre FROM json_each(:keys) k CROSS JOIN registration r ON r.id = k.value"
                    + join_sync("r")), params).all():
                self._existing[row.id] = row
            for row in conn.execute(text(
                    "SELECT c.record_id, c.id, c.remote FROM json_each(:keys) k CROSS JOIN conflict c "
                    "ON c.record_id = k.value WHERE c.resolved_at IS NULL AND c.server_id IS NULL ORDER BY c.rowid"),
                    params).all():
                self._conflicts.setdefault(row.record_id, []).append(row)

    def read_ahead(self, record_id: str) -> bool:
        """Whether this record's rows were read with the page (it appears once and is not already known): then
        `existing`, `pending` and `open_conflict` answer from those reads."""
        return record_id in self._read

    def known(self, record_id: str):
        if record_id in self._once:
            return self._known.get(record_id)
        return self._conn.execute(text("SELECT server_version, base, hlc, stale, hash FROM sync_record "
                                       "WHERE record_id = :r"), {"r": record_id}).first()

    def pending(self, record_id: str) -> list:
        """Outbox rows not yet acknowledged (seq, payload, wire), oldest first."""
        if record_id in self._read:
            return self._pending.get(record_id, [])
        return self._conn.execute(text("SELECT seq, payload, wire FROM outbox WHERE record_id = :r "
                                       "AND acked_at IS NULL ORDER BY seq"), {"r": record_id}).all()

    def existing(self, record_id: str):
        if record_id in self._read:
            return self._existing.get(record_id)
        return self._conn.execute(text("SELECT version, status, content, rs.sync_state, purged_at, created_at, "
                                       "created_by, centre FROM registration" + join_sync() + " WHERE id = :r"),
                                  {"r": record_id}).first()

    def open_conflict(self, record_id: str):
        # Two open conflicts for one record should not exist; if they do, let SQLite pick as it always did.
        if record_id in self._read and len(self._conflicts.get(record_id, ())) < 2:
            rows = self._conflicts.get(record_id)
            return rows[0] if rows else None
        return self._conn.execute(text("SELECT id, remote FROM conflict WHERE record_id = :r AND resolved_at IS NULL "
                                       "AND server_id IS NULL"),
                                  {"r": record_id}).first()
