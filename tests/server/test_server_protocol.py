"""The wire format on its own: canonical bytes, signatures bound to what they sign, domain separation, strict
parsing, cursors, version hashes and key-rotation chains."""

from __future__ import annotations

import json
import uuid

import pytest
from pydantic import ValidationError

from waypoint_core.protocol import (
    DOMAIN_REQUEST, DOMAIN_RESPONSE, EnrolRequest, KeyHistory, KeyRotation, Op, PushBatch, RequestBinding, ServerKeys,
    SigningKey, answer_message, b64encode, batch_body, batch_signature_valid, canonical_json, format_cursor, key_id,
    parse_cursor, request_message, sign_batch, verify, version_hash,
)


def make_op(seq: int, **fields) -> Op:
    return Op(op_id=str(uuid.uuid4()), device_seq=seq, record_id=str(uuid.uuid4()), op="upsert", record_version=1,
              base_version=None, form_id="registration", form_version="1", hlc=seq, fields=fields)


def test_canonical_json_is_order_independent_and_utf8():
    assert canonical_json({"b": 1, "a": "Aïcha"}) == canonical_json({"a": "Aïcha", "b": 1})
    assert canonical_json({"a": "Aïcha"}) == '{"a":"Aïcha"}'.encode()


def test_a_batch_is_signed_as_raw_bytes_and_any_change_breaks_it():
    key = SigningKey.generate()
    body = PushBatch.of(device_id=str(uuid.uuid4()), ops=[make_op(1, name="Aïcha", age=30, consent=True)]).body()
    signature = sign_batch(body, key)
    assert batch_signature_valid(key.public_b64, body, signature)
    assert not batch_signature_valid(key.public_b64, body.replace(b"30", b"31"), signature)
    assert not batch_signature_valid(SigningKey.generate().public_b64, body, signature)
    assert not batch_signature_valid(key.public_b64, body + b" ", signature)  # bytes, not meaning


def test_a_batch_body_is_its_ops_json_as_kept_and_reads_back_as_the_same_batch():
    ops = [make_op(1, name="Aïcha", age=30, consent=True), make_op(2, note='quote " and \\ backslash')]
    batch = PushBatch.of(device_id=str(uuid.uuid4()), ops=ops)
    body = batch.body()
    assert body == batch_body(device_id=batch.device_id, seq_from=1, seq_to=2, ops=[op.model_dump_json() for op in ops])
    assert PushBatch.model_validate_json(body) == batch
    assert json.loads(body) == json.loads(batch.canonical())  # the same JSON value as the canonical encoding
    # An op kept in another key order (a wire op rewritten on the device) travels as kept, and means the same op.
    kept = [canonical_json(op.model_dump(mode="json")).decode() for op in ops]
    spliced = batch_body(device_id=batch.device_id, seq_from=1, seq_to=2, ops=kept)
    assert kept[0] in spliced.decode() and PushBatch.model_validate_json(spliced) == batch


def test_a_request_signature_covers_method_raw_path_query_device_time_and_body():
    key, device = SigningKey.generate(), str(uuid.uuid4())
    headers = key.request_headers(device_id=device, method="GET", path_url="/v2/forms/enqu%C3%AAte/1?x=1", now=100)
    signed = RequestBinding("GET", "/v2/forms/enqu%C3%AAte/1", "x=1", device, "100")
    assert verify(key.public_b64, headers["Waypoint-Signature"], DOMAIN_REQUEST, request_message(signed, b""))
    for other in (RequestBinding("GET", "/v2/forms/enquête/1", "x=1", device, "100"),  # decoded path
                  RequestBinding("GET", "/v2/forms/enqu%C3%AAte/1", "x=2", device, "100"),
                  RequestBinding("POST", "/v2/forms/enqu%C3%AAte/1", "x=1", device, "100"),
                  RequestBinding("GET", "/v2/forms/enqu%C3%AAte/1", "x=1", str(uuid.uuid4()), "100"),
                  RequestBinding("GET", "/v2/forms/enqu%C3%AAte/1", "x=1", device, "101")):
        assert not verify(key.public_b64, headers["Waypoint-Signature"], DOMAIN_REQUEST, request_message(other, b""))
    assert not verify(key.public_b64, headers["Waypoint-Signature"], DOMAIN_REQUEST, request_message(signed, b"x"))


def test_an_answer_is_bound_to_its_request():
    server, device = SigningKey.generate(), str(uuid.uuid4())
    asked = RequestBinding("GET", "/v2/changes", "cursor=0011223344556677.3&limit=5", device, "100")
    body = b'{"changes":[]}'
    signature = server.sign(DOMAIN_RESPONSE, answer_message(asked, status=200, server_time_ms=5, key_id="k",
                                                            body=body))
    assert verify(server.public_b64, signature, DOMAIN_RESPONSE,
                  answer_message(asked, status=200, server_time_ms=5, key_id="k", body=body))
    replayed_for = RequestBinding("GET", "/v2/changes", "cursor=&limit=5", device, "100")
    assert not verify(server.public_b64, signature, DOMAIN_RESPONSE,
                      answer_message(replayed_for, status=200, server_time_ms=5, key_id="k", body=body))
    assert not verify(server.public_b64, signature, DOMAIN_RESPONSE,
                      answer_message(asked, status=409, server_time_ms=5, key_id="k", body=body))


