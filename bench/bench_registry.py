"""Registry benchmark: quality and speed of search and duplicate candidates on synthetic people.

    .venv/bin/python bench/bench_registry.py                 # 10,000 people for quality, 100,000 for speed
    .venv/bin/python bench/bench_registry.py --large 20000   # a quicker run

Prints, for 10,000 synthetic people with planted duplicates (tests/registry/synthetic_people.py):
- duplicate candidates: precision and recall at three thresholds, and by what the duplicate changed;
- search: precision and recall of name queries (another spelling or script, either order), document
  queries (retyped with spaces) and phone queries (national form), and the time per query in memory;
- the time to score 10,000 pairs, and to generate candidates for the large population (blocking + scoring).
The search through the device's SQLCipher vault is measured by bench/bench_search.py.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.registry.synthetic_people import Population, generate, group_spellings
from waypoint_core.registry.matching import NameFrequencies, candidates, score_pair
from waypoint_core.registry.person import prepare
from waypoint_core.registry.search import MemoryIndex, parse_query

TODAY = date(2026, 7, 1)


def duplicates(population: Population) -> None:
    profiles = [prepare(r.record) for r in population.records]
    truth = population.true_pairs()
    started = time.perf_counter()
    found = candidates(profiles, threshold=0.2)
    elapsed = time.perf_counter() - started
    print(f"  {len(profiles):,} registrations of {population.people:,} people, {len(truth):,} true duplicate pairs"
          f" (consenting); candidates in {elapsed:.1f} s")
    for threshold in (0.2, 0.5, 0.8):
        chosen = {frozenset((c.a, c.b)) for c in found if c.score >= threshold}
        hits = len(chosen & truth)
        print(f"  threshold {threshold}: {len(chosen):,} candidates, precision {hits / max(len(chosen), 1):.3f},"
              f" recall {hits / len(truth):.3f}")
    chosen = {frozenset((c.a, c.b)) for c in found if c.score >= 0.5}
    changes: Counter[str] = Counter()
    missed: Counter[str] = Counter()
    by_id = {r.record.id: r for r in population.records}
    for pair in truth:
        later = max(pair)
        for change in by_id[later].changes or ("none",):
            changes[change] += 1
            if pair not in chosen:
                missed[change] += 1
    print("  recall at 0.5 by what the duplicate changed:")
    for change, count in changes.most_common():
        print(f"    {change:<32} {1 - missed[change] / count:.3f} of {count}")


def scoring_speed(population: Population) -> None:
    profiles = [prepare(r.record) for r in population.records]
    frequencies = NameFrequencies.of(profiles)
    rng = random.Random(3)
    pairs = [(rng.choice(profiles), rng.choice(profiles)) for _ in range(10_000)]
    started = time.perf_counter()
    for a, b in pairs:
        score_pair(a, b, frequencies)
    print(f"  score 10,000 pairs: {time.perf_counter() - started:.2f} s")


def search(population: Population) -> None:
    index = MemoryIndex(prepare(r.record) for r in population.records)
    rng = random.Random(11)
    records = population.records
    kinds = {"name (other spelling or script, either order)": [], "document (retyped with spaces)": [],
             "phone (national form)": []}
    for person in rng.sample(records, 500):
        words = [rng.choice(group_spellings(g)) for g in sorted(person.groups)]
        rng.shuffle(words)
        right = {r.record.id for r in records if person.groups <= r.groups}
        kinds["name (other spelling or script, either order)"].append((" ".join(words) + " ", right))
    for person in rng.sample([r for r in records if r.record.document_number], 300):
        number = person.record.document_number or ""
        right = {r.record.id for r in records if r.identity == person.identity and r.record.document_number}
        kinds["document (retyped with spaces)"].append((f"{number[:2]} {number[2:5]} {number[5:]}", right))
    for person in rng.sample([r for r in records if r.record.phone], 300):
        phone = "".join(ch for ch in person.record.phone or "" if ch.isdigit())[-8:]
        right = {r.record.id for r in records if r.identity == person.identity and r.record.phone}
        kinds["phone (national form)"].append((" ".join(phone[i:i + 2] for i in range(0, 8, 2)), right))
    for kind, queries in kinds.items():
        found = relevant = returned = sure = sure_right = 0
        times = []
        for text, right in queries:
            started = time.perf_counter()
            hits = index.search(parse_query(text, today=TODAY, default_country="NE"), today=TODAY, limit=1000)
            times.append(time.perf_counter() - started)
            got = {h.id for h in hits}
            found += len(got & right)
            relevant += len(right)
            returned += len(got)
            confident = {h.id for h in hits if h.score >= 0.9}
            sure += len(confident)
            sure_right += len(confident & right)
        print(f"  {kind}: recall {found / relevant:.3f}, precision {found / max(returned, 1):.3f} over all"
              f" results, {sure_right / max(sure, 1):.3f} over results >= 0.9;"
              f" median {statistics.median(times) * 1000:.1f} ms per query")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=100_000)
    args = parser.parse_args()
    population = generate(args.people)
    print(f"registry: duplicate candidates on {args.people:,} synthetic people")
    duplicates(population)
    scoring_speed(population)
    print("registry: search (in memory, same keys and ranking as the device)")
    search(population)
    large = generate(args.large)
    profiles = [prepare(r.record) for r in large.records]
    started = time.perf_counter()
    found = candidates(profiles)
    elapsed = time.perf_counter() - started
    truth = large.true_pairs()
    hits = len({frozenset((c.a, c.b)) for c in found} & truth)
    print(f"registry: candidates for {len(profiles):,} registrations ({args.large:,} people): {elapsed:.1f} s,"
          f" {len(found):,} candidates, precision {hits / max(len(found), 1):.3f}, recall {hits / len(truth):.3f}")


if __name__ == "__main__":
    main()
