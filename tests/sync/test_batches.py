"""USB batch files against the real server (SQLite and PostgreSQL): a field laptop exports, a coordinator's machine
carries the files (kept sealed) and forwards them through the upload endpoint, or the administrator imports them
with `waypoint-server admin import-batch`; receipts come back and are applied on the laptop.

Every bad file is refused with its own reason and changes nothing on the server (a fingerprint of its tables).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import create_engine, text

from desktop_app.records import review
from desktop_app.services import batches as batch_service
from desktop_app.services import desk
from desktop_app.services import sync as sync_service
from desktop_app.sync import store
from desktop_app.sync.batches import _new_return_key
from tests.sync.records import register
from desktop_app.vault import Vault
from desktop_app.vault import audit as log
from desktop_app.vault.registrations import get_registration
from desktop_app.vault.sql import Db
from desktop_app.vault.sql import text as vtext
from desktop_app.vault.errors import PermissionDenied
from desktop_app.vault.registrations import page_registrations
from tests.sync.support import PASSPHRASE, fast_connect
from tests.sync.test_sync_desk import as_coordinator
from tests.sync.support import enrol_at as enrolled_as
from waypoint_core.access.audit import CONFLICT_DECIDED
from waypoint_core.protocol import Op, PushBatch
from waypoint_core.protocol.batchfile import (
    BATCH_SUFFIX, read_header, seal_batch, write_durably, x25519_public_b64,
)

TABLES = ("record", "record_version", "op_result", "change", "conflict", "batch_import")


def fingerprint(backend) -> dict:
    engine = create_engine(backend.admin_url)
    try:
        with engine.connect() as conn:
            counts = {t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in TABLES}
            counts["hwm"] = conn.execute(text("SELECT COALESCE(SUM(high_water_mark), 0) FROM device")).scalar_one()
            return counts
    finally:
        engine.dispose()


def stick(tmp_path: Path, name: str = "stick") -> Path:
    path = tmp_path / name
    path.mkdir(exist_ok=True)
    return path


def admin_import(server_admin, *files: Path, receipts: Path | None = None) -> list[dict]:
    """`waypoint-server admin import-batch FILES`: its JSON lines, one per file. It exits 1 when it refused a file
    (the lines then say which and why); any other failure raises."""
    args = ["import-batch", *map(str, files)]
    if receipts is not None:
        args += ["--receipts", str(receipts)]
    result = subprocess.run([sys.executable, "-m", "sync_server.cli", "--data-dir", str(server_admin.backend.data_dir),
                             "admin", *args], env=server_admin._env(), capture_output=True, text=True, timeout=120)
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    refused = any(line["status"] == "rejected" for line in lines)
    if result.returncode != (1 if refused else 0):
        raise RuntimeError(f"waypoint-server admin import-batch exited {result.returncode}: {result.stderr[-500:]}")
    return lines


def receipts_in(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.wpreceipt"))


@pytest.fixture
def laptop(enrolled):
    return enrolled("field")


@pytest.fixture
def coordinator(enrolled):
    return enrolled("coordinator", centre="Niamey regional office")


def test_export_carry_forward_receipt_round_trip(laptop, coordinator, enrolled, tmp_path, backend):
    for n in range(5):
        register(laptop, f"Synthetic Person {n}", 20 + n)
    out = stick(tmp_path)
    summary = batch_service.export(laptop, out)
    assert summary.ops == 5 and len(summary.files) == 1
    name = Path(summary.files[0]).name
    assert name.startswith("wp-") and name.endswith(BATCH_SUFFIX) and "field" not in name
    assert not any(p.name.startswith(".tmp-") for p in out.iterdir())
    header = read_header(Path(summary.files[0]).read_bytes())[0]
    assert set(header) == {"format", "server_key_id", "batch_id", "part", "parts", "device_id", "created_at",
                           "expires_at"}
    raw = Path(summary.files[0]).read_bytes()
    assert b"Synthetic Person" not in raw

    taken = batch_service.import_files(coordinator, [out])
    assert [r["status"] for r in taken] == ["waiting"]
    assert batch_service.import_files(coordinator, [out])[0]["status"] == "here_already"
    back = stick(tmp_path, "back")
    result = batch_service.forward(coordinator, receipts_dir=back, connect=fast_connect())
    assert [(f["status"], f["centre"]) for f in result["files"]] == [("accepted", "Agadez")]
    assert len(result["receipts"]) == 1 and Path(result["receipts"][0]).parent.name == "Agadez"

    applied = batch_service.import_files(laptop, [back])
    assert applied[0]["kind"] == "receipt" and applied[0]["acknowledged"] == 5
    assert sync_service.sync_status(laptop)["unsynced"] == 0
    # The same receipt again changes nothing.
    assert batch_service.import_files(laptop, [back])[0]["acknowledged"] == 0

    # Another laptop of the centre, online, sees the records; its change comes back to the field laptop by stick.
    other = enrolled("online")
    sync_service.sync_now(other, connect=fast_connect())
    register(other, "Synthetic Online Person", 40)
    sync_service.sync_now(other, connect=fast_connect())
    out2 = stick(tmp_path, "stick2")
    ask = batch_service.export(laptop, out2)
    assert ask.ops == 0 and len(ask.files) == 1  # nothing to send: the file asks for changes
    before = fingerprint(backend)
    batch_service.import_files(coordinator, [out2])
    back2 = stick(tmp_path, "back2")
    batch_service.forward(coordinator, receipts_dir=back2, connect=fast_connect())
    assert fingerprint(backend)["record"] == before["record"]
    got = batch_service.import_files(laptop, [back2])
    assert got[0]["pulled"] >= 1
    titles = {r.title for r in page_registrations(laptop, offset=0, limit=100)}
    assert "Synthetic Online Person" in titles and "Synthetic Person 4" in titles


def test_a_usb_laptops_conflict_closes_when_a_coordinator_decides(laptop, coordinator, enrolled, make_vault, server,
                                                                   server_admin, tmp_path):
    """A field laptop that only syncs by USB: its change loses a server conflict to an online colleague's; a
    coordinator of the centre decides online; the next return batch names the decision (the export asked for it,
    the USB decisions=1) and the laptop's own conflict closes through the online pull's code, in its audit log."""
    trips = iter(range(1, 10))

    def carry() -> dict:
        n = next(trips)
        out, back = stick(tmp_path, f"out{n}"), stick(tmp_path, f"back{n}")
        batch_service.export(laptop, out)
        batch_service.import_files(coordinator, [out])
        batch_service.forward(coordinator, receipts_dir=back, connect=fast_connect())
        [applied] = batch_service.import_files(laptop, [back])
        return applied

    record_id = register(laptop, "Synthetic Contested Test", 30).id
    assert carry()["acknowledged"] == 1
    online = enrolled("online")
    sync_service.sync_now(online, connect=fast_connect())
    register(online, "Synthetic Contested Online", 30, record_id=record_id)
    sync_service.sync_now(online, connect=fast_connect())
    register(laptop, "Synthetic Contested Stick", 30, record_id=record_id)
    assert carry()["conflicts"] == 1  # the server answered the stick's op with a conflict
    assert sync_service.sync_status(laptop)["open_conflicts"] == 1
    assert get_registration(laptop, record_id).sync_state == "conflict"
    assert carry()["decided"] == 0  # nothing decided yet: the row stays open

    decider = as_coordinator(enrolled_as(make_vault, server, server_admin, "agadez-coord", "Agadez", "coordinator"))
    try:
        sync_service.sync_now(decider, connect=fast_connect())  # a reviewer's sync fetches the server's conflicts
        assert desk.count_conflicts(decider) == 1
        [row] = desk.conflicts_page(decider, offset=0, limit=10)
        [name] = [leaf for leaf in desk.conflict(decider, row.conflict_id).differing if leaf.path.endswith("name")]
        desk.resolve_conflict(decider, row.conflict_id, keep=review.KEEP_LOCAL,
                              edits={name.path: "Synthetic Contested Decided"})
        sync_service.sync_now(decider, connect=fast_connect())
        assert record_id not in server_admin.run("conflicts")
    finally:
        decider.close()

    back = carry()
    assert back["decided"] == 1
    assert sync_service.sync_status(laptop)["open_conflicts"] == 0
    registration = get_registration(laptop, record_id)
    assert registration.sync_state == "acknowledged", registration.content
    assert "<name>Synthetic Contested Decided</name>" in registration.content
    [entry] = [e for e in log.entries(laptop, log.Filter(), offset=0, limit=500) if e.event == CONFLICT_DECIDED]
    assert entry.record_id == record_id and entry.actor.startswith("device ")
    assert carry()["decided"] == 0  # nothing closes twice


def test_online_and_stick_never_send_twice(laptop, coordinator, tmp_path, backend, server_admin):
    for n in range(3):
        register(laptop, f"Synthetic Both {n}", 30 + n)
    out = stick(tmp_path)
    batch_service.export(laptop, out)
    # The laptop goes online before the stick arrives: the same ops are pushed and acknowledged online.
    sync_service.sync_now(laptop, connect=fast_connect())
    before = fingerprint(backend)
    lines = admin_import(server_admin, *out.iterdir(), receipts=tmp_path / "receipts")
    assert [line["status"] for line in lines] == ["already_imported"]
    after = fingerprint(backend)
    assert {k: v for k, v in after.items() if k != "batch_import"} == \
        {k: v for k, v in before.items() if k != "batch_import"}
    # Its receipt acknowledges nothing new on the laptop, and breaks nothing.
    applied = batch_service.import_files(laptop, receipts_in(tmp_path / "receipts"))
    assert applied[0]["acknowledged"] == 0 and sync_service.sync_status(laptop)["unsynced"] == 0


def _crafted(vault, *, ops: list[Op], device_id: str | None = None, server_batch_key: str | None = None,
             lifetime_s: int = 3600, part: int = 1, parts: int = 1) -> bytes:
    """A batch file made with this laptop's own key, as only a broken or hostile laptop would."""
    creds = store.load_credentials(vault)
    device = device_id or creds.device_id
    payload = PushBatch.of(device_id=device, ops=ops).body()
    return seal_batch(payload=payload, device_id=device, device_key=creds.device_key,
                      server_batch_key=server_batch_key or creds.server_keys["batch_key"], batch_id=str(uuid.uuid4()),
                      part=part, parts=parts, seq_from=ops[0].device_seq, seq_to=ops[-1].device_seq, cursor="",
                      forms=[], return_key=_new_return_key(vault), lifetime_s=lifetime_s)


