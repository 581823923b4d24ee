"""Indicators on the device (issue 12 points 3–5): what the registrations, assistance events, referrals and cases in
this vault say, computed by waypoint_core.registry.indicators (the server runs the same code), protected by
waypoint_core.registry.disclosure before anything is shown or written.

Read from the facts the vault's writer keeps of each live, finalized record (`indicator_fact`:
vault/indicator_facts.py, the core's own reading of a record), never from the records themselves. Within the
person's rights (services/access.py): the rows are those they may see, so field staff never count a trafficking case
(their report has no VoT indicator). Events and referrals name their person by the registration
number the list shows (person_ref: the short id, written with or without "WP-"); a number that names no one here
is left out and counted in `unlinked`. Merged duplicates: the review desk's merge leaves every event naming the
registration it was recorded for, and its decisions make the merged registration's number count as the kept person
(report_reads.merges_in), so each person counts once, whenever and wherever the event was recorded. No Qt here.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from desktop_app.services import access, places
from desktop_app.vault import report_reads
from desktop_app.vault.vault import Vault
from waypoint_core.access import policy
from waypoint_core.registry import exports, report_words
from waypoint_core.registry.indicators import (
    CASE_FORM,
    COUNSELLED,
    EVENT_FORM,
    MIGRANT_FORM,
    REFERRAL_FORM,
    SESSION_FORM,
    IndicatorResult,
    Inputs,
)

__all__ = ["CASE_FORM", "EVENT_FORM", "MIGRANT_FORM", "REFERRAL_FORM", "IndicatorReport", "Scope", "compute", "write"]


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
        value = value.strip()
        if kind not in ("country", "centre") or not value:
            raise ValueError("scope must be all, country:CC or centre:CODE")
        # A scope naming nowhere would count no one and look like a real report of zeros.
        if kind == "centre":
            centre = places.find_centre(value)
            if centre is None:
                raise ValueError(f"unknown centre {value!r}: use a code or name of forms/lists/centres.csv "
                                 "(for example centre:ne_agadez)")
            return cls(kind, centre.code)
        if value.upper() not in places.country_codes():
            raise ValueError(f"unknown country {value!r}: use an ISO 3166-1 code (for example country:NE)")
        return cls(kind, value.upper())

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
    # the forms' choice labels the breakdowns name (language -> question -> code -> label: `form_choices`), for the
    # screen, which may switch language after computing
    choices: dict[str, dict[str, dict[str, str]]] = dataclasses.field(default_factory=dict)
    computed_by: str = "device"  # or "server" (services/server_reports.py): said on screen and in the files


def compute(vault: Vault, *, start: date, end: date, scope: Scope = Scope()) -> IndicatorReport:
    """Every indicator the person may see, for [start, end] and the scope, protected for display and export."""
    started = time.perf_counter()
    if end < start:
        raise ValueError("the period ends before it starts")
    seen = access.visibility(vault)
    found = (Inputs([], [], [], 0) if seen.nothing else
             report_reads.report_inputs(vault, start=start, end=end, visible=seen.rows,
                                        covers=None if scope.kind == "all" else scope.covers))
    done = exports.indicators_from_inputs(  # the server runs the same computation over its facts
        found, start=start, end=end, scope=str(scope), centre_scope=scope.kind == "centre",
        may_see_cases=not seen.nothing and seen.rows.only_kind in (None, policy.CASE))
    seconds = time.perf_counter() - started
    choices = {language: form_choices(vault, language) for language in LANGUAGES}
    return IndicatorReport(done.results, dataclasses.replace(done.report, computed_by="device"), done.unlinked, seconds,
                           choices)


NOT_RECORDED = {"en": "Not recorded", "fr": "Non renseigné"}
# dimension -> the forms' questions whose choice labels name its categories, the first that has the code: sex and
# category from the registration form; 3.3's channel and target group from the information session form, a target
# group "other" (`indicators.OTHER`) from the registration form's category "other". The channel of people counselled
# one by one (`indicators.COUNSELLED`) is no choice of a form: report_words names it ("Individual counselling")
WORDED = {"sex": ("sex",), "category": ("beneficiary_category",), "channel": ("channel",),
          "target_group": ("target_group", "beneficiary_category")}
QUESTIONS = frozenset(q for questions in WORDED.values() for q in questions)
WORDING_FORMS = (MIGRANT_FORM, SESSION_FORM)  # where those questions are asked, in this order
LANGUAGES = ("en", "fr")  # the languages of the shipped forms and of the app


def category_label(language: str, choices: dict[str, dict[str, str]] | None = None) -> Callable[[str, str], str]:
    """Names for categories in exports, as the screen shows them: countries and centres by name, age groups as
    "25–35" ("36+", "60+"), sex, category, channel and target group by the forms' own choice labels (`choices`:
    question -> code -> label, `form_choices`)."""
    words = choices or {}

    def name(dimension: str, code: str) -> str:
        if code == "unknown":
            return NOT_RECORDED.get(language, NOT_RECORDED["en"])
        if dimension == "nationality":
            return places.country_name(code, language)
        if dimension == "centre":
            centre = places.find_centre(code)
            return centre.name(language) if centre is not None else code
        if dimension == "age_group":
            return age_group_label(code)
        if dimension == "channel" and code == COUNSELLED:
            return report_words.words_for(language).counselled
        for question in WORDED.get(dimension, ()):
            if code in words.get(question, {}):
                return words[question][code]
        return code
    return name


def age_group_label(code: str) -> str:
    """An age group's code as written: "0_17" -> "0–17", "60p" -> "60+", "36p" (3.3's bands) -> "36+"."""
    return code.replace("_", "–").replace("60p", "60+").replace("36p", "36+")


def form_choices(vault: Vault, language: str) -> dict[str, dict[str, str]]:
    """The installed forms' labels of the codes the reports name (sex, category, channel, target group: `QUESTIONS`)
    in `language`; a form not installed gives none (its codes are written then)."""
    from desktop_app.records.form_store import FormNotInstalled, get_form_xform, latest_form
    from desktop_app.services.forms import choice_labels_of

    found: dict[str, dict[str, str]] = {}
    for form_id in WORDING_FORMS:
        try:
            form = latest_form(vault, form_id)
        except FormNotInstalled:
            continue
        for question, labels in choice_labels_of(get_form_xform(vault, form_id, form.version), language, QUESTIONS).items():
            found.setdefault(question, labels)
    return found


def write(vault: Vault, *, start: date, end: date, out: Path, scope: Scope = Scope(), language: str = "en",
          progress: exports.Progress | None = None) -> IndicatorReport:
    """Compute and write the report (.csv, .xlsx, .pdf): aggregate and protected, so any role may take it out."""
    computed = compute(vault, start=start, end=end, scope=scope)
    words = report_words.words_for(language)
    exports.write_report(dataclasses.replace(computed.report, title=words.title), out, words=words,
                         labels=category_label(language, form_choices(vault, language)), progress=progress)
    return computed
