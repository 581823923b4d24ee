"""The device sync client against the real server on loopback (SQLite and PostgreSQL): CLI enrol and sync,
push and pull between devices, tombstones, re-delivery, the outbox across restarts, and the URL policy."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from tests.sync.support import PASSPHRASE, fast_connect
from records import register

from desktop_app.services import sync as sync_service
from desktop_app.sync import errors, store
from desktop_app.vault import Vault
from desktop_app.vault.registrations import count_unsynced, delete_registration, get_registration


def waypoint(*args: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "WAYPOINT_PASSPHRASE": PASSPHRASE, **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "desktop_app.cli", *args], env=env, capture_output=True,
                          text=True, timeout=300)


def test_cli_enrol_then_sync_prints_the_json_summary(make_vault, new_code, server):
    vault = make_vault("cli")
    path = vault.path
    for n in range(5):
        register(vault, f"Person {n}", 20 + n)
    vault.close()
    enrolled = waypoint("enrol", "--vault", str(path), "--user", "admin", "--server", server.url,
                        "--code", new_code())
    assert enrolled.returncode == 0, enrolled.stderr
    assert json.loads(enrolled.stdout)["centre"] == "Agadez"
    synced = waypoint("sync", "--vault", str(path), "--user", "admin")
    assert synced.returncode == 0, synced.stderr
    summary = json.loads(synced.stdout)
    assert {k: summary[k] for k in ("pushed", "acknowledged", "conflicts")} == {
        "pushed": 5, "acknowledged": 5, "conflicts": 0}
    assert summary["pulled"] == summary["received"] == 0  # its own five were left out of the run's pull (the echo)
    again = json.loads(waypoint("sync", "--vault", str(path), "--user", "admin").stdout)
    assert again["pushed"] == again["acknowledged"] == 0
    with Vault.unlock(path, username="admin", passphrase=PASSPHRASE) as reopened:
        assert count_unsynced(reopened) == 0
        assert store.status(reopened)["unsynced"] == 0


def test_enrolling_twice_and_a_used_code_are_refused(enrolled, make_vault, new_code, server):
    vault = enrolled("twice")
    with pytest.raises(errors.AlreadyEnrolled):
        sync_service.enrol(vault, server_url=server.url, code=new_code())
    code = new_code()
    sync_service.enrol(make_vault("first"), server_url=server.url, code=code)
    with pytest.raises(errors.ServerRefused, match="already been used"):
        sync_service.enrol(make_vault("second"), server_url=server.url, code=code)


def test_records_flow_between_two_devices_with_edits_and_deletes(enrolled):
    a, b = enrolled("a"), enrolled("b")
    kept = register(a, "Amadou Test", 31)
    gone = register(a, "Binta Test", 25)
    summary = sync_service.sync_now(a, connect=fast_connect())
    assert summary.acknowledged == 2 and get_registration(a, kept.id).sync_state == "acknowledged"
    sync_service.sync_now(b, connect=fast_connect())
    copy = get_registration(b, kept.id)
    assert copy.title == "Amadou Test" and copy.age == 31 and "<name>Amadou Test</name>" in copy.content
    assert copy.sync_state == "acknowledged" and copy.server_version == 1

    register(b, "Amadou Test", 32, record_id=kept.id)  # b edits what it received
    delete_registration(a, gone.id)
    sync_service.sync_now(b, connect=fast_connect())
    sync_service.sync_now(a, connect=fast_connect())
    assert get_registration(a, kept.id).age == 32
    assert get_registration(b, gone.id).deleted is False  # b has not pulled the delete yet
    sync_service.sync_now(b, connect=fast_connect())
    assert get_registration(b, gone.id).deleted is True
    for vault in (a, b):
        assert count_unsynced(vault) == 0


def test_redelivered_pages_are_no_ops(enrolled):
    a = enrolled("redeliver")
    record = register(a, "Chaibou Test", 40)
    sync_service.sync_now(a, connect=fast_connect())
    connection = fast_connect()(store.load_credentials(a).server_url,
                                **_signing(store.load_credentials(a)))
    page = connection.pull(cursor="", limit=1000)
    connection.close()
    before = get_registration(a, record.id)
    outcome = store.store_pull_page(a, page.model_copy(update={"next_cursor": store.cursor(a)}),
                                    own_device_id="x")
    after = get_registration(a, record.id)
    assert outcome.applied == 0 and outcome.skipped == len(page.changes)
    assert (after.version, after.content, after.sync_state) == (before.version, before.content, before.sync_state)


def _signing(credentials: store.Credentials) -> dict:
    return {"device_id": credentials.device_id, "device_key": credentials.device_key,
            "server_signing_key": credentials.server_signing_key}


def test_outbox_survives_closing_the_vault_between_attempts(enrolled, server, tmp_path):
    vault = enrolled("restart")
    path = vault.path
    ids = [register(vault, f"Restart {n}", 30 + n).id for n in range(7)]
    credentials = store.load_credentials(vault)
    batch = store.next_batch(vault, credentials, max_ops=4)  # frozen: device_seq and wire op stored
    assert (batch.seq_from, batch.seq_to) == (1, 4)
    vault.close()  # "power cut" before the first attempt: nothing was sent

    reopened = Vault.unlock(path, username="admin", passphrase=PASSPHRASE)
    try:
        again = store.next_batch(reopened, store.load_credentials(reopened), max_ops=4)
        assert again.body == batch.body  # the very same signed bytes
        reopened.close()
        reopened = Vault.unlock(path, username="admin", passphrase=PASSPHRASE)
        summary = sync_service.sync_now(reopened, connect=fast_connect())
        assert summary.acknowledged == 7 and count_unsynced(reopened) == 0
        assert {get_registration(reopened, i).sync_state for i in ids} == {"acknowledged"}
    finally:
        reopened.close()


def test_a_batch_is_posted_while_the_answer_before_it_is_stored_and_the_next_frozen(enrolled, monkeypatch):
    """Pipelining: while the server works on batch N, the vault stores N-1's answer and freezes N+1, in one
    transaction; the last answer is stored alone. Nothing is sent twice, everything is acknowledged once."""
    vault = enrolled("pipelined")
    ids = [register(vault, f"Pipelined {n}", 20 + n).id for n in range(25)]
    vault_steps = []
    acknowledge_and_next, store_push_answer = store.acknowledge_and_next, store.store_push_answer

    def together(vault, credentials, done, **kwargs):
        outcome, following = acknowledge_and_next(vault, credentials, done, **kwargs)
        vault_steps.append(("together", done[0].seq_from if done else None, kwargs["after"],
                            following.seq_from if following else None))
        return outcome, following

    def alone(vault, batch, answer):
        vault_steps.append(("alone", batch.seq_from))
        return store_push_answer(vault, batch, answer)

    monkeypatch.setattr(store, "acknowledge_and_next", together)
    monkeypatch.setattr(store, "store_push_answer", alone)
    summary = sync_service.sync_now(vault, connect=fast_connect(), batch_size=10)
    # batch 1-10 on the wire: 11-20 frozen; 11-20 on the wire: 1-10's answer stored, 21-25 frozen; 21-25 on the
    # wire: 11-20's answer stored, nothing left; then 21-25's answer alone.
    assert vault_steps == [("together", None, 10, 11), ("together", 1, 20, 21), ("together", 11, 25, None),
                           ("alone", 21)]
    assert (summary.pushed, summary.acknowledged) == (25, 25) and count_unsynced(vault) == 0
    assert {get_registration(vault, i).sync_state for i in ids} == {"acknowledged"}
    assert store.status(vault)["acked_device_seq"] == 25


@pytest.mark.parametrize("url", ["http://example.org:8470", "http://10.0.0.5", "http://192.168.1.20:80",
                                 "ftp://127.0.0.1", "http://user:pw@127.0.0.1"])
def test_plain_http_to_another_host_is_refused_before_any_connection(url, make_vault):
    vault = make_vault("insecure")
    with pytest.raises(errors.InsecureServerUrl):
        sync_service.enrol(vault, server_url=url, code="ABCD-EFGH")
    assert store.status(vault)["enrolled"] is False


@pytest.mark.parametrize("url", ["http://127.0.0.1:1", "http://127.8.9.10:1", "http://[::1]:1",
                                 "http://localhost:1", "https://sync.example.org"])
def test_loopback_http_and_https_are_accepted(url):
    assert sync_service.check_server_url(url) == url


def test_cli_refuses_plain_http_to_another_host_without_traffic(make_vault):
    # A "server" address that would hang if contacted: the refusal must come first.
    path = make_vault("cli-insecure").path
    result = waypoint("enrol", "--vault", str(path), "--user", "admin", "--server", "http://192.0.2.1:9",
                      "--code", "ABCD-EFGH")
    assert result.returncode == 2 and "https://" in result.stderr


def test_a_revoked_device_is_told_so_and_keeps_its_outbox(enrolled, server_admin, new_code, server):
    """A revoked laptop is told, in English and French, that the administrator revoked it, that nothing entered on it
    is lost, and what to do: a new enrolment code and `waypoint enrol --again`. Done as it says, everything it held
    unsent arrives (it said only "The server has revoked this device; ask an administrator.")."""
    vault = enrolled("revoked")
    sent = register(vault, "Kadi Test", 27)
    sync_service.sync_now(vault, connect=fast_connect())
    register(vault, "Kadi Test", 28, record_id=sent.id)  # changed after its last sync
    unsent = register(vault, "Lamine Test", 40)
    server_admin.run("revoke", store.load_credentials(vault).device_id)
    with pytest.raises(errors.DeviceRevoked, match="revoked") as refused:
        sync_service.sync_now(vault, connect=fast_connect())
    assert count_unsynced(vault) == 2  # nothing marked sent: it stays queued for a re-enrolled device
    assert "administrator revoked this laptop" in str(refused.value)
    assert "Nothing entered on it is lost" in str(refused.value) and "waypoint enrol --again" in str(refused.value)
    path = vault.path
    vault.close()

    synced = waypoint("sync", "--vault", str(path), "--user", "admin")
    assert synced.returncode == 2
    english, french = synced.stderr.strip().splitlines()[-2:]  # after the warning of a passphrase from the environment
    assert "administrator revoked this laptop" in english and "unsent changes stay in its vault" in english
    assert "new enrolment code" in english and "waypoint enrol --again" in english
    assert "L'administrateur a révoqué cet ordinateur" in french and "Rien de ce qui y a été saisi n'est perdu" in french
    assert "nouveau code d'inscription" in french
    status = json.loads(waypoint("sync", "--vault", str(path), "--user", "admin", "--status").stdout)
    assert (status["refused"], status["revoked"], status["unsynced"]) == ("revoked", True, 2)

    # As it says: enrolled again with a new code, it sends what it held, the change to a record it had sent included.
    again = waypoint("enrol", "--vault", str(path), "--user", "admin", "--server", server.url, "--code", new_code(),
                     "--again")
    assert again.returncode == 0, again.stderr
    resumed = waypoint("sync", "--vault", str(path), "--user", "admin")
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["acknowledged"] == 2
    other = enrolled("after-revoked")
    sync_service.sync_now(other, connect=fast_connect())
    assert get_registration(other, sent.id).age == 28 and get_registration(other, unsent.id).title == "Lamine Test"


def test_a_server_answer_not_signed_by_the_pinned_key_is_not_stored(enrolled, server):
    """An impostor holding another key (or a tampering proxy) cannot get a page or an acknowledgement stored."""
    from waypoint_core.protocol import SigningKey

    vault = enrolled("pinned")
    register(vault, "Lami Test", 35)
    credentials = store.load_credentials(vault)
    impostor_key = SigningKey.generate().public_b64
    connection = fast_connect(retry=sync_service.RetryPolicy(max_attempts=2, base_s=0.001, cap_s=0.002))(
        credentials.server_url, device_id=credentials.device_id, device_key=credentials.device_key,
        server_signing_key=impostor_key)
    with pytest.raises(errors.GaveUp, match="pinned server key"):
        connection.with_retries(lambda: connection.pull(cursor="", limit=10))
    connection.close()
    assert store.cursor(vault) == "" and count_unsynced(vault) == 1


def test_vaults_verify_clean_after_syncing(enrolled):
    """`waypoint verify` must not mistake records received from the server for records never queued."""
    a, b = enrolled("verify-a"), enrolled("verify-b")
    record_id = register(a, "Mariama Test", 19).id
    gone = register(a, "Nafi Test", 44).id
    sync_service.sync_now(a, connect=fast_connect())
    sync_service.sync_now(b, connect=fast_connect())
    register(b, "Mariama Test", 20, record_id=record_id)
    delete_registration(a, gone)
    sync_service.sync_now(b, connect=fast_connect())
    sync_service.sync_now(a, connect=fast_connect())
    sync_service.sync_now(b, connect=fast_connect())
    for vault in (a, b):
        report = vault.verify()
        assert report.ok, report.problems


def test_field_staff_cannot_enrol_the_laptop(make_vault, new_code, server):
    from desktop_app.vault.errors import PermissionDenied

    vault = make_vault("staff-only")
    vault.add_user("amina", "field staff passphrase 77", "field_staff")
    path = vault.path
    vault.close()
    with Vault.unlock(path, username="amina", passphrase="field staff passphrase 77") as staff:
        with pytest.raises(PermissionDenied, match="administrator or a coordinator can enrol"):
            sync_service.enrol(staff, server_url=server.url, code=new_code())
        assert store.status(staff)["enrolled"] is False


def test_a_finalized_version_replaced_by_a_pulled_one_is_kept_in_its_history(enrolled):
    from desktop_app.records.store import record_history

    a, b = enrolled("history-a"), enrolled("history-b")
    record_id = register(a, "Oumou Test", 28).id
    sync_service.sync_now(a, connect=fast_connect())
    sync_service.sync_now(b, connect=fast_connect())
    register(b, "Oumou Test", 29, record_id=record_id)
    sync_service.sync_now(b, connect=fast_connect())
    sync_service.sync_now(a, connect=fast_connect())
    assert get_registration(a, record_id).age == 29
    history = record_history(a, record_id)
    [earlier] = [v for v in history if not v.current]
    assert "<age>28</age>" in earlier.content and earlier.version == 1
    assert [v for v in history if v.current][0].content == get_registration(a, record_id).content


def test_cli_sync_before_enrolment_says_what_to_do_and_status_works_offline(make_vault):
    vault = make_vault("cli-not-enrolled")
    register(vault, "Penda Test", 61)
    path = vault.path
    vault.close()
    refused = waypoint("sync", "--vault", str(path), "--user", "admin")
    assert refused.returncode == 2 and "waypoint enrol --server URL --code CODE" in refused.stderr
    status = waypoint("sync", "--vault", str(path), "--user", "admin", "--status")
    assert status.returncode == 0, status.stderr
    assert {k: json.loads(status.stdout)[k] for k in ("enrolled", "unsynced", "open_conflicts")} == {
        "enrolled": False, "unsynced": 1, "open_conflicts": 0}
    assert "device_key" not in status.stdout


def test_after_the_server_lost_acknowledged_ops_the_device_sends_them_again(enrolled, backend):
    """409 sequence gap: the server was restored from a backup older than the device's acknowledgements."""
    if backend.name != "sqlite":
        pytest.skip("the restore is simulated on the server's SQLite file; the client path is the same")
    import sqlite3

    vault = enrolled("restored")
    for n in range(5):
        register(vault, f"Restore Person {n}", 30 + n)
    sync_service.sync_now(vault, connect=fast_connect())
    device_id = store.load_credentials(vault).device_id
    with sqlite3.connect(backend.data_dir / "server.db") as db:  # what a restore from an older backup looks like
        db.execute("DELETE FROM op_result WHERE device_id = ? AND device_seq > 2", (device_id,))
        db.execute("UPDATE device SET high_water_mark = 2 WHERE id = ?", (device_id,))
    register(vault, "Restore Person 5", 35)
    summary = sync_service.sync_now(vault, connect=fast_connect())
    # 3..5 again (acknowledged here already: resent, and acknowledged again) and 6
    assert (summary.pushed, summary.acknowledged, summary.resent) == (4, 4, 3)
    assert count_unsynced(vault) == 0 and store.status(vault)["acked_device_seq"] == 6
    with sqlite3.connect(backend.data_dir / "server.db") as db:
        hwm, results = db.execute("SELECT high_water_mark, (SELECT COUNT(*) FROM op_result WHERE device_id = ?) "
                                  "FROM device WHERE id = ?", (device_id, device_id)).fetchone()
    assert (hwm, results) == (6, 6)


