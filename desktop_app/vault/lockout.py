"""A growing wait after repeated wrong passphrases, persisted beside the vault.

This slows guessing at the unlock screen of a running device; it cannot slow an offline attacker
(that is what Argon2id is for), so the file holds no secret, only a count and a time. A damaged
file counts as several failures rather than none, so deleting or garbling it does not reset to zero
for free.
"""

from __future__ import annotations

import json
from pathlib import Path

from desktop_app.vault.errors import TooManyAttempts
from desktop_app.vault.keyslots import atomic_write

LOCKOUT_FILE = "lockout.json"
FREE_ATTEMPTS = 3
MAX_DELAY_S = 15 * 60
_DAMAGED_FAILURES = FREE_ATTEMPTS + 1


def delay_after(failures: int) -> float:
    """Seconds to wait after `failures` consecutive wrong passphrases: 0, 0, 0, 2, 4, 8, … 900."""
    if failures < FREE_ATTEMPTS:
        return 0.0
    return float(min(2 ** (failures - FREE_ATTEMPTS + 1), MAX_DELAY_S))


def _write(folder: Path, failures: int, when: float) -> None:
    atomic_write(folder / LOCKOUT_FILE, json.dumps({"failures": failures, "last_failure_at": when}).encode())


def _read(folder: Path, *, now: float) -> tuple[int, float]:
    try:
        data = json.loads((folder / LOCKOUT_FILE).read_text("utf-8"))
        return int(data["failures"]), float(data["last_failure_at"])
    except FileNotFoundError:
        return 0, 0.0
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        # Damaged: count it as a run of failures that just happened, and write that down.
        _write(folder, _DAMAGED_FAILURES, now)
        return _DAMAGED_FAILURES, now


def failures(folder: Path, *, now: float) -> tuple[int, float]:
    """(wrong passphrases in a row, time of the last one): read at a successful sign-in for the audit log."""
    return _read(folder, now=now)


def check(folder: Path, *, now: float) -> None:
    failures, last = _read(folder, now=now)
    wait = last + delay_after(failures) - now
    if failures >= FREE_ATTEMPTS and wait > 0:
        raise TooManyAttempts(wait)


def record_failure(folder: Path, *, now: float) -> float:
    """Count one more failure; return the wait now required before the next attempt."""
    failures, _ = _read(folder, now=now)
    failures += 1
    _write(folder, failures, now)
    return delay_after(failures)


def reset(folder: Path, *, now: float) -> None:
    if _read(folder, now=now)[0]:
        _write(folder, 0, 0.0)