def _frozen_ops(vault) -> list[Op]:
    from desktop_app.sync.batches import _freeze_all, _unacknowledged
    _freeze_all(vault)
    return [Op.model_validate_json(wire) for _seq, wire in _unacknowledged(vault)]


def test_bad_batches_are_refused_each_with_its_reason_and_change_nothing(enrolled, tmp_path, backend, server_admin):
    laptop = enrolled("bad-batches")
    other = enrolled("someone-else")
    for n in range(4):
        register(laptop, f"Synthetic Refused {n}", 25 + n)
    out = stick(tmp_path)
    good = Path(batch_service.export(laptop, out).files[0])
    data = good.read_bytes()
    ops = _frozen_ops(laptop)
    bad = stick(tmp_path, "bad")
    tampered = bytearray(data)
    tampered[-100] ^= 0x01
    files = {
        "tampered": bytes(tampered),
        "truncated": data[:len(data) // 2],
        "retargeted": _crafted(laptop, ops=ops,
                               server_batch_key=x25519_public_b64(X25519PrivateKey.generate())),
        "expired": _crafted(laptop, ops=ops, lifetime_s=-60),
        "reordered": _crafted(laptop, ops=ops[2:]),
        "part_missing": _crafted(laptop, ops=ops[2:], part=2, parts=2),
        "wrong_device": _crafted(laptop, ops=[op.model_copy() for op in ops],
                                 device_id=store.load_credentials(other).device_id),
    }
    before = fingerprint(backend)
    paths = {reason: write_durably(bad, f"{reason}{BATCH_SUFFIX}", content) for reason, content in files.items()}
    # One command for the stick's seven files (one process start, not seven): a line for each, in the order it
    # imported them (per laptop and export, from their headers; the files a header does not order come last).
    lines = admin_import(server_admin, *paths.values())
    assert sorted(line["file"] for line in lines) == sorted(path.name for path in paths.values())
    by_name = {line["file"]: line for line in lines}
    reasons = {}
    for reason, path in paths.items():
        line = by_name[path.name]
        assert line["status"] == "rejected", (reason, line)
        reasons[reason] = (line["reason"], line["message"])
    assert fingerprint(backend) == before
    assert {k: v[0] for k, v in reasons.items()} == {k: k for k in files}
    # the same server with replaced keys looks like another server to a file: the message says what to do then
    assert "enrol the laptop again and export again" in reasons["retargeted"][1]
    assert len({message for _code, message in reasons.values()}) == len(files)  # each its own sentence

    # The good file goes in once; again (a replay) it is "already imported" and changes nothing.
    assert admin_import(server_admin, good)[0]["status"] == "accepted"
    once = fingerprint(backend)
    replay = admin_import(server_admin, good)[0]
    assert replay["status"] == "already_imported" and "already imported" in replay["message"]
    assert fingerprint(backend) == once
    # The administrator's list: the file once, by the command line, with what it held (ids and counts only).
    listed = [json.loads(line) for line in server_admin.run("batches").splitlines()]
    mine = [row for row in listed if row["device_id"] == store.load_credentials(laptop).device_id]
    assert [(row["status"], row["ops"], row["via"]) for row in mine] == [("accepted", 4, "admin")]


def test_courier_refuses_what_it_can_without_the_key(enrolled, coordinator, tmp_path):
    laptop = enrolled("courier-checks")
    register(laptop, "Synthetic Courier", 33)
    ops = _frozen_ops(laptop)
    bad = stick(tmp_path, "bad")
    write_durably(bad, "a" + BATCH_SUFFIX, _crafted(laptop, ops=ops, lifetime_s=-60))
    write_durably(bad, "b" + BATCH_SUFFIX, _crafted(laptop, ops=ops,
                                                    server_batch_key=x25519_public_b64(X25519PrivateKey.generate())))
    write_durably(bad, "c" + BATCH_SUFFIX, _crafted(laptop, ops=ops)[:200])
    results = batch_service.import_files(coordinator, [bad])
    assert [(r["file"], r["reason"]) for r in results] == [("a.wpbatch", "expired"), ("b.wpbatch", "retargeted"),
                                                         ("c.wpbatch", "truncated")]
    assert batch_service.inbox(coordinator) == []


def test_split_export_and_a_missing_part(enrolled, coordinator, tmp_path, backend):
    laptop = enrolled("split")
    for n in range(7):
        register(laptop, f"Synthetic Split {n}", 20 + n)
    out = stick(tmp_path)
    summary = batch_service.export(laptop, out, max_ops=3)
    assert len(summary.files) == 3 and summary.ops == 7
    by_part = {read_header(Path(f).read_bytes())[0]["part"]: Path(f) for f in summary.files}
    carried = stick(tmp_path, "carried")
    for part in (1, 3):  # part 2 stayed behind
        by_part[part].rename(carried / by_part[part].name)
    batch_service.import_files(coordinator, [carried])
    result = batch_service.forward(coordinator, receipts_dir=tmp_path / "back", connect=fast_connect())
    assert [(f["part"], f["status"], f["reason"]) for f in result["files"]] == [
        (1, "accepted", None), (3, "rejected", "part_missing")]
    assert "part 2 of 3" in result["files"][1]["message"]
    held = fingerprint(backend)
    # Part 2 arrives on the next stick: part 2, then the waiting part 3, go in.
    batch_service.import_files(coordinator, [by_part[2]])
    result = batch_service.forward(coordinator, receipts_dir=tmp_path / "back", connect=fast_connect())
    assert [(f["part"], f["status"]) for f in result["files"]] == [(2, "accepted"), (3, "accepted")]
    assert fingerprint(backend)["record"] == held["record"] + 4
    with coordinator.session(readonly=True) as session:  # taken by the server: the courier keeps no copy
        sizes = Db.of(session).execute(vtext("SELECT length(data) FROM batch_inbox")).all()
    assert [row[0] for row in sizes] == [0, 0, 0]
    applied = batch_service.import_files(laptop, receipts_in(tmp_path / "back"))
    assert sum(r["acknowledged"] for r in applied) == 7
    with coordinator.session(readonly=True) as session:  # receipts written on the stick are not kept either
        assert Db.of(session).execute(vtext("SELECT MAX(length(receipt)) FROM batch_inbox")).scalar_one() == 0
    assert sync_service.sync_status(laptop)["unsynced"] == 0



def test_admin_import_takes_a_sticks_folder_and_orders_a_split_export_itself(enrolled, server_admin, tmp_path,
                                                                              backend):
    # The regional office imports a stick straight into its server. The files' names are random, so the order the
    # operator (or the shell) gives them in is no order at all: a split export's later parts were refused
    # (`part_missing`) until the command was run again, a folder ended in a traceback, and so did a missing file.
    laptop = enrolled("stick-only")
    for n in range(7):
        register(laptop, f"Synthetic Stick {n}", 20 + n)
    out = stick(tmp_path)
    summary = batch_service.export(laptop, out, max_ops=3)
    by_part = {read_header(Path(f).read_bytes())[0]["part"]: Path(f) for f in summary.files}
    assert len(by_part) == 3
    held = fingerprint(backend)
    backwards = admin_import(server_admin, by_part[3], by_part[2], by_part[1], receipts=tmp_path / "back")
    assert [(line["part"], line["status"]) for line in backwards] == [(1, "accepted"), (2, "accepted"), (3, "accepted")]
    assert fingerprint(backend)["record"] == held["record"] + 7
    again = admin_import(server_admin, out, tmp_path / "not-there.wpbatch")  # the stick's folder, and a typo
    assert [line["status"] for line in again] == ["already_imported"] * 3 + ["rejected"]
    assert again[-1]["reason"] == "not_found" and "no such file" in again[-1]["message"]
    applied = batch_service.import_files(laptop, receipts_in(tmp_path / "back"))
    assert sum(r["acknowledged"] for r in applied) == 7 and sync_service.sync_status(laptop)["unsynced"] == 0


def test_an_export_onto_a_full_stick_says_nothing_is_lost_and_the_next_one_carries_everything(enrolled, tmp_path):
    # `waypoint batch export` onto a stick that is full said only "No space left on device": not whether anything
    # was written, nor whether the changes were still to be sent.
    from test_server_logs import full_tmpfs

    laptop = enrolled("full-stick")
    for n in range(3):
        register(laptop, f"Synthetic Full Stick {n}", 20 + n)
    folder = laptop.path
    laptop.close()

    def export(out: Path) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "desktop_app.cli", "batch", "export", "--vault", str(folder),
                               "--user", "admin", "--out", str(out)], env={**os.environ, "WAYPOINT_PASSPHRASE": PASSPHRASE},
                              capture_output=True, text=True, timeout=120)

    with full_tmpfs(1) as drive:
        with open(drive / "filler", "wb", buffering=0) as filler, pytest.raises(OSError):
            while True:  # the stick full to the last block
                filler.write(b"\0" * 4096)
        refused = export(drive / "stick")
        assert refused.returncode == 2 and "Traceback" not in refused.stderr
        assert f"could not be written to {drive / 'stick'} (No space left on device)" in refused.stderr
        assert "Nothing is lost" in refused.stderr and "export again" in refused.stderr
        assert not [p for p in drive.rglob("*") if p.is_file() and p.name != "filler"]  # no half-written file
    again = export(tmp_path / "another-stick")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["ops"] == 3

