"""Structured JSON logs. Only ids, counts and timings are ever logged: never names, fields or request bodies."""

from __future__ import annotations

import json
import logging
import sys
import time

LOGGER_NAME = "waypoint.server"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"ts": round(record.created, 3), "level": record.levelname.lower(), "event": record.getMessage()}
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["error"] = record.exc_info[0].__name__ if record.exc_info[0] else "unknown"
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


def log_event(event: str, **fields) -> None:
    logging.getLogger(LOGGER_NAME).info(event, extra={"fields": fields})


def elapsed_ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)
