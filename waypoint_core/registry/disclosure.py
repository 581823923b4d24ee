"""Disclosure control for every table that leaves the app (issue 12 point 4; data-model §6.5, §7.7 R11).

A `CountTable` is a cross-tabulation: rows × columns of counts of distinct people, with its margins (a total per
row when it has more than one column, a total per column, and the grand total). `protect` applies:

1. primary suppression: a cell with 0 < n < k is hidden ("<k"); k = 10, k = 11 where trafficking, gender-based
   violence or health is involved (CTDC's threshold);
2. complementary suppression: no line of the table (a row with its total, a column with its total, the margins
   with the grand total) may have exactly one hidden entry, since subtraction would give it back; the smallest
   non-zero published cell of such a line is hidden too (its total when the line has none), repeated until every
   line holds none or at least two hidden entries.

`derivable` is the audit: it solves the table's equations (each line sums to its total) over the hidden entries
with exact fractions and lists every hidden entry whose value is still determined by what is published. `protect`
raises if the audit finds one, so a table never leaves with a recoverable cell. Zero cells are published: a zero
reveals no one, and hiding zeros would hide the structure of the table for nothing.

3. rounding (R11 point 3, `Protected.rounded`): every table that leaves the app (files, the server's answers) shows
   its published counts rounded down to a multiple of `ROUNDING` (5), totals rounded on their own; this only takes
   information away, so the audit above still holds. The screen on the laptop shows the exact published counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

K_DEFAULT = 10
K_SENSITIVE = 11  # trafficking, gender-based violence, health
ROUNDING = 5  # counts that leave the app are rounded down to a multiple of this (R11)

PRIMARY = "primary"  # below the threshold
COMPLEMENT = "complement"  # hidden so that a primary cell cannot be derived

Entry = tuple[str, str]  # (row, column); margins use TOTAL as row or column
TOTAL = "__total__"


class DisclosureError(RuntimeError):
    """A protected table still reveals a hidden cell (a bug: nothing is exported)."""


@dataclass(frozen=True)
class CountTable:
    title: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: Mapping[Entry, int]  # missing cells are 0
    sensitive: bool = False  # trafficking, GBV or health: k = 11

    @classmethod
    def one_way(cls, title: str, counts: Mapping[str, int], *, sensitive: bool = False,
                column: str = "count") -> CountTable:
        return cls(title, tuple(counts), (column,), {(r, column): n for r, n in counts.items()}, sensitive)

    def value(self, entry: Entry) -> int:
        row, column = entry
        if row == TOTAL and column == TOTAL:
            return sum(self.cells.get((r, c), 0) for r in self.rows for c in self.columns)
        if row == TOTAL:
            return sum(self.cells.get((r, column), 0) for r in self.rows)
        if column == TOTAL:
            return sum(self.cells.get((row, c), 0) for c in self.columns)
        return self.cells.get(entry, 0)

    @property
    def row_totals(self) -> bool:
        return len(self.columns) > 1

    def lines(self) -> list[tuple[list[Entry], Entry]]:
        """Every (cells, total) equation of the published table."""
        out: list[tuple[list[Entry], Entry]] = []
        for column in self.columns:
            out.append(([(r, column) for r in self.rows], (TOTAL, column)))
        if self.row_totals:
            for row in self.rows:
                out.append(([(row, c) for c in self.columns], (row, TOTAL)))
            out.append(([(TOTAL, c) for c in self.columns], (TOTAL, TOTAL)))
        return out

    def entries(self) -> list[Entry]:
        found = [(r, c) for r in self.rows for c in self.columns] + [(TOTAL, c) for c in self.columns]
        if self.row_totals:
            found += [(r, TOTAL) for r in self.rows] + [(TOTAL, TOTAL)]
        return found


@dataclass(frozen=True)
class Protected:
    """A table ready to leave: what is shown in each entry, what was hidden and why."""

    table: CountTable
    k: int
    hidden: Mapping[Entry, str] = field(default_factory=dict)  # entry -> PRIMARY | COMPLEMENT
    rounding: int = 1  # published counts are rounded down to a multiple of this (1: exact)

    def rounded(self, base: int = ROUNDING) -> Protected:
        """The same table as it leaves the app: published counts rounded down to a multiple of `base`."""
        return Protected(self.table, self.k, self.hidden, base)

    def shown(self, entry: Entry) -> str:
        reason = self.hidden.get(entry)
        if reason == PRIMARY:
            return f"<{self.k}"
        if reason == COMPLEMENT:
            return "x"
        value = self.table.value(entry)
        return str(value - value % self.rounding if self.rounding > 1 else value)

    def note(self) -> str:
        """What was suppressed and why, in English (the exports carry it; the app translates its own words)."""
        primary = sum(1 for r in self.hidden.values() if r == PRIMARY)
        complement = len(self.hidden) - primary
        rounded = (f" Counts rounded down to a multiple of {self.rounding}; each total is rounded on its own."
                   if self.rounding > 1 else "")
        if not self.hidden:
            return f"No cell below {self.k}: nothing suppressed.{rounded}"
        return (f"{primary} cell(s) counting 1 to {self.k - 1} people shown as <{self.k} (threshold k = {self.k}"
                f"{', trafficking, gender-based violence or health' if self.table.sensitive else ''}); "
                f"{complement} more shown as x so that totals cannot reveal them (complementary suppression)."
                f"{rounded}")


def threshold(table: CountTable) -> int:
    return K_SENSITIVE if table.sensitive else K_DEFAULT


def protect(table: CountTable, *, k: int | None = None) -> Protected:
    """Suppress small cells and their complements (see the module docstring); audited before it is returned."""
    k = k or threshold(table)
    hidden: dict[Entry, str] = {}
    for entry in table.entries():
        if 0 < table.value(entry) < k:
            hidden[entry] = PRIMARY
    changed = True
    while changed:
        changed = False
        for cells, total in table.lines():
            members = cells + [total]
            if sum(1 for e in members if e in hidden) != 1:
                continue
            candidates = sorted((table.value(e), e) for e in cells if e not in hidden and table.value(e) > 0)
            if candidates:
                hidden[candidates[0][1]] = COMPLEMENT
            elif total not in hidden:
                hidden[total] = COMPLEMENT
            else:
                zeros = [e for e in cells if e not in hidden]
                if not zeros:
                    continue
                hidden[zeros[0]] = COMPLEMENT
            changed = True
    protected = Protected(table, k, hidden)
    leaks = derivable(protected)
    if leaks:
        raise DisclosureError(f"{table.title}: hidden entries still derivable: {leaks}")
    return protected


def derivable(protected: Protected) -> list[Entry]:
    """Hidden entries whose value follows from what is published (exact linear algebra over the lines)."""
    table = protected.table
    unknown = sorted(protected.hidden)
    if not unknown:
        return []
    index = {e: n for n, e in enumerate(unknown)}
    equations: list[list[Fraction]] = []
    for cells, total in table.lines():
        row = [Fraction(0)] * len(unknown)
        touched = False
        for entry, sign in [(e, 1) for e in cells] + [(total, -1)]:
            if entry in index:
                row[index[entry]] += sign
                touched = True
        if touched:
            equations.append(row)
    basis = _row_echelon(equations)
    rank = len(basis)
    leaks = []
    for entry in unknown:
        unit = [Fraction(0)] * len(unknown)
        unit[index[entry]] = Fraction(1)
        if len(_row_echelon(basis + [unit])) == rank:
            leaks.append(entry)
    return leaks


def _row_echelon(rows: Iterable[list[Fraction]]) -> list[list[Fraction]]:
    """The non-zero rows of a row echelon form (their number is the rank)."""
    matrix = [list(r) for r in rows]
    if not matrix:
        return []
    width = len(matrix[0])
    out: list[list[Fraction]] = []
    for column in range(width):
        pivot = next((r for r in matrix if r[column] != 0), None)
        if pivot is None:
            continue
        matrix.remove(pivot)
        out.append(pivot)
        for r in matrix:
            if r[column] != 0:
                factor = r[column] / pivot[column]
                for j in range(column, width):
                    r[j] -= factor * pivot[j]
    return out
