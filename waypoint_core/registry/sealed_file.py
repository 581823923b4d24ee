"""A passphrase-protected file for record-level exports (issue 12 point 5): what leaves the laptop with personal
data in it is never plain CSV or XLSX.

Format (one file, `.wpx`): the line `WPX1 <header JSON>\\n`, then AES-256-GCM ciphertext of the exported file, the
header line as associated data. The key is Argon2id(passphrase, salt) with the vault's floor (m = 64 MiB, t = 3,
p = 4); the header names the parameters, the salt, the nonce and the inner file's name. `waypoint export-open` turns
it back into the CSV or XLSX on a machine trusted with the data.
"""

from __future__ import annotations

import base64
import io
import json
import os
import struct
from typing import BinaryIO

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

MAGIC = b"WPX1 "
MAGIC2 = b"WPX2 "
SEGMENT = 64 * 1024
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
    """(inner file name, its bytes), of a WPX1 or WPX2 file held in memory."""
    if blob.startswith(MAGIC2):
        target = io.BytesIO()
        name = open_sealed_to(io.BufferedReader(io.BytesIO(blob)), target, passphrase)
        return name, target.getvalue()
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


class SealedWriter:
    """Write a WPX2 file to `out` as bytes arrive (`write`), segment by segment; `close` seals the last one. Only
    ciphertext reaches `out`. Use as a context manager; leaving it by an exception writes no last segment, so a
    cut-short file never opens."""

    def __init__(self, out: BinaryIO, passphrase: str, *, name: str) -> None:
        if len(passphrase) < MIN_PASSPHRASE:
            raise SealedFileError(f"the export's passphrase needs {MIN_PASSPHRASE} characters or more")
        salt, self._prefix = os.urandom(16), os.urandom(7)
        header = json.dumps({"kdf": "argon2id", "m": MEMORY_KIB, "t": ITERATIONS, "p": LANES,
                             "salt": base64.b64encode(salt).decode(),
                             "nonce": base64.b64encode(self._prefix).decode(), "segment": SEGMENT,
                             "name": name, "aead": "aes-256-gcm-stream"}, sort_keys=True, separators=(",", ":"))
        self._line = MAGIC2 + header.encode("utf-8") + b"\n"
        self._aead = AESGCM(_key(passphrase, salt, MEMORY_KIB, ITERATIONS, LANES))
        self._out = out
        self._buffer = bytearray()
        self._counter = 0
        self.closed = False
        out.write(self._line)

    def _segment(self, data: bytes, last: bool) -> None:
        nonce = self._prefix + struct.pack(">IB", self._counter, 1 if last else 0)
        sealed = self._aead.encrypt(nonce, data, self._line)
        self._out.write(struct.pack(">I", len(sealed)) + sealed)
        self._counter += 1

    def write(self, data: bytes) -> int:
        if self.closed:
            raise ValueError("write to a closed SealedWriter")
        self._buffer += data
        while len(self._buffer) > SEGMENT:  # keep at least one byte back: the last segment is never empty-sealed
            self._segment(bytes(self._buffer[:SEGMENT]), last=False)
            del self._buffer[:SEGMENT]
        return len(data)

    def flush(self) -> None:
        """Nothing to do: segments go out as they fill (zipfile calls this)."""

    def close(self) -> None:
        if not self.closed:
            self._segment(bytes(self._buffer), last=True)
            self._buffer.clear()
            self.closed = True

    def __enter__(self) -> SealedWriter:
        return self

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        if kind is None:
            self.close()
        else:
            self.closed = True  # no last segment: what was written will not open


def open_sealed_to(source: io.BufferedReader, target: BinaryIO, passphrase: str) -> str:
    """Decrypt a .wpx file (WPX1 or WPX2) from `source` into `target`, segment by segment; the inner file's name.
    Raises SealedFileError on a wrong passphrase, a damaged, reordered or cut-short file (`target` then holds
    part of the file: the caller removes it)."""
    line = source.readline(64 * 1024)
    if line.startswith(MAGIC):
        name, data = open_sealed(line + source.read(), passphrase)
        target.write(data)
        return name
    if not line.startswith(MAGIC2) or not line.endswith(b"\n"):
        raise SealedFileError("not a Waypoint export (.wpx)")
    try:
        header = json.loads(line[len(MAGIC2):].decode("utf-8"))
        salt, prefix = base64.b64decode(header["salt"]), base64.b64decode(header["nonce"])
        aead = AESGCM(_key(passphrase, salt, int(header["m"]), int(header["t"]), int(header["p"])))
        counter = 0
        while True:
            size = source.read(4)
            if len(size) != 4:
                raise SealedFileError("the file is cut short")
            sealed = source.read(struct.unpack(">I", size)[0])
            last = not source.peek(1)
            nonce = prefix + struct.pack(">IB", counter, 1 if last else 0)
            target.write(aead.decrypt(nonce, sealed, line))
            counter += 1
            if last:
                return str(header["name"])
    except SealedFileError:
        raise
    except Exception as exc:  # a wrong passphrase, a damaged, reordered or truncated file look the same to AES-GCM
        raise SealedFileError("wrong passphrase, or the file is damaged") from exc
