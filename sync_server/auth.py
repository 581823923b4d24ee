"""Who is asking: a device authenticated by its Ed25519 signature over this exact request (GET endpoints)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from sqlalchemy import select

from waypoint_core.protocol import HEADER_DEVICE, HEADER_SIGNATURE, HEADER_TIME, DOMAIN_REQUEST, request_message, verify

from .db import Database
from .errors import revoked, unauthorised
from .tables import Device


def _device_row(db: Database, device_id: str):
    with db.read_engine.connect() as conn:
        return conn.execute(
            select(Device.id, Device.centre_id, Device.public_key, Device.revoked_at, Device.high_water_mark)
            .where(Device.id == device_id)
        ).first()


@dataclass(frozen=True)
class AuthenticatedDevice:
    id: str
    centre_id: str
    high_water_mark: int


async def authenticate(request: Request, *, db: Database, clock_skew_s: int) -> AuthenticatedDevice:
    device_id = request.headers.get(HEADER_DEVICE)
    stamp = request.headers.get(HEADER_TIME)
    signature = request.headers.get(HEADER_SIGNATURE)
    if not (device_id and stamp and signature):
        raise unauthorised(f"missing {HEADER_DEVICE}, {HEADER_TIME} or {HEADER_SIGNATURE} header")
    try:
        timestamp = int(stamp)
    except ValueError:
        raise unauthorised(f"{HEADER_TIME} must be whole seconds since 1970") from None
    if abs(time.time() - timestamp) > clock_skew_s:
        raise unauthorised("request time too far from the server's clock (check the laptop's clock)")
    body = await request.body()
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    row = await run_in_threadpool(_device_row, db, device_id)
    if row is None or not verify(row.public_key, signature, DOMAIN_REQUEST,
                                 request_message(request.method, path, timestamp, body)):
        raise unauthorised("unknown device or bad request signature")
    if row.revoked_at is not None:
        raise revoked()
    return AuthenticatedDevice(row.id, row.centre_id, row.high_water_mark)
