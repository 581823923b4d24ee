"""End to end with real processes: a field laptop that never goes online (enrolled once at the office) gets 200
registrations (ten with a photo) to the server through batch files carried by a coordinator's machine that goes online only later
(`waypoint batch export|import|forward` as subprocesses, the server a `waypoint-server serve` subprocess); the
receipts and a return batch bring back a colleague's change with its photo and a new form version. Afterwards the laptop, the
server and an online laptop of the same centre agree exactly, and the coordinator's machine never held a batch's
content in clear (the seized-laptop canary search over its vault, decrypted page by page, finds nothing).

CI size: 200 records. The 1,000-record run is bench/bench_batches.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

from desktop_app.records import form_store
from desktop_app.services import attachments
from desktop_app.services import sync as sync_service
from desktop_app.vault import Vault, keyslots
from desktop_app.vault.registrations import count_unsynced, get_registration
from desktop_app.vault.sql import Db
from desktop_app.vault.sql import text as vtext
from tests.canary import decrypted_pages_hold, needles, vault_leaks
from tests.sync.records import register
from tests.sync.support import PASSPHRASE, fast_connect
from tests.sync.test_sync_attachments import server_blobs, synthetic_file
from tests.sync.test_sync_forms import publish

RECORDS = 200
PHOTO_EVERY = 20  # ten records with a photo of about 150 KB, the canary's among them
CANARY = "Zebulon Canarywing"


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
            rows = Db.of(session).execute(vtext("SELECT id, server_version FROM registration")).all()
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


def test_never_online_centre_through_a_courier(server, server_admin, new_code, backend, tmp_path):
    field_dir, courier_dir = tmp_path / "field", tmp_path / "courier"
    centre = "Arlit transit centre"
    # At the office, once: both machines are enrolled. The field laptop never connects again.
    with new_vault(field_dir) as field:
        sync_service.enrol(field, server_url=server.url, code=new_code(centre), device_name="field")
        ids = [register(field, CANARY if n == 0 else f"Synthetic Arlit {n:04d}", 18 + n % 60).id
               for n in range(RECORDS)]
        photos = {ids[n]: synthetic_file(150_000 + n, f"photo {n}", marker=CANARY.encode() if n == 0 else b"")
                  for n in range(0, RECORDS, PHOTO_EVERY)}
        for record_id, photo in photos.items():
            attachments.save_attachments(field, record_id=record_id, files=[("photo.jpg", "image/jpeg", photo)])
        key, page_size = field._dek, keyslots.cipher_page_size(keyslots.load(field_dir))
    assert decrypted_pages_hold(field_dir, key, page_size, CANARY.encode())  # the search sees what it looks for
    with new_vault(courier_dir) as courier:
        sync_service.enrol(courier, server_url=server.url, code=new_code("Niamey regional office"),
                           device_name="courier")
        courier_key = courier._dek
    courier_page = keyslots.cipher_page_size(keyslots.load(courier_dir))

    # Trip 1: the stick goes from the field laptop to the coordinator's machine, which is offline for now.
    stick = tmp_path / "stick"
    _code, exported = waypoint(field_dir, "batch", "export", "--out", str(stick))
    assert exported[0]["ops"] == RECORDS and exported[0]["safe_to_remove"] is True
    code, taken = waypoint(courier_dir, "batch", "import", str(stick))
    assert code == 0 and [t["status"] for t in taken] == ["waiting"] * len(exported[0]["files"])
    # Later the coordinator is online: forward, receipts written back to the stick for the centre.
    code, forwarded = waypoint(courier_dir, "batch", "forward", "--receipts", str(stick / "receipts"))
    assert code == 0 and [f["status"] for f in forwarded[:-1]] == ["accepted"] * len(exported[0]["files"])
    assert exported[0]["file_chunks"] >= len(photos)  # the photos travel beside the records
    assert {Path(p).parent.name for p in forwarded[-1]["receipts"]} == {"Arlit-transit-centre"}
    held = server_blobs(backend)
    assert {hashlib.sha256(p).hexdigest() for p in photos.values()} <= {h for h, (_size, _got, done) in held.items() if done}
    colleague_photo = synthetic_file(300_000, "colleague photo")
    # A colleague of the centre, online, edits one of those records and adds one; a new form version is published.
    with new_vault(tmp_path / "online") as online:
        sync_service.enrol(online, server_url=server.url, code=new_code(centre), device_name="online")
        sync_service.sync_now(online, connect=fast_connect())
        register(online, "Synthetic Arlit 0007 corrected", 25, record_id=ids[7])
        added = register(online, "Synthetic Arlit colleague", 31).id
        attachments.save_attachments(online, record_id=added, files=[("photo.jpg", "image/jpeg", colleague_photo)])
        sync_service.sync_now(online, connect=fast_connect())
    form_id, version = publish(server_admin, tmp_path, "referral.md")

    # The driver brings the receipts back: the laptop's 200 ops are acknowledged.
    code, applied = waypoint(field_dir, "batch", "import", str(stick / "receipts"))
    assert code == 0 and sum(a["acknowledged"] for a in applied) == RECORDS
    assert sum(a["files_sent"] for a in applied) == len(photos)  # the server holds them: not sent again

    # Trip 2: nothing new to send; the file asks for the changes, which come back in the return batch.
    stick2 = tmp_path / "stick2"
    _code, exported_again = waypoint(field_dir, "batch", "export", "--out", str(stick2))
    waypoint(courier_dir, "batch", "import", str(stick2))
    waypoint(courier_dir, "batch", "forward", "--receipts", str(stick2 / "receipts"))
    code, applied = waypoint(field_dir, "batch", "import", str(stick2 / "receipts"))
    assert code == 0 and applied[0]["pulled"] >= 2 and f"{form_id} {version}" in applied[0]["forms_installed"]
    assert applied[0]["files_received"] == 1 and exported_again[0]["file_chunks"] == 0

    # Everyone agrees exactly: the same records at the same versions on the laptop, the server and the colleague.
    on_server = versions_on_server(backend, centre)
    assert len(on_server) == RECORDS + 1 and added in on_server
    assert versions_on_device(field_dir) == on_server
    with Vault.unlock(tmp_path / "online", username="admin", passphrase=PASSPHRASE) as online:
        sync_service.sync_now(online, connect=fast_connect())
    assert versions_on_device(tmp_path / "online") == on_server
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
