"""Sync throughput over loopback: push and pull of 10,000 registrations (~2 KB each) on SQLite and PostgreSQL,
the server's peak memory, and the ceiling: a bare HTTP POST loop sending the same bytes to a parse-and-discard app.

    .venv/bin/python bench/bench_sync.py [--records 10000] [--batch 500] [--backends sqlite,postgres]

Prints a Markdown table (and writes bench/results/sync.json). Figures depend on the machine; compare runs, and
compare with PouchDB in ../shared/research/peer-benchmarks.md (push 10,000 in 5.0 s, pull in 4.3 s, 162 MB).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "server"))  # the same server harness and device client as the tests

from server_harness import ServerProcess, free_port, fresh_postgres_database, postgres_available  # noqa: E402
from sim_device import DeviceClient  # noqa: E402

from sync_server import admin  # noqa: E402
from sync_server.db import open_database  # noqa: E402
from waypoint_core.protocol import Op  # noqa: E402

BARE_APP = """
import json, sys, uvicorn
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    if body:
        json.loads(body)  # parse and discard
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b"{}"})
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
"""


def registration_ops(count: int, *, start_seq: int = 1, record_ids: list[str] | None = None,
                     base: int | None = None) -> list[Op]:
    ops = []
    for i in range(count):
        seq = start_seq + i
        ops.append(Op(op_id=str(uuid.uuid4()), device_seq=seq, record_id=record_ids[i] if record_ids else
                      str(uuid.uuid4()), op="upsert", record_version=1 if base is None else 2, base_version=base,
                      form_id="registration", form_version="1", hlc=seq,
                      fields={"name": f"Person {seq}", "sex": "F" if seq % 2 else "M", "age": 18 + seq % 50,
                              "nationality": "NE", "registered_on": "2026-11-27",
                              "narrative": "synthetic text " * 120}))  # ~2 KB on the wire
    return ops


def bodies(client: DeviceClient, ops: list[Op], batch: int) -> list[bytes]:
    return [client.batch(ops[i:i + batch]).body() for i in range(0, len(ops), batch)]


def post_all(client: DeviceClient, payloads: list[bytes]) -> float:
    """Each batch as the device sends it: signed over its bytes, the answer's signature checked."""
    start = time.perf_counter()
    for body in payloads:
        response = client.post_batch(body)
        response.raise_for_status()
        if not client.answer_valid(response):
            raise RuntimeError("answer not signed")
    return time.perf_counter() - start


def sealing_cost(data_dir: Path, ops: list[Op]) -> dict:
    """What encryption at rest costs the server for these records: sealing each state twice (current row and
    version) on push, opening it once on pull, timed in this process with the server's own data key."""
    from sync_server.atrest import open_text, seal_text
    from sync_server.keys import load_keyring

    db = open_database(f"sqlite:///{data_dir / 'server.db'}", pool_size=1) if (data_dir / "server.db").exists() \
        else None
    key = load_keyring(data_dir / "keys", db).data if db else None
    if db:
        db.dispose()
    if key is None:
        return {}
    states = [json.dumps(op.fields) for op in ops]
    start = time.perf_counter()
    sealed = [seal_text(key, s, table="record", row_id=op.record_id, version=1) for s, op in zip(states, ops)]
    sealed += [seal_text(key, s, table="record_version", row_id=op.record_id, version=1) for s, op in zip(states, ops)]
    seal_s = time.perf_counter() - start
    start = time.perf_counter()
    for text_, op in zip(sealed, ops):
        open_text(key, text_, table="record", row_id=op.record_id, version=1)
    return {"seal_s": round(seal_s, 3), "open_s": round(time.perf_counter() - start, 3)}


