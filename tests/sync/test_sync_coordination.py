"""What a coordinator's laptop manages through the real server on loopback (SQLite and PostgreSQL), every request
signed by the laptop's key and every answer by the server's (sync_server/coordination.py): enrolment codes for the
centres in its scope (made, listed, used once, revoked), the devices of its region, and bulk-deletion alarms with
their undo. The server refuses field staff and anything outside the laptop's scope, whatever the laptop asks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest
from records import register
from tests.sync.support import enrol_at

from desktop_app.services import sync as sync_service
from desktop_app.sync import errors, store
from desktop_app.sync.transport import ServerConnection
from desktop_app.vault.registrations import delete_registration, get_registration
from waypoint_core.protocol import PROTOCOL_VERSION
from waypoint_core.protocol.enrolment_messages import NewCodeRequest, RevokeCodeRequest, UndoAlarmRequest
from waypoint_core.protocol.order_messages import DeviceOrderRequest


def _connection(server, vault) -> ServerConnection:
    c = store.load_credentials(vault)
    return ServerConnection(server.url, device_id=c.device_id, device_key=c.device_key,
                            server_signing_key=c.server_signing_key, server_keys=c.server_keys,
                            retry=sync_service.RetryPolicy(max_attempts=1))


def _centre_id(server_admin, name: str) -> str:
    return next(line.split("\t")[0] for line in server_admin.run("centre", "list").splitlines()
                if line.split("\t")[1] == name)


def _new(connection, centre_id: str, roles=("field_staff",), hours: int = 24, by: str = "zara"):
    return connection.new_enrolment_code(NewCodeRequest(protocol_version=PROTOCOL_VERSION, centre_id=centre_id,
                                                        roles=list(roles), hours=hours, by=by))


def _refused(call, error: str) -> None:
    with pytest.raises(errors.ServerRefused) as caught:
        call()
    assert caught.value.error == error, (caught.value.error, str(caught.value))


def _server_events(server_admin) -> list[dict]:
    return [json.loads(line) for line in server_admin.run("audit", "list", "--limit", "500").splitlines()]


def test_a_coordinator_makes_a_code_that_enrols_one_device_and_revokes_another(make_vault, server, server_admin):
    coordinator = enrol_at(make_vault, server, server_admin, "coord-office", "Arlit", "coordinator")
    connection = _connection(server, coordinator)
    try:
        listed = connection.enrolment_codes()
        arlit = _centre_id(server_admin, "Arlit")
        assert [c.name for c in listed.centres] == ["Arlit"]  # no region named: its own centre only
        made = _new(connection, arlit, roles=("field_staff", "case_worker"), hours=48)
        assert len(made.code.replace("-", "")) == 16
        assert made.info.centre_name == "Arlit" and made.info.roles == ["field_staff", "case_worker"]
        assert made.info.created_by.startswith("zara (device ")
        assert made.info.code_id in {c.code_id for c in connection.enrolment_codes().codes}
        assert made.code not in json.dumps(server_admin.run("enrol-codes"))  # only its hash is kept

        newcomer = make_vault("arlit-field")
        sync_service.enrol(newcomer, server_url=server.url, code=made.code, device_name="arlit field")
        device_id = store.load_credentials(newcomer).device_id
        assert made.info.code_id not in {c.code_id for c in connection.enrolment_codes().codes}  # used: gone
        again = make_vault("arlit-again")
        with pytest.raises(errors.ServerRefused, match="already been used"):
            sync_service.enrol(again, server_url=server.url, code=made.code, device_name="again")
        found = {d.device_id: d for d in connection.devices().devices}
        assert found[device_id].roles == ["field_staff", "case_worker"] and found[device_id].centre_name == "Arlit"

        revoked = _new(connection, arlit)
        after = connection.revoke_enrolment_code(RevokeCodeRequest(protocol_version=PROTOCOL_VERSION,
                                                                    code_id=revoked.info.code_id, by="zara"))
        assert revoked.info.code_id not in {c.code_id for c in after.codes}
        with pytest.raises(errors.ServerRefused, match="revoked"):
            sync_service.enrol(again, server_url=server.url, code=revoked.code, device_name="again")
        _refused(lambda: connection.revoke_enrolment_code(RevokeCodeRequest(
            protocol_version=PROTOCOL_VERSION, code_id=revoked.info.code_id, by="zara")), "code_revoked")
        used = made.info.code_id
        _refused(lambda: connection.revoke_enrolment_code(RevokeCodeRequest(
            protocol_version=PROTOCOL_VERSION, code_id=used, by="zara")), "code_used")
    finally:
        connection.close()
    events = {(e["event"], e["detail"].split(":")[0]) for e in _server_events(server_admin)
              if e["actor"].startswith("zara (device ")}
    assert ("enrolment_code.created", f"code {made.info.code_id}") in events
    assert ("enrolment_code.revoked", f"code {revoked.info.code_id}") in events


def test_field_staff_and_laptops_outside_the_scope_are_refused(make_vault, server, server_admin):
    field = enrol_at(make_vault, server, server_admin, "tahoua-field", "Tahoua", "field_staff")
    admin = enrol_at(make_vault, server, server_admin, "tahoua-admin", "Tahoua", "administrator")
    coordinator = enrol_at(make_vault, server, server_admin, "tahoua-coord", "Tahoua", "coordinator")
    other = enrol_at(make_vault, server, server_admin, "zinder-field", "Zinder", "field_staff")
    tahoua, zinder = _centre_id(server_admin, "Tahoua"), _centre_id(server_admin, "Zinder")
    other_id = store.load_credentials(other).device_id
    connections = [_connection(server, v) for v in (field, admin, coordinator)]
    by_field, by_admin, by_coordinator = connections
    try:
        for call in (by_field.enrolment_codes, by_field.devices, by_field.alarms,
                     lambda: _new(by_field, tahoua),
                     lambda: by_field.order_device(DeviceOrderRequest(protocol_version=PROTOCOL_VERSION,
                                                                      device_id=other_id, order="wipe", by="x"))):
            _refused(call, "not_allowed")
        code_id = _new(by_coordinator, tahoua).info.code_id
        _refused(lambda: by_field.revoke_enrolment_code(RevokeCodeRequest(
            protocol_version=PROTOCOL_VERSION, code_id=code_id, by="x")), "not_allowed")
        # another centre, no region named: outside every scope
        _refused(lambda: _new(by_coordinator, zinder), "outside_scope")
        _refused(lambda: by_coordinator.order_device(DeviceOrderRequest(
            protocol_version=PROTOCOL_VERSION, device_id=other_id, order="lock", by="x")), "not_found")
        # an administrator manages its centre's devices, and gives no role it does not hold
        assert _new(by_admin, tahoua, roles=("field_staff",)).info.roles == ["field_staff"]
        _refused(lambda: _new(by_admin, tahoua, roles=("coordinator",)), "not_allowed")
        _refused(lambda: _new(by_coordinator, tahoua, roles=("administrator",)), "not_allowed")
        _refused(lambda: by_admin.alarms(), "not_allowed")  # reviewing alarms is the coordinators'

        # one region: the coordinator now manages Zinder too, the administrator still its centre only
        server_admin.run("centre", "region", "Tahoua", "East")
        server_admin.run("centre", "region", "Zinder", "East")
        assert {c.name for c in by_coordinator.enrolment_codes().centres} == {"Tahoua", "Zinder"}
        assert other_id in {d.device_id for d in by_coordinator.devices().devices}
        assert _new(by_coordinator, zinder).info.centre_name == "Zinder"
        assert {c.name for c in by_admin.enrolment_codes().centres} == {"Tahoua"}
        _refused(lambda: _new(by_admin, zinder), "outside_scope")
        assert other_id not in {d.device_id for d in by_admin.devices().devices}
        listed = by_coordinator.order_device(DeviceOrderRequest(protocol_version=PROTOCOL_VERSION,
                                                                device_id=other_id, order="lock", by="zara"))
        assert next(d for d in listed.devices if d.device_id == other_id).order == "lock"
        _refused(lambda: _new(by_coordinator, str(uuid.uuid4())), "outside_scope")
    finally:
        for c in connections:
            c.close()
        server_admin.run("centre", "region", "Tahoua", "")
        server_admin.run("centre", "region", "Zinder", "")


def test_a_coordinator_undoes_a_bulk_deletion_from_aenrol_at(make_vault, server, server_admin):
    deleter = enrol_at(make_vault, server, server_admin, "maradi-deleter", "Maradi", "coordinator")
    honest = enrol_at(make_vault, server, server_admin, "maradi-field", "Maradi", "field_staff")
    coordinator = enrol_at(make_vault, server, server_admin, "maradi-coord", "Maradi", "coordinator")
    made = [register(honest, f"Synthetic Person {n}", 20 + n).id for n in range(10)]
    sync_service.sync_now(honest)
    sync_service.sync_now(deleter)
    for record_id in made:
        delete_registration(deleter, record_id)
    sync_service.sync_now(deleter)
    by_coordinator, by_field = _connection(server, coordinator), _connection(server, honest)
    try:
        alarm = next(a for a in by_coordinator.alarms().alarms if a.device_name == "maradi-deleter")
        assert alarm.count == 10 and alarm.centre_name == "Maradi" and not alarm.undone_at
        undo = UndoAlarmRequest(protocol_version=PROTOCOL_VERSION, alarm_id=alarm.alarm_id, by="zara")
        _refused(lambda: by_field.undo_alarm(undo), "not_allowed")
        done = by_coordinator.undo_alarm(undo)
        assert done.restored == 10
        assert next(a for a in done.alarms if a.alarm_id == alarm.alarm_id).undone_by.startswith("zara (device ")
        _refused(lambda: by_coordinator.undo_alarm(undo), "alarm_undone")
    finally:
        by_coordinator.close()
        by_field.close()
    sync_service.sync_now(honest)
    assert all(not get_registration(honest, r).deleted for r in made)


def _waypoint(*args: str, passphrase: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "WAYPOINT_PASSPHRASE": passphrase}
    return subprocess.run([sys.executable, "-m", "desktop_app.cli", *args], env=env, capture_output=True, text=True,
                          timeout=300)


def test_the_command_line_acts_as_the_signed_in_person(make_vault, server, server_admin):
    """`waypoint codes | devices | alarms` as programs: a coordinator makes, lists and revokes a code and lists
    devices and alarms; field staff on the same laptop are refused by the vault before the server is asked."""
    office = enrol_at(make_vault, server, server_admin, "dosso-office", "Dosso", None)
    office.add_user("zara", "marble canyon violet engine", ("coordinator",))
    office.add_user("amina", "river lantern copper field", ("field_staff",))
    path = str(office.path)
    office.close()
    as_zara = ("--vault", path, "--user", "zara")
    made = _waypoint("codes", "new", *as_zara, "--centre", "Dosso", "--roles", "field_staff", "--hours", "24",
                     passphrase="marble canyon violet engine")
    assert made.returncode == 0, made.stderr
    code = made.stdout.strip()
    info = json.loads(made.stderr.strip().splitlines()[-1])
    assert len(code) == 19 and info["roles"] == ["field_staff"] and info["created_by"].startswith("zara (device ")
    listed = _waypoint("codes", "list", *as_zara, passphrase="marble canyon violet engine")
    assert info["code_id"] in listed.stdout and code not in listed.stdout
    devices_out = _waypoint("devices", "list", *as_zara, passphrase="marble canyon violet engine")
    assert json.loads(devices_out.stdout.splitlines()[0])["centre_name"] == "Dosso"
    assert _waypoint("alarms", "list", *as_zara, passphrase="marble canyon violet engine").returncode == 0
    revoked = _waypoint("codes", "revoke", *as_zara, info["code_id"], passphrase="marble canyon violet engine")
    assert revoked.returncode == 0, revoked.stderr
    with pytest.raises(errors.ServerRefused, match="revoked"):
        sync_service.enrol(make_vault("dosso-late"), server_url=server.url, code=code, device_name="late")

    as_amina = ("--vault", path, "--user", "amina")
    for args in (("codes", "list"), ("devices", "list"), ("alarms", "list"),
                 ("codes", "new", "--centre", "Dosso", "--roles", "field_staff")):
        refused = _waypoint(*args[:2], *as_amina, *args[2:], passphrase="river lantern copper field")
        assert refused.returncode != 0 and "not allowed" in refused.stderr.lower(), (args, refused.stderr)
