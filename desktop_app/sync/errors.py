"""Every way enrolment or sync can fail. `str(error)` is one sentence an administrator can act on.

None of these carries record content, keys or codes. `transient` errors are retried with backoff; the others
stop the run at once (retrying a refused certificate or a revoked device would only hide the problem).
"""

from __future__ import annotations


class SyncError(Exception):
    message = "Synchronisation failed."
    transient = False

    def __init__(self, detail: str | None = None):
        self.detail = detail
        super().__init__(self.message if not detail else f"{self.message} ({detail})")


class InsecureServerUrl(SyncError):
    message = "Refused: the server address must start with https:// (plain http:// only for this computer)."


class UntrustedCertificate(SyncError):
    message = ("The server's TLS certificate is not trusted; nothing was sent. If your organisation uses its own "
               "certificate authority, configure its CA bundle (--ca-bundle).")


class ServerUnreachable(SyncError):
    message = "The server could not be reached."
    transient = True


class ServerBusy(SyncError):
    message = "The server had a problem answering; try again later."
    transient = True


class BadServerAnswer(SyncError):
    """Truncated body, wrong shape, or a signature that does not match the pinned key."""

    message = "The server's answer was damaged or not signed by the pinned server key."
    transient = True


class AlteredChange(SyncError):
    """A pulled change whose content does not match its version hash (waypoint_core.protocol.version_hash): the
    server's copy of the record was altered or damaged after that version was made, or the server hands out content
    that is not the version it names. Not retried (the same page would come again); nothing of the page is applied
    and the cursor stays before it. The detail names the record and the change, never their content."""

    message = ("A record pulled from the server does not match its version hash: the server's copy was altered or "
               "damaged. Nothing of that page was applied; tell your administrator.")


class NotEnrolled(SyncError):
    message = "This device is not enrolled with a server yet: run 'waypoint enrol --server URL --code CODE'."


class AlreadyEnrolled(SyncError):
    message = ("This device is already enrolled with a server. To enrol it again with a new code (its records and "
               "unsent changes are kept), use 'waypoint enrol --again'.")


class DeviceRevoked(SyncError):
    """The server refuses this laptop for good (its administrator revoked it). Not retried. Nothing is lost: the
    outbox stays queued, and enrolling again with a new code (store.save_enrolment) keeps it and sends it.
    `french`: the same sentence in French, for the CLI (the app translates its own, ui/sync_messages.py)."""

    message = ("The administrator revoked this laptop: the server takes nothing more from it. Nothing entered on it is "
               "lost: its records and unsent changes stay in its vault. Ask your administrator for a new enrolment "
               "code and run 'waypoint enrol --again': they are kept and sent then.")
    french = ("L'administrateur a révoqué cet ordinateur : le serveur n'en accepte plus rien. Rien de ce qui y a été "
              "saisi n'est perdu : ses enregistrements et ses modifications non envoyées restent dans son coffre. "
              "Demandez un nouveau code d'inscription à votre administrateur et lancez 'waypoint enrol --again' : "
              "ils sont conservés et envoyés alors.")


class DeviceUnknown(SyncError):
    """The server does not know this laptop (401 `unknown device`): its database was put back to a time before this
    laptop was enrolled, without the journal that keeps enrolments (or the server was rebuilt). Not retried. What this
    laptop sent may not be on the server: until a run gets through again, its records count as not synced
    (store.status). `french`: the same sentence in French, for the CLI."""

    message = ("The server does not know this laptop (it was restored from a backup older than this laptop's "
               "enrolment, or rebuilt). Its records are kept and counted as not synced until they are on the server "
               "again. Ask your administrator for a new enrolment code and run 'waypoint enrol --again'.")
    french = ("Le serveur ne connaît pas cet ordinateur (il a été restauré depuis une sauvegarde antérieure à "
              "l'inscription de cet ordinateur, ou reconstruit). Ses enregistrements sont conservés et comptés comme "
              "non synchronisés jusqu'à ce qu'ils soient de nouveau sur le serveur. Demandez un nouveau code "
              "d'inscription à votre administrateur et lancez 'waypoint enrol --again'.")


class ServerRefused(SyncError):
    """A 4xx answer that is not a network problem: enrolment code refused, credentials refused, bad batch."""

    message = "The server refused the request."

    def __init__(self, status: int, error: str, text: str):
        self.status, self.error = status, error
        super().__init__(f"HTTP {status} {error}: {text}")


class OutsideScope(ServerRefused):
    """The server refused (signed 403 `outside_scope`) what this laptop's people may not view: indicators of a centre
    or region beyond their rights."""

    message = "The server refused: that scope is outside what this laptop's people may view."

    def __init__(self, text: str):
        super().__init__(403, "outside_scope", text)


class UnknownScope(ServerRefused):
    """The server knows no centre or region of that name (signed 404 `unknown_scope`)."""

    message = "The server knows no centre or region of that name."

    def __init__(self, text: str):
        super().__init__(404, "unknown_scope", text)


class GaveUp(SyncError):
    message = "The server stayed unreachable; the outbox is kept and will be sent at the next sync."
    transient = True


class ServerKeyChanged(SyncError):
    """The server signs with a key this laptop never pinned, and no rotation signed by the pinned key leads to it."""

    message = ("The server's key changed without proof from the key this laptop trusts (the server was rebuilt, or "
               "this is not our server). Nothing was sent. Ask your administrator: if the server's keys were "
               "replaced, enrol this laptop again with a new code ('waypoint enrol --again'); its records and unsent "
               "changes are kept.")


