"""One sync run (and one enrolment) as a sequence of steps, so the same algorithm runs in the CLI and the app.

A run is a generator that yields `Local` steps (vault work: must run on the vault's thread) and `Remote` steps
(HTTP: must run off the GUI thread, never touching the vault), and receives each step's result back.
`run_inline` drives it on one thread (CLI, tests); the Qt app drives it across its database thread and its
network pool (desktop_app/ui/sync_controller.py). Order of a run:

1. resend frozen ops not yet acknowledged (an interrupted run: the server may hold them already);
2. pull, so edits not yet sent are merged on top of what others changed (device-side 3-way merge);
3. freeze and push the rest of the outbox, batch by batch;
4. pull again (merged or conflicting ops come back as the server's version), then install new forms.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import asdict, dataclass, field
from typing import Any

from desktop_app.sync import audit_upload, errors, store
from desktop_app.sync.transport import ServerConnection
from waypoint_core.protocol import PULL_PAGE_MAX, PublishedForm, SigningKey


@dataclass
class Local:
    fn: Callable[[Any], Any]  # fn(vault)


@dataclass
class Remote:
    fn: Callable[[], Any]


Step = Local | Remote


@dataclass
class SyncProgress:
    phase: str  # "push" | "pull" | "forms"
    pushed: int
    pulled: int
    unsent: int | None = None


@dataclass
class SyncSummary:
    pushed: int = 0  # ops posted for the first time or again after an interrupted run
    acknowledged: int = 0  # ops whose acknowledgement was stored by this run
    pulled: int = 0  # changes from the server that were new to this device (applied, merged or in conflict)
    received: int = 0  # every change in the pages, this device's own echoes and re-deliveries included
    conflicts: int = 0  # conflicts opened (server-side results and device-side merges)
    merged: int = 0  # ops the server merged with other devices' changes, plus device-side rebases
    rejected: int = 0
    forms_installed: list[str] = field(default_factory=list)
    forms_refused: list[str] = field(default_factory=list)
    retries: int = 0
    rejected_messages: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return asdict(self)


ConnectionFactory = Callable[..., ServerConnection]


def sync_run(
    *, connect: ConnectionFactory = ServerConnection, batch_size: int = 500, page_size: int = PULL_PAGE_MAX,
    installed_forms: Callable[[Any], set[tuple[str, str]]] | None = None,
    install_form: Callable[[Any, PublishedForm], None] | None = None,
    progress: Callable[[SyncProgress], None] | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> Generator[Step, Any, SyncSummary]:
    credentials: store.Credentials = yield Local(store.load_credentials)
    connection = connect(credentials.server_url, ca_bundle=credentials.ca_bundle, device_id=credentials.device_id,
                         device_key=credentials.device_key, server_signing_key=credentials.server_signing_key,
                         server_keys=credentials.server_keys)
    summary = SyncSummary()

    def report(phase: str) -> None:
        if progress is not None:
            progress(SyncProgress(phase, summary.pushed, summary.pulled))

    try:
        yield from _push(connection, credentials, summary, report, batch_size, cancelled, freeze=False)
        yield from _pull(connection, credentials, summary, report, page_size, cancelled)
        yield from _push(connection, credentials, summary, report, batch_size, cancelled, freeze=True)
        yield from _pull(connection, credentials, summary, report, page_size, cancelled)
        if installed_forms is not None and install_form is not None:
            yield from _forms(connection, summary, installed_forms, install_form, cancelled)
            report("forms")
        summary.retries = connection.retries
        yield Local(lambda vault: store.record_run(vault, summary.as_json()))
        yield Local(lambda vault: audit_upload.note_run(vault, summary.as_json()))
        yield from audit_upload.upload(connection, _remote, Local, cancelled)
    finally:
        connection.close()
    return summary


def _push(connection, credentials, summary, report, batch_size, cancelled, *, freeze):
    while not cancelled():
        batch = yield Local(lambda vault: store.next_batch(vault, credentials, max_ops=batch_size, freeze=freeze))
        if batch is None:
            return
        answer = yield from _remote(connection, lambda: connection.with_retries(lambda: connection.push(batch.body),
                                                                                cancelled=cancelled))
        if answer.expected_seq is not None:
            yield Local(lambda vault: store.note_sequence_gap(vault, answer.expected_seq))
            continue
        outcome = yield Local(lambda vault: store.store_push_answer(vault, batch, answer.response))
        summary.pushed += batch.op_count
        summary.acknowledged += outcome.acknowledged
        summary.merged += outcome.merged
        summary.conflicts += outcome.conflicts
        summary.rejected += outcome.rejected
        summary.rejected_messages.extend(outcome.rejected_messages[:20 - len(summary.rejected_messages)])
        report("push")


def _pull(connection, credentials, summary, report, page_size, cancelled):
    while not cancelled():
        since = yield Local(store.cursor)
        page = yield from _remote(connection, lambda: connection.with_retries(
            lambda: connection.pull(cursor=since, limit=page_size), cancelled=cancelled))
        outcome = yield Local(lambda vault: store.store_pull_page(vault, page, own_device_id=credentials.device_id))
        summary.pulled += outcome.applied + outcome.rebased + outcome.conflicts
        summary.received += outcome.changes
        summary.conflicts += outcome.conflicts
        summary.merged += outcome.rebased
        report("pull")
        if not page.has_more:
            return


def _forms(connection, summary, installed_forms, install_form, cancelled):
    """New published versions: fetched, checked (pinned signature, hash, our engine loads it), installed.
    A form that fails a check is refused and named in the summary; it never stops records from syncing."""
    offered = yield from _remote(connection, lambda: connection.with_retries(connection.forms, cancelled=cancelled))
    have = yield Local(installed_forms)
    for form in offered.forms:
        if (form.form_id, form.version) in have or cancelled():
            continue
        name = f"{form.form_id} {form.version}"
        published = yield Remote(lambda f=form: _or_error(lambda: connection.form(f.form_id, f.version)))
        if isinstance(published, Exception):
            summary.forms_refused.append(f"{name}: {published}")
            continue
        problem = yield Local(lambda vault, p=published: _or_error(lambda: install_form(vault, p)))
        if isinstance(problem, Exception):
            summary.forms_refused.append(f"{name}: {problem}")
        else:
            summary.forms_installed.append(name)


def _remote(connection: ServerConnection, fn: Callable[[], Any]) -> Generator[Step, Any, Any]:
    """A network step; if the server's keys moved on by a proven rotation meanwhile, pin the new ones."""
    result = yield Remote(fn)
    if connection.rotated_keys is not None:
        keys, connection.rotated_keys = connection.rotated_keys, None
        yield Local(lambda vault: store.pin_rotated_keys(vault, keys))
    return result


