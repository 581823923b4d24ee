"""The two outer layers of every request: answers signed and bound to their request, and a last-resort error
barrier that logs one JSON line (error class and ids) and answers 503, so no traceback ever reaches a log.

Answer signatures: every /v2 answer, refusals included, is signed over the request it answers (method, raw path and
query, device id, request time), the status, the server's time, the signing key id and the SHA-256 of the body
(protocol.answer_message). The body is held until it is complete; pull pages are bounded by their byte budget, so
this holds at most one page.
"""

from __future__ import annotations

import logging
from typing import Any

from waypoint_core.protocol import (
    DOMAIN_RESPONSE, HEADER_SERVER_KEY, HEADER_SERVER_SIGNATURE, HEADER_SERVER_TIME, SigningKey, answer_message, now_ms,
)

from . import logs
from .auth import binding_of, claimed_device
from .limits import App, Message, Receive, Scope, Send, StartTracker, send_json


class SigningMiddleware:
    def __init__(self, app: App, *, signing: SigningKey) -> None:
        self.app = app
        self.signing = signing
        self.key_id = signing.key_id  # (derived from the public key: once, not twice per answer)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith("/v2/"):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        parts: list[bytes] = []

        async def holding_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            parts.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(parts)
            server_time = now_ms()
            signature = self.signing.sign(DOMAIN_RESPONSE, answer_message(
                binding_of(scope), status=start["status"], server_time_ms=server_time, key_id=self.key_id,
                body=body))
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            headers += [(b"content-length", str(len(body)).encode()),
                        (HEADER_SERVER_SIGNATURE.lower().encode(), signature.encode()),
                        (HEADER_SERVER_TIME.lower().encode(), str(server_time).encode()),
                        (HEADER_SERVER_KEY.lower().encode(), self.key_id.encode())]
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, holding_send)


def route_name(scope: Scope) -> str:
    """The matched route's template (never the raw path, which is caller-controlled text)."""
    route: Any = scope.get("route")
    return getattr(route, "path", None) or "unmatched"


class Requests:
    """Requests begun and requests that ran to their end (answered, or refused by the barrier), for the stop's log
    line: one begun and never ended was cancelled when the server stopped (uvicorn waits a few seconds for them)."""

    def __init__(self) -> None:
        self.begun = 0
        self.ended = 0

    @property
    def cut_short(self) -> int:
        return self.begun - self.ended


class ErrorBarrier:
    """Outermost: whatever escapes the handlers becomes one JSON log line and a 503 with an error body."""

    def __init__(self, app: App, *, requests: Requests | None = None) -> None:
        self.app = app
        self.requests = requests or Requests()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.requests.begun += 1
        tracker = StartTracker(send)
        try:
            await self.app(scope, receive, tracker.send)
        except Exception as exc:  # the one place that catches everything
            logs.log_event("error", level=logging.ERROR, error=type(exc).__name__,
                           cause=type(exc.__cause__).__name__ if exc.__cause__ else None,
                           route=route_name(scope), device_id=claimed_device(scope))
            if not tracker.started:
                await send_json(send, 503, {"error": "server_error", "message": "the server could not complete this "
                                            "request; try again later (nothing is lost: the device keeps its outbox)"})
        # not reached when the request is cancelled (CancelledError): it stays counted as cut short
        self.requests.ended += 1
