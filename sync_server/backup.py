"""`admin backup` and `admin restore`: a logical copy of the whole database, the same on SQLite and PostgreSQL.

A backup is one owner-only gzip file of JSON lines: a header (schema version, epoch, feed position, the key ids the
database names), then each table's rows, read in one consistent snapshot while the server runs. The tables are those
the database itself holds (every table the migrations made, read from the schema at backup time, on SQLite and
PostgreSQL alike), less the few `EXCLUDED` names with their reasons: a table a new migration adds is in every backup
without anyone listing it (a hand-kept list once left out roles, lost-device orders, alarms and the audit chains).
Record content in it is sealed under the data key, which the backup does not hold: keep keys/ backed up separately
(without the data key a backup cannot be read; with keys/ alone no record can be).

Restore replaces the database with the backup's content in one step (PostgreSQL: one transaction; SQLite: a new file
moved into place, the old one kept beside it), migrates it to this version, and starts a new feed epoch: every device
then refuses its old cursor, sends again what the restored database lost and pulls what it lacks. Keys are not rolled
back: key records newer than the backup (a rotation since) are kept, or, on a host whose database was lost, taken
again from the rotation statements keys/ holds (keys.adopt_rotations). Nor is who may sync: the device journal
(device_journal.py, beside keys/) is replayed into the restored database, so devices enrolled since the backup keep
working and devices revoked since stay revoked. Refused while a server runs on the data folder (files.SERVE_LOCK).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import secrets
import sqlite3
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, MetaData, Table, select, text

from . import device_journal, epochs
from .atrest import DataKey
from .device_journal import DeviceJournal
from .db import Database, MigrationContext, apply_migrations, latest_schema_version, migration_modules, open_database
from .files import StartupRefused, hold_for_restore, open_private, private_dir
from .keys import KeysProblem, active_key_ids, adopt_rotations, find_key, load_keyring
from .migrations.m0006_scope import fill_record_kind
from .settings import Settings

FORMAT = "waypoint-server-backup"
FORMAT_VERSION = 1
# Tables of the migrated database a backup leaves out, each with the reason. Nothing else may be left out: the test
# tests/server/test_server_restore.py::test_a_backup_holds_every_table_of_the_migrated_schema fails otherwise.
EXCLUDED: dict[str, str] = {}
KEY_TABLES = ("server_key", "key_rotation")
CHUNK = 1000


def _encode(value: Any) -> Any:
    return {"$dt": value.isoformat()} if isinstance(value, datetime) else value


def _decode(value: Any) -> Any:
    return datetime.fromisoformat(value["$dt"]) if isinstance(value, dict) and "$dt" in value else value


def _tables(conn: Connection) -> dict[str, Table]:
    """Every table this database holds (less `EXCLUDED`), parents before children (foreign keys), then by name."""
    metadata = MetaData()
    metadata.reflect(conn)
    return {table.name: table for table in metadata.sorted_tables if table.name not in EXCLUDED}


def _rows(conn: Connection, table: Table) -> Iterator[list[Any]]:
    order = list(table.primary_key.columns) or list(table.columns)
    result = conn.execution_options(stream_results=True, yield_per=CHUNK).execute(select(table).order_by(*order))
    for row in result:
        yield [_encode(v) for v in row]


def backup(db: Database, path: Path) -> dict[str, Any]:
    """Write the whole database to `path` (which must not exist), owner-only; returns what it holds.

    Written under a temporary name beside it, fsynced, then renamed: a backup cut short (a full disk, a power cut, a
    stick pulled out) is never left under the name the administrator keeps, where a later restore would find it
    damaged when it is needed. A failure to write says so in words (StartupRefused)."""
    if path.exists():
        raise StartupRefused(f"{path} already exists; choose a new file name")
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial")
    try:
        header, counts = _write_backup(db, temp)
        os.replace(temp, path)
        _fsync_folder(path.parent)
    except OSError as exc:
        raise StartupRefused(f"the backup could not be written to {path} ({exc.strerror or type(exc).__name__}): "
                             "nothing was kept under that name; choose a place with room that this account may "
                             "write to, and run the backup again") from exc
    finally:
        temp.unlink(missing_ok=True)
    return {**header, "rows": counts}


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_backup(db: Database, path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    counts: dict[str, int] = {}
    fd = open_private(path)
    try:
        with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb") as packed:
            out = io.TextIOWrapper(packed, encoding="utf-8")
            engine = db.read_engine.execution_options(isolation_level="REPEATABLE READ") if db.is_postgres \
                else db.read_engine
            with engine.begin() as conn:  # one snapshot: SQLite's BEGIN in WAL mode, PostgreSQL's REPEATABLE READ
                header = {"format": FORMAT, "format_version": FORMAT_VERSION,
                          "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                          "schema_version": conn.execute(text("SELECT MAX(version) FROM schema_migration")).scalar_one(),
                          "epoch": epochs.current(conn), "last_seq": epochs.last_seq(conn),
                          "keys": active_key_ids(conn), "database": db.write_engine.dialect.name,
                          "excluded": sorted(EXCLUDED)}
                out.write(json.dumps(header) + "\n")
                for name, table in _tables(conn).items():
                    out.write(json.dumps({"table": name, "columns": [c.name for c in table.columns]}) + "\n")
                    counts[name] = 0
                    for row in _rows(conn, table):
                        out.write(json.dumps(row, ensure_ascii=False) + "\n")
                        counts[name] += 1
            out.flush()
            out.detach()
            packed.close()  # the gzip trailer, then the bytes on the disk before the file gets its name
            raw.flush()
            os.fsync(raw.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return header, counts


def read_header(path: Path) -> dict[str, Any]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            header = json.loads(handle.readline())
    except FileNotFoundError as exc:
        raise StartupRefused(f"{path}: no such file (nothing was changed)") from exc
    except (ValueError, EOFError, zlib.error, gzip.BadGzipFile):  # not gzip, not JSON, cut short
        header = None
    except OSError as exc:
        raise StartupRefused(f"{path} cannot be read ({exc.strerror}): nothing was changed") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise StartupRefused(f"{path} is not a Waypoint server backup")
    if header.get("format_version") != FORMAT_VERSION or header["schema_version"] > latest_schema_version():
        raise StartupRefused(f"{path} was written by a newer waypoint-server (schema {header['schema_version']}); "
                             "restore it with that version")
    return header


def _load(conn: Connection, path: Path) -> dict[str, int]:
    """Each table's rows, as the backup lists them (a dict line opens a table, list lines are its rows)."""
    tables = _tables(conn)
    counts: dict[str, int] = {}
    table: Table | None = None
    columns: list[str] = []
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        if table is not None and batch:
            conn.execute(table.insert(), batch)
            counts[table.name] += len(batch)
            batch.clear()

    with gzip.open(path, "rt", encoding="utf-8") as handle:
        handle.readline()  # the header
        for line in handle:
            item = json.loads(line)
            if isinstance(item, dict):
                flush()
                if item["table"] not in tables:
                    raise StartupRefused(f"{path} is damaged: it holds a table ({item['table']}) that its schema "
                                         "version does not have")
                table, columns = tables[item["table"]], item["columns"]
                conn.execute(table.delete())
                counts[table.name] = 0
            elif table is None:
                raise StartupRefused(f"{path} is damaged (rows before any table)")
            else:
                batch.append({c: _decode(v) for c, v in zip(columns, item)})
                if len(batch) == CHUNK:
                    flush()
        flush()
    if conn.dialect.name == "postgresql":  # explicit ids were loaded: move the serial sequences past them
        for loaded in tables.values():
            keys = list(loaded.primary_key.columns)
            if len(keys) == 1 and keys[0].autoincrement is not False and str(keys[0].type) == "INTEGER":
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{loaded.name}', '{keys[0].name}'), "
                                  f"COALESCE((SELECT MAX({keys[0].name}) FROM {loaded.name}), 0) + 1, false)"))
    return counts


