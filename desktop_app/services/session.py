"""Use cases around opening and closing the vault: first-run creation, unlock, recovery, lock.

Thin wrappers over `desktop_app.vault` that return plain results and turn every vault error into
a `Failure` with a `Problem` kind, so the UI can show one clear, translated sentence per kind and
never a traceback. No Qt here; the UI runs these on its database thread.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from desktop_app.vault import errors, passphrases
from desktop_app.vault.checks import CheckStopped
from desktop_app.vault.erase import ErasedFiles, confirmation_matches
from desktop_app.vault.passphrases import Assessment, Reason
from desktop_app.vault.vault import Vault

MIN_PASSPHRASE_LENGTH = passphrases.MIN_LENGTH



class Problem(enum.Enum):
    """Why opening or creating a vault failed, in the words the screen will use."""

    WRONG_CREDENTIALS = "wrong_credentials"  # wrong passphrase OR unknown user: never say which
    WRONG_RECOVERY_CODE = "wrong_recovery_code"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    TAMPERED = "tampered"  # the key file or a database page fails its check
    NOT_A_VAULT = "not_a_vault"  # an empty database file, or one without a vault's identity
    FOREIGN_DATABASE = "foreign_database"  # another vault's database in this folder
    ROLE_NOT_GRANTED = "role_not_granted"  # a role no administrator granted (the key file was edited)
    WEAK_PASSPHRASE = "weak_passphrase"  # the passphrase rules refused it; `reasons` says why
    NOT_CONFIRMED = "not_confirmed"  # an erase without the confirmation word
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
    reasons: tuple[Reason, ...] = ()  # only for WEAK_PASSPHRASE


@dataclass(frozen=True)
class SignedInUser:
    username: str
    role: str  # the slot's label: "field_staff" | "case_worker" | "coordinator" | "administrator" | "recovery"
    roles: tuple[str, ...] = ()  # every role an administrator granted (the rights: waypoint_core.access.policy)
    must_change_passphrase: bool = False  # reset by an administrator: choose a new passphrase before anything else
    is_recovery: bool = False  # signed in with the recovery code: set a named person's new passphrase next


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


# Most specific first: WeakPassphrase is an InvalidInput, NotAVault and the like are VaultErrors.
_PROBLEM_BY_ERROR: list[tuple[type[errors.VaultError], Problem]] = [
    (errors.WrongPassphrase, Problem.WRONG_CREDENTIALS),
    (errors.UnknownUser, Problem.WRONG_CREDENTIALS),
    (errors.TooManyAttempts, Problem.TOO_MANY_ATTEMPTS),
    (errors.TamperedKeySlots, Problem.TAMPERED),
    (errors.TamperedDatabase, Problem.TAMPERED),
    (errors.NotAVault, Problem.NOT_A_VAULT),
    (errors.ForeignDatabase, Problem.FOREIGN_DATABASE),
    (errors.RoleNotGranted, Problem.ROLE_NOT_GRANTED),
    (errors.WeakKdfParameters, Problem.WEAK_KDF),
    (errors.SchemaTooNew, Problem.SCHEMA_TOO_NEW),
    (errors.VaultNotFound, Problem.NOT_FOUND),
    (errors.VaultFolderNotWritable, Problem.NOT_WRITABLE),
    (errors.DiskFull, Problem.DISK_FULL),
    (errors.VaultExists, Problem.ALREADY_EXISTS),
    (errors.VaultLocked, Problem.LOCKED),
    (errors.PermissionDenied, Problem.NOT_ALLOWED),
    (errors.WeakPassphrase, Problem.WEAK_PASSPHRASE),
    (errors.InvalidInput, Problem.INVALID_INPUT),
]


class NotConfirmed(Exception):
    """An erase was asked for without typing the confirmation word."""


def classify(exc: BaseException, *, recovery: bool = False) -> Failure:
    """Map any exception from the vault to a Failure the UI can explain.

    `recovery=True` when the secret was the recovery code, so the message can say so.
    """
    if isinstance(exc, NotConfirmed):
        return Failure(Problem.NOT_CONFIRMED)
    for cls, problem in _PROBLEM_BY_ERROR:
        if isinstance(exc, cls):
            if recovery and problem is Problem.WRONG_CREDENTIALS:
                problem = Problem.WRONG_RECOVERY_CODE
            retry = 0
            if isinstance(exc, errors.TooManyAttempts):
                retry = max(1, math.ceil(float(exc.retry_after_s or 1)))
            reasons = exc.assessment.reasons if isinstance(exc, errors.WeakPassphrase) else ()
            detail = exc.detail if problem is Problem.INVALID_INPUT else None
            return Failure(problem, retry, str(detail or exc), reasons)
    if isinstance(exc, PermissionError):
        return Failure(Problem.NOT_WRITABLE, 0, str(exc))
    if isinstance(exc, OSError) and getattr(exc, "errno", None) == 28:  # ENOSPC
        return Failure(Problem.DISK_FULL, 0, str(exc))
    return Failure(Problem.UNEXPECTED, 0, f"{type(exc).__name__}: {exc}")


def vault_exists(path: Path) -> bool:
    return Vault.exists(path)


def _user_of(vault: Vault) -> SignedInUser:
    user = vault.user
    return SignedInUser(username=str(user.username), role=str(user.role), roles=tuple(vault.roles),
                        must_change_passphrase=vault.must_change_passphrase, is_recovery=vault.is_recovery)


def create_vault(
    path: Path, *, admin_username: str, admin_passphrase: str, kdf_profile: str = "production"
) -> CreatedVault:
    """Create the vault and its first administrator; the vault comes back open."""
    vault, recovery_code = Vault.create(
        path, admin_username=admin_username, admin_passphrase=admin_passphrase, kdf_profile=kdf_profile
    )
    return CreatedVault(vault=vault, user=_user_of(vault), recovery_code=recovery_code)


def unlock(path: Path, *, username: str, passphrase: str, progress: Callable[[int, int], None] | None = None
           ) -> OpenVault:
    """`progress(done, steps)`: the schema's migrations, when this vault's is older (minutes on a large vault)."""
    vault = Vault.unlock(path, username=username, passphrase=passphrase, progress=progress)
    return OpenVault(vault=vault, user=_user_of(vault))


def unlock_with_recovery(path: Path, *, recovery_code: str, progress: Callable[[int, int], None] | None = None
                         ) -> OpenVault:
    vault = Vault.unlock_with_recovery(path, recovery_code=recovery_code, progress=progress)
    return OpenVault(vault=vault, user=_user_of(vault))


def lock(vault: Vault) -> None:
    """Close the database and drop the key. Safe to call twice."""
    if vault.is_open:
        vault.close()


def assess_passphrase(passphrase: str, *, username: str = "") -> Assessment:
    """The vault's own rule (desktop_app/vault/passphrases.py), for a live hint while typing."""
    return passphrases.assess(passphrase, context=(username,) if username else ())


