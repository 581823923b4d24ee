"""Fixtures for the app-shell tests: a fully wired app on a fresh Waypoint home, cleaned up after."""

from __future__ import annotations

import gc

import pytest
from PySide6.QtCore import QEvent

from desktop_app.paths import app_paths
from desktop_app.ui.app import build_app
from tests.access.team import shipped_xforms


@pytest.fixture(autouse=True)
def allow_test_kdf(monkeypatch):
    # Vaults in these tests use the fast, explicitly weak KDF profile.
    monkeypatch.setenv("WAYPOINT_ALLOW_TEST_KDF", "1")


@pytest.fixture
def make_app(qapp, qtbot):
    """Build the app the way `waypoint-app` does; closes the window and stops the workers after."""
    built = []

    def make(**kwargs):
        kwargs.setdefault("kdf_profile", "test")
        kwargs.setdefault("language", "en")
        app = build_app(qt_app=qapp, paths=app_paths(), **kwargs)
        built.append(app)
        return app

    yield make
    for app in built:
        app.close()  # locks, then waits for the database thread to finish and stop
    # Deliver the last queued signals and deferred deletes before the next test starts.
    qapp.processEvents()
    qapp.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    # Nothing may outlive the test: no window, no running worker, no armed idle timer.
    for app in built:
        assert app.tasks.stopped, "the database thread is still running"
        assert not app.idle.is_armed
        assert not app.controller.is_unlocked
    leftovers = [w for w in qapp.topLevelWidgets() if w.isVisible()]
    assert leftovers == [], f"windows left open: {leftovers}"
    # locking closed every form: none may leave the heap frozen (waypoint_core/xform/heap.py)
    assert gc.get_freeze_count() == 0, "a form screen left the garbage collector's heap frozen"


@pytest.fixture(scope="session")
def xforms():
    """The shipped forms as XForms (tests/access/team.py: make_team installs them), built once for the screen tests
    that open a team's vault."""
    return shipped_xforms()


@pytest.fixture
def open_window(make_app, qtbot):
    """Open a vault folder in the app built as `waypoint-app` builds it, its window shown and exposed: the app."""

    def open_(folder, **kwargs):
        app = make_app(vault_path=folder, **kwargs)
        app.window.show()
        qtbot.waitExposed(app.window)
        return app

    return open_


def pytest_collection_modifyitems(items):
    # The offscreen platform plugin cannot resize native windows to size hints and says so at
    # warning level on every layout change; it is not a fault of ours and no real platform does it.
    for item in items:
        if "tests/ui/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"))
