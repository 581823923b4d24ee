-- 0008 (review desk, issue 10): what a coordinator decides about conflicts and duplicates on this laptop.
-- conflict.resolved_by / resolution: who closed a conflict and how (local | remote | edited | reviewed). The choice
--   itself is a new version of the record (kept in registration_version, queued for sync); this says why it exists.
-- duplicate_candidate: the last candidate generation (ids, score, reasons in words that repeat no name, date or
--   number), so a list of thousands of pairs pages from an index instead of being computed again; rebuilt whole by
--   each generation. Decisions about pairs (merge, not the same person) are records of their own form
--   (desktop_app/records/review.py) so they travel with sync; nothing about them is stored here.
ALTER TABLE conflict ADD COLUMN resolved_by TEXT;
ALTER TABLE conflict ADD COLUMN resolution TEXT;
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
-- Lists leave decision records out (form_id != the decision form): the list index carries form_id so that filter
-- stays inside the index (a title search still reads a registration row only when its title matches).
DROP INDEX ix_registration_list;
CREATE INDEX ix_registration_list ON registration (deleted, updated_at DESC, id, title, form_id);
