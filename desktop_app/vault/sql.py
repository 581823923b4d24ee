"""Plain DB-API statements on a vault connection, inside the caller's transaction.

A sync of 10,000 records or an import of 100,000 runs hundreds of thousands of small statements; through
SQLAlchemy the per-statement overhead was most of the time. `Db` runs them on the same DB-API connection and in
the same transaction as the vault session that opened it (commit and rollback stay the session's), with rows
readable by column name. The writer (desktop_app/vault/writer) and the sync store use it.
"""

from __future__ import annotations

import json
from collections import namedtuple
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlmodel import Session

Row = Any  # a namedtuple of the statement's columns
Params = Mapping[str, Any] | list[Mapping[str, Any]] | list[dict[str, Any]] | None
CHUNK = 500  # keys per `IN (...)`: far below SQLite's variable limit, and a short statement to prepare


@lru_cache(maxsize=256)
def _row_type(columns: tuple[str, ...]) -> Any:
    return namedtuple("Row", columns, rename=True)


class Result:
    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def _rows(self) -> list[Row]:
        if self._cursor.description is None:
            return []
        make = _row_type(tuple(d[0] for d in self._cursor.description))
        return [make(*row) for row in self._cursor.fetchall()]

    def first(self) -> Row | None:
        rows = self._rows()
        return rows[0] if rows else None

    def all(self) -> list[Row]:
        return self._rows()

    def tuples(self) -> list[tuple[Any, ...]]:
        """The rows as plain tuples, in the statement's column order (no named row made for each: for the reads
        of thousands of rows that take their columns by position)."""
        return self._cursor.fetchall() if self._cursor.description is not None else []

    def scalar_one(self) -> Any:
        return self._cursor.fetchone()[0]

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)


class Db:
    """Statements on one DB-API connection. `execute(sql, [dict, ...])` runs executemany."""

    def __init__(self, raw: Any) -> None:
        self._raw = raw

    @classmethod
    def of(cls, session: Session) -> Db:
        """The connection of a vault session (the session's transaction begins here if it has not yet)."""
        return cls(session.connection().connection.dbapi_connection)

    def execute(self, sql: str, params: Params = None) -> Result:
        cursor = self._raw.cursor()
        if isinstance(params, list):
            cursor.executemany(sql, params)
        else:
            cursor.execute(sql, params if params is not None else {})
        return Result(cursor)


def text(sql: str) -> str:
    """Marks a statement, as sqlalchemy.text would; the statement goes to the driver unchanged."""
    return sql


def chunks(items: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    listed = list(items)
    for start in range(0, len(listed), size):
        yield listed[start:start + size]


def in_list(keys: Sequence[Any], prefix: str = "k") -> tuple[str, dict[str, Any]]:
    """':k0, :k1, ...' and its parameters (the vault's DB-API connection takes named parameters)."""
    names = [f"{prefix}{n}" for n in range(len(keys))]
    return ", ".join(f":{name}" for name in names), dict(zip(names, keys))


def in_json(keys: Sequence[Any], name: str = "keys") -> tuple[str, dict[str, Any]]:
    """What `in_list` gives, for `IN ({marks})`, as ONE parameter: 'SELECT value FROM json_each(:keys)' and the keys
    (text or integers) as a JSON array. For the long lists of record ids the writer and sync read by (chunks of
    CHUNK): a prepared statement keeps its bound values until it next runs, so a cached statement with 500 parameters
    held 500 small buffers for as long as it stayed cached, filling SQLite's lookaside (database.widen_lookaside)
    and sending the allocations of every later statement to SQLCipher's locked and wiped ones. Each of these reads is
    planned as with the list: the keys are read once into a temporary b-tree that drives the lookups."""
    return f"SELECT value FROM json_each(:{name})", {name: json.dumps(list(keys))}


SYNC_COLUMNS = ("server_version", "sync_state", "acked_at")


def join_sync(registration: str = "registration", alias: str = "rs") -> str:
    """` CROSS JOIN registration_sync {alias} ON ...`: what follows `FROM registration [AS {registration}]` in a read that
    needs a registration's sync columns (SYNC_COLUMNS: the server version, the sync state, when the server last
    acknowledged it). Since migration 0023 they live in a narrow table of their own, so that acknowledging a pushed
    record or storing a pulled one writes a short row and not the whole registration; the writer keeps exactly one
    such row per registration. The one place a read names that table, so every reader joins it the same way: after
    the registration (CROSS JOIN keeps that order), by its primary key."""
    return f" CROSS JOIN registration_sync {alias} ON {alias}.record_id = {registration}.id"
