"""Canonical bytes and Ed25519 signatures for the sync wire format, shared by device and server.

Everything signed is `DOMAIN_TAG || canonical JSON`: the domain tag stops a signature made for one purpose (a push
batch) being replayed as another (a request, an enrolment). Canonical JSON = sorted keys, no spaces, UTF-8, no floats,
so both sides produce the same bytes from the same pydantic model.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

DOMAIN_BATCH = b"waypoint/push-batch/v1\x00"
DOMAIN_REQUEST = b"waypoint/request/v1\x00"
DOMAIN_ENROL = b"waypoint/enrol/v1\x00"
DOMAIN_RESPONSE = b"waypoint/response/v1\x00"
DOMAIN_FORM = b"waypoint/form/v1\x00"

# Request-signature headers (every device request except enrolment and push, whose bodies carry their own signature).
HEADER_DEVICE = "Waypoint-Device"
HEADER_TIME = "Waypoint-Time"
HEADER_SIGNATURE = "Waypoint-Signature"
# The server signs the bytes of its push, pull and enrolment answers with its pinned signing key.
HEADER_SERVER_SIGNATURE = "Waypoint-Server-Signature"


def canonical_json(value: Any) -> bytes:
    """The one byte encoding of a JSON value that both sides sign and verify."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def public_key_from_b64(text: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(b64decode(text))


def verify(public_key: Ed25519PublicKey | str, signature_b64: str, domain: bytes, message: bytes) -> bool:
    """True when `signature_b64` is a valid signature of domain||message; never raises on bad input."""
    try:
        key = public_key_from_b64(public_key) if isinstance(public_key, str) else public_key
        key.verify(b64decode(signature_b64), domain + message)
        return True
    except (InvalidSignature, ValueError, TypeError):
        return False


def request_message(method: str, path_with_query: str, timestamp: int, body: bytes) -> bytes:
    """What a request signature covers: method, path and query, time, and the body's hash."""
    return f"{method.upper()}\n{path_with_query}\n{timestamp}\n{hashlib.sha256(body).hexdigest()}".encode()


@dataclass(frozen=True)
class SigningKey:
    """An Ed25519 key pair with the signing operations the protocol needs (device key or server key)."""

    private_key: Ed25519PrivateKey

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_raw(cls, raw: bytes) -> SigningKey:
        return cls(Ed25519PrivateKey.from_private_bytes(raw))

    def raw(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self.private_key.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )

    @property
    def public_b64(self) -> str:
        return b64encode(self.private_key.public_key().public_bytes_raw())

    def sign(self, domain: bytes, message: bytes) -> str:
        return b64encode(self.private_key.sign(domain + message))

    def request_headers(
        self, *, device_id: str, method: str, path_with_query: str, body: bytes = b"", now: int | None = None
    ) -> dict[str, str]:
        """Headers that authenticate one HTTP request from a device."""
        timestamp = int(time.time()) if now is None else now
        signature = self.sign(DOMAIN_REQUEST, request_message(method, path_with_query, timestamp, body))
        return {HEADER_DEVICE: device_id, HEADER_TIME: str(timestamp), HEADER_SIGNATURE: signature}


def key_id(public_b64: str) -> str:
    """A short, stable name for a public key (first 16 hex digits of its SHA-256)."""
    return hashlib.sha256(b64decode(public_b64)).hexdigest()[:16]
