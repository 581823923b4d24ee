"""The wire format on its own: canonical bytes, signatures, domain separation, strict parsing."""

from __future__ import annotations

import json
import uuid

import pytest
from pydantic import ValidationError

from waypoint_core.protocol import (
    DOMAIN_BATCH, DOMAIN_REQUEST, EnrolRequest, Op, PushBatch, SigningKey, canonical_json, verify,
)


def make_op(seq: int, **fields) -> Op:
    return Op(op_id=str(uuid.uuid4()), device_seq=seq, record_id=str(uuid.uuid4()), op="upsert", record_version=1,
              base_version=None, form_id="registration", form_version="1", hlc=seq, fields=fields)


def test_canonical_json_is_order_independent_and_utf8():
    assert canonical_json({"b": 1, "a": "Aïcha"}) == canonical_json({"a": "Aïcha", "b": 1})
    assert canonical_json({"a": "Aïcha"}) == '{"a":"Aïcha"}'.encode()


def test_batch_survives_the_wire_and_any_change_breaks_it():
    key = SigningKey.generate()
    batch = PushBatch.build(device_id=str(uuid.uuid4()), ops=[make_op(1, name="Aïcha", age=30, consent=True)],
                            device_key=key)
    wire = json.loads(batch.model_dump_json())
    assert PushBatch.model_validate(wire).signature_valid(key.public_b64)
    wire["ops"][0]["fields"]["age"] = 31
    assert not PushBatch.model_validate(wire).signature_valid(key.public_b64)
    assert not batch.signature_valid(SigningKey.generate().public_b64)


def test_a_batch_signature_is_not_a_request_signature():
    key = SigningKey.generate()
    message = b"GET\n/v1/changes?since=0\n1\nabc"
    signature = key.sign(DOMAIN_BATCH, message)
    assert verify(key.public_b64, signature, DOMAIN_BATCH, message)
    assert not verify(key.public_b64, signature, DOMAIN_REQUEST, message)
    assert not verify(key.public_b64, "not base64!", DOMAIN_BATCH, message)


def test_enrolment_proves_possession_of_the_key():
    key = SigningKey.generate()
    request = EnrolRequest.build(code="ABCD-EFGH", device_key=key, device_name="laptop")
    assert request.signature_valid()
    swapped = request.model_copy(update={"device_public_key": SigningKey.generate().public_b64})
    assert not swapped.signature_valid()


@pytest.mark.parametrize("change", [
    {"extra": 1},  # unknown keys are refused: one canonical form only
    {"hlc": 1.5},  # no floats
    {"op": "merge"},
    {"record_id": "ABC"},
    {"device_seq": 0},
])
def test_strict_parsing(change):
    data = json.loads(make_op(1, name="x").model_dump_json())
    data.update(change)
    with pytest.raises(ValidationError):
        Op.model_validate(data)


def test_float_field_values_are_refused():
    data = json.loads(make_op(1).model_dump_json())
    data["fields"] = {"weight": 61.5}
    with pytest.raises(ValidationError):
        Op.model_validate(data)


def test_batch_shape():
    key, device = SigningKey.generate(), str(uuid.uuid4())
    assert PushBatch.build(device_id=device, ops=[make_op(3), make_op(4)], device_key=key).shape_error() is None
    assert "without gaps" in PushBatch.build(device_id=device, ops=[make_op(3), make_op(5)],
                                             device_key=key).shape_error()
