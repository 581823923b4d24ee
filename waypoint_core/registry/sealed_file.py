"""A passphrase-protected file for record-level exports (issue 12 point 5): what leaves the laptop with personal
data in it is never plain CSV or XLSX.

Format (one file, `.wpx`): the line `WPX1 <header JSON>\\n`, then AES-256-GCM ciphertext of the exported file, the
header line as associated data. The key is Argon2id(passphrase, salt) with the vault's floor (m = 64 MiB, t = 3,
p = 4); the header names the parameters, the salt, the nonce and the inner file's name. `waypoint export-open` turns
it back into the CSV or XLSX on a machine trusted with the data.
"""

from __future__ import annotations

import base64
import json
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

MAGIC = b"WPX1 "
MEMORY_KIB, ITERATIONS, LANES = 64 * 1024, 3, 4
MIN_PASSPHRASE = 12


class SealedFileError(ValueError):
    """Not a Waypoint export, a damaged one, or the wrong passphrase."""


def _key(passphrase: str, salt: bytes, memory_kib: int, iterations: int, lanes: int) -> bytes:
    return Argon2id(salt=salt, length=32, iterations=iterations, lanes=lanes,
                    memory_cost=memory_kib).derive(passphrase.encode("utf-8"))


def seal(data: bytes, passphrase: str, *, name: str) -> bytes:
    if len(passphrase) < MIN_PASSPHRASE:
        raise SealedFileError(f"the export's passphrase needs {MIN_PASSPHRASE} characters or more")
    salt, nonce = os.urandom(16), os.urandom(12)
    header = json.dumps({"kdf": "argon2id", "m": MEMORY_KIB, "t": ITERATIONS, "p": LANES,
                         "salt": base64.b64encode(salt).decode(), "nonce": base64.b64encode(nonce).decode(),
                         "name": name, "aead": "aes-256-gcm"}, sort_keys=True, separators=(",", ":"))
    line = MAGIC + header.encode("utf-8") + b"\n"
    key = _key(passphrase, salt, MEMORY_KIB, ITERATIONS, LANES)
    return line + AESGCM(key).encrypt(nonce, data, line)


def open_sealed(blob: bytes, passphrase: str) -> tuple[str, bytes]:
    """(inner file name, its bytes)."""
    if not blob.startswith(MAGIC) or b"\n" not in blob:
        raise SealedFileError("not a Waypoint export (.wpx)")
    end = blob.index(b"\n") + 1
    line = blob[:end]
    try:
        header = json.loads(line[len(MAGIC):].decode("utf-8"))
        salt, nonce = base64.b64decode(header["salt"]), base64.b64decode(header["nonce"])
        key = _key(passphrase, salt, int(header["m"]), int(header["t"]), int(header["p"]))
        return str(header["name"]), AESGCM(key).decrypt(nonce, blob[end:], line)
    except Exception as exc:  # a wrong passphrase and a damaged file look the same to AES-GCM
        raise SealedFileError("wrong passphrase, or the file is damaged") from exc
