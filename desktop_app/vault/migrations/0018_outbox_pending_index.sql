-- 0018 (sync speed): the ops not acknowledged, by record, in a partial index of their own. Counting a batch's
-- pending ops, a pulled page's pending ops and the files of records waiting to go read it alone, instead of
-- ix_outbox_record_id and every op each record ever had (each row read to look at acked_at). acked_at is in the index
-- (always NULL there) so that counting by record reads the index alone.
CREATE INDEX ix_outbox_pending ON outbox (record_id, acked_at) WHERE acked_at IS NULL;
