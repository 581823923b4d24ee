"""What an administrator decides for this laptop, kept inside the encrypted vault (table `meta`, keys `policy.*`).

- `retention_days`: how long identifying data stay on this laptop after the server acknowledged a record (None:
  no limit). A field laptop may keep days; a coordinator's machine may keep longer or have no limit. Applied by
  desktop_app.services.retention; set here (`set_retention_days`, administrators only).
- `share_drafts`: whether drafts travel to the server; off by default, so a draft stays on the laptop that made
  it until it is finalized. A yes/no policy like the others: `Vault.set_policy(POLICY_SHARE_DRAFTS, ...)`.
Everyone reads them; the writer reads them inside its transaction (`read_db`).
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.vault.errors import InvalidInput, PermissionDenied
from desktop_app.vault.sql import Db, text
from desktop_app.vault.vault import POLICY_SHARE_DRAFTS, Vault

RETENTION_DAYS = "policy.retention_days"
MAX_RETENTION_DAYS = 36500


@dataclass(frozen=True)
class Policy:
    retention_days: int | None = None
    share_drafts: bool = False


def read_db(db: Db) -> Policy:
    values = dict(db.execute(text("SELECT key, value FROM meta WHERE key IN (:r, :s)"),
                             {"r": RETENTION_DAYS, "s": POLICY_SHARE_DRAFTS}).all())
    days = values.get(RETENTION_DAYS)
    return Policy(retention_days=int(days) if days else None, share_drafts=values.get(POLICY_SHARE_DRAFTS) == "1")


def read(vault: Vault) -> Policy:
    with vault.session(readonly=True) as session:
        return read_db(Db.of(session))


def set_retention_days(vault: Vault, days: int | None) -> Policy:
    """The retention period of identifying data on this laptop, in days (None: no limit); administrators only."""
    if not vault.grant.is_administrator:  # the role an administrator signed, checked at unlock
        raise PermissionDenied("only an administrator sets the retention period")
    if days is not None and (isinstance(days, bool) or not isinstance(days, int)
                             or not 0 <= days <= MAX_RETENTION_DAYS):
        raise InvalidInput(f"the retention period is a whole number of days from 0 to {MAX_RETENTION_DAYS}")
    with vault.session() as session:
        db = Db.of(session)
        db.execute(text("INSERT INTO meta (key, value) VALUES (:k, :v) ON CONFLICT (key) DO UPDATE SET "
                        "value = excluded.value"), {"k": RETENTION_DAYS, "v": "" if days is None else str(days)})
        return read_db(db)