class ServerRestored(SyncError):
    """The server's database went back in time (restored from a backup): this laptop must reconcile."""

    message = ("The server was restored from a backup: this laptop sends again what the server lost and pulls "
               "again what it lacks.")

    def __init__(self, error: str, epoch: str | None):
        self.error, self.epoch = error, epoch
        super().__init__(error)


class ClockAhead(SyncError):
    """The server refused a batch whose clock values run ahead of its own time; nothing was stored."""

    message = "The server refused changes stamped ahead of its clock; they are stamped again from the server's time."

    def __init__(self, expected_seq: int):
        self.expected_seq = expected_seq
        super().__init__(f"from device_seq {expected_seq}")


class SequenceReused(ServerRefused):
    """The server holds other operations at some of this batch's sequence numbers (the vault was put back from an
    older copy after later ops had reached the server); nothing was stored. `reused_from`: the first such seq when
    the server found the batch shaped as a restore leaves it (else None), `high_water_mark`: the server's."""

    message = ("The server holds other changes under this laptop's numbers (was the vault put back from an older "
               "copy?); nothing was stored.")

    def __init__(self, text: str, *, reused_from: int | None, high_water_mark: int):
        self.reused_from, self.high_water_mark = reused_from, high_water_mark
        super().__init__(409, "sequence_reused", text)


class SequenceUnfillable(ServerRefused):
    """The server expects this laptop's changes from a number it asked for once already in this run, and the laptop
    sent what it holds from there without closing the gap: it holds nothing more under those numbers (typically a
    vault copied or put back, then a server restored, so the server's memory of this device went back to before the
    copy). Not retried: sending again would only repeat the refusal. This laptop must enrol again as a new device
    with a new code, which keeps its records and unsent changes (store.save_enrolment). `french`: for the CLI."""

    message = ("The server expects changes from this laptop that it no longer holds under those numbers (was the "
               "server restored after this vault was copied or put back?). Nothing was lost here and nothing more "
               "was sent. Ask your administrator for a new enrolment code and run 'waypoint enrol --again': this "
               "laptop's records and unsent changes are kept and sent then.")
    french = ("Le serveur attend de cet ordinateur des modifications qu'il ne détient plus sous ces numéros (le "
              "serveur a-t-il été restauré après que ce coffre a été copié ou remis en place ?). Rien n'est perdu ici "
              "et rien de plus n'a été envoyé. Demandez un nouveau code d'inscription à votre administrateur et "
              "lancez 'waypoint enrol --again' : les enregistrements et les modifications non envoyées de cet "
              "ordinateur sont conservés et envoyés alors.")

    def __init__(self, expected_seq: int):
        self.expected_seq = expected_seq
        super().__init__(409, "sequence_gap", f"the server still expects device_seq {expected_seq}")

    def __str__(self) -> str:
        return self.message


class DeviceCloned(ServerRefused):
    """The server refused (signed 409 `device_cloned`, nothing stored): this vault is one of two live copies (a disk
    image, a backup put onto a second laptop) that both sent changes as the same device. Not retried; this copy must
    enrol again as a new device with a new code, which keeps its records and unsent changes (store.save_enrolment).
    `french`: the same sentence in French, for the CLI (the app translates its own, ui/sync_messages.py)."""

    message = ("This laptop's vault is also in use on another computer (it was copied), and both sent changes as "
               "the same device. Nothing was lost and nothing more was sent. Ask your administrator for a new "
               "enrolment code and run 'waypoint enrol --again': this laptop's records and unsent changes are kept "
               "and sent then.")
    french = ("Le coffre de cet ordinateur est aussi utilisé sur un autre ordinateur (il a été copié), et les deux "
              "ont envoyé des modifications comme le même appareil. Rien n'est perdu et rien de plus n'a été envoyé. "
              "Demandez un nouveau code d'inscription à votre administrateur et lancez 'waypoint enrol --again' : "
              "les enregistrements et les modifications non envoyées de cet ordinateur sont conservés et envoyés "
              "alors.")

    def __init__(self, text: str = ""):
        super().__init__(409, "device_cloned", text)

    def __str__(self) -> str:  # what to do, not the server's HTTP wording (the detail keeps that)
        return self.message


class RateLimited(SyncError):
    message = "The server asked this laptop to wait before trying again."
    transient = True

    def __init__(self, retry_after_s: int):
        self.retry_after_s = retry_after_s
        super().__init__(f"{retry_after_s} s")


class DeviceOrdered(ServerRefused):
    """The server refused a request (signed 409 `device_order`) because a coordinator gave this laptop a lock or wipe
    order: a sync run then asks for the order (GET /v2/order) and carries it out, wherever in the run it came.
    Outside a run (a server page, a courier) it is the refusal it always was."""

    def __init__(self, text: str = "a coordinator gave this device an order: ask for it and carry it out first"):
        super().__init__(409, "device_order", text)


class RemoteLock(SyncError):
    """A coordinator ordered this laptop locked (it was reported lost): the vault was closed and the server told."""

    message = "A coordinator locked this laptop remotely. Sign in again to continue."


class RemoteWipe(SyncError):
    """A coordinator ordered this laptop wiped: the vault is erased and the device's key revoked."""

    message = "A coordinator ordered this laptop wiped: its vault is erased and it can no longer synchronise."
