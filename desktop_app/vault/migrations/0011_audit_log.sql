-- 0011 (audit log, issue 11 point 4): who did what, when, to which record, and whether it was allowed; one
-- hash chain per vault (waypoint_core/access/audit.py), written only by desktop_app/vault/audit.py. Append-only:
-- the triggers refuse any change or removal through SQLite; whoever rewrites the file with the data key breaks the
-- chain, which `waypoint audit verify` and the server locate. The last entry's number and hash are also kept in
-- meta ('audit.head') and on the server once uploaded, so cutting the end is seen too.
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
