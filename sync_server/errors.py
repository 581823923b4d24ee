"""Refusals the API turns into an HTTP status with an ErrorBody. Messages never quote the request's data."""

from __future__ import annotations

from waypoint_core.protocol import ErrorBody


class ProtocolError(Exception):
    def __init__(self, status: int, error: str, message: str, **details) -> None:
        super().__init__(message)
        self.status = status
        self.body = ErrorBody(error=error, message=message, **details)


def unauthorised(message: str) -> ProtocolError:
    return ProtocolError(401, "unauthorised", message)


def revoked() -> ProtocolError:
    return ProtocolError(403, "device_revoked", "this device has been revoked; ask a coordinator to enrol it again")
