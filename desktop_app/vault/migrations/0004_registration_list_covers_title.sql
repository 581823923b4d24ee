-- 0004 (vault): the list index also carries the title, so a title search walks the index in list
-- order and reads a registration row only when its title matches (measured at 100,000 records:
-- seconds → milliseconds; bench/bench_vault.py).
DROP INDEX ix_registration_list;
CREATE INDEX ix_registration_list ON registration (deleted, updated_at DESC, id, title);
