"""Where this laptop works: its country and centre, kept in the vault's `meta` table (inside the encrypted
database, like everything else), so every new record starts with them.

Keys are prefixed `place.`; values are codes and a centre name, never personal data. No migration: `meta` is a
key/value table from the first schema.
"""

from __future__ import annotations


from desktop_app.vault.models import Meta
from desktop_app.vault.sql import Db, text
from desktop_app.vault.vault import Vault

PREFIX = "place."
KEYS = ("country", "centre", "centre_name", "source")
_READ = "SELECT key, value FROM meta WHERE key IN ({})".format(", ".join(f"'{PREFIX}{key}'" for key in KEYS))


def read_place(vault: Vault) -> dict[str, str]:
    """{'country': ..., 'centre': ..., 'centre_name': ..., 'source': ...}; absent keys are empty strings."""
    with vault.session(readonly=True) as session:  # (each sync run asks: access.reviews)
        rows = Db.of(session).execute(_READ).all()
    stored = {key[len(PREFIX):]: value for key, value in rows}
    return {key: stored.get(key, "") for key in KEYS}


def enrolled_db(db: Db) -> bool:
    """Whether this laptop is enrolled with a server (which then holds each record in a centre, docs/access.md)."""
    row = db.execute(text("SELECT value FROM sync_state WHERE key = 'device_id'")).first()
    return row is not None and bool(row[0])


def write_place(vault: Vault, values: dict[str, str]) -> None:
    """Replace the stored place with `values` (unknown keys are refused), in one transaction."""
    unknown = set(values) - set(KEYS)
    if unknown:
        raise ValueError(f"not a place field: {', '.join(sorted(unknown))}")
    with vault.session() as session:
        for key in KEYS:
            row = session.get(Meta, PREFIX + key)
            value = values.get(key, "")
            if row is None:
                session.add(Meta(key=PREFIX + key, value=value))
            else:
                row.value = value
                session.add(row)
