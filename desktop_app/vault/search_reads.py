"""Reading the search index (tables of migration 0009, written only by writer/search.py): the look-ups a search
makes, the profiles it ranks, the summary lines it shows. Every query keeps to the rows a person may see
(`Visible`, decided by desktop_app/services/access.py) and to live registrations."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from desktop_app.vault.registrations import EVERYTHING, Visible
from desktop_app.vault.sql import chunks, in_list
from desktop_app.vault.vault import Vault


@dataclass(frozen=True)
class Summary:
    """What a result line shows besides the reasons: the summary columns, never the content."""

    id: str
    form_id: str
    status: str
    title: str | None
    sex: str | None
    age: int | None
    nationality: str | None
    centre: str | None
    registered_on: str | None


def _visible_join(visible: Visible, params: dict[str, Any]) -> str:
    if visible == EVERYTHING:
        return " JOIN registration r ON r.id = s.record_id AND r.deleted = 0"
    return " JOIN registration r ON r.id = s.record_id AND r.deleted = 0" + visible.where(params, "r.")


def key_hits(vault: Vault, keys: Iterable[str], ranges: Iterable[tuple[str, str]], *,
             visible: Visible = EVERYTHING) -> list[tuple[str, str]]:
    """(key, record id) rows for exact keys and key ranges [low, high), among records `visible`."""
    found: list[tuple[str, str]] = []
    with vault.session(readonly=True) as session:
        conn = session.connection()
        for part in chunks(sorted(keys)):
            marks, params = in_list(part)
            sql = "SELECT s.key, s.record_id FROM search_key s" + _visible_join(visible, params) + \
                  f" WHERE s.key IN ({marks})"
            found += [(row[0], row[1]) for row in conn.execute(text(sql), params)]
        for low, high in ranges:
            params = {"low": low, "high": high}
            sql = "SELECT s.key, s.record_id FROM search_key s" + _visible_join(visible, params) + \
                  " WHERE s.key >= :low AND s.key < :high LIMIT 5000"
            found += [(row[0], row[1]) for row in conn.execute(text(sql), params)]
    return found


def profiles(vault: Vault, record_ids: Iterable[str]) -> dict[str, str]:
    """record id → stored profile JSON."""
    found: dict[str, str] = {}
    with vault.session(readonly=True) as session:
        conn = session.connection()
        for part in chunks(list(record_ids)):
            marks, params = in_list(part)
            for row in conn.execute(text(f"SELECT record_id, profile FROM search_profile WHERE record_id IN ({marks})"),
                                    params):
                found[row[0]] = row[1]
    return found


def filtered(vault: Vault, filters: dict[str, frozenset[str]], *, age: tuple[int, int] | None, limit: int,
             visible: Visible = EVERYTHING) -> dict[str, str]:
    """Profiles of the newest indexed registrations whose summary columns pass `filters` (nationality, centre,
    status, sex) and `age` (low, high): a query with no name, number or date."""
    params: dict[str, Any] = {"limit": int(limit)}
    where = ""
    for n, (column, values) in enumerate(sorted(filters.items())):
        if column not in ("nationality", "centre", "status", "sex"):
            continue
        marks, named = in_list(sorted(values), prefix=f"f{n}_")
        params.update(named)
        where += f" AND r.{column} IN ({marks})"
    if age is not None:
        params.update(age_low=age[0], age_high=age[1])
        where += " AND r.age BETWEEN :age_low AND :age_high"
    sql = ("SELECT s.record_id, s.profile FROM search_profile s" + _visible_join(visible, params) + " WHERE 1"
           + where + " ORDER BY r.updated_at DESC LIMIT :limit")
    with vault.session(readonly=True) as session:
        return {row[0]: row[1] for row in session.connection().execute(text(sql), params)}


def summaries(vault: Vault, record_ids: Iterable[str]) -> dict[str, Summary]:
    found: dict[str, Summary] = {}
    with vault.session(readonly=True) as session:
        conn = session.connection()
        for part in chunks(list(record_ids)):
            marks, params = in_list(part)
            for row in conn.execute(text(
                    "SELECT id, form_id, status, title, sex, age, nationality, centre, registered_on FROM registration "
                    f"WHERE deleted = 0 AND id IN ({marks})"), params):
                found[row[0]] = Summary(*row)
    return found


def index_size(vault: Vault) -> tuple[int, int]:
    """(profiles, keys) held: for tests and the benchmark."""
    with vault.session(readonly=True) as session:
        conn = session.connection()
        people = int(conn.execute(text("SELECT count(*) FROM search_profile")).scalar_one())
        keys = int(conn.execute(text("SELECT count(*) FROM search_key")).scalar_one())
    return people, keys
