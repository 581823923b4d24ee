"""One readable sentence for each reason a vault could not be opened or created.

The sentences are marked with QT_TRANSLATE_NOOP (so lupdate finds them) and translated when shown,
so a language switch applies to the next message at once.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from desktop_app.services.session import Failure, Problem
from desktop_app.ui.security_passphrase import refusal_text

_TEXTS = {
    Problem.WRONG_CREDENTIALS: QT_TRANSLATE_NOOP(
        "Messages",
        "The username or passphrase is not right. Check the keyboard language and Caps Lock, then try again.",
    ),
    Problem.WRONG_RECOVERY_CODE: QT_TRANSLATE_NOOP(
        "Messages", "This recovery code is not right. Check each group of letters and try again."
    ),
    Problem.TAMPERED: QT_TRANSLATE_NOOP(
        "Messages",
        "The vault files have been changed outside Waypoint and cannot be trusted. "
        "Nothing was opened or changed. Contact your administrator.",
    ),
    Problem.NOT_A_VAULT: QT_TRANSLATE_NOOP(
        "Messages",
        "The database file in this folder is not a Waypoint vault: it is empty or has no vault identity. "
        "Nothing was opened or changed. Contact your administrator.",
    ),
    Problem.FOREIGN_DATABASE: QT_TRANSLATE_NOOP(
        "Messages",
        "The database file in this folder belongs to another vault, not to this folder's keys. "
        "Nothing was opened or changed. Contact your administrator.",
    ),
    Problem.ROLE_NOT_GRANTED: QT_TRANSLATE_NOOP(
        "Messages",
        "This user's role was not given by an administrator: the vault's key file was edited. "
        "Nothing was opened or changed. Contact your administrator.",
    ),
    Problem.NOT_CONFIRMED: QT_TRANSLATE_NOOP(
        "Messages", "Nothing was erased: type the confirmation word exactly as shown."
    ),
    Problem.WEAK_KDF: QT_TRANSLATE_NOOP(
        "Messages",
        "The vault's protection settings are weaker than Waypoint allows. Nothing was opened. "
        "Contact your administrator.",
    ),
    Problem.SCHEMA_TOO_NEW: QT_TRANSLATE_NOOP(
        "Messages",
        "This vault was made by a newer version of Waypoint. Install the newer version to open it. "
        "Nothing was changed.",
    ),
    Problem.NOT_FOUND: QT_TRANSLATE_NOOP(
        "Messages",
        "No vault was found in this folder. If it is on a USB drive, plug the drive in and try again.",
    ),
    Problem.NOT_WRITABLE: QT_TRANSLATE_NOOP(
        "Messages",
        "Waypoint cannot write to the vault folder. Check that the drive is not read-only and that "
        "you may write there.",
    ),
    Problem.DISK_FULL: QT_TRANSLATE_NOOP("Messages", "The disk is full. Free some space, then try again. Nothing was lost."),
    Problem.ALREADY_EXISTS: QT_TRANSLATE_NOOP(
        "Messages", "There is already a vault in this folder. Open it instead, or choose another folder."
    ),
    Problem.LOCKED: QT_TRANSLATE_NOOP("Messages", "The vault is locked. Unlock it and try again."),
    Problem.NOT_ALLOWED: QT_TRANSLATE_NOOP("Messages", "Your role does not allow this."),
    Problem.INVALID_INPUT: QT_TRANSLATE_NOOP("Messages", "This was not accepted: %1"),
    Problem.UNEXPECTED: QT_TRANSLATE_NOOP(
        "Messages", "Something went wrong and nothing was changed. Details for your administrator: %1"
    ),
}


def failure_text(failure: Failure) -> str:
    if failure.problem is Problem.WEAK_PASSPHRASE:
        return refusal_text(failure.reasons)
    if failure.problem is Problem.TOO_MANY_ATTEMPTS:
        return QCoreApplication.translate(
            "Messages", "Too many wrong attempts. Wait %n second(s), then try again.", "", failure.retry_after_s
        )
    text = QCoreApplication.translate("Messages", _TEXTS[failure.problem])
    return text.replace("%1", failure.detail)
