-- A new vault's schema in one step: what migrations 0001-0028 leave in an empty database, in the order SQLite
-- keeps it, and the rows they seed. Existing vaults still migrate step by step (desktop_app/vault/database.py).
-- Generated; do not edit. After adding or changing a migration, regenerate it:
--     python -m desktop_app.vault.baseline
-- version: 28
-- made from 0001_initial.sql sha256 329a4ead931e3bef0cc471b62f0399f53b47a8fd8c9fa4691facc8c6ca66cdb1
-- made from 0002_registration_version.sql sha256 91b5e37eb05f747a62640f9969cbaa8c8f81ddbb261637205a03a36fa439d9fa
-- made from 0003_sync_client.sql sha256 f794b38309314facb874871f00394a9a3c3292ef3fbb834d7e0823bab69c0436
-- made from 0004_registration_list_covers_title.sql sha256 d9a78f7aef07ea2338f72f4d6ecb87edbb7133119f76c38b82a5b30f76553594
-- made from 0005_forget_and_retain.py sha256 8cae122645268be82d6b8a5a8a632dfb4924679f3e80d924571f2022dab49905
-- made from 0006_field_keys.sql sha256 3ad08be2011e36fae2a39af9f0152e0f7bd322ca8a05a95572c9ffac1ba90ae6
-- made from 0007_entity_event.sql sha256 a97275a71211de7365a90127626be92f6617555708a9a3c035fc520ef6d8291b
-- made from 0008_review_desk.sql sha256 6aafb3bf1aa60ebf948d0f7a42460931203125a054817621bc79ae14794da1a9
-- made from 0009_search_index.py sha256 0b97c75535324883e4695e4bdb5cc3bb0d599fac9e449505ee64a4af76b2d6b9
-- made from 0010_batch_inbox.sql sha256 e4177732657100849c412d12428163435ae5c788828b7e36617f3d57b0e7a813
-- made from 0011_audit_log.sql sha256 29b23de1b86c75e9e1790091b8f740f180182acd2018306bc0caa94aaa56a9f6
-- made from 0012_attachment_sync.py sha256 bd24b63b435c0ae8381f6038162c5cff385d4894a024096f9cbce35dd82b25a9
-- made from 0013_report_indexes.sql sha256 d2b1eab9df3c06b0d9a61ebd4db445509e5e86d212a686f6547cf46fd5b61ee4
-- made from 0014_attachment_indexes.sql sha256 72ee3df63375c57ddb0eebd2b91537d1daf2876dfe4683ff10e3820b37d421f9
-- made from 0015_sync_record_hash.sql sha256 ad01159bffc54cb3f16d2ab0419e43a382e9edec16efc081340d4efcaa740f24
-- made from 0016_sync_record_earlier_hashes.sql sha256 2bd6d1bdfa70b35253a485c52cd9b5ded5d25c6b68a96c37be7758f9600d005f
-- made from 0017_outbox_in_flight_indexes.sql sha256 15f31c0f5c1e48248857e140e88b41ec4869d6a41fc5e2ee0fc916863cae4ef4
-- made from 0018_outbox_pending_index.sql sha256 de67e89a285b3504c3a104f28329c5bf67c7b435559ec85735ea1080832e5c24
-- made from 0019_server_conflicts.sql sha256 261e89e8e7ce11ef155348f483fd4ef44c48bde1d7af76111d354f19120f0db1
-- made from 0020_indicator_fact.py sha256 778d2d2b5a0823014e45a3bc5719df796d05d74d42550070ecaa144976c15bff
-- made from 0021_indicator_fact_link_index.sql sha256 673d871f35f63d2977b83b3d63dd3dcca3a2ea42a3a41b1b88175699404749cb
-- made from 0022_merge_base_as_record.py sha256 a415caa3e10d7c2ea4e08469879bd49ffc32163e7582689e0f6401a38a2f261c
-- made from 0023_registration_sync.sql sha256 ece070d662583e33e5a87a5c86419ec45b6b4012bc9096d412c2e6106ab9b985
-- made from 0024_indicator_fact_person_index.sql sha256 cc31e77f3abdc9ea6578d0d1653b84dc36597bd9a602209fbc0158d1d5583330
-- made from 0025_indicator_fact_session.py sha256 2a54e9e9ebc4234b7057dd2d7ec1fd222502100ad371ee2154824546385fa7fc
-- made from 0026_registration_list_centre.sql sha256 247bb5cb760a12795ce0e3c1384a5992b783495da32b33bbc2298b74262ea4e6
-- made from 0027_record_centre_from_place.py sha256 bbb243c1eeb10797576a16c6f007c2812f74f00468d8741075ff32cde6013c02
-- made from 0028_refile_under_servers_centre.py sha256 98fb18259c7da2b38029f30ec5cd556480014020fa433cd174425f4d78223c9c

