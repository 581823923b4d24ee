"""The server's own time per push batch and per pull page, in process (no HTTP, no client): what issue 8 point 12
leaves to the server out of a device's sync.

    .venv/bin/python bench/profile_sync_server.py [--records 10000] [--batch 500] [--page 1000] [--named]
                                                  [--backend sqlite|postgres] [--profile push|derive|pull|edits]
                                                  [--top 25] [--checkpoint-in-commit]

It builds a real server (keys from `admin init`'s code, migrations, the data key), enrols two devices, and times
exactly what a request costs the server after HTTP: the request signature checked over the raw bytes, the push
(parse, scope, merge, sealing, inserts, acks) or the pull page (reads, opening, encoding within the byte budget),
and the answer's signature. Registrations are shaped like the desktop client's (about 2 KB of instance XML and five
extracted fields; with --named they name a person, so their search keys are derived). After the pushes, the derived
tables caught up as the server does after a push's commit (`derive`: derived.catch_up with the values the pushes
wrote, as the server's Follower). Then 20 empty pulls (a sync with nothing to do) and 1,000 edits pushed on the
versions they were made on (and derived), and what sealing at rest costs per 1,000 records. Wall time and CPU
time (process_time) of this process (on PostgreSQL the database's own CPU is not in it); --profile prints
cProfile's top functions for one part.

As the serving process after it is built (app.settle_heap: gc.collect, gc.freeze), what this bench holds for itself
(the ops it sends, their bodies, the versions it keeps) is frozen out of the garbage collector's way before each
timed part: else a full collection walks the bench's own heap inside a timed request (about 85 ms of the 1,000
edits), which a server does not hold.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import sys
import tempfile
import time
import uuid
from contextlib import nullcontext
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "server"))

from server_harness import fresh_postgres_database, postgres_available  # noqa: E402

from sync_server import admin, derived  # noqa: E402
from sync_server.checkpoint import Checkpointer  # noqa: E402
from sync_server.auth import AuthenticatedDevice, _signature_valid  # noqa: E402
from sync_server.db import MigrationContext, migrate, open_database  # noqa: E402
from sync_server.keys import init_keys, load_keyring  # noqa: E402
from sync_server.pull import pull_page  # noqa: E402
from sync_server.push import PushRules, push  # noqa: E402
from waypoint_core.protocol import (  # noqa: E402
    DOMAIN_REQUEST, DOMAIN_RESPONSE, PULL_PAGE_BYTES, EnrolRequest, Op, PushBatch, RequestBinding, SigningKey,
    answer_message, now_ms, request_message,
)

NOTES = "x" * 1_720


def ops_for(count: int, start: int = 1, *, bases: list[tuple[str, str]] | None = None, named: bool = False
            ) -> list[Op]:
    """New registrations, or (bases: record id and version hash) an edit of each, made on version 1. `named`: the
    person's names, sex, birth date and phone in the answers the search reads (as the shipped form writes them), so
    the derived search keys are made; else one <name> answer, as bench_sync_client's registrations."""
    now = now_ms()
    made = []
    for i, n in enumerate(range(start, start + count)):
        name = (f"<given_name>Amadou{n % 997}</given_name><family_name>Person{n}</family_name><sex>male</sex>"
                f"<date_of_birth>19{60 + n % 40}-0{1 + n % 9}-1{n % 10}</date_of_birth>" if named
                else f"<name>Bench Person {n}</name>")
        content = (f'<data id="migrant_registration"><person>{name}<age>{n % 90}</age>'
                   f"<nationality>NE</nationality></person><contact><phone>+227 {n:08d}</phone></contact>"
                   f"<edit>{1 if bases else 0}</edit><notes>{NOTES}</notes></data>")
        made.append(Op(op_id=str(uuid.uuid4()), device_seq=n, record_id=bases[i][0] if bases else str(uuid.uuid4()),
                       op="upsert", record_version=2 if bases else 1, base_version=1 if bases else None,
                       base_hash=bases[i][1] if bases else None, form_id="migrant_registration",
                       form_version="2026112701", hlc=now + n,
                       fields={"title": f"Bench Person {n}", "age": n % 90, "nationality": "NE", "centre": "Agadez",
                               "phone": f"+227 {n:08d}"}, content=content))
    return made


