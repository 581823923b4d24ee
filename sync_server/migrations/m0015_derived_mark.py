"""Migration 0015 (issue 8 point 12: the push's server time): the tables derived from record content are written after
the push's commit, no longer inside it (sync_server/derived.py: `catch_up`). `derived_mark` holds the last change of
the feed whose records are derived; every record changed after it is derived again from its current state before any
search or indicator read, at server start and, in the background, after a push. Until now every change was derived
in its own transaction, so the mark starts at the feed's end.
"""

from __future__ import annotations

from sqlalchemy import text

VERSION = 15
NAME = "derived_mark"


def upgrade(conn, context) -> None:
    conn.execute(text("CREATE TABLE derived_mark (id INTEGER PRIMARY KEY, last_seq BIGINT NOT NULL)"))
    conn.execute(text("INSERT INTO derived_mark (id, last_seq) SELECT id, last_seq FROM change_counter WHERE id = 1"))
