"""`verify` and `info`: what an administrator (or the crash test) checks on an unlocked vault.

verify reads every page through SQLCipher's HMAC check, runs SQLite's own integrity check, compares
the schema with what the migrations build, reads every registration and its outbox trail, checks that the
indicators' facts (indicator_fact) are those the records give, and checks every slot's role grant. Damage is
reported as problems (naming the page), never as an exception: verify is how one learns what is wrong.
`check_pages` is the page part alone, which the app runs in the background after each unlock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_app.vault import database, grants, indicator_facts, keyslots
from desktop_app.vault.errors import RoleNotGranted, TamperedDatabase, TamperedKeySlots, VaultError
from desktop_app.vault.keyslots import Doc
from desktop_app.vault.models import STATUSES, SYNC_STATES, SYNC_WRITER
from desktop_app.vault.sql import Db


@dataclass
class VerifyReport:
    records: int = 0
    outbox_rows: int = 0
    schema_version: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _connect(folder: Path, doc: Doc, dek: bytes) -> database.Connection:
    return database.connect_raw(folder / database.DB_FILE, dek, page_size=keyslots.cipher_page_size(doc),
                                isolation_level=None)


def _open_slots(conn: database.Connection, doc: Doc) -> None:
    """Open the slots' entries (names, roles, grants) with the key the database holds (keyslots.py)."""
    if doc["format"] == keyslots.FORMAT_V1:
        return
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (keyslots.DIRECTORY_META_KEY,)).fetchone()
    if row is None:
        raise TamperedKeySlots("the database holds no key for the key slots' entries")
    keyslots.open_entries(doc, keyslots.b64d(str(row[0])))


def verify(folder: Path, dek: bytes) -> VerifyReport:
    report = VerifyReport()
    doc = keyslots.load(folder)
    conn = _connect(folder, doc, dek)
    try:
        _open_slots(conn, doc)
        if doc["pending_generation"] is not None:
            report.problems.append("a data key rotation is unfinished")
        for slot in doc["slots"]:
            if str(doc["generation"]) not in slot["envelopes"]:
                report.problems.append(f"slot {slot['username']!r} lacks the current data key")
        report.problems.extend(_page_problems(conn))
        if report.ok:  # damaged pages would make the reads below fail on the same damage
            _check_schema(conn, report)
            _check_records(conn, report)
            _check_facts(conn, report)
            _check_roles(conn, doc, report)
    except Exception as exc:
        mapped = database.map_db_error(exc)
        if isinstance(mapped, TamperedDatabase):
            report.problems.append(f"reading the database failed: {mapped}")
        elif mapped is exc:
            raise
        else:
            raise mapped from exc
    finally:
        conn.close()
    return report


class CheckStopped(Exception):
    """`should_stop` said so: the page check was abandoned part-way (nothing is known of the rest)."""


def check_pages(folder: Path, dek: bytes, *, should_stop: Callable[[], bool] | None = None) -> list[str]:
    """The full page check on its own connection; `should_stop` is polled as SQLite works (a lock)."""
    doc = keyslots.load(folder)
    conn = _connect(folder, doc, dek)
    if should_stop is not None:
        conn.set_progress_handler(lambda: 1 if should_stop() else 0, 1000)
    try:
        return _page_problems(conn)
    except Exception as exc:
        if should_stop is not None and should_stop():
            raise CheckStopped() from exc
        raise
    finally:
        conn.close()


def _page_problems(conn: database.Connection) -> list[str]:
    """Every page's HMAC, then SQLite's own structure check; one line per problem, naming the page."""
    problems = [f"encrypted page check: {row} (the file was damaged or altered there)"
                for (row,) in conn.execute("PRAGMA cipher_integrity_check").fetchall()]
    if problems:
        return problems  # SQLite's check would stop at the first unreadable page with less to say
    try:
        rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check").fetchall()]
    except Exception as exc:
        mapped = database.map_db_error(exc)
        if not isinstance(mapped, VaultError):
            raise
        return [f"integrity check could not finish: {mapped}"]
    if rows != ["ok"]:
        problems.extend(f"integrity check: {r}" for r in rows)
    for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check").fetchall():
        problems.append(f"{table} row {rowid} points to a missing {parent}")
    return problems


