"""0009 (registry): the search index, derived from registrations by the writer (desktop_app/vault/writer/search.py).

search_key holds a few exact keys per person (phonetic and spelling keys of name words, canonical document number,
the phone's last eight digits, the date of birth); search_profile the person prepared for ranking. Both are
rederived with every save, pull, deletion and purge; existing registrations are indexed here.
"""

from __future__ import annotations

from typing import Any

from desktop_app.vault.search_index import index_rows


def upgrade(conn: Any) -> None:
    conn.execute("CREATE TABLE search_key (key TEXT NOT NULL, record_id TEXT NOT NULL, "
                 "PRIMARY KEY (key, record_id)) WITHOUT ROWID")
    conn.execute("CREATE INDEX ix_search_key_record ON search_key (record_id)")
    conn.execute("CREATE TABLE search_profile (record_id TEXT PRIMARY KEY NOT NULL, profile TEXT NOT NULL) "
                 "WITHOUT ROWID")
    rows = conn.execute("SELECT id, status, content, created_at FROM registration "
                        "WHERE deleted = 0 AND purged_at IS NULL AND content != ''").fetchall()
    for record_id, status, content, created_at in rows:
        found = index_rows(record_id, content, status=status, created_at=created_at)
        if found is None:
            continue
        profile, keys = found
        conn.execute("INSERT INTO search_profile (record_id, profile) VALUES (?, ?)", (record_id, profile.to_json()))
        conn.executemany("INSERT OR IGNORE INTO search_key (key, record_id) VALUES (?, ?)",
                         [(key, record_id) for key in sorted(keys)])
