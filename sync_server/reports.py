"""Indicators on the server (issue 12 point 3: "computed on the device and on the server from the same code").

`GET /v2/indicators?from=DATE&to=DATE[&scope=centre:ID|region:NAME|all]` answers a signed device (auth.py) with the
indicators of a scope for the period: by default the device's centre; a wider one only as far as its people may view
registrations (scope.py, the policy's own `within`: a coordinator's device may ask another centre of its region or
its region; no role views `all`, so only the server's operator asks that, `waypoint-server admin indicators`).
The scope is which centres' facts are read (`centre_id`, the centre each record belongs to). Nothing is opened but
the review desk's decisions (`decisions.merges`: a few records, so a merged person counts once): the records' facts were
derived when each version was stored (derived.py: `indicator_fact`, the device's own reading of a record,
`waypoint_core.registry.indicators.fact_of`), and SQL gathers them here in three statements: the
people; the links grouped by kind, assistance type and trafficking status, each group's registration numbers and
days joined in one text (see `inputs`; those that name no one are `unlinked`); and the period's information sessions
(the aggregate form's tallies, for 3.3). Linked as the device links them, they
go to
`waypoint_core.registry.exports.indicators_from_inputs`: the computation the device's report runs, so the same
records give the same figures on both sides. Rights (scope.py): trafficking cases are read only for a device whose
people may view cases, and the trafficking indicator is reported only to such a device. Every table is protected
(small cells and their complements hidden, audited) and rounded down to a multiple of 5 before it leaves (R11);
the answer carries no record id, only published counts and the notes saying what was suppressed and why.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, text

from waypoint_core.access import policy
from waypoint_core.access.policy import RecordFacts
from waypoint_core.protocol import PROTOCOL_VERSION, canonical_json
from waypoint_core.protocol.report_messages import IndicatorAnswer, IndicatorEntry, IndicatorScopes, IndicatorTable
from waypoint_core.registry import exports
from waypoint_core.registry.disclosure import TOTAL
from waypoint_core.registry.indicators import LINK_SEP, Inputs, inputs_from_link_groups

from . import coordination, decisions, derived, scope
from .atrest import DataKey
from .auth import AuthenticatedDevice
from .db import Database
from .errors import ProtocolError

_NO_CASES = " AND record_id NOT IN (SELECT record_id FROM record_kind WHERE kind = 'case')"
_NAMED = re.compile(r":(\w+)")


def _fetch(conn: Connection, sql: str, args: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Every row as a plain tuple, straight from the driver (SQLAlchemy's row objects were half the time of a
    request over 400,000 records). `sql` names its parameters :name, as text() does."""
    if conn.dialect.paramstyle in ("pyformat", "format"):
        sql = _NAMED.sub(r"%(\1)s", sql)
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql, args)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def links_statement(conn: Connection, where: str) -> str:
    """The link rows grouped by kind, assistance type and trafficking status (`indicators.LINK_GROUP`, no centre: the
    device's centre is the scope), each one's registration number and day joined in one text in the order of the
    numbers (SQLite reads them so from ix_indicator_fact_link; PostgreSQL, which hashes the groups over the table,
    sorts them)."""
    pair = "ref || {sep} || coalesce(day, '')"
    if conn.dialect.name == "postgresql":
        joined = f"string_agg({pair.format(sep='chr(31)')}, chr(31) ORDER BY ref)"
    else:
        joined = f"group_concat({pair.format(sep='char(31)')}, char(31))"
    return (f"SELECT link, assistance_type, trafficking_status, NULL, {joined} FROM indicator_fact "
            f"WHERE {where} AND link IS NOT NULL GROUP BY link, assistance_type, trafficking_status "
            "ORDER BY link, assistance_type, trafficking_status")


def _centre_inputs(conn: Connection, centre_id: str, *, start: date, end: date, with_cases: bool
                   ) -> tuple[list[Any], list[Any], list[Any]]:
    """One centre's people (PERSON_ROW, by number), link groups (LINK_GROUP) and the period's information sessions,
    each read on its index in order."""
    args = {"c": centre_id}
    where = "centre_id = :c" + ("" if with_cases else _NO_CASES)
    people = _fetch(conn, ("SELECT short, record_id, sex, birth_year, nationality, centre, category FROM indicator_fact "
                           f"WHERE {where} AND short IS NOT NULL ORDER BY short"), args)
    sessions = _fetch(conn, ("SELECT day, centre, session FROM indicator_fact WHERE centre_id = :c "
                             "AND session IS NOT NULL AND day >= :first AND day <= :last"),
                      {**args, "first": start.isoformat(), "last": end.isoformat()})
    return people, _fetch(conn, links_statement(conn, where), args), sessions