def bench_backend(name: str, database_url: str | None, records: int, batch: int) -> dict:
    data_dir = Path(tempfile.mkdtemp(prefix=f"waypoint-bench-{name}-"))
    result: dict = {"backend": name, "records": records, "batch": batch}
    with ServerProcess(data_dir=data_dir, database_url=database_url) as server, \
            httpx.Client(timeout=300) as http:
        db = open_database(database_url or f"sqlite:///{data_dir / 'server.db'}", pool_size=2)
        admin.add_centre(db, "Bench")
        pusher, puller = (DeviceClient(server.url, http=http), DeviceClient(server.url, http=http))
        for client in (pusher, puller):
            client.enrol(admin.create_enrolment_code(db, centre="Bench", ttl=timedelta(hours=1)))
        ops = registration_ops(records)
        payloads = bodies(pusher, ops, batch)
        result["bytes_per_record"] = round(sum(map(len, payloads)) / records)
        seconds = post_all(pusher, payloads)
        result["push_s"], result["push_per_s"] = round(seconds, 2), round(records / seconds)

        start, cursor, pulled = time.perf_counter(), "", 0
        while True:
            page = puller.pull(cursor, 1000)
            pulled += len(page.changes)
            cursor = page.next_cursor
            if not page.has_more:
                break
        seconds = time.perf_counter() - start
        assert pulled == records, pulled
        result["pull_s"], result["pull_per_s"] = round(seconds, 2), round(records / seconds)

        seconds = post_all(pusher, payloads)  # every batch again: stored answers
        result["repush_unchanged_s"] = round(seconds, 2)
        edits = registration_ops(records // 10, start_seq=records + 1,
                                 record_ids=[op.record_id for op in ops[: records // 10]], base=1)
        seconds = post_all(pusher, bodies(pusher, edits, batch))
        result["push_edits_s"], result["edits"] = round(seconds, 2), len(edits)
        result["server_peak_rss_mb"] = round((server.peak_rss_kb() or 0) / 1024)
        db.dispose()
    result.update(sealing_cost(data_dir, ops) if name == "sqlite" else {})
    return result


def bench_bare(records: int, batch: int) -> dict:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", BARE_APP, str(port)])
    try:
        with httpx.Client(timeout=300) as http:
            deadline = time.monotonic() + 30
            while True:
                try:
                    http.post(f"http://127.0.0.1:{port}/", content=b"{}")
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            client = DeviceClient("http://unused", device_id=str(uuid.uuid4()))
            payloads = bodies(client, registration_ops(records), batch)
            start = time.perf_counter()
            for body in payloads:
                http.post(f"http://127.0.0.1:{port}/", content=body,
                          headers={"content-type": "application/json"}).raise_for_status()
            seconds = time.perf_counter() - start
    finally:
        process.terminate()
        process.wait()
    return {"backend": "bare HTTP loop (parse, discard)", "records": records, "push_s": round(seconds, 2),
            "push_per_s": round(records / seconds)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    os.environ.pop("DATABASE_URL", None)
    results = [bench_bare(args.records, args.batch)]
    for name in args.backends.split(","):
        if name == "postgres":
            reason = postgres_available()
            if reason:
                print(f"skipping PostgreSQL: {reason}")
                continue
            with fresh_postgres_database() as url:
                results.append(bench_backend("postgres", url, args.records, args.batch))
        else:
            results.append(bench_backend("sqlite", None, args.records, args.batch))
    print(f"\nSync over loopback: {args.records} registrations, {args.batch} per batch\n")
    print("| backend | push s (rec/s) | pull s (rec/s) | push again, unchanged s | push 10% edits s | server peak RSS |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in results:
        pull = f"{r['pull_s']} ({r['pull_per_s']})" if "pull_s" in r else ""
        print(f"| {r['backend']} | {r['push_s']} ({r['push_per_s']}) | {pull} | "
              f"{r.get('repush_unchanged_s', '')} | {r.get('push_edits_s', '')} | "
              f"{str(r['server_peak_rss_mb']) + ' MB' if 'server_peak_rss_mb' in r else ''} |")
    for r in results:
        if "seal_s" in r:
            print(f"\nEncryption at rest ({r['backend']}): sealing {r['records']} states twice {r['seal_s']} s, "
                  f"opening them {r['open_s']} s (included in the push and pull times above)")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "sync.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
