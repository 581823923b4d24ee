"""The key slot file (slots.json): who may open the vault, and the data key sealed for each of them.

Hierarchy: a random 256-bit data key (DEK) opens the SQLCipher database. Each slot (one per user,
plus one recovery slot) owns an X25519 key pair; its private key is wrapped with AES-256-GCM under a
key derived by Argon2id from the passphrase (or recovery code). The DEK is sealed to each slot's
public key with HPKE (RFC 9180: X25519, HKDF-SHA256, AES-256-GCM). The public half is what lets an
administrator who removes a user rotate the DEK and re-seal it for every remaining user without
knowing their passphrases; a passphrase change rewraps one private key only.

Everything a slot claims (vault, slot id, user id, name, role, KDF parameters and salt, public key,
the vault's KDF profile) is authenticated data of its wrap, so swapping or editing slots fails the
tag. A SHA-256 digest over the whole file catches accidental damage before any KDF runs.
Deleting this file is a crypto-erase of the vault.
"""

from __future__ import annotations

import base64
import errno
import hashlib
import hmac
import json
import os
import uuid
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from desktop_app.vault.errors import (
    DiskFull,
    TamperedKeySlots,
    VaultFolderNotWritable,
    WrongPassphrase,
)
from desktop_app.vault.kdf import KdfParams, check_floor, derive

FORMAT = "waypoint-keyslots/1"
SLOTS_FILE = "slots.json"
SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
_CHECK_LABEL = b"waypoint passphrase check v1"
# The parsed slot file and one slot in it: JSON objects, checked by _validate on load.
Doc = dict[str, Any]
Slot = dict[str, Any]


def canonical(obj: object) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def b64e(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64d(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, AttributeError) as exc:
        raise TamperedKeySlots("bad encoding") from exc


def new_document(*, vault_id: str, kdf_profile: str, params: KdfParams, calibrated_s: float | None,
                 cipher_page_size: int) -> Doc:
    return {
        "format": FORMAT,
        "cipher_page_size": cipher_page_size,
        "vault_id": vault_id,
        "kdf_profile": kdf_profile,
        "kdf": params.as_json() | {"calibrated_s": calibrated_s},
        "generation": 1,
        "pending_generation": None,
        "slots": [],
    }


def _slot_ad(doc: Doc, slot: Slot) -> bytes:
    return canonical(
        {
            "format": doc["format"],
            "vault_id": doc["vault_id"],
            "kdf_profile": doc["kdf_profile"],
            **{k: slot[k] for k in ("slot_id", "kind", "user_id", "username", "role", "kdf", "public_key")},
        }
    )


def _envelope_info(doc: Doc, slot: Slot, generation: int) -> bytes:
    return canonical(
        {
            "format": doc["format"],
            "purpose": "data-key",
            "vault_id": doc["vault_id"],
            "slot_id": slot["slot_id"],
            "user_id": slot["user_id"],
            "public_key": slot["public_key"],
            "generation": generation,
        }
    )


def _derive_parts(secret: str, slot_kdf: dict[str, Any], *, profile: str) -> tuple[bytes, bytes]:
    params = KdfParams.from_json(slot_kdf)
    check_floor(params, profile=profile)
    derived = derive(secret.encode("utf-8"), b64d(slot_kdf.get("salt", "")), params)
    wrap_key, check_key = derived[:32], derived[32:]
    return wrap_key, hmac.new(check_key, _CHECK_LABEL, hashlib.sha256).digest()


def _wrap_private_key(doc: Doc, slot: Slot, private_key: X25519PrivateKey, secret: str, params: KdfParams) -> None:
    slot["kdf"] = params.as_json() | {"salt": b64e(os.urandom(16))}
    wrap_key, check = _derive_parts(secret, slot["kdf"], profile=doc["kdf_profile"])
    raw = private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    nonce = os.urandom(12)
    slot["check"] = b64e(check)
    slot["wrapped_private_key"] = b64e(nonce + AESGCM(wrap_key).encrypt(nonce, raw, _slot_ad(doc, slot)))


def seal_data_key(doc: Doc, slot: Slot, generation: int, dek: bytes) -> None:
    public = X25519PublicKey.from_public_bytes(b64d(slot["public_key"]))
    sealed = SUITE.encrypt(dek, public, info=_envelope_info(doc, slot, generation))
    slot.setdefault("envelopes", {})[str(generation)] = b64e(sealed)


def add_slot(
    doc: Doc, *, kind: str, user_id: str, username: str, role: str, secret: str, params: KdfParams,
    data_keys: dict[int, bytes],
) -> tuple[Slot, X25519PrivateKey]:
    """Create a slot for `secret` holding every given generation of the data key; append it to doc."""
    private_key = X25519PrivateKey.generate()
    slot: Slot = {
        "slot_id": str(uuid.uuid4()),
        "kind": kind,
        "user_id": user_id,
        "username": username,
        "role": role,
        "public_key": b64e(private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)),
        "envelopes": {},
    }
    _wrap_private_key(doc, slot, private_key, secret, params)
    for generation, dek in data_keys.items():
        seal_data_key(doc, slot, generation, dek)
    doc["slots"].append(slot)
    return slot, private_key


