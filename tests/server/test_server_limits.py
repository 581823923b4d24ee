"""Bounded work: pull pages within a byte budget whatever the records weigh, enrolment and unauthenticated traffic
rate-limited per address, and clocks bounded (an hlc far ahead of the server's clock refuses the batch)."""

from __future__ import annotations

import uuid

import httpx
import pytest
from server_harness import ServerProcess
from sim_device import DeviceClient

from waypoint_core.protocol import MAX_HLC_AHEAD_MS, PULL_PAGE_BYTES, Op, SigningKey, now_ms


def op(seq: int, *, hlc: int | None = None, content: str | None = None, record_id: str | None = None) -> Op:
    return Op(op_id=str(uuid.uuid4()), device_seq=seq, record_id=record_id or str(uuid.uuid4()), op="upsert",
              record_version=1, base_version=None, form_id="registration", form_version="1",
              hlc=seq if hlc is None else hlc, fields={"n": seq}, content=content)


def test_large_records_come_in_pages_within_the_byte_budget(server, make_device):
    """The issue's case: 60 records with large content made one 108 MiB page. Now each page stays within the budget
    (a record larger than the budget would travel alone)."""
    writer, reader = make_device("Arlit"), make_device("Arlit")
    big = "<data>" + "y" * 1_900_000 + "</data>"
    seq = 0
    for _ in range(15):  # 60 records of ~1.9 MB, four per batch (under the 8 MiB body cap)
        ops = [op(seq + i + 1, content=big) for i in range(4)]
        seq += 4
        assert writer.post_batch(writer.batch(ops)).status_code == 200
    cursor, pages, arrived = "", [], 0
    while True:
        response = reader.signed_get(f"/v2/changes?cursor={cursor}&limit=1000")
        assert response.status_code == 200 and reader.answer_valid(response)
        page = reader.pull(cursor, 1000)
        pages.append(len(response.content))
        arrived += len(page.changes)
        cursor = page.next_cursor
        if not page.has_more:
            break
    assert arrived == 60
    assert max(pages) <= PULL_PAGE_BYTES and len(pages) >= 60 * 1_900_000 // PULL_PAGE_BYTES


def test_an_hlc_far_ahead_of_the_server_clock_refuses_the_batch(server, admin_db, make_device):
    device = make_device()
    poisoned = device.post_batch(device.batch([op(1), op(2, hlc=2**62)]))
    assert poisoned.status_code == 409 and poisoned.json()["error"] == "clock_ahead"
    assert poisoned.json()["expected_seq"] == 1 and device.answer_valid(poisoned)
    # Nothing was stored: the same seqs, stamped from the server's time, go through.
    near = now_ms() + MAX_HLC_AHEAD_MS // 2
    answer = device.push(device.batch([op(1), op(2, hlc=near)]))
    assert answer.high_water_mark == 2 and [r.status for r in answer.results] == ["applied", "applied"]


def test_enrolment_attempts_are_rate_limited_per_address(tmp_path):
    with ServerProcess(data_dir=tmp_path / "limits", limits={}) as server:  # the shipped defaults
        statuses = []
        for _ in range(12):
            with DeviceClient(server.url) as client:
                statuses.append(client.send("POST", "/v2/enrol", signed=False, body=b'{"code": "nope"}').status_code)
        assert statuses[:10] == [422] * 10 and statuses[10:] == [429, 429]
        limited = httpx.post(f"{server.url}/v2/enrol", content=b"{}")
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        assert limited.json()["error"] == "rate_limited"


def test_failed_authentication_empties_the_address_bucket_before_any_signature_is_checked(tmp_path):
    with ServerProcess(data_dir=tmp_path / "limits", limits={"WAYPOINT_ANONYMOUS_RATE": "5/60"}) as server:
        forger = DeviceClient(server.url, key=SigningKey.generate(), device_id=str(uuid.uuid4()))
        statuses = [forger.post_batch(forger.batch([op(1)])).status_code for _ in range(8)]
        refused = statuses.index(429)  # (the harness's start-up probes of /health took a token or two)
        assert 3 <= refused <= 5 and set(statuses[:refused]) == {401} and set(statuses[refused:]) == {429}
        assert httpx.get(f"{server.url}/health").status_code == 429
        forger.close()


@pytest.mark.parametrize("form_id", ["enquête", "my form", "a/b", "100%"])
def test_form_ids_that_need_percent_encoding_can_be_downloaded(server, admin_db, make_device, backend, tmp_path,
                                                                form_id):
    from urllib.parse import quote

    from sync_server import admin
    from sync_server.keys import load_keyring

    xform = tmp_path / "form.xml"
    xform.write_text("<h:html xmlns:h='http://www.w3.org/1999/xhtml'><h:head><h:title>T</h:title></h:head></h:html>",
                     "utf-8")
    admin.publish_form(admin_db, load_keyring(backend.data_dir / "keys", admin_db), path=xform, form_id=form_id,
                       version="v 1")
    device = make_device()
    response = device.signed_get(f"/v2/forms/{quote(form_id, safe='')}/{quote('v 1', safe='')}")
    assert response.status_code == 200 and device.answer_valid(response)
    assert response.json()["form_id"] == form_id
