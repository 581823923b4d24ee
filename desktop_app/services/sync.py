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
from desktop_app.sync import engine, errors, store
from desktop_app.sync.engine import SyncProgress, SyncSummary
from desktop_app.sync.transport import RetryPolicy, ServerConnection, check_server_url
from desktop_app.vault import Vault
from desktop_app.vault.errors import PermissionDenied, VaultError
from desktop_app.vault.registrations import count_run_seen, file_unsent_here
from desktop_app.vault.vault import utc_now
from waypoint_core.protocol import PublishedForm
from waypoint_core.xform import FormDefinition, FormError

EnrolCentreRefused = access.EnrolCentreRefused  # the interface words it (ui/sync_messages.py)

__all__ = ["SyncProgress", "SyncSummary", "enrol", "enrol_steps", "sync_now", "sync_steps", "sync_status",
           "run_start", "run_report", "run_seen",
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


# What the last run's summary (store.record_run) says of the laptop, not of records: all that is kept of it for
# someone who does not manage the laptop (its counts are the whole laptop's: `_run_seen`).
_RUN_OF_THE_LAPTOP = ("failed", "via", "forms_installed", "forms_refused", "retries", "restores")


def sync_status(vault: Vault) -> dict[str, Any]:
    """store.status, with every count of records (`unsynced`, `open_conflicts`, `rejected`, `not_sendable`,
    `incomplete`: records that name files this laptop does not hold yet, and `drafts_kept_here`: drafts that never
    sync until finalized, so that `unsynced` 0 is not read as "everything is sent") counted over the records the
    signed-in person may see, as the status bar's are (registrations.sync_counts_seen): on a laptop shared across
    centres a count of every record would tell a field worker that another centre's records wait here, or are in
    conflict. Those who manage the laptop (the manage-devices right: administrators, coordinators), who decide
    whether it may be wiped, enrolled again or handed over, also get `unsynced_on_laptop`: every record not yet on the
    server, whoever may see it, and the last run's summary whole (`last_sync`); anyone else gets of it only what says
    nothing of records (whether it failed, the forms it installed: `_RUN_OF_THE_LAPTOP`), since its counts (pulled,
    conflicts, rejected and their messages, ...) are the whole laptop's, whoever ran it."""
    status = store.status(vault)
    laptop = status["unsynced"]
    status = {**status, **registrations.sync_counts_seen(vault)}
    if access.may_manage_devices(vault.roles):
        status["unsynced_on_laptop"] = laptop
    else:
        status["last_sync"] = _run_seen(status["last_sync"])
    return status


def _run_seen(run: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if run is None else {key: value for key, value in run.items() if key in _RUN_OF_THE_LAPTOP}


def run_start(vault: Vault) -> dict[str, Any]:
    """Read just before a run, for the report of it the signed-in person is given (`run_report`): `sync_status`, and
    `since`, when the run begins (by the clock the vault's writer stamps with)."""
    return {**sync_status(vault), "since": utc_now()}


def run_report(vault: Vault, summary: SyncSummary, before: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, int]]:
    """After a run: (`sync_status` now, what the run did for the signed-in person to read). The run's summary counts
    the whole laptop's records, whoever pressed Sync now: on a laptop shared across centres a field worker was told
    "12 updates received · 2 conflicts to review" of another centre's records. The report counts only records the
    person may see: `sent`, the records that waited before (`before`: run_start) and no longer do; `received`, the
    records the run wrote from the server's; `conflicts`, those it opened; `rejected`, changes the server refused in
    this run; `not_sendable`, changes that cannot be sent now (read after the run: the summary's may miss one
    refused by the run's last freeze). `from_server` (conflicts between other devices, fetched only for a reviewer,
    whose desk lists them all) and `renumbered` (this laptop's unsent changes numbered again, a fact of the laptop)
    are the summary's. Without `before`, `sent` is every record acknowledged, and what needs a start (received,
    conflicts, rejected) is 0."""
    status = sync_status(vault)
    report = {"not_sendable": status["not_sendable"], "from_server": summary.server_conflicts,
              "renumbered": summary.renumbered}
    if before is None:
        return status, {**report, "sent": summary.acknowledged, "received": 0, "conflicts": 0, "rejected": 0}
    seen = access.visibility(vault)
    received, conflicts, rejected = (0, 0, 0) if seen.nothing else count_run_seen(vault, since=before["since"],
                                                                                   visible=seen.rows)
    return status, {**report, "sent": max(0, before["unsynced"] - status["unsynced"]), "received": received,
                    "conflicts": conflicts, "rejected": rejected}


def run_seen(vault: Vault, summary: SyncSummary, before: dict[str, Any]) -> dict[str, Any]:
    """What `waypoint sync` prints of a run (`before`: run_start): its summary whole for those who manage the laptop;
    for anyone else what it says of the laptop (`_RUN_OF_THE_LAPTOP`) and the counts of `run_report`, of the records
    they may see, as the status bar says them (the summary's are the whole laptop's)."""
    if access.may_manage_devices(vault.roles):
        return summary.as_json()
    return {**(_run_seen(summary.as_json()) or {}), **run_report(vault, summary, before)[1]}


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
