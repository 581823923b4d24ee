"""Use cases around sync that the UI and the CLI call: enrol, sync now, status, probe the server.

The algorithm lives in desktop_app.sync.engine as steps; here the steps get what only the services layer may
combine: the records' form store (forms the server distributes are checked by our engine, then installed).
`enrol_steps`/`sync_steps` return the step generators for the app's two-thread driver; `enrol`/`sync_now` run
them inline for the CLI and tests.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from desktop_app.records import form_store
from desktop_app.records.schema import form_schema
from desktop_app.services import access, desk, forms, places, registrations
from desktop_app.sync import engine, errors, files, store
from desktop_app.sync.engine import SyncProgress, SyncSummary
from desktop_app.sync.transport import RetryPolicy, ServerConnection, check_server_url
from desktop_app.vault import Vault
from desktop_app.vault.errors import PermissionDenied, VaultError
from desktop_app.vault.registrations import file_unsent_here
from waypoint_core.protocol import PublishedForm
from waypoint_core.xform import FormDefinition, FormError

EnrolCentreRefused = access.EnrolCentreRefused  # the interface words it (ui/sync_messages.py)

__all__ = ["SyncProgress", "SyncSummary", "enrol", "enrol_steps", "sync_now", "sync_steps", "sync_status",
           "probe", "describe", "installed_forms",
           "after_enrolment", "install_published_form", "PermissionDenied", "EnrolCentreRefused", "check_server_url",
           "RetryPolicy", "errors"]


def installed_forms(vault: Vault) -> set[tuple[str, str]]:
    return form_store.installed_versions(vault)


def install_published_form(vault: Vault, published: PublishedForm) -> None:
    """A server-published form: signed by the pinned key (checked by the transport), hash-checked, loadable."""
    if hashlib.sha256(published.xform.encode("utf-8")).hexdigest() != published.sha256:
        raise errors.BadServerAnswer(f"form {published.form_id} {published.version}: content does not match its hash")
    try:
        definition = FormDefinition.from_xml(published.xform)
    except FormError as error:
        raise errors.ServerRefused(200, "form_unusable",
                                   f"form {published.form_id} {published.version} cannot be loaded: {error}") from error
    # The rules a form installed by hand must pass (services/forms.validate_xform): a question everyone sees may not
    # read a P3 answer, or its label, value or the record's title would show that answer, unsealed, to everyone.
    # The server stores what its administrator publishes without them, and this is how most laptops get forms.
    leaks = forms.sensitive_leaks(definition, form_schema(published.xform))
    if leaks:
        raise errors.ServerRefused(200, "form_unusable",
                                   f"form {published.form_id} {published.version} is refused: {'; '.join(leaks)}")
    # The organisation published it: every role receives it (installing by hand stays coordinator-only).
    form_store.install_form(vault, xform=published.xform, source_name=f"server {published.form_id} "
                            f"{published.version}", check_role=False)


def enrol_steps(*, server_url: str, code: str, ca_bundle: str | None = None, device_name: str = "Waypoint laptop",
                connect: Callable[..., ServerConnection] = ServerConnection, again: bool = False):
    check_server_url(server_url)  # refused before anything else, even before the vault is asked

    def steps():
        # Enrolment decides the laptop's centre and binds its records to a server: managing the device
        # (access.check_enrol: the manage-devices right, audited), asked before anything is sent.
        yield engine.Local(lambda vault: access.check_enrol(vault, again=again))
        # The code's centre is known once the server answers: one the person's grant does not cover is refused
        # then (access.check_enrol_centre, audited), before the enrolment is kept and anything is pulled.
        return (yield from engine.enrol_run(
            server_url=server_url, code=code, ca_bundle=ca_bundle, device_name=device_name, connect=connect,
            again=again, accept=lambda vault, answer: access.check_enrol_centre(
                vault, centre_id=answer.centre_id, centre_name=answer.centre_name)))

    return steps()


def describe(exc: BaseException) -> str | None:
    """The sentence to show for an expected failure (sync or vault), or None for a bug."""
    return str(exc) if isinstance(exc, (errors.SyncError, VaultError)) else None


def sync_steps(*, connect: Callable[..., ServerConnection] = ServerConnection, batch_size: int = 500,
               progress: Callable[[SyncProgress], None] | None = None,
               cancelled: Callable[[], bool] = lambda: False):
    return engine.sync_run(connect=connect, batch_size=batch_size, installed_forms=installed_forms,
                           install_form=install_published_form, progress=progress, cancelled=cancelled,
                           centre_code=places.centre_code,
                           review=engine.ReviewDesk(wanted=desk.wants_server_conflicts,
                                                    store=desk.store_server_conflicts_of_run))


def enrol(vault: Vault, *, server_url: str, code: str, ca_bundle: str | None = None,
          device_name: str = "Waypoint laptop", connect: Callable[..., ServerConnection] = ServerConnection,
          again: bool = False) -> dict:
    """Enrol this laptop; `again` replaces an enrolment, keeping the records and every unsent change."""
    result = engine.run_inline(enrol_steps(server_url=server_url, code=code, ca_bundle=ca_bundle,
                                           device_name=device_name, connect=connect, again=again), vault=vault)
    after_enrolment(vault, result)
    return result


def after_enrolment(vault: Vault, result: dict) -> None:
    """The enrolment's centre becomes this laptop's: new records start with it (services.places), and those made here
    before and not yet on the server are filed under it, where the server will hold them (docs/access.md)."""
    places.take_place_from_enrolment(vault, result.get("centre") or "")
    file_unsent_here(vault)


def sync_now(vault: Vault, *, connect: Callable[..., ServerConnection] = ServerConnection, batch_size: int = 500,
             progress: Callable[[SyncProgress], None] | None = None) -> SyncSummary:
    return engine.run_inline(sync_steps(connect=connect, batch_size=batch_size, progress=progress), vault=vault)


def sync_status(vault: Vault) -> dict[str, Any]:
    """store.status, `incomplete`: records that name files this laptop does not hold yet, and `drafts_kept_here`:
    drafts that never sync until finalized, of those the signed-in person may see (as the status bar says them:
    `unsynced` 0 is not "everything is sent" while a draft is only here). `unsynced` too counts what the person may
    see, as the status bar's "not yet synced" does: on a laptop shared across centres a count of every record would
    tell a field worker that another centre's records wait here. Those who manage the laptop (the manage-devices
    right: administrators, coordinators), who decide whether it may be wiped, enrolled again or handed over, also get
    `unsynced_on_laptop`: every record not yet on the server, whoever may see it."""
    status = store.status(vault)
    laptop = status["unsynced"]
    status = {**status, "unsynced": registrations.unsynced_seen(vault), "incomplete": files.incomplete(vault),
              "drafts_kept_here": registrations.drafts_kept_here(vault)}
    if access.may_manage_devices(vault.roles):
        status["unsynced_on_laptop"] = laptop
    return status


def set_ca_bundle(vault: Vault, path: str | None) -> None:
    store.set_ca_bundle(vault, path)


def probe(server_url: str, *, ca_bundle: str | None = None, timeout_s: float = 10.0) -> bool:
    """Is the server reachable right now? Network only (no vault): safe on the network pool."""
    connection = ServerConnection(server_url, ca_bundle=ca_bundle, timeout_s=timeout_s)
    try:
        connection.health()
        return True
    except errors.SyncError:
        return False
    finally:
        connection.close()
