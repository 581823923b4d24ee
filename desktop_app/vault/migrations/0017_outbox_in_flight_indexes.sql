-- 0017 (sync speed): what a sync run asks of the outbox is read from two small partial indexes, never by walking
-- every unacknowledged row. The planner took ix_outbox_acked_at for "acked_at IS NULL" and then read each row (a
-- frozen row holds its wire op in overflow pages, and device_seq, added by 0003, sits after it), once or twice per
-- batch: a push of 10,000 walked about 10,000 rows forty times.
-- ix_outbox_in_flight: ops frozen into a batch and not acknowledged yet (at most a few batches), by device_seq.
-- ix_outbox_queued: ops not frozen yet (what the next batch takes), by seq.
CREATE INDEX ix_outbox_in_flight ON outbox (device_seq) WHERE device_seq IS NOT NULL AND acked_at IS NULL;
CREATE INDEX ix_outbox_queued ON outbox (seq) WHERE device_seq IS NULL AND acked_at IS NULL;
