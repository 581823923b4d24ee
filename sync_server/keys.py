"""The organisation's server keys: Ed25519 for signing answers and forms, X25519 for sealed USB batches.

Private keys live in owner-only files (0600 in a 0700 folder) beside the data, never in the database: a database dump
or backup then holds no private key, and the batch key can later move to an offline import station. The database
holds the public halves and their key ids, which devices pin at enrolment.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from waypoint_core.protocol import ServerKeys, SigningKey, b64decode, b64encode, key_id

from .db import Database, utcnow
from .tables import ServerKey

SIGNING_FILE = "signing.key"
BATCH_FILE = "batch.key"


class KeysMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class ServerKeyring:
    signing: SigningKey
    batch_private: X25519PrivateKey

    @property
    def public(self) -> ServerKeys:
        signing_pub = self.signing.public_b64
        batch_pub = b64encode(self.batch_private.public_key().public_bytes_raw())
        return ServerKeys(signing_key=signing_pub, signing_key_id=key_id(signing_pub),
                          batch_key=batch_pub, batch_key_id=key_id(batch_pub))


def _write_private(path: Path, raw: bytes) -> bool:
    """Create the key file owner-only, complete or not at all; False if another process created it first.

    Written to a private temp file, then hard-linked into place: link() fails if the name exists, so two servers
    starting together never overwrite each other, and nobody ever reads a half-written key.
    """
    if path.exists():
        return False
    temp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(b64encode(raw).encode("ascii") + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temp, path)
        except FileExistsError:
            return False
        return True
    finally:
        temp.unlink(missing_ok=True)


def _read_private(path: Path) -> bytes:
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise PermissionError(f"{path} is readable by others (mode {mode:o}); chmod 600 it")
    return b64decode(path.read_text("ascii").strip())


def load_keys(keys_dir: Path) -> ServerKeyring:
    signing, batch = keys_dir / SIGNING_FILE, keys_dir / BATCH_FILE
    if not (signing.exists() and batch.exists()):
        raise KeysMissing(f"no server keys in {keys_dir}: run `waypoint-server admin init`")
    return ServerKeyring(SigningKey.from_raw(_read_private(signing)),
                         X25519PrivateKey.from_private_bytes(_read_private(batch)))


def init_keys(keys_dir: Path, db: Database) -> tuple[ServerKeyring, bool]:
    """Create the key files if absent and record the public keys; returns (keys, created_now). Idempotent."""
    keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(keys_dir, 0o700)
    created = _write_private(keys_dir / SIGNING_FILE, SigningKey.generate().raw())
    batch_raw = X25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    created = _write_private(keys_dir / BATCH_FILE, batch_raw) or created
    keyring = load_keys(keys_dir)
    public = keyring.public
    for kid, purpose, pub in ((public.signing_key_id, "signing", public.signing_key),
                              (public.batch_key_id, "batch", public.batch_key)):
        try:
            with db.write_engine.begin() as conn:
                if conn.execute(select(ServerKey.key_id).where(ServerKey.key_id == kid)).first() is None:
                    conn.execute(ServerKey.__table__.insert().values(
                        key_id=kid, purpose=purpose, public_key=pub, created_at=utcnow(), active=True))
        except IntegrityError:
            pass  # another server process recorded the same key at the same moment
    return keyring, created
