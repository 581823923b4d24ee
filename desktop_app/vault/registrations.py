"""Registrations in the vault: read, count and page through them; save and delete through the writer.

Every change is made by desktop_app.vault.writer, which writes the outbox row in the same transaction as
the change, so a record is never saved without being queued, nor queued unsaved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, text
from sqlmodel import select

from desktop_app.vault.database import search_fold
from desktop_app.vault.errors import InvalidInput
from desktop_app.vault.models import (CASE_STATUS_FORM, CONSENT_FORM, DECISION_FORM, SYNC_WRITER, Outbox, Registration,
                                      RegistrationField)
from desktop_app.vault.sql import SYNC_COLUMNS, join_sync
from desktop_app.vault.vault import Vault
from desktop_app.vault.writer import RegistrationDraft, write

__all__ = [
    "Registration",
    "RegistrationDraft",
    "RegistrationSummary",
    "save_registration",
    "save_registrations",
    "delete_registration",
    "get_registration",
    "count_registrations",
    "page_registrations",
    "count_unsynced",
    "count_sync_attention",
    "count_run_seen",
    "SyncAttention",
    "count_drafts_kept_here",
]


@dataclass(frozen=True)
class RegistrationSummary:
    """One line of the registration list: the summary columns, never the content."""

    id: str
    form_id: str
    form_version: str
    status: str
    title: str | None
    sex: str | None
    age: int | None
    nationality: str | None
    centre: str | None
    registered_on: str | None
    updated_at: str
    updated_by: str
    sync_state: str
    version: int


def save_registration(
    vault: Vault, *, record_id: str | None = None, form_id: str, form_version: str, status: str,
    content: str, fields: dict[str, str | int | None] | None = None,
) -> Registration:
    """Create or update one registration (queued for sync when it may travel), in one transaction."""
    draft = RegistrationDraft(form_id, form_version, status, content, record_id, dict(fields or {}))
    with write(vault) as w:
        row = w.save([draft])[0]
    return Registration(**row)


def save_registrations(vault: Vault, drafts: list[RegistrationDraft]) -> list[str]:
    """Save many in one transaction (imports, batch entry): all of them or none. Returns their ids."""
    if not drafts:
        return []
    with write(vault) as w:
        rows = w.save(list(drafts))
    return [str(row["id"]) for row in rows]


def file_unsent_here(vault: Vault) -> list[str]:
    """After an enrolment: records made here not yet on the server filed under the laptop's centre, where the server
    will hold them (Writer.file_unsent_here), in one transaction. Their ids."""
    with write(vault) as w:
        return w.file_unsent_here()


def delete_registration(vault: Vault, record_id: str) -> None:
    """Delete a registration and every copy of its data (see Writer.delete), in one transaction."""
    with write(vault) as w:
        w.delete(record_id)


_GET_SQL = "SELECT registration.*, " + ", ".join(f"rs.{c}" for c in SYNC_COLUMNS) + " FROM registration" + join_sync() \
    + " WHERE registration.id = :id"


def get_registration(vault: Vault, record_id: str) -> Registration | None:
    """The registration with its sync columns, or None."""
    with vault.session(readonly=True) as session:
        row = session.connection().execute(text(_GET_SQL), {"id": record_id}).first()
    return None if row is None else Registration(**row._mapping)


def get_registration_fields(vault: Vault, record_id: str) -> dict[str, str | None]:
    with vault.session(readonly=True) as session:
        rows = session.exec(select(RegistrationField).where(RegistrationField.record_id == record_id))
        return {r.name: r.value for r in rows}


@dataclass(frozen=True)
class Visible:
    """Which rows a person may see (desktop_app/services/access.py decides the values): records of one kind only
    (`only_kind`: "registration" or "case"; None: both), created by one user (`created_by`; None: anyone), of one
    centre (`centre`: the record's own `centre` column; a record naming no centre is no centre's, as
    waypoint_core.access.policy.within judges it; None: any centre, those naming none included). A record is a case
    when its form is one of `case_forms` or it carries the extracted field record_kind=case (set where it was made: a
    case pulled before its form was installed here is still a case).

    Every reader of people applies it (`where` in SQL, `allows` row by row): a laptop shared by people of different
    scopes holds records some of them may not see (a coordinator's sync brings the region's)."""

    only_kind: str | None = None
    case_forms: tuple[str, ...] = ()
    created_by: str | None = None
    centre: str | None = None

    def allows(self, *, is_case: bool, created_by: str | None, centre: str | None) -> bool:
        """`where` for one row already read."""
        if self.only_kind is not None and is_case != (self.only_kind == "case"):
            return False
        if self.created_by is not None and created_by != self.created_by:
            return False
        return self.centre is None or centre == self.centre

    def where(self, params: dict[str, Any], table: str = "", *, people_only: bool = True) -> str:
        """`people_only`: leave out review decisions, consent changes and case status changes (records, never
        people); False keeps them, each limited as any record is (by its own centre, creator and kind)."""
        sql = ""
        if people_only:
            params.update(decision_form=DECISION_FORM, consent_form=CONSENT_FORM, case_status_form=CASE_STATUS_FORM)
            sql = f" AND {table}form_id NOT IN (:decision_form, :consent_form, :case_status_form)"
        if self.only_kind is not None:
            names = [f"cf{n}" for n in range(len(self.case_forms))]
            params.update(zip(names, self.case_forms))
            by_form = f"{table}form_id IN ({', '.join(':' + n for n in names)}) OR " if names else ""
            is_case = (f"({by_form}EXISTS (SELECT 1 FROM registration_field k WHERE k.record_id = {table}id "
                       "AND k.name = 'record_kind' AND k.value = 'case'))")
            sql += f" AND {is_case}" if self.only_kind == "case" else f" AND NOT {is_case}"
        if self.created_by is not None:
            params["created_by"] = self.created_by
            sql += f" AND {table}created_by = :created_by"
        if self.centre is not None:
            params["seen_centre"] = self.centre
            sql += f" AND {table}centre = :seen_centre"
        return sql


EVERYTHING = Visible()


def count_registrations(vault: Vault, *, status: str | None = None, include_deleted: bool = False,
                        visible: Visible = EVERYTHING) -> int:
    """How many registrations (live ones unless `include_deleted`) among those `visible`."""
    params: dict[str, Any] = {}
    where = "WHERE 1" if include_deleted else "WHERE deleted = 0"
    if status is not None:
        params["status"] = status
        where += " AND status = :status"
    where += visible.where(params)
    with vault.session(readonly=True) as session:
        return int(session.connection().execute(text("SELECT count(*) FROM registration " + where), params).scalar_one())


_SUMMARY_SQL = (
    "SELECT id, form_id, form_version, status, title, sex, age, nationality, centre, registered_on, "
    "updated_at, updated_by, rs.sync_state, version FROM registration" + join_sync() + " "
)


_SHORT_ID = re.compile(r"[0-9A-Fa-f]{4,8}")


def page_registrations(vault: Vault, *, offset: int, limit: int, search: str | None = None,
                       visible: Visible = EVERYTHING) -> list[RegistrationSummary]:
    """Live registrations, newest change first; `search` matches the title whatever the case, accents and
    apostrophes (database.search_fold: 'traore' finds Traoré, 'ndiaye' N'Diaye), or the start of the record id
    when it looks like the short id the list shows (4 to 8 hex digits).
    `visible` limits the rows to what the person may see (desktop_app/services/access.py).

    Ordered by the covering index (deleted, updated_at DESC, id), so a page is an index range
    read whatever the vault's size; the content column is never read.
    """
    if offset < 0 or limit < 0:
        raise InvalidInput("offset and limit must not be negative")
    params: dict[str, Any] = {"offset": int(offset), "limit": int(limit)}
    where = "WHERE deleted = 0" + visible.where(params)
    if search:
        folded = search_fold(search) or ""
        escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params["pattern"] = f"%{escaped}%"
        # wp_fold is a call into Python for each title read: a search that finds nobody among 100,000 registrations
        # took 0.3 s where the plain LIKE took 0.09 s (2 busy shared cores); one that finds a page stops at it
        matches = "wp_fold(title) LIKE :pattern ESCAPE '\\'"
        if _SHORT_ID.fullmatch(search.strip()):
            where += f" AND ({matches} OR id LIKE :id_prefix)"
            params["id_prefix"] = search.strip().lower() + "%"
        else:
            where += f" AND {matches}"
    sql = text(_SUMMARY_SQL + where + " ORDER BY deleted, updated_at DESC, id LIMIT :limit OFFSET :offset")
    with vault.session(readonly=True) as session:
        rows = session.connection().execute(sql, params).all()
    return [RegistrationSummary(*row) for row in rows]


def files_missing(vault: Vault, record_ids: list[str]) -> dict[str, int]:
    """record_id -> how many files it names that have not arrived on this laptop yet (records missing none: absent)."""
    found: dict[str, int] = {}
    with vault.session(readonly=True) as session:
        conn = session.connection()
        for start in range(0, len(record_ids), 500):
            part = record_ids[start:start + 500]
            marks = ", ".join(f":k{n}" for n in range(len(part)))
            for record_id, missing in conn.execute(text(
                    f"SELECT record_id, count(*) FROM attachment_wanted WHERE record_id IN ({marks}) GROUP BY record_id"),
                    {f"k{n}": record_id for n, record_id in enumerate(part)}).all():
                found[str(record_id)] = int(missing)
    return found


def count_incomplete(vault: Vault, *, visible: Visible = EVERYTHING) -> int:
    """Live registrations naming files that have not arrived on this laptop yet, among those `visible`."""
    params: dict[str, Any] = {}
    sql = ("SELECT count(DISTINCT w.record_id) FROM attachment_wanted w JOIN registration r ON r.id = w.record_id "
           "WHERE r.deleted = 0" + visible.where(params, "r."))
    with vault.session(readonly=True) as session:
        return int(session.connection().execute(text(sql), params).scalar_one())


def count_drafts_kept_here(vault: Vault, *, visible: Visible = EVERYTHING) -> int:
    """Live drafts whose changes stay on this laptop until finalized (sync state 'local': no op, nothing sent;
    a draft shared by the `share_drafts` policy is queued, and counted as not yet synced instead), among those
    `visible`. "0 not yet synced" alone read as "all sent" while a half-done registration was only here."""
    params: dict[str, Any] = {}
    sql = ("SELECT count(*) FROM registration r" + join_sync("r")
           + " WHERE r.deleted = 0 AND r.status = 'draft' AND rs.sync_state = 'local'" + visible.where(params, "r."))
    with vault.session(readonly=True) as session:
        return int(session.connection().execute(text(sql), params).scalar_one())


@dataclass(frozen=True)
class SyncAttention:
    """What sync left for someone to look at, counted over the records a person may see."""

    open_conflicts: int  # conflicts not resolved yet (the desk's conflicts and rejected changes together)
    rejected: int  # changes the server refused (ops, each counted once, kept in the vault)
    not_sendable: int  # changes this laptop cannot send (the protocol cannot carry them): still unsynced


def count_sync_attention(vault: Vault, *, visible: Visible = EVERYTHING) -> SyncAttention:
    """`sync --status`'s open conflicts, rejected and not sendable changes, of the records `visible` only: on a laptop
    shared across centres a count of every record's said that another centre's records are here and in trouble.
    Every record counts by its own centre, creator and kind, consent changes and review decisions too (a consent
    change that cannot be sent needs its maker's eye as much as a registration)."""
    params: dict[str, Any] = {}
    seen = visible.where(params, "r.", people_only=False)
    with vault.session(readonly=True) as session:
        conn = session.connection()

        def count(sql: str) -> int:
            return int(conn.execute(text(sql + seen), params).scalar_one())

        return SyncAttention(
            open_conflicts=count("SELECT count(*) FROM conflict c JOIN registration r ON r.id = c.record_id "
                                 "WHERE c.resolved_at IS NULL"),
            rejected=count("SELECT count(*) FROM outbox o JOIN registration r ON r.id = o.record_id "
                           "WHERE o.result LIKE '%\"rejected\"%'"),
            not_sendable=count("SELECT count(*) FROM outbox o INDEXED BY ix_outbox_queued JOIN registration r "
                               "ON r.id = o.record_id WHERE o.device_seq IS NULL AND o.acked_at IS NULL "
                               "AND o.result IS NOT NULL"))


def count_run_seen(vault: Vault, *, since: str, visible: Visible = EVERYTHING) -> tuple[int, int, int]:
    """(received, conflicts, rejected) of a sync run that began at `since` (utc_now, the clock the writer stamps
    with), of the records `visible` only: registrations the run wrote from the server's (updated by the sync writer
    since then, deletions too), conflicts it opened (not refusals, counted apart; not the server's conflicts between
    other devices, fetched for the review desk), changes the server refused (acknowledged since then as rejected; a
    change this laptop cannot send is no server's refusal and is never acknowledged). The run's summary counts the
    whole laptop's."""
    params: dict[str, Any] = {"since": since, "sync_writer": SYNC_WRITER}
    seen = visible.where(params, "r.", people_only=False)
    with vault.session(readonly=True) as session:
        conn = session.connection()

        def count(sql: str) -> int:
            return int(conn.execute(text(sql + seen), params).scalar_one())

        return (count("SELECT count(*) FROM registration r WHERE r.updated_by = :sync_writer "
                      "AND r.updated_at >= :since"),
                count("SELECT count(*) FROM conflict c JOIN registration r ON r.id = c.record_id "
                      "WHERE c.opened_at >= :since AND c.server_id IS NULL "
                      "AND json_extract(c.remote, '$.rejected') IS NULL"),
                count("SELECT count(*) FROM outbox o JOIN registration r ON r.id = o.record_id "
                      "WHERE o.acked_at >= :since AND o.result LIKE '%\"rejected\"%'"))


def count_unsynced(vault: Vault, *, visible: Visible = EVERYTHING) -> int:
    """Registrations with a change the server has not acknowledged yet (a record edited twice counts once),
    among those `visible`. While the server refuses this laptop as unknown (sync/store.py UNKNOWN_TO_SERVER), every
    record it sent counts: the server may have lost them."""
    params: dict[str, Any] = {}
    with vault.session(readonly=True) as session:
        conn = session.connection()
        unknown = conn.execute(text("SELECT value FROM sync_state WHERE key = 'unknown_to_server'")).scalar()
        if visible == EVERYTHING:
            counted = select(func.count(func.distinct(Outbox.record_id)))
            return int(session.exec(counted if unknown else counted.where(Outbox.acked_at == None)).one())  # noqa: E711
        sql = ("SELECT count(DISTINCT o.record_id) FROM outbox o JOIN registration r ON r.id = o.record_id WHERE "
               + ("1 = 1" if unknown else "o.acked_at IS NULL") + visible.where(params, "r."))
        return int(conn.execute(text(sql), params).scalar_one())
