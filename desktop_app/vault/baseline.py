"""Write the vault's schema baseline (desktop_app/vault/migrations/baseline.sql) from the migrations:

    python -m desktop_app.vault.baseline

An empty in-memory database is migrated from zero through every migration; the file then holds what that left:
sqlite_master's statements in the order SQLite keeps them (creation order), an INSERT for every row the migrations
seeded, the version and each migration file's SHA-256. A new vault is created from it in one step
(database.migrate); tests/vault/test_vault_baseline.py fails, naming this command, when it differs from migrating.
"""

from __future__ import annotations

import sys
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher

from desktop_app.vault import database

HEADER = """\
-- A new vault's schema in one step: what migrations 0001-{last:04d} leave in an empty database, in the order SQLite
-- keeps it, and the rows they seed. Existing vaults still migrate step by step (desktop_app/vault/database.py).
-- Generated; do not edit. After adding or changing a migration, regenerate it:
--     python -m desktop_app.vault.baseline
-- version: {last}
"""


def literal(value: object) -> str:
    """An SQL literal SQLite reads back as the same value and type."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"X'{bytes(value).hex()}'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"no SQL literal for {type(value).__name__}")


def migrated_from_zero() -> database.Connection:
    """An in-memory database taken through every migration, one by one."""
    conn = sqlcipher.connect(":memory:", isolation_level=None)
    for number, path in database.available_migrations():
        database.apply_migration(conn, number, path)
    return conn


def generate() -> str:
    migrations = database.available_migrations()
    conn = migrated_from_zero()
    try:
        lines = [HEADER.format(last=len(migrations))]
        lines += [f"-- made from {path.name} sha256 {database.migration_digest(path)}\n" for _, path in migrations]
        lines.append("\n")
        objects = conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid").fetchall()
        for _kind, name, sql in objects:
            if not name.startswith("sqlite_"):  # SQLite makes its own (sqlite_sequence, autoindexes)
                # a statement whose last line holds a comment ends on the next line, not inside the comment
                lines.append(f"{sql}\n;\n" if "--" in sql.splitlines()[-1] else f"{sql};\n")
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid").fetchall():
            quoted = '"' + table.replace('"', '""') + '"'
            for row in conn.execute(f"SELECT * FROM {quoted}").fetchall():
                lines.append(f"INSERT INTO {quoted} VALUES ({', '.join(literal(v) for v in row)});\n")
        return "".join(lines)
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    target = Path(database.MIGRATIONS_DIR) / database.BASELINE_FILE
    target.write_text(generate(), "utf-8")
    print(f"wrote {target}", file=sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
