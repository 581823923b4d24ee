"""0020 (registry): `indicator_fact`, what each live, finalized record gives the indicators (one narrow row, no name,
no content: desktop_app/vault/indicator_facts.py), kept by the writer (desktop_app/vault/writer/facts.py) with every
save, pull, deletion and purge. The rows of the records already held are derived here.

A report reads the table in its key's order (the records' ids, as before), people and links apart; rights filter on
form_id, created_by and kind (record_kind).

The table is created with the `session` column migration 0025 added (an information session's tallies), since the
rows are derived here by today's code; 0025 adds it to tables made before.
"""

from __future__ import annotations

from typing import Any

from desktop_app.vault.indicator_facts import COLUMNS, derive
from desktop_app.vault.sql import Db

_INSERT = f"INSERT INTO indicator_fact ({', '.join(COLUMNS)}) VALUES ({', '.join(':' + c for c in COLUMNS)})"


def upgrade(conn: Any) -> None:
    conn.execute("CREATE TABLE indicator_fact (record_id TEXT PRIMARY KEY NOT NULL, form_id TEXT NOT NULL, "
                 "created_by TEXT NOT NULL, kind TEXT, short TEXT, sex TEXT, birth_year INTEGER, nationality TEXT, "
                 "centre TEXT, category TEXT, link TEXT, ref TEXT, day TEXT, assistance_type TEXT, "
                 "trafficking_status TEXT, session TEXT) WITHOUT ROWID")
    rows = derive(Db(conn))
    if rows:
        conn.executemany(_INSERT, rows)
