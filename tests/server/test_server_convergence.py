"""Property: concurrent batches from several devices, delivered in any order, some more than once, converge.

For every record the server ends with, field by field, the value of the op with the highest hlc that set it
(deletes set the tombstone flag); repeated deliveries get identical answers; no op is applied twice.
"""

from __future__ import annotations

import uuid
from collections import deque
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sim_device import DeviceClient
from sqlalchemy import func, select

from sync_server import admin
from sync_server.tables import RecordVersion
from waypoint_core.protocol import Op

FIELDS = ["name", "age", "town"]
op_spec = st.tuples(
    st.integers(0, 2),  # device
    st.integers(0, 2),  # record
    st.sampled_from(["upsert", "upsert", "upsert", "delete"]),
    st.dictionaries(st.sampled_from(FIELDS), st.one_of(st.sampled_from(["x", "y", "z"]), st.integers(0, 3),
                                                      st.none()), min_size=1, max_size=3),
)


def oracle(ops: list[Op]) -> dict[str, dict]:
    """The expected end state, computed without the server's merge code: highest hlc wins per field."""
    best: dict[str, dict[str, tuple[int, object]]] = {}
    for op in ops:
        sets = {"#deleted": True} if op.op == "delete" else {**op.fields, "#deleted": False}
        record = best.setdefault(op.record_id, {})
        for name, value in sets.items():
            if name not in record or record[name][0] < op.hlc:
                record[name] = (op.hlc, value)
    return {rid: {name: hv[1] for name, hv in fields.items()} for rid, fields in best.items()}


@given(data=st.data(), specs=st.lists(op_spec, min_size=1, max_size=14))
@settings(max_examples=20, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_reordered_and_replayed_batches_converge(server, admin_db, data_key, data, specs):
    from server_harness import ensure_centre

    ensure_centre(admin_db, "Convergence")
    clients = [DeviceClient(server.url) for _ in range(3)]
    try:
        for client in clients:
            client.enrol(admin.create_enrolment_code(admin_db, centre="Convergence", ttl=timedelta(hours=1)))
        records = [str(uuid.uuid4()) for _ in range(3)]
        per_device: list[list[Op]] = [[], [], []]
        all_ops: list[Op] = []
        for hlc, (device, record, kind, fields) in enumerate(specs, start=1):
            op = Op(op_id=str(uuid.uuid4()), device_seq=len(per_device[device]) + 1, record_id=records[record],
                    op=kind, record_version=1, base_version=None, form_id="registration", form_version="1", hlc=hlc,
                    fields=fields if kind == "upsert" else {})
            per_device[device].append(op)
            all_ops.append(op)
        batches = {}
        for device, ops in enumerate(per_device):
            start = 0
            while start < len(ops):
                size = data.draw(st.integers(1, 3), label="batch size")
                batches[(device, start)] = clients[device].batch(ops[start:start + size])
                start += size
        keys = list(batches)
        replays = data.draw(st.lists(st.sampled_from(keys), max_size=4), label="replays")
        schedule = deque(data.draw(st.permutations(keys + replays), label="delivery order"))

        answers: dict[tuple, list] = {}
        while schedule:
            key = schedule.popleft()
            response = clients[key[0]].post_batch(batches[key])
            if response.status_code == 409:  # an earlier batch of that device has not arrived yet
                schedule.append(key)
                continue
            assert response.status_code == 200, response.text
            answers.setdefault(key, []).append(response.json()["results"])
        for key, seen in answers.items():
            assert all(answer == seen[0] for answer in seen), f"replay of {key} answered differently"

        expected = oracle(all_ops)
        with admin_db.read_engine.connect() as conn:
            for record_id, values in expected.items():
                state = admin.record_state(admin_db, data_key, record_id)
                got = {k: v for k, v in state.items() if not k.startswith("#") or k == "#deleted"}
                assert got == values
                versions = conn.execute(select(func.count()).select_from(RecordVersion)
                                        .where(RecordVersion.record_id == record_id)).scalar_one()
                assert versions == sum(1 for op in all_ops if op.record_id == record_id)  # none applied twice
    finally:
        for client in clients:
            client.close()