def _check_roles(conn: database.Connection, doc: Doc, report: VerifyReport) -> None:
    """Every slot's role was granted by the authority whose public half is in the database."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (grants.AUTHORITY_META_KEY,)).fetchone()
    if row is None:
        report.problems.append("the vault has no role authority (it is made at the next unlock)")
        return
    try:
        authority = grants.public_from_text(str(row[0]))
    except RoleNotGranted as exc:
        report.problems.append(str(exc))
        return
    db_roles = {str(uid): str(role) for uid, role in conn.execute("SELECT id, role FROM user WHERE active = 1")}
    for slot in doc["slots"]:
        try:
            grant = grants.check(doc, slot, authority)
        except RoleNotGranted as exc:
            report.problems.append(f"slot {slot['username']!r}: {exc.detail}")
            continue
        if slot["kind"] != "user":
            continue
        if slot["user_id"] not in db_roles:
            report.problems.append(f"slot {slot['username']!r} belongs to no active user of the user table")
        elif db_roles[slot["user_id"]] not in grant.roles:
            report.problems.append(f"slot {slot['username']!r}: its role differs from the user table")


def _check_schema(conn: database.Connection, report: VerifyReport) -> None:
    report.schema_version = database.schema_version(conn)
    latest = database.latest_version()
    if report.schema_version != latest:
        report.problems.append(f"schema version {report.schema_version}, expected {latest}")
    elif database.schema_signature(conn) != database.expected_signature(latest):
        report.problems.append("the tables differ from what the migrations create")


def _check_records(conn: database.Connection, report: VerifyReport) -> None:
    queued = {
        (rid, ver) for rid, ver in conn.execute("SELECT record_id, record_version FROM outbox").fetchall()
    }
    report.outbox_rows = len(queued)
    # LEFT JOIN, not join_sync: a registration without its sync row (registration_sync) is a problem to name
    cursor = conn.execute(
        "SELECT id, form_id, form_version, status, content, version, rs.sync_state, deleted, "
        "updated_by, rs.server_version, purged_at FROM registration LEFT JOIN registration_sync rs "
        "ON rs.record_id = registration.id"
    )
    for rid, form_id, form_version, status, content, version, sync_state, deleted, by, server_version, purged in cursor:
        report.records += 1
        where = f"registration {rid}"
        if sync_state is None:
            report.problems.append(f"{where}: no sync state (registration_sync)")
        if status not in STATUSES or sync_state not in (None, *SYNC_STATES):
            report.problems.append(f"{where}: unknown status or sync state")
        # a retention purge may leave no content (a record whose form is not installed here: nothing could be kept)
        if not isinstance(content, str) or (not deleted and not purged and not content):
            report.problems.append(f"{where}: content missing")
        if not form_id or not form_version or not isinstance(version, int) or version < 1:
            report.problems.append(f"{where}: form or version missing")
        # A version the sync client wrote from the server (desktop_app/sync/store.py) has no outbox row by design,
        # nor does a draft that stays on this laptop (sync state 'local').
        from_server = by == SYNC_WRITER and server_version is not None
        if (rid, version) not in queued and not from_server and sync_state != "local":
            report.problems.append(f"{where}: no outbox row for version {version}")
    orphans = conn.execute("SELECT count(*) FROM registration_sync WHERE record_id NOT IN "
                           "(SELECT id FROM registration)").fetchone()[0]
    if orphans:
        report.problems.append(f"{orphans} sync state row(s) (registration_sync) of no registration")
    holding = conn.execute("SELECT count(*) FROM outbox WHERE (acked_at IS NOT NULL OR device_seq IS NULL) "
                           "AND (payload != '' OR wire IS NOT NULL)").fetchone()[0]
    if holding:
        report.problems.append(f"{holding} outbox operation(s) not in flight still hold a copy of a record")


def _check_facts(conn: database.Connection, report: VerifyReport) -> None:
    """indicator_fact holds what the records give (the writer keeps it with every change)."""
    held = {row[0]: row for row in conn.execute(f"SELECT {', '.join(indicator_facts.COLUMNS)} FROM indicator_fact")}
    expected = {row["record_id"]: tuple(row[c] for c in indicator_facts.COLUMNS)
                for row in indicator_facts.derive(Db(conn))}
    differ = sum(1 for record_id in held.keys() | expected.keys() if held.get(record_id) != expected.get(record_id))
    if differ:
        report.problems.append(f"indicator_fact: {differ} record(s) whose facts differ from the record")


def info(folder: Path, dek: bytes) -> dict[str, Any]:
    doc = keyslots.load(folder)
    conn = _connect(folder, doc, dek)
    try:
        _open_slots(conn, doc)
        by_status = {s: 0 for s in STATUSES}
        for status, deleted, n in conn.execute(
            "SELECT status, deleted, count(*) FROM registration GROUP BY status, deleted"
        ):
            if deleted:
                by_status["deleted"] = by_status.get("deleted", 0) + n
            else:
                by_status[status] = by_status.get(status, 0) + n
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        unsynced = conn.execute("SELECT count(*) FROM outbox WHERE acked_at IS NULL").fetchone()[0]
        version = database.schema_version(conn)
    finally:
        conn.close()
    return {
        "vault": str(folder),
        "vault_id": meta.get("vault_id"),
        "device_id": meta.get("device_id"),
        "created_at": meta.get("created_at"),
        "schema_version": version,
        "schema_version_supported": database.latest_version(),
        "kdf_profile": doc["kdf_profile"],
        "cipher_page_size": keyslots.cipher_page_size(doc),
        "kdf": {k: doc["kdf"][k] for k in ("alg", "m", "t", "p")}
        | {"m_unit": "KiB", "calibrated_s": doc["kdf"].get("calibrated_s")},
        "slots": [
            {"username": s["username"], "role": s["role"], "kind": s["kind"],
             **{k: s["kdf"][k] for k in ("m", "t", "p")}}
            for s in doc["slots"]
        ],
        "data_key_generation": doc["generation"],
        "registrations": by_status,
        "outbox_unacknowledged": unsynced,
    }
