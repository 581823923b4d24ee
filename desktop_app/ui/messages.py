"""One readable sentence for each reason a vault could not be opened or created."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from desktop_app.services.session import Failure, Problem


def failure_text(failure: Failure) -> str:
    p = failure.problem
    t = QCoreApplication.translate
    if p is Problem.WRONG_CREDENTIALS:
        return t("Messages", "The username or passphrase is not right. Check the keyboard language and Caps Lock, then try again.")
    if p is Problem.WRONG_RECOVERY_CODE:
        return t("Messages", "This recovery code is not right. Check each group of letters and try again.")
    if p is Problem.TOO_MANY_ATTEMPTS:
        return t("Messages", "Too many wrong attempts. Wait %n second(s), then try again.", "", failure.retry_after_s)
    if p is Problem.TAMPERED:
        return t("Messages", "The vault files have been changed outside Waypoint and cannot be trusted. Nothing was opened or changed. Contact your administrator.")
    if p is Problem.WEAK_KDF:
        return t("Messages", "The vault's protection settings are weaker than Waypoint allows. Nothing was opened. Contact your administrator.")
    if p is Problem.SCHEMA_TOO_NEW:
        return t("Messages", "This vault was made by a newer version of Waypoint. Install the newer version to open it. Nothing was changed.")
    if p is Problem.NOT_FOUND:
        return t("Messages", "No vault was found in this folder. If it is on a USB drive, plug the drive in and try again.")
    if p is Problem.NOT_WRITABLE:
        return t("Messages", "Waypoint cannot write to the vault folder. Check that the drive is not read-only and that you may write there.")
    if p is Problem.DISK_FULL:
        return t("Messages", "The disk is full. Free some space, then try again. Nothing was lost.")
    if p is Problem.ALREADY_EXISTS:
        return t("Messages", "There is already a vault in this folder. Open it instead, or choose another folder.")
    if p is Problem.LOCKED:
        return t("Messages", "The vault is locked. Unlock it and try again.")
    if p is Problem.INVALID_INPUT:
        return t("Messages", "This was not accepted: %1").replace("%1", failure.detail)
    if p is Problem.NOT_ALLOWED:
        return t("Messages", "Your role does not allow this.")
    return t("Messages", "Something went wrong and nothing was changed. Details for your administrator: %1").replace(
        "%1", failure.detail
    )
