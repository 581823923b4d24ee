"""What an administrator decides for this laptop, kept inside the encrypted vault (table `meta`, keys `policy.*`).

- `retention_days`: how long identifying data stays on this laptop after the server acknowledged a record (None:
  no limit). A field laptop may keep days; a coordinator's machine may keep longer or have no limit. Applied by
  desktop_app.services.retention.
- `share_drafts`: whether drafts travel to the server. Off by default: a draft stays on the laptop that made it
  until it is finalized.
Only an administrator changes them (`PermissionDenied` otherwise); everyone reads them.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.vault.errors import InvalidInput, PermissionDenied
from desktop_app.vault.sql import Db, text
from desktop_app.vault.vault import ADMINISTRATOR, Vault

RETENTION_DAYS = "policy.retention_days"
SHARE_DRAFTS = "policy.share_drafts"
MAX_RETENTION_DAYS = 36500


@dataclass(frozen=True)
class Policy:
    retention_days: int | None = None
    share_drafts: bool = False


def read_db(db: Db) -> Policy:
    values = dict(db.execute(text("SELECT key, value FROM meta WHERE key LIKE 'policy.%'")).all())
    days = values.get(RETENTION_DAYS)
    return Policy(retention_days=int(days) if days not in (None, "") else None,
                  share_drafts=values.get(SHARE_DRAFTS) == "1")


def read(vault: Vault) -> Policy:
    with vault.session(readonly=True) as session:
        return read_db(Db.of(session))


_UNCHANGED = object()


def update(vault: Vault, *, retention_days: int | None | object = _UNCHANGED,
           share_drafts: bool | object = _UNCHANGED) -> Policy:
    """Change what is given (retention_days=None removes the limit); administrators only."""
    if vault.user.role != ADMINISTRATOR:
        raise PermissionDenied("only an administrator sets the laptop's policies")
    changes: dict[str, str] = {}
    if retention_days is not _UNCHANGED:
        if retention_days is None:
            changes[RETENTION_DAYS] = ""
        elif isinstance(retention_days, int) and not isinstance(retention_days, bool) \
                and 0 <= retention_days <= MAX_RETENTION_DAYS:
            changes[RETENTION_DAYS] = str(retention_days)
        else:
            raise InvalidInput(f"the retention period is a whole number of days from 0 to {MAX_RETENTION_DAYS}")
    if share_drafts is not _UNCHANGED:
        if not isinstance(share_drafts, bool):
            raise InvalidInput("share_drafts is yes or no")
        changes[SHARE_DRAFTS] = "1" if share_drafts else "0"
    with vault.session() as session:
        db = Db.of(session)
        db.execute(text("INSERT INTO meta (key, value) VALUES (:k, :v) ON CONFLICT (key) DO UPDATE SET value = "
                        "excluded.value"), [{"k": k, "v": v} for k, v in changes.items()])
        return read_db(db)
