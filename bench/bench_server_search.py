"""The server's search (`POST /v2/search`, sync_server/search.py) on 100,000 registrations, both stages, against the
device's rules in memory (`MemoryIndex.first` and `MemoryIndex.search` over every record opened).

    .venv/bin/python bench/bench_server_search.py --keep /tmp/wp-search --sample 30
    .venv/bin/python bench/bench_server_search.py --backend postgres --keep /tmp/wp-search-pg --sample 30

The registrations (synthetic people of tests/registry/synthetic_people.py, seed 11, with about 2 KB of instance each,
as bench_indicators.py writes them) are sealed with the server's data key straight into the record table, then
`derived.rebuild` makes their search keys (what migration 0012 runs). With `--keep DIR` the server's folder (and on
PostgreSQL the database `waypoint_bench_search_<people>`) is built once and reused, so that two versions of the code
are measured on the same data. Then, for `--sample` people: their names (given and family, the family name still
being typed), documents, phones and the first three letters of the given name, each in both stages; CPU
(time.process_time) and wall p50 / p95, and how many answers equal the device's rules in memory (the first stage's
first 20 results against `MemoryIndex.first`, the refined search's against `MemoryIndex.search`). Prints figures;
asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "server"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "registry"))

FILLER = "<answer>synthetic</answer>" * 60
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def record_id(n: int) -> str:
    return f"{n:08x}-0000-4000-8000-{n:012x}"


def person_xml(who) -> str:  # type: ignore[no-untyped-def]
    return (f"<data><identity><given_name>{who.given_name or ''}</given_name><family_name>{who.family_name or ''}"
            f"</family_name><sex>{who.sex or ''}</sex><date_of_birth>{who.date_of_birth or ''}</date_of_birth>"
            f"<nationality>{who.nationality or ''}</nationality><id_document_number>{who.document_number or ''}"
            f"</id_document_number><phone>{who.phone or ''}</phone></identity>{FILLER}</data>")


def database_url(backend: str, people: int, folder: Path, kept: bool) -> str | None:
    if backend == "sqlite":
        return None
    import psycopg

    name = f"waypoint_bench_search_{people}" if kept else f"waypoint_bench_search_{os.getpid()}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and not (folder / "done").exists():
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def build(folder: Path, url: str | None, names: list) -> None:  # type: ignore[type-arg]
    from server_harness import ServerProcess

    from sync_server import admin, derived
    from sync_server.atrest import seal_text
    from sync_server.db import open_database
    from sync_server.keys import load_keyring
    from sync_server.tables import Record

    ServerProcess(data_dir=folder / "server", database_url=url).init()
    db = open_database(url or f"sqlite:///{folder / 'server' / 'server.db'}", pool_size=2)
    key = load_keyring(folder / "server" / "keys", db).data
    centre = admin.add_centre(db, "Agadez")
    started, now, rows = time.perf_counter(), datetime.now(UTC), []
    for n, who in enumerate(names):
        values = {"sex": who.sex, "nationality": who.nationality, "@status": "finalized",
                  "#form": "waypoint_migrant_registration\x1f1", "#deleted": False, "#content": person_xml(who)}
        rid = record_id(n)
        rows.append({"id": rid, "centre_id": centre, "form_id": "waypoint_migrant_registration",
                     "form_version": "1", "server_version": 1, "deleted": False, "provenance": "{}", "updated_at": now,
                     "hash": "bench", "hlc": 1, "origin_device_id": None,
                     "state": seal_text(key, json.dumps(values), table="record", row_id=rid, version=1)})
        if len(rows) == 5_000 or n == len(names) - 1:
            with db.write_engine.begin() as conn:
                conn.execute(Record.__table__.insert(), rows)
            rows.clear()
    with db.write_engine.begin() as conn:
        derived.rebuild(conn, key)
    if db.write_engine.dialect.name == "postgresql":
        with db.write_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
    db.dispose()
    (folder / "done").write_text(f"{centre}\n{time.perf_counter() - started:.0f}\n")
    print(f"built {len(names):,} registrations and their search keys in {time.perf_counter() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=30)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--keep", metavar="DIR", help="build the server's data in DIR once and reuse it")
    args = parser.parse_args()
    os.environ.setdefault("WAYPOINT_ALLOW_TEST_KDF", "1")

    from synthetic_people import generate

    from sync_server import search as server_search
    from sync_server.atrest import open_text
    from sync_server.auth import AuthenticatedDevice
    from sync_server.db import open_database
    from sync_server.keys import load_keyring
    from sync_server.tables import Record
    from waypoint_core.registry import search as core
    from waypoint_core.registry.person import prepare
    from waypoint_core.registry.stored import person_from_content

    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="waypoint-bench-search-"))
    folder.mkdir(parents=True, exist_ok=True)
    names = [s.record for s in generate(args.people, seed=11).records][:args.people]
    url = database_url(args.backend, args.people, folder, args.keep is not None)
    if not (folder / "done").exists():
        build(folder, url, names)
    centre = (folder / "done").read_text().split()[0]
    db = open_database(url or f"sqlite:///{folder / 'server' / 'server.db'}", pool_size=2)
    key = load_keyring(folder / "server" / "keys", db).data
    device = AuthenticatedDevice("00000000-0000-4000-8000-00000000be0c", centre, 0, 0)

    started, memory, kept = time.perf_counter(), core.MemoryIndex(), folder / "profiles.pickle"
    if kept.exists():  # the profiles of the registrations, prepared by an earlier run (synthetic people only)
        for profile in pickle.loads(kept.read_bytes()):
            memory.add(profile)
    else:
        profiles = []
        r = Record.__table__
        with db.read_engine.connect() as conn:
            for row in conn.execute(r.select().with_only_columns(r.c.id, r.c.server_version, r.c.state)
                                    .where(r.c.centre_id == centre, r.c.deleted.is_(False))):
                values = json.loads(open_text(key, row.state, table="record", row_id=row.id,
                                              version=row.server_version))
                person = person_from_content(row.id, values.get("#content"), status=values.get("@status"),
                                             created_at=values.get("@created_at"))
                if person is not None:
                    profiles.append(prepare(person))
        for profile in profiles:
            memory.add(profile)
        if args.keep:
            kept.write_bytes(pickle.dumps(profiles))
    print(f"MemoryIndex of every record built in {time.perf_counter() - started:.0f} s")

    today = date.today()
    sample = names[::max(1, len(names) // args.sample)][:args.sample]
    kinds = {"names": [f"{w.given_name} {w.family_name}" for w in sample],
             "documents": [w.document_number for w in sample if w.document_number],
             "phones": [w.phone for w in sample if w.phone],
             "3 letters": [(w.given_name or "Mo")[:3] for w in sample]}
    for kind, asked in kinds.items():
        for stage, run in (("first", server_search.first_results), ("refined", server_search.search)):
            cpus, walls, same = [], [], 0
            run(db, device, text=asked[0], limit=20, key=key, today=today)  # warm the connection
            for q in asked:
                wall, cpu = time.perf_counter(), time.process_time()
                body = run(db, device, text=q, limit=20, key=key, today=today)
                cpus.append(time.process_time() - cpu)
                walls.append(time.perf_counter() - wall)
                parsed = core.parse_query(q, None, today=today)
                rules = memory.first if stage == "first" else memory.search
                same += [r["id"] for r in json.loads(body)["results"]] == [
                    h.id for h in rules(parsed, today=today, limit=20)]
            cpus.sort()
            walls.sort()
            p95 = min(len(asked) - 1, int(0.95 * len(asked)))
            print(f"{args.backend} {kind} ({len(asked)}) {stage}: CPU p50 {cpus[len(asked) // 2] * 1000:.0f} ms, "
                  f"p95 {cpus[p95] * 1000:.0f} ms; wall p50 {walls[len(asked) // 2] * 1000:.0f} ms, "
                  f"p95 {walls[p95] * 1000:.0f} ms; same as MemoryIndex.{'first' if stage == 'first' else 'search'}"
                  f": {same} of {len(asked)} (load {os.getloadavg()[0]:.1f})", flush=True)
    db.dispose()


if __name__ == "__main__":
    main()
