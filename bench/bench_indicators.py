"""Indicators on 100,000 registrations with 300,000 events: the shared core (what the server runs) and the device
(through SQLCipher, with rights), and the protected export.

    .venv/bin/python bench/bench_indicators.py                  # 100,000 people, 300,000 events
    .venv/bin/python bench/bench_indicators.py --people 10000   # quicker
    .venv/bin/python bench/bench_indicators.py --skip-core --keep /tmp/wp-ind --profile  # device only, vault kept

1. core: `waypoint_core.registry.indicators.compute_all` over typed rows in memory (the server builds the same rows
   from its tables), then `exports.build_report` (every table protected and audited);
2. device: the same people and events saved as registrations, assistance events and referrals through the vault's
   writer in batches of 5,000 (test KDF profile, temporary folder removed after; with `--keep DIR`, built in DIR once
   and reused by the next run with the same numbers), then `services.reports.compute` as an administrator
   (the two reads through SQLCipher, linking by registration number, indicators, protection), and the report
   written as XLSX, PDF and CSV;
3. server (`--server`): the same records written into a fresh server database (SQLite by default,
   `--server-backend postgres` for 127.0.0.1:5432), sealed with the server's data key as push stores them (written
   straight into the record table: pushing 400,000 ops would take hours here), with a 2 KB instance each (a
   registration's holds a synthetic person: names, date of birth, document, phone). Then: /v2/indicators as it was
   (every record of the centre opened and read by the device's code); the derived tables built from the sealed
   records (what migration 0012 runs); `sync_server.reports.indicators`, what `GET /v2/indicators` runs now (SQL over
   `indicator_fact`, the device's computation, protected and rounded), checked equal to the full scan's answer;
   /v2/search through the hashed keys against a MemoryIndex of every record (the old way), then both stages
   (`stage=first`, `stage=refined`) on `--search-sample` names, documents, phones and three-letter beginnings (CPU and
   wall p50 / p95); and what the derived rows cost per record (`derived.refresh` on batches of 200, as new records and
   as updates: what the catch-up after a push's commit pays).
Wall and CPU time (time.process_time) are printed side by side: the machine is shared. Prints figures; asserts
nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta, UTC
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("WAYPOINT_ALLOW_TEST_KDF", "1")

from bench.kept_vault import open_or_create
from desktop_app.services import forms, reports
from desktop_app.vault.registrations import RegistrationDraft, save_registrations
from waypoint_core.registry import exports, indicators
from waypoint_core.registry.indicators import Case, Event, Person

TYPES = ["food", "accommodation", "nfi_hygiene", "health_primary", "counselling_info", "registration",
         "avrr_travel", "post_arrival", "reint_economic", "reint_social", "legal", "cash"]
CATEGORIES = ["migrant_transit", "stranded", "expelled", "returnee", "asylum_seeker", "refugee"]
CENTRES = ["ne_agadez", "ne_arlit", "ne_niamey", "ml_gao", "bf_ouagadougou", "et_metema", "dj_obock"]
NATIONALITIES = ["ML", "NE", "GN", "SN", "NG", "CI", "ET", "ER", "SO", "SD", "BF", "GM"]
START, END = date(2026, 1, 1), date(2026, 12, 31)
BATCH = 5_000


def record_id(n: int) -> str:
    return f"{n:08x}-0000-4000-8000-{n:012x}"


def synthetic(people: int, events_per_person: float, seed: int = 7):
    rng = random.Random(seed)
    persons, events, cases = [], [], []
    for n in range(people):
        persons.append(Person(record_id(n), rng.choice(["female", "male", "male"]), rng.randint(1960, 2020),
                              rng.choice(NATIONALITIES), rng.choice(CENTRES), rng.choice(CATEGORIES),
                              merged_into=record_id(n - 1) if n and rng.random() < 0.01 else None))
        if rng.random() < 0.01:
            cases.append(Case(record_id(n), "ActualVictimOfTrafficking"))
    for _ in range(int(people * events_per_person)):
        person = rng.randrange(people)
        day = START + timedelta(days=rng.randrange(0, 365))
        kind = "referral" if rng.random() < 0.05 else "assistance"
        events.append(Event(record_id(person), day, kind, rng.choice(TYPES) if kind == "assistance" else None,
                            persons[person].centre))
    return persons, events, cases


def core(persons, events, cases) -> None:
    started, cpu = time.perf_counter(), time.process_time()
    results = indicators.compute_all(start=START, end=END, people=persons, events=events, cases=cases)
    counted, counted_cpu = time.perf_counter() - started, time.process_time() - cpu
    report = exports.build_report(results, title="bench", scope="all")
    protected, protected_cpu = time.perf_counter() - started - counted, time.process_time() - cpu - counted_cpu
    print(f"  core (the server's code): indicators {counted:.2f} s ({counted_cpu:.2f} s CPU), "
          f"{sum(len(s.tables) for s in report.sections)} tables protected and audited {protected:.2f} s "
          f"({protected_cpu:.2f} s CPU); 3.2 = {results[0].total:,}")


def server(persons, events, cases, folder: Path, backend: str, args_sample: int = 20) -> None:
    import json
    from datetime import datetime

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "server"))
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "registry"))
    from server_harness import ServerProcess, fresh_postgres_database
    from synthetic_people import generate

    from sync_server import admin, derived
    from sync_server import reports as server_reports
    from sync_server import search as server_search
    from sync_server.atrest import open_text, seal_text
    from sync_server.auth import AuthenticatedDevice
    from sync_server.db import open_database
    from sync_server.keys import load_keyring
    from sync_server.tables import Record
    from waypoint_core.registry import search as core
    from waypoint_core.registry.person import prepare
    from waypoint_core.registry.stored import person_from_content

    filler = "<answer>synthetic</answer>" * 60  # with the person's answers, about 2 KB of instance per record
    names = [s.record for s in generate(len(persons), seed=11).records][:len(persons)]

    def person_xml(n: int, p: Person) -> str:
        who = names[n % len(names)]
        return (f"<data><identity><given_name>{who.given_name or ''}</given_name><family_name>{who.family_name or ''}"
                f"</family_name><sex>{p.sex}</sex><date_of_birth>{who.date_of_birth or ''}</date_of_birth>"
                f"<nationality>{p.nationality}</nationality><id_document_number>{who.document_number or ''}"
                f"</id_document_number><phone>{who.phone or ''}</phone></identity>{filler}</data>")

    def timed(what: str, call):
        wall, cpu = time.perf_counter(), time.process_time()
        out = call()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"  server ({backend}): {what} {wall:.2f} s ({cpu:.2f} s CPU; load {os.getloadavg()[0]:.1f})")
        return out, wall, cpu

    def run(url: str | None) -> None:
        process = ServerProcess(data_dir=folder / "server", database_url=url)
        process.init()
        db = open_database(url or f"sqlite:///{folder / 'server' / 'server.db'}", pool_size=2)
        try:
            key = load_keyring(folder / "server" / "keys", db).data
            centre = admin.add_centre(db, "Agadez")
            now = datetime.now(UTC)
            started = time.perf_counter()
            rows: list[dict] = []

            def state(form: str, fields: dict, content: str) -> dict:
                return {**{k: v for k, v in fields.items() if v is not None}, "@status": "finalized",
                        "#form": f"{form}\x1f1", "#deleted": False, "#content": content}

            def put(record_id: str, form: str, fields: dict, content: str = f"<data>{filler}</data>") -> None:
                values = state(form, fields, content)
                rows.append({"id": record_id, "centre_id": centre, "form_id": form, "form_version": "1",
                             "server_version": 1, "deleted": False, "provenance": "{}", "updated_at": now,
                             "hash": "bench", "hlc": 1, "origin_device_id": None,
                             "state": seal_text(key, json.dumps(values), table="record", row_id=record_id, version=1)})
                if len(rows) == 5_000:
                    flush()

            def flush() -> None:
                with db.write_engine.begin() as conn:
                    conn.execute(Record.__table__.insert(), rows)
                rows.clear()

            def person_fields(p: Person) -> dict:
                return {"sex": p.sex, "age": 2026 - (p.birth_year or 2000), "nationality": p.nationality,
                        "centre": p.centre, "registered_on": "2026-01-01", "beneficiary_category": p.category}

            def event_fields(e: Event) -> dict:
                return {"centre": e.centre, "registered_on": e.day.isoformat(), "assistance_type": e.assistance_type,
                        "person_ref": e.person_id.replace("-", "")[:8].upper()}

            for n, p in enumerate(persons):
                put(p.id, "waypoint_migrant_registration", person_fields(p), person_xml(n, p))
            for n, e in enumerate(events):
                put(record_id(10_000_000 + n), "waypoint_referral" if e.kind == "referral" else "waypoint_assistance_event",
                    event_fields(e))
            for n, c in enumerate(cases):
                put(record_id(20_000_000 + n), "waypoint_vot_case", {
                    "person_ref": c.person_id.replace("-", "")[:8].upper(), "record_kind": "case",
                    "trafficking_status": c.trafficking_status})
            flush()
            total = len(persons) + len(events) + len(cases)
            print(f"  server ({backend}): {total:,} sealed records written in {time.perf_counter() - started:.0f} s")
            device = AuthenticatedDevice("00000000-0000-4000-8000-00000000be0c", centre, 0, 0)

            def opened() -> list[tuple[str, str, dict]]:
                r = Record.__table__
                with db.read_engine.connect() as conn:
                    return [(row.id, row.form_id, json.loads(open_text(key, row.state, table="record", row_id=row.id,
                                                                        version=row.server_version)))
                            for row in conn.execute(r.select().with_only_columns(
                                r.c.id, r.c.form_id, r.c.server_version, r.c.state).where(
                                r.c.centre_id == centre, r.c.deleted.is_(False)))]

            def full_scan() -> bytes:  # /v2/indicators until migration 0012: every record opened
                rows = [row for rid, form, values in opened()
                        if (row := derived.stored_row(rid, form, values)) is not None]
                done = exports.indicators_from_records(rows, start=START, end=END, scope=f"centre:{centre}",
                                                       covers=lambda _c: True, centre_scope=False, may_see_cases=True)
                return server_reports.answer(done, centre, start=START, end=END)

            before, _, _ = timed("/v2/indicators before (every record opened, the full scan)", full_scan)

            def rebuild() -> int:
                with db.write_engine.begin() as conn:
                    return derived.rebuild(conn, key)
            done, wall, cpu = timed(f"derived tables built from {total:,} sealed records (migration 0012)", rebuild)
            print(f"    = {cpu / done * 1e6:.0f} us CPU per record, opening included")
            for attempt in ("first", "again"):
                after, _, _ = timed(f"/v2/indicators after, from indicator_fact ({attempt})",
                                    lambda: server_reports.indicators(db, device, start=START, end=END, key=key))
            print(f"    same answer as the full scan: {'yes' if after == before else 'NO'}; "
                  f"3.2 = {json.loads(after)['indicators'][0]['total']} (rounded)")

            if not args_sample:  # --search-sample 0: the indicators only
                return
            # search: a few queries, through the hashed keys vs a MemoryIndex of every record
            sample = [names[n] for n in range(0, len(names), max(1, len(names) // 5))][:5]
            queries = [f"{w.given_name} {w.family_name}" for w in sample] + [
                (sample[0].given_name or "Mo")[:3], sample[1].document_number or "12345678"]

            def index() -> core.MemoryIndex:
                built = core.MemoryIndex()
                for rid, _form, values in opened():
                    person = person_from_content(rid, values.get("#content"), status=values.get("@status"),
                                                 created_at=values.get("@created_at"))
                    if person is not None:
                        built.add(prepare(person))
                return built
            memory, _, _ = timed("/v2/search before: the index built from every record (per query)", index)
            today = date.today()
            for q in queries:
                wall, cpu = time.perf_counter(), time.process_time()
                body = server_search.search(db, device, text=q, limit=20, key=key, today=today)
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                parsed = core.parse_query(q, None, today=today)
                old = [h.id for h in memory.search(parsed, today=today, limit=20)]
                same = [r["id"] for r in json.loads(body)["results"]] == old
                print(f"  server ({backend}): /v2/search after {len(q)} characters: {wall * 1000:.0f} ms "
                      f"({cpu * 1000:.0f} ms CPU), {len(old)} results, same as before: {'yes' if same else 'NO'}")

            # both stages on more queries: names, documents, phones, the first three letters; CPU and wall p50 / p95,
            # the first stage checked against MemoryIndex.first (the device's first stage in memory)
            people_sample = names[::max(1, len(names) // args_sample)][:args_sample]
            kinds = {"names": [f"{w.given_name} {w.family_name}" for w in people_sample],
                     "documents": [w.document_number for w in people_sample if w.document_number],
                     "phones": [w.phone for w in people_sample if w.phone],
                     "as you type (3 letters)": [(w.given_name or "Mo")[:3] for w in people_sample]}
            for kind, asked in kinds.items():
                for stage, run in (("first", server_search.first_results), ("refined", server_search.search)):
                    cpus, walls, same = [], [], 0
                    for q in asked:
                        wall, cpu = time.perf_counter(), time.process_time()
                        body = run(db, device, text=q, limit=20, key=key, today=today)
                        cpus.append(time.process_time() - cpu)
                        walls.append(time.perf_counter() - wall)
                        if stage == "first":
                            parsed = core.parse_query(q, None, today=today)
                            same += [r["id"] for r in json.loads(body)["results"]] == [
                                h.id for h in memory.first(parsed, today=today, limit=20)]
                    cpus.sort()
                    walls.sort()
                    p95 = min(len(asked) - 1, int(0.95 * len(asked)))
                    print(f"  server ({backend}): /v2/search {kind} ({len(asked)}), {stage}: CPU p50 "
                          f"{cpus[len(asked) // 2] * 1000:.0f} ms, p95 {cpus[p95] * 1000:.0f} ms; wall p50 "
                          f"{walls[len(asked) // 2] * 1000:.0f} ms, p95 {walls[p95] * 1000:.0f} ms"
                          + (f"; same as MemoryIndex.first: {same} of {len(asked)}" if stage == "first" else "")
                          + f" (load {os.getloadavg()[0]:.1f})")

            # what push pays: derived.refresh on one batch of 200 new records, then again as an update (rolled back)
            def batch_cost(label: str, changes: list) -> None:
                with db.write_engine.connect() as conn:
                    for mode in ("new", "update"):
                        items = [derived.Change(c.record_id, c.centre_id, c.form_id, c.values, mode == "new")
                                 for c in changes]
                        transaction = conn.begin()
                        wall, cpu = time.perf_counter(), time.process_time()
                        for start in range(0, len(items), 200):
                            derived.refresh(conn, items[start:start + 200], key)
                        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                        transaction.rollback()
                        print(f"  server ({backend}): push adds per {label} ({mode}): {wall / len(items) * 1e6:.0f} us "
                              f"({cpu / len(items) * 1e6:.0f} us CPU)")
            fresh = [derived.Change(f"{n:08x}-1111-4000-8000-{n:012x}", centre, "waypoint_migrant_registration",
                                    state("waypoint_migrant_registration", person_fields(p), person_xml(n, p)))
                     for n, p in enumerate(persons[:2_000])]
            batch_cost("registration with a name", fresh)
            batch_cost("assistance event", [derived.Change(
                f"{n:08x}-2222-4000-8000-{n:012x}", centre, "waypoint_assistance_event",
                state("waypoint_assistance_event", event_fields(e), f"<data>{filler}</data>"))
                for n, e in enumerate(events[:2_000])])
        finally:
            db.dispose()

    if backend == "postgres":
        with fresh_postgres_database() as url:
            run(url)
    else:
        run(None)


def device(persons, events, cases, folder: Path, kept: bool, profile: bool) -> None:
    path, done = folder / f"vault-{len(persons)}-{len(events)}", folder / f"vault-{len(persons)}-{len(events)}.complete"
    vault, built = open_or_create(path, done, kept)
    if built is not None:
        print(f"  device: (the vault kept in {folder} from an earlier run, built in {built:.0f} s)")
    with vault:
        if built is None:
            forms.install_shipped_forms(vault)
            started, started_cpu = time.perf_counter(), time.process_time()
            drafts: list[RegistrationDraft] = []
            saved = 0

            def flush(force: bool = False) -> None:
                nonlocal saved
                if drafts and (force or len(drafts) >= BATCH):
                    save_registrations(vault, drafts)
                    saved += len(drafts)
                    drafts.clear()
                    if saved % (10 * BATCH) == 0:
                        print(f"  device: saved {saved:,} of {len(persons) + len(events):,} in "
                              f"{time.perf_counter() - started:.0f} s ({time.process_time() - started_cpu:.0f} s CPU; "
                              f"load {os.getloadavg()[0]:.1f})", flush=True)

            for p in persons:
                drafts.append(RegistrationDraft("waypoint_migrant_registration", "1", "finalized", "<data/>", p.id, {
                    "sex": p.sex, "age": 2026 - (p.birth_year or 2000), "nationality": p.nationality,
                    "centre": p.centre, "registered_on": "2026-01-01", "beneficiary_category": p.category}))
                flush()
            for n, e in enumerate(events):
                form = "waypoint_referral" if e.kind == "referral" else "waypoint_assistance_event"
                fields = {"centre": e.centre, "registered_on": e.day.isoformat(),
                          "person_ref": e.person_id.replace("-", "")[:8].upper()}
                if e.assistance_type:
                    fields["assistance_type"] = e.assistance_type
                drafts.append(RegistrationDraft(form, "1", "finalized", "<data/>", record_id(10_000_000 + n), fields))
                flush()
            flush(force=True)
            loaded, loaded_cpu = time.perf_counter() - started, time.process_time() - started_cpu
            if kept:
                done.write_text(f"{loaded:.1f}")
            print(f"  device: {len(persons):,} registrations and {len(events):,} events saved through the writer in "
                  f"batches of {BATCH:,} in {loaded:.0f} s ({loaded_cpu:.0f} s CPU; "
                  f"{(len(persons) + len(events)) / loaded:,.0f} a second)", flush=True)
        size = sum(p.stat().st_size for p in path.glob("waypoint.db*"))
        print(f"  device: vault {size / 1e6:.0f} MB", flush=True)
        for attempt in ("first", "again", "third"):
            wall, cpu = time.perf_counter(), time.process_time()
            computed = reports.compute(vault, start=START, end=END)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            print(f"  device: indicators through SQLCipher with rights, protected ({attempt}): {wall:.2f} s "
                  f"({cpu:.2f} s CPU; load {' '.join(f'{x:.1f}' for x in os.getloadavg())}); "
                  f"3.2 = {computed.results[0].total:,}; {sum(len(s.tables) for s in computed.report.sections)} "
                  f"tables", flush=True)
        if profile:
            import cProfile
            import pstats
            profiler = cProfile.Profile(time.process_time)  # CPU time: the machine is shared
            profiler.enable()
            reports.compute(vault, start=START, end=END)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
        for suffix in ("xlsx", "pdf", "csv"):
            out = path.parent / f"report.{suffix}"
            wall, cpu = time.perf_counter(), time.process_time()
            reports.write(vault, start=START, end=END, out=out)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            print(f"  device: report written as {suffix.upper()} (computed and written) in {wall:.2f} s "
                  f"({cpu:.2f} s CPU), {out.stat().st_size:,} bytes", flush=True)
            out.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--events", type=float, default=3.0, help="events per person")
    parser.add_argument("--skip-device", action="store_true")
    parser.add_argument("--skip-core", action="store_true")
    parser.add_argument("--keep", metavar="DIR", help="build the device's vault in DIR and keep it; reuse it when "
                        "already built (saving 400,000 records takes minutes)")
    parser.add_argument("--profile", action="store_true", help="profile one more device computation (cProfile)")
    parser.add_argument("--server", action="store_true", help="also measure the server's /v2/indicators")
    parser.add_argument("--server-backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--search-sample", type=int, default=20, help="people whose name, document and phone are "
                        "searched in both stages on the server (0: none, the indicators only)")
    args = parser.parse_args()
    persons, events, cases = synthetic(args.people, args.events)
    print(f"indicators: {len(persons):,} people, {len(events):,} events, {len(cases):,} trafficking cases")
    if not args.skip_core:
        core(persons, events, cases)
    folder = Path(tempfile.mkdtemp(prefix="waypoint-bench-indicators-"))
    try:
        if args.server:
            server(persons, events, cases, folder, args.server_backend, args.search_sample)
        if not args.skip_device:
            device(persons, events, cases, Path(args.keep) if args.keep else folder, args.keep is not None,
                   args.profile)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