def sealing_cost(key, ops: list[Op]) -> tuple[float, float]:
    """CPU ms per 1,000 records to seal each state as a push does (twice) and to open it as a pull does (once)."""
    from sync_server.atrest import open_text, seal_text
    from sync_server.merge import op_patch
    from waypoint_core.protocol import canonical_json

    states = [(op.record_id, canonical_json(op_patch(op)).decode()) for op in ops]
    seal_best = open_best = float("inf")
    for _ in range(5):
        clock = time.process_time()
        sealed = [seal_text(key, state, table="record", row_id=rid, version=1) for rid, state in states]
        sealed2 = [seal_text(key, state, table="record_version", row_id=rid, version=1) for rid, state in states]
        seal_best = min(seal_best, time.process_time() - clock)
        clock = time.process_time()
        for (rid, _), value in zip(states, sealed):
            open_text(key, value, table="record", row_id=rid, version=1)
        open_best = min(open_best, time.process_time() - clock)
        assert len(sealed2) == len(sealed)
    return seal_best * 1e6 / len(ops), open_best * 1e6 / len(ops)


def settle_heap() -> None:
    """What the bench keeps for itself out of the collector's way, as app.settle_heap does for a serving process."""
    gc.collect()
    gc.freeze()


def device(db, keyring, centre: str) -> tuple[SigningKey, str]:
    key = SigningKey.generate()
    code = admin.create_enrolment_code(db, centre=centre, ttl=timedelta(hours=1))
    response = admin.enrol(db, keyring, EnrolRequest.build(code=code, device_key=key, device_name="bench"))
    return key, response.device_id


def who(db, device_id: str) -> AuthenticatedDevice:
    from sync_server.auth import _device_row

    with db.read_engine.connect() as conn:
        row = _device_row(conn, device_id)
    return AuthenticatedDevice(row.id, row.centre_id, row.high_water_mark, row.served_cursor, row.acked_seq)


