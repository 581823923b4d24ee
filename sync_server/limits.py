"""Bounded work before authentication: a request body cap (enforced while the body streams in, chunked uploads
included), per-address rate limits for enrolment and for requests that are not or fail to be authenticated, and a
refusal of control characters in paths.

Rate limits are token buckets per client address, in each server process's memory (several worker processes each
keep their own): `enrol` for POST /v2/enrol; `anonymous` for /health and anything outside /v2, and charged after
the fact for every 401. An address whose anonymous bucket is empty is refused (429) before any signature is
checked, so a flood of forged requests cannot keep the server verifying. Behind a reverse proxy the address is the
proxy's unless uvicorn is told to trust its forwarded headers (`--forwarded-allow-ips`).
"""

from __future__ import annotations

import json
import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.exceptions import HTTPException

from .settings import RateLimit

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_TRACKED_ADDRESSES = 10_000
CONTROL = frozenset(chr(c) for c in [*range(0x20), 0x7F])


async def send_json(send: Send, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]] = ()) -> None:
    data = json.dumps(body, separators=(",", ":")).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
                            *headers]})
    await send({"type": "http.response.body", "body": data})


class StartTracker:
    """Wraps `send` and remembers whether the answer has started (after that, no other answer can be sent)."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.started = False

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
        await self._send(message)


class BodyLimitMiddleware:
    def __init__(self, app: App, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            await self._refuse(send)
            return
        received = 0
        tracker = StartTracker(send)

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    # An HTTPException passes through FastAPI's body reading (anything else becomes a 400).
                    raise HTTPException(413, detail=self.message)
            return message

        try:
            await self.app(scope, limited_receive, tracker.send)
        except HTTPException as exc:  # raised outside FastAPI's handlers (e.g. by another middleware)
            if exc.status_code != 413 or tracker.started:
                raise
            await self._refuse(send)

    @property
    def message(self) -> str:
        return f"request body over {self.max_body_bytes} bytes; send fewer operations per batch"

    async def _refuse(self, send: Send) -> None:
        await send_json(send, 413, {"error": "too_large", "message": self.message}, [(b"connection", b"close")])


class TokenBuckets:
    """One bucket per address, the least recently used forgotten beyond MAX_TRACKED_ADDRESSES."""

    def __init__(self, limit: RateLimit, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.clock = clock
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def _level(self, address: str) -> float:
        now = self.clock()
        tokens, then = self.buckets.get(address, (float(self.limit.burst), now))
        tokens = min(float(self.limit.burst), tokens + (now - then) / self.limit.per_s)
        self.buckets[address] = (tokens, now)
        self.buckets.move_to_end(address)
        while len(self.buckets) > MAX_TRACKED_ADDRESSES:
            self.buckets.popitem(last=False)
        return tokens

    def empty(self, address: str) -> bool:
        return self._level(address) < 1.0

    def take(self, address: str) -> bool:
        tokens = self._level(address)
        if tokens < 1.0:
            return False
        self.buckets[address] = (tokens - 1.0, self.buckets[address][1])
        return True

    def retry_after(self, address: str) -> int:
        return max(1, math.ceil((1.0 - self._level(address)) * self.limit.per_s))


class RequestGateMiddleware:
    """Rate limits per address, and paths with control characters refused (PostgreSQL refuses NUL; a log line or a
    form id must never carry one)."""

    def __init__(self, app: App, *, enrol: RateLimit, anonymous: RateLimit) -> None:
        self.app = app
        self.enrol = TokenBuckets(enrol)
        self.anonymous = TokenBuckets(anonymous)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if any(ch in CONTROL for ch in scope.get("path", "")):
            await send_json(send, 400, {"error": "bad_request", "message": "control characters in the path"})
            return
        address = (scope.get("client") or ("unknown", 0))[0]
        path = scope.get("path", "")
        if path == "/v2/enrol":
            bucket = self.enrol
            allowed = bucket.take(address)
        elif path.startswith("/v2/"):
            bucket = self.anonymous
            allowed = not bucket.empty(address)
        else:
            bucket = self.anonymous
            allowed = bucket.take(address)
        if not allowed:
            wait = bucket.retry_after(address)
            await send_json(send, 429, {"error": "rate_limited", "retry_after_s": wait,
                                        "message": f"too many requests from this address; try again in {wait} s"},
                            [(b"retry-after", str(wait).encode())])
            return

        async def charging_send(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 401:
                self.anonymous.take(address)
            await send(message)

        await self.app(scope, receive, charging_send)
