"""The app's non-secret preferences, kept in an INI file in the Waypoint config folder.

Only values that say nothing about a person may be stored here: language, idle minutes, the last
vault folder and window geometry. No usernames, no search text, no record ids: the seized-laptop
test reads this file.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QLocale, QSettings

LANGUAGES = ("en", "fr")
DEFAULT_IDLE_MINUTES = 5
MIN_IDLE_MINUTES = 1
MAX_IDLE_MINUTES = 60


class AppSettings:
    """Typed access to the INI file; unknown or broken values fall back to safe defaults."""

    def __init__(self, *, config_dir: Path) -> None:
        config_dir.mkdir(parents=True, exist_ok=True)
        self.path = config_dir / "waypoint.ini"
        self._qs = QSettings(str(self.path), QSettings.Format.IniFormat)

    @property
    def language(self) -> str:
        # Until someone chooses, follow the computer's language when we have it (French-speaking
        # West Africa is a large part of the field).
        system = QLocale.system().name().split("_")[0]
        fallback = system if system in LANGUAGES else "en"
        value = str(self._qs.value("ui/language", fallback))
        return value if value in LANGUAGES else fallback

    @language.setter
    def language(self, value: str) -> None:
        if value not in LANGUAGES:
            raise ValueError(f"unsupported language {value!r}")
        self._qs.setValue("ui/language", value)

    @property
    def idle_minutes(self) -> int:
        try:
            value = int(self._qs.value("security/idle_minutes", DEFAULT_IDLE_MINUTES))
        except (TypeError, ValueError):
            return DEFAULT_IDLE_MINUTES
        # Never longer than the maximum, whatever someone typed into the file.
        return min(max(value, MIN_IDLE_MINUTES), MAX_IDLE_MINUTES)

    @idle_minutes.setter
    def idle_minutes(self, value: int) -> None:
        if not MIN_IDLE_MINUTES <= int(value) <= MAX_IDLE_MINUTES:
            raise ValueError(f"idle minutes must be {MIN_IDLE_MINUTES}-{MAX_IDLE_MINUTES}")
        self._qs.setValue("security/idle_minutes", int(value))

    @property
    def last_vault_path(self) -> Path | None:
        value = self._qs.value("vault/last_path", "")
        return Path(str(value)) if value else None

    @last_vault_path.setter
    def last_vault_path(self, value: Path) -> None:
        self._qs.setValue("vault/last_path", str(value))

    @property
    def window_geometry(self) -> QByteArray | None:
        value = self._qs.value("ui/geometry")
        return value if isinstance(value, QByteArray) else None

    @window_geometry.setter
    def window_geometry(self, value: QByteArray) -> None:
        self._qs.setValue("ui/geometry", value)

    def sync(self) -> None:
        self._qs.sync()
