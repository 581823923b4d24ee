"""Python's cyclic garbage collector spaced out while a sync run works (`spaced`).

A run allocates in bursts that live for a batch or a page: each op frozen makes its Op, its wire op, its state and the
rows written; each answer, each pulled page, as many again. With the collector's default first threshold (700 tracked
objects more than it freed) a push of 10,000 registrations ran some 290 collections, two of them full walks of the
whole heap (136,000 objects), about an eighth of the push's client CPU (bench/bench_sync_client.py at load 5: 0.13 to
0.16 s of 1.15 to 1.25 s), while finding almost nothing to free: what a batch made is freed by reference counting once
the batch is stored. While any run works, the first threshold is raised to SYNC_THRESHOLD (one collection in that
push), then put back as it was. The collector still runs, less often: cycles a run leaves are collected as before,
only later; nothing is paused, so memory cannot grow without bound. An application that set its own threshold (or
turned automatic collection off: threshold 0) is left as it is.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SYNC_THRESHOLD = 20_000

_lock = threading.Lock()
_runs = 0  # runs working now (the app may run one while a test or the CLI runs another)
_before: tuple[int, ...] | None = None  # the thresholds to put back, when the first of them raised them


@contextmanager
def spaced() -> Iterator[None]:
    """The collector's first threshold raised to SYNC_THRESHOLD while the block runs (and any other run overlapping
    it), unless it was set higher, or to 0 (no automatic collection); put back when the last run ends."""
    global _runs, _before
    with _lock:
        if _runs == 0:
            current = gc.get_threshold()
            if 0 < current[0] < SYNC_THRESHOLD:
                _before = current
                gc.set_threshold(SYNC_THRESHOLD, *current[1:])
        _runs += 1
    try:
        yield
    finally:
        with _lock:
            _runs -= 1
            if _runs == 0 and _before is not None:
                if gc.get_threshold()[0] == SYNC_THRESHOLD:  # (else someone set it meanwhile: theirs stays)
                    gc.set_threshold(*_before)
                _before = None
