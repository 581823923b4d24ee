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


def test_the_signature_is_checked_before_the_body_is_parsed(server, admin_db, make_device):
    """An unknown device's (or a forger's) body is never parsed: garbage and a 7.5 MiB batch alike get 401, not 422."""
    client = make_device()
    forger = DeviceClient(server.url, key=SigningKey.generate(), device_id=client.device_id)
    big = forger.batch([one_op(seq, note="x" * 75_000) for seq in range(1, 101)]).body()
    assert 7_000_000 < len(big) < 8 * 1024 * 1024
    before = stored(admin_db)
    assert forger.post_batch(big).status_code == 401
    assert forger.post_batch(b"{not json at all").status_code == 401
    assert client.post_batch(b"{not json at all").status_code == 422  # the real device: parsed, then refused
    forger.close()
    assert stored(admin_db) == before


def test_a_signed_body_changed_on_the_way_is_refused(server, admin_db, make_device):
    client = make_device()
    body = client.batch([one_op(name="Awa")]).body()
    headers = client.key.request_headers(device_id=client.device_id, method="POST", path_url="/v2/push", body=body)
    before = stored(admin_db)
    tampered = body.replace(b"Awa", b"Changed")
    response = httpx.post(f"{server.url}/v2/push", content=tampered, headers=headers)
    assert response.status_code == 401
    assert stored(admin_db) == before


def test_revoked_device_is_refused_everywhere(server, admin_db, make_device):
    client = make_device()
    admin.revoke_device(admin_db, client.device_id)
    before = stored(admin_db)
    response = client.post_batch(client.batch([one_op()]))
    assert response.status_code == 403 and response.json()["error"] == "device_revoked"
    assert client.signed_get("/v2/changes?cursor=").status_code == 403
    assert client.signed_get("/v2/forms").status_code == 403
    assert stored(admin_db) == before


def test_get_endpoints_need_a_valid_request_signature(server, make_device):
    client = make_device()
    path = "/v2/changes?cursor=&limit=5"
    assert httpx.get(f"{server.url}{path}").status_code == 401
    good = client.key.request_headers(device_id=client.device_id, method="GET", path_url=path)
    assert httpx.get(f"{server.url}{path}", headers=good).status_code == 200
    # The same signature on another query (another cursor or size) does not pass.
    assert httpx.get(f"{server.url}/v2/changes?cursor=&limit=6", headers=good).status_code == 401
    stale = client.key.request_headers(device_id=client.device_id, method="GET", path_url=path, now=1_000_000)
    response = httpx.get(f"{server.url}{path}", headers=stale)
    assert response.status_code == 401 and "clock" in response.json()["message"]
    wrong_key = SigningKey.generate().request_headers(device_id=client.device_id, method="GET", path_url=path)
    assert httpx.get(f"{server.url}{path}", headers=wrong_key).status_code == 401


@pytest.mark.parametrize("header, value, words", [
    ("Waypoint-Time", "9" * 400, "at most 12"),
    ("Waypoint-Time", "12e3", "digits only"),
    ("Waypoint-Time", "-5", "digits only"),
    ("Waypoint-Device", "'; DROP TABLE device; --", "device id"),
    ("Waypoint-Signature", "x" * 5000, "not a signature"),
])
def test_malformed_headers_are_a_401_with_a_sentence(server, make_device, header, value, words):
    client = make_device()
    headers = client.key.request_headers(device_id=client.device_id, method="GET", path_url="/v2/forms")
    response = httpx.get(f"{server.url}/v2/forms", headers={**headers, header: value})
    assert response.status_code == 401 and words in response.json()["message"]


@pytest.mark.parametrize("path", ["/v2/forms/a%00b/1", "/v2/forms/a%0Ab/1", "/v2/forms/a%7Fb/1"])
def test_control_characters_in_a_path_are_refused(server, make_device, path):
    client = make_device()
    response = client.signed_get(path)
    assert response.status_code == 400 and response.json()["error"] == "bad_request"


@pytest.mark.parametrize("where", ["value", "form_id", "field name", "content"])
def test_control_characters_in_a_batch_are_refused_before_the_database(server, admin_db, make_device, where):
    client = make_device()
    body = json.loads(client.batch([one_op(name="Awa Canary")]).body())
    op = body["ops"][0]
    if where == "value":
        op["fields"]["name"] = "Awa\x00Canary"
    elif where == "form_id":
        op["form_id"] = "regis\x00tration"
    elif where == "field name":
        op["fields"]["na\nme"] = "x"
    else:
        op["content"] = "<data>\x01</data>"
    before = stored(admin_db)
    response = client.post_batch(json.dumps(body).encode())
    assert response.status_code == 422 and "Canary" not in response.text
    assert stored(admin_db) == before


def test_oversized_body_is_413_and_nothing_stored(server, admin_db, make_device):
    client = make_device()
    before = stored(admin_db)
    big = client.batch([one_op(seq, note="x" * 90_000) for seq in range(1, 101)])  # ~9 MB > 8 MiB default cap
    response = client.post_batch(big)
    assert response.status_code == 413 and response.json()["error"] == "too_large"
    body = big.body()
    signed = client.key.request_headers(device_id=client.device_id, method="POST", path_url="/v2/push", body=body)
    chunked = httpx.post(f"{server.url}/v2/push", headers={"content-type": "application/json", **signed},
                         content=(body[i:i + 65536] for i in range(0, len(body), 65536)))  # no Content-Length
    assert chunked.status_code == 413 and chunked.json()["error"] == "too_large"
    assert stored(admin_db) == before


@pytest.mark.parametrize("body", [
    b"{not json", b"[]", b'{"protocol_version": 2}',
    {"protocol_version": 2, "device_id": "not-a-uuid", "seq_from": 1, "seq_to": 1, "ops": []},
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
    future["protocol_version"] = 3
    future["ops"][0]["new_field_of_v3"] = True
    response = post_json(client, future)
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_protocol_version" and response.json()["supported_versions"] == [2]
    # Valid shape, another version: refused for the version.
    body = client.batch([one_op()]).model_dump(mode="json")
    body["protocol_version"] = 99
    assert post_json(client, body).status_code == 400
    assert stored(admin_db) == before
