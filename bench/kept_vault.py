"""A bench's vault kept between runs (`--keep DIR`): built once through the real writer, only unlocked after.

`done` beside the vault marks a finished build and holds how long it took, in seconds; a build that did not finish
leaves no mark, so the next run starts it again from an empty vault."""

from __future__ import annotations

import shutil
from pathlib import Path

from desktop_app.vault import Vault

USER, PASSPHRASE = "bench", "bench passphrase one"


def open_or_create(path: Path, done: Path, kept: bool) -> tuple[Vault, float | None]:
    """The vault a finished earlier run kept, with its build time, when `kept`; else a new, empty one and None (the
    caller builds it, then writes the time into `done` when `kept`)."""
    if kept and done.exists():
        return Vault.unlock(path, username=USER, passphrase=PASSPHRASE), float(done.read_text())
    if path.exists():
        shutil.rmtree(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    vault, _ = Vault.create(path, admin_username=USER, admin_passphrase=PASSPHRASE, kdf_profile="test")
    return vault, None
