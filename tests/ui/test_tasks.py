"""The background-task primitive: one database thread in order, results on the GUI thread."""

from __future__ import annotations

import threading

import pytest

from desktop_app.ui.tasks import TaskRunner

pytestmark = pytest.mark.gui


@pytest.fixture
def runner(qapp):
    runner = TaskRunner()
    yield runner
    runner.shutdown()


def test_db_tasks_run_in_order_on_one_thread_and_report_on_gui_thread(qtbot, runner):
    gui_thread = threading.get_ident()
    seen_threads: list[int] = []
    results: list[tuple[int, bool]] = []

    def job(n):
        def work(state):
            seen_threads.append(threading.get_ident())
            return n

        return work

    tasks = [runner.run_db(job(n)) for n in range(5)]
    for task in tasks:
        task.succeeded.connect(lambda value: results.append((value, threading.get_ident() == gui_thread)))
    with qtbot.waitSignal(tasks[-1].finished, timeout=5000):
        pass
    assert results == [(n, True) for n in range(5)]
    assert len(set(seen_threads)) == 1 and seen_threads[0] != gui_thread


def test_errors_come_back_as_signals_and_the_thread_keeps_working(qtbot, runner):
    def broken(state):
        raise ValueError("bad input")

    failing = runner.run_db(broken)
    with qtbot.waitSignal(failing.failed, timeout=5000) as blocker:
        pass
    assert isinstance(blocker.args[0], ValueError)
    after = runner.run_db(lambda state: "still alive")
    with qtbot.waitSignal(after.succeeded, timeout=5000) as blocker:
        pass
    assert blocker.args == ["still alive"]


def test_progress_is_reported_and_busy_flag_follows_pending_work(qtbot, runner):
    busy: list[bool] = []
    runner.busy_changed.connect(busy.append)

    def counting(state):
        for i in range(3):
            state.report_progress(i + 1, 3)
        return "done"

    task = runner.run_db(counting)
    progress: list[tuple[int, int]] = []
    task.progress.connect(lambda done, total: progress.append((done, total)))
    with qtbot.waitSignal(runner.busy_changed, timeout=5000, check_params_cb=lambda b: b is False):
        pass
    assert progress == [(1, 3), (2, 3), (3, 3)]
    assert busy == [True, False]
    assert runner.pending == 0


def test_network_work_does_not_queue_behind_database_work(qtbot, runner):
    release = threading.Event()
    slow_db = runner.run_db(lambda state: release.wait(10))
    net = runner.run_network(lambda state: "network answered")
    with qtbot.waitSignal(net.succeeded, timeout=5000):
        pass
    assert runner.pending == 1  # the database job is still waiting
    release.set()
    with qtbot.waitSignal(slow_db.finished, timeout=5000):
        pass


def test_shutdown_finishes_queued_database_work(qapp):
    runner = TaskRunner()
    done: list[int] = []
    for n in range(3):
        runner.run_db(lambda state, n=n: done.append(n))
    runner.shutdown()
    assert done == [0, 1, 2]
    with pytest.raises(RuntimeError):
        runner.run_db(lambda state: None)
