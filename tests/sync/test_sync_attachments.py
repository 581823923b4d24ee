"""Attachments travel with their record (issue 8, point 8), through the REAL server on loopback (SQLite, and
PostgreSQL when it answers) and the real device client: content-addressed, chunked, resumable after a dropped
connection and a killed process, deduplicated, checked against their hash, sealed at rest on the server, shown as
incomplete until they have all arrived, and removed everywhere with their record."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.sync.support import PASSPHRASE, fast_connect
from tests.vault import canary
from fault_proxy import FaultProxy, FaultRates
from records import register
from sqlalchemy import create_engine, text

from desktop_app.services import attachments, registrations
from desktop_app.services import sync as sync_service
from desktop_app.sync import errors, store
from desktop_app.sync.transport import ServerConnection
from desktop_app.vault import Vault
from desktop_app.vault.registrations import delete_registration
from waypoint_core.protocol import CHUNK_BYTES, BlobChunk, blob_hash

WORKER = Path(__file__).with_name("attachment_worker.py")
MB = 1024 * 1024
DROPS = FaultRates(drop_request=0.06, truncate_request=0.04, delay=0.05, drop_response=0.08, truncate_response=0.06,
                   duplicate=0.08, max_delay_s=0.02)


def synthetic_file(size: int, seed: str, marker: bytes = b"") -> bytes:
    """Incompressible synthetic bytes (a photo or a scan as far as sync can tell); `marker` is written into it."""
    out, block = bytearray(), hashlib.sha256(seed.encode()).digest()
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += hashlib.sha512(block).digest() * 16
    if marker:
        out[1000:1000 + len(marker)] = marker
    return bytes(out[:size])


def connection_of(vault: Vault, url: str | None = None) -> ServerConnection:
    c = store.load_credentials(vault)
    return fast_connect()(url or c.server_url, device_id=c.device_id, device_key=c.device_key,
                          server_signing_key=c.server_signing_key, server_keys=c.server_keys)


def server_blobs(backend) -> dict[str, tuple[int, int, bool]]:
    """sha256 -> (size, received, complete), read from the server's database directly."""
    engine = create_engine(backend.admin_url)
    try:
        with engine.connect() as conn:
            return {r.sha256: (r.size, r.received, bool(r.complete)) for r in conn.execute(
                text("SELECT sha256, size, received, complete FROM blob"))}
    finally:
        engine.dispose()


def server_chunks(backend) -> list[tuple[str, str]]:
    engine = create_engine(backend.admin_url)
    try:
        with engine.connect() as conn:
            return [(r.sha256, r.data) for r in conn.execute(text("SELECT sha256, data FROM blob_chunk"))]
    finally:
        engine.dispose()


def run_worker(vault: Vault, url: str, kill_after: int) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(WORKER), str(vault.path), url, str(kill_after)],
                          env={**os.environ, "WAYPOINT_PASSPHRASE": PASSPHRASE}, capture_output=True, text=True,
                          timeout=900)


