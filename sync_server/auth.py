"""Who is asking: a device authenticated by its Ed25519 signature over this exact request.

The signature covers the method, the raw path and query exactly as they came on the request line (so a form id
that needs percent-encoding, `enqu%C3%AAte`, is checked as sent, not as decoded), the device id, the request time
and the SHA-256 of the body. Header values are checked for shape before anything else: a 400-digit time is a 401
with a sentence, never an overflow.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from sqlalchemy import bindparam, select
from starlette.concurrency import run_in_threadpool

from waypoint_core.protocol import (
    DOMAIN_REQUEST, HEADER_DEVICE, HEADER_SIGNATURE, HEADER_TIME, RequestBinding, request_message, verify,
)
from waypoint_core.protocol.signing import SIGNATURE_RE, TIME_RE, UUID_RE

from .db import Database
from .errors import revoked, unauthorised
from .tables import Device


def _header(scope: dict[str, Any], name: str) -> str:
    wanted = name.lower().encode("latin-1")
    for key, value in scope.get("headers") or ():
        if key == wanted:
            return value.decode("latin-1")
    return ""


def binding_of(scope: dict[str, Any]) -> RequestBinding:
    """The request as the device signed it and as the server's answer is bound to it."""
    raw_path = scope.get("raw_path") or scope.get("path", "").encode("utf-8")
    return RequestBinding(method=scope.get("method", ""), raw_path=raw_path.decode("utf-8", "replace"),
                          raw_query=(scope.get("query_string") or b"").decode("utf-8", "replace"),
                          device_id=_header(scope, HEADER_DEVICE), time=_header(scope, HEADER_TIME))


def claimed_device(scope: dict[str, Any]) -> str | None:
    """The claimed device id, if it is an id at all (a header is caller-controlled text: never log it raw)."""
    claimed = _header(scope, HEADER_DEVICE)
    return claimed if UUID_RE.match(claimed) else None


@dataclass(frozen=True)
class AuthenticatedDevice:
    id: str
    centre_id: str
    high_water_mark: int
    served_cursor: int
    acked_seq: int = 0  # the feed position it last acknowledged (forget.py)


# Built once: every signed request reads it (building the statement was most of its cost).
_DEVICE_ROW = select(Device.id, Device.centre_id, Device.public_key, Device.revoked_at, Device.high_water_mark,
                     Device.served_cursor, Device.acked_seq).where(Device.id == bindparam("device_id"))


def _device_row(conn: Any, device_id: str) -> Any:
    return conn.execute(_DEVICE_ROW, {"device_id": device_id}).first()


def _signature_valid(public_key: str, signature: str, binding: RequestBinding, body: bytes) -> bool:
    return verify(public_key, signature, DOMAIN_REQUEST, request_message(binding, body))


@dataclass(frozen=True)
class SignedRequest:
    """A request's signature headers, checked for shape and time, and its body: what authenticates it."""

    binding: RequestBinding
    signature: str
    body: bytes

    def device(self, db: Database, then: Callable[[Any, AuthenticatedDevice], None] | None = None
               ) -> AuthenticatedDevice:
        """In a worker thread: the device that signed this request, or 401/403; then `then(conn, device)`, on the
        same connection (the lost-laptop order: app.py)."""
        return _authenticated(db, self.binding, self.signature, self.body, then)


async def signed_request(request: Request, *, clock_skew_s: int) -> SignedRequest:
    """The request's signature headers checked for shape and time (401 otherwise) and its body read (bounded by the
    body limit); the signature itself is verified by SignedRequest.device, before anything parses the body."""
    binding = binding_of(request.scope)
    signature = request.headers.get(HEADER_SIGNATURE, "")
    if not (binding.device_id and binding.time and signature):
        raise unauthorised(f"missing {HEADER_DEVICE}, {HEADER_TIME} or {HEADER_SIGNATURE} header")
    if not UUID_RE.match(binding.device_id):
        raise unauthorised(f"{HEADER_DEVICE} must be a device id")
    if not TIME_RE.match(binding.time):
        raise unauthorised(f"{HEADER_TIME} must be whole seconds since 1970 (digits only, at most 12)")
    if not SIGNATURE_RE.match(signature):
        raise unauthorised(f"{HEADER_SIGNATURE} is not a signature")
    if abs(time.time() - int(binding.time)) > clock_skew_s:
        raise unauthorised("request time too far from the server's clock (check the laptop's clock)")
    return SignedRequest(binding, signature, await request.body())


async def authenticate(request: Request, *, db: Database, clock_skew_s: int,
                       then: Callable[[Any, AuthenticatedDevice], None] | None = None) -> AuthenticatedDevice:
    """The device that signed this request, or 401/403. The body is read (bounded by the body limit) and its
    signature verified before anything parses it. `then(conn, device)`: what else to check once the device is known,
    on the same connection and worker thread (the lost-laptop order: app.py)."""
    signed = await signed_request(request, clock_skew_s=clock_skew_s)
    return await run_in_threadpool(signed.device, db, then)


def _authenticated(db: Database, binding: RequestBinding, signature: str, body: bytes,
                   then: Callable[[Any, AuthenticatedDevice], None] | None) -> AuthenticatedDevice:
    """The device's row read, its signature checked and `then` run in one worker-thread call and one connection."""
    with db.read_engine.connect() as conn:
        row = _device_row(conn, binding.device_id)
        if row is None or not _signature_valid(row.public_key, signature, binding, body):
            raise unauthorised("unknown device or bad request signature")
        if row.revoked_at is not None:
            raise revoked()
        device = AuthenticatedDevice(row.id, row.centre_id, row.high_water_mark, row.served_cursor, row.acked_seq)
        if then is not None:
            then(conn, device)
    return device
