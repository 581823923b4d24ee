"""Migration 0022: `op_result.code` and `op_result.code_values`, a rejected op's refusal code and its values (JSON),
waypoint_core/protocol/refusals.py, stored beside its English sentence (`message`) so a batch sent again is answered
with them too. NULL for every op not rejected, and for those rejected before: their answer carries the sentence
only, which the device reads as an older server's."""

from __future__ import annotations

from sqlalchemy import inspect, text

VERSION = 22
NAME = "op_result_code"


def upgrade(conn, context) -> None:
    columns = {column["name"] for column in inspect(conn).get_columns("op_result")}
    if "code" not in columns:
        conn.execute(text("ALTER TABLE op_result ADD COLUMN code TEXT"))
    if "code_values" not in columns:
        conn.execute(text("ALTER TABLE op_result ADD COLUMN code_values TEXT"))
