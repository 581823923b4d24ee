-- 0019 (review desk, issue 10): conflicts the server decided between other devices, fetched for a coordinator's desk
-- (GET /v2/conflicts). conflict.server_id names the server's conflict: such a row holds the side that lost (`local`:
-- "device X's version") and the server's version (`remote.state`), is shown and decided like a conflict of this
-- laptop, and is never taken for one by sync (its queries read only rows without server_id). A row closed on the
-- server is closed here at the next fetch.
ALTER TABLE conflict ADD COLUMN server_id TEXT;
CREATE UNIQUE INDEX ix_conflict_server_id ON conflict (server_id) WHERE server_id IS NOT NULL;
