"""The USB batch file format on its own (no server, no vault): sealed and signed round trip, and each way a file
can be wrong refused with its own code before anything reads its content."""

from __future__ import annotations

import json
import struct
import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from waypoint_core.protocol import SigningKey, key_id
from waypoint_core.protocol.batchfile import (
    MAGIC_BATCH, BatchRefused, open_batch, open_receipt, read_header, seal_batch, seal_receipt, x25519_public_b64,
)

DEVICE = str(uuid.uuid4())
NOW = 1_800_000_000


@pytest.fixture(scope="module")
def keys():
    return {"device": SigningKey.generate(), "server": X25519PrivateKey.generate(),
            "return": X25519PrivateKey.generate(), "signing": SigningKey.generate()}


def sealed(keys, *, payload: bytes = b'{"ops":"synthetic"}', device_id: str = DEVICE, server=None,
           lifetime_s: int = 3600) -> bytes:
    return seal_batch(payload=payload, device_id=device_id, device_key=keys["device"],
                      server_batch_key=x25519_public_b64(server or keys["server"]), batch_id="b-1", part=1, parts=1,
                      seq_from=1, seq_to=1, cursor="", forms=[], return_key=keys["return"], now=NOW,
                      lifetime_s=lifetime_s)


def opened(keys, data: bytes, *, now: int = NOW + 1, devices: dict | None = None):
    server_id = key_id(x25519_public_b64(keys["server"]))
    known = devices if devices is not None else {DEVICE: keys["device"].public_b64}
    return open_batch(data, batch_key=lambda kid: keys["server"] if kid == server_id else None,
                      device_key=known.get, now=now)


def refusal(keys, data: bytes, **kwargs) -> str:
    with pytest.raises(BatchRefused) as caught:
        opened(keys, data, **kwargs)
    return caught.value.code


def test_round_trip(keys):
    content = opened(keys, sealed(keys))
    assert content.payload == b'{"ops":"synthetic"}'
    assert content.inner["return_key"] == x25519_public_b64(keys["return"])
    assert b"synthetic" not in sealed(keys)


def test_every_flipped_byte_is_refused(keys):
    data = sealed(keys)
    for position in range(0, len(data), 7):
        damaged = bytearray(data)
        damaged[position] ^= 0x20
        assert refusal(keys, bytes(damaged)) in {"tampered", "not_a_batch", "truncated", "retargeted", "expired",
                                                  "unsupported"}


def test_header_changes_do_not_open(keys):
    data = sealed(keys)
    header, head, blob = read_header(data)
    longer = dict(header, expires_at=header["expires_at"] + 10**6)
    new_head = json.dumps(longer, sort_keys=True, separators=(",", ":")).encode()
    forged = MAGIC_BATCH + struct.pack(">I", len(new_head)) + new_head + struct.pack(">Q", len(blob)) + blob
    assert refusal(keys, forged) == "tampered"


def test_each_refusal_has_its_code(keys):
    data = sealed(keys)
    assert {refusal(keys, data[:n]) for n in (3, 10, 40, len(data) - 1)} == {"truncated"}
    assert refusal(keys, b"PK\x03\x04 a zip file") == "not_a_batch"
    assert refusal(keys, sealed(keys, server=X25519PrivateKey.generate())) == "retargeted"
    assert refusal(keys, data, now=NOW + 3601) == "expired"
    assert refusal(keys, data, devices={}) == "unknown_device"
    assert refusal(keys, data, devices={DEVICE: SigningKey.generate().public_b64}) == "wrong_device"
    assert refusal(keys, data + b"\x00") == "tampered"


def test_receipt_only_for_its_laptop(keys):
    receipt = {"device_id": DEVICE, "batch_id": "b-1", "part": 1, "parts": 1, "status": "accepted"}
    data = seal_receipt(receipt, signing_key=keys["signing"], return_key=x25519_public_b64(keys["return"]))
    return_id = key_id(x25519_public_b64(keys["return"]))
    got = open_receipt(data, device_id=DEVICE, return_keys=lambda kid: keys["return"] if kid == return_id else None)
    assert got.receipt["status"] == "accepted" and got.verify(keys["signing"].public_b64)
    assert not got.verify(SigningKey.generate().public_b64)
    with pytest.raises(BatchRefused) as other:
        open_receipt(data, device_id=str(uuid.uuid4()), return_keys=lambda kid: keys["return"])
    assert other.value.code == "wrong_device"
    with pytest.raises(BatchRefused) as stranger:
        open_receipt(data, device_id=DEVICE, return_keys=lambda kid: None)
    assert stranger.value.code == "wrong_device"


def test_file_chunks_travel_signed_with_the_batch(keys):
    chunks = [b'{"chunk":1}', b'{"chunk":2,"data":"AAAA"}']
    data = seal_batch(payload=b"", device_id=DEVICE, device_key=keys["device"],
                      server_batch_key=x25519_public_b64(keys["server"]), batch_id="b-2", part=2, parts=2,
                      seq_from=None, seq_to=None, cursor="", forms=[], return_key=keys["return"], now=NOW,
                      chunks=chunks)
    content = opened(keys, data)
    assert content.payload == b"" and list(content.chunks) == chunks
    assert refusal(keys, data, devices={DEVICE: SigningKey.generate().public_b64}) == "wrong_device"