def test_receipts_onto_a_full_stick_wait_here_and_the_forward_still_says_what_went(laptop, coordinator, tmp_path):
    # Forwarding with --receipts onto a full stick said only "No space left on device": not that the files had gone
    # (their statuses were not shown) nor that the receipts were kept (the app: "Synchronisation stopped: OSError").
    from test_server_logs import full_tmpfs

    for n in range(2):
        register(laptop, f"Synthetic Full Receipts {n}", 40 + n)
    out = stick(tmp_path)
    batch_service.export(laptop, out)
    batch_service.import_files(coordinator, [out])
    with full_tmpfs(1) as drive:
        with open(drive / "filler", "wb", buffering=0) as filler, pytest.raises(OSError):
            while True:
                filler.write(b"\0" * 4096)
        result = batch_service.forward(coordinator, receipts_dir=drive / "receipts", connect=fast_connect())
        assert [f["status"] for f in result["files"]] == ["accepted"] and result["receipts"] == []
        failed = result["receipts_failed"]
        assert failed.full and failed.folder == drive / "receipts" and failed.reason == "No space left on device"
        assert not [p for p in drive.rglob("*") if p.is_file() and p.name != "filler"]  # no half-written receipt
    [held] = [f for f in batch_service.inbox(coordinator) if f["status"] == "accepted"]
    assert held["has_receipt"] and held["receipt_written_at"] is None  # kept on this machine
    again = batch_service.forward(coordinator, receipts_dir=tmp_path / "another-stick", connect=fast_connect())
    assert len(again["receipts"]) == 1 and "receipts_failed" not in again
    assert batch_service.import_files(laptop, receipts_in(tmp_path / "another-stick"))[0]["acknowledged"] == 2


