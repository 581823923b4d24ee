"""Migration 0017: migration 0016's `ix_record_unpurged_tombstone` dropped. It repeats `ix_record_unpurged`
(migration 0008: the tombstones not purged yet, by centre), which was there all along; what the acknowledging pull
lacked was a question that index answers (forget._WAITING), not the index. One copy is kept, not two written by
every deletion and purge.
"""

from __future__ import annotations

from sqlalchemy import text

VERSION = 17
NAME = "one_unpurged_index"


def upgrade(conn, context) -> None:
    conn.execute(text("DROP INDEX IF EXISTS ix_record_unpurged_tombstone"))
