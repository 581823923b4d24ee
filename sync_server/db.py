"""Database engines for the server: SQLite by default, PostgreSQL when DATABASE_URL says so; migrations at start.

SQLite: one writer at a time, so write transactions start with BEGIN IMMEDIATE (the write lock is taken before any
read, so two pushes cannot interleave their read-then-write). PostgreSQL: row locks (SELECT ... FOR UPDATE) instead.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, create_engine, event, text

from . import migrations as migrations_package

MIGRATION_LOCK_KEY = 0x57A1_0001  # pg advisory lock: two processes starting together apply migrations once


@dataclass
class Database:
    url: str
    write_engine: Engine
    read_engine: Engine

    @property
    def is_postgres(self) -> bool:
        return self.write_engine.dialect.name == "postgresql"

    def dispose(self) -> None:
        self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            self.read_engine.dispose()


def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 60})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a committed push survives a process kill
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def open_database(url: str, *, pool_size: int = 10) -> Database:
    if url.startswith("sqlite"):
        return Database(url, _sqlite_engine(url, immediate=True), _sqlite_engine(url, immediate=False))
    engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
    return Database(url, engine, engine)


def _migration_modules() -> list:
    modules = [
        importlib.import_module(f"{migrations_package.__name__}.{info.name}")
        for info in pkgutil.iter_modules(migrations_package.__path__)
        if info.name.startswith("m") and info.name[1:5].isdigit()
    ]
    return sorted(modules, key=lambda m: m.VERSION)


def migrate(db: Database) -> list[int]:
    """Apply every numbered migration not yet applied, in one transaction; returns the versions applied."""
    applied_now: list[int] = []
    with db.write_engine.begin() as conn:
        if db.is_postgres:
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
        conn.execute(text(
            "CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
            " applied_at TIMESTAMP NOT NULL)"
        ))
        done = {row[0] for row in conn.execute(text("SELECT version FROM schema_migration"))}
        for module in _migration_modules():
            if module.VERSION in done:
                continue
            module.upgrade(conn)
            conn.execute(
                text("INSERT INTO schema_migration (version, name, applied_at) VALUES (:v, :n, :t)"),
                {"v": module.VERSION, "n": module.NAME, "t": datetime.now(UTC)},
            )
            applied_now.append(module.VERSION)
    return applied_now


def schema_version(db: Database) -> int:
    with db.read_engine.connect() as conn:
        return conn.execute(text("SELECT COALESCE(MAX(version), 0) FROM schema_migration")).scalar_one()


def utcnow() -> datetime:
    """Aware UTC (SQLModel's datetime columns refuse naive values and return UTC)."""
    return datetime.now(UTC)
