"""The derived tables (search keys, indicator facts) follow the push's commit instead of being written inside it
(sync_server/derived.py: the mark, `catch_up`), against the real server on SQLite and PostgreSQL: a search or an
indicator read right after a push sees the pushed records; a failure between the commit and the derivation loses
nothing (the next read derives them); a server started after such a gap derives them before it serves."""

from __future__ import annotations

import json
import random
import uuid
from datetime import date

import pytest
from server_harness import ServerProcess
from sqlalchemy import text

from sync_server import derived, search
from sync_server.auth import AuthenticatedDevice
from sync_server.push import PushRules, push
from tests.registry.device_people import person_xml
from tests.server.test_server_derived import _device, full_scan_indicators
from waypoint_core.protocol import Op, PushBatch, canonical_json
from waypoint_core.registry.indicators import EVENT_FORM, MIGRANT_FORM, short_id

GIVEN = ["Ousmane", "Aminata", "Mamadou", "Mariama", "Ibrahim", "Fatouma"]


def registrations(family: str, start_seq: int = 1) -> list[Op]:
    """Six named, finalized registrations of one family name (unique to the test, so a search finds just them)."""
    ops = []
    for n, given in enumerate(GIVEN):
        record_id = str(uuid.uuid4())
        ops.append(Op(op_id=str(uuid.uuid4()), device_seq=start_seq + n, record_id=record_id, op="upsert",
                      record_version=1, base_version=None, base_hash=None, form_id=MIGRANT_FORM, form_version="1",
                      hlc=start_seq + n, content=person_xml(record_id, given, family, born="1990-11-23"),
                      fields={"sex": "male", "registered_on": "2026-01-10", "beneficiary_category": "refugee",
                              "@status": "finalized"}))
    return ops


def unique_name(stem: str) -> str:
    """A family name no other test pushes (letters only: digits would read as a document number)."""
    return stem + "".join(random.choice("bcdfgklmnprstvz") + random.choice("aeiou") for _ in range(3))


def marks(db) -> tuple[int, int]:
    """(the derived mark, the feed's end)."""
    with db.read_engine.connect() as conn:
        return (conn.execute(text("SELECT last_seq FROM derived_mark WHERE id = 1")).scalar_one(),
                conn.execute(text("SELECT last_seq FROM change_counter WHERE id = 1")).scalar_one())


def key_rows(db, record_ids: list[str]) -> set[str]:
    with db.read_engine.connect() as conn:
        return {r for (r,) in conn.execute(text("SELECT DISTINCT record_id FROM search_key")) if r in record_ids}


def who(db, device_id: str) -> AuthenticatedDevice:
    with db.read_engine.connect() as conn:
        row = conn.execute(text("SELECT id, centre_id, high_water_mark, served_cursor FROM device WHERE id = :d"),
                           {"d": device_id}).one()
    return AuthenticatedDevice(row.id, row.centre_id, row.high_water_mark, row.served_cursor)


def push_in_process(db, key, laptop, ops: list[Op]) -> list[derived.Change]:
    """A push committed the way the server commits one, with no derivation after it (what a crash right after the
    commit leaves); returns the values it wrote, as the server's Follower is given them."""
    _answer, stats = push(db, who(db, laptop.device_id), PushBatch.of(device_id=laptop.device_id, ops=ops).body(),
                          PushRules(data_key=key))
    return stats.written


def derived_rows(db, record_ids: list[str]) -> tuple[list, list]:
    with db.read_engine.connect() as conn:
        facts = sorted(tuple(r) for r in conn.execute(text("SELECT * FROM indicator_fact")) if r[0] in record_ids)
        keys = sorted(tuple(r) for r in conn.execute(text("SELECT record_id, key_hash FROM search_key"))
                      if r[0] in record_ids)
    return facts, keys