def inputs(conn: Connection, centres: str | Sequence[str] | None, *, start: date, end: date,
           with_cases: bool, merged: dict[str, str] | None = None) -> Inputs:
    """The people of `centres` (a centre id, several, or None: every centre), the period's events and referrals, and
    the cases, linked by registration number across those centres, from `indicator_fact` by the device's own linking
    (`indicators.inputs_from_link_groups`): the same indicators as `indicators.inputs_from_records` over the records
    would give.

    The links are read grouped by kind, assistance type and trafficking status, in the order of
    `ix_indicator_fact_link` (migration 0013, so no sort), each group's registration numbers and days joined in one
    text: the driver builds a row per group (a dozen), not per record (building 300,000 rows was most of a request's
    time). The events stay in the order of the numbers, so the core's look-ups by person walk its tables in order (in
    the order of days, the same computation took half as long again). The period's information sessions (3.3) are
    read apart, from ix_indicator_fact_session (migration 0018): a few rows. Several centres are read one by one,
    each on its indexes (one statement over `centre_id IN (…)` sorted the people and grouped the links in temporary
    b-trees: about a third more CPU for a region of 100,000 people split over two centres); their people are merged
    by number (sorted runs) and each group's texts joined. `merged` (`decisions.merges`): the review desk's merges, so each
    merged person counts as the kept one."""
    if centres is None:
        chosen = list(conn.execute(text("SELECT id FROM centre ORDER BY id")).scalars())
    else:
        chosen = [centres] if isinstance(centres, str) else sorted(set(centres))
    if len(chosen) == 1:
        people, groups, sessions = _centre_inputs(conn, chosen[0], start=start, end=end, with_cases=with_cases)
        return inputs_from_link_groups(people, groups, start=start, end=end, sessions=sessions, merged=merged)
    people, sessions = [], []
    joined: dict[tuple[Any, ...], list[str]] = {}
    for centre_id in chosen:
        some, links, held = _centre_inputs(conn, centre_id, start=start, end=end, with_cases=with_cases)
        people += some
        sessions += held
        for *group, numbers in links:
            joined.setdefault(tuple(group), []).append(numbers)
    people.sort(key=itemgetter(0))  # one run per centre, merged
    return inputs_from_link_groups(people, [(*group, LINK_SEP.join(texts)) for group, texts in joined.items()],
                                   start=start, end=end, sessions=sessions, merged=merged)


@dataclass(frozen=True)
class ReportScope:
    """Which centres an indicator report counts: one centre (by id), a region named by the administrator, or all."""

    kind: str  # centre | region | all
    value: str = ""

    @classmethod
    def parse(cls, text: str | None, *, default_centre: str | None = None) -> ReportScope:
        """`centre:ID`, `region:NAME` or `all`; nothing given: `default_centre` (the asking device's)."""
        text = (text or "").strip()
        if not text:
            if default_centre is None:
                return cls("all")
            return cls("centre", default_centre)
        if text == "all":
            return cls("all")
        kind, _, value = text.partition(":")
        if kind not in ("centre", "region") or not value.strip():
            raise ValueError("scope must be centre:ID, region:NAME or all")
        return cls(kind, value.strip())

    def __str__(self) -> str:
        return "all" if self.kind == "all" else f"{self.kind}:{self.value}"


class UnknownScope(ValueError):
    """A scope naming no centre or region of this server (a report of zeros would look real)."""


def centres_in(conn: Connection, chosen: ReportScope) -> tuple[ReportScope, list[str] | None]:
    """The scope with a centre named by id, and its centres' ids (None: every centre). Refuses a centre or region
    this server does not know."""
    if chosen.kind == "all":
        return chosen, None
    if chosen.kind == "centre":
        found = conn.execute(text("SELECT id FROM centre WHERE id = :c OR name = :c ORDER BY id"),
                             {"c": chosen.value}).scalars().first()
        if found is None:
            raise UnknownScope("no centre with that id or name on this server (`waypoint-server admin centre list`)")
        return ReportScope("centre", found), [found]
    centres = sorted(conn.execute(text("SELECT centre_id FROM centre_region WHERE region = :r"),
                                  {"r": chosen.value}).scalars())
    if not centres:
        raise UnknownScope("no region of that name on this server (a region is named with `waypoint-server admin "
                           "centre region CENTRE REGION`; `admin centre list` shows them)")
    return chosen, centres


def _reaches(conn: Connection, actor: policy.Actor, granted: policy.Scope | None, chosen: ReportScope,
             centres: list[str] | None) -> bool:
    """Whether `granted` (the widest scope the device's people view a subject with) takes in every centre of the
    report's scope, judged by the policy's own `within` on each centre and its region."""
    if granted is None:
        return False
    if centres is None:
        return granted == "all"
    return all(policy.within(granted, actor, RecordFacts(centre=c, region=scope.region_of(conn, c)))
               for c in centres)


