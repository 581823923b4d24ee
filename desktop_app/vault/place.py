"""Where this laptop works: its country and centre, kept in the vault's `meta` table (inside the encrypted
database, like everything else), so every new record starts with them.

Keys are prefixed `place.`; values are codes and a centre name, never personal data. No migration: `meta` is a
key/value table from the first schema.
"""

from __future__ import annotations


from desktop_app.vault.sql import Db, text
from desktop_app.vault.vault import Vault

PREFIX = "place."
KEYS = ("country", "centre", "centre_name", "source")
_READ = "SELECT key, value FROM meta WHERE key IN ({})".format(", ".join(f"'{PREFIX}{key}'" for key in KEYS))


def read_place(vault: Vault) -> dict[str, str]:
    """{'country': ..., 'centre': ..., 'centre_name': ..., 'source': ...}; absent keys are empty strings."""
    with vault.session(readonly=True) as session:  # (each sync run asks: access.reviews)
        return read_place_db(Db.of(session))


def read_place_db(db: Db) -> dict[str, str]:
    """`read_place` inside the caller's read."""
    stored = {key[len(PREFIX):]: value for key, value in db.execute(_READ).all()}
    return {key: stored.get(key, "") for key in KEYS}


def home_centre_db(db: Db) -> str | None:
    """The centre this laptop's records and centre-scoped people belong to, in the code the records' `centre` column
    is compared with (services.access.actor_of, the writer's `home_centre`, the pull's `centres_here`): its place's code
    of the shipped list; else, on a laptop enrolled with a server, its enrolment centre as the server names it (used as
    the code, as a pulled record of a centre the list does not know stores it): a centre the list cannot resolve
    limits field staff to exactly it, never to nothing; else None, on a laptop never enrolled and with no place (a
    standalone laptop of one centre), where nothing is limited by centre (docs/access.md)."""
    row = db.execute(text("SELECT value FROM meta WHERE key = 'place.centre'")).first()
    if row is not None and row[0]:
        return str(row[0])
    if not enrolled_db(db):
        return None
    enrolment = dict(db.execute(text("SELECT key, value FROM sync_state WHERE key IN ('centre_name', 'centre_id')"
                                     )).all())
    return str(enrolment.get("centre_name") or enrolment.get("centre_id") or "") or None


def enrolled_db(db: Db) -> bool:
    """Whether this laptop is enrolled with a server (which then holds each record in a centre, docs/access.md)."""
    row = db.execute(text("SELECT value FROM sync_state WHERE key = 'device_id'")).first()
    return row is not None and bool(row[0])


def enrolled(vault: Vault) -> bool:
    """`enrolled_db` in a read of its own."""
    with vault.session(readonly=True) as session:
        return enrolled_db(Db.of(session))


def write_place(vault: Vault, values: dict[str, str]) -> None:
    """Replace the stored place with `values` (unknown keys are refused), in one transaction."""
    with vault.session() as session:
        write_place_db(Db.of(session), values)


def write_place_db(db: Db, values: dict[str, str]) -> None:
    """`write_place` inside the caller's transaction (services.places: the change and its audit entry commit
    together or not at all)."""
    unknown = set(values) - set(KEYS)
    if unknown:
        raise ValueError(f"not a place field: {', '.join(sorted(unknown))}")
    db.execute(text("INSERT INTO meta (key, value) VALUES (:k, :v) ON CONFLICT (key) DO UPDATE SET value = :v"),
               [{"k": PREFIX + key, "v": values.get(key, "")} for key in KEYS])
