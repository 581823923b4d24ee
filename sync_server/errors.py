"""Refusals the API turns into an HTTP status with an ErrorBody. Messages never quote the request's data."""

from __future__ import annotations

from typing import Any

from waypoint_core.protocol import SUPPORTED_VERSIONS, ErrorBody


class ProtocolError(Exception):
    def __init__(self, status: int, error: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.status = status
        self.body = ErrorBody(error=error, message=message, **details)


def unauthorised(message: str) -> ProtocolError:
    return ProtocolError(401, "unauthorised", message)


def revoked() -> ProtocolError:
    return ProtocolError(403, "device_revoked", "this device has been revoked; ask a coordinator to enrol it again")


def malformed(message: str) -> ProtocolError:
    return ProtocolError(422, "malformed", message)


def unsupported_version(version: object) -> ProtocolError:
    return ProtocolError(400, "unsupported_protocol_version",
                         f"protocol version {version} is not supported by this server; update Waypoint",
                         supported_versions=sorted(SUPPORTED_VERSIONS))
