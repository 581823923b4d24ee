"""Device-side sync throughput through the REAL desktop client: 10,000 registrations pushed by one laptop and
pulled (applied into its vault) by another, against the real server on loopback (SQLite, or PostgreSQL with
--postgres). Prints figures; asserts nothing about time.

    .venv/bin/python bench/bench_sync_client.py [--records 10000] [--postgres] [--batch 500]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "server"))
os.environ.setdefault("WAYPOINT_ALLOW_TEST_KDF", "1")

from server_harness import ServerProcess, fresh_postgres_database, postgres_available  # noqa: E402

from desktop_app.services import sync as sync_service  # noqa: E402
from desktop_app.vault import Vault  # noqa: E402
from desktop_app.vault.registrations import RegistrationDraft, count_unsynced, save_registrations  # noqa: E402


def admin(data_dir: Path, database_url: str | None, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run([sys.executable, "-m", "sync_server.cli", "--data-dir", str(data_dir), "admin", *args],
                          env=env, check=True, capture_output=True, text=True).stdout.strip()


def drafts(count: int) -> list[RegistrationDraft]:
    made = []
    for n in range(count):
        content = (f'<data id="migrant_registration"><person><name>Bench Person {n}</name><age>{n % 90}</age>'
                   f"<nationality>NE</nationality></person><notes>{'x' * 200}</notes></data>")
        made.append(RegistrationDraft("migrant_registration", "2026112701", "finalized", content, None,
                                      {"title": f"Bench Person {n}", "age": n % 90, "nationality": "NE",
                                       "centre": "Agadez", "phone": f"+227 {n:08d}"}))
    return made


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    if args.postgres and postgres_available():
        print(f"skipped: {postgres_available()}")
        return 0
    with tempfile.TemporaryDirectory() as tmp, (fresh_postgres_database() if args.postgres else nullcontext()) as url:
        tmp = Path(tmp)
        with ServerProcess(data_dir=tmp / "server", database_url=url) as server:
            admin(tmp / "server", url, "centre", "add", "Agadez")
            codes = [admin(tmp / "server", url, "enrol-code", "--centre", "Agadez") for _ in range(2)]
            sender, _ = Vault.create(tmp / "a", admin_username="admin", admin_passphrase="bench passphrase 123",
                                     kdf_profile="test")
            receiver, _ = Vault.create(tmp / "b", admin_username="admin", admin_passphrase="bench passphrase 123",
                                       kdf_profile="test")
            start = time.perf_counter()
            for chunk in range(0, args.records, 1000):
                save_registrations(sender, drafts(min(1000, args.records - chunk)))
            saved_s = time.perf_counter() - start
            for vault, code in ((sender, codes[0]), (receiver, codes[1])):
                sync_service.enrol(vault, server_url=server.url, code=code)

            marks: dict[str, float] = {}

            def progress(p) -> None:
                marks[p.phase] = time.perf_counter()

            start = time.perf_counter()
            pushed = sync_service.sync_now(sender, batch_size=args.batch, progress=progress)
            total_a = time.perf_counter() - start
            push_s = marks["push"] - start
            assert pushed.acknowledged == args.records and count_unsynced(sender) == 0
            start = time.perf_counter()
            pulled = sync_service.sync_now(receiver)
            pull_s = time.perf_counter() - start
            assert pulled.pulled == args.records
            rss = server.peak_rss_kb()
            sender.close()
            receiver.close()
    backend = "postgresql" if args.postgres else "sqlite"
    print(f"backend={backend} records={args.records} batch={args.batch}")
    print(f"  local save (vault, 1,000 per transaction): {saved_s:.1f} s ({args.records / saved_s:,.0f} rec/s)")
    print(f"  push (freeze + sign + post + store acks):  {push_s:.1f} s ({args.records / push_s:,.0f} rec/s)")
    print(f"  whole first run incl. own-echo pull:        {total_a:.1f} s")
    print(f"  pull + apply on a second laptop:           {pull_s:.1f} s ({args.records / pull_s:,.0f} rec/s)")
    print(f"  server peak RSS: {rss / 1024:.0f} MiB" if rss else "  server peak RSS: n/a")
    return 0


if __name__ == "__main__":
    sys.exit(main())
