"""The server under load: N worker processes on PostgreSQL, 20 simulated devices pushing and pulling at once
(issue 8, point 12: records per second and p95 latency).

    .venv/bin/python bench/bench_sync_server.py [--workers 4] [--devices 20] [--records 500] [--batch 100]
                                                [--backend postgres|sqlite]

The real server (`waypoint-server serve --workers N`, after `admin init`) on a fresh PostgreSQL database. Each device
is enrolled with its own Ed25519 key and is its own process speaking the protocol through waypoint_core.protocol
(tests/server/sim_device.py): every request signed, every answer's signature checked. It pushes its registrations
(shaped like the desktop client's: about 2 KB of instance XML and five fields) in batches, and after each batch pulls
everything new in its centre (4 centres, 5 devices each) in pages of PULL_PAGE_MAX, so pushes and pulls from every
device overlap. Prints records per second (pushed, and delivered by pulls) and the latency of each request kind
(median, p95, max), the CPU time of the server's processes, of the PostgreSQL backends serving them and of the
devices, and the load average. The clients share the machine with the server: on 2 cores the figures are a floor,
compare runs on one machine.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "server"))  # the same server harness and device client as the tests

from server_harness import PG_ADMIN_URL, ServerProcess, fresh_postgres_database, postgres_available  # noqa: E402
from sim_device import DeviceClient  # noqa: E402

from sync_server import admin  # noqa: E402
from sync_server.db import open_database  # noqa: E402
from waypoint_core.protocol import PULL_PAGE_MAX, Op, SigningKey, b64decode, b64encode  # noqa: E402

CENTRES = 4


NOTES = "synthetic free text " * 86  # about 1.7 KB: a registration's instance with its free-text answers


def _ops(count: int) -> list[Op]:
    now = int(time.time() * 1000)
    return [Op(op_id=str(uuid.uuid4()), device_seq=seq, record_id=str(uuid.uuid4()), op="upsert", record_version=1,
               base_version=None, form_id="migrant_registration", form_version="2026112701", hlc=now + seq,
               fields={"title": f"Bench Person {seq}", "age": seq % 90, "nationality": "NE", "centre": "Agadez",
                       "phone": f"+227 {seq:08d}"},
               content=(f'<data id="migrant_registration"><person><name>Bench Person {seq}</name><age>{seq % 90}'
                        f"</age><nationality>NE</nationality></person><contact><phone>+227 {seq:08d}</phone>"
                        f"</contact><notes>{NOTES}</notes></data>"))
            for seq in range(1, count + 1)]


def _cpu_s(pids: list[int]) -> float:
    """utime + stime of these processes (Linux /proc), in seconds; a process gone counts 0."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    try:
        found = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return found + [g for c in found for g in _children(c)]


def _backends(database_url: str | None) -> list[int]:
    """The PostgreSQL backend processes connected to the bench's database (the workers' pools)."""
    if not database_url:
        return []
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        return [r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (name,))]


def device(url: str, key: str, device_id: str, signing: str, records: int, batch: int, ready, start, out) -> None:
    """One laptop: push in batches, pull after each; report every request's latency."""
    client = DeviceClient(url, key=SigningKey.from_raw(b64decode(key)), device_id=device_id,
                          server_signing_key=signing)
    ops = _ops(records)
    bodies = [client.batch(ops[i:i + batch]).body() for i in range(0, len(ops), batch)]
    timings: list[tuple[str, float, int]] = []
    cursor = ""
    ready.put(device_id)
    start.wait()
    cpu = time.process_time()
    for body in bodies:
        t = time.perf_counter()
        response = client.post_batch(body)
        timings.append(("push", time.perf_counter() - t, batch))
        assert response.status_code == 200 and client.answer_valid(response), response.text[:200]
        while True:
            t = time.perf_counter()
            page = client.pull(cursor, PULL_PAGE_MAX)
            timings.append(("pull", time.perf_counter() - t, len(page.changes)))
            cursor = page.next_cursor
            if not page.has_more:
                break
    client.close()
    out.put((timings, time.process_time() - cpu))


@contextmanager
def _serving(server: ServerProcess) -> Iterator[ServerProcess]:
    """The server started, waiting up to 10 minutes: N workers importing on a loaded machine can take minutes."""
    server.start(timeout=600)
    try:
        yield server
    finally:
        server.stop()


