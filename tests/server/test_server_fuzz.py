"""Fuzz the API from its own OpenAPI schema (schemathesis): whatever arrives, the server never answers 5xx.

An anonymous caller and an enrolled device (GET requests signed for the exact path and query) both fuzz.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error


@pytest.fixture(scope="module")
def backend(tmp_path_factory):
    from server_harness import Backend

    return Backend("sqlite", tmp_path_factory.mktemp("server-fuzz"), None)


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


def test_no_server_error(server, fuzz_device):
    # Operations are driven one by one with Hypothesis (schemathesis' lazy pytest loader does not run on pytest 9).
    api = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 6
    signed_statuses: list[int] = []

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def fuzz(case) -> None:
            case.call_and_validate(base_url=server.url, checks=[not_a_server_error])
            if case.method.upper() == "GET":
                query = f"?{urlencode(case.query, doseq=True)}" if case.query else ""
                headers = fuzz_device.key.request_headers(device_id=fuzz_device.device_id, method="GET",
                                                          path_with_query=case.formatted_path + query)
                response = case.call_and_validate(base_url=server.url, headers=headers, checks=[not_a_server_error])
                signed_statuses.append(response.status_code)

        fuzz()
    assert 200 in signed_statuses  # the signed fuzz reached past authentication