def test_a_request_signature_is_not_an_answer_signature():
    key = SigningKey.generate()
    message = b"GET\n/v2/changes\n\n\n1\nabc"
    signature = key.sign(DOMAIN_REQUEST, message)
    assert verify(key.public_b64, signature, DOMAIN_REQUEST, message)
    assert not verify(key.public_b64, signature, DOMAIN_RESPONSE, message)
    assert not verify(key.public_b64, "not base64!", DOMAIN_REQUEST, message)


def test_enrolment_proves_possession_of_the_key():
    key = SigningKey.generate()
    request = EnrolRequest.build(code="ABCD-EFGH", device_key=key, device_name="laptop")
    assert request.signature_valid()
    swapped = request.model_copy(update={"device_public_key": SigningKey.generate().public_b64})
    assert not swapped.signature_valid()


@pytest.mark.parametrize("change", [
    {"extra": 1},  # unknown keys are refused: one canonical form only
    {"hlc": 1.5},  # no floats
    {"hlc": 2**62 + 1},
    {"op": "merge"},
    {"record_id": "ABC"},
    {"device_seq": 0},
    {"form_id": "enqu\x00ete"},
    {"form_version": "1\n2"},
    {"fields": {"name\t": "x"}},
    {"fields": {"name": "A\x00wa"}},
    {"content": "<data>\x07</data>"},
    {"base_hash": "ABC"},
])
def test_strict_parsing(change):
    data = json.loads(make_op(1, name="x").model_dump_json())
    data.update(change)
    with pytest.raises(ValidationError):
        Op.model_validate(data)


def test_text_values_keep_tabs_and_newlines():
    op = make_op(1, narrative="line one\nline two\ttabbed\r\n")
    assert Op.model_validate_json(op.model_dump_json()) == op


def test_batch_shape():
    device = str(uuid.uuid4())
    assert PushBatch.of(device_id=device, ops=[make_op(3), make_op(4)]).shape_error() is None
    assert "without gaps" in PushBatch.of(device_id=device, ops=[make_op(3), make_op(5)]).shape_error()


def test_cursors_carry_their_epoch():
    assert parse_cursor(format_cursor("00112233aabbccdd", 42)) == ("00112233aabbccdd", 42)
    assert parse_cursor("") is None
    for bad in ("42", "00112233aabbccdd", "00112233AABBCCDD.1", "00112233aabbccdd.-1", "x" * 40):
        with pytest.raises(ValueError):
            parse_cursor(bad)


def test_two_contents_never_share_a_version_hash():
    base = {"form_id": "registration", "form_version": "1", "deleted": False, "content": "<data/>"}
    one = version_hash(**base, fields={"name": "Awa"})
    assert one == version_hash(**base, fields={"name": "Awa"})
    assert one != version_hash(**base, fields={"name": "Awa "})
    assert one != version_hash(**{**base, "content": "<data />"}, fields={"name": "Awa"})
    # A tombstone carries no data, so its hash does not depend on the data it replaced.
    assert version_hash(**{**base, "deleted": True}, fields={"name": "Awa"}) == version_hash(
        **{**base, "deleted": True, "content": None}, fields={})


def _keys(signing: SigningKey) -> ServerKeys:
    batch = b64encode(bytes(32))
    return ServerKeys(signing_key=signing.public_b64, signing_key_id=signing.key_id, batch_key=batch,
                      batch_key_id=key_id(batch))


def test_a_device_follows_a_chain_of_rotations_from_the_key_it_pinned():
    first, second, third = SigningKey.generate(), SigningKey.generate(), SigningKey.generate()
    one_two = KeyRotation.build(previous=first, keys=_keys(second), rotated_at="2026-12-01T00:00:00+00:00")
    two_three = KeyRotation.build(previous=second, keys=_keys(third), rotated_at="2026-12-02T00:00:00+00:00")
    history = KeyHistory(protocol_version=2, current=_keys(third), rotations=[one_two, two_three])
    assert history.follow(_keys(first)) == _keys(third)
    assert history.follow(_keys(second)) == _keys(third)
    # A statement not signed by the pinned key leads nowhere: the server's key changed without proof.
    forged = KeyRotation.build(previous=SigningKey.generate(), keys=_keys(third), rotated_at="x")
    forged = forged.model_copy(update={"previous_signing_key_id": first.key_id})
    assert KeyHistory(protocol_version=2, current=_keys(third), rotations=[forged]).follow(_keys(first)) is None
    assert KeyHistory(protocol_version=2, current=_keys(third), rotations=[two_three]).follow(_keys(first)) is None
