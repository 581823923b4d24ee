"""Who holds the open vault, and the only place that opens, creates and locks it.

Everything runs on the TaskRunner's database thread; this object lives on the GUI thread and
announces what happened by signals. Screens never keep the vault: they ask `run_with_vault`.

Locking happens in two steps so nothing personal outlives it:
`locking` (now, on the GUI thread: every view drops its rows and fields), then the vault is closed
on the database thread after any work already queued, then `locked`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop_app.services import session
from desktop_app.ui.tasks import Task, TaskRunner, TaskState


class VaultController(QObject):
    busy_changed = Signal(bool)  # an unlock or create is running (Argon2 takes about a second)
    migrating = Signal(int, int)  # done, steps: an unlock is bringing an older vault's schema up to date
    created = Signal(object)  # session.CreatedVault, with the vault already closed again
    unlocked = Signal(object)  # session.SignedInUser
    failed = Signal(object)  # session.Failure from create or unlock
    locking = Signal()  # drop personal data from every view NOW
    locked = Signal()  # the database is closed and the key dropped
    erased = Signal(object)  # session's ErasedFiles: the vault is gone (after `locked` if it was open)

    def __init__(self, *, tasks: TaskRunner, vault_path: Path, kdf_profile: str = "production") -> None:
        super().__init__()
        self._tasks = tasks
        self._vault_path = vault_path
        self._kdf_profile = kdf_profile
        self._open: session.OpenVault | None = None
        self._busy = False
        self.session_number = 0  # grows at each unlock and lock; late results compare against it

    # --- state -----------------------------------------------------------------------------
    @property
    def vault_path(self) -> Path:
        return self._vault_path

    def set_vault_path(self, path: Path) -> None:
        if self._open is not None:
            raise RuntimeError("lock the vault before choosing another one")
        self._vault_path = path

    def vault_exists(self) -> bool:
        return session.vault_exists(self._vault_path)

    @property
    def is_unlocked(self) -> bool:
        return self._open is not None

    @property
    def user(self) -> session.SignedInUser | None:
        return self._open.user if self._open else None

    @property
    def is_busy(self) -> bool:
        return self._busy

    def _set_busy(self, value: bool) -> None:
        if value != self._busy:
            self._busy = value
            self.busy_changed.emit(value)

    # --- opening ---------------------------------------------------------------------------
    def create(self, *, admin_username: str, admin_passphrase: str) -> Task:
        path, profile = self._vault_path, self._kdf_profile

        def work(state: TaskState) -> session.CreatedVault:
            result = session.create_vault(
                path, admin_username=admin_username, admin_passphrase=admin_passphrase, kdf_profile=profile
            )
            # The person signs in with the new passphrase next: proves they remember it before
            # any record depends on it, and no vault stays open while the recovery code shows.
            session.lock(result.vault)
            return result

        return self._start(work, "db:create", self.created.emit, recovery=False)

    def unlock(self, *, username: str, passphrase: str) -> Task:
        path = self._vault_path
        return self._start(
            lambda state: session.unlock(path, username=username, passphrase=passphrase,
                                         progress=state.report_progress),
            "db:unlock",
            self._on_unlocked,
            recovery=False,
        )

    def unlock_with_recovery(self, *, recovery_code: str) -> Task:
        path = self._vault_path
        return self._start(
            lambda state: session.unlock_with_recovery(path, recovery_code=recovery_code,
                                                       progress=state.report_progress),
            "db:unlock-recovery",
            self._on_unlocked,
            recovery=True,
        )

    def erase(self, *, username: str, passphrase: str, confirmation: str) -> Task:
        """Emergency erase from the sign-in screen: the person's credentials, then the vault is destroyed."""
        path = self._vault_path
        return self._start(
            lambda state: session.erase_vault(path, username=username, passphrase=passphrase,
                                              confirmation=confirmation),
            "db:erase",
            self.erased.emit,
            recovery=False,
        )

    def erase_open(self, *, confirmation: str) -> Task:
        """Emergency erase by the signed-in user; views drop their data as for a lock, then `erased`."""
        task = self.run_with_vault(lambda vault, state: session.erase_open_vault(vault, confirmation=confirmation),
                                   name="db:erase")

        def done(result: object) -> None:
            self._open = None
            self.session_number += 1
            self.locking.emit()
            self.locked.emit()
            self.erased.emit(result)

        task.succeeded.connect(done)
        task.failed.connect(lambda exc: self.failed.emit(session.classify(exc)))
        return task

    def _start(
        self, work: Callable[[TaskState], Any], name: str, on_success: Callable[[Any], None], *, recovery: bool
    ) -> Task:
        if self._busy:
            raise RuntimeError("the vault is already being opened")
        if self._open is not None:
            raise RuntimeError("the vault is already open")
        self._set_busy(True)
        task = self._tasks.run_db(work, name=name)
        task.progress.connect(self.migrating.emit)
        # Not busy any more BEFORE announcing the outcome, so the next screen is enabled at once.
        task.succeeded.connect(lambda result: (self._set_busy(False), on_success(result)))
        task.failed.connect(
            lambda exc: (self._set_busy(False), self.failed.emit(session.classify(exc, recovery=recovery)))
        )
        return task

    def _on_unlocked(self, opened: session.OpenVault) -> None:
        self._open = opened
        self.session_number += 1
        self.unlocked.emit(opened.user)

    # --- using -----------------------------------------------------------------------------
    def run_with_vault(self, fn: Callable[[Any, TaskState], Any], *, name: str = "db") -> Task:
        """Queue fn(vault, state) on the database thread. Raises if the vault is locked."""
        if self._open is None:
            raise RuntimeError("the vault is locked")
        vault = self._open.vault
        return self._tasks.run_db(lambda state: fn(vault, state), name=name)

    # --- locking ---------------------------------------------------------------------------
    def closed_by_order(self, *, wiped: bool) -> None:
        """A coordinator's remote order closed (lock) or erased (wipe) the vault during a sync run (desktop_app/sync/
        orders.py): the views drop their data as for a lock; after a wipe, `erased` too."""
        if self._open is None:
            return
        self.lock()
        if wiped:
            self.erased.emit(None)

    def lock(self) -> Task | None:
        """Lock now. Views are cleared at once; the database closes after queued work."""
        if self._open is None:
            return None
        vault = self._open.vault
        self._open = None
        self.session_number += 1
        self.locking.emit()
        task = self._tasks.run_db(lambda state: session.lock(vault), name="db:lock")
        task.finished.connect(self.locked.emit)
        return task
