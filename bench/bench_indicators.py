"""Indicators on 100,000 registrations with 300,000 events: the shared core (what the server runs) and the device
(through SQLCipher, with rights), and the protected export.

    .venv/bin/python bench/bench_indicators.py                  # 100,000 people, 300,000 events
    .venv/bin/python bench/bench_indicators.py --people 10000   # quicker

1. core: `waypoint_core.registry.indicators.compute_all` over typed rows in memory (the server builds the same rows
   from its tables), then `exports.build_report` (every table protected and audited);
2. device: the same people and events saved as registrations, assistance events and referrals through the vault's
   writer (test KDF profile, temporary folder removed after), then `services.reports.compute` as an administrator
   (the two reads through SQLCipher, linking by registration number, indicators, protection), and the report
   written as XLSX, PDF and CSV.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
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
    started = time.perf_counter()
    results = indicators.compute_all(start=START, end=END, people=persons, events=events, cases=cases)
    counted = time.perf_counter() - started
    report = exports.build_report(results, title="bench", scope="all")
    protected = time.perf_counter() - started - counted
    print(f"  core (the server's code): indicators {counted:.2f} s, {sum(len(s.tables) for s in report.sections)} "
          f"tables protected and audited {protected:.2f} s; 3.2 = {results[0].total:,}")


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
    args = parser.parse_args()
    persons, events, cases = synthetic(args.people, args.events)
    print(f"indicators: {len(persons):,} people, {len(events):,} events, {len(cases):,} trafficking cases")
    core(persons, events, cases)
    if args.skip_device:
        return
    folder = Path(tempfile.mkdtemp(prefix="waypoint-bench-indicators-"))
    try:
        device(persons, events, cases, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
