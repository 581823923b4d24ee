"""The one way Waypoint runs work off the GUI thread.

- Database work goes to ONE worker thread (`TaskRunner.run_db`). SQLite/SQLCipher connections belong
  to the thread that opened them, and one writer means no "database is locked" and no cross-thread
  sessions: the vault is created, unlocked, used and closed on that thread only.
- Network work goes to a small separate pool (`TaskRunner.run_network`) so a slow server never
  queues behind, or blocks, the database (the Anki 23.10 lesson).
- Long pure computation that touches neither the vault nor the network (scoring duplicate candidates for
  100,000 people) goes to one compute thread (`TaskRunner.run_compute`), so saves never queue behind it.
- Results, errors and progress come back as Qt signals on the GUI thread. Task functions must never
  touch widgets; they get a `TaskState` to report progress and to see a cancel request.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThread, QThreadPool, Signal


class TaskState:
    """What a running task may see of the outside: a cancel flag and a progress reporter."""

    def __init__(self, task: Task) -> None:
        self._task = task
        self._cancelled = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def cancel(self) -> None:
        self._cancelled.set()

    def report_progress(self, done: int, total: int) -> None:
        self._task._progress_from_worker.emit(int(done), int(total))


class Task(QObject):
    """One piece of background work; its public signals are emitted on the GUI thread.

    The worker thread only emits the private `_*_from_worker` signals; queued connections made in
    the constructor re-emit them from the GUI thread's event loop. So a caller can connect to
    `succeeded` right after `run_db()` returns and never miss a result, however fast the task is.
    """

    succeeded = Signal(object)
    failed = Signal(object)  # the exception instance
    progress = Signal(int, int)  # done, total
    finished = Signal()  # after succeeded or failed

    _done_from_worker = Signal(bool, object)
    _progress_from_worker = Signal(int, int)

    def __init__(self, fn: Callable[[TaskState], Any], *, name: str) -> None:
        super().__init__()
        self.name = name
        self._fn = fn
        self.state = TaskState(self)
        self._done_from_worker.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._progress_from_worker.connect(self.progress.emit, Qt.ConnectionType.QueuedConnection)

    def cancel(self) -> None:
        self.state.cancel()

    def _run(self) -> None:
        # Runs on a worker thread. Exceptions become a `failed` signal: a background error must
        # reach the person as a readable message, never disappear or kill the thread.
        try:
            result = self._fn(self.state)
        except BaseException as exc:
            self._done_from_worker.emit(False, exc)
        else:
            self._done_from_worker.emit(True, result)

    def _deliver(self, ok: bool, value: object) -> None:
        (self.succeeded if ok else self.failed).emit(value)
        self.finished.emit()


class _DbThread(QThread):
    """Runs queued database tasks one after the other, in submission order."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("waypoint-db")
        self.jobs: queue.Queue[Task | None] = queue.Queue()

    def run(self) -> None:
        while True:
            task = self.jobs.get()
            if task is None:
                return
            task._run()


class _NetworkJob(QRunnable):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self._task = task

    def run(self) -> None:
        self._task._run()


class TaskRunner(QObject):
    """Owns the database worker and the network pool; the composition root creates exactly one."""

    busy_changed = Signal(bool)  # True while any task is pending: drives a busy indicator

    def __init__(self, *, network_threads: int = 2) -> None:
        super().__init__()
        self._db = _DbThread()
        self._db.start()
        self._network = QThreadPool()
        self._network.setMaxThreadCount(network_threads)
        self._compute = QThreadPool()
        self._compute.setMaxThreadCount(1)
        self._pending: set[Task] = set()
        self._closed = False

    @property
    def stopped(self) -> bool:
        """True once shutdown() has run and the database thread has ended."""
        return self._closed and self._db.isFinished()

    @property
    def pending(self) -> int:
        return len(self._pending)

    def run_db(self, fn: Callable[[TaskState], Any], *, name: str = "db") -> Task:
        """Queue `fn(state)` on the database thread. Connect to the returned task's signals."""
        task = self._track(Task(fn, name=name))
        self._db.jobs.put(task)
        return task

    def run_network(self, fn: Callable[[TaskState], Any], *, name: str = "network") -> Task:
        """Run `fn(state)` on the network pool (never for vault access: use run_db)."""
        task = self._track(Task(fn, name=name))
        self._network.start(_NetworkJob(task))
        return task

    def run_compute(self, fn: Callable[[TaskState], Any], *, name: str = "compute") -> Task:
        """Run pure CPU work `fn(state)` on the compute thread (never vault or network access)."""
        task = self._track(Task(fn, name=name if name.startswith("compute") else f"compute:{name}"))
        self._compute.start(_NetworkJob(task))
        return task

    def _track(self, task: Task) -> Task:
        if self._closed:
            raise RuntimeError("the task runner is shut down")
        was_idle = not self._pending
        self._pending.add(task)
        task.finished.connect(lambda: self._forget(task))
        if was_idle:
            self.busy_changed.emit(True)
        return task

    def _forget(self, task: Task) -> None:
        self._pending.discard(task)
        if not self._pending:
            self.busy_changed.emit(False)

    def shutdown(self, *, timeout_ms: int = 30_000) -> None:
        """Cancel what can be cancelled, finish queued database work, stop both workers.

        Queued database work is finished, not dropped: it may be a save someone is waiting for.
        """
        if self._closed:
            return
        self._closed = True
        for task in list(self._pending):
            if task.name.startswith(("network", "compute")):
                task.cancel()
        self._db.jobs.put(None)
        self._db.wait(timeout_ms)
        self._network.waitForDone(timeout_ms)
        self._compute.waitForDone(timeout_ms)
