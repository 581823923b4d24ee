"""Canonical bytes and Ed25519 signatures for the sync wire format (protocol 2), shared by device and server.

Everything signed is `DOMAIN_TAG || message`: the domain tag stops a signature made for one purpose (a request) being
replayed as another (an answer, a batch, a key rotation). Two kinds of message:

* requests and answers are bound together: the device signs the method, the raw path and raw query exactly as sent
  (percent-encoding included, so any form id works), its device id, the request time and the SHA-256 of the body;
  the server signs the same request fields plus the status, its own time, its key id and the SHA-256 of the answer.
  An answer captured for one request (another cursor, another device, another time) never verifies for another.
* objects (push batches, published forms, key rotations, enrolment proofs) are signed over canonical JSON or over
  their raw bytes, so they can travel on their own (a USB stick).

Canonical JSON = sorted keys, no spaces, UTF-8, no floats, so both sides produce the same bytes from the same model.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
import orjson

DOMAIN_BATCH = b"waypoint/push-batch/v2\x00"
DOMAIN_REQUEST = b"waypoint/request/v2\x00"
DOMAIN_ENROL = b"waypoint/enrol/v2\x00"
DOMAIN_RESPONSE = b"waypoint/response/v2\x00"
DOMAIN_FORM = b"waypoint/form/v1\x00"  # published forms keep their v1 signatures: the signed fields did not change
DOMAIN_ROTATION = b"waypoint/key-rotation/v2\x00"
DOMAIN_VERSION = b"waypoint/record-version/v2\x00"

# Request headers: every device request except enrolment carries all three (push included: its body is signed here).
HEADER_DEVICE = "Waypoint-Device"
HEADER_TIME = "Waypoint-Time"  # Unix seconds, digits only, at most 12 of them
HEADER_SIGNATURE = "Waypoint-Signature"
# Answer headers: every /v2 answer (refusals included) is signed by the server's current signing key.
HEADER_SERVER_SIGNATURE = "Waypoint-Server-Signature"
HEADER_SERVER_TIME = "Waypoint-Server-Time"  # Unix milliseconds of the server's clock
HEADER_SERVER_KEY = "Waypoint-Server-Key"  # the id of the key that signed this answer

MAX_TIME_DIGITS = 12
TIME_RE = re.compile(rf"^[0-9]{{1,{MAX_TIME_DIGITS}}}$")
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SIGNATURE_RE = re.compile(r"^[A-Za-z0-9+/]{86}==$")


# json.dumps with these options makes a new encoder at every call; one made once gives the same bytes (encode holds no
# state between calls) for about a quarter less time per record version hashed: a pull hashes every change it gets.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def canonical_json(value: object) -> bytes:
    """The one byte encoding of a JSON value that both sides sign and verify."""
    return _CANONICAL.encode(value).encode("utf-8")


_PLAIN = frozenset({str, int, bool, type(None)})
_RECORD = _PLAIN | {dict}


def canonical_json_of_record(value: dict[str, Any]) -> bytes:
    """canonical_json(value) for a dict whose values are text, whole numbers, booleans, None or a dict of those (a
    record version: its form, content and fields), written by orjson: several times faster, which every change a pull
    receives needs (its version hash is computed again). orjson refuses what it would write otherwise than the json
    module (an integer beyond 64 bits, a lone surrogate, a key that is not text): those, and any other value (a float,
    which orjson writes its own way), go to canonical_json. (tests/core/test_canonical_json.py checks both agree.)"""
    if not _RECORD.issuperset(map(type, value.values())) or not all(
            _PLAIN.issuperset(map(type, item.values())) for item in value.values() if item.__class__ is dict):
        return canonical_json(value)
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # orjson.JSONEncodeError
        return canonical_json(value)


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def public_key_from_b64(text: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(b64decode(text))


def verify(public_key: Ed25519PublicKey | str, signature_b64: str, domain: bytes, message: bytes) -> bool:
    """True when `signature_b64` is a valid signature of domain||message; never raises on bad input."""
    try:
        key = public_key_from_b64(public_key) if isinstance(public_key, str) else public_key
        key.verify(b64decode(signature_b64), domain + message)
        return True
    except (InvalidSignature, ValueError, TypeError, UnicodeEncodeError):
        return False


@dataclass(frozen=True)
class RequestBinding:
    """What identifies one HTTP request: the fields a device signs and the server's answer is bound to.

    `raw_path` and `raw_query` are exactly the bytes on the request line (percent-encoding kept, no '?');
    `device_id` and `time` are the header values as sent ("" when absent, as for an enrolment's device id).
    """

    method: str
    raw_path: str
    raw_query: str
    device_id: str
    time: str

    def lines(self) -> list[str]:
        return [self.method.upper(), self.raw_path, self.raw_query, self.device_id, self.time]

    @classmethod
    def split(cls, method: str, path_url: str, *, device_id: str = "", time: str = "") -> RequestBinding:
        """From a request line's target ("/v2/changes?cursor=..."), as a client library prepared it."""
        path, _, query = path_url.partition("?")
        return cls(method, path, query, device_id, time)


def request_message(binding: RequestBinding, body: bytes) -> bytes:
    """What a device's request signature covers."""
    return "\n".join([*binding.lines(), sha256_hex(body)]).encode("utf-8")


def answer_message(binding: RequestBinding, *, status: int, server_time_ms: int, key_id: str, body: bytes) -> bytes:
    """What the server's answer signature covers: the request it answers, then the answer itself."""
    return "\n".join([*binding.lines(), str(status), str(server_time_ms), key_id, sha256_hex(body)]).encode("utf-8")


def now_ms() -> int:
    return time.time_ns() // 1_000_000


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
        return self.private_key.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )

    @property
    def public_b64(self) -> str:
        return b64encode(self.private_key.public_key().public_bytes_raw())

    @property
    def key_id(self) -> str:
        return key_id(self.public_b64)

    def sign(self, domain: bytes, message: bytes) -> str:
        return b64encode(self.private_key.sign(domain + message))

    def request_headers(self, *, device_id: str, method: str, path_url: str, body: bytes = b"",
                        now: int | None = None) -> dict[str, str]:
        """Headers that authenticate one HTTP request from a device; `path_url` exactly as it goes on the wire."""
        stamp = str(int(time.time()) if now is None else now)
        binding = RequestBinding.split(method, path_url, device_id=device_id, time=stamp)
        signature = self.sign(DOMAIN_REQUEST, request_message(binding, body))
        return {HEADER_DEVICE: device_id, HEADER_TIME: stamp, HEADER_SIGNATURE: signature}


def key_id(public_b64: str) -> str:
    """A short, stable name for a public key (first 16 hex digits of its SHA-256)."""
    return hashlib.sha256(b64decode(public_b64)).hexdigest()[:16]