def suggest_passphrase(language: str) -> str:
    """Six random words from the list of `language` ("en" or "fr"; English otherwise)."""
    return passphrases.generate(language if language in passphrases.LANGUAGES else "en")


# --- integrity and the emergency erase ----------------------------------------------------------


def check_integrity(vault: Vault, *, should_stop: Callable[[], bool] | None = None) -> list[str] | None:
    """Every page of the database read and checked: what is wrong, or nothing; None if stopped part-way.

    Seconds on a large vault (bench/bench_vault.py): `should_stop` lets a lock end it at once."""
    try:
        return vault.check_pages(should_stop=should_stop)
    except CheckStopped:
        return None


def erase_confirmed(word: str) -> bool:
    """Whether `word` is the confirmation an erase needs (ERASE or EFFACER, any case)."""
    return confirmation_matches(word)


def erase_open_vault(vault: Vault, *, confirmation: str) -> ErasedFiles:
    """Erase the vault the signed-in user holds (administrators; others if the policy allows)."""
    if not confirmation_matches(confirmation):
        raise NotConfirmed()
    return vault.erase()


def erase_vault(path: Path, *, username: str, passphrase: str, confirmation: str) -> ErasedFiles:
    """Erase from the sign-in screen: the person proves who they are, then the vault is destroyed."""
    if not confirmation_matches(confirmation):
        raise NotConfirmed()
    vault = Vault.unlock(path, username=username, passphrase=passphrase)
    try:
        return vault.erase()
    finally:
        vault.close()