def test_the_values_a_push_wrote_derive_as_the_records_do_unless_a_later_version_came(make_device, admin_db,
                                                                                        data_key):
    """The Follower derives from the values the pushes wrote (no record opened) only where they are the record's
    latest version in the feed it reads: a version written since (here an edit that renames two people) is opened."""
    laptop = make_device("Maradi")
    family = unique_name("Sani")
    ops = registrations(family)
    written = push_in_process(admin_db, data_key, laptop, ops)
    assert [c.version for c in written] == [1] * len(ops)
    renamed = unique_name("Harouna")
    edits = [op.model_copy(update={"op_id": str(uuid.uuid4()), "device_seq": len(ops) + 1 + n, "record_version": 2,
                                   "base_version": 1, "hlc": len(ops) + 1 + n,
                                   "content": person_xml(op.record_id, GIVEN[n], renamed, born="1990-11-23")})
             for n, op in enumerate(ops[:2])]
    push_in_process(admin_db, data_key, laptop, edits)
    ids = [op.record_id for op in ops]
    assert derived.catch_up(admin_db, data_key, {c.record_id: c for c in written}) == len(ops) + len(edits)
    from_values = derived_rows(admin_db, ids)
    with admin_db.write_engine.begin() as conn:
        derived.rebuild(conn, data_key)  # every record opened
    assert derived_rows(admin_db, ids) == from_values and from_values[1]
    device = who(admin_db, laptop.device_id)
    found = json.loads(search.search(admin_db, device, text=renamed, limit=50, key=data_key))["results"]
    assert {r["id"] for r in found} == {op.record_id for op in edits}


def test_a_failure_between_the_commit_and_the_derivation_is_caught_up_by_the_next_read(
        make_device, admin_db, data_key, monkeypatch):
    laptop = make_device("Maradi")
    family = unique_name("Moussa")
    ops = registrations(family)
    ids = [op.record_id for op in ops]
    push_in_process(admin_db, data_key, laptop, ops)
    assert key_rows(admin_db, ids) == set()  # committed, not derived

    def failing(*_args, **_kwargs):
        raise OSError("disk full while deriving")

    monkeypatch.setattr(derived, "refresh", failing)
    with pytest.raises(OSError):
        derived.catch_up(admin_db, data_key)
    monkeypatch.undo()
    mark, end = marks(admin_db)
    assert mark < end and key_rows(admin_db, ids) == set()  # the failed catch-up left the mark where it was
    device = who(admin_db, laptop.device_id)
    found = json.loads(search.search(admin_db, device, text=family, limit=50, key=data_key))["results"]
    assert {r["id"] for r in found} == set(ids)
    assert key_rows(admin_db, ids) == set(ids)
    mark, end = marks(admin_db)
    assert mark == end


def test_a_server_started_after_a_crash_between_commit_and_derivation_derives_before_serving(
        backend, make_device, admin_db, data_key, tmp_path):
    laptop = make_device("Maradi")
    ops = registrations(unique_name("Issa"))
    ids = [op.record_id for op in ops]
    push_in_process(admin_db, data_key, laptop, ops)
    assert key_rows(admin_db, ids) == set()
    # another server process on the same database and keys, as after a restart: it derives at start, before any read
    with ServerProcess(data_dir=backend.data_dir, database_url=backend.database_url,
                       log_path=tmp_path / "restarted.log"):
        assert key_rows(admin_db, ids) == set(ids)
        mark, end = marks(admin_db)
        assert mark == end


def test_a_search_and_the_indicators_right_after_a_push_see_the_pushed_records(make_device, admin_db, data_key):
    """Last in the module: the only test here whose push wakes the server's follower (the others' state must stay
    underived until they catch it up)."""
    laptop = make_device(f"Maradi {uuid.uuid4().hex[:6]}")
    family = unique_name("Zakari")
    ops = registrations(family) + registrations(family, start_seq=len(GIVEN) + 1)
    events = [Op(op_id=str(uuid.uuid4()), device_seq=len(ops) + n, record_id=str(uuid.uuid4()), op="upsert",
                 record_version=1, base_version=None, base_hash=None, form_id=EVENT_FORM, form_version="1",
                 hlc=len(ops) + n, fields={"person_ref": f"WP-{short_id(op.record_id)}", "assistance_type": "food",
                                           "registered_on": "2026-02-01", "@status": "finalized"})
              for n, op in enumerate(ops, start=1)]
    laptop.push(laptop.batch(ops + events))
    # asked at once (the follower waits for pushes to pause): the read derives what it needs first
    response = laptop.signed_get("/v2/indicators?from=2026-01-01&to=2026-12-31")
    assert response.status_code == 200 and laptop.answer_valid(response)
    expected = full_scan_indicators(admin_db, _device(admin_db, laptop), data_key, date(2026, 1, 1),
                                    date(2026, 12, 31))
    assert canonical_json(response.json()) == expected
    totals = {i["code"]: i["total"] for i in json.loads(expected)["indicators"]}
    assert totals["3.2"] not in ("0", "<10")  # the people pushed and assisted are counted
    for stage in ("first", "refined"):
        response = laptop.search(family, stage=stage)
        assert response.status_code == 200 and laptop.answer_valid(response)
        assert {r["id"] for r in response.json()["results"]} == {op.record_id for op in ops}, stage
