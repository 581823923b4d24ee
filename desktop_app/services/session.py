"""Use cases around opening and closing the vault: first-run creation, unlock, recovery, lock.

Thin wrappers over `desktop_app.vault` that return plain results and turn every vault error into
a `Failure` with a `Problem` kind, so the UI can show one clear, translated sentence per kind and
never a traceback. No Qt here; the UI runs these on its database thread.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from pathlib import Path

from desktop_app.vault import errors
from desktop_app.vault.vault import Vault

MIN_PASSPHRASE_LENGTH = 10


class Problem(enum.Enum):
    """Why opening or creating a vault failed, in the words the screen will use."""

    WRONG_CREDENTIALS = "wrong_credentials"  # wrong passphrase OR unknown user: never say which
    WRONG_RECOVERY_CODE = "wrong_recovery_code"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    TAMPERED = "tampered"
    WEAK_KDF = "weak_kdf"
    SCHEMA_TOO_NEW = "schema_too_new"
    NOT_FOUND = "not_found"
    NOT_WRITABLE = "not_writable"
    DISK_FULL = "disk_full"
    ALREADY_EXISTS = "already_exists"
    LOCKED = "locked"
    NOT_ALLOWED = "not_allowed"
    INVALID_INPUT = "invalid_input"  # the vault refused a value (its message says which)
    UNEXPECTED = "unexpected"


@dataclass(frozen=True)
class Failure:
    problem: Problem
    retry_after_s: int = 0  # only for TOO_MANY_ATTEMPTS
    detail: str = ""  # the vault's own message, for the log and the "details" line


@dataclass(frozen=True)
class SignedInUser:
    username: str
    role: str  # "field_staff" | "coordinator" | "administrator" | "recovery"


@dataclass(frozen=True)
class OpenVault:
    """An unlocked vault and who opened it. The vault object is only handed back to services."""

    vault: Vault
    user: SignedInUser


@dataclass(frozen=True)
class CreatedVault:
    vault: Vault
    user: SignedInUser
    recovery_code: str  # shown once, then dropped by the caller


_PROBLEM_BY_ERROR: list[tuple[str, Problem]] = [
    ("WrongPassphrase", Problem.WRONG_CREDENTIALS),
    ("UnknownUser", Problem.WRONG_CREDENTIALS),
    ("WrongRecoveryCode", Problem.WRONG_RECOVERY_CODE),
    ("TooManyAttempts", Problem.TOO_MANY_ATTEMPTS),
    ("TamperedKeySlots", Problem.TAMPERED),
    ("TamperedDatabase", Problem.TAMPERED),
    ("WeakKdfParameters", Problem.WEAK_KDF),
    ("SchemaTooNew", Problem.SCHEMA_TOO_NEW),
    ("VaultNotFound", Problem.NOT_FOUND),
    ("VaultFolderNotWritable", Problem.NOT_WRITABLE),
    ("DiskFull", Problem.DISK_FULL),
    ("VaultExists", Problem.ALREADY_EXISTS),
    ("VaultLocked", Problem.LOCKED),
    ("PermissionDenied", Problem.NOT_ALLOWED),
    ("InvalidInput", Problem.INVALID_INPUT),
]


def classify(exc: BaseException, *, recovery: bool = False) -> Failure:
    """Map any exception from the vault to a Failure the UI can explain.

    `recovery=True` when the secret was the recovery code, so the message can say so.
    """
    for name, problem in _PROBLEM_BY_ERROR:
        cls = getattr(errors, name, None)
        if cls is not None and isinstance(exc, cls):
            if recovery and problem is Problem.WRONG_CREDENTIALS:
                problem = Problem.WRONG_RECOVERY_CODE
            retry = 0
            if problem is Problem.TOO_MANY_ATTEMPTS:
                retry = max(1, math.ceil(float(getattr(exc, "retry_after_s", 1) or 1)))
            detail = getattr(exc, "detail", None) if problem is Problem.INVALID_INPUT else None
            return Failure(problem, retry, str(detail or exc))
    if isinstance(exc, PermissionError):
        return Failure(Problem.NOT_WRITABLE, 0, str(exc))
    if isinstance(exc, OSError) and getattr(exc, "errno", None) == 28:  # ENOSPC
        return Failure(Problem.DISK_FULL, 0, str(exc))
    return Failure(Problem.UNEXPECTED, 0, f"{type(exc).__name__}: {exc}")


def vault_exists(path: Path) -> bool:
    return Vault.exists(path)


def _user_of(vault: Vault) -> SignedInUser:
    user = vault.user
    return SignedInUser(username=str(user.username), role=str(user.role))


def create_vault(
    path: Path, *, admin_username: str, admin_passphrase: str, kdf_profile: str = "production"
) -> CreatedVault:
    """Create the vault and its first administrator; the vault comes back open."""
    vault, recovery_code = Vault.create(
        path, admin_username=admin_username, admin_passphrase=admin_passphrase, kdf_profile=kdf_profile
    )
    return CreatedVault(vault=vault, user=_user_of(vault), recovery_code=recovery_code)


def unlock(path: Path, *, username: str, passphrase: str) -> OpenVault:
    vault = Vault.unlock(path, username=username, passphrase=passphrase)
    return OpenVault(vault=vault, user=_user_of(vault))


def unlock_with_recovery(path: Path, *, recovery_code: str) -> OpenVault:
    vault = Vault.unlock_with_recovery(path, recovery_code=recovery_code)
    return OpenVault(vault=vault, user=_user_of(vault))


def lock(vault: Vault) -> None:
    """Close the database and drop the key. Safe to call twice."""
    if vault.is_open:
        vault.close()


class Strength(enum.IntEnum):
    TOO_SHORT = 0
    WEAK = 1
    FAIR = 2
    STRONG = 3


def passphrase_strength(passphrase: str) -> Strength:
    """A plain hint for the setup screen: length matters most; several words beat symbols."""
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        return Strength.TOO_SHORT
    words = [w for w in passphrase.split() if w]
    classes = sum(
        [
            any(c.islower() for c in passphrase),
            any(c.isupper() for c in passphrase),
            any(c.isdigit() for c in passphrase),
            any(not c.isalnum() for c in passphrase),
        ]
    )
    if len(set(passphrase)) <= 3:
        return Strength.WEAK
    if len(passphrase) >= 20 or len(words) >= 4 or (len(passphrase) >= 14 and classes >= 3):
        return Strength.STRONG
    if len(passphrase) >= 12 or classes >= 3:
        return Strength.FAIR
    return Strength.WEAK