def _or_error(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except (errors.SyncError, ValueError) as exc:  # ValueError: the form store's refusals
        return exc


def enrol_run(*, server_url: str, code: str, ca_bundle: str | None = None, device_name: str = "Waypoint laptop",
              connect: ConnectionFactory = ServerConnection) -> Generator[Step, Any, dict]:
    """Register a new device key with a one-time code and pin the server's keys."""
    connection = connect(server_url, ca_bundle=ca_bundle)  # refuses plain http to another host, before any I/O
    try:
        yield Local(store.ensure_not_enrolled)
        key = SigningKey.generate()
        answer = yield Remote(lambda: connection.enrol(code=code.strip(), device_key=key, device_name=device_name))
        yield Local(lambda vault: store.save_enrolment(vault, server_url=connection.server_url, ca_bundle=ca_bundle,
                                                       device_key=key, answer=answer))
    finally:
        connection.close()
    return {"device_id": answer.device_id, "centre": answer.centre_name, "server": connection.server_url,
            "server_key_id": answer.server_keys.signing_key_id}


def run_inline(steps: Generator[Step, Any, Any], *, vault: Any) -> Any:
    """Drive a run on this thread: local steps get the vault, remote steps run as they are."""
    value: Any = None
    while True:
        try:
            step = steps.send(value)
        except StopIteration as stop:
            return stop.value
        try:
            value = step.fn(vault) if isinstance(step, Local) else step.fn()
        except BaseException:
            steps.close()
            raise
