"""Migration 0021: `record_version.previous_state`, the state of the version before this one, sealed for that
version's own row, when that row left its state to `record` (history.py). The push that supersedes a record's
current version writes that state into the new version's row as it inserts it, instead of updating the superseded
row afterwards: one statement less per edit, and no row grown in place. NULL in every row written before."""

from __future__ import annotations

from sqlalchemy import inspect, text

VERSION = 21
NAME = "previous_state"


def upgrade(conn, context) -> None:
    if "previous_state" not in {column["name"] for column in inspect(conn).get_columns("record_version")}:
        conn.execute(text("ALTER TABLE record_version ADD COLUMN previous_state TEXT"))
