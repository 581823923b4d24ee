"""A conflict the server decided between two field laptops, on a coordinator's review desk, end to end through the
real server on loopback (SQLite and PostgreSQL): the coordinator's laptop fetches it (GET /v2/conflicts), lists it as
"device X's version" against the server's, decides, syncs; the server closes its conflict; the field laptops receive
the decision; the conflict leaves every reviewer's desk at their next fetch."""

from __future__ import annotations

import json

from desktop_app.records import review
from desktop_app.services import desk
from desktop_app.services import sync as sync_service
from desktop_app.sync import store
from desktop_app.vault import audit as log
from desktop_app.vault.registrations import get_registration
from desktop_app.vault.sql import Db, text
from tests.sync.support import FAST_RETRY, fast_connect
from tests.sync.test_sync_desk import as_coordinator
from tests.sync.support import enrol_at
from tests.sync.test_sync_server_conflicts import connection, contested
from waypoint_core.access.audit import CONFLICT_DECIDED


def closed_conflicts(vault, record_id: str) -> list[tuple[str, str]]:
    """(resolution, resolved_by) of the laptop's own closed conflicts on a record."""
    with vault.session(readonly=True) as session:
        return [tuple(row) for row in Db.of(session).execute(text(
            "SELECT resolution, resolved_by FROM conflict WHERE record_id = :r AND server_id IS NULL "
            "AND resolved_at IS NOT NULL"), {"r": record_id}).all()]


def test_two_field_laptops_conflict_a_coordinator_decides_everyone_receives_it(make_vault, server, server_admin):
    a = enrol_at(make_vault, server, server_admin, "agadez-a", "Agadez", "field_staff")
    b = enrol_at(make_vault, server, server_admin, "agadez-b", "Agadez", "field_staff")
    first = enrol_at(make_vault, server, server_admin, "arlit-coord", "Arlit", "coordinator")
    second = enrol_at(make_vault, server, server_admin, "agadez-coord", "Agadez", "coordinator")
    server_admin.run("centre", "region", "Agadez", "North")
    server_admin.run("centre", "region", "Arlit", "North")
    record_id = contested(a, b, "Aminata")
    for vault in (first, second):
        sync_service.sync_now(vault, connect=fast_connect())  # the region's records, the server's winner included
    coordinator, other = as_coordinator(first), as_coordinator(second)
    try:
        assert desk.refresh_server_conflicts(coordinator, connect=fast_connect()) == (1, 0)
        assert desk.refresh_server_conflicts(coordinator, connect=fast_connect()) == (0, 0)  # fetched again: one row
        assert desk.refresh_server_conflicts(other, connect=fast_connect()) == (1, 0)
        [row] = desk.conflicts_page(coordinator, offset=0, limit=10)
        assert row.record_id == record_id and not row.waiting and row.where == "title"
        detail = desk.conflict(coordinator, row.conflict_id)
        winner = get_registration(coordinator, record_id).title
        loser_name = "Aminata Bravo" if winner == "Aminata Alpha" else "Aminata Alpha"
        assert detail.from_server and detail.local_device == ("agadez-b" if loser_name.endswith("Bravo")
                                                              else "agadez-a")
        assert detail.remote_by == "agadez-b" and detail.remote_at and detail.local_at
        [name] = [leaf for leaf in detail.differing if leaf.path.endswith("name")]
        assert (name.local, name.remote, name.base) == (loser_name, winner, "Aminata Test")

        desk.resolve_conflict(coordinator, row.conflict_id, keep=review.KEEP_LOCAL,
                              edits={name.path: "Aminata Charlie"})
        assert desk.count_conflicts(coordinator) == 0
        sync_service.sync_now(coordinator, connect=fast_connect())
        device = store.load_credentials(coordinator).device_id
        assert record_id not in server_admin.run("conflicts")  # no longer open
        [closed] = [json.loads(line) for line in server_admin.run("conflicts", "--all").splitlines()
                    if json.loads(line)["record_id"] == record_id]
        assert closed["resolved_by"] == device and closed["resolved_version"] == 4 and closed["resolved_at"]
        events = [json.loads(line) for line in server_admin.run("audit", "list", "--limit", "500").splitlines()]
        assert any(e["event"] == "conflict.resolved" and e["actor"] == f"device {device}" for e in events)

        losing = b  # the second push met A's change: the server answered B's op with the conflict
        assert sync_service.sync_status(losing)["open_conflicts"] == 1
        assert get_registration(losing, record_id).sync_state == "conflict"
        decided = {}
        for vault in (a, b):
            decided[vault] = sync_service.sync_now(vault, connect=fast_connect()).decided
            assert "<name>Aminata Charlie</name>" in get_registration(vault, record_id).content, vault.path
            assert sync_service.sync_status(vault)["open_conflicts"] == 0, vault.path
            assert get_registration(vault, record_id).sync_state == "acknowledged", vault.path
        assert decided == {a: 0, b: 1}
        # B's own conflict row names the deciding device; its audit log records the decision, by that device.
        [own] = closed_conflicts(losing, record_id)
        assert own == ("server", "device arlit-coord")
        [entry] = [e for e in log.entries(losing, log.Filter(), offset=0, limit=500) if e.event == CONFLICT_DECIDED]
        assert entry.actor == f"device {device}" and entry.record_id == record_id
        assert "version 4" in entry.detail
        assert sync_service.sync_now(losing, connect=fast_connect()).decided == 0  # nothing closes twice
        # The page names the decision only when asked (decisions=1), and only to the laptop whose op it was.
        for vault, expected in ((losing, 1), (a, 0)):
            pulling = connection(server, vault)
            try:
                assert pulling.pull(cursor="", limit=100).decided is None
                named = pulling.pull(cursor="", limit=100, decisions=True).decided or []
            finally:
                pulling.close()
            assert [(d.record_id, d.server_version, d.decided_by, d.decided_by_name) for d in named] == [
                (record_id, 4, device, "arlit-coord")] * expected
        # The other reviewer's desk loses it at its next fetch; a fetch by the deciding laptop keeps it closed.
        assert desk.refresh_server_conflicts(other, connect=fast_connect()) == (0, 1)
        assert desk.count_conflicts(other) == 0
        assert desk.refresh_server_conflicts(coordinator, connect=fast_connect()) == (0, 0)
        assert desk.count_conflicts(coordinator) == 0
    finally:
        coordinator.close()
        other.close()


