"""A report as the server published it (`GET /v2/indicators`), turned back into the `exports.Report` the device shows
and writes, so a server's answer goes through the same tables, charts, notes and files as a report computed here.

The server's tables left it protected and rounded (disclosure.py, R11): what each entry shows is all the device
knows, and all it needs. A `Published` table is a `disclosure.Protected` whose entries show exactly what the server
sent: a count (its bar drawn as long as that count, as the PDF draws rounded counts), "<k" for a small cell (hidden,
primary) or "x" for its complement (hidden, complementary); each total as sent, never summed again here (each was
rounded on its own). Nothing is unhidden or recomputed, so the device cannot undo the server's protection.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from waypoint_core.protocol.report_messages import IndicatorAnswer, IndicatorTable

from .disclosure import COMPLEMENT, K_DEFAULT, K_SENSITIVE, PRIMARY, ROUNDING, TOTAL, CountTable, Entry, Protected
from .exports import Report, Section
from .indicators import INDICATORS, SENSITIVE_INDICATORS, IndicatorResult

COLUMN = "count"


@dataclass(frozen=True)
class Published(Protected):
    """A protected table as received: `texts` holds what every entry shows (categories and the total)."""

    texts: Mapping[Entry, str] = field(default_factory=dict)

    def rounded(self, base: int = ROUNDING) -> Published:
        return self  # rounded where it was computed; rounding a rounded count again changes nothing

    def shown(self, entry: Entry) -> str:
        return self.texts.get(entry, "0")


def _table(code: str, dimension: str, sent: IndicatorTable, rounding: int) -> Published:
    sensitive = code in SENSITIVE_INDICATORS
    hidden: dict[Entry, str] = {}
    values: dict[Entry, int] = {}
    texts: dict[Entry, str] = {}
    k = K_SENSITIVE if sensitive else K_DEFAULT
    for category, shown in [*sent.cells.items(), (TOTAL, sent.total)]:
        entry = (category, COLUMN)
        texts[entry] = shown
        if shown.startswith("<"):
            hidden[entry] = PRIMARY
            k = int(shown[1:])
        elif shown == "x":
            hidden[entry] = COMPLEMENT
        elif category != TOTAL:
            values[entry] = int(shown)
    table = CountTable(f"{code} by {dimension}", tuple(sent.cells), (COLUMN,), values, sensitive)
    return Published(table, k, hidden, rounding, texts)


def report_from_answer(answer: IndicatorAnswer, *, title: str = "Waypoint indicators",
                       computed_by: str = "server") -> Report:
    """The server's answer as a Report: its sections in the server's order, each one's tables in the order of its
    dimensions (`IndicatorResult.dimensions`: 3.3 also by channel and target group), the mass-media reach and what
    was withheld carried over; ValueError for an answer that names an indicator, or a dimension of it, this version
    does not know, or a period that is not one."""
    start, end = date.fromisoformat(answer.start), date.fromisoformat(answer.end)
    if end < start:
        raise ValueError("the answer's period ends before it starts")
    sections = []
    for entry in answer.indicators:
        if entry.code not in INDICATORS:
            raise ValueError(f"the answer names an unknown indicator {entry.code!r}")
        result = IndicatorResult(entry.code, start, end, {}, estimated_reach=entry.estimated_reach)
        unknown = set(entry.tables) - set(result.dimensions)
        if unknown:
            raise ValueError(f"the answer names an unknown dimension {sorted(unknown)[0]!r}")
        tables = tuple((d, _table(entry.code, d, entry.tables[d], answer.rounding)) for d in result.dimensions
                       if d in entry.tables)
        sections.append(Section(result, tables))
    withheld = tuple((reason, code) for reason, code in answer.withheld)
    return Report(title, start, end, answer.scope, tuple(sections), answer.rounding, withheld, computed_by)