def _current_keys(db: Database) -> dict[str, list[dict[str, Any]]]:
    """The key tables of the database being replaced (keys are not rolled back by a restore)."""
    try:
        with db.read_engine.connect() as conn:
            tables = _tables(conn)
            return {name: [dict(row._mapping) for row in conn.execute(select(tables[name]))]
                    for name in KEY_TABLES if name in tables}
    except Exception:  # a damaged database being replaced: nothing to keep from it
        return {}


def _keep_keys(conn: Connection, kept: dict[str, list[dict[str, Any]]]) -> None:
    tables = _tables(conn)
    known = {row.key_id for row in conn.execute(select(tables["server_key"].c.key_id))}
    current_active = {row["purpose"] for row in kept.get("server_key", []) if row["active"]}
    for purpose in current_active - {"data"}:  # the data key stays the backup's: its records are sealed with it
        conn.execute(tables["server_key"].update().where(tables["server_key"].c.purpose == purpose)
                     .values(active=False))
    for row in kept.get("server_key", []):
        keep_active = bool(row["active"]) and row["purpose"] != "data"
        if row["key_id"] not in known:
            conn.execute(tables["server_key"].insert().values({**row, "active": keep_active}))
        elif row["purpose"] != "data":
            conn.execute(tables["server_key"].update().where(tables["server_key"].c.key_id == row["key_id"])
                         .values(active=keep_active))
    if "key_rotation" in tables:
        seen = {row.signing_key_id for row in conn.execute(select(tables["key_rotation"].c.signing_key_id))}
        for row in kept.get("key_rotation", []):
            if row["signing_key_id"] not in seen:
                conn.execute(tables["key_rotation"].insert().values({k: v for k, v in row.items() if k != "id"}))


