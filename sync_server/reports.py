"""Indicators on the server (issue 12 point 3: "computed on the device and on the server from the same code").

`GET /v2/indicators?from=DATE&to=DATE` answers a signed device (auth.py) with the indicators of its centre for the
period (records never cross centres on this server: the device's centre is the scope). Nothing is opened: the
records' facts were derived when each version was stored (derived.py: `indicator_fact`, the device's own reading of a
record, `waypoint_core.registry.indicators.fact_of`), and SQL gathers them here in two statements: the centre's
people; and the links grouped by kind, assistance type and trafficking status, each group's registration numbers and
days joined in one text (see `inputs`; those that name no one are `unlinked`). Linked as the device links them, they
go to
`waypoint_core.registry.exports.indicators_from_inputs`: the computation the device's report runs, so the same
records give the same figures on both sides. Rights (scope.py): trafficking cases are read only for a device whose
people may view cases, and the trafficking indicator is reported only to such a device. Every table is protected
(small cells and their complements hidden, audited) and rounded down to a multiple of 5 before it leaves (R11);
the answer carries no record id, only published counts and the notes saying what was suppressed and why.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import Connection

from waypoint_core.protocol import PROTOCOL_VERSION, canonical_json
from waypoint_core.registry import exports
from waypoint_core.registry.disclosure import TOTAL
from waypoint_core.registry.indicators import Inputs, inputs_from_link_groups

from . import derived, scope
from .atrest import DataKey
from .auth import AuthenticatedDevice
from .db import Database

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


def inputs(conn: Connection, centre_id: str, *, start: date, end: date, with_cases: bool) -> Inputs:
    """The centre's people, the period's events and referrals, and the cases, linked by registration number, from
    `indicator_fact` by the device's own linking (`indicators.inputs_from_link_groups`): the same indicators as
    `indicators.inputs_from_records` over the records would give.

    The links are read grouped by kind, assistance type and trafficking status, in the order of
    `ix_indicator_fact_link` (migration 0013, so no sort), each group's registration numbers and days joined in one
    text: the driver builds a row per group (a dozen), not per record (building 300,000 rows was most of a request's
    time). The events stay in the order of the numbers, so the core's look-ups by person walk its tables in order (in
    the order of days, the same computation took half as long again)."""
    where = "centre_id = :c" + ("" if with_cases else _NO_CASES)
    args = {"c": centre_id}
    people = _fetch(conn, ("SELECT short, record_id, sex, birth_year, nationality, centre, category FROM indicator_fact "
                           f"WHERE {where} AND short IS NOT NULL ORDER BY short"), args)
    return inputs_from_link_groups(people, _fetch(conn, links_statement(conn, where), args), start=start, end=end)


def indicators(db: Database, device: AuthenticatedDevice, *, start: date, end: date, key: DataKey) -> bytes:
    """The canonical JSON answer: each indicator's published total and one-way tables, rounded, and the notes."""
    if end < start:
        raise ValueError("the period ends before it starts")
    derived.catch_up(db, key)  # every record committed before this read has its fact
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
