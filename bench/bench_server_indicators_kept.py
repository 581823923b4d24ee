"""/v2/indicators' computation (`sync_server.reports.indicators`) on a kept server SQLite database, to compare two
versions of the code back to back without building the sealed records each time (`bench_indicators.py --server`
takes many minutes for that).

    .venv/bin/python bench/bench_server_indicators_kept.py DIR [--code CHECKOUT] [--runs 3] [--database-url URL]

The first run builds DIR: a fresh server (its migrations) whose `indicator_fact` rows are written by
`derived.refresh`, as push writes them, for the people, events and cases of `bench_indicators.synthetic` (100,000
people, 300,000 events, 978 cases; an empty instance each, so no search keys to speak of); later runs reuse it. Then
the request's computation `--runs` times: wall and CPU (time.process_time, this process only) and a digest of the
answer, which must not change from one version to the other. `--code` runs another checkout's code (an older
version) on the same database; the database's schema must be one both understand. `--database-url`: a database of
your own, empty the first time (PostgreSQL: postgresql+psycopg://...), kept as DIR is; CPU is then this process's
only, not the database's.
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import os
import sys
import time
from pathlib import Path

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("dir")
parser.add_argument("--code", default=str(Path(__file__).resolve().parents[1]), help="the checkout whose code runs")
parser.add_argument("--runs", type=int, default=3)
parser.add_argument("--database-url", help="an empty database of your own the first time (default: SQLite in DIR)")
args = parser.parse_args()
sys.path.insert(0, args.code)
sys.path.insert(0, str(Path(args.code) / "tests" / "server"))

from bench.bench_indicators import END, START, record_id, synthetic  # noqa: E402
from server_harness import ServerProcess  # noqa: E402
from sync_server import admin, derived  # noqa: E402
from sync_server import reports as server_reports  # noqa: E402
from sync_server.auth import AuthenticatedDevice  # noqa: E402
from sync_server.db import open_database  # noqa: E402
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
        centre = done.read_text()
        device = AuthenticatedDevice("00000000-0000-4000-8000-00000000be0c", centre, 0, 0)
        # the data key, where the code's indicators catch the derived tables up first (older code does not take it)
        extra = ({"key": load_keyring(folder / "server" / "keys", db).data}
                 if "key" in inspect.signature(server_reports.indicators).parameters else {})
        for _ in range(args.runs):
            wall, cpu = time.perf_counter(), time.process_time()
            body = server_reports.indicators(db, device, start=START, end=END, **extra)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            digest = hashlib.sha256(body).hexdigest()[:16]
            print(f"server ({db.write_engine.dialect.name}, code of {Path(args.code).name}): /v2/indicators {wall:.2f} s "
                  f"({cpu:.2f} s CPU; load {os.getloadavg()[0]:.1f}); answer sha256 {digest}", flush=True)
    finally:
        db.dispose()


if __name__ == "__main__":
    main()