def device_scope(conn: Connection, device: AuthenticatedDevice, asked: str | None
                 ) -> tuple[ReportScope, list[str] | None, bool]:
    """The scope a device asked for (default: its centre), its centres, and whether cases are counted; refused with
    a 403 beyond what the device's people may view, and a 404 for a centre or region the server does not know."""
    try:
        chosen = ReportScope.parse(asked, default_centre=device.centre_id)
    except ValueError as exc:
        raise ProtocolError(422, "malformed", str(exc)) from None
    actor = scope.actor_of(conn, device.id, device.centre_id)
    cases_granted = policy.widest_scope(actor, "view", policy.CASE)
    if chosen == ReportScope("centre", device.centre_id):  # the device's own centre, as before
        return chosen, [device.centre_id], cases_granted is not None
    granted = policy.widest_scope(actor, "view", policy.REGISTRATION)
    needed: policy.Scope = "all" if chosen.kind == "all" else "region"
    what = {"centre": "another centre", "region": "a region", "all": "every centre"}[chosen.kind]
    held = ", ".join(sorted(actor.roles)) or "no role"
    refusal = ProtocolError(403, "outside_scope", f"this device's people ({held}) view registrations up to "
                            f"{granted or 'no scope'}: indicators of {what} need {needed}, within their own region")
    if granted is None or policy.SCOPES.index(granted) < policy.SCOPES.index(needed):
        raise refusal  # before any look-up: a device with no such right learns nothing of other centres
    try:
        chosen, centres = centres_in(conn, chosen)
    except UnknownScope as exc:
        raise ProtocolError(404, "unknown_scope", str(exc)) from None
    if not _reaches(conn, actor, granted, chosen, centres):
        raise refusal
    return chosen, centres, _reaches(conn, actor, cases_granted, chosen, centres)


def one_centre(centres: list[str] | None) -> bool:
    """Whether a report counts one centre (a centre, or a region of one): R11 point 5 then withholds a trafficking
    indicator for a period shorter than a quarter (`exports.build_report`), as the device does for its centre."""
    return centres is not None and len(centres) == 1


def indicators(db: Database, device: AuthenticatedDevice, *, start: date, end: date, key: DataKey,
               scope_text: str | None = None) -> bytes:
    """The canonical JSON answer: each indicator's published total and one-way tables, rounded, and the notes."""
    if end < start:
        raise ValueError("the period ends before it starts")
    derived.catch_up(db, key)  # every record committed before this read has its fact
    with db.read_engine.connect() as conn:
        chosen, centres, cases = device_scope(conn, device, scope_text)
        found = inputs(conn, centres, start=start, end=end, with_cases=cases, merged=decisions.merges(conn, key))
    done = exports.indicators_from_inputs(found, start=start, end=end, scope=str(chosen),
                                          centre_scope=one_centre(centres), may_see_cases=cases)
    return answer(done, chosen.value if chosen.kind == "centre" else None, start=start, end=end, scope=str(chosen))


def compute(db: Database, key: DataKey, *, start: date, end: date, scope_text: str | None = None
            ) -> tuple[ReportScope, exports.Computed]:
    """The server operator's report (`waypoint-server admin indicators`): the same computation and protection over
    the scope's centres (default: all), cases counted (the operator holds the data key; the trafficking indicator is
    protected at k = 11 like every VoT table). Refuses a centre or region the server does not know."""
    if end < start:
        raise ValueError("the period ends before it starts")
    chosen = ReportScope.parse(scope_text)
    derived.catch_up(db, key)
    with db.read_engine.connect() as conn:
        chosen, centres = centres_in(conn, chosen)
        found = inputs(conn, centres, start=start, end=end, with_cases=True, merged=decisions.merges(conn, key))
    return chosen, exports.indicators_from_inputs(found, start=start, end=end, scope=str(chosen),
                                                  centre_scope=one_centre(centres), may_see_cases=True)


def answer(done: exports.Computed, centre_id: str | None, *, start: date, end: date, scope: str | None = None
           ) -> bytes:
    """The canonical JSON answer of computed indicators, rounded (`report_messages.IndicatorAnswer`, the shape the
    device reads back). `centre_id`: the centre counted, None for a region or all; `scope`: as asked (default: the
    centre's). What was withheld by rule and 3.3's mass-media reach go as data too, beside the English notes, so a
    device says them in its own language."""
    report = done.report.rounded()
    body = IndicatorAnswer(
        protocol_version=PROTOCOL_VERSION, centre_id=centre_id, scope=scope or f"centre:{centre_id}",
        start=start.isoformat(), end=end.isoformat(), unlinked=done.unlinked, notes=report.notes(),
        rounding=report.rounding, withheld=list(report.withheld),
        indicators=[IndicatorEntry(
            code=section.result.code, title=section.result.title, total=section.total_shown(),
            estimated_reach=section.result.estimated_reach - section.result.estimated_reach % report.rounding,
            tables={dimension: IndicatorTable(
                cells={category: protected.shown((category, protected.table.columns[0]))
                       for category in protected.table.rows},
                total=protected.shown((TOTAL, protected.table.columns[0])))
                for dimension, protected in section.tables},
        ) for section in report.sections],
    )
    return canonical_json(body.model_dump(mode="json", by_alias=True))


def scopes(db: Database, device: AuthenticatedDevice) -> bytes:
    """The centres whose indicators the device may ask (`GET /v2/indicators/scopes`): those within its people's
    view-registrations scope, as `device_scope` judges them (a coordinator: every centre of its region; others:
    their own centre), its own first, each with its region."""
    with db.read_engine.connect() as conn:
        centres = coordination.centres_in_scope(conn, device.id, device.centre_id, action="view",
                                                subject=policy.REGISTRATION)
    return IndicatorScopes(protocol_version=PROTOCOL_VERSION, centres=centres).canonical()
