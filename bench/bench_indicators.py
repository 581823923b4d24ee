"""Indicators on 100,000 registrations with 300,000 events: the shared core (what the server runs) and the device
(through SQLCipher, with rights), and the protected export.

    .venv/bin/python bench/bench_indicators.py                  # 100,000 people, 300,000 events
    .venv/bin/python bench/bench_indicators.py --people 10000   # quicker

1. core: `waypoint_core.registry.indicators.compute_all` over typed rows in memory (the server builds the same rows
   from its tables), then `exports.build_report` (every table protected and audited);
2. device: the same people and events saved as registrations, assistance events and referrals through the vault's
   writer (test KDF profile, temporary folder removed after), then `services.reports.compute` as an administrator
   (the two reads through SQLCipher, linking by registration number, indicators, protection), and the report
   written as XLSX, PDF and CSV;
3. server (`--server`): the same records written into a fresh server database (SQLite by default,
   `--server-backend postgres` for 127.0.0.1:5432), sealed with the server's data key as push stores them (written
   straight into the record table: pushing 400,000 ops would take hours here), with a 2 KB instance each; then
   `sync_server.reports.indicators`, what `GET /v2/indicators` runs: every record of the centre opened, mapped and
   computed by the device's own function, protected and rounded.
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

from desktop_app.services import forms, reports
from desktop_app.vault import Vault
from desktop_app.vault.registrations import RegistrationDraft, save_registrations
from waypoint_core.registry import exports, indicators
from waypoint_core.registry.indicators import Case, Event, Person

TYPES = ["food", "accommodation", "nfi_hygiene", "health_primary", "counselling_info", "registration",
         "avrr_travel", "post_arrival", "reint_economic", "reint_social", "legal", "cash"]
CATEGORIES = ["migrant_transit", "stranded", "expelled", "returnee", "asylum_seeker", "refugee"]
CENTRES = ["ne_agadez", "ne_arlit", "ne_niamey", "ml_gao", "bf_ouagadougou", "et_metema", "dj_obock"]
NATIONALITIES = ["ML", "NE", "GN", "SN", "NG", "CI", "ET", "ER", "SO", "SD", "BF", "GM"]
START, END = date(2026, 1, 1), date(2026, 12, 31)


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


def server(persons, events, cases, folder: Path, backend: str) -> None:
    import json
    from datetime import datetime

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "server"))
    from server_harness import ServerProcess, fresh_postgres_database

    from sync_server import admin
    from sync_server import reports as server_reports
    from sync_server.atrest import seal_text
    from sync_server.auth import AuthenticatedDevice
    from sync_server.db import open_database
    from sync_server.keys import load_keyring
    from sync_server.tables import Record

    filler = "<data>" + "<answer>synthetic</answer>" * 80 + "</data>"  # about 2 KB of instance per record

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

            def put(record_id: str, form: str, fields: dict) -> None:
                values = {**{k: v for k, v in fields.items() if v is not None}, "@status": "finalized",
                          "#form": f"{form}\x1f1", "#deleted": False, "#content": filler}
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

            for p in persons:
                put(p.id, "waypoint_migrant_registration", {
                    "sex": p.sex, "age": 2026 - (p.birth_year or 2000), "nationality": p.nationality,
                    "centre": p.centre, "registered_on": "2026-01-01", "beneficiary_category": p.category})
            for n, e in enumerate(events):
                put(record_id(10_000_000 + n), "waypoint_referral" if e.kind == "referral" else "waypoint_assistance_event",
                    {"centre": e.centre, "registered_on": e.day.isoformat(), "assistance_type": e.assistance_type,
                     "person_ref": e.person_id.replace("-", "")[:8].upper()})
            for n, c in enumerate(cases):
                put(record_id(20_000_000 + n), "waypoint_vot_case", {
                    "person_ref": c.person_id.replace("-", "")[:8].upper(), "record_kind": "case",
                    "trafficking_status": c.trafficking_status})
            flush()
            print(f"  server ({backend}): {len(persons) + len(events) + len(cases):,} sealed records written in "
                  f"{time.perf_counter() - started:.0f} s")
            device = AuthenticatedDevice("00000000-0000-4000-8000-00000000be0c", centre, 0, 0)
            for attempt in ("first", "again"):
                wall, cpu = time.perf_counter(), time.process_time()
                body = server_reports.indicators(db, device, start=START, end=END, key=key)
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                answer = json.loads(body)
                print(f"  server ({backend}): GET /v2/indicators's computation ({attempt}) {wall:.2f} s "
                      f"({cpu:.2f} s CPU); 3.2 = {answer['indicators'][0]['total']} (rounded)")
        finally:
            db.dispose()

    if backend == "postgres":
        with fresh_postgres_database() as url:
            run(url)
    else:
        run(None)


def device(persons, events, cases, folder: Path) -> None:
    vault, _ = Vault.create(folder / "vault", admin_username="bench", admin_passphrase="bench passphrase one",
                            kdf_profile="test")
    with vault:
        forms.install_shipped_forms(vault)
        started = time.perf_counter()
        drafts: list[RegistrationDraft] = []

        def flush(force: bool = False) -> None:
            if drafts and (force or len(drafts) >= 5_000):
                save_registrations(vault, drafts)
                drafts.clear()

        for p in persons:
            drafts.append(RegistrationDraft("waypoint_migrant_registration", "1", "finalized", "<data/>", p.id, {
                "sex": p.sex, "age": 2026 - (p.birth_year or 2000), "nationality": p.nationality, "centre": p.centre,
                "registered_on": "2026-01-01", "beneficiary_category": p.category}))
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
        loaded = time.perf_counter() - started
        print(f"  device: {len(persons):,} registrations and {len(events):,} events saved through the writer in "
              f"{loaded:.0f} s")
        for attempt in (1, 2):
            done = reports.compute(vault, start=START, end=END)
            print(f"  device: indicators through SQLCipher with rights ({'first' if attempt == 1 else 'again'}): "
                  f"{done.seconds:.2f} s; 3.2 = {done.results[0].total:,}")
        for suffix in ("xlsx", "pdf", "csv"):
            started = time.perf_counter()
            reports.write(vault, start=START, end=END, out=folder / f"report.{suffix}")
            print(f"  device: report written as {suffix.upper()} (computed and written) in "
                  f"{time.perf_counter() - started:.2f} s, {(folder / f'report.{suffix}').stat().st_size:,} bytes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--events", type=float, default=3.0, help="events per person")
    parser.add_argument("--skip-device", action="store_true")
    parser.add_argument("--server", action="store_true", help="also measure the server's /v2/indicators")
    parser.add_argument("--server-backend", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    persons, events, cases = synthetic(args.people, args.events)
    print(f"indicators: {len(persons):,} people, {len(events):,} events, {len(cases):,} trafficking cases")
    core(persons, events, cases)
    folder = Path(tempfile.mkdtemp(prefix="waypoint-bench-indicators-"))
    try:
        if args.server:
            server(persons, events, cases, folder, args.server_backend)
        if not args.skip_device:
            device(persons, events, cases, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