def test_receipt_for_another_laptop_is_refused(enrolled, coordinator, tmp_path):
    laptop, neighbour = enrolled("owner"), enrolled("neighbour")
    register(laptop, "Synthetic Owner", 50)
    register(neighbour, "Synthetic Neighbour", 51)
    out = stick(tmp_path)
    batch_service.export(laptop, out)
    batch_service.import_files(coordinator, [out])
    batch_service.forward(coordinator, receipts_dir=tmp_path / "back", connect=fast_connect())
    receipt = receipts_in(tmp_path / "back")
    refused = batch_service.import_files(neighbour, receipt)
    assert refused[0]["status"] == "rejected" and refused[0]["reason"] == "wrong_device"
    assert "another laptop" in refused[0]["message"]
    assert sync_service.sync_status(neighbour)["unsynced"] == 1
    assert batch_service.import_files(laptop, receipt)[0]["acknowledged"] == 1


def test_a_changed_receipt_is_refused(laptop, coordinator, tmp_path):
    register(laptop, "Synthetic Receipt", 44)
    batch_service.export(laptop, stick(tmp_path))
    batch_service.import_files(coordinator, [stick(tmp_path)])
    batch_service.forward(coordinator, receipts_dir=tmp_path / "back", connect=fast_connect())
    path = receipts_in(tmp_path / "back")[0]
    data = bytearray(path.read_bytes())
    data[-50] ^= 0x01
    path.write_bytes(bytes(data))
    refused = batch_service.import_files(laptop, [path])
    assert refused[0]["reason"] == "tampered"
    assert sync_service.sync_status(laptop)["unsynced"] == 1


