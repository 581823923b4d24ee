"""One translated sentence for each way enrolment or sync can fail, as staff read it in the status bar and
the enrolment dialog. The sync layer's own messages are English sentences for logs and the CLI; the app shows
these instead, in the person's language, looked up when shown (so a language switch applies at once).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from desktop_app.services import sync as sync_service

errors = sync_service.errors


def sync_error_text(exc: BaseException) -> str:
    """The sentence for an enrolment or sync failure (a bug gets a plain sentence naming its kind)."""
    if isinstance(exc, errors.InsecureServerUrl):
        return QCoreApplication.translate(
            "SyncMessages", "The server address must start with https:// (plain http:// only to this computer), "
                   "e.g. https://sync.example.org.")
    if isinstance(exc, errors.UntrustedCertificate):
        return QCoreApplication.translate(
            "SyncMessages", "The server's certificate is not trusted; nothing was sent. If your organisation uses its own "
                   "certificate authority, choose its CA bundle.")
    if isinstance(exc, errors.GaveUp):
        return QCoreApplication.translate(
            "SyncMessages", "The server stayed unreachable. Registrations stay queued and go at the next sync.")
    if isinstance(exc, errors.ServerUnreachable):
        return QCoreApplication.translate(
            "SyncMessages", "The server could not be reached. Check the network; registrations stay queued.")
    if isinstance(exc, (errors.ServerBusy, errors.BadServerAnswer)):
        return QCoreApplication.translate(
            "SyncMessages", "The server had a problem answering. Try again later; registrations stay queued.")
    if isinstance(exc, errors.NotEnrolled):
        return not_enrolled_text(can_enrol=False)
    if isinstance(exc, errors.AlreadyEnrolled):
        return QCoreApplication.translate(
            "SyncMessages", "This laptop is already enrolled for sync.")
    if isinstance(exc, errors.RemoteLock):
        return QCoreApplication.translate(
            "SyncMessages", "A coordinator locked this laptop remotely. Sign in again to continue.")
    if isinstance(exc, errors.RemoteWipe):
        return QCoreApplication.translate(
            "SyncMessages", "A coordinator ordered this laptop wiped: its vault is erased and it can no longer "
                            "synchronise.")
    if isinstance(exc, errors.DeviceRevoked):
        return QCoreApplication.translate(
            "SyncMessages", "The administrator revoked this laptop: the server takes nothing more from it. Nothing "
                            "entered on it is lost: its registrations and unsent changes stay in its vault. Ask the "
                            "administrator for a new enrolment code and enrol this laptop again (Registrations → Enrol "
                            "this laptop again…): they are kept and sent then.")
    if isinstance(exc, errors.DeviceUnknown):
        return QCoreApplication.translate(
            "SyncMessages", "The server does not know this laptop (it was restored from an older backup, or rebuilt). "
                   "Its registrations are kept and counted as not synced. Ask the administrator for a new enrolment "
                   "code and enrol this laptop again.")
    if isinstance(exc, errors.ServerKeyChanged):
        return QCoreApplication.translate(
            "SyncMessages", "The server's key changed without proof from the key this laptop trusts; nothing was sent. "
                   "Ask the administrator: if the server's keys were replaced, enrol this laptop again with a new "
                   "code (its registrations and unsent changes are kept).")
    if isinstance(exc, errors.ServerRestored):
        return QCoreApplication.translate(
            "SyncMessages", "The server was restored from a backup. This laptop sends again what the server lost "
                   "at the next sync; registrations stay queued.")
    if isinstance(exc, errors.AlteredChange):
        return QCoreApplication.translate(
            "SyncMessages", "A record from the server does not match its version: the server's copy was altered or "
                   "damaged. Nothing of it was stored on this laptop; tell your administrator.")
    if isinstance(exc, errors.ClockAhead):
        return QCoreApplication.translate(
            "SyncMessages", "The server refused changes stamped ahead of its clock; they go again at the next sync. "
                   "Check this laptop's date and time.")
    if isinstance(exc, errors.DeviceCloned):
        return QCoreApplication.translate(
            "SyncMessages", "This laptop's vault is also in use on another computer (it was copied), and both sent "
                   "changes as the same laptop. Nothing was lost. Ask the administrator for a new enrolment code and "
                   "enrol this laptop again: its registrations and unsent changes are kept and sent then.")
    if isinstance(exc, errors.SequenceUnfillable):
        return QCoreApplication.translate(
            "SyncMessages", "The server expects changes from this laptop that it no longer holds under those numbers "
                   "(was the server restored after this vault was copied?). Nothing was lost. Ask the administrator "
                   "for a new enrolment code and enrol this laptop again: its registrations and unsent changes are "
                   "kept and sent then.")
    if isinstance(exc, errors.ServerRefused):
        return _refused_text(exc)
    if isinstance(exc, sync_service.EnrolCentreRefused):
        return QCoreApplication.translate(
            "SyncMessages", "This enrolment code is for %1, and your role covers %2 only: this laptop was not "
                            "enrolled and nothing was taken from the server. The code is used up. Ask for a code of "
                            "your own centre, or have an administrator of that centre enrol the laptop.").replace(
            "%1", exc.code_centre).replace("%2", exc.granted_centre)
    if isinstance(exc, sync_service.PermissionDenied):
        return QCoreApplication.translate(
            "SyncMessages", "Only an administrator or a coordinator can enrol this laptop.")
    detail = sync_service.describe(exc)
    return detail or QCoreApplication.translate(
     "SyncMessages", "Synchronisation stopped: %1").replace("%1", type(exc).__name__)


def _refused_text(exc) -> str:
    said = str(exc).lower()
    if exc.error == "bad_code":
        if "expired" in said:
            return QCoreApplication.translate(
                "SyncMessages", "This enrolment code has expired. Ask the administrator for a new one.")
        if "already been used" in said:
            return QCoreApplication.translate(
                "SyncMessages", "This enrolment code has already been used. Ask the administrator for a new one.")
        return QCoreApplication.translate(
            "SyncMessages", "This enrolment code is not known. Check it, or ask the administrator for a new one.")
    return QCoreApplication.translate(
        "SyncMessages", "The server refused the request (%1).").replace("%1", f"{exc.status} {exc.error}")


def not_enrolled_text(*, can_enrol: bool) -> str:
    if can_enrol:
        return QCoreApplication.translate(
            "SyncMessages", "This laptop is not enrolled for sync yet: Registrations → Enrol this laptop for sync…")
    return QCoreApplication.translate(
        "SyncMessages", "This laptop is not enrolled for sync yet. An administrator or coordinator enrols it "
               "(Registrations → Enrol this laptop for sync…).")
