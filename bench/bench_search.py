"""Search on the device through SQLCipher: quality and latency of `waypoint search` on synthetic people.

    .venv/bin/python bench/bench_search.py                    # 100,000 people (about 116,000 registrations)
    .venv/bin/python bench/bench_search.py --people 10000     # quicker
    .venv/bin/python bench/bench_search.py --keep /tmp/wp-bench  # build the vault once, reuse it in later runs

Builds a vault (test KDF profile, in a temporary folder removed after; with `--keep DIR`, in DIR, kept and reused by
the next run with the same number of people, since saving 116,000 registrations takes minutes) with the shipped forms, saves every
synthetic registration (tests/registry/synthetic_people.py) through the vault's writer in batches, so the search
index is built exactly as saving builds it, and then runs the search service the app and the CLI call (rights
checked, index look-ups through SQLCipher, ranking, summary lines) as an administrator:

- name queries (another spelling or script, words in either order), documents retyped with spaces, phones in
  national form: recall, precision over every result and over results scored 0.9 or more, latency; each of the first
  results (`search.first_results`, exact keys only: what the screen shows first) and of the refined search
  (`search.search`, which the screen shows after);
- as-you-type queries (the first 3, 4, 5… letters of a given name, then the family name begun): latency of both;
- the time to save and index the registrations, and the index's size.
Latency is given in wall-clock time and in the searching thread's CPU time (SQLCipher runs in that thread), which a
busy shared machine inflates less. Prints figures; asserts nothing (tests/registry/test_search_device.py checks
behaviour).
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("WAYPOINT_ALLOW_TEST_KDF", "1")

from xml.sax.saxutils import escape

from bench.kept_vault import open_or_create
from desktop_app.services import forms, search
from desktop_app.vault import Vault, search_reads
from desktop_app.vault.registrations import RegistrationDraft, save_registrations
from tests.registry.synthetic_people import Population, Synthetic, generate, group_spellings
from waypoint_core.registry.person import PersonRecord

FORM, VERSION = "waypoint_migrant_registration", "2026120601"
BATCH = 5_000


def record_id(synthetic_id: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "waypoint-bench:" + synthetic_id))


def content(record: PersonRecord, rid: str) -> str:
    def leaf(name: str, value: object) -> str:
        return f"<{name}>{escape(str(value))}</{name}>" if value not in (None, "") else f"<{name}/>"
    return ("<data id=\"waypoint_migrant_registration\"><centre_page>" + leaf("centre_country", record.country)
            + leaf("centre", record.centre) + leaf("registered_on", record.age_on) + "</centre_page><consent>"
            + leaf("consent_services", "yes") + leaf("consent_matching", "yes" if record.consent_matching else "no")
            + "</consent><identity>" + leaf("given_name", record.given_name) + leaf("family_name", record.family_name)
            + leaf("sex", record.sex) + leaf("date_of_birth", record.date_of_birth) + leaf("age_years", record.age_years)
            + leaf("nationality", record.nationality) + leaf("id_document_type", record.document_type)
            + leaf("id_document_number", record.document_number) + leaf("phone", record.phone) + "</identity>"
            + f"<meta><instanceID>uuid:{rid}</instanceID></meta></data>")


def load(vault: Vault, population: Population) -> float:
    started = time.perf_counter()
    records = population.records
    for start in range(0, len(records), BATCH):
        if start and start % (10 * BATCH) == 0:
            print(f"  saved {start:,} of {len(records):,} in {time.perf_counter() - started:.0f} s", flush=True)
        drafts = []
        for synthetic in records[start:start + BATCH]:
            r = synthetic.record
            rid = record_id(r.id)
            drafts.append(RegistrationDraft(FORM, VERSION, "finalized", content(r, rid), rid, {
                "title": f"{r.given_name or ''} {r.family_name or ''}".strip(), "sex": r.sex,
                "age": r.age_years, "nationality": r.nationality, "centre": r.centre,
                "registered_on": r.age_on.isoformat() if r.age_on else None}))
        save_registrations(vault, drafts)
    return time.perf_counter() - started


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def quality(vault: Vault, population: Population, rng: random.Random, sample: int) -> None:
    records = population.records
    kinds: dict[str, list[tuple[str, set[str]]]] = {"name (other spelling or script, either order)": [],
                                                    "document (retyped with spaces)": [], "phone (national form)": []}
    by_groups: dict[frozenset[str], list[Synthetic]] = {}
    for r in records:
        by_groups.setdefault(r.groups, []).append(r)
    for person in rng.sample(records, sample):
        words = [rng.choice(group_spellings(g)) for g in sorted(person.groups)]
        rng.shuffle(words)
        right = {record_id(r.record.id) for r in records if person.groups <= r.groups}
        kinds["name (other spelling or script, either order)"].append((" ".join(words) + " ", right))
    for person in rng.sample([r for r in records if r.record.document_number], sample // 2):
        number = person.record.document_number or ""
        right = {record_id(r.record.id) for r in records if r.identity == person.identity and r.record.document_number}
        kinds["document (retyped with spaces)"].append((f"{number[:2]} {number[2:5]} {number[5:]}", right))
    for person in rng.sample([r for r in records if r.record.phone], sample // 2):
        phone = "".join(ch for ch in person.record.phone or "" if ch.isdigit())[-8:]
        right = {record_id(r.record.id) for r in records if r.identity == person.identity and r.record.phone}
        kinds["phone (national form)"].append((" ".join(phone[i:i + 2] for i in range(0, 8, 2)), right))
    for kind, queries in kinds.items():
        print(f"  {kind} ({len(queries)} queries):")
        for stage, run in (("first results", search.first_results), ("refined", search.search)):
            found = relevant = returned = sure = sure_right = 0
            times, cpu = [], []
            for text, right in queries:
                started, started_cpu = time.perf_counter(), time.thread_time()
                outcome = run(vault, text, limit=1000)
                times.append(time.perf_counter() - started)
                cpu.append(time.thread_time() - started_cpu)
                got = {r.record_id for r in outcome.results}
                found += len(got & right)
                relevant += len(right)
                returned += len(got)
                confident = {r.record_id for r in outcome.results if r.score >= 0.9}
                sure += len(confident)
                sure_right += len(confident & right)
            print(f"    {stage}: recall {found / relevant:.3f}, precision {found / max(returned, 1):.3f} over all "
                  f"results, {sure_right / max(sure, 1):.3f} over results >= 0.9; {latency(times, cpu)}")


def latency(times: list[float], cpu: list[float]) -> str:
    return (f"wall p50 {statistics.median(times) * 1000:.0f} ms, p95 {percentile(times, 0.95) * 1000:.0f} ms, "
            f"max {max(times) * 1000:.0f} ms; CPU p50 {statistics.median(cpu) * 1000:.0f} ms, "
            f"p95 {percentile(cpu, 0.95) * 1000:.0f} ms")


def as_you_type(vault: Vault, population: Population, rng: random.Random, sample: int) -> None:
    typed_texts: list[str] = []
    for person in rng.sample(population.records, sample):
        given = (person.record.given_name or "").split()[0]
        family = person.record.family_name or ""
        typed_texts += [given[:n] for n in range(3, len(given) + 1)] + [f"{given} {family[:n]}" for n in
                                                                      range(1, len(family) + 1)]
    for stage, run in (("first results", search.first_results), ("refined", search.search)):
        times: list[float] = []
        cpu: list[float] = []
        empty = 0
        for text in typed_texts:
            started, started_cpu = time.perf_counter(), time.thread_time()
            outcome = run(vault, text)
            times.append(time.perf_counter() - started)
            cpu.append(time.thread_time() - started_cpu)
            empty += not outcome.results
        print(f"  as you type ({len(times)} searches, {sample} names typed letter by letter), {stage}: "
              f"{latency(times, cpu)}; {empty} with no result")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=300, help="name queries (half as many documents and phones)")
    parser.add_argument("--keep", metavar="DIR", help="build the vault in DIR and keep it; reuse it when already built")
    args = parser.parse_args()
    population = generate(args.people)
    # The bench's own synthetic people (116,493 records, their names' groups and spellings) are millions of objects the
    # app never holds; left to the collector, each full collection walked them all (0.2-0.6 s of CPU, measured with
    # gc.callbacks) inside whichever search was running, which made the slowest searches. Frozen, they are not walked.
    gc.collect()
    gc.freeze()
    kept = args.keep is not None
    folder = Path(args.keep) if kept else Path(tempfile.mkdtemp(prefix="waypoint-bench-search-"))
    path, done = folder / f"vault-{args.people}", folder / f"vault-{args.people}.complete"
    try:
        vault, seconds = open_or_create(path, done, kept)
        if seconds is not None:
            print(f"  (the vault kept in {folder} from an earlier run)")
        with vault:
            if seconds is None:
                forms.install_shipped_forms(vault)
                seconds = load(vault, population)
                if kept:
                    done.write_text(f"{seconds:.1f}")
            people, keys = search_reads.index_size(vault)
            size = sum(p.stat().st_size for p in path.glob("waypoint.db*"))
            print(f"search on the device: {len(population.records):,} registrations of {population.people:,} synthetic "
                  f"people saved and indexed through the writer in {seconds:.0f} s "
                  f"({len(population.records) / seconds:,.0f} a second); index {people:,} profiles, {keys:,} keys; "
                  f"vault {size / 1e6:.0f} MB; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
            rng = random.Random(11)
            quality(vault, population, rng, args.sample)
            as_you_type(vault, population, rng, 40)
    finally:
        if not kept:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