def test_field_staff_export_but_cannot_carry_batches(laptop, tmp_path):
    laptop.add_user("fieldworker", PASSPHRASE + " field", "field_staff")
    register(laptop, "Synthetic Field", 29)
    out = stick(tmp_path)
    with Vault.unlock(laptop.path, username="fieldworker", passphrase=PASSPHRASE + " field") as staff:
        assert batch_service.export(staff, out).ops == 1
        with pytest.raises(PermissionDenied):
            batch_service.import_files(staff, [out])


def test_stick_first_then_online_acknowledges_without_sending_twice(enrolled, coordinator, tmp_path, backend):
    laptop = enrolled("stick-first")
    for n in range(3):
        register(laptop, f"Synthetic Stick First {n}", 40 + n)
    out = stick(tmp_path)
    batch_service.export(laptop, out)
    batch_service.import_files(coordinator, [out])
    batch_service.forward(coordinator, receipts_dir=tmp_path / "back", connect=fast_connect())
    held = fingerprint(backend)
    # The receipt stays on the stick; the laptop goes online first: its frozen ops get their stored results.
    summary = sync_service.sync_now(laptop, connect=fast_connect())
    assert summary.acknowledged == 3 and sync_service.sync_status(laptop)["unsynced"] == 0
    after = fingerprint(backend)
    assert (after["record"], after["record_version"], after["op_result"]) == \
        (held["record"], held["record_version"], held["op_result"])
    # The receipt arriving later acknowledges nothing again.
    assert batch_service.import_files(laptop, receipts_in(tmp_path / "back"))[0]["acknowledged"] == 0
