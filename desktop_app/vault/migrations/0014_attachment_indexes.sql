-- 0014 (attachments sync): what a sync asks of the attachment table is read from indexes, never from the rows that
-- hold the bytes (every row's first page holds the start of its file: a walk of 3,000 photos took 250 ms per sync).
-- ix_attachment_unsent: the files not yet confirmed on the server (usually none: the index is empty).
-- ix_attachment_record_id: a record's files with their manifest entry (name, mime, sha256, size), covering.
CREATE INDEX ix_attachment_unsent ON attachment (sha256, size, record_id) WHERE uploaded_at IS NULL;
DROP INDEX ix_attachment_record_id;
CREATE INDEX ix_attachment_record_id ON attachment (record_id, name, mime, sha256, size);
