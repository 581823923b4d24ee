"""Use cases behind the registration list: one page of rows, counts for the status bar.

Returns plain `RegistrationRow` values (no database objects), so the UI's item model never holds a
session or a table row. Runs on the UI's database thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.services import access, forms
from desktop_app.vault import registrations as store
from desktop_app.vault.vault import Vault


@dataclass(frozen=True)
class RegistrationRow:
    record_id: str
    title: str
    sex: str
    age: int | None
    nationality: str
    form_id: str
    form_version: str
    status: str  # draft | finalized
    sync_state: str  # local | queued | sent | acknowledged | conflict
    updated_at: str  # ISO 8601, UTC
    form_title: str = ""  # the installed form's title ("English / Français"); "" when the form is not installed
    files_missing: int = 0  # files the record names that have not arrived on this laptop yet (incomplete)

    @property
    def short_id(self) -> str:
        # Enough to tell records apart on screen and read out over the phone.
        return self.record_id.replace("-", "")[:8].upper()


@dataclass(frozen=True)
class ListCounts:
    total: int
    unsynced: int
    incomplete: int = 0  # records whose files have not all arrived
    drafts: int = 0  # drafts kept on this laptop until finalized (never sent before; not in `unsynced`)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _row(summary: store.RegistrationSummary, titles: dict[tuple[str, str], str] | None = None,
         missing: dict[str, int] | None = None) -> RegistrationRow:
    titles = titles or {}
    return RegistrationRow(
        record_id=summary.id,
        title=_text(summary.title),
        sex=_text(summary.sex),
        age=summary.age,
        nationality=_text(summary.nationality),
        form_id=summary.form_id,
        form_version=_text(summary.form_version),
        status=summary.status,
        sync_state=_text(summary.sync_state),
        updated_at=_text(summary.updated_at),
        form_title=titles.get((summary.form_id, _text(summary.form_version)), titles.get((summary.form_id, ""), "")),
        files_missing=(missing or {}).get(summary.id, 0),
    )


def list_page(vault: Vault, *, offset: int, limit: int, search: str | None = None) -> list[RegistrationRow]:
    """Newest change first; `search` matches the name (title) column. Only what the signed-in person may see
    (desktop_app/services/access.py): a field-staff user never gets a trafficking case, even as a count."""
    search = (search or "").strip() or None
    seen = access.visibility(vault)
    if seen.nothing:
        return []
    summaries = store.page_registrations(vault, offset=offset, limit=limit, search=search, visible=seen.rows)
    titles = _form_titles(vault) if summaries else {}
    missing = store.files_missing(vault, [s.id for s in summaries]) if summaries else {}
    return [_row(s, titles, missing) for s in summaries]


def _form_titles(vault: Vault) -> dict[tuple[str, str], str]:
    """(form id, version) → title, and (form id, "") → the latest version's title (a record pulled before its
    own version was installed still shows which form it is)."""
    titles: dict[tuple[str, str], str] = {}
    for form in forms.list_installed_forms(vault):  # ordered by form id, then installation time
        titles[(form.form_id, form.version)] = form.title
        titles[(form.form_id, "")] = form.title
    return titles


def list_counts(vault: Vault) -> ListCounts:
    """The status bar's counts, of what the signed-in person may see."""
    seen = access.visibility(vault)
    if seen.nothing:
        return ListCounts(0, 0)
    return ListCounts(total=store.count_registrations(vault, visible=seen.rows),
                      unsynced=store.count_unsynced(vault, visible=seen.rows),
                      incomplete=store.count_incomplete(vault, visible=seen.rows),
                      drafts=store.count_drafts_kept_here(vault, visible=seen.rows))


def sync_counts_seen(vault: Vault) -> dict[str, int]:
    """Every count `sync --status` gives of records, of those the signed-in person may see (as the status bar's):
    `unsynced` (the status bar's "not yet synced"), `drafts_kept_here` (drafts that stay here until finalized: a
    colleague's draft counts only for someone whose list shows it), `incomplete` (records whose files have not all
    arrived), `open_conflicts`, `rejected` and `not_sendable` (what sync left to look at). On a laptop shared across
    centres a count of every record would tell a field worker that another centre's records are here (and in
    conflict, refused, ...)."""
    seen = access.visibility(vault)
    if seen.nothing:
        return dict.fromkeys(("unsynced", "drafts_kept_here", "incomplete", "open_conflicts", "rejected",
                              "not_sendable"), 0)
    attention = store.count_sync_attention(vault, visible=seen.rows)
    return {"unsynced": store.count_unsynced(vault, visible=seen.rows),
            "drafts_kept_here": store.count_drafts_kept_here(vault, visible=seen.rows),
            "incomplete": store.count_incomplete(vault, visible=seen.rows),
            "open_conflicts": attention.open_conflicts, "rejected": attention.rejected,
            "not_sendable": attention.not_sendable}
