"""Fuzz the API from its own OpenAPI description (schemathesis): whatever arrives, the server never answers 5xx.

Three callers fuzz every operation: an anonymous one (bodies, query, path and the Waypoint-* headers all generated),
an enrolled device signing exactly what it sends, and the same device with one of its signed headers replaced by a
generated value (header fuzzing past the other checks). The description exists only with `--dev-api-docs`.
"""

from __future__ import annotations

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

SIGNED = ("Waypoint-Device", "Waypoint-Time", "Waypoint-Signature")


@pytest.fixture(scope="module")
def backend(tmp_path_factory):
    from server_harness import Backend

    return Backend("sqlite", tmp_path_factory.mktemp("server-fuzz"), None)


@pytest.fixture(scope="module")
def server(backend):
    from server_harness import ServerProcess

    with ServerProcess(data_dir=backend.data_dir, extra_args=("--dev-api-docs",)) as process:
        yield process


@pytest.fixture(scope="module")
def fuzz_device(server, admin_db):
    from datetime import timedelta

    from server_harness import ensure_centre
    from sim_device import DeviceClient

    from sync_server import admin

    ensure_centre(admin_db, "Fuzz")
    client = DeviceClient(server.url)
    client.enrol(admin.create_enrolment_code(admin_db, centre="Fuzz", ttl=timedelta(hours=1)))
    yield client
    client.close()


def _signed_call(session: requests.Session, case, base_url: str, device, *, keep_fuzzed: str | None) -> int:
    """Send the case as the device would: signed over the exact path, query and body that go on the wire."""
    kwargs = case.as_transport_kwargs(base_url=base_url)
    headers = {k: v for k, v in (kwargs.pop("headers", None) or {}).items() if k not in SIGNED}
    prepared = requests.Request(kwargs.pop("method"), kwargs.pop("url"), params=kwargs.pop("params", None),
                                headers=headers, json=kwargs.pop("json", None), data=kwargs.pop("data", None)).prepare()
    body = prepared.body if isinstance(prepared.body, bytes) else (prepared.body or "").encode()
    prepared.headers.update(device.key.request_headers(device_id=device.device_id, method=prepared.method,
                                                       path_url=prepared.path_url, body=body))
    if keep_fuzzed and case.headers and keep_fuzzed in case.headers:
        prepared.headers[keep_fuzzed] = case.headers[keep_fuzzed]
    response = session.send(prepared, timeout=30)
    assert response.status_code < 500, (case.method, case.formatted_path, response.status_code, response.text[:300])
    return response.status_code


def test_no_server_error(server, fuzz_device):
    # Operations are driven one by one with Hypothesis (schemathesis' lazy pytest loader does not run on pytest 9).
    api = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 9
    signed_statuses: list[int] = []
    fuzzed_header_statuses: list[int] = []

    with requests.Session() as session:
        for operation in operations:

            @given(case=operation.as_strategy())
            @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            def fuzz(case) -> None:
                case.call_and_validate(base_url=server.url, checks=[not_a_server_error])
                signed_statuses.append(_signed_call(session, case, server.url, fuzz_device, keep_fuzzed=None))
                for name in SIGNED:
                    if case.headers and name in case.headers:
                        fuzzed_header_statuses.append(
                            _signed_call(session, case, server.url, fuzz_device, keep_fuzzed=name))

            fuzz()
    assert 200 in signed_statuses  # the signed fuzz reached past authentication
    assert fuzzed_header_statuses and set(fuzzed_header_statuses) <= {400, 401, 403, 404, 409, 413, 422, 429, 200}
