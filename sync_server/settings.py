"""Server settings: where the data lives, which database, and the limits. Built once, passed in explicitly."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import platformdirs

from waypoint_core.protocol import MAX_HLC_AHEAD_MS, PULL_PAGE_BYTES

from .files import StartupRefused
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


def describe_database(url: str) -> str:
    """The database as the operator should see it in a message: the SQLite file, or PostgreSQL's host, port and
    database; never a user name's password."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return "a DATABASE_URL that is not a database address"
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite {parsed.database}"
    return f"PostgreSQL {parsed.host or 'localhost'}:{parsed.port or 5432}/{parsed.database}"


def _check_database_url(url: str) -> None:
    """Only SQLite and PostgreSQL (psycopg 3) are served: anything else is refused here, in words, rather than by a
    driver's traceback (a mistyped scheme once ended in `No module named 'MySQLdb'`)."""
    if url.startswith("sqlite:///") or url.startswith("postgresql+psycopg://"):
        return
    raise StartupRefused("DATABASE_URL is not a database this server uses: set it to "
                         "postgresql+psycopg://USER@HOST:5432/DATABASE (postgres:// also works), or leave it unset "
                         "for SQLite in the data folder (nothing was changed)")


@dataclass(frozen=True)
class RateLimit:
    """A token bucket per client address: `burst` requests at once, then one every `per_s` seconds."""

    burst: int
    per_s: float

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        burst, _, per = text.partition("/")
        return cls(int(burst), float(per or 1))


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    max_body_bytes: int = 8 * 1024 * 1024
    page_bytes: int = PULL_PAGE_BYTES  # a pull page stops growing at this size
    enrol_code_ttl: timedelta = timedelta(hours=72)
    request_clock_skew_s: int = 300  # signed requests older or newer than this are refused
    hlc_ahead_ms: int = MAX_HLC_AHEAD_MS  # ops whose hlc is further ahead of the server's clock are refused
    db_pool_size: int = 10
    # Fields whose concurrent change always opens a conflict for review (matched on the last path segment).
    identity_fields: frozenset[str] = DEFAULT_IDENTITY_FIELDS
    # Per client address: enrolment attempts, and requests that are not (yet) authenticated or failed to be.
    enrol_rate: RateLimit = field(default_factory=lambda: RateLimit(10, 6.0))
    anonymous_rate: RateLimit = field(default_factory=lambda: RateLimit(60, 0.5))
    api_docs: bool = False  # /docs and /openapi.json: development only

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path | None:
        return Path(self.database_url.removeprefix("sqlite:///")) if self.is_sqlite else None

    @classmethod
    def from_env(cls, *, data_dir: Path | None = None, **overrides) -> Settings:
        """--data-dir beats WAYPOINT_SERVER_HOME beats the platform data folder; DATABASE_URL beats SQLite."""
        folder = Path(data_dir) if data_dir else default_data_dir()
        url = normalise_database_url(os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'server.db'}")
        _check_database_url(url)
        env = os.environ
        if env.get("WAYPOINT_IDENTITY_FIELDS"):
            overrides.setdefault("identity_fields", frozenset(
                f.strip().lower() for f in env["WAYPOINT_IDENTITY_FIELDS"].split(",") if f.strip()))
        for name, key, convert in (("max_body_bytes", "WAYPOINT_MAX_BODY_BYTES", int),
                                   ("page_bytes", "WAYPOINT_PAGE_BYTES", int),
                                   ("enrol_rate", "WAYPOINT_ENROL_RATE", RateLimit.parse),
                                   ("anonymous_rate", "WAYPOINT_ANONYMOUS_RATE", RateLimit.parse)):
            if key in env:
                overrides.setdefault(name, convert(env[key]))
        if env.get("WAYPOINT_API_DOCS"):
            overrides.setdefault("api_docs", True)
        return cls(data_dir=folder, database_url=url, **overrides)
