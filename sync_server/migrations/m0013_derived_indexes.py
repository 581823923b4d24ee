"""Migration 0013 (issue 12's speed goals on the server): the derived tables' indexes in the order their readers want.

- `indicator_fact`: `/v2/indicators` reads the links grouped by kind, assistance type and trafficking status, the
  registration numbers and days of each group joined in one text in the order of the numbers (sync_server/reports.py);
  `ix_indicator_fact_link` holds them in that order, so the grouping needs no sort. It replaces `ix_indicator_fact_ref`
  (grouped by number first).
- `search_key`: the first stage of `/v2/search` (sync_server/search.py) reads the driving part's record ids on
  `(centre_id, key_hash, record_id)` and probes every other part on `(record_id, key_hash)`, both without reading the
  table; they replace `ix_search_key_hash` and `ix_search_key_record` (the same columns less the last).
"""

from __future__ import annotations

from sqlalchemy import text

VERSION = 13
NAME = "derived_indexes"


def upgrade(conn, context) -> None:
    for name in ("ix_indicator_fact_ref", "ix_search_key_hash", "ix_search_key_record"):
        conn.execute(text(f"DROP INDEX IF EXISTS {name}"))
    conn.execute(text("CREATE INDEX ix_indicator_fact_link ON indicator_fact "
                      "(centre_id, link, assistance_type, trafficking_status, ref, day)"))
    conn.execute(text("CREATE INDEX ix_search_key_hash_record ON search_key (centre_id, key_hash, record_id)"))
    conn.execute(text("CREATE INDEX ix_search_key_record_hash ON search_key (record_id, key_hash)"))
