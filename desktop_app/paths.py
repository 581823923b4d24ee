"""Where Waypoint keeps its files on this machine.

One place decides every folder the app writes to, so the seized-laptop test can search all of them.
`WAYPOINT_HOME` moves everything under one folder (tests, portable installs on a USB stick).
"""

from __future__ import annotations

import os
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
    return AppPaths(
        Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_runtime_dir(APP_NAME, appauthor=False)),
    )
