"""The schema baseline (desktop_app/vault/migrations/baseline.sql): a new vault is created from it in one step, so it
must be exactly what migrating an empty database from zero leaves: the same schema objects and SQL, columns,
indexes, foreign keys, seeded rows and user_version. A migration added or changed without regenerating it fails here."""

from __future__ import annotations

import shutil
from typing import Any

import sqlcipher3.dbapi2 as sqlcipher

from desktop_app.vault import Vault, baseline, database

REGENERATE = "the vault's schema baseline differs from migrating from zero; regenerate it: python -m desktop_app.vault.baseline"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def describe(conn: Any) -> dict[str, Any]:
    """Everything a migration can leave in a new database, in a form two databases compare by."""
    master = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()
    tables: dict[str, Any] = {}
    for kind, name, _tbl, _sql in master:
        if kind != "table":
            continue
        indexes = [(tuple(row[1:]), conn.execute(f"PRAGMA index_xinfo({_quoted(row[1])})").fetchall())
                   for row in conn.execute(f"PRAGMA index_list({_quoted(name)})").fetchall()]
        tables[name] = {
            "columns": conn.execute(f"PRAGMA table_xinfo({_quoted(name)})").fetchall(),
            "indexes": sorted(indexes),
            "foreign_keys": conn.execute(f"PRAGMA foreign_key_list({_quoted(name)})").fetchall(),
            "rows": sorted(repr(row) for row in conn.execute(f"SELECT * FROM {_quoted(name)}").fetchall()),
        }
    return {"sqlite_master": master, "tables": tables, "user_version": database.schema_version(conn)}


def _from_baseline() -> Any:
    found = database.usable_baseline(database.available_migrations(), database.latest_version())
    assert found is not None, REGENERATE
    conn = sqlcipher.connect(":memory:", isolation_level=None)
    database.apply_baseline(conn, *found)
    return conn


def test_the_baseline_is_what_migrating_from_zero_makes():
    migrated, made = baseline.migrated_from_zero(), _from_baseline()
    try:
        assert database.schema_version(made) == database.latest_version(), REGENERATE
        assert describe(made) == describe(migrated), REGENERATE
    finally:
        migrated.close()
        made.close()


def test_the_baseline_file_is_what_the_generator_writes_now():
    written = (database.MIGRATIONS_DIR / database.BASELINE_FILE).read_text("utf-8")
    assert written == baseline.generate(), REGENERATE


def test_a_new_vault_is_made_from_the_baseline_and_equals_a_migrated_one(vault_dir):
    assert database.usable_baseline(database.available_migrations(), database.latest_version()) is not None, \
        REGENERATE
    vault, _recovery = Vault.create(vault_dir, admin_username="admin", admin_passphrase="a baseline passphrase here",
                                    kdf_profile="test")
    dek = vault._dek
    assert vault.verify().ok
    vault.close()
    conn = database.connect_raw(vault_dir / database.DB_FILE, dek, page_size=database.NEW_VAULT_PAGE_SIZE,
                                isolation_level=None)
    migrated = baseline.migrated_from_zero()
    try:
        made, expected = describe(conn), describe(migrated)
        # the rows differ (the vault's identity, its administrator, keys and audit written when it opened): the
        # seeded rows are compared above; here the schema the real encrypted file was given
        for description in (made, expected):
            for table in description["tables"].values():
                table["rows"] = []
        assert made == expected
    finally:
        conn.close()
        migrated.close()


def test_a_changed_or_added_migration_is_not_stood_for_by_the_old_baseline(tmp_path, monkeypatch):
    folder = tmp_path / "migrations"
    shutil.copytree(database.MIGRATIONS_DIR, folder, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(database, "MIGRATIONS_DIR", folder)
    n = database.latest_version()
    assert database.usable_baseline(database.available_migrations(), n) is not None, REGENERATE
    # a version below the baseline's is made step by step
    assert database.usable_baseline(database.available_migrations(), n - 1) is None
    # an added migration runs after the baseline
    (folder / f"{n + 1:04d}_added.sql").write_text("CREATE TABLE added (id TEXT PRIMARY KEY NOT NULL);\n")
    conn = sqlcipher.connect(":memory:", isolation_level=None)
    try:
        database.migrate(conn, folder=tmp_path)
        assert database.schema_version(conn) == n + 1
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'added'").fetchone()[0] == 1
    finally:
        conn.close()
    # a shipped migration changed by a byte: the baseline no longer stands for it
    first = sorted(folder.glob("0001_*.sql"))[0]
    first.write_text(first.read_text("utf-8") + "\n")
    assert database.usable_baseline(database.available_migrations(), n + 1) is None
    conn = sqlcipher.connect(":memory:", isolation_level=None)
    try:
        database.migrate(conn, folder=tmp_path)
        assert database.schema_version(conn) == n + 1
    finally:
        conn.close()
