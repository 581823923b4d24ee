"""Attachment sync throughput through the REAL desktop client (issue 8, point 8): one laptop sends a record with a
5 MB photo and a 20 MB scan, a second laptop pulls it and fetches the files; then a sync with nothing to do on the
sender (its files are not asked about again) and the receiver. Real server on loopback (SQLite, or PostgreSQL with
--postgres). Prints seconds and MB/s; asserts nothing about time.

    .venv/bin/python bench/bench_attachments.py [--postgres] [--photo-mb 5] [--scan-mb 20]
"""

from __future__ import annotations

import argparse
import hashlib
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

from desktop_app.services import attachments  # noqa: E402
from desktop_app.services import sync as sync_service  # noqa: E402
from desktop_app.vault import Vault  # noqa: E402
from desktop_app.vault.registrations import save_registration  # noqa: E402

MB = 1024 * 1024


def admin(data_dir: Path, database_url: str | None, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run([sys.executable, "-m", "sync_server.cli", "--data-dir", str(data_dir), "admin", *args],
                          env=env, check=True, capture_output=True, text=True).stdout.strip()


def synthetic(size: int, seed: str) -> bytes:
    out, block = bytearray(), hashlib.sha256(seed.encode()).digest()
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += hashlib.sha512(block).digest() * 16
    return bytes(out[:size])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--photo-mb", type=float, default=5)
    parser.add_argument("--scan-mb", type=float, default=20)
    args = parser.parse_args()
    if args.postgres and postgres_available():
        print(f"skipped: {postgres_available()}")
        return 0
    photo, scan = synthetic(int(args.photo_mb * MB), "photo"), synthetic(int(args.scan_mb * MB), "scan")
    total_mb = (len(photo) + len(scan)) / MB
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp, (fresh_postgres_database() if args.postgres else nullcontext()) as url:
        tmp = Path(tmp)
        with ServerProcess(data_dir=tmp / "server", database_url=url) as server:
            admin(tmp / "server", url, "centre", "add", "Agadez")
            vaults = []
            for name in ("a", "b"):
                vault, _ = Vault.create(tmp / name, admin_username="admin", admin_passphrase="bench passphrase 123",
                                        kdf_profile="test")
                sync_service.enrol(vault, server_url=server.url, code=admin(tmp / "server", url, "enrol-code",
                                                                           "--centre", "Agadez"))
                vaults.append(vault)
            sender, receiver = vaults
            start = time.perf_counter()
            record_id = save_registration(sender, form_id="f", form_version="1", status="finalized",
                                          content="<data/>", fields={"title": "Bench Files"}).id
            attachments.save_attachments(sender, record_id=record_id, files=[("photo.jpg", "image/jpeg", photo),
                                                                             ("scan.pdf", "application/pdf", scan)])
            save_s = time.perf_counter() - start
            start = time.perf_counter()
            sent = sync_service.sync_now(sender)
            send_s = time.perf_counter() - start
            start = time.perf_counter()
            got = sync_service.sync_now(receiver)
            fetch_s = time.perf_counter() - start
            assert (sent.files_sent, got.files_received) == (2, 2), (sent, got)
            assert attachments.read_attachment(receiver, record_id=record_id, name="scan.pdf") == scan
            sync_service.sync_now(sender)  # the echo
            start = time.perf_counter()
            sync_service.sync_now(sender)
            quiet_s = time.perf_counter() - start
            rss = server.peak_rss_kb()
            for vault in vaults:
                vault.close()
    load = os.getloadavg()
    print(f"backend={'postgresql' if args.postgres else 'sqlite'} files={total_mb:.0f} MB (photo {args.photo_mb} MB,"
          f" scan {args.scan_mb} MB) load average before/after: {load_before[0]:.1f} / {load[0]:.1f} "
          f"({os.cpu_count()} CPUs)")
    print("| step | seconds | MB/s |")
    print("|---|---:|---:|")
    print(f"| save the record and its files in the vault | {save_s:.2f} | {total_mb / save_s:.0f} |")
    print(f"| sync: send the files (hash-checked, sealed on the server) and the record | {send_s:.2f} | "
          f"{total_mb / send_s:.0f} |")
    print(f"| sync: pull the record and fetch its files into an empty laptop | {fetch_s:.2f} | {total_mb / fetch_s:.0f} |")
    print(f"| sync with nothing to do afterwards | {quiet_s * 1000:.0f} ms | |")
    print(f"server peak RSS: {rss / 1024:.0f} MiB" if rss else "server peak RSS: n/a")
    return 0


if __name__ == "__main__":
    sys.exit(main())
