"""End to end with real processes: a field laptop that never goes online (enrolled once at the office) gets its
registrations, each with a photo, to the server through batch files carried by a coordinator's machine that goes
online only later (`waypoint batch export|import|forward` as subprocesses, the server a `waypoint-server serve`
subprocess). The receipts and a return batch bring back another centre's change (a coordinator of the region, at
the regional office, corrects one of the laptop's records: region scope), a colleague's new record with its photo,
and a new form version. Afterwards the laptop, the server and the coordinators agree exactly (the same records at
the same versions; the courier's list shows every file accepted and its receipt written), and the coordinator's
machine never held a batch's content in clear (the seized-laptop canary search over its vault, decrypted page by
page, finds nothing).

Sizes: 1,000 registrations (the issue's size) run with `-m slow`; CI runs 200 (the same test; see docs/batches.md
for the times of both).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from desktop_app.records import form_store
from desktop_app.services import attachments
from desktop_app.services import sync as sync_service
from desktop_app.vault import Vault, keyslots
from desktop_app.vault.registrations import RegistrationDraft, count_unsynced, get_registration, save_registrations
from desktop_app.vault.sql import Db, join_sync
from desktop_app.vault.sql import text as vtext
from desktop_app.vault.writer import write
from tests.canary import decrypted_pages_hold, needles, vault_leaks
from tests.sync.records import FORM_ID, FORM_VERSION, instance, register
from tests.sync.support import PASSPHRASE, fast_connect
from tests.sync.test_sync_attachments import server_blobs, synthetic_file
from tests.sync.test_sync_forms import publish

PHOTO_BYTES = 3_000  # a small synthetic photo with each registration (incompressible, like a JPEG)
CANARY = "Zebulon Canarywing"
SIZES = [200, pytest.param(1000, marks=[pytest.mark.slow, pytest.mark.timeout(1800)])]  # 1,000: a loaded machine


def waypoint(vault_dir: Path, *args: str) -> tuple[int, list[dict]]:
    env = {**os.environ, "WAYPOINT_PASSPHRASE": PASSPHRASE}
    result = subprocess.run([sys.executable, "-m", "desktop_app.cli", *args[:2], "--vault", str(vault_dir),
                             "--user", "admin", *args[2:]], env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode in (0, 1), result.stderr[-800:]
    return result.returncode, [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def new_vault(folder: Path) -> Vault:
    vault, _recovery = Vault.create(folder, admin_username="admin", admin_passphrase=PASSPHRASE, kdf_profile="test")
    return vault


def versions_on_device(folder: Path) -> dict[str, int]:
    with Vault.unlock(folder, username="admin", passphrase=PASSPHRASE) as vault:
        with vault.session(readonly=True) as session:
            rows = Db.of(session).execute(vtext("SELECT id, rs.server_version FROM registration" + join_sync())).all()
    return {r[0]: r[1] for r in rows}


def versions_on_server(backend, centre: str) -> dict[str, int]:
    engine = create_engine(backend.admin_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT r.id, r.server_version FROM record r JOIN centre c ON c.id = r.centre_id "
                                     "WHERE c.name = :c"), {"c": centre}).all()
    finally:
        engine.dispose()
    return {r[0]: r[1] for r in rows}


@pytest.mark.parametrize("records", SIZES)
def test_never_online_centre_through_a_courier(server, server_admin, new_code, backend, tmp_path, records):
    field_dir, courier_dir, online_dir = tmp_path / "field", tmp_path / "courier", tmp_path / "online"
    centre, office = f"Arlit transit centre {records}", f"Agadez regional office {records}"
    for place in (centre, office):  # one region: the office's coordinators may correct Arlit's records
        server_admin.code(place)
        server_admin.run("centre", "region", place, f"Agadez region {records}")
    # At the office, once: the laptop and the coordinator's machine are enrolled. The laptop never connects again.
    with new_vault(field_dir) as field:
        sync_service.enrol(field, server_url=server.url, code=new_code(centre), device_name="field")
        # A day's work saved in a few transactions (a thousand separate saves would only time the disk), each
        # registration with its photo.
        names = [CANARY if n == 0 else f"Synthetic Arlit {n:04d}" for n in range(records)]
        ids = save_registrations(field, [
            RegistrationDraft(record_id=None, form_id=FORM_ID, form_version=FORM_VERSION, status="finalized",
                              content=instance(name, 18 + n % 60),
                              fields={"title": name, "age": 18 + n % 60, "nationality": "NE", "phone": None})
            for n, name in enumerate(names)])
        photos = {ids[n]: synthetic_file(PHOTO_BYTES + n, f"photo {n}", marker=CANARY.encode() if n == 0 else b"")
                  for n in range(records)}
        with write(field) as writer:
            for record_id, photo in photos.items():
                writer.put_files(record_id, [("photo.jpg", "image/jpeg", photo)])
        key, page_size = field._dek, keyslots.cipher_page_size(keyslots.load(field_dir))
    assert decrypted_pages_hold(field_dir, key, page_size, CANARY.encode())  # the search sees what it looks for
    with new_vault(courier_dir) as courier:
        sync_service.enrol(courier, server_url=server.url, code=server_admin.run(
            "enrol-code", "--centre", office, "--roles", "coordinator"), device_name="courier")
        courier_key = courier._dek
    courier_page = keyslots.cipher_page_size(keyslots.load(courier_dir))
    # A colleague at Arlit, online for once, adds a record with its photo.
    colleague_photo = synthetic_file(300_000, "colleague photo")
    with new_vault(tmp_path / "colleague") as colleague:
        sync_service.enrol(colleague, server_url=server.url, code=new_code(centre), device_name="colleague")
        added = register(colleague, "Synthetic Arlit colleague", 31).id
        attachments.save_attachments(colleague, record_id=added, files=[("photo.jpg", "image/jpeg", colleague_photo)])
        sync_service.sync_now(colleague, connect=fast_connect())

    # Trip 1: the stick goes from the field laptop to the coordinator's machine, which is offline for now.
    stick = tmp_path / "stick"
    _code, exported = waypoint(field_dir, "batch", "export", "--out", str(stick))
    assert exported[0]["ops"] == records and exported[0]["safe_to_remove"] is True
    code, taken = waypoint(courier_dir, "batch", "import", str(stick))
    assert code == 0 and [t["status"] for t in taken] == ["waiting"] * len(exported[0]["files"])
    # Later the coordinator is online: forward, receipts written back to the stick for the centre.
    code, forwarded = waypoint(courier_dir, "batch", "forward", "--receipts", str(stick / "receipts"))
    assert code == 0 and [f["status"] for f in forwarded[:-1]] == ["accepted"] * len(exported[0]["files"])
    assert exported[0]["file_chunks"] >= len(photos)  # the photos travel beside the records
    assert {Path(p).parent.name for p in forwarded[-1]["receipts"]} == {centre.replace(" ", "-")}
    held = server_blobs(backend)
    assert {hashlib.sha256(p).hexdigest() for p in photos.values()} <= {h for h, (_size, _got, done) in held.items() if done}
    # Another centre's change: a coordinator of the region, online at the regional office, corrects a record of
    # Arlit; a new form version is published.
    with new_vault(online_dir) as online:
        sync_service.enrol(online, server_url=server.url, code=server_admin.run(
            "enrol-code", "--centre", office, "--roles", "coordinator"), device_name="online coordinator")
        sync_service.sync_now(online, connect=fast_connect())
        register(online, "Synthetic Arlit 0007 corrected", 25, record_id=ids[7])
        assert sync_service.sync_now(online, connect=fast_connect()).rejected == 0
    # (a version of its own for each size: both sizes may share the module's server)
    form_id, version = publish(server_admin, tmp_path, "referral.md", version=str(2026120601 + records))

    # The driver brings the receipts back: every op of the laptop is acknowledged.
    code, first = waypoint(field_dir, "batch", "import", str(stick / "receipts"))
    assert code == 0 and sum(a["acknowledged"] for a in first) == records
    assert sum(a["files_sent"] for a in first) == len(photos)  # the server holds them: not sent again
    # ... and brings the colleague's record with its photo (on the server before the forward)
    assert sum(a["pulled"] for a in first) >= 1 and sum(a["files_received"] for a in first) == 1

    # Trip 2: nothing new to send; the file asks for the changes, which come back in the return batch.
    stick2 = tmp_path / "stick2"
    _code, exported_again = waypoint(field_dir, "batch", "export", "--out", str(stick2))
    waypoint(courier_dir, "batch", "import", str(stick2))
    waypoint(courier_dir, "batch", "forward", "--receipts", str(stick2 / "receipts"))
    code, second = waypoint(field_dir, "batch", "import", str(stick2 / "receipts"))
    # the regional coordinator's correction and the new form version
    assert code == 0 and second[0]["pulled"] >= 1 and f"{form_id} {version}" in second[0]["forms_installed"]
    assert exported_again[0]["file_chunks"] == 0

    # Everyone agrees exactly: the same records at the same versions on the laptop, the server and the regional
    # coordinator's laptop; the courier carried every file, each accepted and its receipt written.
    on_server = versions_on_server(backend, centre)
    assert len(on_server) == records + 1 and added in on_server
    assert versions_on_device(field_dir) == on_server
    with Vault.unlock(online_dir, username="admin", passphrase=PASSPHRASE) as online:
        sync_service.sync_now(online, connect=fast_connect())
    assert versions_on_device(online_dir) == on_server
    _code, carried = waypoint(courier_dir, "batch", "list")
    assert len(carried) == len(exported[0]["files"]) + len(exported_again[0]["files"])
    assert [(f["status"], bool(f["forwarded_at"]), bool(f["receipt_written_at"])) for f in carried] == [
        ("accepted", True, True)] * len(carried)  # each forwarded, accepted, and its receipt written to a stick
    assert sum(f["counts"]["applied"] for f in carried) == records
    with Vault.unlock(field_dir, username="admin", passphrase=PASSPHRASE) as field:
        assert count_unsynced(field) == 0
        assert get_registration(field, ids[7]).title == "Synthetic Arlit 0007 corrected"
        assert (form_id, version) in {(f.form_id, f.version) for f in form_store.list_forms(field)}
        assert attachments.read_attachment(field, record_id=added, name="photo.jpg") == colleague_photo
        assert attachments.read_attachment(field, record_id=ids[0], name="photo.jpg") == photos[ids[0]]

    # The coordinator's machine carried everything and holds none of it in clear, in any file or page; nor do the
    # sticks (sealed files, random names).
    assert vault_leaks(courier_dir, courier_key, courier_page, needles(CANARY, "Synthetic Arlit")) == []
    for folder in (stick, stick2):
        for path in folder.rglob("*"):
            if path.is_file():
                assert CANARY.encode() not in path.read_bytes() and "Arlit" not in path.name
