-- 0003 (sync client): what the device needs to push exactly once and pull without overwriting local work.
-- outbox.device_seq: the gap-free per-device sequence number sent to the server, given when the op is frozen
--   into a batch (an op the device itself must refuse never takes a number, so the server never sees a gap).
-- outbox.wire: the protocol Op exactly as first sent (canonical JSON). Once set it never changes: a retry or a
--   replay after a crash sends the same op, whatever happened to the record since.
ALTER TABLE outbox ADD COLUMN device_seq INTEGER;
ALTER TABLE outbox ADD COLUMN wire TEXT;
CREATE UNIQUE INDEX ix_outbox_device_seq ON outbox (device_seq) WHERE device_seq IS NOT NULL;

-- The server's state of each record as this device last learnt it (from a pull or an 'applied' answer):
-- the base of the 3-way merge when a pulled change meets local edits not yet sent.
-- stale = 1: the server holds a version this device has not seen yet (its op was merged or lost a conflict);
-- the next pull of that version is applied even though the version number is already known.
CREATE TABLE sync_record (
    record_id TEXT PRIMARY KEY NOT NULL,
    server_version INTEGER NOT NULL,
    base TEXT NOT NULL,
    hlc INTEGER NOT NULL DEFAULT 0,
    stale INTEGER NOT NULL DEFAULT 0
);
