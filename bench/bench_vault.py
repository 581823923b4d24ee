"""Vault benchmark: save throughput, unlock → first page, full scan, each beside plain sqlite3 and
raw SQLCipher in the same run (ratios), plus the unlock time with production Argon2id parameters.

    .venv/bin/python bench/bench_vault.py            # 100,000 registrations of ~2 KB
    .venv/bin/python bench/bench_vault.py --n 10000  # quicker

"plain" is Python's sqlite3 with the vault's own schema (every migration) doing the same logical work as a
vault save: the registration row with its summary columns, and for a finalized record its one outbox op (which,
as in the vault since issue 7, says "send this record's current state" and holds no copy of the content), same
pragmas and page size; "raw SQLCipher" is the same SQL through sqlcipher3 with a raw key; "vault" is the real API
(desktop_app.vault), which also keeps the search index and entity events. Times are wall clock on a shared
machine: compare the ratios of one run rather than absolute figures across runs.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("WAYPOINT_ALLOW_TEST_KDF", "1")  # the bench vault uses fast KDF; production timed apart

import sqlcipher3.dbapi2 as sqlcipher

from desktop_app.vault import Vault, database
from desktop_app.vault.kdf import calibrate, derive
from desktop_app.vault.registrations import (
    RegistrationDraft,
    page_registrations,
    save_registration,
    save_registrations,
)
from desktop_app.vault.sql import join_sync

WORDS = ("abri eau repas soins route frontiere famille retour papiers centre transit enfant femme homme "
         "sante nourriture vetements telephone argent travail ecole langue voyage camion desert").split()
NEEDLE = "qwertyneedle"
PAGE = 100


def synthetic_content(rng: random.Random, i: int, size: int) -> str:
    words = []
    length = 0
    while length < size - 120:
        word = rng.choice(WORDS)
        words.append(word)
        length += len(word) + 1
    if i % 1000 == 0:
        words.insert(len(words) // 2, NEEDLE)  # 0.1 % of records match the scan
    return f"<data id='{i}'><name>Synthetic {i}</name><notes>{' '.join(words)}</notes></data>"


def make_rows(n: int, size: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    now = "2026-11-27T10:00:00.000000+00:00"
    rows = []
    for i in range(n):
        rows.append({
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "form_id": "bench", "form_version": "1",
            "status": "draft" if i % 3 else "finalized", "content": synthetic_content(rng, i, size),
            "title": f"Synthetic {i}", "sex": "F" if i % 2 else "M", "age": 18 + i % 60,
            "nationality": rng.choice(["NER", "MLI", "ETH", "SDN", "NGA"]), "centre": "Agadez",
            "registered_on": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}", "updated_at": now, "created_at": now,
        })
    return rows


# --- the same work through a bare DB-API connection (plain sqlite3 or raw SQLCipher) ---------------

INSERT_REG = (
    "INSERT INTO registration (id, form_id, form_version, status, content, created_at, created_by, updated_at,"
    " updated_by, version, deleted, title, sex, age, nationality, centre, registered_on)"
    " VALUES (:id, :form_id, :form_version, :status, :content, :created_at, 'bench', :updated_at, 'bench', 1,"
    " 0, :title, :sex, :age, :nationality, :centre, :registered_on)"
)
INSERT_SYNC = "INSERT INTO registration_sync (record_id, sync_state) VALUES (:id, 'queued')"  # as the writer
INSERT_OUTBOX = (
    "INSERT INTO outbox (op_id, record_id, op, record_version, payload, created_at)"
    " VALUES (?, ?, 'upsert', 1, '', ?)"
)


def open_bare(module, path: Path, key: bytes | None, *, memory_security: bool = True):
    conn = module.connect(str(path), isolation_level=None)
    if key is not None:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        conn.execute(f"PRAGMA cipher_page_size = {database.NEW_VAULT_PAGE_SIZE}")
        conn.execute(f"PRAGMA cipher_memory_security = {'ON' if memory_security else 'OFF'}")
    else:
        conn.execute(f"PRAGMA page_size = {database.NEW_VAULT_PAGE_SIZE}")  # same layout as the vault
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA journal_mode = WAL").fetchall()
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def bare_create(module, path: Path, key: bytes | None):
    conn = open_bare(module, path, key)
    for number, migration in database.available_migrations():  # .sql and .py: the vault's very schema and indexes
        database.apply_migration(conn, number, migration)
    return conn


def bare_insert(conn, rows: list[dict], batch: int) -> None:
    for start in range(0, len(rows), batch):
        conn.execute("BEGIN IMMEDIATE")
        for row in rows[start:start + batch]:
            conn.execute(INSERT_REG, row)
            conn.execute(INSERT_SYNC, row)
            if row["status"] == "finalized":  # a draft stays on the laptop: no op (as the vault's writer)
                conn.execute(INSERT_OUTBOX, (str(uuid.uuid4()), row["id"], row["created_at"]))
        conn.execute("COMMIT")


FIRST_PAGE_SQL = database_sql = (
    "SELECT id, form_id, form_version, status, title, sex, age, nationality, centre, registered_on, updated_at,"
    " updated_by, rs.sync_state, version FROM registration" + join_sync() + " WHERE deleted = 0"
    " ORDER BY deleted, updated_at DESC, id LIMIT 100 OFFSET ?"
)
SCAN_SQL = f"SELECT count(*) FROM registration WHERE content LIKE '%{NEEDLE}%'"


def timed(func, *args, **kwargs):
    start = time.perf_counter()
    result = func(*args, **kwargs)
    return time.perf_counter() - start, result


def bare_suite(module, folder: Path, key, rows, batch, single_rows, *, memory_security=True) -> dict:
    path = folder / "bench.db"
    conn = bare_create(module, path, key)
    out = {}
    out["insert"], _ = timed(bare_insert, conn, rows, batch)
    out["single"], _ = timed(bare_insert, conn, single_rows, 1)
    conn.close()
    start = time.perf_counter()
    conn = open_bare(module, path, key, memory_security=memory_security)
    first = conn.execute(FIRST_PAGE_SQL, (0,)).fetchall()
    out["first_page"] = time.perf_counter() - start
    assert len(first) == PAGE
    out["deep_page"], _ = timed(lambda: conn.execute(FIRST_PAGE_SQL, (len(rows) // 2,)).fetchall())
    out["scan"], matches = timed(lambda: conn.execute(SCAN_SQL).fetchone()[0])
    out["matches"] = matches
    conn.close()
    out["size_mb"] = path.stat().st_size / 1e6
    return out


# --- the real vault ------------------------------------------------------------------------------------


def vault_suite(folder: Path, rows, batch, single_rows) -> dict:
    vault_dir = folder / "vault"
    vault, _ = Vault.create(vault_dir, admin_username="bench", admin_passphrase="bench passphrase for timing",
                            kdf_profile="test")
    out = {}

    def drafts(chunk):
        return [RegistrationDraft(r["form_id"], r["form_version"], r["status"], r["content"], r["id"],
                                  {k: r[k] for k in ("title", "sex", "age", "nationality", "centre",
                                                     "registered_on")}) for r in chunk]

    def insert_batches():
        for start in range(0, len(rows), batch):
            save_registrations(vault, drafts(rows[start:start + batch]))

    def insert_singles():
        for row in single_rows:
            d = drafts([row])[0]
            save_registration(vault, record_id=d.record_id, form_id=d.form_id, form_version=d.form_version,
                              status=d.status, content=d.content, fields=d.fields)

    out["insert"], _ = timed(insert_batches)
    out["single"], _ = timed(insert_singles)
    vault.close()
    start = time.perf_counter()
    vault = Vault.unlock(vault_dir, username="bench", passphrase="bench passphrase for timing")
    first = page_registrations(vault, offset=0, limit=PAGE)
    out["first_page"] = time.perf_counter() - start
    assert len(first) == PAGE
    out["deep_page"], _ = timed(page_registrations, vault, offset=len(rows) // 2, limit=PAGE)
    out["search_title"], _ = timed(page_registrations, vault, offset=0, limit=PAGE, search="Synthetic 4242")

    def scan():
        with vault.session(readonly=True) as session:
            return session.connection().exec_driver_sql(SCAN_SQL).scalar_one()

    out["scan"], out["matches"] = timed(scan)
    # What the app runs in the background after each unlock (every page's HMAC, then SQLite's check).
    out["page_check"], problems = timed(vault.check_pages)
    assert problems == []
    vault.close()
    out["size_mb"] = (vault_dir / "waypoint.db").stat().st_size / 1e6
    return out


def production_unlock(folder: Path) -> dict:
    params, calibration_s = calibrate()
    derive_s, _ = timed(derive, b"bench passphrase for timing", os.urandom(16), params)
    vault_dir = folder / "production"
    create_s, (vault, _) = timed(Vault.create, vault_dir, admin_username="bench",
                                 admin_passphrase="bench passphrase for timing")
    vault.close()
    unlock_s, vault = timed(Vault.unlock, vault_dir, username="bench", passphrase="bench passphrase for timing")
    first_page_s, _ = timed(page_registrations, vault, offset=0, limit=PAGE)
    vault.close()
    return {"params": params, "calibration_s": calibration_s, "derive_s": derive_s, "create_s": create_s,
            "unlock_s": unlock_s, "first_page_s": first_page_s}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="registrations (default 100,000)")
    parser.add_argument("--batch", type=int, default=1000, help="registrations per transaction")
    parser.add_argument("--single", type=int, default=500, help="extra registrations saved one per transaction")
    parser.add_argument("--size", type=int, default=2048, help="content bytes per registration")
    parser.add_argument("--skip-production-kdf", action="store_true")
    args = parser.parse_args(argv)

    rows = make_rows(args.n + args.single, args.size)
    bulk, singles = rows[:args.n], rows[args.n:]
    root = Path(tempfile.mkdtemp(prefix="waypoint-bench-"))
    try:
        results = {}
        for name, module, key in (("plain sqlite3", sqlite3, None),
                                  ("raw SQLCipher", sqlcipher, os.urandom(32))):
            folder = root / name.replace(" ", "-")
            folder.mkdir()
            results[name] = bare_suite(module, folder, key, bulk, args.batch, singles)
        folder = root / "raw-nomemsec"
        folder.mkdir()
        results["raw SQLCipher, memory security off"] = bare_suite(
            sqlcipher, folder, os.urandom(32), bulk, args.batch, singles, memory_security=False)
        folder = root / "vault-api"
        folder.mkdir()
        results["vault"] = vault_suite(folder, bulk, args.batch, singles)
        production = None if args.skip_production_kdf else production_unlock(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)

    plain = results["plain sqlite3"]
    print(f"\nWaypoint vault benchmark: {args.n:,} registrations of ~{args.size} B, batches of {args.batch} "
          f"per transaction, WAL, synchronous=FULL; {args.single} more saved one per transaction.\n")
    header = f"| {'work':<44} | " + " | ".join(f"{name:>24}" for name in results) + " |"
    print(header)
    print("|" + "-" * 46 + "|" + "|".join("-" * 25 + ":" for _ in results) + "|")

    def line(label, key, fmt):
        cells = []
        for name, r in results.items():
            value = r.get(key)
            if value is None:
                cells.append(f"{'—':>24}")
                continue
            ratio = f" ({value / plain[key]:.2f}×)" if name != "plain sqlite3" and plain.get(key) else ""
            cells.append(f"{fmt(value) + ratio:>24}")
        print(f"| {label:<44} | " + " | ".join(cells) + " |")

    line(f"save {args.n:,} in batches (s)", "insert", lambda v: f"{v:.2f} s")
    line("  = registrations per second", "insert", lambda v: f"{args.n / v:,.0f}/s")
    line(f"save {args.single} one per transaction (s)", "single", lambda v: f"{v:.2f} s")
    line("  = ms per save", "single", lambda v: f"{1000 * v / max(args.single, 1):.2f} ms")
    line(f"open + first page of {PAGE} (ms)", "first_page", lambda v: f"{1000 * v:.1f} ms")
    line(f"page of {PAGE} at offset {args.n // 2:,} (ms)", "deep_page", lambda v: f"{1000 * v:.1f} ms")
    line("title search, first page (ms)", "search_title", lambda v: f"{1000 * v:.1f} ms")
    line("full scan, LIKE over content (s)", "scan", lambda v: f"{v:.3f} s")
    line("full page check after unlock, vault only (s)", "page_check", lambda v: f"{v:.2f} s")
    line("database size (MB)", "size_mb", lambda v: f"{v:.0f} MB")
    for name, r in results.items():
        assert r["matches"] == plain["matches"], f"{name} found {r['matches']} matches, plain {plain['matches']}"
    print("\n'vault' open + first page = Vault.unlock with the fast test KDF + page_registrations; ratios are to "
          "plain sqlite3.")
    if production:
        p = production["params"]
        print(f"\nProduction KDF on this machine: Argon2id m={p.memory_kib // 1024} MiB, t={p.iterations}, "
              f"p={p.lanes} (calibration {production['calibration_s']:.2f} s for the last step)")
        print(f"| {'work':<44} | {'time':>10} |")
        print(f"|{'-' * 46}|{'-' * 11}:|")
        for label, key in (("one Argon2id derivation", "derive_s"), ("create a vault (calibrate + 2 slots)", "create_s"),
                           ("unlock (derive, unwrap, open, check schema)", "unlock_s"),
                           ("then first page", "first_page_s")):
            print(f"| {label:<44} | {production[key]:>8.3f} s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
