"""Structured JSON logs. Only ids, counts, error classes and timings are ever logged: never names, field values,
request bodies, SQL parameters or exception messages (a database error's message can quote the row it refused).

Our own events go through `log_event`. uvicorn's loggers are given `SafeJsonFormatter`, which writes the message
*template* (never its arguments) and the exception class (never its text or traceback), so even an error raised
where our handlers cannot see it leaves one harmless JSON line.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

LOGGER_NAME = "waypoint.server"


class JsonFormatter(logging.Formatter):
    """For our own events: static messages plus the id/count fields passed in `extra={"fields": ...}`."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {"ts": round(record.created, 3), "level": record.levelname.lower(),
                                 "event": record.getMessage()}
        entry.update(getattr(record, "fields", {}))
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
        return json.dumps(entry, separators=(",", ":"), default=str)


class SafeJsonFormatter(logging.Formatter):
    """For third-party loggers (uvicorn): the message template and the exception class only. A message of several
    lines keeps its first: Starlette hands uvicorn a failed startup's whole traceback as the message."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {"ts": round(record.created, 3), "level": record.levelname.lower(),
                                 "logger": record.name, "event": str(record.msg).split("\n", 1)[0][:200]}
        if isinstance(record.msg, BaseException):  # uvicorn logs a port it cannot bind as the exception itself
            entry["error"] = type(record.msg).__name__
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
        return json.dumps(entry, separators=(",", ":"))


def configure(level: int = logging.INFO) -> logging.Logger:
    logger = logging.getLogger(LOGGER_NAME)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
        logger.propagate = False
    logger.setLevel(level)
    return logger


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's `log_config`: its error logger writes SafeJsonFormatter lines; the access log stays off (query
    strings and client addresses)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"safe": {"()": f"{__name__}.SafeJsonFormatter"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "safe", "stream": "ext://sys.stderr"}},
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
            "uvicorn.error": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
        },
    }


def log_event(event: str, *, level: int = logging.INFO, **fields: Any) -> None:
    logging.getLogger(LOGGER_NAME).log(level, event, extra={"fields": fields})


def elapsed_ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)
