-- 0007 (entities): what each finalized registration says about ODK entities, derived from it by the writer
-- (desktop_app/vault/writer/entities.py) in the transaction that writes the registration, whether saved here,
-- pulled from the server, deleted or purged; entity lists are folded from these rows in order (vault/entities.py).
-- No backfill: before this version entity forms did not load, so no registration holds entities.
CREATE TABLE entity_event (
    record_id TEXT NOT NULL,
    position INTEGER NOT NULL,        -- the declaration's place in the record (one per repeat instance)
    dataset TEXT NOT NULL,            -- the entity list
    entity_id TEXT NOT NULL,
    action TEXT NOT NULL,             -- create | update | upsert
    label TEXT NOT NULL,
    properties TEXT NOT NULL,         -- JSON [[name, value], ...]
    ordered_at TEXT NOT NULL,         -- the registration's created_at: events apply in this order on every device
    PRIMARY KEY (record_id, position)
);
CREATE INDEX ix_entity_event_list ON entity_event (dataset, ordered_at, record_id, position);
