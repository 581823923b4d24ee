"""A record's files belong to the record's centre (sync_server/blobs.py), through the REAL server on loopback
(SQLite, and PostgreSQL when it answers) and the real device client: a coordinator's laptop, of another centre of
the region, receives the files of the region's records and adds files that reach the record's own centre; a device
outside the record's scope cannot read them, even knowing their hash; deleting the record removes them."""

from __future__ import annotations

import json

from sqlalchemy import create_engine, text
from tests.sync.support import enrol_at, fast_connect
from tests.sync.test_sync_attachments import connection_of, synthetic_file

from desktop_app.services import attachments
from desktop_app.services import sync as sync_service
from desktop_app.sync import errors
from desktop_app.sync.transport import ServerConnection
from desktop_app.vault.registrations import delete_registration, save_registration
from records import FORM_ID, FORM_VERSION, instance, register
from waypoint_core.protocol import FILES_FIELD, FileRef, blob_hash, manifest_text


def _held(backend) -> dict[str, set[str]]:
    """sha256 -> the centres under which the server holds it whole."""
    engine = create_engine(backend.admin_url)
    try:
        with engine.connect() as conn:
            found: dict[str, set[str]] = {}
            for row in conn.execute(text("SELECT centre_id, sha256 FROM blob WHERE complete = :t"), {"t": True}):
                found.setdefault(row.sha256, set()).add(row.centre_id)
            return found
    finally:
        engine.dispose()


def _naming(backend, sha256: str) -> set[str]:
    """The centres whose records name this file (record_file)."""
    engine = create_engine(backend.admin_url)
    try:
        with engine.connect() as conn:
            return set(conn.execute(text("SELECT centre_id FROM record_file WHERE sha256 = :s"),
                                    {"s": sha256}).scalars())
    finally:
        engine.dispose()


