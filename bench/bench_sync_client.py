"""Device-side sync throughput through the REAL desktop client (issue 8, point 12): 10,000 registrations of about
2 KB pushed by one laptop and pulled (applied into its empty vault) by another, then 1,000 of them edited and
pushed again, then a sync with nothing to do; against the real server on loopback (SQLite, or PostgreSQL with
--postgres). Prints the figures beside PouchDB's (../shared/research/peer-benchmarks.md) as ratios (PouchDB time /
ours: above 1 is faster than PouchDB) and the issue's targets; asserts nothing about time.

    .venv/bin/python bench/bench_sync_client.py [--records 10000] [--postgres] [--batch 500] [--profile push]

Wall times on a shared machine move with the others' load; each phase also prints the CPU time (process_time) of
the client and of the server process, which move much less. `--profile PHASE` (push, pull, incremental, nothing)
prints the client's cProfile of that phase (CPU time, top 35 by cumulative time). The incremental push is run
`--incremental-runs` times (9), each on 1,000 records not edited before (while the records last): its figure is their
median (their range printed too), its CPU times their mean. One run moved between 0.18 and 0.26 s on the same code
(the two processes' threads on 2 cores), more than most changes it was meant to show. The sync with nothing to do is run
`--quiet-runs` times (100): its wall time is their median (p95 printed too), its CPU times their mean. A hundred, not
twenty: the server's own work after the edits (its WAL checkpoint, checkpoint.py, starts as the quiet runs do)
falls among the first runs, and twenty runs' median moved with it (4-9 ms on the same code).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
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
from desktop_app.sync import store  # noqa: E402
from desktop_app.vault import Vault  # noqa: E402
from desktop_app.vault.registrations import RegistrationDraft, count_unsynced, save_registrations  # noqa: E402
from desktop_app.vault.sql import Db, text  # noqa: E402


def admin(data_dir: Path, database_url: str | None, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run([sys.executable, "-m", "sync_server.cli", "--data-dir", str(data_dir), "admin", *args],
                          env=env, check=True, capture_output=True, text=True).stdout.strip()


# PouchDB 9 replication of 10,000 JSON documents of 2 KB, same kind of machine (peer-benchmarks.md), seconds.
POUCHDB = {"push": 5.01, "pull": 4.29, "incremental": 0.48, "nothing": 0.0074}
TARGETS = {"push": 2.5, "pull": 2.5, "incremental": 0.2, "nothing": 0.020}  # issue 8, point 12 (at most / under)
NOTES = "x" * 1_720  # instance XML of about 2 KB, as a registration with its free-text answers


def drafts(count: int, *, ids: list[str] | None = None, edit: int = 0) -> list[RegistrationDraft]:
    made = []
    for n in range(count):
        content = (f'<data id="migrant_registration"><person><name>Bench Person {n}</name><age>{n % 90}</age>'
                   f"<nationality>NE</nationality></person><contact><phone>+227 {n:08d}</phone></contact>"
                   f"<edit>{edit}</edit><notes>{NOTES}</notes></data>")
        made.append(RegistrationDraft("migrant_registration", "2026112701", "finalized", content,
                                      ids[n] if ids else None,
                                      {"title": f"Bench Person {n}", "age": n % 90, "nationality": "NE",
                                       "centre": "Agadez", "phone": f"+227 {n:08d}"}))
    return made


def server_cpu_s(pid: int) -> float:
    """utime + stime of a process (Linux /proc), seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Phase:
    """Wall time, the client's CPU time and the server's CPU time of one phase; cProfile of it if asked."""

    def __init__(self, name: str, server: ServerProcess, profile: str | None) -> None:
        self.name, self.server = name, server
        self.profiler = cProfile.Profile(time.process_time) if profile == name else None

    def __enter__(self) -> Phase:
        self.server_cpu = server_cpu_s(self.server.process.pid)
        self.start, self.cpu = time.perf_counter(), time.process_time()
        if self.profiler:
            self.profiler.enable()
        return self

    def __exit__(self, *exc) -> None:
        if self.profiler:
            self.profiler.disable()
        self.wall = time.perf_counter() - self.start
        self.cpu = time.process_time() - self.cpu
        self.server_cpu = server_cpu_s(self.server.process.pid) - self.server_cpu
        if self.profiler:
            pstats.Stats(self.profiler).sort_stats("cumulative").print_stats(35)
            pstats.Stats(self.profiler).sort_stats("tottime").print_stats(25)

    def pause(self) -> None:
        """Stop counting (work between a phase's runs that is not theirs); `resume` counts again."""
        self.paused = (time.perf_counter(), time.process_time(), server_cpu_s(self.server.process.pid))
        if self.profiler:
            self.profiler.disable()

    def resume(self) -> None:
        wall, cpu, server_cpu = self.paused
        if self.profiler:
            self.profiler.enable()
        self.start += time.perf_counter() - wall
        self.cpu += time.process_time() - cpu
        self.server_cpu += server_cpu_s(self.server.process.pid) - server_cpu

    def per_run(self, runs: int) -> None:
        """Figures of one run out of `runs` made in this phase (CPU: the mean; wall: the caller's median)."""
        self.cpu, self.server_cpu, self.wall = self.cpu / runs, self.server_cpu / runs, self.wall / runs

    def cpu_line(self) -> str:
        return (f"  {self.name:<12} client CPU {self.cpu:7.3f} s   server CPU {self.server_cpu:7.3f} s   "
                f"wall {self.wall:7.3f} s")


