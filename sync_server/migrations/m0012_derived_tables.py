"""Migration 0012 (issue 12: indicators and search on the server without opening every record): the tables derived
from record content at each write (sync_server/derived.py), filled here from the records already held.

- `indicator_fact`: what each live, finalized record gives the indicators (no name, no document, no content);
- `search_key`: the keyed hashes of each registration's search keys;
- `search_prefix`: for each name key held, the keyed hashes of its prefixes (the word being typed).
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, MetaData, String, Table, text

from ..derived import rebuild

VERSION = 12
NAME = "derived_tables"

metadata = MetaData()
Table("indicator_fact", metadata,
      Column("record_id", String, primary_key=True), Column("centre_id", String, nullable=False),
      Column("short", String), Column("sex", String), Column("birth_year", Integer), Column("nationality", String),
      Column("centre", String), Column("category", String), Column("link", String),
      Column("ref", String, nullable=False, default=""), Column("day", String), Column("assistance_type", String),
      Column("trafficking_status", String),
      Column("session", String),  # migration 0018's (the rows are derived here by today's code); 0018 adds it before
      Index("ix_indicator_fact_short", "centre_id", "short"),
      # covers reports.inputs' pass over the links, in its GROUP BY order
      Index("ix_indicator_fact_ref", "centre_id", "ref", "link", "assistance_type", "trafficking_status", "day"))
Table("search_key", metadata,
      Column("record_id", String, nullable=False), Column("centre_id", String, nullable=False),
      Column("key_hash", String, nullable=False),
      Index("ix_search_key_hash", "centre_id", "key_hash"), Index("ix_search_key_record", "record_id"))
Table("search_prefix", metadata,
      Column("full_hash", String, primary_key=True), Column("prefix_hash", String, primary_key=True),
      Index("ix_search_prefix_prefix", "prefix_hash"))


def upgrade(conn, context) -> None:
    metadata.create_all(conn)
    held = conn.execute(text("SELECT COUNT(*) FROM record WHERE deleted = :f"), {"f": False}).scalar_one()
    if held and context.data_key is None:
        raise RuntimeError("migration 0012 derives tables from the records held and needs the data key to open them")
    if held:
        rebuild(conn, context.data_key)
