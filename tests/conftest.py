"""Test-wide isolation: every test gets its own Waypoint home, HOME and temp folders.

The seized-laptop tests read every byte under these folders, so nothing may write elsewhere.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from tests.corpus import check_available

# Property tests judge results, never speed: a busy 2-core machine (CI, or eight jobs at once) must not fail
# them by Hypothesis's default 200 ms deadline or its too-slow health check. Timing lives in bench/.
settings.register_profile("waypoint", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("waypoint")

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Vaults made with kdf_profile="test" (fast Argon2id) open only where this is set: see desktop_app/vault/kdf.py.
os.environ.setdefault("WAYPOINT_ALLOW_TEST_KDF", "1")


@pytest.fixture(autouse=True)
def _binding_guard():
    """PySide6 6.12.0 loses a reference to True at every signal emitted from Python (desktop_app/ui/binding_guard):
    topped up around each test, so a long run never brings the count to zero and aborts Python."""
    from desktop_app.ui import binding_guard

    binding_guard.hold_true()
    yield
    binding_guard.hold_true()


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch):
    root = tmp_path_factory.mktemp("home")
    for sub in ("home", "xdg-data", "xdg-config", "xdg-cache", "xdg-runtime", "tmp", "waypoint"):
        (root / sub).mkdir()
    (root / "xdg-runtime").chmod(0o700)
    monkeypatch.setenv("HOME", str(root / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(root / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(root / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(root / "xdg-cache"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(root / "xdg-runtime"))
    monkeypatch.setenv("TMPDIR", str(root / "tmp"))
    monkeypatch.setenv("WAYPOINT_HOME", str(root / "waypoint"))
    monkeypatch.delenv("WAYPOINT_PASSPHRASE", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return root


# The files that take minutes, longest first. `./dev test` spreads the suite over the cores by file (pytest-xdist,
# --dist loadfile --no-loadscope-reorder) and hands files out in collection order: these go first, so no worker is
# left running one of them alone at the end. Taken from `--durations` of a whole run; a file missing here only
# costs time, never a test.
LONG_FILES = (
    "tests/sync/test_sync_attachments.py",
    "tests/sync/test_batches_end_to_end.py",
    "tests/server/test_server_restore.py",
    "tests/sync/test_batches.py",
    "tests/sync/test_sync_audit.py",
    "tests/sync/test_batches_ui.py",
    "tests/server/test_server_limits.py",
    "tests/conformance/test_conformance.py",
    "tests/server/test_server_fuzz.py",
)


def pytest_collection_modifyitems(items):
    rank = {path: n for n, path in enumerate(LONG_FILES)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(LONG_FILES)))  # stable: files stay whole


def pytest_runtest_setup(item):
    # tests reading ../shared/corpus skip without it, except in CI, where a missing corpus fails the run
    if item.get_closest_marker("corpus") is not None:
        check_available()


def pytest_terminal_summary(terminalreporter):
    # the conformance suite's figures (tests/conformance), recorded by the test, shown once at the end of the run
    for reports in terminalreporter.stats.values():
        for report in reports:
            for name, lines in getattr(report, "user_properties", ()):
                if name == "conformance" and getattr(report, "when", "") == "call":
                    terminalreporter.write_sep("-", "conformance with ODK's form engine")
                    for line in lines:
                        terminalreporter.write_line(line)
