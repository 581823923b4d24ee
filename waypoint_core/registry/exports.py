"""Indicator reports that leave the app: CSV, XLSX and a printable PDF, every table protected first (issue 12 point 5).

`build_report` turns indicator results into protected tables (`disclosure.protect`: small cells and their
complements hidden, audited); only protected tables are written, so an aggregate export holds no identifying data
and no cell below the threshold. Each file says what was suppressed and why.

- CSV: one line per published cell (indicator, dimension, category, shown value), then the suppression notes;
- XLSX (openpyxl): a summary sheet, one sheet per indicator with a table per dimension, a sheet of notes;
- PDF: written here without any library (PDF 1.4, the standard Helvetica font, text and filled rectangles), one
  page per indicator with its tables and a bar chart of its first dimension; the published totals only.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .disclosure import ROUNDING, TOTAL, Protected, protect
from . import indicators
from .indicators import IndicatorResult, RecordRow
from .report_words import ENGLISH, Words

QUARTER_DAYS = 90  # R11 point 5: no centre-level trafficking table for a period shorter than a quarter

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Section:
    result: IndicatorResult
    tables: tuple[tuple[str, Protected], ...]  # (dimension, protected one-way table)

    def total_shown(self) -> str:
        first = self.tables[0][1] if self.tables else None
        return first.shown((TOTAL, first.table.columns[0])) if first else str(self.result.total)


@dataclass(frozen=True)
class Report:
    title: str
    start: date
    end: date
    scope: str
    sections: tuple[Section, ...]
    rounding: int = 1  # published counts rounded down to a multiple of this (1: exact, on the laptop's screen)
    withheld: tuple[tuple[str, str], ...] = ()  # (reason, indicator code): left out by rule, said in the notes
    computed_by: str = ""  # "device" | "server": where the figures were computed, said in the notes ("": unsaid)

    def rounded(self, base: int = ROUNDING) -> Report:
        """The report as it leaves the app (R11 point 3): every published count rounded down to a multiple of
        `base`; what is hidden stays hidden."""
        sections = tuple(Section(s.result, tuple((d, p.rounded(base)) for d, p in s.tables)) for s in self.sections)
        return Report(self.title, self.start, self.end, self.scope, sections, base, self.withheld, self.computed_by)

    def notes(self, words: Words = ENGLISH) -> list[str]:
        """What was suppressed or left out and why, in `words` (English by default: the CSV, the command, the
        server's answer)."""
        out = [words.withheld.get(reason, "{code}: " + reason).format(code=code)  # a reason this version lacks
               for reason, code in self.withheld]
        for section in self.sections:
            for dimension, protected in section.tables:
                if protected.hidden:
                    out.append(words.table_note.format(code=section.result.code, note=words.note(protected),
                                                       dimension=words.dimension_in_text.get(dimension, dimension)))
            if section.result.estimated_reach:
                reach = section.result.estimated_reach
                if self.rounding > 1:
                    reach -= reach % self.rounding
                out.append(words.reach.format(code=section.result.code, reach=reach))
        if not out:
            out.append(words.nothing_at_all)
        if self.rounding > 1:
            out.append(words.rounding.format(base=self.rounding))
        if self.computed_by in words.computed_by:
            out.append(words.computed_by[self.computed_by])
        return out


def build_report(results: Iterable[IndicatorResult], *, title: str, scope: str,
                 dimensions: Sequence[str] | None = None, centre_scope: bool = False) -> Report:
    """Protect every table of every result, by each result's own dimensions (`IndicatorResult.dimensions`: 3.3 also
    by channel and target group) unless `dimensions` are given. R11 point 5: for a period shorter than a quarter, a trafficking
    indicator has no breakdown by centre, and none at all when the scope is one centre (`centre_scope`); the notes
    say so. Tables are one-way (R11 point 4: three dimensions at most)."""
    sections = []
    withheld: list[tuple[str, str]] = []
    start = end = None
    for result in results:
        start, end = result.start, result.end
        short = (result.end - result.start).days + 1 < QUARTER_DAYS
        if result.sensitive and short and centre_scope:
            withheld.append(("one_centre", result.code))
            continue
        wanted = result.dimensions if dimensions is None else dimensions
        kept = [d for d in wanted if not (result.sensitive and short and d == "centre")]
        if len(kept) < len(wanted):
            withheld.append(("no_centre", result.code))
        tables = tuple((dimension, protect(result.table(dimension))) for dimension in kept)
        sections.append(Section(result, tables))
    if start is None or end is None:
        raise ValueError("a report needs at least one indicator")
    return Report(title, start, end, scope, tuple(sections), 1, tuple(withheld))


@dataclass(frozen=True)
class Computed:
    results: tuple[IndicatorResult, ...]
    report: Report  # protected, exact published counts (what the laptop's screen shows); `.rounded()` to release
    unlinked: int


def indicators_from_records(rows: Iterable[RecordRow], *, start: date, end: date, scope: str,
                            covers: Callable[[str | None], bool], centre_scope: bool, may_see_cases: bool,
                            title: str = "Waypoint indicators") -> Computed:
    """Stored records to protected indicator tables: the device's path (services/reports.py). Trafficking
    indicators only for those who may see cases."""
    if end < start:
        raise ValueError("the period ends before it starts")
    return indicators_from_inputs(indicators.inputs_from_records(rows, covers=covers), start=start, end=end,
                                  scope=scope, centre_scope=centre_scope, may_see_cases=may_see_cases, title=title)


def indicators_from_inputs(found: indicators.Inputs, *, start: date, end: date, scope: str, centre_scope: bool,
                           may_see_cases: bool, title: str = "Waypoint indicators") -> Computed:
    """Linked people, events and cases to protected indicator tables: the one computation of the device (through
    `indicators_from_records`) and the server (sync_server/reports.py, from its derived table)."""
    if end < start:
        raise ValueError("the period ends before it starts")
    results = indicators.compute_all(start=start, end=end, people=found.people, events=found.events,
                                     cases=found.cases, sessions=found.sessions)
    kept = tuple(r for r in results if may_see_cases or not r.sensitive)
    report = build_report(kept, title=title, scope=scope, centre_scope=centre_scope)
    # said in the notes: a report made by field staff is not read as "no victim of trafficking" in this period
    unseen = tuple(("cases_not_seen", r.code) for r in results if r not in kept)
    return Computed(kept, dataclasses.replace(report, withheld=report.withheld + unseen), found.unlinked)


def write_report(report: Report, path: Path, *, labels: Callable[[str, str], str] | None = None,
                 progress: Progress | None = None, rounding: int = ROUNDING, words: Words = ENGLISH) -> None:
    """Write `report` as CSV, XLSX or PDF by the file's suffix, its counts rounded down to a multiple of
    `rounding` (R11: every table that leaves the app). `labels(dimension, code)` names a category (country
    names, centre names); by default the code is written. The PDF, a page for people to read, is all in `words`
    (report_words: English or French)."""
    if rounding > 1 and report.rounding != rounding:
        report = report.rounded(rounding)
    name = labels or (lambda dimension, code: code)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        data = _csv(report, name, words)
    elif suffix == ".xlsx":
        data = _xlsx(report, name, words)
    elif suffix == ".pdf":
        data = pdf_report(report, name, words)
    else:
        raise ValueError(f"unknown report format {path.suffix!r}: use .csv, .xlsx or .pdf")
    _write_whole(path, data)
    if progress is not None:
        progress(len(report.sections), len(report.sections))


def _rows(report: Report, name: Callable[[str, str], str], words: Words = ENGLISH) -> list[list[str]]:
    rows = []
    for section in report.sections:
        title = words.indicator(section.result.code)
        for dimension, protected in section.tables:
            column = protected.table.columns[0]
            for category in protected.table.rows:
                rows.append([section.result.code, title, dimension, category,
                             name(dimension, category), protected.shown((category, column))])
            rows.append([section.result.code, title, dimension, "total", words.total,
                         protected.shown((TOTAL, column))])
    return rows


HEADER = ["indicator", "indicator_title", "dimension", "category", "category_label", "people"]


def _write_whole(path: Path, data: bytes) -> None:
    """All or nothing: a report is a few kilobytes, made in memory, written beside its place and renamed, so a full
    disk or a missing folder leaves no half-written file that looks like a report, nor harms an older one there."""
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise OSError(exc.errno, exc.strerror, str(path)) from exc  # the report's name, not the partial's
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _csv(report: Report, name: Callable[[str, str], str], words: Words = ENGLISH) -> bytes:
    with io.StringIO(newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        out.writerows(_rows(report, name, words))
        out.writerow([])
        out.writerow(["note", words.about.format(title=report.title, start=report.start.isoformat(),
                                                 end=report.end.isoformat(), scope=_file_scope(report.scope, name, words))])
        for note in report.notes(words):
            out.writerow(["note", note])
        return handle.getvalue().encode("utf-8")


def _xlsx(report: Report, name: Callable[[str, str], str], words: Words = ENGLISH) -> bytes:
    from openpyxl import Workbook  # type: ignore[import-untyped]

    book = Workbook(write_only=True)
    summary = book.create_sheet(words.sheet_summary)
    summary.append([report.title])
    summary.append([words.sheet_period.format(start=report.start.isoformat(), end=report.end.isoformat()),
                    words.sheet_scope.format(scope=_file_scope(report.scope, name, words))])
    summary.append([])
    summary.append(list(words.summary_heads))
    for section in report.sections:
        summary.append([section.result.code, words.indicator(section.result.code), section.total_shown()])
    for section in report.sections:
        sheet = book.create_sheet(f"{section.result.code}"[:31])
        sheet.append([f"{section.result.code} {words.indicator(section.result.code)}"])
        for dimension, protected in section.tables:
            sheet.append([])
            sheet.append([words.table_heads.get(dimension, dimension), words.people])
            column = protected.table.columns[0]
            for category in protected.table.rows:
                sheet.append([name(dimension, category), protected.shown((category, column))])
            sheet.append([words.total, protected.shown((TOTAL, column))])
    notes = book.create_sheet(words.disclosure)
    notes.append([words.notes_heading])
    for note in report.notes(words):
        notes.append([note])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- a small PDF writer: Helvetica text and filled rectangles, enough for tables and bar charts ------------------

_PAGE_W, _PAGE_H, _MARGIN = 595, 842, 50  # A4 in points


def _pdf_text(text: str) -> str:
    encoded = text.encode("cp1252", errors="replace").decode("latin-1")
    return encoded.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


class _Page:
    def __init__(self) -> None:
        self.ops: list[str] = []
        self.y: float = _PAGE_H - _MARGIN

    def text(self, x: float, y: float, text: str, size: float = 10, bold: bool = False) -> None:
        font = "F2" if bold else "F1"
        self.ops.append(f"BT /{font} {size:g} Tf {x:.1f} {y:.1f} Td ({_pdf_text(text)}) Tj ET")

    def rect(self, x: float, y: float, w: float, h: float, grey: float = 0.35) -> None:
        self.ops.append(f"{grey:.2f} g {x:.1f} {y:.1f} {w:.1f} {h:.1f} re f 0 g")

    def line(self, text: str, size: float = 10, bold: bool = False, indent: float = 0) -> None:
        self.text(_MARGIN + indent, self.y, text, size, bold)
        self.y -= size + 5


def pdf_report(report: Report, name: Callable[[str, str], str] = lambda d, c: c, words: Words = ENGLISH) -> bytes:
    """The printable report, every word of it (titles, headings, captions, notes) in `words`."""
    pages: list[_Page] = []
    cover = _Page()
    cover.line(report.title, 18, bold=True)
    cover.line(words.period.format(start=report.start.isoformat(), end=report.end.isoformat(),
                                   scope=_scope_name(report.scope, name, words)), 11)
    cover.y -= 10
    for section in report.sections:
        for n, chunk in enumerate(_wrap(words.summary_line.format(
                code=section.result.code, title=words.indicator(section.result.code), total=section.total_shown()),
                95)):
            cover.line(chunk, 10, indent=12 if n else 0)
    cover.y -= 10
    cover.line(words.disclosure, 12, bold=True)
    for note in report.notes(words):
        for chunk in _wrap(note, 95):
            cover.line(chunk, 9)
    pages.append(cover)
    for section in report.sections:
        page = _Page()
        for chunk in _wrap(f"{section.result.code}  {words.indicator(section.result.code)}", 62):
            page.line(chunk, 13, bold=True)
        page.y -= 4
        if section.tables:
            dimension, protected = section.tables[0]
            _bar_chart(page, dimension, protected, name, words)
        for dimension, protected in section.tables:
            if page.y < _MARGIN + 60:
                pages.append(page)
                page = _Page()
            page.line(words.dimension(dimension), 10, bold=True)
            column = protected.table.columns[0]
            for category in protected.table.rows:
                page.text(_MARGIN + 10, page.y, name(dimension, category)[:60], 9)
                page.text(_MARGIN + 330, page.y, protected.shown((category, column)), 9)
                page.y -= 12
            page.text(_MARGIN + 10, page.y, words.total, 9, bold=True)
            page.text(_MARGIN + 330, page.y, protected.shown((TOTAL, column)), 9, bold=True)
            page.y -= 18
        pages.append(page)
    return _pdf_document(pages)


def _file_scope(scope: str, name: Callable[[str, str], str], words: Words) -> str:
    """The scope as the CSV and XLSX say it: its code in English, as they always did (centre:ne_agadez); in words
    in another language."""
    return scope if words is ENGLISH else _scope_name(scope, name, words)


def _scope_name(scope: str, name: Callable[[str, str], str], words: Words) -> str:
    """"all", "country:NE", "centre:ne_agadez" as a reader says them: all centres, Niger, the centre's name."""
    kind, _, value = scope.partition(":")
    if kind == "country" and value:
        return name("nationality", value)
    if kind == "centre" and value:
        return name("centre", value)
    if kind == "region" and value:
        return words.region.format(region=value)
    return words.everywhere if scope == "all" else scope


def _bar_chart(page: _Page, dimension: str, protected: Protected, name: Callable[[str, str], str],
               words: Words = ENGLISH) -> None:
    """Bars for the published cells of one table; a hidden cell is drawn as an outlined empty bar and labelled."""
    column = protected.table.columns[0]
    rows = protected.table.rows[:12]
    # bars as long as the shown (rounded) count: a bar must not give back what the rounding took away
    published = [int(protected.shown((r, column))) for r in rows if (r, column) not in protected.hidden]
    top = max(published, default=1) or 1
    width = 300.0
    page.line(words.chart.format(dimension=words.dimension_in_text.get(dimension, dimension.replace("_", " "))),
              9, bold=True)
    for row in rows:
        label = name(dimension, row)[:28]
        page.text(_MARGIN + 10, page.y, label, 8)
        shown = protected.shown((row, column))
        if (row, column) in protected.hidden:
            page.ops.append(f"0.6 G {_MARGIN + 150:.1f} {page.y - 1:.1f} 12 8 re S 0 G")
        else:
            page.rect(_MARGIN + 150, page.y - 1, max(1.0, width * int(shown) / top), 8)
        page.text(_MARGIN + 150 + width + 8, page.y, shown, 8)
        page.y -= 12
    page.y -= 10


def _wrap(text: str, width: int) -> list[str]:
    words, lines, current = [w for w in text.split(" ") if w], [], ""  # a non-breaking space holds
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    return lines


def _pdf_document(pages: list[_Page]) -> bytes:
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in below
    tree = add(b"")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    bold = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
    kids = []
    for page in pages:
        stream = zlib.compress("\n".join(page.ops).encode("latin-1"))
        content = add(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream")
        kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R "
                        b"/Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> >> >>"
                        % (tree, _PAGE_W, _PAGE_H, content, font, bold)))
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % tree
    objects[tree - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, catalog, xref)
    return bytes(out)
