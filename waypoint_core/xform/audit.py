"""The form audit log: per-question timings and form events, as ODK's audit.csv records them.

Events: form start, question (answered), add repeat, delete repeat, form save, form finalize,
finalize error; the renderer adds "question shown"/"question left" with question_shown/left so
each question gets a start and end. Times are milliseconds since the Unix epoch. Following
Collect, only the first timestamp comes from the wall clock; later ones add elapsed monotonic
time to it, so changing the device clock mid-form cannot rewrite the timings.
"""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass
class AuditEvent:
    event: str
    node: str
    start: int
    end: int | None = None


class AuditLog:
    def __init__(self, *, clock, monotonic=time.monotonic):
        self._monotonic = monotonic
        self._start_wall = int(clock().timestamp() * 1000)
        self._start_mono = monotonic()
        self.events: list[AuditEvent] = []
        self._open: dict[str, AuditEvent] = {}

    @property
    def started_ms(self) -> int:
        """When this editing session began (ms since the epoch): names the session's audit file."""
        return self._start_wall

    def now_ms(self) -> int:
        return self._start_wall + int((self._monotonic() - self._start_mono) * 1000)

    def record(self, event: str, *, node: str = "") -> AuditEvent:
        entry = AuditEvent(event=event, node=node, start=self.now_ms())
        self.events.append(entry)
        return entry

    def question_shown(self, ref: str) -> None:
        """The renderer shows a question (starts its timing)."""
        self._open[ref] = self.record("question shown", node=ref)

    def question_left(self, ref: str) -> None:
        """The renderer leaves a question (ends its timing)."""
        entry = self._open.pop(ref, None)
        if entry is not None:
            entry.end = self.now_ms()

    def to_csv(self) -> str:
        lines = ["event,node,start,end"]
        for e in self.events:
            lines.append(f"{e.event},{e.node},{e.start},{'' if e.end is None else e.end}")
        return "\n".join(lines) + "\n"
