"""Database engines for the server: SQLite by default, PostgreSQL when DATABASE_URL says so; migrations at start.

SQLite: one writer at a time, so write transactions start with BEGIN IMMEDIATE (the write lock is taken before any
read, so two pushes cannot interleave their read-then-write). PostgreSQL: row locks (SELECT ... FOR UPDATE) instead.
Statement parameters are never shown in errors (`hide_parameters`): a failing INSERT must not print a person's name.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text

from . import migrations as migrations_package
from .files import StartupRefused, open_private, prepare_sqlite_file

MIGRATION_LOCK_KEY = 0x57A1_0001  # pg advisory lock: two processes starting together apply migrations once
# A serving process checkpoints the WAL off its requests (checkpoint.py); SQLite's own automatic checkpoint stays, at
# this many pages (64 MiB of 4 KiB pages) instead of 1,000, as the bound should that fall behind. A WAL file that was
# started again is cut back to WAL_KEEP_BYTES.
WAL_BOUND_PAGES = 16_384
WAL_KEEP_BYTES = 16 * 1024 * 1024


@dataclass
class Database:
    url: str
    write_engine: Engine
    read_engine: Engine
    # The device journal (device_journal.py) that changes to who may sync are also written to; set by the processes
    # that hold the keys (serve, the admin commands).
    journal: Any = None

    @property
    def is_postgres(self) -> bool:
        return self.write_engine.dialect.name == "postgresql"

    @property
    def sqlite_path(self) -> Path | None:
        return None if self.is_postgres else Path(self.url.removeprefix("sqlite:///"))

    def dispose(self) -> None:
        self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            self.read_engine.dispose()


def _sqlite_engine(url: str, *, immediate: bool, deferred_checkpoints: bool = False) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 60}, hide_parameters=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a committed push survives a process kill
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.execute("PRAGMA secure_delete=ON")  # freed pages are zeroed, not left for a file copy to read
        if deferred_checkpoints:
            cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_BOUND_PAGES}")
            cursor.execute(f"PRAGMA journal_size_limit={WAL_KEEP_BYTES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def open_database(url: str, *, pool_size: int = 10, deferred_checkpoints: bool = False) -> Database:
    """`deferred_checkpoints` (SQLite, a serving process): commits leave the WAL to a checkpoint.Checkpointer."""
    if url.startswith("sqlite"):
        prepare_sqlite_file(Path(url.removeprefix("sqlite:///")))
        return Database(url, _sqlite_engine(url, immediate=True, deferred_checkpoints=deferred_checkpoints),
                        _sqlite_engine(url, immediate=False))
    engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True,
                           hide_parameters=True)
    return Database(url, engine, engine)


@dataclass
class MigrationContext:
    """What a migration may need beyond the connection: the at-rest key to encrypt rows written before it existed."""

    data_key: Any = None  # sync_server.atrest.DataKey
    vacuum: bool = field(default=False)  # set by a migration that removed clear text from a SQLite file


def migration_modules() -> list[ModuleType]:
    modules = [
        importlib.import_module(f"{migrations_package.__name__}.{info.name}")
        for info in pkgutil.iter_modules(migrations_package.__path__)
        if info.name.startswith("m") and info.name[1:5].isdigit()
    ]
    return sorted(modules, key=lambda m: m.VERSION)


def latest_schema_version() -> int:
    return migration_modules()[-1].VERSION


def applied_versions(db: Database) -> set[int]:
    with db.read_engine.connect() as conn:
        if not _has_table(conn, "schema_migration"):
            return set()
        return {row[0] for row in conn.execute(text("SELECT version FROM schema_migration"))}


def _has_table(conn: Connection, name: str) -> bool:
    return inspect(conn).has_table(name)


def migrate(db: Database, context: MigrationContext | None = None, *, up_to: int | None = None) -> list[int]:
    """Apply every numbered migration not yet applied (up to `up_to`), in one transaction; returns those applied.

    On SQLite an existing database is copied aside first (`server.db.pre-migration-N`, owner-only); PostgreSQL runs
    the DDL inside the transaction, so a failed migration leaves the database as it was.
    """
    context = context or MigrationContext()
    newest = latest_schema_version()
    found = max(applied_versions(db), default=0)
    if found > newest:
        raise StartupRefused(f"the database is at schema version {found}, newer than this server ({newest}): "
                             "run the newer waypoint-server")
    pending = [m for m in migration_modules() if m.VERSION > found and (up_to is None or m.VERSION <= up_to)]
    if not pending:
        return []
    if db.sqlite_path is not None and found:
        _backup_sqlite(db.sqlite_path, db.sqlite_path.with_name(f"{db.sqlite_path.name}.pre-migration-{found}"))
    with db.write_engine.begin() as conn:
        if db.is_postgres:
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
        applied_now = apply_migrations(conn, pending, context)
    if context.vacuum and db.sqlite_path is not None:
        vacuum_sqlite(db.sqlite_path)
    return applied_now


def vacuum_sqlite(path: Path) -> None:
    """Rewrite the file, so that no free page keeps clear text a migration replaced."""
    with sqlite3.connect(path, isolation_level=None) as raw:
        raw.execute("VACUUM")
    raw.close()


def apply_migrations(conn: Connection, modules: list[ModuleType], context: MigrationContext) -> list[int]:
    """Run `modules` on this connection, inside the caller's transaction (restore uses it to build a database)."""
    conn.execute(text(
        "CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMP NOT NULL)"
    ))
    done = {row[0] for row in conn.execute(text("SELECT version FROM schema_migration"))}
    applied: list[int] = []
    for module in modules:
        if module.VERSION in done:
            continue  # another process applied it while we waited for the lock
        module.upgrade(conn, context)
        conn.execute(
            text("INSERT INTO schema_migration (version, name, applied_at) VALUES (:v, :n, :t)"),
            {"v": module.VERSION, "n": module.NAME, "t": datetime.now(UTC)},
        )
        applied.append(module.VERSION)
    return applied


def _backup_sqlite(source: Path, target: Path) -> None:
    if target.exists():
        return
    os.close(open_private(target))
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def schema_version(db: Database) -> int:
    with db.read_engine.connect() as conn:
        return conn.execute(text("SELECT COALESCE(MAX(version), 0) FROM schema_migration")).scalar_one()


def utcnow() -> datetime:
    """Aware UTC (SQLModel's datetime columns refuse naive values and return UTC)."""
    return datetime.now(UTC)
