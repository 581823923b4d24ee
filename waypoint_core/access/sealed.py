"""Answers of class P3, sealed for the roles that may read them: the same bytes on the device, in sync and on the server.

A P3 answer (trafficking profile, gender-based violence, health, narratives: ../shared/reference/data-model.md §7.1)
is stored as a token in the record's instance XML instead of its text:

    wp:p3:1:<key id>:<base64url of HPKE enc ‖ ciphertext>

HPKE (RFC 9180) single-shot to a *field key*'s public half: X25519 KEM, HKDF-SHA256 key schedule (each answer gets
its own AES key and nonce, derived from a fresh ephemeral exchange), AES-256-GCM. The HPKE `info` binds the record id,
the field (its path without repeat positions) and the key id, so a token copied into another record or question
does not open. Sealing needs only the public half: anyone who records an answer can seal it; only holders of the
private half, which a device wraps for the slots of the roles allowed to read P3 (policy.SENSITIVE_READERS) and
never for anyone else, can open it. The server relays and stores tokens and never holds a private half.

Why public-key sealing rather than one symmetric key: field staff must be able to record what a person discloses
(abuses on the journey, a gender-based-violence risk) without being able to read it back afterwards, nor anyone who
takes their passphrase. Measured in bench/bench_access.py.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
PREFIX = "wp:p3:1:"
_TOKEN = re.compile(r"^wp:p3:1:([0-9a-f]{16}):([A-Za-z0-9_-]+)$")
_ANSWER_DOMAIN = "waypoint sealed answer v1"
_KEY_DOMAIN = "waypoint field key v1"
MAX_ANSWER_BYTES = 100_000


class Unreadable(Exception):
    """A sealed answer this holder cannot open. `missing_key`: the key has not reached this holder (yet);
    otherwise the token is damaged or was moved from another record or question."""

    def __init__(self, message: str, *, missing_key: bool) -> None:
        super().__init__(message)
        self.missing_key = missing_key


def _canonical(obj: object) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def public_raw(key: X25519PublicKey | X25519PrivateKey) -> bytes:
    public = key.public_key() if isinstance(key, X25519PrivateKey) else key
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def private_raw(key: X25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def key_id_of(key: X25519PublicKey | X25519PrivateKey) -> str:
    """A field key's id: the first 16 hex digits of SHA-256 of its public half (the same everywhere)."""
    return hashlib.sha256(b"waypoint field key id\n" + public_raw(key)).hexdigest()[:16]


def b64e(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64d(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


@dataclass(frozen=True)
class SealingKey:
    """The public half of a field key: what every writer seals to."""

    key_id: str
    public_key: X25519PublicKey

    @staticmethod
    def of(public: X25519PublicKey | X25519PrivateKey) -> SealingKey:
        key = public.public_key() if isinstance(public, X25519PrivateKey) else public
        return SealingKey(key_id_of(key), key)

    @staticmethod
    def from_text(text: str) -> SealingKey:
        return SealingKey.of(X25519PublicKey.from_public_bytes(b64d(text)))

    @property
    def text(self) -> str:
        return b64e(public_raw(self.public_key))


def field_path(path: str) -> str:
    """A field's path without repeat positions ("trafficking_event[2]/event_country" → "trafficking_event/...")."""
    return re.sub(r"\[\d+\]", "", path)


def _answer_info(record_id: str, field: str, key_id: str) -> bytes:
    return (_ANSWER_DOMAIN + "\n").encode() + _canonical(
        {"class": "P3", "field": field_path(field), "key": key_id, "record": record_id})


def is_sealed(text: str | None) -> bool:
    return bool(text) and str(text).startswith(PREFIX)


def token_key_id(token: str) -> str | None:
    match = _TOKEN.match(token)
    return match.group(1) if match else None


def seal(value: str, key: SealingKey, *, record_id: str, field: str) -> str:
    """The token for one answer. Empty answers are never sealed (an empty question stays empty)."""
    data = value.encode("utf-8")
    if not data or len(data) > MAX_ANSWER_BYTES:
        raise ValueError("a sealed answer holds 1 to 100,000 bytes")
    blob = SUITE.encrypt(data, key.public_key, info=_answer_info(record_id, field, key.key_id))
    return PREFIX + key.key_id + ":" + base64.urlsafe_b64encode(blob).rstrip(b"=").decode("ascii")


def open_token(token: str, keys: Mapping[str, X25519PrivateKey], *, record_id: str, field: str) -> str:
    """The answer a token holds, with the holder's private keys by id. Raises Unreadable."""
    match = _TOKEN.match(token)
    if match is None:
        raise Unreadable("not a sealed answer", missing_key=False)
    key_id, body = match.groups()
    private = keys.get(key_id)
    if private is None:
        raise Unreadable(f"field key {key_id} is not held here", missing_key=True)
    try:
        blob = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        return SUITE.decrypt(blob, private, info=_answer_info(record_id, field, key_id)).decode("utf-8")
    except (InvalidTag, ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise Unreadable("a sealed answer does not open (damaged, or moved from another record)",
                         missing_key=False) from exc


# --- field keys wrapped for a recipient (a key slot, or another device's slot through the server) ---------------


def _key_info(key_id: str, recipient: str) -> bytes:
    return (_KEY_DOMAIN + "\n").encode() + _canonical({"key": key_id, "recipient": recipient})


def wrap_key(private: X25519PrivateKey, recipient: X25519PublicKey) -> str:
    """A field key's private half sealed to a recipient's X25519 public key (base64)."""
    return b64e(SUITE.encrypt(private_raw(private), recipient,
                              info=_key_info(key_id_of(private), b64e(public_raw(recipient)))))


def unwrap_key(sealed: str, recipient: X25519PrivateKey, *, key_id: str) -> X25519PrivateKey:
    """The field key `key_id` from a wrap made for this recipient. Raises Unreadable."""
    try:
        raw = SUITE.decrypt(b64d(sealed), recipient, info=_key_info(key_id, b64e(public_raw(recipient))))
        private = X25519PrivateKey.from_private_bytes(raw)
    except (InvalidTag, ValueError, binascii.Error) as exc:
        raise Unreadable("a wrapped field key does not open", missing_key=False) from exc
    if key_id_of(private) != key_id:
        raise Unreadable("a wrapped field key is not the key it claims", missing_key=False)
    return private


def new_key() -> X25519PrivateKey:
    return X25519PrivateKey.generate()
