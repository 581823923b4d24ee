"""The coordinator's review desk: conflicts, duplicate candidates across centres, rejected operations.

Every use case first asks services/access.py (`check_review`: coordinators, over their region), so a hidden menu is
never the only guard, and lists show only records the person may view. The work itself is the records layer's
(desktop_app/records/review.py); decisions are written through the vault's one writer as new versions that sync.
No Qt here: the UI runs the database parts on its database thread and `find_candidates` (pure CPU) off it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from desktop_app.records import review
from desktop_app.records.form_store import FormNotInstalled, get_form_xform
from desktop_app.records.review import (
    CandidateRow,
    ConflictDetail,
    ConflictRow,
    Decision,
    PairDetail,
    ReviewError,
    SHOWN_ANSWERS,
    advice_for,
    short_id,
)
from desktop_app.records.schema import extract_fields, form_schema, parse_instance
from desktop_app.services import access
from desktop_app.sync import store
from desktop_app.sync.errors import NotEnrolled
from desktop_app.sync.transport import ServerConnection
from desktop_app.vault.vault import Vault
from waypoint_core.protocol.review_messages import ServerConflict
from waypoint_core.registry.matching import DuplicateCandidate
from waypoint_core.registry.person import Profile

__all__ = ["CandidateRow", "ConflictDetail", "ConflictRow", "Decision", "NotEnrolled", "PairDetail", "ReviewError",
           "SHOWN_ANSWERS", "ServerConnection", "advice_for",
           "short_id"]


def may_review(roles: tuple[str, ...]) -> bool:
    """Whether these roles open the desk at all (for showing the menu; each use case checks again)."""
    return access.roles_allow(roles, "review", "registration")


def _seen(vault: Vault):
    access.check_review(vault)
    return access.visibility(vault).rows


# --- conflicts and rejected operations ---------------------------------------------------------------------------

def count_conflicts(vault: Vault, *, rejected: bool = False) -> int:
    return review.count_conflicts(vault, rejected=rejected, visible=_seen(vault))


def conflicts_page(vault: Vault, *, offset: int, limit: int, rejected: bool = False) -> list[ConflictRow]:
    return review.page_conflicts(vault, offset=offset, limit=limit, rejected=rejected, visible=_seen(vault))


def conflict(vault: Vault, conflict_id: str, *, language: str = "en") -> ConflictDetail:
    """One conflict answer by answer, questions named by their labels in `language` (the interface's)."""
    access.check_review(vault)
    return review.conflict_detail(vault, conflict_id, language=language)


def resolve_conflict(vault: Vault, conflict_id: str, *, keep: str, edits: dict[str, str] | None = None) -> int:
    """Keep this laptop's side or the server's, possibly edited; a new version of the record that syncs."""
    access.check_review(vault)

    def extract(form_id: str, form_version: str, content: str) -> dict[str, Any]:
        try:
            xform = get_form_xform(vault, form_id, form_version)
        except FormNotInstalled as error:
            raise LookupError(str(error)) from error
        return dict(extract_fields(form_schema(xform), parse_instance(content)))

    return review.resolve_conflict(vault, conflict_id, keep=keep, edits=edits, extract=extract)


# --- conflicts the server decided between other devices (GET /v2/conflicts) --------------------------------------

MAX_SERVER_PAGES = 1000  # 100 conflicts a page: far beyond any region's open conflicts


def open_server_conflicts(vault: Vault, *, connect: Callable[..., ServerConnection] = ServerConnection
                          ) -> tuple[ServerConnection, str]:
    """(a connection to the server as this laptop, this laptop's device id), on the database thread: checked."""
    access.check_review(vault)
    c = store.load_credentials(vault)
    connection = c.open_with(connect)
    return connection, c.device_id or ""


def fetch_server_conflicts(connection: ServerConnection, *, page_size: int = 100) -> list[ServerConflict]:
    """Every open conflict the server lists for this laptop, page after page (network thread; the server checks
    the laptop's review right and region again)."""
    found: list[ServerConflict] = []
    after = ""
    for _ in range(MAX_SERVER_PAGES):
        page = connection.with_retries(lambda: connection.conflicts(after=after, limit=page_size))
        found += page.conflicts
        if not page.has_more:
            break
        after = page.next_cursor
    return found


def store_server_conflicts(vault: Vault, conflicts: list[ServerConflict], *, device_id: str) -> tuple[int, int]:
    """Into the desk's conflict list (database thread): (added, closed because decided elsewhere)."""
    access.check_review(vault)
    return review.store_server_conflicts(vault, conflicts, device_id=device_id)


def refresh_server_conflicts(vault: Vault, *, connect: Callable[..., ServerConnection] = ServerConnection
                             ) -> tuple[int, int]:
    """The three steps in one call (the command line and tests; the app runs them on their threads)."""
    connection, device_id = open_server_conflicts(vault, connect=connect)
    try:
        found = fetch_server_conflicts(connection)
    finally:
        connection.close()
    return store_server_conflicts(vault, found, device_id=device_id)


def wants_server_conflicts(vault: Vault) -> bool:
    """During Sync now (engine.ReviewDesk): fetch the server's conflicts only when the signed-in person reviews."""
    return access.reviews(vault)


def store_server_conflicts_of_run(vault: Vault, conflicts: list[ServerConflict], device_id: str) -> tuple[int, int]:
    """What a sync run fetched, stored as the desk's fetch stores it; asked again without a log entry (the run is
    recorded itself)."""
    if not access.reviews(vault):
        return 0, 0
    return review.store_server_conflicts(vault, conflicts, device_id=device_id)


def review_rejected(vault: Vault, conflict_id: str) -> None:
    access.check_review(vault)
    review.review_rejected(vault, conflict_id)


# --- duplicates ----------------------------------------------------------------------------------------------------

def load_people(vault: Vault, *, progress: Callable[[int, int], None] | None = None,
                cancelled: Callable[[], bool] | None = None) -> tuple[list[Profile], list[tuple[str, str]]]:
    """Step 1 of a candidate generation (database): consenting people, and the pairs already decided."""
    seen = _seen(vault)
    people = review.load_people(vault, progress=progress, cancelled=cancelled, visible=seen)
    decided = [(a, b) for a, b in (tuple(sorted(pair)) for pair in review.decided_pairs(vault))]
    return people, decided


def find_candidates(people: list[Profile], decided: list[tuple[str, str]], *,
                    progress: Callable[[int, int], None] | None = None) -> list[DuplicateCandidate]:
    """Step 2 (pure CPU, no vault): blocked, scored pairs."""
    return review.find_candidates(people, excluded=decided, progress=progress)


def store_candidates(vault: Vault, found: list[DuplicateCandidate]) -> int:
    """Step 3 (database): the list the desk pages through."""
    access.check_review(vault)
    return review.store_candidates(vault, found)


def count_candidates(vault: Vault) -> int:
    access.check_review(vault)
    return review.count_candidates(vault)


def candidates_page(vault: Vault, *, offset: int, limit: int) -> list[CandidateRow]:
    return review.page_candidates(vault, offset=offset, limit=limit, visible=_seen(vault))


def pair(vault: Vault, a: str, b: str) -> PairDetail:
    access.check_review(vault)
    return review.pair_detail(vault, a, b)


def merge(vault: Vault, *, kept: str, merged: str, reasons: str = "") -> str:
    access.check_review(vault)
    return review.merge(vault, kept=kept, merged=merged, reasons=reasons)


def not_same(vault: Vault, a: str, b: str, *, reasons: str = "") -> str:
    access.check_review(vault)
    return review.mark_not_same(vault, a, b, reasons=reasons)


def undo(vault: Vault, decision_id: str) -> int:
    access.check_review(vault)
    return review.undo(vault, decision_id)


def decisions_page(vault: Vault, *, offset: int, limit: int) -> list[Decision]:
    access.check_review(vault)
    return review.list_decisions(vault, offset=offset, limit=limit)


def titles(vault: Vault, record_ids: list[str]) -> dict[str, str]:
    """Names of people a decision names (for its line in the list)."""
    access.check_review(vault)
    return review.titles(vault, record_ids)
