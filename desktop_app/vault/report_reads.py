"""What the indicators read from the vault: `indicator_fact` (the facts the writer keeps of each live, finalized
record: desktop_app/vault/indicator_facts.py), within what the person may see (`Visible`). Three reads of that one
narrow table whatever the size (its people; its links grouped on ix_indicator_fact_link; its few information
sessions), never a record's content;
`report_rows` is the reading the facts replaced (the summary columns and extracted fields), kept as the reference the
tests compare with."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from desktop_app.vault import merge_reads
from desktop_app.vault.registrations import EVERYTHING, Visible
from desktop_app.vault.vault import Vault
from waypoint_core.registry import indicators
from waypoint_core.registry.indicators import Inputs, StoredRecord

FIELDS = ("beneficiary_category", "person_ref", "assistance_type", "trafficking_status", *indicators.SESSION_FIELDS)
# indicator_fact's people in the core's row shape (PERSON_ROW: the person's id is the record's), and its links grouped
# (LINK_GROUP: see `report_inputs`)
_PEOPLE = ", ".join("record_id" if name == "id" else name for name in indicators.PERSON_ROW)
_JOINED = "group_concat(coalesce(ref, '') || char(31) || coalesce(day, ''), char(31))"


def _visible(visible: Visible, form_id: str, created_by: str, kind: str | None, centre: str | None) -> bool:
    """`Visible.where` in Python, row by row (a subquery per row costs a look-up each on 400,000 rows)."""
    return visible.allows(is_case=form_id in visible.case_forms or kind == "case", created_by=created_by,
                          centre=centre)


def _fact_where(visible: Visible, params: dict[str, Any]) -> str:
    """`_visible` as SQL on indicator_fact's form_id, kind and created_by."""
    sql = ""
    if visible.only_kind is not None:
        names = [f"cf{n}" for n in range(len(visible.case_forms))]
        params.update(zip(names, visible.case_forms))
        by_form = f"form_id IN ({', '.join(':' + n for n in names)}) OR " if names else ""
        is_case = f"({by_form}kind IS 'case')"
        sql += f" AND {is_case}" if visible.only_kind == "case" else f" AND NOT {is_case}"
    if visible.created_by is not None:
        params["created_by"] = visible.created_by
        sql += " AND created_by = :created_by"
    if visible.centre is not None:  # the record's centre (a person's, an event's own): in each index read here
        params["seen_centre"] = visible.centre
        sql += " AND centre = :seen_centre"
    return sql


def links_statement(visible: Visible, *, by_centre: bool) -> tuple[str, dict[str, Any]]:
    """The links the person may see grouped as `indicators.LINK_GROUP` rows (by centre too when `by_centre`), with
    its parameters. Walks ix_indicator_fact_link (migration 0021) in its order: no sort, each group's numbers in
    order."""
    params: dict[str, Any] = {}
    groups = "link, assistance_type, trafficking_status" + (", centre" if by_centre else "")
    return (f"SELECT link, assistance_type, trafficking_status, {'centre' if by_centre else 'NULL'}, {_JOINED} "
            f"FROM indicator_fact INDEXED BY ix_indicator_fact_link WHERE link IS NOT NULL{_fact_where(visible, params)} "
            f"GROUP BY {groups}"), params


def people_statement(visible: Visible) -> tuple[str, dict[str, Any]]:
    """The people the person may see as `indicators.PERSON_ROW` rows, with its parameters, in the order of their
    registration numbers and, for a number two share, of their ids (the last is the one named). Reads
    ix_indicator_fact_person (migration 0024) alone: no sort, and none of the table's link rows."""
    params: dict[str, Any] = {}
    return (f"SELECT {_PEOPLE} FROM indicator_fact INDEXED BY ix_indicator_fact_person WHERE short IS NOT NULL"
            f"{_fact_where(visible, params)} ORDER BY short, record_id"), params


def sessions_statement(visible: Visible, *, start: date, end: date) -> tuple[str, dict[str, Any]]:
    """The information sessions of [start, end] the person may see as `indicators.SESSION_ROW` rows, with its
    parameters, from ix_indicator_fact_session (migration 0025) alone."""
    params: dict[str, Any] = {"first": start.isoformat(), "last": end.isoformat()}
    return ("SELECT day, centre, session FROM indicator_fact INDEXED BY ix_indicator_fact_session "
            f"WHERE session IS NOT NULL AND day >= :first AND day <= :last{_fact_where(visible, params)}"), params


