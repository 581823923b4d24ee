"""`waypoint sync --status` and the status bar's report of a run on a laptop shared across centres, against the real
server on loopback (SQLite and PostgreSQL) and real SQLCipher vaults: every count of records (open conflicts,
rejected and not sendable changes, records whose files have not arrived, records received) is of the records the
signed-in person may see, so Arlit's field worker is not told that Dirkou's records are here and in trouble; the
coordinator, who sees the region, counts them all. Synthetic people only."""

from __future__ import annotations

import json

import pytest

from desktop_app.services import attachments
from desktop_app.services import sync as sync_service
from desktop_app.sync import errors
from desktop_app.sync.transport import ServerConnection
from desktop_app.vault import Vault
from desktop_app.vault.registrations import RegistrationDraft, get_registration, save_registrations
from tests.access.no_centre_form import FORM_ID, VERSION, night
from tests.sync.support import FAST_RETRY, enrol_at, fast_connect
from tests.sync.test_sync_centre_scope import COORD, FIELD, PASSPHRASES, _as, one_region
from tests.sync.test_sync_attachments import synthetic_file
from waypoint_core.protocol import blob_hash

ARLIT, DIRKOU = "Arlit transit centre", "Dirkou transit centre"  # the shipped list's ne_arlit and ne_dirkou
TOO_LONG = "x" * 100_001  # longer than the protocol carries: the change cannot be sent (store.not_sendable)
COUNTS = ("open_conflicts", "rejected", "not_sendable", "incomplete", "unsynced")


@pytest.fixture(scope="module")
def region(server, server_admin):
    return one_region(server_admin, "Air", ARLIT, DIRKOU)


def _save(vault: Vault, given: str, record_id: str | None = None) -> str:
    [saved] = save_registrations(vault, [RegistrationDraft(FORM_ID, VERSION, "finalized", night(given, "x"),
                                                           record_id, {"title": given})])
    return saved


def _counts(status: dict) -> dict[str, int]:
    return {name: status[name] for name in COUNTS}


def _run(vault: Vault) -> dict[str, int]:
    """Sync now, and the report of it the status bar gives the signed-in person (services.sync.run_report)."""
    before = sync_service.run_start(vault)
    summary = sync_service.sync_now(vault, connect=fast_connect())
    return sync_service.run_report(vault, summary, before)[1]


def _shared(make_vault, server, server_admin, name: str) -> Vault:
    """Arlit's laptop, shared by a coordinator (who pulls the region) and a field worker of Arlit."""
    vault = enrol_at(make_vault, server, server_admin, name, ARLIT, "coordinator,field_staff")
    vault.add_user(FIELD, PASSPHRASES[FIELD], ("field_staff",))
    vault.add_user(COORD, PASSPHRASES[COORD], ("coordinator",))
    return vault


def _dirkou(make_vault, server, server_admin, name: str, *given: str) -> tuple[Vault, list[str]]:
    """Dirkou's laptop and its records, on the server."""
    dirkou = enrol_at(make_vault, server, server_admin, name, DIRKOU, "field_staff")
    made = [_save(dirkou, one) for one in given]
    assert sync_service.sync_now(dirkou, connect=fast_connect()).acknowledged == len(made)
    return dirkou, made


