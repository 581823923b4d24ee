"""Benchmark the XForm engine on every corpus form, beside ODK Web Forms' published figures.

    .venv/bin/python bench/bench_forms.py [--repeat N] [FILE...]

Load = XForm XML bytes → FormDefinition → FormSession ready (median of N). Recompute = the most
widely referenced answer (the one setting off the most computations) changed 20 times between
two valid values on an auto-filled record: median and max of one answer() call, which returns
the ChangeSet a renderer needs, plus re-reading session.item(ref) for every changed ref; "cpu med" and
"cpu max" are the same in this thread's CPU time (other processes on a shared machine inflate the wall
clock's max). Each form is opened and closed as the form screen does it (waypoint_core/xform/heap.py):
"open" is form_opened() (one collection, then the heap frozen) after the load, "close" FormSession.close(),
FormDefinition.close() and form_closed() (thaw, collect); --no-heap leaves out form_opened()/form_closed().
ODK Web Forms figures (Node 20 + jsdom, same 2-vCPU kind of
machine) come from shared/research/peer-benchmarks.md. Goal: bench12 ready < 1 s, every
recompute < 16 ms (one frame).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.corpus import MISSING, corpus_path  # noqa: E402
from waypoint_core.xform import FormDefinition, FormSession, form_closed, form_opened  # noqa: E402
from waypoint_core.xform.autofill import autofill  # noqa: E402
from waypoint_core.xform.check import CHECK_METADATA, load_form_text, measure_recompute  # noqa: E402

CORPUS = corpus_path()
# form: (binds, load ms, recompute median ms, recompute max ms) — @getodk/xforms-engine 0.22.0
WEB_FORMS = {
    "enketo_bench1": (704, 3594, 10.1, 22.3), "enketo_bench2": (134, 377, 1.74, 2.43),
    "enketo_bench3": (216, 183, 1.69, 2.07), "enketo_bench4": (211, 414, 7.94, 18.2),
    "enketo_bench5": (332, 369, 6.25, 14.3), "enketo_bench6": (2464, 4472, 46.0, 77.8),
    "enketo_bench7": (59, 135, 1.30, 2.41), "enketo_bench8": (14, 614, 34.4, 70.4),
    "enketo_bench9": (16, 1279, 726, 3301), "enketo_bench10": (26, 991, 223, 326),
    "enketo_bench11": (644, 3175, 11.0, 18.4), "enketo_bench12": (864, 7483, 14.7, 24.3),
    "enketo_sdiprofile": (403, 467, 2.17, 10.5), "enketo_widgets": (58, 106, 3.40, 10.5),
    "htcds_core_2.0": (35, 88, 0.40, 0.52), "jr_child_vaccination_VOL_tool_v12": (93, 116, 11.5, 31.5),
    "jr_whova_form": (551, 1598, 83.7, 123),
}


def bench(path: Path, repeat: int, *, heap: bool = True) -> dict:
    text, convert_ms = load_form_text(path)
    loads = []
    for i in range(repeat):
        start = time.perf_counter()
        definition = FormDefinition.from_xml(text)
        session = FormSession(definition, metadata=CHECK_METADATA)
        loads.append((time.perf_counter() - start) * 1000)
        if i < repeat - 1:  # closed, as the form screen closes its record: nothing left for the cyclic collector
            session.close()
            definition.close()
    # opened as the form screen opens it: one collection, then the heap frozen while it is filled (heap.py)
    start, cpu_start = time.perf_counter(), time.process_time()
    if heap:
        form_opened()
    settle = ((time.perf_counter() - start) * 1000, (time.process_time() - cpu_start) * 1000)
    start = time.perf_counter()
    answered = autofill(session)
    fill_ms = (time.perf_counter() - start) * 1000
    cpu: list[float] = []
    measured = measure_recompute(session, cpu=cpu)
    timings = measured[1] if measured else [0.0]
    cpu = cpu or [0.0]
    binds = definition.bind_count
    start, cpu_start = time.perf_counter(), time.process_time()
    session.close()
    definition.close()
    if heap:
        form_closed()
    closed = ((time.perf_counter() - start) * 1000, (time.process_time() - cpu_start) * 1000)
    return {"binds": binds, "load": statistics.median(loads), "convert": convert_ms,
            "median": statistics.median(timings), "max": max(timings), "cpu_max": max(cpu),
            "cpu_median": statistics.median(cpu), "fill": fill_ms, "answered": answered,
            "ref": measured[0] if measured else "-", "settle": settle[0], "settle_cpu": settle[1], "close": closed[0],
            "close_cpu": closed[1]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3, help="loads per form (median reported)")
    parser.add_argument("--no-heap", action="store_true",
                        help="skip form_opened()/form_closed() (sessions are still closed): to see what they do")
    args = parser.parse_args(argv)
    if not args.files and not CORPUS.is_dir():
        print(MISSING, file=sys.stderr)
        return 1
    files = args.files or sorted(CORPUS.glob("xforms/*.xml")) + sorted(CORPUS.glob("xlsforms/*.xlsx"))
    header = (f"{'form':36} {'binds':>6} {'load ms':>9} {'WF load':>8} {'recomp med':>10} {'WF med':>7} "
              f"{'recomp max':>10} {'WF max':>7} {'cpu med':>7} {'cpu max':>7} "
              f"{'open ms':>7} {'open cpu':>8} {'close ms':>8} {'close cpu':>9} {'fill ms':>8} "
              f"{'answers':>7}")
    print(header)
    print("-" * len(header))
    worst = worst_cpu = 0.0
    for path in files:
        r = bench(path, args.repeat, heap=not args.no_heap)
        wf = WEB_FORMS.get(path.stem)
        wf_cols = (f"{wf[1]:>8,} {'':>0}", f"{wf[2]:>7}", f"{wf[3]:>7}") if wf and path.suffix == ".xml" else \
            (f"{'-':>8}", f"{'-':>7}", f"{'-':>7}")
        name = path.name + (f" (+{r['convert']:.0f} ms pyxform)" if r["convert"] else "")
        print(f"{name:36} {r['binds']:>6} {r['load']:>9.1f} {wf_cols[0]} {r['median']:>10.2f} {wf_cols[1]} "
              f"{r['max']:>10.2f} {wf_cols[2]} {r['cpu_median']:>7.2f} {r['cpu_max']:>7.2f} "
              f"{r['settle']:>7.1f} {r['settle_cpu']:>8.1f} "
              f"{r['close']:>8.1f} {r['close_cpu']:>9.1f} {r['fill']:>8.0f} {r['answered']:>7}")
        worst = max(worst, r["max"])
        worst_cpu = max(worst_cpu, r["cpu_max"])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nworst recompute {worst:.2f} ms wall clock, {worst_cpu:.2f} ms CPU (goal < 16 ms); "
          f"peak RSS {peak:.0f} MB for the whole run; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