def report_inputs(vault: Vault, *, start: date, end: date, visible: Visible = EVERYTHING,
                  covers: Callable[[str | None], bool] | None = None) -> Inputs:
    """The people, the period's events and referrals, and the cases of the live, finalized records the person may
    see, linked by registration number (`indicators.inputs_from_link_groups`, the server's linking too; the same
    indicators as `inputs_from_records` over `report_rows`). Statements over `indicator_fact`: the people, by
    number then id (of two sharing a number the last by id is named: `people_statement`); the links grouped by kind, type,
    trafficking status (and centre when `covers`, the scope's filter on an event's centre, is given; None: every
    centre), each group's numbers and days joined in one text (`links_statement`), so the driver builds a few dozen
    rows instead of 300,000; the period's information sessions (`sessions_statement`: a few rows), which 3.3
    adds to the people counselled; and the review desk's merges (`merges_in`), so a merged person counts as the kept
    one (the desk leaves every event naming the registration it was recorded for)."""
    people_sql, params = people_statement(visible)
    links, link_params = links_statement(visible, by_centre=covers is not None)
    with vault.session(readonly=True) as session:
        raw: Any = session.connection().connection.driver_connection
        people = raw.execute(people_sql, params).fetchall()
        groups = raw.execute(links, link_params).fetchall()
        sessions = raw.execute(*sessions_statement(visible, start=start, end=end)).fetchall()
        merged = merges_in(raw)
    return indicators.inputs_from_link_groups(people, groups, start=start, end=end, covers=covers, sessions=sessions,
                                              merged=merged)


def merges_in(raw: Any) -> dict[str, str]:
    """The merges the review desk decided (not undone), read on a driver connection: merged registration -> kept one
    (`merge_reads.merges`). Every decision this laptop holds counts, whoever may see it: it only tells which
    registrations are one person."""
    fields: dict[str, dict[str, str]] = {}
    for record_id, name, value in raw.execute(*_DECISIONS).fetchall():
        fields.setdefault(record_id, {})[name] = value or ""
    return indicators.merges_of(fields.values())


_DECISIONS = (str(merge_reads.DECISIONS), {"f": indicators.DECISION_FORM})


def report_rows(vault: Vault, *, visible: Visible = EVERYTHING) -> list[StoredRecord]:
    """Live, finalized records the person may see, from two covering indexes (migration 0013): what the indicators
    read before `indicator_fact`, and what its rows are derived from."""
    names = ", ".join(f"'{name}'" for name in (*FIELDS, "record_kind"))
    with vault.session(readonly=True) as session:
        raw: Any = session.connection().connection.driver_connection
        rows = raw.execute("SELECT id, form_id, created_by, sex, age, nationality, centre, registered_on "
                           "FROM registration INDEXED BY ix_registration_report "
                           "WHERE status = 'finalized' AND deleted = 0").fetchall()
        extracted: dict[str, dict[str, str]] = {}
        for name, record_id, value in raw.execute(
                "SELECT name, record_id, value FROM registration_field INDEXED BY ix_registration_field_report "
                f"WHERE name IN ({names}) AND value IS NOT NULL").fetchall():
            extracted.setdefault(record_id, {})[name] = value
    empty: dict[str, str] = {}
    return [StoredRecord(row[0], row[1], row[3], row[4], row[5], row[6], row[7], extracted.get(row[0], empty))
            for row in rows
            if _visible(visible, row[1], row[2], extracted.get(row[0], empty).get("record_kind"), row[6])]


def form_records(vault: Vault, form_id: str, *, after: str = "", limit: int = 1000,
                 visible: Visible = EVERYTHING) -> list[tuple[str, str, str, str]]:
    """(id, content, created_at, created_by) of live, finalized records of one form, by id after `after`: a page
    of a record-level export (read page by page, so 100,000 records never sit in memory at once)."""
    params: dict[str, object] = {"form": form_id, "after": after, "limit": int(limit)}
    sql = ("SELECT id, content, created_at, created_by FROM registration WHERE form_id = :form AND deleted = 0 "
           "AND status = 'finalized' AND id > :after" + visible.where(params) + " ORDER BY id LIMIT :limit")
    with vault.session(readonly=True) as session:
        raw: Any = session.connection().connection.driver_connection
        return [(row[0], row[1], row[2], row[3]) for row in raw.execute(sql, params).fetchall()]


def count_form_records(vault: Vault, form_id: str, *, visible: Visible = EVERYTHING) -> int:
    """How many records `form_records` would page through (the total of an export's progress)."""
    params: dict[str, object] = {"form": form_id}
    sql = ("SELECT count(*) FROM registration WHERE form_id = :form AND deleted = 0 AND status = 'finalized'"
           + visible.where(params))
    with vault.session(readonly=True) as session:
        raw: Any = session.connection().connection.driver_connection
        return int(raw.execute(sql, params).fetchone()[0])