def chunk_count(*sizes: int) -> int:
    return sum(max(1, -(-size // CHUNK_BYTES)) for size in sizes)


def test_a_5mb_photo_and_a_20mb_scan_reach_a_second_device_through_drops_and_kills(enrolled, server, backend):
    a, b = enrolled("big-a", centre="Big files"), enrolled("big-b", centre="Big files")
    photo = synthetic_file(5 * MB + 123, "photo")
    scan = synthetic_file(20 * MB + 456, "scan")
    record_id = register(a, "Big Files", 41).id
    attachments.save_attachments(a, record_id=record_id, files=[("photo.jpg", "image/jpeg", photo),
                                                                ("scan.pdf", "application/pdf", scan)])
    total = chunk_count(len(photo), len(scan))
    with FaultProxy(upstream_port=server.port, rates=DROPS, seed=8) as proxy:
        # Sending: killed right after the server stored its 8th chunk, then run again: it resumes from there.
        killed = run_worker(a, proxy.url, kill_after=8)
        assert killed.returncode == -9, killed.stderr[-2000:]
        assert len(server_chunks(backend)) == 8
        assert not all(done for _size, _received, done in server_blobs(backend).values())
        finished = run_worker(a, proxy.url, kill_after=0)
        assert finished.returncode == 0, finished.stderr[-2000:]
        assert json.loads(finished.stdout)["chunks"] == total - 8  # resumed, not started again
        held = server_blobs(backend)
        assert held[blob_hash(photo)] == (len(photo), len(photo), True)
        assert held[blob_hash(scan)] == (len(scan), len(scan), True)

        # Fetching: killed after its 10th chunk arrived (9 stored), then run again: it resumes from there.
        killed = run_worker(b, proxy.url, kill_after=10)
        assert killed.returncode == -9, killed.stderr[-2000:]
        assert sync_service.sync_status(b)["incomplete"] == 1
        finished = run_worker(b, proxy.url, kill_after=0)
        assert finished.returncode == 0, finished.stderr[-2000:]
        assert json.loads(finished.stdout)["chunks"] == total - 9
        faults = dict(proxy.counts)
    assert faults.get("drop_response", 0) + faults.get("truncate_response", 0) > 0, faults
    assert faults.get("drop_request", 0) + faults.get("truncate_request", 0) > 0, faults
    assert attachments.read_attachment(b, record_id=record_id, name="photo.jpg") == photo
    assert attachments.read_attachment(b, record_id=record_id, name="scan.pdf") == scan
    assert sync_service.sync_status(b)["incomplete"] == 0
    with b.session(readonly=True) as session:
        parts = session.connection().exec_driver_sql("SELECT count(*) FROM attachment_part").scalar_one()
    assert parts == 0  # what was received in parts became the files
    assert a.verify().ok and b.verify().ok


def test_files_are_sealed_at_rest_on_the_server_and_leave_no_trace_on_either_laptop(
        isolated_home, new_code, server, backend):
    started = (isolated_home / "waypoint").stat().st_mtime - 1
    vaults = []
    for name in ("canary-a", "canary-b"):
        vault, _recovery = Vault.create(isolated_home / "waypoint" / name, admin_username="admin",
                                        admin_passphrase=PASSPHRASE, kdf_profile="test")
        sync_service.enrol(vault, server_url=server.url, code=new_code("Canary centre"), device_name=name)
        vaults.append(vault)
    a, b = vaults
    try:
        person = canary.CANARY_NAME.encode()
        photo = synthetic_file(300_000, "canary-photo", marker=person + b" " + canary.CANARY_DOB.encode())
        scan = synthetic_file(2 * MB + 7, "canary-scan", marker=canary.CANARY_NAME.encode("utf-16-le"))
        record_id = register(a, canary.CANARY_NAME, 29).id
        attachments.save_attachments(a, record_id=record_id, files=[("photo.jpg", "image/jpeg", photo),
                                                                    ("scan.pdf", "application/pdf", scan)])
        sync_service.sync_now(a, connect=fast_connect())
        sync_service.sync_now(b, connect=fast_connect())
        assert attachments.read_attachment(b, record_id=record_id, name="scan.pdf") == scan

        roots = canary.search_roots(isolated_home)
        assert canary.leaks(roots, started, isolated_home) == []
        sealed = server_chunks(backend)
        assert sealed and all(data.startswith("wp1.") for _sha, data in sealed)
        assert not any(needle in data.encode() for _sha, data in sealed for needle in canary.needles().values())
        if backend.database_url is None:  # SQLite: every file in the server's data folder, whatever its size
            for path in backend.data_dir.rglob("*"):
                if path.is_file():
                    content = path.read_bytes()
                    assert not [label for label, needle in canary.needles().items() if needle in content], path
    finally:
        for vault in vaults:
            vault.close()
    for name in ("canary-a", "canary-b"):
        with Vault.unlock(isolated_home / "waypoint" / name, username="admin", passphrase=PASSPHRASE) as again:
            assert again.verify().ok
    assert canary.leaks(canary.search_roots(isolated_home), started, isolated_home) == []


def test_a_record_whose_files_have_not_arrived_is_shown_incomplete_until_they_do(enrolled, backend):
    a, b = enrolled("late-a", centre="Late files"), enrolled("late-b", centre="Late files")
    record_id = register(a, "Late File", 52).id
    late = synthetic_file(70_000, "late")
    attachments.save_attachments(a, record_id=record_id, files=[("photo.jpg", "image/jpeg", late),
                                                                ("audit.csv", "text/csv", b"event,node\n")])

    class Refusing(ServerConnection):  # the server takes the audit file but refuses the photo, for now
        def upload_chunk(self, chunk):
            if chunk.sha256 == blob_hash(late):
                raise errors.ServerRefused(413, "too_large", "refused by the test")
            return super().upload_chunk(chunk)

    summary = sync_service.sync_now(a, connect=lambda url, **kw: Refusing(url, **{"retry": sync_service.RetryPolicy(
        max_attempts=3, base_s=0.001, cap_s=0.001), **kw}))
    assert (summary.files_sent, summary.files_failed) == (1, 1)
    assert summary.acknowledged == 1  # the record travels; the photo it names follows later
    summary = sync_service.sync_now(b, connect=fast_connect())
    assert (summary.files_received, summary.files_waiting) == (1, 1)
    assert sync_service.sync_status(b)["incomplete"] == 1
    row = next(r for r in registrations.list_page(b, offset=0, limit=10) if r.record_id == record_id)
    assert row.files_missing == 1
    assert registrations.list_counts(b).incomplete == 1
    assert attachments.read_attachment(b, record_id=record_id, name="audit.csv") == b"event,node\n"
    assert attachments.read_attachment(b, record_id=record_id, name="photo.jpg") is None

    assert sync_service.sync_now(a, connect=fast_connect()).files_sent == 1
    assert sync_service.sync_now(b, connect=fast_connect()).files_received == 1
    assert attachments.read_attachment(b, record_id=record_id, name="photo.jpg") == late
    assert sync_service.sync_status(b)["incomplete"] == 0
    row = next(r for r in registrations.list_page(b, offset=0, limit=10) if r.record_id == record_id)
    assert row.files_missing == 0


def test_deleting_a_record_removes_its_files_on_the_server_and_every_device(enrolled, backend):
    a, b = enrolled("del-a", centre="Deletions"), enrolled("del-b", centre="Deletions")
    shared = synthetic_file(40_000, "shared")
    own = synthetic_file(1_500_000, "own")
    doomed = register(a, "Doomed Record", 60).id
    kept = register(a, "Kept Record", 61).id
    attachments.save_attachments(a, record_id=doomed, files=[("photo.jpg", "image/jpeg", shared),
                                                             ("scan.pdf", "application/pdf", own)])
    attachments.save_attachments(a, record_id=kept, files=[("photo.jpg", "image/jpeg", shared)])
    assert sync_service.sync_now(a, connect=fast_connect()).files_sent == 2  # the shared photo once
    summary = sync_service.sync_now(b, connect=fast_connect())
    assert summary.files_received == 2  # fetched once, given to both records
    assert attachments.read_attachment(b, record_id=kept, name="photo.jpg") == shared
    assert set(server_blobs(backend)) >= {blob_hash(shared), blob_hash(own)}
    assert sum(1 for sha, _data in server_chunks(backend) if sha == blob_hash(shared)) == 1  # deduplicated

    delete_registration(a, doomed)
    assert attachments.list_attachments(a, doomed) == []
    sync_service.sync_now(a, connect=fast_connect())
    held = server_blobs(backend)
    assert blob_hash(own) not in held  # no record names it any more
    assert blob_hash(shared) in held  # the kept record still does
    assert not any(sha == blob_hash(own) for sha, _data in server_chunks(backend))
    sync_service.sync_now(b, connect=fast_connect())
    assert attachments.list_attachments(b, doomed) == []
    assert attachments.read_attachment(b, record_id=kept, name="photo.jpg") == shared

    delete_registration(b, kept)
    sync_service.sync_now(b, connect=fast_connect())
    sync_service.sync_now(a, connect=fast_connect())
    assert blob_hash(shared) not in server_blobs(backend)
    assert attachments.list_attachments(a, kept) == []
    with a.session(readonly=True) as session:
        assert session.connection().exec_driver_sql("SELECT count(*) FROM attachment").scalar_one() == 0


def test_files_stay_inside_their_centre_and_must_match_their_hash(enrolled):
    agadez, gao = enrolled("centre-a"), enrolled("centre-b", centre="Gao")
    record_id = register(agadez, "Centre Bound", 35).id
    photo = synthetic_file(10_000, "centre")
    attachments.save_attachments(agadez, record_id=record_id, files=[("photo.jpg", "image/jpeg", photo)])
    sync_service.sync_now(agadez, connect=fast_connect())
    other = connection_of(gao)
    try:
        assert other.download_chunk(blob_hash(photo), 0) is None  # another centre's file: not found
        assert other.blob_status([blob_hash(photo)])[0].size is None
        forged = synthetic_file(5_000, "forged")
        with pytest.raises(errors.ServerRefused, match="do not match"):
            other.upload_chunk(BlobChunk.of(sha256=blob_hash(photo), size=len(forged), offset=0, raw=forged))
        assert other.blob_status([blob_hash(photo)])[0].size is None  # nothing kept of it
    finally:
        other.close()
    own = connection_of(agadez)
    try:
        chunk = own.download_chunk(blob_hash(photo), 4_000)  # any offset: a resumed download
        assert chunk is not None and chunk.raw() == photo[4_000:]
    finally:
        own.close()


def test_a_file_that_no_record_names_is_removed_a_day_later(enrolled, backend):
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from sync_server.tables import Blob
    from waypoint_core.protocol import chunks_of

    a = enrolled("orphan-a", centre="Orphans")
    stray = synthetic_file(3_000, "stray")  # sent, then its record was deleted before its op left the laptop
    connection = connection_of(a)
    try:
        assert connection.upload_chunk(chunks_of(stray)[0]).complete
    finally:
        connection.close()
    engine = create_engine(backend.admin_url)
    try:
        with engine.begin() as conn:
            conn.execute(update(Blob.__table__).where(Blob.__table__.c.sha256 == blob_hash(stray))
                         .values(created_at=datetime.now(UTC) - timedelta(hours=25)))
    finally:
        engine.dispose()
    record_id = register(a, "Named File", 44).id
    named = synthetic_file(5_000, "named")
    attachments.save_attachments(a, record_id=record_id, files=[("photo.jpg", "image/jpeg", named)])
    assert sync_service.sync_now(a, connect=fast_connect()).files_sent == 1  # a new blob begins: the sweep runs
    held = server_blobs(backend)
    assert blob_hash(stray) not in held and held[blob_hash(named)][2]


def test_a_file_replaced_under_its_name_replaces_it_everywhere(enrolled, backend):
    a, b = enrolled("replace-a", centre="Replacements"), enrolled("replace-b", centre="Replacements")
    first, second = synthetic_file(20_000, "first"), synthetic_file(30_000, "second")
    record_id = register(a, "Retaken Photo", 23).id
    attachments.save_attachments(a, record_id=record_id, files=[("photo.jpg", "image/jpeg", first)])
    sync_service.sync_now(a, connect=fast_connect())
    sync_service.sync_now(b, connect=fast_connect())
    assert attachments.read_attachment(b, record_id=record_id, name="photo.jpg") == first
    register(a, "Retaken Photo", 24, record_id=record_id)  # the photo taken again with the next save
    attachments.save_attachments(a, record_id=record_id, files=[("photo.jpg", "image/jpeg", second)])
    sync_service.sync_now(a, connect=fast_connect())
    held = server_blobs(backend)
    assert blob_hash(first) not in held and held[blob_hash(second)][2]
    assert sync_service.sync_now(b, connect=fast_connect()).files_received == 1
    assert attachments.read_attachment(b, record_id=record_id, name="photo.jpg") == second
    assert [f.size for f in attachments.list_attachments(b, record_id)] == [len(second)]
