"""Fixtures for the form renderer tests: a real vault (fast test KDF) used on the real database
thread, and the shipped forms converted once per test session."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from desktop_app.services import forms
from desktop_app.ui.tasks import TaskRunner
from desktop_app.vault.vault import Vault
from waypoint_core.xform import FormDefinition

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def allow_test_kdf(monkeypatch):
    monkeypatch.setenv("WAYPOINT_ALLOW_TEST_KDF", "1")


@pytest.fixture(scope="session")
def shipped_xforms() -> dict[str, str]:
    """XForm XML of each shipped form, by file stem (pyxform conversion is slow: once per run)."""
    return {p.stem: forms.validate_form_file(p).xform for p in forms.shipped_form_files(REPO / "forms")}


@pytest.fixture(scope="session")
def migrant_definition(shipped_xforms) -> FormDefinition:
    return FormDefinition.from_xml(shipped_xforms["migrant_registration"])


@dataclass
class VaultOnDbThread:
    """A vault opened and used on the TaskRunner's database thread, as the app does."""

    runner: TaskRunner
    vault: Vault

    def run_with_vault(self, fn, *, name: str = "db"):
        vault = self.vault
        return self.runner.run_db(lambda state: fn(vault, state), name=name)

    def call(self, qtbot, fn):
        """Run fn(vault) on the database thread; wait for and return its result."""
        return wait_for(qtbot, self.run_with_vault(lambda vault, state: fn(vault)))


@pytest.fixture
def db(qapp, qtbot, tmp_path, shipped_xforms):
    runner = TaskRunner()
    outcome = {}

    def create(state):
        vault, _code = Vault.create(tmp_path / "vault", admin_username="amina.admin",
                                    admin_passphrase="quiet river at dawn", kdf_profile="test")
        from desktop_app.records import form_store
        for name, xform in shipped_xforms.items():
            form_store.install_form(vault, xform=xform, source_name=f"{name}.md", check_role=False)
        return vault

    task = runner.run_db(create, name="db:create")
    task.succeeded.connect(lambda vault: outcome.setdefault("vault", vault))
    task.failed.connect(lambda error: outcome.setdefault("error", error))
    with qtbot.waitSignal(task.finished, timeout=30_000):
        pass
    if "error" in outcome:
        raise outcome["error"]
    holder = VaultOnDbThread(runner=runner, vault=outcome["vault"])
    yield holder
    closing = runner.run_db(lambda state: holder.vault.close(), name="db:close")
    with qtbot.waitSignal(closing.finished, timeout=20_000):
        pass
    runner.shutdown()


def wait_for(qtbot, task, timeout: int = 20_000):
    """Wait for a task and return its result (or raise its error)."""
    outcome = {}
    task.succeeded.connect(lambda value: outcome.setdefault("value", value))
    task.failed.connect(lambda error: outcome.setdefault("error", error))
    qtbot.waitUntil(lambda: bool(outcome), timeout=timeout)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
