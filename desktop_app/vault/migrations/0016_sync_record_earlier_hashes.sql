-- 0016 (reconciliation after a server restore): the hashes of the server versions of a record this laptop knew
-- before the one sync_record names, newest first, space-separated, at most 19 (protocol 2 asks about up to 20). A
-- restored server that lost the latest version finds the newest one it still holds among them: the record goes
-- back on that common base and merges, instead of arriving as concurrent with everything.
ALTER TABLE sync_record ADD COLUMN earlier TEXT NOT NULL DEFAULT '';
