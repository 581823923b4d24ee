"""The form audit log: per-question timings and form events, as ODK's audit.csv records them.

Events: form start, question (answered), add repeat, delete repeat, form save, form finalize,
finalize error; the renderer adds "question shown"/"question left" with question_shown/left so
each question gets a start and end. Times are milliseconds since the Unix epoch. Following
Collect, only the first timestamp comes from the wall clock; later ones add elapsed monotonic
time to it, so changing the device clock mid-form cannot rewrite the timings.

A form's `audit` metadata question (meta/audit, type binary) says what else to record, by its
bind attributes (ODK XForms spec, "Metadata: audit"): odk:track-changes="true" adds each answer's
old and new value (columns old-value, new-value), odk:identify-user="true" the person filling
the form (column user: the signed-in user, who Waypoint already knows, where Collect asks).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class AuditEvent:
    event: str
    node: str
    start: int
    end: int | None = None
    old_value: str | None = None
    new_value: str | None = None


@dataclass(frozen=True)
class AuditConfig:
    """What a form's audit question asks to record beyond the timings."""

    ref: str  # the audit question: its value names the log file among the record's attachments
    track_changes: bool = False
    identify_user: bool = False


class AuditLog:
    def __init__(self, *, clock: Callable[[], dt.datetime], monotonic: Callable[[], float] = time.monotonic,
                 config: AuditConfig | None = None, user: str = ""):
        self._monotonic = monotonic
        self._start_wall = int(clock().timestamp() * 1000)
        self._start_mono = monotonic()
        self.config = config
        self.user = user
        self.events: list[AuditEvent] = []
        self._open: dict[str, AuditEvent] = {}

    @property
    def started_ms(self) -> int:
        """When this editing session began (ms since the epoch): names the session's audit file."""
        return self._start_wall

    @property
    def holds_answers(self) -> bool:
        """True when the log records answers (track-changes): then it is as personal as the record."""
        return self.config is not None and self.config.track_changes

    def now_ms(self) -> int:
        return self._start_wall + int((self._monotonic() - self._start_mono) * 1000)

    def record(self, event: str, *, node: str = "") -> AuditEvent:
        entry = AuditEvent(event=event, node=node, start=self.now_ms())
        self.events.append(entry)
        return entry

    def answered(self, node: str, old: str, new: str) -> None:
        """An answer given: with track-changes, its old and new values are kept too."""
        entry = self.record("question", node=node)
        if self.holds_answers:
            entry.old_value, entry.new_value = old, new

    def question_shown(self, ref: str) -> None:
        """The renderer shows a question (starts its timing)."""
        self._open[ref] = self.record("question shown", node=ref)

    def question_left(self, ref: str) -> None:
        """The renderer leaves a question (ends its timing)."""
        entry = self._open.pop(ref, None)
        if entry is not None:
            entry.end = self.now_ms()

    def to_csv(self) -> str:
        """The log in Collect's audit.csv columns (event, node, start, end, then old-value,
        new-value and user when the form asks for them), quoted where a value needs it."""
        track = self.holds_answers
        user = self.config is not None and self.config.identify_user
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["event", "node", "start", "end"] + (["old-value", "new-value"] if track else [])
                        + (["user"] if user else []))
        for e in self.events:
            row = [e.event, e.node, str(e.start), "" if e.end is None else str(e.end)]
            if track:
                row += [e.old_value or "", e.new_value or ""]
            if user:
                row.append(self.user)
            writer.writerow(row)
        return out.getvalue()

