-- 0006 (access, issue 11): the keys P3 answers are sealed to, and who on this laptop holds them
-- (desktop_app/vault/fieldkeys.py). A field key's public half is here in full; its private half only wrapped
-- (HPKE) for a recipient: the key slot, named by its X25519 public key, of a person whose role may read P3, or the
-- recovery slot. A vault upgraded to this schema gets its first key at the next unlock.
CREATE TABLE field_key (
    key_id TEXT PRIMARY KEY NOT NULL,
    public_key TEXT NOT NULL,
    created_at TEXT NOT NULL,
    origin TEXT NOT NULL
);
CREATE TABLE field_key_wrap (
    key_id TEXT NOT NULL REFERENCES field_key (key_id),
    recipient TEXT NOT NULL,
    wrapped TEXT NOT NULL,
    PRIMARY KEY (key_id, recipient)
);
CREATE INDEX ix_field_key_wrap_recipient ON field_key_wrap (recipient);
