"""Plain DB-API statements inside a vault session's transaction, for sync's hot paths.

A sync of 10,000 records runs a few hundred thousand small statements; through SQLAlchemy `text()` the
per-statement overhead was most of the device's push time. These run on the same connection and in the same
transaction as the session (commit and rollback stay the session's), with rows readable by column name.
"""

from __future__ import annotations

from collections import namedtuple
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=256)
def _row_type(columns: tuple[str, ...]):
    return namedtuple("Row", columns, rename=True)


class Result:
    def __init__(self, cursor) -> None:
        self._cursor = cursor

    def _rows(self) -> list:
        if self._cursor.description is None:
            return []
        make = _row_type(tuple(d[0] for d in self._cursor.description))
        return [make(*row) for row in self._cursor.fetchall()]

    def first(self) -> Any:
        rows = self._rows()
        return rows[0] if rows else None

    def all(self) -> list:
        return self._rows()

    def scalar_one(self) -> Any:
        return self._cursor.fetchone()[0]

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount


class Db:
    def __init__(self, session) -> None:
        self._raw = session.connection().connection.dbapi_connection

    def execute(self, sql: str, params: dict | list | None = None) -> Result:
        cursor = self._raw.cursor()
        if isinstance(params, list):
            cursor.executemany(sql, params)
        else:
            cursor.execute(sql, params or {})
        return Result(cursor)


def text(sql: str) -> str:
    """Marks a statement, as sqlalchemy.text would; the statement goes to the driver unchanged."""
    return sql
