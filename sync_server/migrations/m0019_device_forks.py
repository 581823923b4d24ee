"""Migration 0019: `device.forks`, where a device's numbering forked (its vault copied onto another machine, or put
back from an older copy): each fork's last agreed seq, the high-water mark then, and whether a second live copy
showed itself (forks.py). NULL for every device until its numbering forks."""

from __future__ import annotations

from sqlalchemy import inspect, text

VERSION = 19
NAME = "device_forks"


def upgrade(conn, context) -> None:
    if "forks" not in {column["name"] for column in inspect(conn).get_columns("device")}:
        conn.execute(text("ALTER TABLE device ADD COLUMN forks TEXT"))
