"""A request body cap, enforced while the body streams in (a chunked upload without Content-Length included)."""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException


class BodyLimitMiddleware:
    def __init__(self, app, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            await self._refuse(send)
            return
        received = 0
        started = False

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    # An HTTPException passes through FastAPI's body parsing (anything else becomes a 400).
                    raise HTTPException(413, detail=self.message)
            return message

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except HTTPException as exc:  # raised outside FastAPI's handlers (e.g. by another middleware)
            if exc.status_code != 413 or started:
                raise
            await self._refuse(send)

    @property
    def message(self) -> str:
        return f"request body over {self.max_body_bytes} bytes; send fewer operations per batch"

    async def _refuse(self, send) -> None:
        body = json.dumps({"error": "too_large", "message": self.message}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})
