"""The sizes of a push's batches: small first and last ones, so the pipeline fills and drains fast.

A push is pipelined (engine._push): while the server applies batch N, the vault stores the answer to N-1 and
freezes N+1. Two steps stand alone on the run's critical path, the first freeze (nothing is on the wire yet) and
the last answer stored (nothing is left to send), and the server's work on the last batch waits for nothing else
either. With batches all of the largest size they cost a whole batch each: for 1,000 edits in two batches of 500,
a freeze of 500 (about 50 ms of the laptop's CPU), the server's 500 and an answer of 500 (about 25 ms). Starting
and ending with small batches shortens those three, while the batches in the middle keep each request's fixed cost
small. The plan is worked out once, from how many ops wait when the push starts; ops saved while it runs go after
it in batches of the largest size.

A batch is sized only when it is frozen: a frozen batch is kept as it was cut (store._next_rows), so one sent
again after a crash is the same bytes whatever the plan of the run that sends it.
"""

from __future__ import annotations

from collections.abc import Iterator

# Below these, a ramp's extra requests (each signed, posted, committed on both sides) cost more than it saves.
RAMP_FROM_OPS = 200
RAMP_FROM_BATCH = 100


def batch_sizes(waiting: int, largest: int) -> Iterator[int]:
    """The size of each batch to freeze, for `waiting` ops and batches of at most `largest`: a tenth and a quarter
    of the ops (at most a fifth and a half of `largest`) first, the same two last in reverse order, the rest in
    between in equal batches of at most `largest`; then `largest` for ever (ops saved meanwhile)."""
    if waiting >= RAMP_FROM_OPS and largest >= RAMP_FROM_BATCH:
        ramp = [min(waiting // 10, largest // 5), min(waiting // 4, largest // 2)]
        middle = waiting - 2 * sum(ramp)
        parts = -(-middle // largest)
        share, extra = divmod(middle, parts)
        yield from ramp
        yield from (share + (1 if n < extra else 0) for n in range(parts))
        yield from reversed(ramp)
    while True:
        yield largest
