"""Server settings: where the data lives, which database, and the limits. Built once, passed in explicitly."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import platformdirs

from .merge import DEFAULT_IDENTITY_FIELDS

APP_NAME = "WaypointServer"


def default_data_dir() -> Path:
    home = os.environ.get("WAYPOINT_SERVER_HOME")
    return Path(home) if home else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def normalise_database_url(url: str) -> str:
    """postgres:// and postgresql:// mean psycopg 3 here (SQLAlchemy would otherwise look for psycopg2)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    max_body_bytes: int = 8 * 1024 * 1024
    enrol_code_ttl: timedelta = timedelta(hours=72)
    request_clock_skew_s: int = 300  # signed GET requests older or newer than this are refused
    db_pool_size: int = 10
    # Fields whose concurrent change always opens a conflict for review (matched on the last path segment).
    identity_fields: frozenset[str] = DEFAULT_IDENTITY_FIELDS

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @classmethod
    def from_env(cls, *, data_dir: Path | None = None, **overrides) -> Settings:
        """--data-dir beats WAYPOINT_SERVER_HOME beats the platform data folder; DATABASE_URL beats SQLite."""
        folder = Path(data_dir) if data_dir else default_data_dir()
        url = normalise_database_url(os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'server.db'}")
        if os.environ.get("WAYPOINT_IDENTITY_FIELDS"):
            overrides.setdefault("identity_fields", frozenset(
                f.strip().lower() for f in os.environ["WAYPOINT_IDENTITY_FIELDS"].split(",") if f.strip()))
        if "WAYPOINT_MAX_BODY_BYTES" in os.environ:
            overrides.setdefault("max_body_bytes", int(os.environ["WAYPOINT_MAX_BODY_BYTES"]))
        return cls(data_dir=folder, database_url=url, **overrides)

    def ensure_data_dir(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
