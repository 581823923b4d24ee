"""Indicators on the server (issue 12 point 3: "computed on the device and on the server from the same code").

`GET /v2/indicators?from=DATE&to=DATE` answers a signed device (auth.py) with the indicators of its centre for the
period (records never cross centres on this server: the device's centre is the scope). The records are read as
their latest live version, their values opened with the data key, and handed to
`waypoint_core.registry.exports.indicators_from_records`: the very function the device's report calls, so the same
records give the same figures on both sides. Rights (scope.py): trafficking cases are read only for a device whose
people may view cases, and the trafficking indicator is reported only to such a device. Every table is protected
(small cells and their complements hidden, audited) and rounded down to a multiple of 5 before it leaves (R11);
the answer carries no record id, only published counts and the notes saying what was suppressed and why.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from waypoint_core.protocol import PROTOCOL_VERSION, canonical_json
from waypoint_core.registry import exports
from waypoint_core.registry.disclosure import TOTAL

from . import scope
from .atrest import DataKey, open_text
from .auth import AuthenticatedDevice
from .db import Database
from .merge import DELETED
from .tables import Record

FETCH_CHUNK = 500
READ = ("sex", "age", "nationality", "centre", "registered_on", "beneficiary_category", "person_ref",
        "assistance_type", "trafficking_status", "record_kind")


@dataclass(frozen=True)
class StoredRow:
    """A record as the indicators read it (the fields of waypoint_core.registry.indicators.RecordRow)."""

    id: str
    form_id: str
    sex: str | None
    age: int | None
    nationality: str | None
    centre: str | None
    registered_on: str | None
    fields: dict[str, str] = field(default_factory=dict)


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _rows(db: Database, device: AuthenticatedDevice, key: DataKey) -> Iterator[StoredRow]:
    r = Record.__table__
    query = (select(r.c.id, r.c.form_id, r.c.server_version, r.c.state)
             .where(r.c.centre_id == device.centre_id, r.c.deleted.is_(False)))
    with db.read_engine.connect() as conn:
        if not scope.may_receive_cases(conn, device.id, device.centre_id):
            query = query.where(r.c.id.not_in(scope.case_ids()))
        rows = conn.execution_options(stream_results=True, yield_per=FETCH_CHUNK).execute(query)
        for row in rows:
            values = json.loads(open_text(key, row.state, table="record", row_id=row.id, version=row.server_version))
            if values.get(DELETED) or values.get("@status", "finalized") != "finalized":
                continue
            # only what the indicators read (indicators.inputs_from_records): not the content, not the names
            fields = {name: str(values[name]) for name in READ if values.get(name) not in (None, "")}
            yield StoredRow(row.id, row.form_id, _text(fields.get("sex")), _int(fields.get("age")),
                            _text(fields.get("nationality")), _text(fields.get("centre")),
                            _text(fields.get("registered_on")), fields)


def may_see_cases(db: Database, device: AuthenticatedDevice) -> bool:
    with db.read_engine.connect() as conn:
        return scope.may_receive_cases(conn, device.id, device.centre_id)


def indicators(db: Database, device: AuthenticatedDevice, *, start: date, end: date, key: DataKey) -> bytes:
    """The canonical JSON answer: each indicator's published total and one-way tables, rounded, and the notes."""
    done = exports.indicators_from_records(
        _rows(db, device, key), start=start, end=end, scope=f"centre:{device.centre_id}", covers=lambda _c: True,
        centre_scope=False, may_see_cases=may_see_cases(db, device))
    report = done.report.rounded()
    body = {
        "protocol_version": PROTOCOL_VERSION, "centre_id": device.centre_id, "from": start.isoformat(),
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
