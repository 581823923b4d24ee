"""The server's conflicts on a coordinator's review desk, through the real server on loopback (SQLite and
PostgreSQL), every request signed by the laptop and every answer by the server (sync_server/review.py):
`GET /v2/conflicts` lists the open conflicts of the region a coordinator's laptop reviews, both sides each; a
field laptop is refused; a coordinator of another region sees nothing; pages are bounded."""

from __future__ import annotations

import json

import pytest
from records import register

from desktop_app.services import sync as sync_service
from desktop_app.sync import errors, store
from desktop_app.sync.transport import ServerConnection
from tests.sync.support import enrol_at, fast_connect


def connection(server, vault) -> ServerConnection:
    c = store.load_credentials(vault)
    return ServerConnection(server.url, device_id=c.device_id, device_key=c.device_key,
                            server_signing_key=c.server_signing_key, server_keys=c.server_keys,
                            retry=sync_service.RetryPolicy(max_attempts=1))


def contested(a, b, name: str) -> str:
    """A record both field laptops hold, then renamed on each: the second push opens a conflict on the server."""
    record_id = register(a, f"{name} Test", 30).id
    sync_service.sync_now(a, connect=fast_connect())
    sync_service.sync_now(b, connect=fast_connect())
    register(a, f"{name} Alpha", 30, record_id=record_id)
    register(b, f"{name} Bravo", 30, record_id=record_id)
    sync_service.sync_now(a, connect=fast_connect())
    sync_service.sync_now(b, connect=fast_connect())
    return record_id


@pytest.fixture
def region(make_vault, server, server_admin):
    """Two field laptops of Maradi and a coordinator's laptop of Maradi's region (Dosso is in it too); a
    coordinator's laptop of Tillaberi, in another region."""
    a = enrol_at(make_vault, server, server_admin, "maradi-a", "Maradi", "field_staff")
    b = enrol_at(make_vault, server, server_admin, "maradi-b", "Maradi", "field_staff")
    coordinator = enrol_at(make_vault, server, server_admin, "dosso-coord", "Dosso", "coordinator")
    other = enrol_at(make_vault, server, server_admin, "tillaberi-coord", "Tillaberi", "coordinator")
    server_admin.run("centre", "region", "Maradi", "South")
    server_admin.run("centre", "region", "Dosso", "South")
    server_admin.run("centre", "region", "Tillaberi", "West")
    return a, b, coordinator, other


def test_a_coordinator_of_the_region_sees_both_sides_others_see_nothing(region, server, server_admin):
    a, b, coordinator, other = region
    record_id = contested(a, b, "Hadiza")
    device_a, device_b = store.load_credentials(a).device_id, store.load_credentials(b).device_id
    by_coordinator, by_other, by_field = (connection(server, v) for v in (coordinator, other, a))
    try:
        page = by_coordinator.conflicts()
        [found] = [c for c in page.conflicts if c.record_id == record_id]
        assert not page.has_more and page.next_cursor
        names = {found.lost.state.fields["title"], found.server.state.fields["title"]}
        assert names == {"Hadiza Alpha", "Hadiza Bravo"}
        assert "title" in found.fields and "#content" in found.fields
        # The server's side is the version it made when B's op arrived; the side that lost names its device.
        assert found.server.server_version == 3 and found.server.version_hash
        assert found.server.device_id == device_b
        assert found.lost.device_id in (device_a, device_b) and found.lost.device_id != (
            device_b if found.server.state.fields["title"] == "Hadiza Bravo" else device_a)
        assert found.lost.device_name in ("maradi-a", "maradi-b") and found.lost.hlc > 0
        assert f"<name>{found.lost.state.fields['title']}</name>" in found.lost.state.content
        assert found.base is not None and found.base.fields["title"] == "Hadiza Test" and found.base_version == 1

        assert [c for c in by_other.conflicts().conflicts if c.record_id == record_id] == []
        with pytest.raises(errors.ServerRefused) as refused:
            by_field.conflicts()
        assert refused.value.error == "not_allowed"
    finally:
        for c in (by_coordinator, by_other, by_field):
            c.close()


def test_pages_are_bounded_and_follow_on(region, server):
    a, b, coordinator, _other = region
    first, second = contested(a, b, "Moussa"), contested(a, b, "Rakia")
    by_coordinator = connection(server, coordinator)
    try:
        seen, after, pages = [], "", 0
        while True:
            page = by_coordinator.conflicts(after=after, limit=1)
            pages += 1
            assert len(page.conflicts) <= 1
            seen += [c.record_id for c in page.conflicts]
            if not page.has_more:
                break
            after = page.next_cursor
        assert first in seen and second in seen and seen.index(first) < seen.index(second)
        assert pages >= 2 and len(seen) == len(set(seen))
        with pytest.raises(errors.ServerRefused) as refused:
            by_coordinator.conflicts(after="not a cursor")
        assert refused.value.error == "malformed"
    finally:
        by_coordinator.close()


def test_nothing_personal_in_the_server_log(region, server):
    a, b, coordinator, _other = region
    contested(a, b, "Zeinabou")
    by_coordinator = connection(server, coordinator)
    try:
        assert by_coordinator.conflicts().conflicts
    finally:
        by_coordinator.close()
    lines = [json.loads(line) for line in server.log_path.read_text("utf-8").splitlines() if line.startswith("{")]
    assert any(line.get("event") == "conflicts" for line in lines)
    assert not any("Zeinabou" in json.dumps(line) for line in lines)