def run(args: argparse.Namespace, database_url: str | None) -> dict:
    data_dir = Path(tempfile.mkdtemp(prefix="waypoint-bench-server-"))
    with _serving(ServerProcess(data_dir=data_dir, database_url=database_url,
                                extra_args=("--workers", str(args.workers)))) as server:
        db = open_database(database_url or f"sqlite:///{data_dir / 'server.db'}", pool_size=2)
        enrolled = []
        for n in range(args.devices):
            centre = f"Centre {n % CENTRES}"
            if centre not in {name for _, name in admin.list_centres(db)}:
                admin.add_centre(db, centre)
            client = DeviceClient(server.url)
            client.enrol(admin.create_enrolment_code(db, centre=centre, ttl=timedelta(hours=1)))
            enrolled.append((b64encode(client.key.raw()), client.device_id, client.server_signing_key))
            client.close()
        db.dispose()
        context = multiprocessing.get_context("spawn")
        ready, start, out = context.Queue(), context.Event(), context.Queue()
        processes = [context.Process(target=device, args=(server.url, key, device_id, signing, args.records,
                                                          args.batch, ready, start, out))
                     for key, device_id, signing in enrolled]
        for process in processes:
            process.start()
        for _ in processes:  # every process has imported and built its batches before the clock starts
            ready.get(timeout=600)
        server_pids = [server.process.pid, *_children(server.process.pid)]
        backend_pids = _backends(database_url)
        server_cpu, backend_cpu = _cpu_s(server_pids), _cpu_s(backend_pids)
        load_before = os.getloadavg()
        began = time.perf_counter()
        start.set()
        answers = [out.get(timeout=1800) for _ in processes]
        wall = time.perf_counter() - began
        load_after = os.getloadavg()
        backend_pids = sorted(set(backend_pids) | set(_backends(database_url)))
        server_cpu, backend_cpu = _cpu_s(server_pids) - server_cpu, _cpu_s(backend_pids) - backend_cpu
        for process in processes:
            process.join()
            assert process.exitcode == 0
    flat = [t for device_timings, _ in answers for t in device_timings]
    result = {"workers": args.workers, "devices": args.devices, "wall_s": round(wall, 2),
              "server_cpu_s": round(server_cpu, 1), "postgres_cpu_s": round(backend_cpu, 1),
              "devices_cpu_s": round(sum(cpu for _, cpu in answers), 1),
              "load": [round(x, 1) for x in (*load_before, *load_after)]}
    for kind in ("push", "pull"):
        seconds = sorted(t for k, t, _ in flat if k == kind)
        records = sum(n for k, _, n in flat if k == kind)
        result[kind] = {"requests": len(seconds), "records": records, "records_per_s": round(records / wall),
                        "median_ms": round(statistics.median(seconds) * 1000, 1),
                        "p95_ms": round(seconds[math.ceil(len(seconds) * 0.95) - 1] * 1000, 1),  # nearest rank
                        "max_ms": round(seconds[-1] * 1000, 1)}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--devices", type=int, default=20)
    parser.add_argument("--records", type=int, default=500, help="registrations pushed by each device")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--backend", default="postgres", choices=("postgres", "sqlite"))
    args = parser.parse_args()
    os.environ.pop("DATABASE_URL", None)
    if args.backend == "postgres":
        reason = postgres_available()
        if reason:
            print(f"skipping: {reason}")
            return
        with fresh_postgres_database() as url:
            result = run(args, url)
    else:
        result = run(args, None)
    load = result["load"]
    print(f"\nServer under load: {result['workers']} worker processes on {args.backend}, {result['devices']} devices "
          f"pushing {args.records} registrations each ({args.batch} per batch) and pulling their centre after each "
          f"batch; {result['wall_s']} s wall time. CPU time: server processes {result['server_cpu_s']} s, "
          f"PostgreSQL backends {result['postgres_cpu_s']} s, the {result['devices']} device processes "
          f"{result['devices_cpu_s']} s. "
          f"Load average {load[0]}, {load[1]}, {load[2]} before, {load[3]}, {load[4]}, {load[5]} after.\n")
    print("| request | requests | records | records/s | median ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for kind in ("push", "pull"):
        r = result[kind]
        print(f"| {kind} | {r['requests']} | {r['records']} | {r['records_per_s']} | {r['median_ms']} | "
              f"{r['p95_ms']} | {r['max_ms']} |")


if __name__ == "__main__":
    main()
