"""Every way opening or writing the vault can fail, each its own class.

The UI and the CLI show `str(error)`: one plain sentence an administrator can act on. The UI may
translate by class (each class's `message` is the English source text). None of these errors
carries a passphrase, a key or record content.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop_app.vault.passphrases import Assessment


class VaultError(Exception):
    message = "The vault could not be used."

    def __init__(self, detail: str | None = None) -> None:
        self.detail = detail
        super().__init__(self.message if not detail else f"{self.message} ({detail})")


class WrongPassphrase(VaultError):
    message = "Wrong user name or passphrase."


class UnknownUser(VaultError):
    message = "No such user in this vault."


class TooManyAttempts(VaultError):
    message = "Too many wrong passphrases; wait before trying again."

    def __init__(self, retry_after_s: float) -> None:
        self.retry_after_s = retry_after_s
        super().__init__(f"try again in {max(1, round(retry_after_s))} s")


class TamperedKeySlots(VaultError):
    message = "The vault's key file has been damaged or altered; the vault was not opened."


class TamperedDatabase(VaultError):
    message = (
        "The vault's database is damaged or was altered outside Waypoint (an encrypted page fails its "
        "check); Waypoint stopped there and wrote nothing."
    )


class NotAVault(VaultError):
    message = (
        "The database file in this folder is not a Waypoint vault (it is empty or has no vault identity); "
        "it was not opened, migrated or changed."
    )


class ForeignDatabase(VaultError):
    message = (
        "The database file belongs to another vault, not to this folder's key file; "
        "it was not opened, migrated or changed."
    )


class RoleNotGranted(VaultError):
    message = (
        "This user's role was not granted by an administrator (the key file was edited); "
        "the vault was not opened and nothing was changed."
    )


class WeakKdfParameters(VaultError):
    message = "A key slot uses key-derivation settings weaker than allowed; the vault was not opened."


class SchemaTooNew(VaultError):
    message = "This vault was written by a newer version of Waypoint; update Waypoint to open it."


class MigrationFailed(VaultError):
    message = "Updating the vault's database failed; the failed step changed nothing (a backup was made first)."


class VaultNotFound(VaultError):
    message = "No vault at this location."


class VaultExists(VaultError):
    message = "A vault already exists at this location."


class VaultFolderNotWritable(VaultError):
    message = "The vault folder cannot be written to (read-only or no permission)."


class DiskFull(VaultError):
    message = "The disk is full; nothing was saved. Free some space and try again."


class VaultLocked(VaultError):
    message = "The vault is locked; unlock it first."


class PermissionDenied(VaultError):
    message = "Your role does not allow this."


class InvalidInput(VaultError):
    message = "Invalid input."


class RegistrationDeleted(InvalidInput):
    """A save on a registration that was deleted: it stays deleted (a save never brings a deleted person back)."""

    message = "This registration was deleted; saving cannot bring it back."


class RegistrationPurged(InvalidInput):
    """A save on a registration whose identifying data the retention period removed from this laptop: refused,
    so a form left open never writes the removed data back (a purge is not undone by an autosave)."""

    message = ("The identifying data of this registration were removed from this laptop (retention period); it can "
               "no longer be edited here.")


class RegistrationGone(InvalidInput):
    """A deletion of a registration this vault no longer holds: deleted already (a draft that never travelled leaves
    no row), or never here."""

    message = "This registration is not in this vault: it was deleted already, or was never here."


class WeakPassphrase(InvalidInput):
    """The passphrase fails the rules of desktop_app.vault.passphrases; `assessment.reasons` says why."""

    message = "This passphrase is too easy to guess."

    def __init__(self, assessment: Assessment) -> None:
        self.assessment = assessment
        super().__init__(", ".join(reason.value.replace("_", " ") for reason in assessment.reasons))
