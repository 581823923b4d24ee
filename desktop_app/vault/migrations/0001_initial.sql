-- 0001: the first schema. Every later change is a new numbered file here (next free number),
-- never an edit of this one: vaults in the field were made with it.
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
    server_version INTEGER,
    sync_state TEXT NOT NULL DEFAULT 'queued',
    deleted BOOLEAN NOT NULL DEFAULT 0,
    title TEXT,
    sex TEXT,
    age INTEGER,
    nationality TEXT,
    centre TEXT,
    registered_on TEXT
);
-- The list pages newest first over live records; this index covers the filter and the order.
CREATE INDEX ix_registration_list ON registration (deleted, updated_at DESC, id);
CREATE INDEX ix_registration_status ON registration (status, deleted);
CREATE INDEX ix_registration_title ON registration (title);
CREATE INDEX ix_registration_sex ON registration (sex);
CREATE INDEX ix_registration_age ON registration (age);
CREATE INDEX ix_registration_nationality ON registration (nationality);
CREATE INDEX ix_registration_centre ON registration (centre);
CREATE INDEX ix_registration_registered_on ON registration (registered_on);

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
);
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

CREATE TABLE attachment (
    id TEXT PRIMARY KEY NOT NULL,
    record_id TEXT NOT NULL,
    name TEXT NOT NULL,
    mime TEXT NOT NULL,
    data BLOB NOT NULL
);
CREATE INDEX ix_attachment_record_id ON attachment (record_id);

CREATE TABLE conflict (
    id TEXT PRIMARY KEY NOT NULL,
    record_id TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    local TEXT NOT NULL,
    remote TEXT NOT NULL,
    resolved_at TEXT
);
CREATE INDEX ix_conflict_record_id ON conflict (record_id);
