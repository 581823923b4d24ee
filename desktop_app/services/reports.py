"""Indicators on the device (issue 12 points 3–5): what the registrations, assistance events, referrals and cases in
this vault say, computed by waypoint_core.registry.indicators (the server runs the same code), protected by
waypoint_core.registry.disclosure before anything is shown or written.

Within the person's rights (services/access.py): the rows are those they may see, so field staff never count a
trafficking case (their report has no VoT indicator). Events and referrals name their person by the registration
number the list shows (person_ref: the short id, written with or without "WP-"); a number that names no one here
is left out and counted in `unlinked`. Merged duplicates: the review desk moves a merged person's events to the
kept person, so each person counts once. No Qt here.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from desktop_app.services import access, places
from desktop_app.vault import report_reads
from desktop_app.vault.vault import Vault
from waypoint_core.access import policy
from waypoint_core.registry import exports, indicators
from waypoint_core.registry.indicators import Case, Event, IndicatorResult, Person

MIGRANT_FORM = "waypoint_migrant_registration"
EVENT_FORM = "waypoint_assistance_event"
REFERRAL_FORM = "waypoint_referral"
CASE_FORM = "waypoint_vot_case"
_NOT_HEX = re.compile(r"[^0-9A-F]")


@dataclass(frozen=True)
class Scope:
    """all, a country (ISO code) or a centre (code of forms/lists/centres.csv)."""

    kind: str = "all"  # all | country | centre
    value: str = ""

    @classmethod
    def parse(cls, text: str | None) -> Scope:
        text = (text or "all").strip()
        if text in ("", "all"):
            return cls()
        kind, _, value = text.partition(":")
        if kind not in ("country", "centre") or not value:
            raise ValueError("scope must be all, country:CC or centre:CODE")
        return cls(kind, value.upper() if kind == "country" else value)

    def covers(self, centre: str | None) -> bool:
        if self.kind == "all":
            return True
        if self.kind == "centre":
            return centre == self.value
        known = places.find_centre(centre) if centre else None
        return known is not None and known.country == self.value

    def __str__(self) -> str:
        return "all" if self.kind == "all" else f"{self.kind}:{self.value}"


@dataclass(frozen=True)
class IndicatorReport:
    results: tuple[IndicatorResult, ...]
    report: exports.Report
    unlinked: int  # events, referrals and cases whose registration number names no one in this vault
    seconds: float = 0.0


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "")[:10]) if text else None
    except ValueError:
        return None


_HEX = frozenset("0123456789ABCDEF")


def _ref(text: str | None) -> str:
    value = (text or "").strip().upper().removeprefix("WP-")
    if len(value) == 8 and _HEX.issuperset(value):
        return value
    return _NOT_HEX.sub("", value)


def compute(vault: Vault, *, start: date, end: date, scope: Scope = Scope()) -> IndicatorReport:
    """Every indicator the person may see, for [start, end] and the scope, protected for display and export."""
    started = time.perf_counter()
    if end < start:
        raise ValueError("the period ends before it starts")
    seen = access.visibility(vault)
    rows = [] if seen.nothing else report_reads.report_rows(vault, visible=seen.rows)
    people: list[Person] = []
    by_short: dict[str, str] = {}
    for row in rows:
        if row.form_id != MIGRANT_FORM and "beneficiary_category" not in row.fields:
            continue
        registered = _date(row.registered_on)
        birth_year = registered.year - row.age if registered is not None and row.age is not None else None
        people.append(Person(row.id, row.sex, birth_year, row.nationality, row.centre,
                             row.fields.get("beneficiary_category")))
        by_short[row.id.replace("-", "")[:8].upper()] = row.id
    events: list[Event] = []
    cases: list[Case] = []
    unlinked = 0
    for row in rows:
        if row.form_id not in (EVENT_FORM, REFERRAL_FORM, CASE_FORM):
            continue
        ref = _ref(row.fields.get("person_ref"))
        person = by_short.get(ref[:8]) if len(ref) >= 8 else None
        if person is None:
            unlinked += 1
            continue
        if row.form_id == CASE_FORM:
            cases.append(Case(person, row.fields.get("trafficking_status")))
            continue
        day = _date(row.registered_on)
        if day is None or not scope.covers(row.centre):
            continue
        kind = "referral" if row.form_id == REFERRAL_FORM else "assistance"
        events.append(Event(person, day, kind, row.fields.get("assistance_type"), row.centre))
    results = indicators.compute_all(start=start, end=end, people=people, events=events, cases=cases)
    may_see_cases = not seen.nothing and seen.rows.only_kind in (None, policy.CASE)
    kept = tuple(r for r in results if may_see_cases or not r.sensitive)
    report = exports.build_report(kept, title="Waypoint indicators", scope=str(scope), centre_scope=scope.kind == "centre")
    return IndicatorReport(kept, report, unlinked, time.perf_counter() - started)


def category_label(language: str) -> Callable[[str, str], str]:
    """Names for categories in exports: countries and centres by name."""
    def name(dimension: str, code: str) -> str:
        if dimension == "nationality":
            return places.country_name(code, language)
        if dimension == "centre":
            centre = places.find_centre(code)
            return centre.name(language) if centre is not None else code
        return code
    return name


def write(vault: Vault, *, start: date, end: date, out: Path, scope: Scope = Scope(), language: str = "en",
          progress: exports.Progress | None = None) -> IndicatorReport:
    """Compute and write the report (.csv, .xlsx, .pdf): aggregate and protected, so any role may take it out."""
    computed = compute(vault, start=start, end=end, scope=scope)
    exports.write_report(computed.report, out, labels=category_label(language), progress=progress)
    return computed
