"""Sync in the background: drives the sync engine's steps across the app's two workers, probes the server.

The engine (desktop_app.sync.engine via services.sync) is a generator of steps. Vault steps go to the database
thread (`VaultController.run_with_vault`), network steps to the network pool (`TaskRunner.run_network`); the
generator itself only ever advances here, on the GUI thread, when a step's result arrives as a signal. So the
GUI never waits on the network or the disk, and the vault never leaves its thread.

A probe of /health every `probe_interval_ms` (60 s) starts a sync when the server answers (it pushes what waits
and pulls what others changed); after a failed run, automatic attempts back off exponentially (bounded);
"Sync now" never waits.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from desktop_app.services import sync as sync_service
from desktop_app.ui.sync_messages import sync_error_text
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.vault_controller import VaultController


@dataclass(frozen=True)
class RunReport:
    """What a run did, of the records the signed-in person may see (services.sync.run_report), except the last two."""

    sent: int  # registrations the server now holds that waited before the run
    received: int  # records written from the server's, new or changed
    conflicts: int  # conflicts the run opened
    rejected: int  # changes the server refused in this run
    not_sendable: int = 0  # changes this laptop cannot send (kept, counted as not yet synced)
    from_server: int = 0  # a reviewer's laptop: conflicts between other devices, new on its review desk
    renumbered: int = 0  # unsent changes numbered again: the vault was put back from an older copy (or copied)


class SyncController(QObject):
    started = Signal()
    progress = Signal(int, int)  # pushed, pulled so far in this run
    finished = Signal(object)  # services.sync.SyncSummary
    failed = Signal(str)  # a sentence for the person
    reachable_changed = Signal(bool)
    status_changed = Signal(object)  # dict from services.sync.sync_status
    enrolled = Signal(object)  # dict: device_id, centre, server, server_key_id
    needs_enrolment = Signal()  # "Sync now" on a laptop that is not enrolled: nothing can be sent yet
    # after a run, once the status is read again: registrations sent (not operations: ten saves of one record are
    # one registration), changes received, conflicts, refused
    reported = Signal(object)  # RunReport
    forwarded = Signal(object)  # dict from services.batches.forward_steps: files (status each), receipts written

    def __init__(self, *, tasks: TaskRunner, controller: VaultController, probe_interval_ms: int = 60_000,
                 connect: Callable[..., Any] | None = None, backoff_base_s: float = 30.0,
                 backoff_cap_s: float = 900.0) -> None:
        super().__init__()
        self._tasks, self._controller = tasks, controller
        self._connect = connect
        self._steps = None
        self._cancelled = False
        self._session_number = -1
        self._status: dict | None = None
        self._reachable: bool | None = None
        self._failures = 0
        self._quiet_until = 0.0
        self._backoff = (backoff_base_s, backoff_cap_s)
        self._finishing: Callable[[Any], None] = self._done
        # sync_service.run_start, read when the run started: the report counts from it what the person may see
        self._before: dict | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(probe_interval_ms)
        self._timer.timeout.connect(self.probe)
        controller.unlocked.connect(self._unlocked)
        controller.locking.connect(self.stop)

    # --- state ---------------------------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._steps is not None

    @property
    def status(self) -> dict | None:
        return self._status

    def _unlocked(self, _user) -> None:
        self._failures, self._quiet_until = 0, 0.0
        self.refresh_status()
        self._timer.start()

    def stop(self) -> None:
        """The vault is locking: no new steps; a running network step finishes and is then dropped."""
        self._timer.stop()
        self._cancelled = True
        if self._steps is not None:
            self._steps.close()
            self._steps = None
        self._status = None

    def refresh_status(self) -> None:
        if not self._controller.is_unlocked:
            return
        number = self._controller.session_number
        task = self._controller.run_with_vault(lambda vault, state: sync_service.sync_status(vault), name="db:sync-status")
        task.succeeded.connect(lambda status: self._status_arrived(number, status))

    def _status_arrived(self, number: int, status: dict) -> None:
        if number == self._controller.session_number:
            self._status = status
            self.status_changed.emit(status)

    # --- probing -------------------------------------------------------------------------------------------------
    def probe(self) -> None:
        """Ask /health (network pool); if it answers and records wait, sync. Skipped while backing off."""
        status = self._status
        if self.running or not status or not status.get("enrolled") or time.monotonic() < self._quiet_until:
            return
        url, ca_bundle = status["server_url"], status.get("ca_bundle") or None
        task = self._tasks.run_network(lambda state: sync_service.probe(url, ca_bundle=ca_bundle), name="network:probe")
        task.succeeded.connect(self._probed)

    def _probed(self, reachable: bool) -> None:
        if reachable != self._reachable:
            self._reachable = reachable
            self.reachable_changed.emit(reachable)
        # Reachable: sync. Records waiting go out; otherwise the run only pulls what others changed (one request
        # when nothing is new), so colleagues' records and new forms arrive without anyone pressing a button.
        if reachable and self._status:
            self.sync_now()

    # --- running -------------------------------------------------------------------------------------------------
    def sync_now(self) -> bool:
        """Start a run now; False when one is already running, the vault is locked or the laptop not enrolled."""
        if self.running or not self._controller.is_unlocked:
            return False
        if self._status is not None and not self._status.get("enrolled"):
            self.needs_enrolment.emit()
            return False
        self._cancelled = False
        self._session_number = self._controller.session_number
        kwargs = {"connect": self._connect} if self._connect is not None else {}
        steps = sync_service.sync_steps(progress=lambda p: self.progress.emit(p.pushed, p.pulled),
                                        cancelled=lambda: self._cancelled, **kwargs)
        self._steps = steps
        self.started.emit()
        # what waits now, read in order with the saves before it, so the report counts registrations, not saves
        try:
            task = self._controller.run_with_vault(lambda vault, state: sync_service.run_start(vault),
                                                   name="db:sync-status")
        except RuntimeError as exc:
            self._fail(exc)
            return False
        task.succeeded.connect(lambda status: self._start_run(steps, status))
        task.failed.connect(lambda exc: self._fail(exc) if steps is self._steps else None)
        return True

    def _start_run(self, steps, status: dict) -> None:
        if steps is not self._steps:
            return  # stopped meanwhile (lock)
        self._before = status
        self._advance(None)

    def enrol(self, *, server_url: str, code: str, ca_bundle: str | None, device_name: str, again: bool = False) -> bool:
        """Enrol this laptop (same two-thread driver as a sync run); `enrolled` or `failed` follows. `again`: replace
        its enrolment, keeping its records and unsent changes."""
        if self.running or not self._controller.is_unlocked:
            return False
        self._cancelled = False
        self._session_number = self._controller.session_number
        self._steps = sync_service.enrol_steps(server_url=server_url, code=code, ca_bundle=ca_bundle,
                                               device_name=device_name, again=again)
        self._finishing = self._enrolled
        self._advance(None)
        return True

    def forward_batches(self, receipts_dir: str | None) -> bool:
        """Send the USB batch files this machine carries (same two-thread driver); `forwarded` or `failed` follows."""
        if self.running or not self._controller.is_unlocked:
            return False
        from pathlib import Path

        from desktop_app.services import batches as batch_service

        self._cancelled = False
        self._session_number = self._controller.session_number
        kwargs = {"connect": self._connect} if self._connect is not None else {}
        self._steps = batch_service.forward_steps(receipts_dir=Path(receipts_dir) if receipts_dir else None,
                                                  progress=lambda done, total: self.progress.emit(done, total),
                                                  cancelled=lambda: self._cancelled, **kwargs)
        self._finishing = self._forwarded
        self._advance(None)
        return True

    def _forward_waiting(self) -> None:
        """Online again on a coordinator's machine: the batch files it carries go to the server now (their receipts
        wait in the vault until someone writes them to a stick)."""
        from desktop_app.services import batches as batch_service

        if not batch_service.may_carry(self._controller.user):
            return
        number = self._controller.session_number
        task = self._controller.run_with_vault(lambda vault, state: batch_service.waiting_count(vault),
                                               name="db:batches-waiting")
        task.succeeded.connect(lambda count: self.forward_batches(None)
                               if count and number == self._controller.session_number else None)

    def _forwarded(self, result: dict) -> None:
        self._steps = None
        self.forwarded.emit(result)
        self.refresh_status()

    def _enrolled(self, result: dict) -> None:
        self._steps = None
        # the enrolment's centre becomes this laptop's before anyone is told, so the next new form starts with it
        task = self._controller.run_with_vault(lambda vault, state: sync_service.after_enrolment(vault, result),
                                               name="db:place-from-enrolment")
        task.finished.connect(lambda: (self.enrolled.emit(result), self.refresh_status()))

    def _advance(self, value: Any) -> None:
        steps = self._steps
        if steps is None or self._session_number != self._controller.session_number:
            return
        try:
            step = steps.send(value)
        except StopIteration as stop:
            finishing, self._finishing = self._finishing, self._done
            finishing(stop.value)
            return
        except Exception as exc:
            self._fail(exc)
            return
        try:
            if isinstance(step, sync_service.engine.Both):
                self._both(steps, step)
                return
            if isinstance(step, sync_service.engine.Local):
                task = self._controller.run_with_vault(lambda vault, state: step.fn(vault), name="db:sync-step")
            else:
                task = self._tasks.run_network(lambda state: step.fn(), name="network:sync-step")
        except RuntimeError as exc:  # locked or shutting down between two steps
            self._fail(exc)
            return
        task.succeeded.connect(lambda result, s=steps: self._advance(result) if s is self._steps else None)
        task.failed.connect(lambda exc, s=steps: self._fail(exc) if s is self._steps else None)

    def _both(self, steps, step) -> None:
        """Pipelining: the network half on the pool and the vault half on the database thread at once; the run
        goes on with (remote's result, local's) when both have succeeded; a failure of either fails it once."""
        results: dict[str, Any] = {}

        def arrived(half: str, result: Any) -> None:
            if steps is not self._steps:
                return
            results[half] = result
            if len(results) == 2:
                self._advance((results["remote"], results["local"]))

        remote = self._tasks.run_network(lambda state: step.remote(), name="network:sync-step")
        local = self._controller.run_with_vault(lambda vault, state: step.local(vault), name="db:sync-step")
        for half, task in (("remote", remote), ("local", local)):
            task.succeeded.connect(lambda result, h=half: arrived(h, result))
            task.failed.connect(lambda exc: self._fail(exc) if steps is self._steps else None)

    def _done(self, summary) -> None:
        self._steps = None
        self._failures, self._quiet_until = 0, 0.0
        if not self._reachable:
            self._reachable = True
            self.reachable_changed.emit(True)
        self.finished.emit(summary)
        before, self._before = self._before, None
        if not self._controller.is_unlocked:
            return
        self._forward_waiting()
        number = self._controller.session_number
        task = self._controller.run_with_vault(lambda vault, state: sync_service.run_report(vault, summary, before),
                                               name="db:sync-status")
        task.succeeded.connect(lambda read: self._report(number, *read))

    def _report(self, number: int, status: dict, report: dict) -> None:
        self._status_arrived(number, status)
        if number != self._controller.session_number:
            return
        # counted over the records the signed-in person may see (the summary's counts are the whole laptop's)
        self.reported.emit(RunReport(**report))

    def _fail(self, exc: BaseException) -> None:
        self._finishing = self._done
        steps, self._steps = self._steps, None
        if steps is not None:
            steps.close()
        self._failures += 1
        base, cap = self._backoff
        delay = min(cap, base * 2 ** (self._failures - 1))
        self._quiet_until = time.monotonic() + random.uniform(delay / 2, delay)
        self._before = None
        self.failed.emit(sync_error_text(exc))
        # a remote order closed or erased the vault: every view drops its data, as for a lock
        if isinstance(exc, (sync_service.errors.RemoteLock, sync_service.errors.RemoteWipe)):
            self._controller.closed_by_order(wiped=isinstance(exc, sync_service.errors.RemoteWipe))
            return
        self.refresh_status()
