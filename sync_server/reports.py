"""Indicators on the server (issue 12 point 3: "computed on the device and on the server from the same code").

`GET /v2/indicators?from=DATE&to=DATE` answers a signed device (auth.py) with the indicators of its centre for the
period (records never cross centres on this server: the device's centre is the scope). Nothing is opened: the
records' facts were derived when each version was stored (derived.py: `indicator_fact`, the device's own reading of a
record, `waypoint_core.registry.indicators.fact_of`), and SQL gathers them here: the centre's people, the distinct
(person named, kind, assistance type) of the events and referrals of the period with their first day in it (what
each indicator counts: a person once), the cases, and per registration number named the number of links (those
that name no one are `unlinked`). Linked as the device links them, they go to
`waypoint_core.registry.exports.indicators_from_inputs`: the computation the device's report runs, so the same
records give the same figures on both sides. Rights (scope.py): trafficking cases are read only for a device whose
people may view cases, and the trafficking indicator is reported only to such a device. Every table is protected
(small cells and their complements hidden, audited) and rounded down to a multiple of 5 before it leaves (R11);
the answer carries no record id, only published counts and the notes saying what was suppressed and why.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, text

from waypoint_core.protocol import PROTOCOL_VERSION, canonical_json
from waypoint_core.registry import exports
from waypoint_core.registry.disclosure import TOTAL
from waypoint_core.registry.indicators import Case, Event, Inputs, Person

from . import scope
from .auth import AuthenticatedDevice
from .db import Database

_NO_CASES = " AND record_id NOT IN (SELECT record_id FROM record_kind WHERE kind = 'case')"


def inputs(conn: Connection, centre_id: str, *, start: date, end: date, with_cases: bool) -> Inputs:
    """The centre's people, the period's events and referrals, and the cases, linked by registration number, from
    `indicator_fact` (the same Inputs as `indicators.inputs_from_records` over the records, with each person's
    repeated events of one kind and type in the period given once)."""
    where = "centre_id = :c" + ("" if with_cases else _NO_CASES)
    args = {"c": centre_id, "start": start.isoformat(), "end": end.isoformat()}
    people: list[Person] = []
    by_short: dict[str, str] = {}
    for rid, short, sex, born, nationality, centre, category in conn.execute(text(
            "SELECT record_id, short, sex, birth_year, nationality, centre, category FROM indicator_fact "
            f"WHERE {where} AND short IS NOT NULL"), args):
        people.append(Person(rid, sex, born, nationality, centre, category))
        by_short[short] = rid
    unlinked = sum(n for ref, n in conn.execute(text(
        f"SELECT ref, COUNT(*) FROM indicator_fact WHERE {where} AND link IS NOT NULL GROUP BY ref"), args)
        if ref not in by_short)
    # An event's centre only filters the scope (covers), and the scope here is the device's centre: not read.
    events = [Event(by_short[ref], date.fromisoformat(day), link, kind)
              for ref, link, kind, day in conn.execute(text(
                  "SELECT ref, link, assistance_type, MIN(day) FROM indicator_fact "
                  f"WHERE {where} AND link IN ('assistance', 'referral') AND day >= :start AND day <= :end "
                  "GROUP BY ref, link, assistance_type"), args)
              if ref in by_short]
    cases = [Case(by_short[ref], status) for ref, status in conn.execute(text(
        f"SELECT ref, trafficking_status FROM indicator_fact WHERE {where} AND link = 'case'"), args)
        if ref in by_short]
    return Inputs(people, events, cases, unlinked)


def indicators(db: Database, device: AuthenticatedDevice, *, start: date, end: date) -> bytes:
    """The canonical JSON answer: each indicator's published total and one-way tables, rounded, and the notes."""
    if end < start:
        raise ValueError("the period ends before it starts")
    with db.read_engine.connect() as conn:
        cases = scope.may_receive_cases(conn, device.id, device.centre_id)
        found = inputs(conn, device.centre_id, start=start, end=end, with_cases=cases)
    done = exports.indicators_from_inputs(found, start=start, end=end, scope=f"centre:{device.centre_id}",
                                          centre_scope=False, may_see_cases=cases)
    return answer(done, device.centre_id, start=start, end=end)


def answer(done: exports.Computed, centre_id: str, *, start: date, end: date) -> bytes:
    """The canonical JSON answer of computed indicators, rounded."""
    report = done.report.rounded()
    body = {
        "protocol_version": PROTOCOL_VERSION, "centre_id": centre_id, "from": start.isoformat(),
        "to": end.isoformat(), "unlinked": done.unlinked, "notes": report.notes(),
        "indicators": [{
            "code": section.result.code, "title": section.result.title, "total": section.total_shown(),
            "tables": {dimension: {"cells": {category: protected.shown((category, protected.table.columns[0]))
                                             for category in protected.table.rows},
                                   "total": protected.shown((TOTAL, protected.table.columns[0]))}
                       for dimension, protected in section.tables},
        } for section in report.sections],
    }
    return canonical_json(body)
