"""Audit log benchmark (issue 11 point 4): appending entries and verifying a chain of 1,000,000.

    .venv/bin/python bench/bench_audit.py              # 1,000,000 entries
    .venv/bin/python bench/bench_audit.py --n 100000   # quicker

Figures printed:
- append, one entry per transaction, through desktop_app.vault.audit.append (what every rights decision costs the
  use case: a short BEGIN IMMEDIATE transaction on the SQLCipher vault), over `--single` entries;
- append in bulk (append_many_db: the same chaining, 10,000 entries a transaction), to fill the vault to --n;
- verify the whole chain on the vault (read in batches, every hash recomputed, the head compared);
- the chain alone in memory (hashing and checking, no database), to separate the two costs.
Wall clock on a shared machine: compare within one run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("WAYPOINT_ALLOW_TEST_KDF", "1")  # fast KDF for the bench vault

from desktop_app.vault import Vault
from desktop_app.vault import audit as log
from desktop_app.vault.sql import Db
from waypoint_core.access import audit as chain

EVENTS = ("record.view", "record.edit", "record.finalize", "record.read_sensitive", "session.sign_in")
RECORD = "00000000-0000-4000-8000-0000000000%02d"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--single", type=int, default=2_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="wp-bench-audit-"))
    try:
        vault, _ = Vault.create(folder / "vault", admin_username="benchadmin",
                                admin_passphrase="correct horse battery staple", kdf_profile="test")
        with vault:
            start = time.perf_counter()
            for i in range(args.single):
                log.append(vault, EVENTS[i % len(EVENTS)], outcome="allowed", record_id=RECORD % (i % 100))
            single = time.perf_counter() - start
            print(f"append, one transaction each: {args.single:,} entries in {single:.2f} s = "
                  f"{single / args.single * 1e6:.0f} µs/entry")

            remaining = max(0, args.n - log.count(vault))
            start = time.perf_counter()
            done = 0
            while done < remaining:
                step = min(10_000, remaining - done)
                with vault.session() as session:
                    log.append_many_db(Db.of(session), vault.device_id, [
                        {"actor": "benchuser", "event": EVENTS[i % len(EVENTS)], "outcome": "allowed",
                         "record_id": RECORD % (i % 100)} for i in range(step)])
                done += step
            bulk = time.perf_counter() - start
            total = log.count(vault)
            if remaining:
                print(f"append in transactions of 10,000: {remaining:,} entries in {bulk:.1f} s = "
                      f"{bulk / remaining * 1e6:.1f} µs/entry")

            start = time.perf_counter()
            result = log.verify(vault)
            took = time.perf_counter() - start
            assert result.ok and result.count == total, result.broken
            print(f"verify on the vault: {total:,} entries in {took:.1f} s = {total / took:,.0f} entries/s")

            entries = log.entries(vault, limit=total, newest_first=False)
        start = time.perf_counter()
        assert chain.verify(vault.device_id, entries).ok
        took = time.perf_counter() - start
        print(f"verify in memory (hashing only): {len(entries):,} entries in {took:.1f} s = "
              f"{len(entries) / took:,.0f} entries/s")
        size = sum(p.stat().st_size for p in (folder / "vault").iterdir() if p.is_file())
        print(f"vault size with {total:,} entries: {size / 1e6:.0f} MB ({size / total:.0f} bytes/entry)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
