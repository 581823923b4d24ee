"""Review desk benchmark: duplicate candidates for a coordinator's vault, the way the app finds them.

    .venv/bin/python bench/bench_desk.py                  # 100,000 synthetic people (about 116,000 registrations)
    .venv/bin/python bench/bench_desk.py --people 10000   # a quicker run

Writes the synthetic population (tests/registry/synthetic_people.py: planted duplicates with spelling variants,
Arabic script, given and family names swapped, typing errors, document numbers retyped or one character wrong, an
age instead of the date of birth) into a real SQLCipher vault in the shape of the shipped registration form, then
runs the desk's three steps and prints the time of each, with the precision and recall of the stored candidates
against the planted pairs (consenting people only), and the time to read the first page of the list:

1. read the people who consented to matching (database thread in the app);
2. blocked candidate generation and scoring (the compute thread: no all-pairs comparison);
3. store the pairs for the paged list.
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
from desktop_app.vault import Vault
from desktop_app.vault.registrations import save_registrations
from tests.desk.people import person_draft
from tests.registry.synthetic_people import generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    args = parser.parse_args()
    population = generate(args.people)
    def vault_id(synthetic: str) -> str:  # the vault takes UUIDs
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "waypoint-bench:" + synthetic))

    records = [replace(r.record, id=vault_id(r.record.id)) for r in population.records]
    truth = {frozenset(vault_id(i) for i in pair) for pair in population.true_pairs()}
    centres = len({r.centre for r in records})
    with tempfile.TemporaryDirectory(prefix="waypoint-bench-desk-") as folder:
        vault, _ = Vault.create(Path(folder) / "vault", admin_username="admin",
                                admin_passphrase="bench passphrase for the desk", kdf_profile="test")
        with vault:
            started = time.perf_counter()
            for start in range(0, len(records), 5000):
                save_registrations(vault, [person_draft(r, consent=r.consent_matching)
                                           for r in records[start:start + 5000]])
            print(f"desk: {len(records):,} registrations of {args.people:,} people from {centres} centres written in "
                  f"{time.perf_counter() - started:.0f} s (setup)")
            started = time.perf_counter()
            people = review.load_people(vault)
            read = time.perf_counter() - started
            started = time.perf_counter()
            found = review.find_candidates(people)
            scored = time.perf_counter() - started
            started = time.perf_counter()
            stored = review.store_candidates(vault, found)
            kept = time.perf_counter() - started
            started = time.perf_counter()
            review.page_candidates(vault, offset=0, limit=200)
            page = time.perf_counter() - started
            chosen = {frozenset((c.a, c.b)) for c in found}
            hits = len(chosen & truth)
            print(f"  1. read {len(people):,} consenting people: {read:.1f} s")
            print(f"  2. blocked candidates and scores: {scored:.1f} s, {len(found):,} pairs")
            print(f"  3. store them for the paged list: {kept:.1f} s ({stored:,} rows); first page of 200: "
                  f"{page * 1000:.0f} ms")
            print(f"  total {read + scored + kept:.1f} s; precision {hits / max(len(chosen), 1):.3f}, recall "
                  f"{hits / max(len(truth), 1):.3f} against {len(truth):,} planted pairs (threshold 0.5)")


if __name__ == "__main__":
    main()