def test_a_pulled_deletion_removes_the_records_files(enrolled):
    from desktop_app.services import attachments

    a, b = enrolled("files-a"), enrolled("files-b")
    record_id = register(a, "Kadi Test", 33).id
    sync_service.sync_now(a, connect=fast_connect())
    sync_service.sync_now(b, connect=fast_connect())
    attachments.save_attachments(b, record_id=record_id, files=[("photo.jpg", "image/jpeg", b"synthetic")])
    delete_registration(a, record_id)
    sync_service.sync_now(a, connect=fast_connect())
    sync_service.sync_now(b, connect=fast_connect())
    assert get_registration(b, record_id).deleted
    assert attachments.list_attachments(b, record_id) == []


def test_enrolling_from_the_cli_sets_the_laptops_centre(make_vault, new_code, server):
    from desktop_app.services import places

    vault = make_vault("gao")
    sync_service.enrol(vault, server_url=server.url, code=new_code("Gao transit centre"), device_name="gao")
    place = places.get_place(vault)
    assert (place.country, place.centre, place.centre_name) == ("ML", "ml_gao", "Gao transit centre")
    other = make_vault("elsewhere")
    sync_service.enrol(other, server_url=server.url, code=new_code("Field office 7"), device_name="other")
    assert places.get_place(other).centre_name == "Field office 7" and places.get_place(other).centre == ""