def unlock_slot(doc: Doc, slot: Slot, secret: str) -> X25519PrivateKey:
    """Passphrase → private key. WrongPassphrase if the check fails, TamperedKeySlots if the wrap does."""
    wrap_key, check = _derive_parts(secret, slot["kdf"], profile=doc["kdf_profile"])
    if not hmac.compare_digest(check, b64d(slot["check"])):
        raise WrongPassphrase()
    blob = b64d(slot["wrapped_private_key"])
    try:
        raw = AESGCM(wrap_key).decrypt(blob[:12], blob[12:], _slot_ad(doc, slot))
        private_key = X25519PrivateKey.from_private_bytes(raw)
    except (InvalidTag, ValueError) as exc:
        raise TamperedKeySlots("a key slot does not match its owner") from exc
    public = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    if not hmac.compare_digest(public, b64d(slot["public_key"])):
        raise TamperedKeySlots("a key slot's public key was replaced")
    return private_key


def open_data_key(doc: Doc, slot: Slot, private_key: X25519PrivateKey, generation: int) -> bytes:
    sealed = slot.get("envelopes", {}).get(str(generation))
    if sealed is None:
        raise TamperedKeySlots(f"no data key of generation {generation} in the slot")
    try:
        dek = SUITE.decrypt(b64d(sealed), private_key, info=_envelope_info(doc, slot, generation))
    except (InvalidTag, ValueError) as exc:
        raise TamperedKeySlots("a sealed data key does not open") from exc
    if len(dek) != 32:
        raise TamperedKeySlots("data key has the wrong size")
    return dek


def rewrap(doc: Doc, slot: Slot, private_key: X25519PrivateKey, new_secret: str, params: KdfParams) -> None:
    """Passphrase change: a fresh salt and wrap of the same private key; envelopes stay as they are."""
    _wrap_private_key(doc, slot, private_key, new_secret, params)


# --- the file --------------------------------------------------------------------------------


def cipher_page_size(doc: Doc) -> int:
    """The database's SQLCipher page size; vaults from before it was recorded use the default 4096."""
    return int(doc.get("cipher_page_size", 4096))


def _digest(doc: Doc) -> str:
    return hashlib.sha256(canonical({k: v for k, v in doc.items() if k != "digest"})).hexdigest()


def _validate(doc: Any) -> None:
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise TamperedKeySlots("unknown key file format")
    if not hmac.compare_digest(str(doc.get("digest", "")), _digest(doc)):
        raise TamperedKeySlots("checksum mismatch")
    try:
        assert isinstance(doc["vault_id"], str) and isinstance(doc["kdf_profile"], str)
        assert isinstance(doc["generation"], int) and isinstance(doc["slots"], list)
        assert doc["pending_generation"] in (None, doc["generation"] + 1)
        assert isinstance(doc.get("cipher_page_size", 4096), int)
        assert isinstance(doc.get("database_salt", ""), str)
        for slot in doc["slots"]:
            for key in ("slot_id", "kind", "user_id", "username", "role", "public_key", "check",
                        "wrapped_private_key"):
                assert isinstance(slot[key], str), key
            assert isinstance(slot["kdf"], dict) and isinstance(slot["envelopes"], dict)
            assert isinstance(slot.get("grant", {}), dict) and isinstance(slot.get("authority", ""), str)
    except (AssertionError, KeyError, TypeError) as exc:
        raise TamperedKeySlots("malformed key file") from exc


def load(folder: Path) -> Doc:
    try:
        raw = (folder / SLOTS_FILE).read_bytes()
        doc: Doc = json.loads(raw)
    except FileNotFoundError:
        raise
    except (ValueError, UnicodeDecodeError) as exc:
        raise TamperedKeySlots("not valid JSON") from exc
    _validate(doc)
    return doc


def save(folder: Path, doc: Doc) -> None:
    doc["digest"] = _digest(doc)
    atomic_write(folder / SLOTS_FILE, json.dumps(doc, indent=1, sort_keys=True).encode())


def atomic_write(target: Path, data: bytes) -> None:
    """Temp file in the same folder, fsync, rename, fsync the folder: old or new, never half."""
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise map_os_error(exc) from exc


def map_os_error(exc: OSError) -> Exception:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return DiskFull()
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return VaultFolderNotWritable(exc.strerror)
    return exc