def _centre_id(backend, name: str) -> str:
    engine = create_engine(backend.admin_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT id FROM centre WHERE name = :n"), {"n": name}).scalar_one()
    finally:
        engine.dispose()


def _sync(vault):
    return sync_service.sync_now(vault, connect=fast_connect())


def test_a_coordinator_receives_and_adds_the_files_of_another_centre_of_its_region(
        make_vault, server, server_admin, backend):
    field = enrol_at(make_vault, server, server_admin, "files-north", "Files North", "field_staff")
    coordinator = enrol_at(make_vault, server, server_admin, "files-coord", "Files South", "coordinator")
    for centre in ("Files North", "Files South"):
        assert json.loads(server_admin.run("centre", "region", centre, "Files Region"))["region"] == "Files Region"
    photo, added = synthetic_file(1_300_000, "north photo"), synthetic_file(60_000, "coordinator photo")
    record_id = register(field, "Synthetic Filed North", 31).id
    attachments.save_attachments(field, record_id=record_id, files=[("photo.jpg", "image/jpeg", photo)])
    assert _sync(field).files_sent == 1

    summary = _sync(coordinator)
    assert summary.files_received == 1 and summary.files_waiting == 0
    assert attachments.read_attachment(coordinator, record_id=record_id, name="photo.jpg") == photo
    assert sync_service.sync_status(coordinator)["incomplete"] == 0

    # The coordinator adds a photo to the record of North: it is North's file, and the field laptop receives it.
    register(coordinator, "Synthetic Filed North", 32, record_id=record_id)  # the photo taken with the next save
    attachments.save_attachments(coordinator, record_id=record_id, files=[("added.jpg", "image/jpeg", added)])
    summary = _sync(coordinator)
    # Both files of the record with an op asked about: North holds the first whole, it is not sent again.
    assert summary.files_sent == 2 and summary.rejected == 0 and summary.acknowledged == 1
    north, south = _centre_id(backend, "Files North"), _centre_id(backend, "Files South")
    held = _held(backend)
    assert held[blob_hash(photo)] == {north}
    assert held[blob_hash(added)] == {north, south}  # South's upload, swept a day later once no record names it
    summary = _sync(field)
    assert summary.files_received == 1 and summary.files_waiting == 0
    assert attachments.read_attachment(field, record_id=record_id, name="added.jpg") == added
    assert attachments.read_attachment(field, record_id=record_id, name="photo.jpg") == photo
    assert sync_service.sync_status(field)["incomplete"] == 0

    # The coordinator deletes the record: its files leave North on the server and both laptops.
    delete_registration(coordinator, record_id)
    _sync(coordinator)
    held = _held(backend)
    assert north not in held.get(blob_hash(photo), set()) and north not in held.get(blob_hash(added), set())
    _sync(field)
    assert attachments.list_attachments(field, record_id) == []
    assert attachments.list_attachments(coordinator, record_id) == []


def test_a_device_outside_the_records_scope_cannot_read_its_files_even_knowing_their_hash(
        make_vault, server, server_admin):
    field = enrol_at(make_vault, server, server_admin, "scope-east", "Scope East", "field_staff")
    neighbour = enrol_at(make_vault, server, server_admin, "scope-west", "Scope West", "field_staff")
    outsider = enrol_at(make_vault, server, server_admin, "scope-far", "Scope Far", "coordinator")
    for centre in ("Scope East", "Scope West"):
        server_admin.run("centre", "region", centre, "Scope Region")
    server_admin.run("centre", "region", "Scope Far", "Far Region")
    photo = synthetic_file(20_000, "east photo")
    record_id = register(field, "Synthetic Scoped East", 29).id
    attachments.save_attachments(field, record_id=record_id, files=[("photo.jpg", "image/jpeg", photo)])
    assert _sync(field).files_sent == 1
    # A field laptop of another centre of the region (its own centre's scope) and a coordinator of another region.
    for vault in (neighbour, outsider):
        _sync(vault)
        connection = connection_of(vault)
        try:
            assert connection.download_chunk(blob_hash(photo), 0) is None
            assert connection.download_chunk(blob_hash(photo), 4_000) is None
            status = connection.blob_status([blob_hash(photo)])[0]
            assert status.size is None and not status.complete
        finally:
            connection.close()
    own = connection_of(field)
    try:
        chunk = own.download_chunk(blob_hash(photo), 0)
        assert chunk is not None and chunk.raw() == photo
    finally:
        own.close()


def test_a_coordinators_file_sent_by_a_later_run_reaches_the_records_centre(make_vault, server, server_admin,
                                                                            backend):
    field = enrol_at(make_vault, server, server_admin, "late-north", "Late North", "field_staff")
    coordinator = enrol_at(make_vault, server, server_admin, "late-coord", "Late South", "coordinator")
    for centre in ("Late North", "Late South"):
        server_admin.run("centre", "region", centre, "Late Region")
    record_id = register(field, "Synthetic Late North", 40).id
    _sync(field)
    _sync(coordinator)
    late = synthetic_file(90_000, "late coordinator photo")
    register(coordinator, "Synthetic Late North", 41, record_id=record_id)
    attachments.save_attachments(coordinator, record_id=record_id, files=[("late.jpg", "image/jpeg", late)])

    class Refusing(ServerConnection):  # the server refuses the photo, for now: the record travels without it
        def upload_chunk(self, chunk):
            if chunk.sha256 == blob_hash(late):
                raise errors.ServerRefused(413, "too_large", "refused by the test")
            return super().upload_chunk(chunk)

    summary = sync_service.sync_now(coordinator, connect=lambda url, **kw: Refusing(url, **{
        "retry": sync_service.RetryPolicy(max_attempts=3, base_s=0.001, cap_s=0.001), **kw}))
    assert (summary.files_failed, summary.acknowledged) == (1, 1)
    summary = _sync(field)
    assert summary.files_waiting == 1 and sync_service.sync_status(field)["incomplete"] == 1
    # The next run sends it into South (the upload names no record); complete, it goes to North, whose record names it.
    assert _sync(coordinator).files_sent == 1
    assert _centre_id(backend, "Late North") in _held(backend)[blob_hash(late)]
    assert _sync(field).files_received == 1
    assert attachments.read_attachment(field, record_id=record_id, name="late.jpg") == late
    assert sync_service.sync_status(field)["incomplete"] == 0


def test_naming_another_centres_file_in_a_record_does_not_open_it(make_vault, server, server_admin, backend):
    """A rogue laptop that learnt a file's hash names it in a record of its own centre: the server gives it neither
    the bytes nor a copy for its record, which stays incomplete."""
    owner = enrol_at(make_vault, server, server_admin, "named-owner", "Named Owner", "field_staff")
    rogue = enrol_at(make_vault, server, server_admin, "named-rogue", "Named Rogue", "field_staff")
    secret = synthetic_file(30_000, "secret scan")
    record_id = register(owner, "Synthetic Named Owner", 27).id
    attachments.save_attachments(owner, record_id=record_id, files=[("scan.pdf", "application/pdf", secret)])
    assert _sync(owner).files_sent == 1
    own_id = register(rogue, "Synthetic Named Rogue", 28).id
    manifest = manifest_text([FileRef(name="scan.pdf", mime="application/pdf", sha256=blob_hash(secret),
                                      size=len(secret))])
    save_registration(rogue, record_id=own_id, form_id=FORM_ID, form_version=FORM_VERSION, status="finalized",
                      content=instance("Synthetic Named Rogue", 29), fields={"title": "x", FILES_FIELD: manifest})
    _sync(rogue)
    assert _naming(backend, blob_hash(secret)) == {_centre_id(backend, "Named Owner"), _centre_id(backend, "Named Rogue")}
    assert _held(backend)[blob_hash(secret)] == {_centre_id(backend, "Named Owner")}  # no copy for the rogue
    connection = connection_of(rogue)
    try:
        assert connection.download_chunk(blob_hash(secret), 0) is None
        assert connection.blob_status([blob_hash(secret)])[0].size is None
    finally:
        connection.close()
