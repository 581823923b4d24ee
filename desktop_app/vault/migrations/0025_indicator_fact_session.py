"""0025 (registry, issue 12 point 3: EUTF 3.3 from the aggregate activity form): `indicator_fact.session`, what an
information session (forms/info_session.md, data-model §7.6 G1) gives the indicators: its participant tallies by sex
and age group, its estimated reach (reported apart) and the registration numbers of the registered people it names,
as text (`waypoint_core.registry.indicators.session_text`; the row's day and centre are the session's). No one is
named: tallies and numbers only.

`ix_indicator_fact_session` holds the sessions alone, in the order of their days, covering what rights filter on, so
a report reads the few sessions of its period without the table's 400,000 people and links. The sessions already
held (a form of that id installed before it was shipped) are derived again.
"""

from __future__ import annotations

from typing import Any

from desktop_app.vault.indicator_facts import COLUMNS, derive
from desktop_app.vault.sql import Db
from waypoint_core.registry.indicators import SESSION_FORM

_INSERT = f"INSERT INTO indicator_fact ({', '.join(COLUMNS)}) VALUES ({', '.join(':' + c for c in COLUMNS)})"


def upgrade(conn: Any) -> None:
    columns = {row[1] for row in conn.execute("PRAGMA table_info(indicator_fact)").fetchall()}
    if "session" not in columns:  # a table made by migration 0020 before this one
        conn.execute("ALTER TABLE indicator_fact ADD COLUMN session TEXT")
    conn.execute("CREATE INDEX ix_indicator_fact_session ON indicator_fact (day, centre, session, form_id, kind, "
                 "created_by) WHERE session IS NOT NULL")
    held = [row[0] for row in conn.execute(  # the covering index of 0013, not the records' content (400,000 rows)
        "SELECT id FROM registration INDEXED BY ix_registration_report "
        "WHERE status = 'finalized' AND deleted = 0 AND form_id = ?", (SESSION_FORM,))]
    if held:
        conn.executemany("DELETE FROM indicator_fact WHERE record_id = ?", [(record_id,) for record_id in held])
        rows = derive(Db(conn), held)
        if rows:
            conn.executemany(_INSERT, rows)