def run(args: argparse.Namespace, database_url: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        db = open_database(database_url or f"sqlite:///{data / 'server.db'}", pool_size=4,
                           deferred_checkpoints=not args.checkpoint_in_commit)
        checkpointer = Checkpointer(db) if db.sqlite_path is not None and not args.checkpoint_in_commit else None
        if checkpointer is not None:  # as the serving process: the WAL checkpointed off the requests
            checkpointer.start()
        migrate(db)
        init_keys(data / "keys", db)
        keyring = load_keyring(data / "keys", db)
        migrate(db, MigrationContext(data_key=keyring.data))
        admin.add_centre(db, "Agadez")
        (push_key, pusher), (_pull_key, puller) = device(db, keyring, "Agadez"), device(db, keyring, "Agadez")
        rules = PushRules(data_key=keyring.data)
        ops = ops_for(args.records, named=args.named)
        bodies = [PushBatch.of(device_id=pusher, ops=ops[i:i + args.batch]).body()
                  for i in range(0, len(ops), args.batch)]
        signing = keyring.signing
        settle_heap()

        def one_push(body: bytes, kind: str = "push") -> None:
            binding = RequestBinding("POST", "/v2/push", "", pusher, str(int(time.time())))
            signature = push_key.sign(DOMAIN_REQUEST, request_message(binding, body))  # the device's part: untimed
            clock = time.perf_counter(), time.process_time()
            assert _signature_valid(push_key.public_b64, signature, binding, body)
            response, stats = push(db, who(db, pusher), body, rules)
            written.update((change.record_id, change) for change in stats.written)  # as the server's Follower keeps
            versions.extend((r["record_id"], r["version_hash"]) for r in response.results)
            answer = response.canonical()
            signing.sign(DOMAIN_RESPONSE, answer_message(binding, status=200, server_time_ms=now_ms(),
                                                         key_id=signing.key_id, body=answer))
            timings[kind].append((time.perf_counter() - clock[0], time.process_time() - clock[1]))

        def one_pull(cursor: str) -> tuple[str, bool, int]:
            import json

            binding = RequestBinding("GET", "/v2/changes", f"cursor={cursor}&limit={args.page}", puller, "0")
            clock = time.perf_counter(), time.process_time()
            body = pull_page(db, device=who(db, puller), cursor=cursor, limit=args.page, page_bytes=PULL_PAGE_BYTES,
                             key=keyring.data)
            signing.sign(DOMAIN_RESPONSE, answer_message(binding, status=200, server_time_ms=now_ms(),
                                                         key_id=signing.key_id, body=body))
            timings["pull"].append((time.perf_counter() - clock[0], time.process_time() - clock[1]))
            page = json.loads(body)
            return page["next_cursor"], page["has_more"], len(page["changes"])

        def derive(kind: str = "derive") -> None:
            """What the server does after the pushes, off their requests: the derived tables caught up (derived.py)."""
            clock = time.perf_counter(), time.process_time()
            with profiler if args.profile == "derive" else nullcontext():
                derived.catch_up(db, keyring.data, written)
            written.clear()
            timings[kind].append((time.perf_counter() - clock[0], time.process_time() - clock[1]))

        timings: dict[str, list[tuple[float, float]]] = {"push": [], "derive": [], "pull": [], "pull_empty": [],
                                                         "push_edits": [], "derive_edits": []}
        versions: list[tuple[str, str]] = []
        written: dict[str, derived.Change] = {}
        profiler = cProfile.Profile(time.process_time)  # CPU time: the machine is shared
        with profiler if args.profile == "push" else nullcontext():
            for body in bodies:
                one_push(body)
        cursor, more, pulled = "", True, 0
        with profiler if args.profile == "pull" else nullcontext():
            while more:
                cursor, more, count = one_pull(cursor)
                pulled += count
        assert pulled == args.records, pulled
        for _ in range(20):  # a sync with nothing to do asks for one empty page
            before = len(timings["pull"])
            one_pull(cursor)
            timings["pull_empty"].append(timings["pull"].pop(before))
        derive()
        edits = ops_for(min(1000, args.records), args.records + 1, bases=versions[:1000], named=args.named)
        settle_heap()
        with profiler if args.profile == "edits" else nullcontext():
            for i in range(0, len(edits), args.batch):  # 1,000 edited registrations, each on its version
                one_push(PushBatch.of(device_id=pusher, ops=edits[i:i + args.batch]).body(), "push_edits")
        derive("derive_edits")
        sealing = sealing_cost(keyring.data, ops[:2000])
        if checkpointer is not None:
            checkpointer.stop()
        db.dispose()
    load = os.getloadavg()
    named = "named " if args.named else ""
    print(f"\n{args.records} {named}registrations on {args.backend}, push batches of {args.batch}, pull pages of "
          f"{args.page} (load average {load[0]:.1f}, {load[1]:.1f}, {load[2]:.1f})")
    print("| server side | requests | wall s | CPU s | wall ms/request | records/s (wall) |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind, rows in timings.items():
        wall, cpu = sum(r[0] for r in rows), sum(r[1] for r in rows)
        records = {"pull_empty": 0, "push_edits": min(1000, args.records),
                   "derive_edits": min(1000, args.records)}.get(kind, args.records)
        rate = f"{records / wall:,.0f}" if records else ""
        print(f"| {kind} | {len(rows)} | {wall:.2f} | {cpu:.2f} | {wall / len(rows) * 1000:.1f} | {rate} |")
    print(f"\nEncryption at rest (atrest.py), per 1,000 registrations, best of 5, in this process: sealing each state "
          f"twice (record and record_version) {sealing[0]:.1f} ms CPU, opening it once (pull) {sealing[1]:.1f} ms CPU")
    if args.profile:
        print()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--page", type=int, default=1000)
    parser.add_argument("--backend", default="sqlite", choices=("sqlite", "postgres"))
    parser.add_argument("--profile", choices=("push", "derive", "pull", "edits"))
    parser.add_argument("--named", action="store_true", help="registrations that name a person (search keys made)")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--checkpoint-in-commit", action="store_true",
                        help="SQLite: its automatic checkpoint inside the commits (as before checkpoint.py)")
    args = parser.parse_args()
    if args.backend == "postgres":
        reason = postgres_available()
        if reason:
            print(f"skipping: {reason}")
            return
        with fresh_postgres_database() as url:
            run(args, url)
    else:
        run(args, None)


if __name__ == "__main__":
    main()