def row(name: str, seconds: float, key: str, records: int | None = None) -> str:
    rate = f" ({records / seconds:,.0f} rec/s)" if records else ""
    peer, target = POUCHDB[key], TARGETS[key]
    verdict = "meets" if seconds <= target else "short of"
    unit = (lambda s: f"{s * 1000:.1f} ms") if key == "nothing" else (lambda s: f"{s:.2f} s")
    return (f"| {name} | {unit(seconds)}{rate} | {unit(peer)} | {peer / seconds:.2f}x | {unit(target)}: {verdict} |")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--profile", choices=("push", "pull", "incremental", "nothing"))
    parser.add_argument("--incremental-runs", type=int, default=9,
                        help="incremental pushes of 1,000 edits: median figure, mean CPU")
    parser.add_argument("--quiet-runs", type=int, default=100, help="syncs with nothing to do: median wall, mean CPU")
    args = parser.parse_args()
    if args.postgres and postgres_available():
        print(f"skipped: {postgres_available()}")
        return 0
    load_before = os.getloadavg()
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

            # A push's figure runs to its last answer stored: the run stores it while the echo pull's first page is
            # on the way (engine._LastAnswer), and reports it once both are done, so the mark is taken here.
            store_push_answer = store.store_push_answer

            def answer_stored(*args, **kwargs):
                outcome = store_push_answer(*args, **kwargs)
                marks["acked"] = time.perf_counter()
                return outcome

            store.store_push_answer = answer_stored

            phases = [Phase(name, server, args.profile) for name in ("push", "pull", "incremental", "nothing")]
            start = time.perf_counter()
            with phases[0]:
                pushed = sync_service.sync_now(sender, batch_size=args.batch, progress=progress)
            total_a = time.perf_counter() - start
            push_s = marks["acked"] - start
            assert pushed.acknowledged == args.records and count_unsynced(sender) == 0
            start = time.perf_counter()
            with phases[1]:
                pulled = sync_service.sync_now(receiver)
            pull_s = time.perf_counter() - start
            assert pulled.pulled == args.records

            edited = min(1000, args.records)
            with sender.session(readonly=True) as session:
                every_id = [r[0] for r in Db.of(session).execute(text("SELECT id FROM registration ORDER BY id")).all()]
            incremental_runs, incremental_totals = [], []
            with phases[2]:  # each run: 1,000 records saved edited (not timed), then the sync that pushes them
                for run in range(args.incremental_runs):
                    first = run * edited if (run + 1) * edited <= len(every_id) else 0  # then edited again
                    phases[2].pause()
                    save_registrations(sender, drafts(edited, ids=every_id[first:first + edited], edit=run + 1))
                    phases[2].resume()
                    marks.clear()
                    start = time.perf_counter()
                    again = sync_service.sync_now(sender, batch_size=args.batch, progress=progress)
                    incremental_totals.append(time.perf_counter() - start)
                    incremental_runs.append(marks.get("acked", start + incremental_totals[-1]) - start)
                    assert again.acknowledged == edited, again
                    phases[2].pause()
                    sync_service.sync_now(sender)  # the echo of those edits, so the next run has nothing to do
                    phases[2].resume()
            phases[2].per_run(args.incremental_runs)
            incremental_s, incremental_total = statistics.median(incremental_runs), statistics.median(incremental_totals)
            phases[2].wall = incremental_total
            quiet_walls = []
            with phases[3]:  # repeated: one quiet run is a few ms, below the server's CPU clock tick
                for _ in range(args.quiet_runs):
                    start = time.perf_counter()
                    quiet = sync_service.sync_now(sender)
                    quiet_walls.append(time.perf_counter() - start)
                    assert (quiet.pushed, quiet.pulled) == (0, 0), quiet
            phases[3].per_run(args.quiet_runs)
            nothing_s = statistics.median(quiet_walls)
            nothing_p95 = sorted(quiet_walls)[max(0, round(0.95 * len(quiet_walls)) - 1)]
            rss = server.peak_rss_kb()
            sender.close()
            receiver.close()
    backend = "postgresql" if args.postgres else "sqlite"
    load = os.getloadavg()
    print(f"backend={backend} records={args.records} batch={args.batch} "
          f"load average before/after: {load_before[0]:.1f} / {load[0]:.1f} ({os.cpu_count()} CPUs)")
    print(f"  local save (vault, 1,000 per transaction): {saved_s:.1f} s ({args.records / saved_s:,.0f} rec/s)")
    print(f"  whole first run incl. own-echo pull:        {total_a:.1f} s")
    print(f"  incremental run in total (push + echo):      {incremental_total:.2f} s (median of {args.incremental_runs})")
    print(f"  incremental push, each of {args.incremental_runs} runs: "
          f"{', '.join(f'{s:.3f}' for s in incremental_runs)} s (median {incremental_s:.3f} s)")
    print(f"  server peak RSS: {rss / 1024:.0f} MiB" if rss else "  server peak RSS: n/a")
    print("  CPU time of each whole run (push and incremental: the run, its echo pull included; incremental: the mean "
          f"of {args.incremental_runs} runs, wall their median; nothing: the mean of {args.quiet_runs} runs, wall their "
          "median):")
    for phase in phases:
        print(phase.cpu_line())
    print(f"  nothing to do, {args.quiet_runs} runs back to back: wall median {nothing_s * 1000:.1f} ms, "
          f"p95 {nothing_p95 * 1000:.1f} ms; CPU per run: client {phases[3].cpu * 1000:.2f} ms, "
          f"server {phases[3].server_cpu * 1000:.2f} ms")
    print()
    print(f"| through the real client, {args.records:,} registrations | Waypoint | PouchDB 9 | ratio | issue 8 target |")
    print("|---|---:|---:|---:|---|")
    print(row(f"push {args.records:,} (freeze + sign + post + store acks)", push_s, "push", args.records))
    print(row(f"pull {args.records:,} into an empty device", pull_s, "pull", args.records))
    print(row(f"incremental push, {edited:,} edited", incremental_s, "incremental", edited))
    print(row("sync with nothing to do", nothing_s, "nothing"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
