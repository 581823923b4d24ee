"""Consent benchmark: what consent as data costs on a laptop's vault (issue 11 point 5).

    .venv/bin/python bench/bench_consent.py                 # 10,000 synthetic people
    .venv/bin/python bench/bench_consent.py --people 2000   # a quicker run

Writes synthetic registrations (tests/desk/people.py) into a real SQLCipher vault, then prints, each as wall time and
CPU time (time.process_time; the machine may be shared, so CPU time is the steadier figure):

1. the look-up the writer adds to every save for consent changes naming the records (search index), over every
   registration in chunks as a save of that size would;
2. withdrawals through the service, one transaction each with the rights check, the change record, the search index,
   the desk's pairs and the audit entry;
3. the consent of 1,000 people at once (a follow-up list's flags, an export page);
4. the desk's read of the people consenting to matching after the withdrawals.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("WAYPOINT_ALLOW_TEST_KDF", "1")

from desktop_app.records import review
from desktop_app.services import consent
from desktop_app.vault import Vault, consent_reads
from desktop_app.vault.registrations import save_registrations
from desktop_app.vault.sql import Db
from tests.desk.people import person_draft
from tests.registry.synthetic_people import generate


class Clock:
    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu

    def text(self, per: int = 1, unit: str = "ms") -> str:
        scale = 1000 if unit == "ms" else 1
        return f"{self.wall * scale / per:.2f} {unit} wall, {self.cpu * scale / per:.2f} {unit} CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--withdrawals", type=int, default=100)
    args = parser.parse_args()
    records = [replace(r.record, id=str(uuid.uuid5(uuid.NAMESPACE_URL, "waypoint-bench:" + r.record.id)))
               for r in generate(args.people).records]
    with tempfile.TemporaryDirectory(prefix="waypoint-bench-consent-") as folder:
        vault, _ = Vault.create(Path(folder) / "vault", admin_username="admin",
                                admin_passphrase="bench passphrase for consent", kdf_profile="test")
        with vault:
            with Clock() as setup:
                for start in range(0, len(records), 2000):
                    save_registrations(vault, [person_draft(r) for r in records[start:start + 2000]])
            print(f"consent: {len(records):,} registrations written in {setup.text(unit='s')} (setup)")
            ids = [r.id for r in records]

            def lookup() -> Clock:
                with vault.session(readonly=True) as session, Clock() as clock:
                    db = Db.of(session)
                    for start in range(0, len(ids), 500):
                        consent_reads.changes_for(db, ids[start:start + 500])
                return clock

            before = lookup()
            print(f"  1. writer's consent look-up, no change recorded: {before.text(per=len(ids) // 1000)} "
                  "per 1,000 records")
            chosen = ids[:: max(1, len(ids) // args.withdrawals)][: args.withdrawals]
            with Clock() as withdrawing:
                for record_id in chosen:
                    consent.withdraw(vault, record_id, ["matching"])
            print(f"  2. {len(chosen)} withdrawals: {withdrawing.text(per=len(chosen))} each")
            after = lookup()
            print(f"     look-up again, {len(chosen)} changes recorded: {after.text(per=len(ids) // 1000)} "
                  "per 1,000 records")
            with Clock() as many:
                flags = consent.contact_flags(vault, ids[:1000])
            print(f"  3. consent of 1,000 people at once: {many.text()} ({len(flags)} read)")
            with Clock() as desk:
                people = review.load_people(vault)
            print(f"  4. desk: {len(people):,} people consenting to matching read in {desk.text(unit='s')} "
                  f"({len(records) - len(people):,} left out)")


if __name__ == "__main__":
    main()
