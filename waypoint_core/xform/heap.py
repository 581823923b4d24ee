"""Keep the cyclic garbage collector out of a form's answers.

Loading a large form allocates hundreds of thousands of small objects; each allocation burst
triggers a full-heap GC scan that finds nothing to free (measured: bench12 ready in 0.65 s with
the collector paused, 1.6 s without), so the collector is paused while a form is built
(`gc_paused`).

Once a form is open, a full (generation 2) collection walks everything alive: the app, the open
form (bench6: some 100,000 objects) and any garbage left. Landing inside an answer, it took 130 ms
(docs/forms-engine.md, "Garbage collection"). So whoever opens a form for a person to fill (the
form screen, the bench) calls `form_opened()` once it is built: one collection there, then
everything alive is frozen (`gc.freeze`), and the collections that fall during answers walk only
what was made since. `form_closed()`, after FormSession.close(), thaws the heap and collects, at
that moment rather than during whatever the person does next.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_open_forms = 0  # forms between form_opened() and form_closed(): the heap stays frozen while any is


@contextmanager
def gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def form_opened() -> None:
    """A form is open and drawn: collect now, then freeze what is alive (the form, the app) for its answers."""
    global _open_forms
    _open_forms += 1
    gc.collect()
    gc.freeze()


def form_closed() -> None:
    """The form opened last is closed (its session closed, FormSession.close): once no form is open, thaw the
    heap and collect what the form and its screen left, now rather than inside a later keystroke."""
    global _open_forms
    if _open_forms == 0:
        return
    _open_forms -= 1
    if _open_forms == 0:
        gc.unfreeze()
        gc.collect()
