"""Rights on the real server (SQLite and PostgreSQL): a device receives and changes only what the roles of its
people allow (sync_server/scope.py). A field laptop with no case worker never receives a trafficking case; a rogue
device's deletes of records it did not create are refused and the honest laptops keep them; a bulk deletion raises
an alarm that a coordinator undoes, and the records come back on every laptop."""

from __future__ import annotations

import json

from records import FORM_ID, FORM_VERSION, instance, register
from sqlalchemy import create_engine, text
from tests.sync.support import enrol_at

from desktop_app.services import sync as sync_service
from desktop_app.sync import store
from desktop_app.vault.registrations import delete_registration, get_registration, save_registration

CASE_ID = "5d0c64f4-1f0e-4b8a-9f0e-6a3b2c1d0e01"


def _enrol(make_vault, server, server_admin, name: str, roles: str | None = None):
    vault = make_vault(name)
    code = server_admin.code("Agadez")  # also makes the centre the first time
    if roles:
        code = server_admin.run("enrol-code", "--centre", "Agadez", "--roles", roles)
    sync_service.enrol(vault, server_url=server.url, code=code, device_name=name)
    return vault


def _case(vault, record_id: str = CASE_ID) -> None:
    save_registration(vault, record_id=record_id, form_id="waypoint_vot_case", form_version="1", status="finalized",
                      content=instance("Synthetic Case", 19), fields={"title": "Case WP-7F3A", "record_kind": "case"})


def _ids(vault, ids) -> set[str]:
    """Which of these records this laptop holds, not deleted."""
    return {i for i in ids if (found := get_registration(vault, i)) is not None and not found.deleted}


def test_a_field_laptop_never_receives_a_case(make_vault, server, server_admin):
    casework = _enrol(make_vault, server, server_admin, "casework", "field_staff,case_worker")
    field = _enrol(make_vault, server, server_admin, "field", "field_staff")
    person = register(casework, "Synthetic Person", 30)
    _case(casework)
    sync_service.sync_now(casework)
    sync_service.sync_now(field)
    assert _ids(field, [person.id, CASE_ID]) == {person.id}
    other = _enrol(make_vault, server, server_admin, "other-casework", "case_worker")
    sync_service.sync_now(other)
    assert _ids(other, [person.id, CASE_ID]) == {person.id, CASE_ID}


def test_a_field_laptop_cannot_create_a_case(make_vault, server, server_admin):
    field = _enrol(make_vault, server, server_admin, "field-creates", "field_staff")
    _case(field, "5d0c64f4-1f0e-4b8a-9f0e-6a3b2c1d0e02")
    summary = sync_service.sync_now(field)
    assert summary.rejected == 1
    assert any("not allowed to create (case)" in m for m in summary.rejected_messages), summary.rejected_messages


def test_a_rogue_devices_deletes_are_refused_and_honest_laptops_keep_their_records(make_vault, server, server_admin,
                                                                                     backend):
    honest = _enrol(make_vault, server, server_admin, "honest", "field_staff")
    rogue = _enrol(make_vault, server, server_admin, "rogue", "field_staff")
    made = [register(honest, f"Synthetic Person {n}", 20 + n).id for n in range(3)]
    sync_service.sync_now(honest)
    sync_service.sync_now(rogue)
    assert _ids(rogue, made) == set(made)
    for record_id in made:
        delete_registration(rogue, record_id)
    own = register(rogue, "Synthetic Rogue Own", 40).id
    summary = sync_service.sync_now(rogue)
    assert summary.rejected == 3
    assert all("outside your scope (own) for delete" in m for m in summary.rejected_messages)
    sync_service.sync_now(honest)
    assert _ids(honest, made) == set(made)
    # a device deletes what it created itself
    delete_registration(rogue, own)
    assert sync_service.sync_now(rogue).rejected == 0
    engine = create_engine(backend.admin_url)
    try:
        with engine.connect() as conn:
            deleted = dict(conn.execute(text("SELECT id, deleted FROM record WHERE id IN (:a, :b, :c, :o)"),
                                        {"a": made[0], "b": made[1], "c": made[2], "o": own}).all())
    finally:
        engine.dispose()
    assert {k: bool(v) for k, v in deleted.items()} == {made[0]: False, made[1]: False, made[2]: False, own: True}


