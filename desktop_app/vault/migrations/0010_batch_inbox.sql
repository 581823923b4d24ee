-- 0010 (USB batches, issue 10): batch files a coordinator's machine carries for field laptops (desktop_app/sync/
-- courier.py). Each file stays sealed to the server's batch key, as it came off the stick, inside this encrypted
-- database until it is forwarded; the server's answer and the receipt for the laptop (sealed to that laptop) are
-- kept with it until the receipt is written back to a stick. Outer headers only: ids, part numbers, expiry.
CREATE TABLE batch_inbox (
    file_sha256 TEXT PRIMARY KEY NOT NULL,
    header TEXT NOT NULL,              -- the file's outer header (JSON)
    device_id TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    part INTEGER NOT NULL,
    parts INTEGER NOT NULL,
    created_at INTEGER NOT NULL,       -- when the laptop wrote it (Unix seconds, from the header)
    data BLOB NOT NULL,                -- the sealed file
    received_at TEXT NOT NULL,
    status TEXT NOT NULL,              -- waiting | accepted | already_imported | conflicts | rejected
    reason TEXT,
    message TEXT,
    centre TEXT,
    counts TEXT,
    forwarded_at TEXT,
    receipt BLOB,                      -- sealed to the laptop
    receipt_written_at TEXT
);
CREATE INDEX ix_batch_inbox_status ON batch_inbox (status, device_id, created_at, batch_id, part);
