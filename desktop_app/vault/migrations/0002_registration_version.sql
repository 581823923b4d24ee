-- 0002 (records): finalized versions of a registration that a later edit replaced.
-- Edits after finalize must not lose what was finalized before (forms issue, Records): before a finalized
-- registration is overwritten, its row is copied here. Cleared with the registration when it is deleted.
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
