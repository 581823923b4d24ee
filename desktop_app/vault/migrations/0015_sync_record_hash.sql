-- 0015 (sync after a server restore): the hash of the server version sync_record names (protocol 2's
-- version_hash). A restored server numbers versions again from an older count, so a number alone cannot tell two
-- contents apart: pulls compare hashes, ops name their base by number and hash, and reconciliation asks the
-- server which of these hashes it still holds. NULL for rows written before this version (they are re-sent once
-- at a restore, never skipped).
ALTER TABLE sync_record ADD COLUMN hash TEXT;

-- An op the sync client refused to send (the protocol cannot carry it) stays unsynced: it was marked acknowledged
-- before, so the laptop said "unsynced: 0" while holding a change the server never had. The record's latest such
-- op is pending again (freezing skips it until the record is saved again, see writer/outbox.py reject_op).
UPDATE outbox SET acked_at = NULL
WHERE device_seq IS NULL AND acked_at IS NOT NULL AND result IS NOT NULL
  AND seq = (SELECT MAX(o.seq) FROM outbox o WHERE o.record_id = outbox.record_id);
