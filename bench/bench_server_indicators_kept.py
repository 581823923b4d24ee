"""/v2/indicators' computation (`sync_server.reports.indicators`) on a kept server SQLite database, to compare two
versions of the code back to back without building the sealed records each time (`bench_indicators.py --server`
takes many minutes for that).

    .venv/bin/python bench/bench_server_indicators_kept.py DIR [--code CHECKOUT] [--runs 3] [--database-url URL]
                                                            [--split-region NAME] [--scope SCOPE]

The first run builds DIR: a fresh server (its migrations) whose `indicator_fact` rows are written by
`derived.refresh`, as push writes them, for the people, events and cases of `bench_indicators.synthetic` (100,000
people, 300,000 events, 978 cases; an empty instance each, so no search keys to speak of); later runs reuse it. Then
the request's computation `--runs` times: wall and CPU (time.process_time, this process only) and a digest of the
answer, which must not change from one version to the other. A kept database gets the running code's migrations
first, as `serve` would apply them. `--code` runs another checkout's code (an older
version) on the same database; the database's schema must be one both understand. `--database-url`: a database of
your own, empty the first time (PostgreSQL: postgresql+psycopg://...), kept as DIR is; CPU is then this process's
only, not the database's.

`--split-region NAME` (once, on a built DIR): half of the records (by the last hex digit of their id) move to a
second centre, both named a region NAME, so that `--scope region:NAME` reads the same 100,000 people from two centres
(events at one centre naming people of the other) and `--scope centre:Agadez` half of them. `--scope`: what a
coordinator's device asks (`GET /v2/indicators?scope=`); the digest of the indicators alone (without the scope's
fields) is printed too, so a region's answer can be compared with the one centre's it was split from.
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import os
import sys
import time
from pathlib import Path

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("dir")
parser.add_argument("--code", default=str(Path(__file__).resolve().parents[1]), help="the checkout whose code runs")
parser.add_argument("--runs", type=int, default=3)
parser.add_argument("--database-url", help="an empty database of your own the first time (default: SQLite in DIR)")
parser.add_argument("--split-region", metavar="NAME", help="split the records over two centres of region NAME (once)")
parser.add_argument("--scope", help="the scope asked (default: the device's centre)")
args = parser.parse_args()
sys.path.insert(0, args.code)
sys.path.insert(0, str(Path(args.code) / "tests" / "server"))

from bench.bench_indicators import END, START, record_id, synthetic  # noqa: E402
from server_harness import ServerProcess  # noqa: E402
from sync_server import admin, derived  # noqa: E402
from sync_server import reports as server_reports  # noqa: E402
from sync_server.auth import AuthenticatedDevice  # noqa: E402
from sync_server.db import MigrationContext, migrate, open_database  # noqa: E402
from sync_server.keys import load_keyring  # noqa: E402


def state(form: str, fields: dict) -> dict:
    return {**{k: v for k, v in fields.items() if v is not None}, "@status": "finalized", "#form": f"{form}\x1f1",
            "#deleted": False, "#content": "<data/>"}


def build(folder: Path, db) -> str:
    persons, events, cases = synthetic(100_000, 3.0)
    key = load_keyring(folder / "server" / "keys", db).data
    centre = admin.add_centre(db, "Agadez")
    changes = [derived.Change(p.id, centre, "waypoint_migrant_registration", state("waypoint_migrant_registration", {
        "sex": p.sex, "age": 2026 - (p.birth_year or 2000), "nationality": p.nationality, "centre": p.centre,
        "registered_on": "2026-01-01", "beneficiary_category": p.category}), True) for p in persons]
    for n, e in enumerate(events):
        form = "waypoint_referral" if e.kind == "referral" else "waypoint_assistance_event"
        changes.append(derived.Change(record_id(10_000_000 + n), centre, form, state(form, {
            "centre": e.centre, "registered_on": e.day.isoformat(), "assistance_type": e.assistance_type,
            "person_ref": e.person_id.replace("-", "")[:8].upper()}), True))
    for n, c in enumerate(cases):
        changes.append(derived.Change(record_id(20_000_000 + n), centre, "waypoint_vot_case", state(
            "waypoint_vot_case", {"person_ref": c.person_id.replace("-", "")[:8].upper(), "record_kind": "case",
                                  "trafficking_status": c.trafficking_status}), True))
    for start in range(0, len(changes), 5_000):
        with db.write_engine.begin() as conn:
            derived.refresh(conn, changes[start:start + 5_000], key)
    return centre


def split(db, centre: str, region: str) -> None:
    """Half of the records to a second centre, both of `region` (nothing when already done)."""
    from sqlalchemy import text

    if any(name == "Arlit" for _, name in admin.list_centres(db)):
        return
    other = admin.add_centre(db, "Arlit")
    with db.write_engine.begin() as conn:
        conn.execute(text("UPDATE indicator_fact SET centre_id = :o WHERE centre_id = :c AND substr(record_id, -1) IN "
                          "('0', '1', '2', '3', '4', '5', '6', '7')"), {"o": other, "c": centre})
    admin.set_centre_region(db, "Agadez", region)
    admin.set_centre_region(db, "Arlit", region)


def main() -> None:
    folder = Path(args.dir)
    done = folder / "built"
    if not done.exists():
        ServerProcess(data_dir=folder / "server", database_url=args.database_url).init()
    url = args.database_url or f"sqlite:///{folder / 'server' / 'server.db'}"
    db = open_database(url, pool_size=2)
    try:
        if not done.exists():
            done.write_text(build(folder, db))
        else:  # a database kept from older code: the running code's migrations first, as `serve` runs them
            applied = migrate(db, MigrationContext(data_key=load_keyring(folder / "server" / "keys", db).data))
            if applied:
                print(f"server: migrations {applied} applied to the kept database", flush=True)
        centre = done.read_text()
        if args.split_region:
            split(db, centre, args.split_region)
        device = AuthenticatedDevice("00000000-0000-4000-8000-00000000be0c", centre, 0, 0)
        # the data key, where the code's indicators catch the derived tables up first (older code does not take it)
        takes = inspect.signature(server_reports.indicators).parameters
        extra: dict = {"key": load_keyring(folder / "server" / "keys", db).data} if "key" in takes else {}
        if args.scope:
            extra["scope_text"] = args.scope
        for _ in range(args.runs):
            wall, cpu = time.perf_counter(), time.process_time()
            body = server_reports.indicators(db, device, start=START, end=END, **extra)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            digest = hashlib.sha256(body).hexdigest()[:16]
            counted = {k: v for k, v in json.loads(body).items() if k not in ("centre_id", "scope")}
            alone = hashlib.sha256(json.dumps(counted, sort_keys=True).encode()).hexdigest()[:16]
            print(f"server ({db.write_engine.dialect.name}, code of {Path(args.code).name}, scope "
                  f"{args.scope or 'own centre'}): /v2/indicators {wall:.2f} s ({cpu:.2f} s CPU; load "
                  f"{os.getloadavg()[0]:.1f}); answer sha256 {digest}, indicators alone {alone}", flush=True)
    finally:
        db.dispose()


if __name__ == "__main__":
    main()