def test_sync_status_counts_only_the_records_the_person_may_see(region, make_vault, server, server_admin):
    """Dirkou's records on Arlit's shared laptop, after a region-wide pull: one in conflict, one refused by the
    server, one that cannot be sent (a refusal too, and an open conflict on the desk), one whose file has not arrived.
    Arlit's field worker counts none of them, only their own change that cannot be sent, in the service and the CLI,
    and reads none of the last run's counts; the coordinator counts them all; Arlit's administrator, who manages the
    laptop, counts Arlit's and also gets the laptop's unsynced count and last run whole."""
    dirkou, (clash, long, moved) = _dirkou(make_vault, server, server_admin, "dirkou-status",
                                           "Dirkou clash", "Dirkou long", "Dirkou moved")
    late = synthetic_file(20_000, "late status")
    with_file = _save(dirkou, "Dirkou file")
    attachments.save_attachments(dirkou, record_id=with_file, files=[("photo.jpg", "image/jpeg", late)])

    class Refusing(ServerConnection):  # the server refuses the photo for now: its record travels without it
        def upload_chunk(self, chunk):
            if chunk.sha256 == blob_hash(late):
                raise errors.ServerRefused(413, "too_large", "refused by the test")
            return super().upload_chunk(chunk)

    def refusing(url, **kw):
        return Refusing(url, **{"retry": FAST_RETRY, **kw})

    assert sync_service.sync_now(dirkou, connect=refusing).files_failed == 1

    shared = _shared(make_vault, server, server_admin, "shared-status")
    assert sync_service.sync_now(shared, connect=fast_connect()).pulled >= 4
    assert get_registration(shared, clash).centre == "ne_dirkou"
    _save(dirkou, "Dirkou clash there", clash)
    assert sync_service.sync_now(dirkou, connect=refusing).acknowledged == 1
    with _as(shared, COORD) as coordinator:
        _save(coordinator, "Dirkou clash here", clash)  # from the version before Dirkou's: a conflict
        _save(coordinator, TOO_LONG, long)
        report = _run(coordinator)
        assert (report["conflicts"], report["rejected"], report["not_sendable"]) == (1, 0, 1)  # Dirkou's, theirs
    # Dirkou leaves the region: the coordinator's next change of its record is refused (another centre's)
    assert json.loads(server_admin.run("centre", "region", DIRKOU, "Kawar"))["region"] == "Kawar"
    with _as(shared, COORD) as coordinator:
        _save(coordinator, "Dirkou moved here", moved)
        report = _run(coordinator)
        assert (report["conflicts"], report["rejected"], report["not_sendable"]) == (0, 1, 1)
    with _as(shared, FIELD) as field:
        own = _save(field, TOO_LONG)  # Arlit's own change that cannot be sent: the field worker's to see
        assert get_registration(field, own).centre == "ne_arlit"
        report = _run(field)  # the field worker's run: their change only, none of Dirkou's
        assert (report["received"], report["conflicts"], report["rejected"], report["not_sendable"]) == (0, 0, 0, 1)

    with _as(shared, COORD) as coordinator:
        assert _counts(sync_service.sync_status(coordinator)) == {
            "open_conflicts": 4, "rejected": 3, "not_sendable": 2, "incomplete": 1, "unsynced": 2}
    with _as(shared, FIELD) as field:
        status = sync_service.sync_status(field)
        assert _counts(status) == {"open_conflicts": 1, "rejected": 1, "not_sendable": 1, "incomplete": 0,
                                   "unsynced": 1}
        assert "unsynced_on_laptop" not in status
        assert set(status["last_sync"]) <= {"failed", "via", "forms_installed", "forms_refused", "retries",
                                            "restores"}
    managed = sync_service.sync_status(shared)  # Arlit's administrator: Arlit's records, and the laptop's
    assert _counts(managed) == {"open_conflicts": 1, "rejected": 1, "not_sendable": 1, "incomplete": 0,
                                "unsynced": 1}
    assert managed["unsynced_on_laptop"] == 2 and "pulled" in managed["last_sync"]

    from tests.sync.test_sync_client import waypoint

    path = shared.path
    shared.close()
    said = waypoint("sync", "--vault", str(path), "--user", FIELD, "--status",
                    env_extra={"WAYPOINT_PASSPHRASE": PASSPHRASES[FIELD]})
    assert said.returncode == 0, said.stderr
    printed = json.loads(said.stdout)
    assert _counts(printed) == {"open_conflicts": 1, "rejected": 1, "not_sendable": 1, "incomplete": 0,
                                "unsynced": 1}
    assert "pulled" not in printed["last_sync"] and "rejected_messages" not in printed["last_sync"]
    # `waypoint sync` itself: the field worker is told their run's counts, not the laptop's summary
    ran = waypoint("sync", "--vault", str(path), "--user", FIELD, env_extra={"WAYPOINT_PASSPHRASE": PASSPHRASES[FIELD]})
    assert ran.returncode == 0, ran.stderr
    printed = json.loads(ran.stdout)
    assert (printed["conflicts"], printed["rejected"], printed["not_sendable"]) == (0, 0, 1)
    assert "pulled" not in printed and "rejected_messages" not in printed
