"""Pull: the change feed since a cursor, for the device's centre only, in commit order (see push.py)."""

from __future__ import annotations

import json

from sqlalchemy import and_, select

from waypoint_core.protocol import PROTOCOL_VERSION, Change, PullPage

from .db import Database
from .merge import CONTENT, DELETED, public_fields, split_form
from .tables import ChangeRow, RecordVersion


def pull(db: Database, *, centre_id: str, since: int, limit: int) -> PullPage:
    c, v = ChangeRow.__table__, RecordVersion.__table__
    query = (
        select(c.c.seq, v.c.record_id, v.c.server_version, v.c.state, v.c.hlc, v.c.device_id)
        .select_from(c.join(v, and_(v.c.record_id == c.c.record_id, v.c.server_version == c.c.server_version)))
        .where(c.c.centre_id == centre_id, c.c.seq > since)
        .order_by(c.c.seq)
        .limit(limit + 1)
    )
    with db.read_engine.connect() as conn:
        rows = conn.execute(query).all()
    has_more = len(rows) > limit
    changes = []
    for row in rows[:limit]:
        values = json.loads(row.state)
        form_id, form_version = split_form(values)
        deleted = bool(values.get(DELETED))
        # A tombstone travels without the person's data: a deleted registration must not spread to more laptops.
        # The server keeps the last data in record_version for review.
        changes.append(Change(cursor=row.seq, record_id=row.record_id, server_version=row.server_version,
                              deleted=deleted, form_id=form_id, form_version=form_version,
                              fields={} if deleted else public_fields(values),
                              content=None if deleted else values.get(CONTENT), hlc=row.hlc,
                              origin_device_id=row.device_id))
    next_cursor = changes[-1].cursor if changes else since
    return PullPage(protocol_version=PROTOCOL_VERSION, changes=changes, next_cursor=next_cursor, has_more=has_more)
