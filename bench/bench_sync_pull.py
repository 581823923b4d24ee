"""Pull into an empty device, alone and repeated (issue 8, point 12: 10,000 registrations in at most 2.5 s): a server
holding N registrations of about 2 KB (pushed once by a laptop through the real client, as bench_sync_client.py
makes them), then `--runs` pulls, each into a new empty vault enrolled for it, through `sync_now`. Prints the
client's CPU (user + system), the server's CPU and the wall time of each pull, and the load average.

    .venv/bin/python bench/bench_sync_pull.py [--records 10000] [--runs 3] [--keep DIR] [--profile]

`--keep DIR`: the server's data folder is kept there and reused by later runs (the push is done once), so two
checkouts can pull the same server back to back. `--profile`: the client's cProfile of the first pull (CPU clock).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "server"))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("WAYPOINT_ALLOW_TEST_KDF", "1")

from bench_sync_client import admin, drafts, server_cpu_s  # noqa: E402
from server_harness import ServerProcess  # noqa: E402

from desktop_app.services import sync as sync_service  # noqa: E402
from desktop_app.vault import Vault  # noqa: E402
from desktop_app.vault.registrations import save_registrations  # noqa: E402


def cpu_s() -> tuple[float, float]:
    times = os.times()
    return times.user, times.system


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="the server's data folder, kept between runs of this bench")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data = args.keep or tmp / "server"
        done = data / f"pushed-{args.records}"
        with ServerProcess(data_dir=data) as server:
            if not done.exists():
                admin(data, None, "centre", "add", "Agadez")
                sender, _ = Vault.create(tmp / "a", admin_username="admin", admin_passphrase="bench passphrase 123",
                                         kdf_profile="test")
                for chunk in range(0, args.records, 1000):
                    save_registrations(sender, drafts(min(1000, args.records - chunk)))
                sync_service.enrol(sender, server_url=server.url, code=admin(data, None, "enrol-code", "--centre",
                                                                             "Agadez"))
                pushed = sync_service.sync_now(sender)
                assert pushed.acknowledged == args.records, pushed
                sender.close()
                done.write_text("")
            rows = []
            for run in range(args.runs):
                receiver, _ = Vault.create(tmp / f"b{run}", admin_username="admin",
                                           admin_passphrase="bench passphrase 123", kdf_profile="test")
                sync_service.enrol(receiver, server_url=server.url, code=admin(data, None, "enrol-code", "--centre",
                                                                               "Agadez"))
                profiler = cProfile.Profile(time.process_time) if args.profile and not run else None
                load = os.getloadavg()[0]
                server_before, (user, system) = server_cpu_s(server.process.pid), cpu_s()
                start = time.perf_counter()
                if profiler:
                    profiler.enable()
                pulled = sync_service.sync_now(receiver)
                if profiler:
                    profiler.disable()
                wall = time.perf_counter() - start
                user_after, system_after = cpu_s()
                rows.append((user_after - user, system_after - system, server_cpu_s(server.process.pid) - server_before,
                             wall, load))
                assert pulled.pulled == args.records, pulled
                receiver.close()
                if profiler:
                    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
                    pstats.Stats(profiler).sort_stats("tottime").print_stats(40)
    print(f"pull of {args.records:,} into an empty device, {args.runs} runs ({os.cpu_count()} CPUs):")
    for user, system, server_cpu, wall, load in rows:
        print(f"  client CPU {user + system:6.2f} s ({user:.2f} user + {system:.2f} sys)   server CPU {server_cpu:5.2f} s"
              f"   wall {wall:6.2f} s   load average {load:.1f}")
    if len(rows) > 1:
        print(f"  median: client CPU {statistics.median(u + s for u, s, *_ in rows):.2f} s, server CPU "
              f"{statistics.median(r[2] for r in rows):.2f} s, wall {statistics.median(r[3] for r in rows):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