def restore(settings: Settings, path: Path) -> dict[str, Any]:
    """Replace the database with the backup at `path`; returns the new epoch and what was loaded. Refused while a
    server runs on this data folder (it holds files.SERVE_LOCK)."""
    private_dir(settings.data_dir)
    lock = hold_for_restore(settings.data_dir)
    try:
        return _restore(settings, path)
    finally:
        os.close(lock)


def _restore(settings: Settings, path: Path) -> dict[str, Any]:
    header = read_header(path)
    data_id = header["keys"].get("data")
    data_key = find_key(settings.keys_dir, "data", data_id) if data_id else None
    if data_key is None:  # checked before anything is touched
        raise StartupRefused(f"this backup's records are sealed with data key {data_id}, which {settings.keys_dir} "
                             "does not hold: restore the keys folder from its backup first (nothing was changed)")
    private_dir(settings.data_dir)
    assert isinstance(data_key, DataKey)
    journal = DeviceJournal.beside(settings.data_dir, data_key).entries()  # a damaged journal refuses here, untouched
    current = open_database(settings.database_url, pool_size=1)
    kept = _current_keys(current)
    reason = f"restored from a backup taken at {header['created_at']}"
    context = MigrationContext(data_key=data_key)
    modules = migration_modules()
    before = [m for m in modules if m.VERSION <= header["schema_version"]]
    after = [m for m in modules if m.VERSION > header["schema_version"]]
    if current.is_postgres:
        target = current
    else:
        current.dispose()
        assert settings.sqlite_path is not None
        fresh = settings.sqlite_path.with_name(f"{settings.sqlite_path.name}.restoring-{secrets.token_hex(4)}")
        target = open_database(f"sqlite:///{fresh}", pool_size=1)
    try:
        with target.write_engine.begin() as conn, _readable(path):
            if target.is_postgres:  # every table the migrations made; they are made again just below
                for name in reversed(list(_tables_to_drop(conn))):
                    conn.execute(text(f'DROP TABLE IF EXISTS "{name}" CASCADE'))
            apply_migrations(conn, before, context)
            counts = _load(conn, path)
            missing = sorted(set(_tables(conn)) - set(counts))
            if "record_kind" in missing:  # an older backup without it: the cases are found again from the records
                fill_record_kind(conn, context)
                missing.remove("record_kind")
            _keep_keys(conn, kept)
            adopted = adopt_rotations(conn, settings.keys_dir)  # rotations since the backup, kept in keys/
            apply_migrations(conn, after, context)
            replayed = device_journal.replay(conn, journal)
            epoch = epochs.start(conn, reason)
            seq = epochs.last_seq(conn)
    except BaseException:
        target.dispose()
        if not current.is_postgres:  # the half-built copy goes; the database in place was never touched
            for suffix in ("", "-wal", "-shm", "-journal"):
                fresh.with_name(fresh.name + suffix).unlink(missing_ok=True)
        raise
    target.dispose()
    if not current.is_postgres:
        _swap_sqlite(settings.sqlite_path, fresh)
    epochs.write_mark(settings.data_dir, epoch, seq)
    check = open_database(settings.database_url, pool_size=1)
    try:
        load_keyring(settings.keys_dir, check)  # says what to restore if keys/ does not match the restored database
    except KeysProblem as exc:  # the restore is done: say so, and what keeps the server from starting
        raise KeysProblem(f"the backup was restored (a new epoch began: {epoch}), but `serve` will refuse to start "
                          f"until keys/ matches it: {exc}") from exc
    finally:
        check.dispose()
    return {"epoch": epoch, "last_seq": seq, "backup_created_at": header["created_at"], "rows": counts,
            "missing_tables": missing, "journal_replayed": dict(replayed), "rotations_adopted": adopted}


@contextmanager
def _readable(path: Path) -> Iterator[None]:
    """A backup cut short (a copy interrupted, a full disk when it was written) or damaged is found while it is read,
    inside the restore's transaction: refused in words, nothing changed."""
    try:
        yield
    except (EOFError, gzip.BadGzipFile, zlib.error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StartupRefused(f"{path} is damaged or cut short ({type(exc).__name__}): nothing was changed; restore "
                             "another backup (the newest whole one you have)") from exc


def _tables_to_drop(conn: Connection) -> list[str]:
    metadata = MetaData()
    metadata.reflect(conn)
    return [table.name for table in metadata.sorted_tables]


def _swap_sqlite(live: Path | None, fresh: Path) -> None:
    assert live is not None
    with sqlite3.connect(fresh, isolation_level=None) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file before it moves
    raw.close()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for suffix in ("", "-wal", "-shm"):
        old = live.with_name(live.name + suffix)
        if old.exists():
            os.replace(old, live.with_name(f"{live.name}.before-restore-{stamp}{suffix}"))
    for suffix in ("-wal", "-shm"):
        fresh.with_name(fresh.name + suffix).unlink(missing_ok=True)
    os.replace(fresh, live)
