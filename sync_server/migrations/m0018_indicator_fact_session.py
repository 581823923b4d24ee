"""Migration 0018 (issue 12 point 3: EUTF 3.3 from the aggregate activity form): `indicator_fact.session`, what an
information session (forms/info_session.md, data-model §7.6 G1) gives the indicators: its participant tallies by sex
and age group, its estimated reach (reported apart) and the registration numbers it names, as text
(`waypoint_core.registry.indicators.session_text`, as the device keeps it: vault migration 0025). No one is named.

`ix_indicator_fact_session` holds a centre's sessions by day, so `/v2/indicators` reads the few of its period
(reports.inputs) without the centre's people and links. Sessions already held (a form of that id installed before it
was shipped) are derived again; that needs the data key, as migration 0012 did.
"""

from __future__ import annotations

import json

from sqlalchemy import inspect, text

from waypoint_core.registry.indicators import SESSION_FORM

from ..atrest import open_text
from ..derived import Change, refresh

VERSION = 18
NAME = "indicator_fact_session"


def upgrade(conn, context) -> None:
    if "session" not in {column["name"] for column in inspect(conn).get_columns("indicator_fact")}:
        conn.execute(text("ALTER TABLE indicator_fact ADD COLUMN session VARCHAR"))  # made by 0012 before this one
    conn.execute(text("CREATE INDEX ix_indicator_fact_session ON indicator_fact (centre_id, day) "
                      "WHERE session IS NOT NULL"))
    rows = conn.execute(text("SELECT id, centre_id, form_id, server_version, state FROM record "
                             "WHERE deleted = :f AND form_id = :form"), {"f": False, "form": SESSION_FORM}).all()
    if rows and context.data_key is None:
        raise RuntimeError("migration 0018 derives the information sessions held and needs the data key to open them")
    if rows:
        refresh(conn, [Change(r.id, r.centre_id, r.form_id, json.loads(open_text(
            context.data_key, r.state, table="record", row_id=r.id, version=r.server_version))) for r in rows],
            context.data_key)