def test_a_bulk_deletion_raises_an_alarm_a_coordinator_undoes(make_vault, server, server_admin):
    coordinator = _enrol(make_vault, server, server_admin, "coordinator")  # unrestricted: may delete in the centre
    honest = _enrol(make_vault, server, server_admin, "honest-bulk", "field_staff")
    made = [register(honest, f"Synthetic Person {n}", 20 + n).id for n in range(12)]
    sync_service.sync_now(honest)
    sync_service.sync_now(coordinator)
    for record_id in made:
        delete_registration(coordinator, record_id)
    sync_service.sync_now(coordinator)
    sync_service.sync_now(honest)
    assert _ids(honest, made) == set()
    device_id = store.load_credentials(coordinator).device_id
    alarms = [json.loads(line) for line in server_admin.run("alarms").splitlines()]
    alarm = next(a for a in alarms if a["device_id"] == device_id)
    assert alarm["count"] == 12
    undone = json.loads(server_admin.run("undo-deletion", alarm["id"], "--by", "coordinator-zara"))
    assert undone == {"alarm": alarm["id"], "restored": 12}
    sync_service.sync_now(honest)
    sync_service.sync_now(coordinator)
    assert _ids(honest, made) == set(made) and _ids(coordinator, made) == set(made)
    assert "Synthetic Person 3" in get_registration(honest, made[3]).content
    assert alarm["id"] not in server_admin.run("alarms")
    events = [json.loads(line)["event"] for line in server_admin.run("audit", "list").splitlines()]
    assert "alarm.bulk_deletion" in events and "alarm.undone" in events


def test_device_roles_can_change_and_unknown_roles_are_refused(make_vault, server, server_admin):
    vault = _enrol(make_vault, server, server_admin, "changing", "field_staff")
    device_id = store.load_credentials(vault).device_id
    assert json.loads(server_admin.run("device-roles", device_id, "field_staff", "case_worker"))["roles"] == [
        "field_staff", "case_worker"]
    try:
        server_admin.run("device-roles", device_id, "superuser")
    except RuntimeError as exc:
        assert "roles must be among" in str(exc)
    else:
        raise AssertionError("an unknown role was accepted")
    assert FORM_ID and FORM_VERSION


def _edit(vault, record_id: str, name: str) -> None:
    found = get_registration(vault, record_id)
    register(vault, name, 33, record_id=record_id) if found is not None else save_registration(
        vault, record_id=record_id, form_id=FORM_ID, form_version=FORM_VERSION, status="finalized",
        content=instance(name, 33), fields={"title": name})


def test_a_coordinators_device_changes_the_records_of_its_region_only(make_vault, server, server_admin):
    zinder = enrol_at(make_vault, server, server_admin, "zinder", "Zinder", "field_staff")
    maradi = enrol_at(make_vault, server, server_admin, "maradi", "Maradi", "field_staff")
    tahoua = enrol_at(make_vault, server, server_admin, "tahoua", "Tahoua", "field_staff")
    coordinator = enrol_at(make_vault, server, server_admin, "coordinator-est", "Zinder", "coordinator")
    made = {vault: register(vault, f"Synthetic {name}", 30).id
            for vault, name in ((zinder, "Zinder"), (maradi, "Maradi"), (tahoua, "Tahoua"))}
    for vault in made:
        sync_service.sync_now(vault)
    # No region named yet: every centre is a region of its own, as before.
    sync_service.sync_now(coordinator)
    assert _ids(coordinator, made.values()) == {made[zinder]}
    _edit(coordinator, made[maradi], "Synthetic Maradi early")
    summary = sync_service.sync_now(coordinator)
    assert summary.rejected == 1 and summary.rejected_messages == ["this record belongs to another centre"]

    # The administrator names the region of Zinder and Maradi; Tahoua stays outside.
    for centre in ("Zinder", "Maradi"):
        assert json.loads(server_admin.run("centre", "region", centre, "Est"))["region"] == "Est"
    listed = {line.split("\t")[1]: line.split("\t")[2:] for line in server_admin.run("centre", "list").splitlines()}
    assert listed["Zinder"] == ["Est"] and listed["Maradi"] == ["Est"] and listed["Tahoua"] == []
    coordinator2 = enrol_at(make_vault, server, server_admin, "coordinator-est-2", "Zinder", "coordinator")
    sync_service.sync_now(coordinator2)
    assert _ids(coordinator2, made.values()) == {made[zinder], made[maradi]}  # the region's records, not Tahoua's
    _edit(coordinator2, made[maradi], "Synthetic Maradi corrected")
    _edit(coordinator2, made[tahoua], "Synthetic Tahoua overwritten")
    summary = sync_service.sync_now(coordinator2)
    assert summary.rejected == 1 and summary.rejected_messages == ["this record belongs to another centre"]
    sync_service.sync_now(maradi)
    assert "Synthetic Maradi corrected" in get_registration(maradi, made[maradi]).content  # reached its centre
    sync_service.sync_now(tahoua)
    assert "Synthetic Tahoua overwritten" not in get_registration(tahoua, made[tahoua]).content
    # A field laptop of the region keeps its centre: it neither receives nor changes Maradi's records.
    sync_service.sync_now(zinder)
    assert _ids(zinder, made.values()) == {made[zinder]}
    _edit(zinder, made[maradi], "Synthetic Maradi from a field laptop")
    summary = sync_service.sync_now(zinder)
    assert summary.rejected == 1 and summary.rejected_messages == ["this record belongs to another centre"]
    sync_service.sync_now(maradi)
    assert "Synthetic Maradi corrected" in get_registration(maradi, made[maradi]).content