CREATE TABLE meta (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
CREATE TABLE user (
    id TEXT PRIMARY KEY NOT NULL,
    username TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    created_at TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT 1
);
CREATE TABLE registration (
    id TEXT PRIMARY KEY NOT NULL,
    form_id TEXT NOT NULL,
    form_version TEXT NOT NULL,
    status TEXT NOT NULL,
    content TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    deleted BOOLEAN NOT NULL DEFAULT 0,
    title TEXT,
    sex TEXT,
    age INTEGER,
    nationality TEXT,
    centre TEXT,
    registered_on TEXT
, purged_at TEXT);
CREATE INDEX ix_registration_status ON registration (status, deleted);
CREATE TABLE registration_field (
    record_id TEXT NOT NULL REFERENCES registration (id),
    name TEXT NOT NULL,
    value TEXT,
    PRIMARY KEY (record_id, name)
);
CREATE INDEX ix_registration_field_name_value ON registration_field (name, value);
CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    op_id TEXT NOT NULL UNIQUE,
    record_id TEXT NOT NULL,
    op TEXT NOT NULL,
    record_version INTEGER NOT NULL,
    base_version INTEGER,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    batch_id TEXT,
    sent_at TEXT,
    acked_at TEXT,
    result TEXT
, device_seq INTEGER, wire TEXT, wire_sha256 TEXT);
CREATE INDEX ix_outbox_record_id ON outbox (record_id);
CREATE INDEX ix_outbox_acked_at ON outbox (acked_at);
CREATE TABLE sync_state (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
CREATE TABLE form_version (
    form_id TEXT NOT NULL,
    version TEXT NOT NULL,
    title TEXT NOT NULL,
    xform TEXT NOT NULL,
    source_name TEXT,
    installed_at TEXT NOT NULL,
    PRIMARY KEY (form_id, version)
);
CREATE TABLE conflict (
    id TEXT PRIMARY KEY NOT NULL,
    record_id TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    local TEXT NOT NULL,
    remote TEXT NOT NULL,
    resolved_at TEXT
, resolved_by TEXT, resolution TEXT, server_id TEXT);
CREATE INDEX ix_conflict_record_id ON conflict (record_id);
CREATE TABLE registration_version (
    record_id TEXT NOT NULL REFERENCES registration (id),
    version INTEGER NOT NULL,
    form_id TEXT NOT NULL,
    form_version TEXT NOT NULL,
    status TEXT NOT NULL,
    content TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    saved_by TEXT NOT NULL,
    superseded_at TEXT NOT NULL,
    superseded_by TEXT NOT NULL,
    PRIMARY KEY (record_id, version)
);
CREATE UNIQUE INDEX ix_outbox_device_seq ON outbox (device_seq) WHERE device_seq IS NOT NULL;
CREATE TABLE sync_record (
    record_id TEXT PRIMARY KEY NOT NULL,
    server_version INTEGER NOT NULL,
    base TEXT NOT NULL,
    hlc INTEGER NOT NULL DEFAULT 0,
    stale INTEGER NOT NULL DEFAULT 0
, hash TEXT, earlier TEXT NOT NULL DEFAULT '');
CREATE TABLE field_key (
    key_id TEXT PRIMARY KEY NOT NULL,
    public_key TEXT NOT NULL,
    created_at TEXT NOT NULL,
    origin TEXT NOT NULL
);
CREATE TABLE field_key_wrap (
    key_id TEXT NOT NULL REFERENCES field_key (key_id),
    recipient TEXT NOT NULL,
    wrapped TEXT NOT NULL,
    PRIMARY KEY (key_id, recipient)
);
CREATE INDEX ix_field_key_wrap_recipient ON field_key_wrap (recipient);
CREATE TABLE entity_event (
    record_id TEXT NOT NULL,
    position INTEGER NOT NULL,        -- the declaration's place in the record (one per repeat instance)
    dataset TEXT NOT NULL,            -- the entity list
    entity_id TEXT NOT NULL,
    action TEXT NOT NULL,             -- create | update | upsert
    label TEXT NOT NULL,
    properties TEXT NOT NULL,         -- JSON [[name, value], ...]
    ordered_at TEXT NOT NULL,         -- the registration's created_at: events apply in this order on every device
    PRIMARY KEY (record_id, position)
);
CREATE INDEX ix_entity_event_list ON entity_event (dataset, ordered_at, record_id, position);
CREATE INDEX ix_conflict_open ON conflict (resolved_at, opened_at, id);
CREATE TABLE duplicate_candidate (
    a TEXT NOT NULL,
    b TEXT NOT NULL,
    score REAL NOT NULL,
    reasons TEXT NOT NULL,  -- JSON [[field, points, text], ...]
    found_at TEXT NOT NULL,
    PRIMARY KEY (a, b)
);
CREATE INDEX ix_duplicate_candidate_rank ON duplicate_candidate (score DESC, a, b);
CREATE TABLE search_key (key TEXT NOT NULL, record_id TEXT NOT NULL, PRIMARY KEY (key, record_id)) WITHOUT ROWID;
CREATE INDEX ix_search_key_record ON search_key (record_id);
CREATE TABLE search_profile (record_id TEXT PRIMARY KEY NOT NULL, profile TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE batch_inbox (
    file_sha256 TEXT PRIMARY KEY NOT NULL,
    header TEXT NOT NULL,              -- the file's outer header (JSON)
    device_id TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    part INTEGER NOT NULL,
    parts INTEGER NOT NULL,
    created_at INTEGER NOT NULL,       -- when the laptop wrote it (Unix seconds, from the header)
    data BLOB NOT NULL,                -- the sealed file
    received_at TEXT NOT NULL,
    status TEXT NOT NULL,              -- waiting | accepted | already_imported | conflicts | rejected
    reason TEXT,
    message TEXT,
    centre TEXT,
    counts TEXT,
    forwarded_at TEXT,
    receipt BLOB,                      -- sealed to the laptop
    receipt_written_at TEXT
);
CREATE INDEX ix_batch_inbox_status ON batch_inbox (status, device_id, created_at, batch_id, part);
CREATE TABLE audit_entry (
    seq INTEGER PRIMARY KEY,          -- 1, 2, 3, ... without gaps
    at TEXT NOT NULL,                 -- ISO 8601 UTC
    actor TEXT NOT NULL,              -- the signed-in user name
    event TEXT NOT NULL,              -- record.view, record.edit, session.sign_in, sync.run, ...
    outcome TEXT NOT NULL,            -- allowed | refused | done | failed
    record_id TEXT,
    detail TEXT NOT NULL DEFAULT '',
    prev TEXT NOT NULL,               -- the hash of the entry before (the chain's genesis for entry 1)
    hash TEXT NOT NULL
);
CREATE INDEX ix_audit_entry_actor ON audit_entry (actor, seq);
CREATE INDEX ix_audit_entry_record ON audit_entry (record_id, seq);
CREATE INDEX ix_audit_entry_at ON audit_entry (at);
CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TABLE "attachment" (id TEXT PRIMARY KEY NOT NULL, record_id TEXT NOT NULL, name TEXT NOT NULL, mime TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL, uploaded_at TEXT, data BLOB NOT NULL);
CREATE INDEX ix_attachment_sha256 ON attachment (sha256);
CREATE TABLE attachment_wanted (record_id TEXT NOT NULL, name TEXT NOT NULL, mime TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL, PRIMARY KEY (record_id, name));
CREATE INDEX ix_attachment_wanted_sha256 ON attachment_wanted (sha256);
CREATE TABLE attachment_part (sha256 TEXT NOT NULL, start_byte INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (sha256, start_byte));
CREATE INDEX ix_registration_report ON registration (status, deleted, id, form_id, created_by, sex, age, nationality,
                                                     centre, registered_on);
CREATE INDEX ix_registration_field_report ON registration_field (name, record_id, value);
CREATE INDEX ix_attachment_unsent ON attachment (sha256, size, record_id) WHERE uploaded_at IS NULL;
CREATE INDEX ix_attachment_record_id ON attachment (record_id, name, mime, sha256, size);
CREATE INDEX ix_outbox_in_flight ON outbox (device_seq) WHERE device_seq IS NOT NULL AND acked_at IS NULL;
CREATE INDEX ix_outbox_queued ON outbox (seq) WHERE device_seq IS NULL AND acked_at IS NULL;
CREATE INDEX ix_outbox_pending ON outbox (record_id, acked_at) WHERE acked_at IS NULL;
CREATE UNIQUE INDEX ix_conflict_server_id ON conflict (server_id) WHERE server_id IS NOT NULL;
CREATE TABLE indicator_fact (record_id TEXT PRIMARY KEY NOT NULL, form_id TEXT NOT NULL, created_by TEXT NOT NULL, kind TEXT, short TEXT, sex TEXT, birth_year INTEGER, nationality TEXT, centre TEXT, category TEXT, link TEXT, ref TEXT, day TEXT, assistance_type TEXT, trafficking_status TEXT, session TEXT) WITHOUT ROWID;
CREATE INDEX ix_indicator_fact_link ON indicator_fact (link, assistance_type, trafficking_status, centre, ref, day,
    form_id, kind, created_by) WHERE link IS NOT NULL;
CREATE TABLE registration_sync (
    record_id TEXT PRIMARY KEY NOT NULL REFERENCES registration (id),
    server_version INTEGER,
    sync_state TEXT NOT NULL DEFAULT 'queued',
    acked_at TEXT
) WITHOUT ROWID;
CREATE INDEX ix_indicator_fact_person ON indicator_fact (short, record_id, sex, birth_year, nationality, centre,
    category, form_id, kind, created_by) WHERE short IS NOT NULL;
CREATE INDEX ix_indicator_fact_session ON indicator_fact (day, centre, session, form_id, kind, created_by) WHERE session IS NOT NULL;
CREATE INDEX ix_registration_list ON registration (deleted, updated_at DESC, id, title, form_id, centre);
