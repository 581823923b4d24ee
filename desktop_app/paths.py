"""Where Waypoint keeps its files on this machine.

One place decides every folder the app writes to, so the seized-laptop test can search all of them.
`WAYPOINT_HOME` moves everything under one folder (tests, portable installs on a USB stick).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "Waypoint"


@dataclass(frozen=True)
class AppPaths:
    data: Path  # default vault location lives here
    config: Path  # non-secret settings (language, idle timeout, last vault path)
    cache: Path
    temp: Path

    @property
    def default_vault(self) -> Path:
        return self.data / "vault"

    def all(self) -> list[Path]:
        return [self.data, self.config, self.cache, self.temp]


def app_paths() -> AppPaths:
    home = os.environ.get("WAYPOINT_HOME")
    if home:
        base = Path(home)
        return AppPaths(base / "data", base / "config", base / "cache", base / "tmp")
    cache = Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))
    return AppPaths(
        Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        cache,
        _runtime_dir(cache),
    )


def _runtime_dir(cache: Path) -> Path:
    # Without XDG_RUNTIME_DIR (su, ssh, cron) platformdirs warns on every call and falls back to a folder
    # in the shared /tmp; the user's own cache folder is private and says nothing.
    if sys.platform.startswith("linux") and not os.environ.get("XDG_RUNTIME_DIR"):
        return cache / "runtime"
    return Path(platformdirs.user_runtime_dir(APP_NAME, appauthor=False))


def open_private(path: Path, mode: str = "wb", **kwargs):
    """Create (or empty) `path` readable and writable by its owner only (0600, whatever the umask), and open it.

    For files the app writes outside its vault that hold a person, or their sealed copy: an opened export, a
    sealed export, the audit log's CSV. Under the usual umask 022 `open(path, "w")` leaves them readable by every
    account of the computer (a shared office machine, a laptop several staff log in to)."""
    if not mode.startswith("w"):
        raise ValueError("open_private creates files: mode 'w…'")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
    try:
        if hasattr(os, "fchmod"):  # a file that was already there keeps its mode otherwise
            os.fchmod(fd, 0o600)
        return os.fdopen(fd, mode, **kwargs)
    except BaseException:
        os.close(fd)
        raise
