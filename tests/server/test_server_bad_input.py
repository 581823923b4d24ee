"""Bad input gets the right status and stores nothing: credentials, revocation, forged or replayed signatures,
oversized and malformed bodies, unknown protocol versions."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from sim_device import DeviceClient
from sqlalchemy import func, select

from sync_server import admin
from sync_server.tables import ChangeRow, OpResultRow, Record, RecordVersion
from waypoint_core.protocol import Op, SigningKey


def stored(db) -> tuple[int, ...]:
    with db.read_engine.connect() as conn:
        return tuple(conn.execute(select(func.count()).select_from(t)).scalar_one()
                     for t in (OpResultRow, Record, RecordVersion, ChangeRow))


def one_op(seq: int = 1, **fields) -> Op:
    return Op(op_id=str(uuid.uuid4()), device_seq=seq, record_id=str(uuid.uuid4()), op="upsert", record_version=1,
              base_version=None, form_id="registration", form_version="1", hlc=1, fields=fields or {"name": "N"})


def post_json(client: DeviceClient, body: dict | bytes) -> httpx.Response:
    return client.post_batch(body if isinstance(body, bytes) else json.dumps(body).encode())


def test_forged_signature_is_refused(server, admin_db, make_device):
    client = make_device()
    before = stored(admin_db)
    impostor = DeviceClient(server.url, key=SigningKey.generate(), device_id=client.device_id)
    assert impostor.post_batch(impostor.batch([one_op()])).status_code == 401
    unknown = DeviceClient(server.url, device_id=str(uuid.uuid4()))
    assert unknown.post_batch(unknown.batch([one_op()])).status_code == 401
    impostor.close(), unknown.close()
    assert stored(admin_db) == before


def test_signature_replayed_on_a_different_body_is_refused(server, admin_db, make_device):
    client = make_device()
    genuine = client.batch([one_op(name="Awa")])
    other = client.batch([one_op(name="Someone else")]).model_dump(mode="json")
    other["signature"] = genuine.signature
    before = stored(admin_db)
    assert post_json(client, other).status_code == 401
    tampered = genuine.model_dump(mode="json")
    tampered["ops"][0]["fields"]["name"] = "Changed"
    assert post_json(client, tampered).status_code == 401
    assert stored(admin_db) == before


def test_revoked_device_is_refused_everywhere(server, admin_db, make_device):
    client = make_device()
    admin.revoke_device(admin_db, client.device_id)
    before = stored(admin_db)
    response = client.post_batch(client.batch([one_op()]))
    assert response.status_code == 403 and response.json()["error"] == "device_revoked"
    assert client.signed_get("/v1/changes?since=0").status_code == 403
    assert client.signed_get("/v1/forms").status_code == 403
    assert stored(admin_db) == before


def test_get_endpoints_need_a_valid_request_signature(server, make_device):
    client = make_device()
    assert httpx.get(f"{server.url}/v1/changes?since=0").status_code == 401
    good = client.key.request_headers(device_id=client.device_id, method="GET", path_with_query="/v1/changes?since=0")
    assert httpx.get(f"{server.url}/v1/changes?since=0", headers=good).status_code == 200
    # The same signature on another query (another cursor) does not pass.
    assert httpx.get(f"{server.url}/v1/changes?since=5", headers=good).status_code == 401
    stale = client.key.request_headers(device_id=client.device_id, method="GET",
                                       path_with_query="/v1/changes?since=0", now=1_000_000)
    response = httpx.get(f"{server.url}/v1/changes?since=0", headers=stale)
    assert response.status_code == 401 and "clock" in response.json()["message"]
    wrong_key = SigningKey.generate().request_headers(device_id=client.device_id, method="GET",
                                                      path_with_query="/v1/changes?since=0")
    assert httpx.get(f"{server.url}/v1/changes?since=0", headers=wrong_key).status_code == 401


def test_oversized_body_is_413_and_nothing_stored(server, admin_db, make_device):
    client = make_device()
    before = stored(admin_db)
    big = client.batch([one_op(seq, note="x" * 90_000) for seq in range(1, 101)])  # ~9 MB > 8 MiB default cap
    response = client.post_batch(big)
    assert response.status_code == 413 and response.json()["error"] == "too_large"
    body = big.model_dump_json().encode()
    chunked = httpx.post(f"{server.url}/v1/push", headers={"content-type": "application/json"},
                         content=(body[i:i + 65536] for i in range(0, len(body), 65536)))  # no Content-Length
    assert chunked.status_code == 413 and chunked.json()["error"] == "too_large"
    assert stored(admin_db) == before


@pytest.mark.parametrize("body", [
    b"{not json", b"[]", b'{"protocol_version": 1}',
    {"protocol_version": 1, "device_id": "not-a-uuid", "seq_from": 1, "seq_to": 1, "ops": [], "signature": "x"},
])
def test_malformed_body_is_422_without_echo(server, admin_db, make_device, body):
    client = make_device()
    before = stored(admin_db)
    response = post_json(client, body)
    assert response.status_code == 422 and response.json()["error"] == "malformed"
    assert "not-a-uuid" not in response.text  # the refusal never quotes what was sent
    assert stored(admin_db) == before


def test_batch_whose_seqs_do_not_match_its_range_is_refused(server, admin_db, make_device):
    client = make_device()
    batch = client.batch([one_op(1), one_op(3)])  # seq_from=1, seq_to=3, but 2 is missing inside
    before = stored(admin_db)
    assert client.post_batch(batch).status_code == 422
    assert stored(admin_db) == before


def test_unknown_protocol_version_gets_a_clear_message(server, admin_db, make_device):
    client = make_device()
    before = stored(admin_db)
    future = client.batch([one_op()]).model_dump(mode="json")
    future["protocol_version"] = 2
    future["ops"][0]["new_field_of_v2"] = True
    response = post_json(client, future)
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_protocol_version" and response.json()["supported_versions"] == [1]
    # Same version, valid shape, but signed as version 2: refused for the version, before the signature.
    body = client.batch([one_op()]).model_dump(mode="json")
    body["protocol_version"] = 99
    assert post_json(client, body).status_code == 400
    assert stored(admin_db) == before
