"""An older vault opens with its schema brought up to date: the unlock screen says so, step by step, in the person's
language (a migration over 100,000 records takes minutes; the screen must not say "a few seconds" all along)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop_app.vault import database

pytestmark = pytest.mark.gui

FIXTURE = Path(__file__).parents[1] / "vault" / "fixtures" / "vault-v1"  # schema 1, made by an old release
ADMIN, PASSPHRASE = "admin-v1", "fixture passphrase v1"


@pytest.mark.parametrize(("language", "words"), [
    ("en", "Updating the vault for this version of Waypoint: step {done} of {steps}."),
    ("fr", "Mise à jour du coffre-fort pour cette version de Waypoint\u00a0: étape {done} sur {steps}."),
])
def test_the_unlock_screen_shows_each_migration_step(qtbot, make_app, tmp_path, language, words):
    vault = tmp_path / "vault-v1"
    shutil.copytree(FIXTURE, vault)
    app = make_app(vault_path=vault, language=language)
    window = app.window
    window.show()
    qtbot.waitExposed(window)
    page = window.unlock_page
    assert window.stack.currentWidget() is page
    seen: list[tuple[int, int, str, int, int, bool]] = []
    app.controller.migrating.connect(lambda done, steps: seen.append(
        (done, steps, page.busy.label.text(), page.busy.bar.value(), page.busy.bar.maximum(), page.busy.isVisible())))
    page.username.setText(ADMIN)
    qtbot.keyClicks(page.passphrase, PASSPHRASE)
    with qtbot.waitSignal(app.controller.unlocked, timeout=60_000):
        qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)
    steps = database.latest_version() - 1 + 1  # every migration after 1, then the check and compaction
    assert [(done, total) for done, total, *_ in seen] == [(n, steps) for n in range(steps + 1)]
    for done, total, text, value, maximum, visible in seen:
        assert visible and (value, maximum) == (done, total)
        assert text.startswith(words.format(done=min(done + 1, total), steps=total)), text
    assert window.stack.currentWidget() is window.registrations_page
    # the next opening is as any other: no migration said
    app.controller.lock()
    assert page.busy.label.text() in ("Opening the vault… this takes a few seconds.",
                                      "Ouverture du coffre-fort… cela prend quelques secondes.")
    assert (page.busy.bar.minimum(), page.busy.bar.maximum()) == (0, 0)
