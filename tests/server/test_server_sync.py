"""Enrolment, push idempotency, conflicts, merges, tombstones and pull scoping against the real server."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import httpx
import pytest
from server_harness import ServerProcess
from sim_device import DeviceClient, ServerAnswerError, SimDevice
from sqlalchemy import func, select

from sync_server import admin, history
from sync_server.atrest import aad, is_sealed
from sync_server.tables import Device, OpResultRow, RecordVersion
from waypoint_core.protocol import Op, PushResponse
from waypoint_core.protocol import refusals


def count(db, table) -> int:
    with db.read_engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def op(seq: int, record_id: str, *, fields: dict, base: int | None = None, kind: str = "upsert", hlc: int | None = None,
       content: str | None = None) -> Op:
    return Op(op_id=str(uuid.uuid4()), device_seq=seq, record_id=record_id, op=kind, record_version=seq,
              base_version=base, form_id="registration", form_version="1", hlc=hlc or seq, fields=fields,
              content=content)


def test_health_says_ok_and_more_only_to_an_enrolled_device(server, make_device):
    assert httpx.get(f"{server.url}/health").json() == {"status": "ok"}
    device = make_device()
    health = device.signed_get("/health").json()
    assert health["status"] == "ok" and health["schema_version"] >= 2 and health["protocol_version"] == 2
    forged = httpx.get(f"{server.url}/health", headers={"Waypoint-Device": device.device_id,
                                                        "Waypoint-Time": str(int(time.time())),
                                                        "Waypoint-Signature": "A" * 86 + "=="})
    assert forged.status_code == 401 and "schema_version" not in forged.text


def test_api_description_only_with_the_development_flag(server, tmp_path):
    assert httpx.get(f"{server.url}/openapi.json").status_code == 404
    assert httpx.get(f"{server.url}/docs").status_code == 404
    with ServerProcess(data_dir=tmp_path / "docs", extra_args=("--dev-api-docs",)) as dev:
        paths = httpx.get(f"{dev.url}/openapi.json").json()["paths"]
        assert {"/v2/enrol", "/v2/push", "/v2/changes", "/v2/reconcile", "/v2/keys", "/v2/forms"} <= set(paths)
        assert httpx.get(f"{dev.url}/docs").status_code == 200


def test_an_old_client_is_told_to_update(server):
    response = httpx.post(f"{server.url}/v1/push", content=b"{}")
    assert response.status_code == 400 and response.json()["supported_versions"] == [2]


def test_enrolment_code_is_one_time(server, admin_db):
    from server_harness import ensure_centre

    ensure_centre(admin_db, "Agadez")
    code = admin.create_enrolment_code(admin_db, centre="Agadez", ttl=timedelta(hours=1))
    with DeviceClient(server.url) as first, DeviceClient(server.url) as second:
        answer = first.enrol(code.lower().replace("-", " "))  # read aloud: case and separators do not matter
        assert answer.centre_name == "Agadez" and answer.server_keys.signing_key
        with pytest.raises(ServerAnswerError) as refused:
            second.enrol(code)
    assert refused.value.response.status_code == 403
    assert "already been used" in refused.value.response.json()["message"]
    with admin_db.read_engine.connect() as conn:
        devices = conn.execute(select(Device.public_key)).scalars().all()
    assert first.key.public_b64 in devices and second.key.public_b64 not in devices


def test_expired_and_unknown_codes_are_refused(server, admin_db):
    from server_harness import ensure_centre

    ensure_centre(admin_db, "Agadez")
    expired = admin.create_enrolment_code(admin_db, centre="Agadez", ttl=timedelta(seconds=-1))
    before = count(admin_db, Device)
    for code, words in ((expired, "expired"), ("AAAA-BBBB-CCCC-DDDD", "unknown")):
        with pytest.raises(ServerAnswerError) as refused, DeviceClient(server.url) as client:
            client.enrol(code)
        assert refused.value.response.status_code == 403 and words in refused.value.response.json()["message"]
    assert count(admin_db, Device) == before


def test_repeated_batch_returns_stored_results_and_gap_is_409(server, admin_db, make_device):
    client = make_device()
    record = str(uuid.uuid4())
    ops = [op(1, record, fields={"name": "A"}), op(2, record, fields={"age": 30})]
    batch = client.batch(ops)
    first = client.push(batch)
    assert [r.status for r in first.results] == ["applied", "applied"] and first.high_water_mark == 2
    again = client.push(batch)
    assert again == first
    versions = count(admin_db, RecordVersion)
    # Overlap: 2 is stored, 3 is new: only 3 is applied; the answer covers both.
    overlap = client.push(client.batch([ops[1], op(3, record, fields={"sex": "F"})]))
    assert [r.device_seq for r in overlap.results] == [2, 3] and overlap.results[0] == first.results[1]
    assert count(admin_db, RecordVersion) == versions + 1
    # A batch sent again after later ones were stored answers its own ops only, exactly as the first time.
    assert client.push(batch).results == first.results
    gap = client.post_batch(client.batch([op(5, record, fields={"x": "1"})]))
    assert gap.status_code == 409 and gap.json()["expected_seq"] == 4
    assert count(admin_db, RecordVersion) == versions + 1


def test_same_field_on_two_devices_is_a_conflict_with_both_versions(server, admin_db, data_key, make_device):
    a, b = make_device(), make_device()
    record = str(uuid.uuid4())
    created = a.push(a.batch([op(1, record, fields={"name": "Amina", "town": "Agadez"})])).results[0]
    a_edit = a.push(a.batch([op(2, record, fields={"name": "Aminata"}, base=created.server_version, hlc=10)]))
    b_edit = b.push(b.batch([op(1, record, fields={"name": "Amina B."}, base=created.server_version, hlc=20)]))
    assert a_edit.results[0].status == "applied"
    result = b_edit.results[0]
    assert result.status == "conflict" and result.conflict_id
    conflict = admin.conflict_detail(admin_db, data_key, result.conflict_id)
    state = admin.record_state(admin_db, data_key, record)
    assert conflict["fields"] == ["name"]
    assert conflict["server_state"]["name"] == "Aminata"  # the server's side
    assert conflict["device_op"]["fields"]["name"] == "Amina B."  # the device's side
    assert state["name"] == "Amina B." and state["town"] == "Agadez"  # higher hlc wins, deterministically
    listed = {c["id"]: c for c in admin.list_conflicts(admin_db)}
    assert listed[result.conflict_id]["fields"] == ["name"] and listed[result.conflict_id]["record_id"] == record
    admin.resolve_conflict(admin_db, result.conflict_id)
    assert result.conflict_id not in {c["id"] for c in admin.list_conflicts(admin_db)}
    assert result.conflict_id in {c["id"] for c in admin.list_conflicts(admin_db, open_only=False)}
    with pytest.raises(admin.AdminError):
        admin.resolve_conflict(admin_db, str(uuid.uuid4()))


def test_different_fields_on_two_devices_merge(server, admin_db, data_key, make_device):
    a, b = make_device(), make_device()
    record = str(uuid.uuid4())
    base = a.push(a.batch([op(1, record, fields={"name": "Musa", "age": 20, "town": "Gao"})])).results[0]
    a.push(a.batch([op(2, record, fields={"age": 21}, base=base.server_version)]))
    merged = b.push(b.batch([op(1, record, fields={"town": "Mopti"}, base=base.server_version)])).results[0]
    assert merged.status == "merged" and merged.server_version == 3
    state = admin.record_state(admin_db, data_key, record)
    assert (state["name"], state["age"], state["town"]) == ("Musa", 21, "Mopti")


def test_delete_leaves_a_tombstone_that_is_pulled(server, admin_db, data_key, make_device):
    a, b = make_device("Gao"), make_device("Gao")
    record = str(uuid.uuid4())
    created = a.push(a.batch([op(1, record, fields={"name": "X"})])).results[0]
    gone = a.push(a.batch([op(2, record, fields={}, kind="delete", base=created.server_version)])).results[0]
    assert gone.status == "applied" and gone.server_version == 2
    changes = [c for c in _pull_all(b) if c.record_id == record]
    assert [(c.server_version, c.deleted) for c in changes] == [(2, True)]  # the latest version only
    assert changes[-1].fields == {} and changes[-1].content is None  # a tombstone carries no personal data
    assert changes[-1].hash_matches()
    # ...while the server keeps the last data for review
    assert admin.record_state(admin_db, data_key, record, version=2)["name"] == "X"


def test_pull_is_scoped_to_the_devices_centre(server, make_device):
    niamey, mopti = make_device("Niamey"), make_device("Mopti")
    mine = SimDevice(niamey)
    theirs = SimDevice(mopti)
    mine_ids = {mine.register({"name": f"N{i}"}) for i in range(3)}
    theirs_ids = {theirs.register({"name": f"M{i}"}) for i in range(2)}
    mine.push_pending()
    theirs.push_pending()
    seen_by_niamey = {c.record_id for c in _pull_all(niamey)}
    seen_by_mopti = {c.record_id for c in _pull_all(mopti)}
    assert mine_ids <= seen_by_niamey and not (theirs_ids & seen_by_niamey)
    assert theirs_ids <= seen_by_mopti and not (mine_ids & seen_by_mopti)


def test_edit_of_another_centres_record_is_rejected(server, admin_db, data_key, make_device):
    a, b = make_device("Niamey"), make_device("Mopti")
    record = str(uuid.uuid4())
    a.push(a.batch([op(1, record, fields={"name": "Z"})]))
    result = b.push(b.batch([op(1, record, fields={"name": "hijack"}, base=1)])).results[0]
    assert result.status == "rejected" and "another centre" in result.message
    assert admin.record_state(admin_db, data_key, record)["name"] == "Z"
    with admin_db.read_engine.connect() as conn:
        stored = conn.execute(select(OpResultRow.status).where(OpResultRow.op_id == result.op_id)).scalar_one()
    assert stored == "rejected"


def test_own_later_edit_before_ack_is_not_a_conflict(server, make_device):
    device = SimDevice(make_device())
    record = device.register({"name": "Fatou", "age": 30})
    device.edit(record, {"age": 31})  # made before the create was acknowledged: base_version is None
    device.push_pending()
    assert [device.results[s].status for s in (1, 2)] == ["applied", "applied"]


def _pull_all(client: DeviceClient):
    cursor, out = "", []
    while True:
        page = client.pull(cursor, 2)  # small pages: the cursor logic is exercised
        out.extend(page.changes)
        cursor = page.next_cursor
        if not page.has_more:
            return out


def test_concurrent_change_to_an_identity_field_merges_but_opens_a_review(server, admin_db, data_key, make_device):
    a, b = make_device(), make_device()
    record = str(uuid.uuid4())
    base = a.push(a.batch([op(1, record, fields={"/data/given_name": "Ali", "town": "Gao"})])).results[0]
    a.push(a.batch([op(2, record, fields={"/data/given_name": "Aly"}, base=base.server_version)]))
    result = b.push(b.batch([op(1, record, fields={"town": "Mopti"}, base=base.server_version)])).results[0]
    assert result.status == "conflict" and result.conflict_id  # disjoint, but a person's name was involved
    state = admin.record_state(admin_db, data_key, record)
    conflict = admin.conflict_detail(admin_db, data_key, result.conflict_id)
    assert (state["/data/given_name"], state["town"]) == ("Aly", "Mopti")  # both changes kept
    assert conflict["fields"] == ["/data/given_name"] and conflict["winner"] == {"/data/given_name": "server"}


def test_the_same_state_sent_again_by_another_device_opens_no_review(server, admin_db, make_device):
    """After a restore or a re-enrolment a laptop sends again a state the server already holds (another device's
    op made it): identity fields among them, but nothing changes, so nothing is merged and no review opens."""
    a, b = make_device(), make_device()
    record = str(uuid.uuid4())
    fields = {"/data/given_name": "Ali", "nationality": "ML", "town": "Gao"}
    a.push(a.batch([op(1, record, fields=fields)]))
    again = b.push(b.batch([op(1, record, fields=fields)])).results[0]
    assert again.status == "merged" and again.conflict_id is None
    assert not [c for c in admin.list_conflicts(admin_db) if c["record_id"] == record]
    changed = b.push(b.batch([op(2, record, fields={"town": "Mopti"}, base=again.server_version)])).results[0]
    assert changed.status == "applied"  # b's own version is its base now: a plain change


def test_instance_xml_travels_whole_and_only_when_sent(server, make_device):
    a, b = make_device("Tahoua"), make_device("Tahoua")
    record = str(uuid.uuid4())
    xml = "<data id='registration'><name>Hawa</name></data>"
    first = a.push(a.batch([op(1, record, fields={"name": "Hawa"}, content=xml)])).results[0]
    a.push(a.batch([op(2, record, fields={"age": 22}, base=first.server_version)]))  # content: null = unchanged
    latest = [c for c in _pull_all(b) if c.record_id == record][-1]
    assert latest.content == xml and latest.fields == {"name": "Hawa", "age": 22}
    assert (latest.form_id, latest.form_version, latest.server_version) == ("registration", "1", 2)


def _version_states(db, record_id: str) -> dict[int, tuple[str, str | None]]:
    with db.read_engine.connect() as conn:
        return {v: (state, previous) for v, state, previous in conn.execute(
            select(RecordVersion.server_version, RecordVersion.state, RecordVersion.previous_state)
            .where(RecordVersion.record_id == record_id)).all()}


def test_each_state_is_stored_once_and_every_version_stays_readable(server, admin_db, data_key, make_device):
    """The current version's state is held in record.state only (sync_server/history.py); the push that supersedes
    it writes it, sealed for its own version, into the row of the version that follows it, so every version still
    opens."""
    a = make_device("Zinder")
    record = str(uuid.uuid4())
    a.push(a.batch([op(1, record, fields={"name": "Hawa"}, content="<data><name>Hawa</name></data>")]))
    assert _version_states(admin_db, record) == {1: (history.CURRENT, None)}
    # two versions in one batch: the one the batch itself superseded keeps its own state
    a.push(a.batch([op(2, record, fields={"age": 22}, base=1), op(3, record, fields={"age": 23}, base=2)]))
    states = _version_states(admin_db, record)
    assert states[1] == (history.CURRENT, None) and is_sealed(states[2][1])  # version 1's state, in row 2
    assert is_sealed(states[2][0]) and states[3] == (history.CURRENT, None)
    assert data_key.open(states[2][1], aad("record_version", record, 1))  # sealed for version 1, not 2
    first = admin.record_state(admin_db, data_key, record, version=1)
    assert first["name"] == "Hawa" and "age" not in first and first["#content"] == "<data><name>Hawa</name></data>"
    assert admin.record_state(admin_db, data_key, record, version=2)["age"] == 22
    assert admin.record_state(admin_db, data_key, record, version=3) == admin.record_state(admin_db, data_key, record)
    assert admin.record_state(admin_db, data_key, record)["age"] == 23


def _xml(phone: str, town: str) -> str:
    return (f"<data id='registration'><end>{phone[-1]}</end><contact><phone>{phone}</phone></contact>"
            f"<place><town>{town}</town></place></data>")


def test_instance_xml_changed_on_two_devices_merges_leaf_by_leaf_from_the_ops_base(server, admin_db, data_key,
                                                                                    make_device):
    a, b = make_device(), make_device()
    record = str(uuid.uuid4())
    first = a.push(a.batch([op(1, record, fields={"phone": "+2271"}, content=_xml("+2271", "Gao"))])).results[0]
    a.push(a.batch([op(2, record, fields={"phone": "+2272"}, content=_xml("+2272", "Gao"), base=1, hlc=10)]))
    # b's edit was made on version 1: another answer, and the form's own stamp (end) changed on both sides
    merged = b.push(b.batch([op(1, record, fields={"town": "Mopti"}, content=_xml("+2271", "Mopti").replace(
        "<end>1</end>", "<end>9</end>"), base=first.server_version, hlc=20)])).results[0]
    assert merged.status == "merged" and merged.conflict_id is None
    state = admin.record_state(admin_db, data_key, record)
    assert "<phone>+2272</phone>" in state["#content"] and "<town>Mopti</town>" in state["#content"]
    assert "<end>9</end>" in state["#content"]  # the stamp of the save being applied
    assert (state["phone"], state["town"]) == ("+2272", "Mopti")

    # the same answer changed on both sides from one base: a conflict, both versions kept
    a.push(a.batch([op(3, record, fields={"phone": "+2278"}, content=_xml("+2278", "Mopti"), base=3, hlc=30)]))
    clash = b.push(b.batch([op(2, record, fields={"phone": "+2279"}, content=_xml("+2279", "Mopti"), base=3,
                                hlc=40)])).results[0]
    assert clash.status == "conflict" and clash.conflict_id
    conflict = admin.conflict_detail(admin_db, data_key, clash.conflict_id)
    assert set(conflict["fields"]) == {"#content", "phone"}
    assert "<phone>+2278</phone>" in conflict["server_state"]["#content"]
    assert "<phone>+2279</phone>" in conflict["device_op"]["content"]


def test_reused_sequence_numbers_are_refused_not_acknowledged(server, admin_db, make_device):
    """A device restored from an old backup numbers new ops 1, 2... again: they must not get the old answers."""
    client = make_device()
    client.push(client.batch([op(1, str(uuid.uuid4()), fields={"name": "first"})]))
    before = count(admin_db, RecordVersion)
    fresh = str(uuid.uuid4())
    response = client.post_batch(client.batch([op(1, fresh, fields={"name": "new"}), op(2, fresh, fields={"age": 1})]))
    assert response.status_code == 409 and response.json()["error"] == "sequence_reused"
    # what the device needs to number them again by itself: the high-water mark and the first reused seq
    assert (response.json()["expected_seq"], response.json()["reused_from"]) == (2, 1)
    assert count(admin_db, RecordVersion) == before  # nothing stored, nothing acknowledged


def test_several_worker_processes_serve_one_database(tmp_path):
    """`serve --workers 2`: the parent checks and migrates once, each worker answers with the same keys."""
    from server_harness import enrol_client

    with ServerProcess(data_dir=tmp_path / "workers", extra_args=("--workers", "2")) as server:
        pushers = [enrol_client(server, f"sqlite:///{tmp_path / 'workers' / 'server.db'}") for _ in range(3)]
        for client in pushers:
            sim = SimDevice(client)
            for n in range(5):
                sim.register({"name": f"Worker test {n}"})
            sim.push_pending()
            sim.pull_all()
            assert len(sim.pulled) >= 5  # its own, and the others' of the same centre
            client.close()
    assert "2 worker processes" in server.log_path.read_text()


def test_a_rejection_carries_its_code_to_a_device_that_asks_and_only_then(server, make_device):
    """Each rejected op's result carries its refusal code and values beside the English sentence (OpResult.code,
    code_values; waypoint_core/protocol/refusals.py) to a device that asks (`codes=1`), also when the batch is sent
    again (the stored result, op_result.code, migration 0022); a device that does not ask (an older laptop, whose
    OpResult forbids unknown keys) gets no such key."""
    a, b = make_device("Niamey"), make_device("Mopti")
    record = str(uuid.uuid4())
    a.push(a.batch([op(1, record, fields={"name": "Z"})]))
    body = b.batch([op(1, record, fields={"name": "hijack"}, base=1)]).body()
    for _ in range(2):  # applied, then sent again: answered from the stored result
        answer = b._checked(b.send("POST", "/v2/push?codes=1", body=body), PushResponse)
        [result] = answer.results
        assert (result.status, result.code, result.code_values) == ("rejected", refusals.OTHER_CENTRE, {})
        assert result.message == refusals.other_centre()
    older = b.send("POST", "/v2/push", body=body)
    assert older.status_code == 200 and b'"code' not in older.content
    assert b._checked(older, PushResponse).results[0].message == refusals.other_centre()
