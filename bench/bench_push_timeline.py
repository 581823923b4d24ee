"""A timeline of one push through the real device client (issue 8, point 12): per batch, when the freeze, the post
and the stored answer started and ended (ms from the run's start) and the thread CPU each took, then their totals.
It shows whether the vault's work and the server's overlap (docs/sync-client.md, "The push pipelined").

    .venv/bin/python bench/bench_push_timeline.py [--records 10000] [--batch 500] [--profile] [--edits 1000]

It wraps store.next_batch, store.acknowledge_and_next, store.store_push_answer and ServerConnection.push (and the
pull's page steps; the first ack+freeze, with no answer to store yet, is a freeze and is listed as both);
`--profile` adds the cProfile of the run's vault thread (CPU time, by own time and cumulative). `--edits N`: the
timeline (and profile) is that of the incremental run instead: after the first push, N of the records are edited
and pushed (as bench_sync_client's incremental phase).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests" / "server"))
os.environ.setdefault("WAYPOINT_ALLOW_TEST_KDF", "1")

import bench_sync_client as bench  # noqa: E402

from desktop_app.services import sync as sync_service  # noqa: E402
from desktop_app.sync import store, transport  # noqa: E402
from desktop_app.vault import Vault  # noqa: E402
from desktop_app.vault.registrations import save_registrations  # noqa: E402

EVENTS: list[tuple[str, str, float, float, float]] = []  # (step, thread, start, end, thread CPU)


def timed(owner: object, name: str, label: str) -> None:
    if not hasattr(owner, name):
        return
    fn = getattr(owner, name)

    def wrapper(*args, **kwargs):
        start, cpu = time.perf_counter(), time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            EVENTS.append((label, threading.current_thread().name[:10], start, time.perf_counter(),
                           time.thread_time() - cpu))

    setattr(owner, name, wrapper)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--edits", type=int, default=0, help="time the incremental push of N edited records")
    args = parser.parse_args()
    timed(store, "next_batch", "freeze")
    timed(store, "acknowledge_and_next", "ack+freeze")
    timed(store, "store_push_answer", "ack")
    timed(store, "store_pull_page", "page")
    timed(transport.ServerConnection, "push", "post")
    timed(transport.ServerConnection, "pull", "get page")
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        with bench.ServerProcess(data_dir=tmp_path / "server", database_url=None) as server:
            bench.admin(tmp_path / "server", None, "centre", "add", "Agadez")
            code = bench.admin(tmp_path / "server", None, "enrol-code", "--centre", "Agadez")
            vault, _ = Vault.create(tmp_path / "a", admin_username="admin", admin_passphrase="bench passphrase 123",
                                    kdf_profile="test")
            for chunk in range(0, args.records, 1000):
                save_registrations(vault, bench.drafts(min(1000, args.records - chunk)))
            sync_service.enrol(vault, server_url=server.url, code=code)
            if args.edits:
                sync_service.sync_now(vault, batch_size=args.batch)
                with vault.session(readonly=True) as session:
                    ids = [r[0] for r in bench.Db.of(session).execute(
                        bench.text("SELECT id FROM registration ORDER BY id LIMIT :n"), {"n": args.edits}).all()]
                save_registrations(vault, bench.drafts(len(ids), ids=ids, edit=1))
                EVENTS.clear()
            server_before, load = bench.server_cpu_s(server.process.pid), os.getloadavg()[0]
            logged_from = len(server.log_path.read_text().splitlines())
            start, cpu = time.perf_counter(), time.process_time()
            if profiler is not None:
                profiler.enable()
            sync_service.sync_now(vault, batch_size=args.batch)
            if profiler is not None:
                profiler.disable()
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu
            server_cpu = bench.server_cpu_s(server.process.pid) - server_before
            vault.close()
            # the server's own time of each push request of the run (its log line's ms: from the request's
            # authentication to the answer, the commit included)
            lines = server.log_path.read_text().splitlines()
            pushes = [line for line in lines if '"push"' in line]
            logged = [json.loads(line[line.index("{"):]) for line in lines[logged_from:] if '"ms"' in line]
            requests = [(entry.get("event") or entry.get("path") or entry.get("route"), entry.get("ms"))
                        for entry in logged]
            served = [json.loads(line[line.index("{"):]).get("ms") for line in pushes[-len(
                [e for e in EVENTS if e[0] == "post"]):]] if pushes else []
    what = f"incremental push of {args.edits:,} edited" if args.edits else f"push of {args.records:,}"
    print(f"{what} (whole run): client CPU {cpu:.2f} s, server CPU {server_cpu:.2f} s, wall "
          f"{wall:.2f} s; load average {load:.1f} / {os.getloadavg()[0]:.1f}")
    print(f"{'step':10} {'thread':10} {'start':>8} {'end':>8} {'wall':>7} {'CPU':>7}  (ms)")
    for label, thread, began, ended, used in sorted(EVENTS, key=lambda event: event[2]):
        print(f"{label:10} {thread:10} {1000 * (began - start):8.0f} {1000 * (ended - start):8.0f} "
              f"{1000 * (ended - began):7.0f} {1000 * used:7.0f}")
    totals: dict[str, list[float]] = {}
    for label, _thread, began, ended, used in EVENTS:
        total = totals.setdefault(label, [0, 0.0, 0.0])
        total[0] += 1
        total[1] += ended - began
        total[2] += used
    for label, (count, spent, used) in totals.items():
        print(f"total {label:10} {int(count):3} steps: wall {spent:.2f} s, thread CPU {used:.2f} s")
    print(f"server's own ms of each push request (its log): {served}")
    print(f"server's own ms of the run's requests, in order (its log): {requests}")
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    return 0


if __name__ == "__main__":
    sys.exit(main())
