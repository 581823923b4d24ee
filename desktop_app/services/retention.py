"""Use cases of the retention period: set it (administrators), apply it now, say what it purged and when.

The app applies it after each unlock on its database thread (desktop_app/ui/tasks.py) and `waypoint purge` applies
it from the command line; both come here. What is purged, and how, is desktop_app/records/retention.py; the period
is the laptop's policy (desktop_app/vault/policy.py), so a coordinator's machine can keep data longer than a field
laptop. No Qt here.
"""

from __future__ import annotations

from datetime import datetime

from desktop_app.records import retention
from desktop_app.records.retention import LastPurge, Purge
from desktop_app.services import access
from desktop_app.vault import policy
from desktop_app.vault.vault import Vault


def retention_days(vault: Vault) -> int | None:
    """The period on this laptop, in days after the server acknowledged a record (None: no limit)."""
    return policy.read(vault).retention_days


def set_retention_days(vault: Vault, days: int | None) -> int | None:
    """Administrators only (the vault checks the signed role); returns the period now in force."""
    return policy.set_retention_days(vault, days).retention_days


def apply_retention(vault: Vault, *, now: datetime | None = None) -> Purge:
    """Purge, in one transaction, the identifying data of every record whose period has passed. `now` moves the
    clock (tests, and a laptop whose clock an administrator knows to be behind)."""
    access.check_apply_retention(vault)
    return retention.purge_due(vault, now=now)


def last_purge(vault: Vault) -> LastPurge | None:
    """The latest run that purged records here (when, how many), for the app's notice and `waypoint purge`."""
    return retention.last_purge(vault)


__all__ = ["LastPurge", "Purge", "apply_retention", "last_purge", "retention_days", "set_retention_days"]