class _CountingConnection(sync_service.ServerConnection):
    """The real connection, counting its GET /v2/conflicts requests."""

    def __init__(self, *args, counts: dict, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.counts = counts

    def conflicts(self, *, after: str = "", limit: int = 100):
        self.counts["conflicts"] = self.counts.get("conflicts", 0) + 1
        return super().conflicts(after=after, limit=limit)


def _counting(counts: dict):
    def connect(url, **kwargs):
        return _CountingConnection(url, counts=counts, **{"retry": FAST_RETRY, **kwargs})

    return connect


def test_sync_now_on_a_reviewers_laptop_fetches_the_servers_conflicts(make_vault, server, server_admin):
    """Sync now lists the server's conflicts on a coordinator's desk (the record pulled in the same run); a field
    laptop's run asks nothing more; the decision closes the conflict on the desk at the next run."""
    a = enrol_at(make_vault, server, server_admin, "tahoua-a", "Tahoua", "field_staff")
    b = enrol_at(make_vault, server, server_admin, "tahoua-b", "Tahoua", "field_staff")
    enrolled = enrol_at(make_vault, server, server_admin, "tahoua-coord", "Tahoua", "coordinator")
    server_admin.run("centre", "region", "Tahoua", "Centre-Est")
    record_id = contested(a, b, "Mariama")
    field: dict = {}
    assert sync_service.sync_now(a, connect=_counting(field)).server_conflicts == 0
    assert field == {}  # a field laptop's run makes no request for them
    coordinator = as_coordinator(enrolled)
    try:
        counts: dict = {}
        summary = sync_service.sync_now(coordinator, connect=_counting(counts))
        assert summary.server_conflicts == 1 and counts == {"conflicts": 1}
        [row] = desk.conflicts_page(coordinator, offset=0, limit=10)
        assert row.record_id == record_id and desk.conflict(coordinator, row.conflict_id).from_server
        assert sync_service.sync_now(coordinator, connect=_counting(counts)).server_conflicts == 0  # known already
        assert desk.count_conflicts(coordinator) == 1

        desk.resolve_conflict(coordinator, row.conflict_id, keep=review.KEEP_REMOTE)
        sync_service.sync_now(coordinator, connect=fast_connect())
        assert desk.count_conflicts(coordinator) == 0
        assert record_id not in server_admin.run("conflicts")
    finally:
        coordinator.close()
