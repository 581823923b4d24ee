"""A server restored from an older backup, through the real device client and the real server on loopback (SQLite
and PostgreSQL): every device notices it on its next contact, sends again what the server lost from what it holds,
pulls again what it lacks comparing content hashes; the devices converge to the union, nothing acknowledged is lost
and no change is skipped.

Each test runs its own server: `admin restore` replaces the whole database.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import pytest
from records import register
from server_harness import Backend, ServerProcess, fresh_postgres_database, postgres_available, server_cli
from sqlalchemy import create_engine
from sqlalchemy import text as sql_text
from tests.sync.support import fast_connect

from desktop_app.services import attachments
from desktop_app.services import batches as batch_service
from desktop_app.services import sync as sync_service
from desktop_app.sync import errors, store
from desktop_app.vault import audit as audit_log
from desktop_app.vault.registrations import count_unsynced, delete_registration
from desktop_app.vault.registrations import get_registration
from desktop_app.vault.sql import Db, join_sync, text
from waypoint_core.protocol import blob_hash


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def own_backend(request, tmp_path):
    if request.param == "postgres":
        reason = postgres_available()
        if reason:
            pytest.skip(reason)
        with fresh_postgres_database() as url:
            yield Backend("postgres", tmp_path / "server", url)
    else:
        yield Backend("sqlite", tmp_path / "server", None)


@pytest.fixture
def own_server(own_backend):
    server = ServerProcess(data_dir=own_backend.data_dir, database_url=own_backend.database_url).start()
    admin(own_backend, "centre", "add", "Dosso")
    yield server
    server.stop()


def admin(backend: Backend, *args: str) -> str:
    return server_cli(backend.data_dir, "admin", *args, database_url=backend.database_url).stdout


def enrol(make_vault, backend: Backend, server: ServerProcess, name: str):
    vault = make_vault(name)
    code = admin(backend, "enrol-code", "--centre", "Dosso").strip()
    sync_service.enrol(vault, server_url=server.url, code=code, device_name=name)
    return vault


def sync(vault) -> sync_service.SyncSummary:
    return sync_service.sync_now(vault, connect=fast_connect())


def photo(seed: str, size: int = 300_000) -> bytes:
    """Incompressible bytes of a photo, several chunks long."""
    out, block = bytearray(), hashlib.sha256(seed.encode()).digest()
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += hashlib.sha512(block).digest() * 16
    return bytes(out[:size])


def whole_blobs(backend: Backend) -> set[str]:
    """The files the server holds whole, read from its database."""
    engine = create_engine(backend.admin_url)
    try:
        with engine.connect() as conn:
            return {row.sha256 for row in conn.execute(sql_text("SELECT sha256, complete FROM blob")) if row.complete}
    finally:
        engine.dispose()


def holdings(vault) -> dict[str, tuple]:
    """Every registration this device holds: deleted or not, with its content and summary fields."""
    with vault.session(readonly=True) as session:
        rows = Db.of(session).execute(text("SELECT id, deleted, content, title, age FROM registration")).all()
    return {row.id: (bool(row.deleted), "" if row.deleted else row.content, row.title, row.age) for row in rows}


def test_devices_converge_to_the_union_after_a_restore(make_vault, own_backend, own_server, tmp_path):
    a, b, c = (enrol(make_vault, own_backend, own_server, name) for name in ("restore-a", "restore-b", "restore-c"))
    a1, a2, a3 = (register(a, f"Restore Alpha {n}", 20 + n).id for n in range(3))
    b1, b2 = (register(b, f"Restore Bravo {n}", 30 + n).id for n in range(2))
    for vault in (a, b, c, a, b):
        sync(vault)
    backup = tmp_path / "before.wpbackup"
    admin(own_backend, "backup", str(backup))

    # Acknowledged by the server after the backup: lost by the restore.
    a4 = register(a, "Restore Alpha 4", 44).id
    register(a, "Restore Alpha 0 edited", 21, record_id=a1)
    b3 = register(b, "Restore Bravo 3", 33).id
    delete_registration(b, b2)
    register(b, "Restore Alpha 1 edited by Bravo", 22, record_id=a2)
    for vault in (a, b, c, a):
        sync(vault)
    acknowledged = holdings(c)
    assert holdings(a) == holdings(b) == acknowledged and acknowledged[b2][0] and acknowledged[a1][2].endswith("edited")

    own_server.stop()
    restored = server_cli(own_backend.data_dir, "admin", "restore", str(backup), "--yes",
                          database_url=own_backend.database_url)
    assert "new epoch" in restored.stderr
    own_server.start()

    # Work goes on meanwhile: an edit on a, a new record on c.
    register(a, "Restore Alpha 2 edited after", 23, record_id=a3)
    c1 = register(c, "Restore Charlie 1", 51).id
    summaries = {}
    for name, vault in (("c", c), ("b", b), ("a", a), ("c", c), ("b", b), ("a", a)):
        summaries.setdefault(name, []).append(sync(vault))
    assert all(s[0].restores == 1 and s[1].restores == 0 for s in summaries.values())
    assert summaries["c"][0].requeued >= 5  # c held a4, a1's edit, b3, b2's deletion and a2's edit: all lost

    expected = {**acknowledged, a3: holdings(a)[a3], c1: holdings(c)[c1]}
    assert expected[a3][2] == "Restore Alpha 2 edited after" and expected[c1][2] == "Restore Charlie 1"
    for vault in (a, b, c):
        assert holdings(vault) == expected
        assert count_unsynced(vault) == 0 and store.status(vault)["rejected"] == 0
        assert not store.reconciling(vault)
        with vault.session(readonly=True) as session:  # every record shown as on the server, at its version there
            states = Db.of(session).execute(text("SELECT rs.sync_state, rs.server_version FROM registration" + join_sync())).all()
        # (a record whose latest version the server lost goes back on the newest version it still holds, found
        # among the hashes this laptop kept: it merges, no review opens)
        assert {state for state, _ in states} <= {"acknowledged"} and all(v for _, v in states)
    assert admin(own_backend, "conflicts", "--all").strip() == ""  # and none on the server either
    # The server holds the union: a laptop enrolled now receives exactly it (deleted records are not handed out).
    d = enrol(make_vault, own_backend, own_server, "restore-d")
    sync(d)
    assert holdings(d) == {k: v for k, v in expected.items() if not v[0]}
    assert {a4, b3} <= set(holdings(d)) and b2 not in holdings(d) and b1 in holdings(d)


def test_files_the_restored_server_lost_come_back_from_any_laptop_that_holds_them(
        make_vault, own_backend, own_server, tmp_path):
    """Found in review: files uploaded since the backup were never sent again (the laptop had the server's word that
    it held them); a third laptop waited for them for ever. After a restore every laptop asks the server about every
    file it holds and sends what it lacks before the records naming them: here only b, which fetched the files,
    comes back; the laptop that made them (a) comes back last. A record the restored server holds unchanged whose
    photo arrived only after the backup is healed too, and a laptop shows it incomplete until then."""
    a, b = enrol(make_vault, own_backend, own_server, "files-a"), enrol(make_vault, own_backend, own_server, "files-b")
    before, late, after = photo("before"), photo("late"), photo("after")
    r1 = register(a, "Files Before Backup", 30).id
    attachments.save_attachments(a, record_id=r1, files=[("before.jpg", "image/jpeg", before)])
    r2 = register(a, "Files Late Photo", 31).id
    attachments.save_attachments(a, record_id=r2, files=[("late.jpg", "image/jpeg", late)])

    class RefusingLate(sync_service.ServerConnection):  # r2 travels before the backup, its photo only after it
        def upload_chunk(self, chunk):
            if chunk.sha256 == blob_hash(late):
                raise errors.ServerRefused(413, "too_large", "refused by the test")
            return super().upload_chunk(chunk)

    first = sync_service.sync_now(a, connect=lambda url, **kw: RefusingLate(url, **{"retry": sync_service.RetryPolicy(
        max_attempts=2, base_s=0.001, cap_s=0.001), **kw}))
    assert (first.acknowledged, first.files_sent, first.files_failed) == (2, 1, 1)
    backup = tmp_path / "before.wpbackup"
    admin(own_backend, "backup", str(backup))
    assert sync(a).files_sent == 1  # the late photo: after the backup
    r3 = register(a, "Files After Backup", 32).id
    attachments.save_attachments(a, record_id=r3, files=[("after.jpg", "image/jpeg", after)])
    assert sync(a).files_sent == 1
    assert sync(b).files_received == 3
    assert whole_blobs(own_backend) == {blob_hash(before), blob_hash(late), blob_hash(after)}

    own_server.stop()
    server_cli(own_backend.data_dir, "admin", "restore", str(backup), "--yes", database_url=own_backend.database_url)
    own_server.start()
    assert whole_blobs(own_backend) == {blob_hash(before)}

    # A laptop enrolled now receives r2 as the restored server holds it (unchanged), naming a photo it lacks.
    c = enrol(make_vault, own_backend, own_server, "files-c")
    summary = sync(c)
    assert (summary.files_received, summary.files_waiting) == (1, 1)
    assert sync_service.sync_status(c)["incomplete"] == 1 and get_registration(c, r3) is None

    # b, which made none of them, gives back what it holds: r3's record, and both files the server lost.
    summary = sync(b)
    assert (summary.restores, summary.requeued, summary.files_failed) == (1, 1, 0)
    assert whole_blobs(own_backend) == {blob_hash(before), blob_hash(late), blob_hash(after)}

    summary = sync(c)
    assert (summary.files_received, summary.files_waiting) == (2, 0)
    assert attachments.read_attachment(c, record_id=r1, name="before.jpg") == before
    assert attachments.read_attachment(c, record_id=r2, name="late.jpg") == late
    assert attachments.read_attachment(c, record_id=r3, name="after.jpg") == after
    assert get_registration(c, r3) is not None and sync_service.sync_status(c)["incomplete"] == 0

    # a comes back last: it finds every file there (nothing sent twice, nothing refused), and nothing is left waiting.
    summary = sync(a)
    assert (summary.restores, summary.files_sent, summary.files_failed) == (1, 3, 0)
    for vault in (a, b, c):
        assert sync(vault).files_waiting == 0 and sync_service.sync_status(vault)["incomplete"] == 0
    assert holdings(a) == holdings(b) == holdings(c)


def test_a_reconciliation_cut_off_goes_on_at_the_next_run(make_vault, own_backend, own_server, tmp_path):
    """The run stops after the first reconcile answer (cancelled): the next run goes on from there, and nothing the
    first part stored is asked again or lost."""
    a, c = enrol(make_vault, own_backend, own_server, "cut-a"), enrol(make_vault, own_backend, own_server, "cut-c")
    sync(a)
    backup = tmp_path / "empty.wpbackup"
    admin(own_backend, "backup", str(backup))
    ids = [register(a, f"Cut Person {n}", 20 + n).id for n in range(12)]
    sync(a), sync(c)
    own_server.stop()
    server_cli(own_backend.data_dir, "admin", "restore", str(backup), "--yes", database_url=own_backend.database_url)
    own_server.start()

    calls = {"n": 0}
    connect = _reconciles_counted(calls)

    with store_limit(5):
        with pytest.raises(sync_service.errors.GaveUp):
            _run_cancelled_after_first_reconcile(c, connect, calls)
        assert store.reconciling(c) and calls["n"] == 1
        sync_service.sync_now(c, connect=connect)
    assert not store.reconciling(c) and calls["n"] == 3  # 12 records, 5 a request: 2 more after the first
    sync(a)
    assert holdings(a) == holdings(c) and set(ids) <= set(holdings(a))
    fresh = enrol(make_vault, own_backend, own_server, "cut-d")
    sync(fresh)
    assert holdings(fresh) == holdings(c)


class store_limit:
    """Reconcile requests of `n` records (the protocol allows up to 1000), so a small test needs several."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __enter__(self):
        self.saved = store.known_versions.__kwdefaults__["limit"]
        store.known_versions.__kwdefaults__["limit"] = self.n

    def __exit__(self, *exc):
        store.known_versions.__kwdefaults__["limit"] = self.saved


def _reconciles_counted(calls: dict[str, int]):
    """The real connection, each reconcile request counted in `calls["n"]`."""

    def connect(url, **kwargs):
        connection = fast_connect()(url, **kwargs)
        reconcile = connection.reconcile

        def counted(known):
            calls["n"] += 1
            return reconcile(known)

        connection.reconcile = counted
        return connection

    return connect


def _run_cancelled_after_first_reconcile(vault, connect, calls):
    from desktop_app.sync import engine

    steps = sync_service.sync_steps(connect=connect, cancelled=lambda: calls["n"] >= 1)
    return engine.run_inline(steps, vault=vault)



def _device_id(vault) -> str:
    return store.status(vault)["device_id"]


def test_laptops_enrolled_or_revoked_since_the_backup_stay_so(make_vault, own_backend, own_server, tmp_path):
    """Issue 8 review B and C: a laptop enrolled after the backup syncs on after the restore and its acknowledged
    record comes back to the server; a device revoked after it stays revoked. No operator step."""
    seized = enrol(make_vault, own_backend, own_server, "journal-seized")
    sync(seized)
    backup = tmp_path / "before.wpbackup"
    admin(own_backend, "backup", str(backup))
    late = enrol(make_vault, own_backend, own_server, "journal-late")
    kept = register(late, "Journal Late Person", 41).id
    sync(late)
    assert store.status(late)["unsynced"] == 0
    admin(own_backend, "revoke", _device_id(seized))
    own_server.stop()
    server_cli(own_backend.data_dir, "admin", "restore", str(backup), "--yes", database_url=own_backend.database_url)
    own_server.start()

    summary = sync(late)
    assert summary.restores == 1 and summary.pushed == 1  # its record, sent again
    assert store.status(late)["unsynced"] == 0 and not store.status(late)["unknown_to_server"]
    with pytest.raises(sync_service.errors.DeviceRevoked):
        sync(seized)
    # The operator's acceptance run: `sync --status` said `enrolled: true` and nothing more. It says what the last
    # contact learned, until the laptop enrols again.
    status = sync_service.sync_status(seized)
    assert status["enrolled"] and status["revoked"] and status["refused"] == "revoked" and status["refused_at"]
    assert not (status["cloned"] or status["key_changed"] or status["unknown_to_server"])
    other = enrol(make_vault, own_backend, own_server, "journal-other")
    sync(other)
    assert holdings(other)[kept] == holdings(late)[kept]


def test_a_laptop_the_server_does_not_know_counts_its_records_as_not_synced(make_vault, own_backend, own_server,
                                                                            tmp_path):
    """The journal lost with the host (not just the database): the server refuses the laptop as unknown. It says so
    in English and French, and its acknowledged records count as not synced until `enrol --again` sends them."""
    backup = tmp_path / "before.wpbackup"
    admin(own_backend, "backup", str(backup))
    late = enrol(make_vault, own_backend, own_server, "unknown-late")
    kept = register(late, "Unknown Late Person", 42).id
    sync(late)
    own_server.stop()
    (own_backend.data_dir / "devices.journal").unlink()
    server_cli(own_backend.data_dir, "admin", "restore", str(backup), "--yes", database_url=own_backend.database_url)
    own_server.start()

    for _ in range(2):  # every run says so; nothing is retried blindly
        with pytest.raises(sync_service.errors.DeviceUnknown) as refused:
            sync(late)
        assert "does not know this laptop" in str(refused.value) and "ne connaît pas" in refused.value.french
        assert not refused.value.transient
        status = store.status(late)
        assert status["unknown_to_server"] and status["unsynced"] == 1 and count_unsynced(late) == 1
        assert status["refused"] == "unknown" and not status["revoked"]

    code = admin(own_backend, "enrol-code", "--centre", "Dosso").strip()
    sync_service.enrol(late, server_url=own_server.url, code=code, device_name="unknown-late", again=True)
    assert store.status(late)["refused"] is None  # a new identity: nothing refused yet
    sync(late)
    assert store.status(late)["unsynced"] == 0 and count_unsynced(late) == 0
    other = enrol(make_vault, own_backend, own_server, "unknown-other")
    sync(other)
    assert holdings(other)[kept] == holdings(late)[kept]


def test_a_vault_copy_after_a_second_restore_stops_with_its_own_error_and_loses_nothing(
        make_vault, own_backend, own_server, tmp_path):
    """Found by an operator following the procedures by hand: a vault copied onto a second laptop (the copy renumbered
    and the original enrolled again as the docs say), then the server restored from a backup taken before the copy.
    The copy, still on the old device, was refused with `sequence_gap` for the same number about 150,000 times in ten
    minutes, posting the same batch without end. It now stops with its own sentence, keeps its changes, and once
    enrolled again with a new code everything it holds reaches the server."""
    import shutil

    from desktop_app.vault import Vault
    from tests.sync.support import PASSPHRASE

    original, other = enrol(make_vault, own_backend, own_server, "clone-a"), enrol(make_vault, own_backend,
                                                                                  own_server, "clone-other")
    register(original, "Copied Before", 30)
    assert sync(original).acknowledged == 1
    backup = tmp_path / "before-copy.wpbackup"
    admin(own_backend, "backup", str(backup))
    path = original.path
    original.close()
    shutil.copytree(path, tmp_path / "copy")
    original = Vault.unlock(path, username="admin", passphrase=PASSPHRASE)
    copy = Vault.unlock(tmp_path / "copy", username="admin", passphrase=PASSPHRASE)
    try:
        register(original, "Original After Copy", 31)
        assert sync(original).acknowledged == 1
        register(copy, "Copy After Copy", 60)
        assert sync(copy).renumbered == 1  # taken for a vault put back: numbered again, sent
        register(original, "Original Again", 32)
        with pytest.raises(errors.DeviceCloned):
            sync(original)
        code = admin(own_backend, "enrol-code", "--centre", "Dosso").strip()
        sync_service.enrol(original, server_url=own_server.url, code=code, device_name="clone-a-again", again=True)
        sync(original)
        assert count_unsynced(original) == 0

        register(copy, "Copy After Restore", 61)
        own_server.stop()
        server_cli(own_backend.data_dir, "admin", "restore", str(backup), "--yes",
                   database_url=own_backend.database_url)
        own_server.start()
        with pytest.raises(errors.SequenceUnfillable) as stopped:
            for _ in range(3):  # whatever reconciling takes first; never a run without end
                sync(copy)
        assert not stopped.value.transient and "enrol --again" in str(stopped.value)
        assert store.status(copy)["refused"] == "sequence_unfillable"
        assert "ne détient plus sous ces numéros" in stopped.value.french
        assert count_unsynced(copy) > 0  # kept, to be sent once enrolled again

        code = admin(own_backend, "enrol-code", "--centre", "Dosso").strip()
        sync_service.enrol(copy, server_url=own_server.url, code=code, device_name="copy-again", again=True)
        sync(copy)
        sync(original)
        assert count_unsynced(copy) == 0 and count_unsynced(original) == 0
        sync(other)
        titles = {row[2] for row in holdings(other).values()}
        assert {"Copied Before", "Original After Copy", "Copy After Copy", "Original Again",
                "Copy After Restore"} <= titles
    finally:
        copy.close()
        original.close()


def _restore(own_backend, own_server, backup) -> None:
    own_server.stop()
    server_cli(own_backend.data_dir, "admin", "restore", str(backup), "--yes", database_url=own_backend.database_url)
    own_server.start()


def test_the_run_summary_counts_what_the_restores_made_the_laptop_do(make_vault, own_backend, own_server, tmp_path):
    """Found by an operator's acceptance run: an op sent again after a restore was counted `pushed: 1,
    acknowledged: 0`, and after a second restore, whose reconciliation a first run did not finish, the run that
    finished it said `restores: 0`. Every count is now what happened: ops posted (`pushed`), acknowledged (the ones
    sent again included), sent again because the restored server lost them (`resent`), restores reconciled."""
    a = enrol(make_vault, own_backend, own_server, "counts-a")
    register(a, "Counts Before", 20)
    assert (sync(a).pushed, sync(a).pushed) == (1, 0)
    first_backup = tmp_path / "first.wpbackup"
    admin(own_backend, "backup", str(first_backup))
    register(a, "Counts Lost Once", 21)
    once = sync(a)
    assert (once.pushed, once.acknowledged, once.resent, once.restores) == (1, 1, 0, 0)

    _restore(own_backend, own_server, first_backup)
    register(a, "Counts New After The First Restore", 22)
    summary = sync(a)  # the lost op goes again (resent), the new one for the first time
    assert (summary.restores, summary.pushed, summary.acknowledged, summary.resent) == (1, 2, 2, 1)
    summary = sync(a)
    assert (summary.restores, summary.pushed, summary.acknowledged, summary.resent) == (0, 0, 0, 0)

    second_backup = tmp_path / "second.wpbackup"
    admin(own_backend, "backup", str(second_backup))
    register(a, "Counts Lost Twice", 23)
    assert sync(a).acknowledged == 1
    _restore(own_backend, own_server, second_backup)
    # The first run after the second restore is cut off inside the reconciliation: it records no summary.
    calls = {"n": 0}
    connect = _reconciles_counted(calls)

    with store_limit(1), pytest.raises(sync_service.errors.GaveUp):
        _run_cancelled_after_first_reconcile(a, connect, calls)
    assert store.reconciling(a)
    summary = sync(a)  # the run that reconciles says so
    assert (summary.restores, summary.pushed, summary.acknowledged, summary.resent) == (1, 1, 1, 1)
    assert store.status(a)["last_sync"]["restores"] == 1 and store.status(a)["last_sync"]["resent"] == 1
    summary = sync(a)
    assert (summary.restores, summary.pushed, summary.resent) == (0, 0, 0) and count_unsynced(a) == 0

    # Enrolled again with a new code, the laptop reconciles too, but that is no restore.
    code = admin(own_backend, "enrol-code", "--centre", "Dosso").strip()
    sync_service.enrol(a, server_url=own_server.url, code=code, device_name="counts-a-again", again=True)
    assert sync(a).restores == 0
    other = enrol(make_vault, own_backend, own_server, "counts-other")
    sync(other)
    assert {row[2] for row in holdings(other).values()} == {
        "Counts Before", "Counts Lost Once", "Counts New After The First Restore", "Counts Lost Twice"}


def test_enrolment_codes_made_or_revoked_since_the_backup_stay_so(make_vault, own_backend, own_server, tmp_path):
    """Found by an operator's acceptance run: a code made after the backup and not used yet was unknown after the
    restore (the device journal kept enrolments, not codes), and a code revoked since would have enrolled a device
    again. The journal now keeps codes made (their hash only, never the code) and revoked: after `admin restore`
    the open codes are those that were open, with their roles and who made them, and the restore says so."""
    from desktop_app.services import devices

    code = admin(own_backend, "enrol-code", "--centre", "Dosso", "--roles", "coordinator").strip()
    coordinator = make_vault("codes-coordinator")
    sync_service.enrol(coordinator, server_url=own_server.url, code=code, device_name="codes-coordinator")
    dosso = store.load_credentials(coordinator).centre_id
    connection, _ = devices.open_devices(coordinator, connect=fast_connect())
    try:
        old = devices.new_code(connection, dosso, ["field_staff"], 24, by="zara")  # made before the backup
        backup = tmp_path / "before-codes.wpbackup"
        admin(own_backend, "backup", str(backup))
        by_admin = admin(own_backend, "enrol-code", "--centre", "Dosso", "--roles", "field_staff").strip()
        by_laptop = devices.new_code(connection, dosso, ["case_worker"], 24, by="zara")
        withdrawn = devices.new_code(connection, dosso, ["field_staff"], 24, by="zara")
        devices.revoke_code(connection, withdrawn.info.code_id, by="zara")
        devices.revoke_code(connection, old.info.code_id, by="zara")
    finally:
        connection.close()
    journal = (own_backend.data_dir / "devices.journal").read_bytes()
    for made in (by_admin, by_laptop.code, withdrawn.code, old.code):
        assert made.encode() not in journal and made.replace("-", "").encode() not in journal  # secrets: hash only

    own_server.stop()
    restored = server_cli(own_backend.data_dir, "admin", "restore", str(backup), "--yes",
                          database_url=own_backend.database_url)
    own_server.start()
    assert json.loads(restored.stdout)["journal_replayed"] == {"code": 3, "code_revoked": 2}
    assert "enrolment codes made since the backup and kept from devices.journal: 3" in restored.stderr
    assert "admin enrol-codes" in restored.stderr

    listed = [json.loads(line) for line in admin(own_backend, "enrol-codes").splitlines()]
    assert {(c["code_id"], tuple(c["roles"]), c["created_by"].split(" (")[0]) for c in listed} == {
        (by_laptop.info.code_id, ("case_worker",), "zara")} | {
        (c["code_id"], ("field_staff",), "") for c in listed if c["code_id"] not in (
            by_laptop.info.code_id, withdrawn.info.code_id, old.info.code_id)}
    assert len(listed) == 2
    # The open ones enrol a laptop, with the roles they were made for; the revoked ones enrol nothing.
    for made, roles in ((by_admin, ["field_staff"]), (by_laptop.code, ["case_worker"])):
        laptop = make_vault(f"codes-{roles[0]}")
        sync_service.enrol(laptop, server_url=own_server.url, code=made, device_name=f"codes {roles[0]}")
        assert sync(laptop).restores == 0
        connection, _ = devices.open_devices(coordinator, connect=fast_connect())
        try:
            found = {d.device_id: d for d in devices.list_devices(connection)}
        finally:
            connection.close()
        assert found[store.load_credentials(laptop).device_id].roles == roles
    for made in (withdrawn.code, old.code):
        with pytest.raises(errors.ServerRefused, match="revoked"):
            sync_service.enrol(make_vault("codes-refused-" + made[:4]), server_url=own_server.url, code=made,
                               device_name="refused")


def _stops_the_server_at_pull(server: ServerProcess, n: int, pulls: dict[str, int]):
    """The real connection; the server is stopped just before the `n`th pull request of the run."""

    def connect(url, **kwargs):
        connection = fast_connect()(url, **kwargs)
        pull = connection.pull

        def pull_after_stopping(**asked):
            pulls["n"] += 1
            if pulls["n"] == n:
                server.stop()
            return pull(**asked)

        connection.pull = pull_after_stopping
        return connection

    return connect


def _sync_runs(vault) -> list:
    return [e for e in audit_log.entries(vault, limit=10_000) if e.event == "sync.run"]


def test_a_run_that_reconciles_a_restore_and_then_stops_records_what_it_did(make_vault, own_backend, own_server,
                                                                            tmp_path):
    """Issue 8 follow-up, an operator's finding: a run reconciled a restored server and sent again what it had lost,
    then lost the server before its pull. It recorded no summary: `sync --status` and the audit log never said the
    restore was reconciled, and the next run did not count it either. The run now records what it did, marked with
    its error's class (never its message), and raises the error as before; a run stopped at its first request
    records nothing."""
    from desktop_app.vault import Vault
    from tests.sync.support import PASSPHRASE

    a = enrol(make_vault, own_backend, own_server, "stopped-a")
    register(a, "Stopped Before", 20)
    sync(a)
    backup = tmp_path / "before.wpbackup"
    admin(own_backend, "backup", str(backup))
    register(a, "Stopped Lost", 21)
    assert sync(a).acknowledged == 1
    done = sync_service.sync_status(a)["last_sync"]
    assert "failed" not in done  # a run that ends well records what it always did
    _restore(own_backend, own_server, backup)
    register(a, "Stopped New", 22)
    runs = len(_sync_runs(a))

    # 1st pull: the restore noticed and reconciled, the lost op sent again with the new one; the server is gone at
    # the 2nd.
    pulls = {"n": 0}
    with pytest.raises(errors.GaveUp):
        sync_service.sync_now(a, connect=_stops_the_server_at_pull(own_server, 2, pulls))
    assert pulls["n"] > 2 and not store.reconciling(a)  # the 2nd pull, tried again until the run gave up
    last = sync_service.sync_status(a)["last_sync"]
    assert last["failed"] == "GaveUp" and set(last) == set(done) | {"failed"}
    assert (last["restores"], last["pushed"], last["acknowledged"], last["resent"]) == (1, 2, 2, 1)
    [entry, *_] = _sync_runs(a)
    assert len(_sync_runs(a)) == runs + 1 and entry.outcome == "failed"
    assert entry.detail == "pushed 2, pulled 0, conflicts 0, restores 1, stopped by GaveUp"

    # `waypoint sync --status` (no network) says it.
    path = a.path
    a.close()
    env = {**os.environ, "WAYPOINT_PASSPHRASE": PASSPHRASE}
    told = subprocess.run([sys.executable, "-m", "desktop_app.cli", "sync", "--vault", str(path), "--user", "admin",
                           "--status"], env=env, capture_output=True, text=True, timeout=300)
    assert told.returncode == 0, told.stderr
    status = json.loads(told.stdout)
    assert (status["last_sync"]["failed"], status["last_sync"]["restores"], status["last_sync"]["pushed"]) == (
        "GaveUp", 1, 2)
    assert status["last_sync_at"] and not status["reconciling"] and status["unsynced"] == 0

    a = Vault.unlock(path, username="admin", passphrase=PASSPHRASE)
    try:
        own_server.start()
        summary = sync(a)  # counted once, by the run that reconciled it; its entry goes to the server now
        assert (summary.restores, summary.pushed) == (0, 0) and "failed" not in store.status(a)["last_sync"]
        assert _sync_runs(a)[0].outcome == "done" and count_unsynced(a) == 0

        # Stopped at its first request, a run has done nothing: it records nothing, as always.
        register(a, "Stopped Waiting", 23)
        before = sync_service.sync_status(a)
        runs = len(_sync_runs(a))
        own_server.stop()
        with pytest.raises(errors.GaveUp):
            sync(a)
        after = sync_service.sync_status(a)
        assert (after["last_sync"], after["last_sync_at"]) == (before["last_sync"], before["last_sync_at"])
        assert len(_sync_runs(a)) == runs and after["unsynced"] == 1
        own_server.start()
        assert sync(a).acknowledged == 1 and "failed" not in store.status(a)["last_sync"]
        other = enrol(make_vault, own_backend, own_server, "stopped-other")
        sync(other)
        assert {row[2] for row in holdings(other).values()} == {
            "Stopped Before", "Stopped Lost", "Stopped New", "Stopped Waiting"}
    finally:
        a.close()


def test_a_failure_while_recording_a_stopped_run_leaves_the_runs_own_error(make_vault, own_backend, own_server,
                                                                          monkeypatch):
    """A run that sent a record and then lost the server records what it did; if that recording fails (a full disk),
    the caller still hears of the run's own error, with a note naming the other one's class."""
    from desktop_app.sync import audit_upload

    a = enrol(make_vault, own_backend, own_server, "unrecorded-a")
    register(a, "Unrecorded Person", 30)
    note_run = audit_upload.note_run

    def full_disk_for_a_stopped_run(vault, summary):
        if summary.get("failed"):
            raise OSError("No space left on device")
        return note_run(vault, summary)

    monkeypatch.setattr(audit_upload, "note_run", full_disk_for_a_stopped_run)
    with pytest.raises(errors.GaveUp) as stopped:  # pull, push, then the pull after the push finds the server gone
        sync_service.sync_now(a, connect=_stops_the_server_at_pull(own_server, 2, {"n": 0}))
    assert stopped.value.__notes__ == ["the run's summary could not be recorded (OSError)"]
    status = store.status(a)
    assert status["last_sync"] is None and status["unsynced"] == 0 and not _sync_runs(a)


def test_a_stick_only_laptop_after_a_restore_is_told_what_to_do_and_loses_nothing(make_vault, own_backend, own_server,
                                                                                   tmp_path):
    # A centre that sends by USB stick: a file imported after the database backup is lost by the restore, and the
    # laptop's next export carries only what it has not seen acknowledged. Its refusal used to say "import the older
    # batch first", while no older batch was missing; now it names the restore and both ways out.
    laptop = enrol(make_vault, own_backend, own_server, "stick-only")
    first = register(laptop, "Restore Stick 1", 31).id
    sync(laptop)  # enrolled and synced once at the office, then only sticks
    backup = tmp_path / "before.wpbackup"
    admin(own_backend, "backup", str(backup))
    second = register(laptop, "Restore Stick 2", 32).id
    earlier = batch_service.export(laptop, tmp_path / "stick1").files
    assert json.loads(admin(own_backend, "import-batch", *earlier, "--receipts", str(tmp_path / "back1")))["status"] \
        == "accepted"
    batch_service.import_files(laptop, [tmp_path / "back1"])
    assert count_unsynced(laptop) == 0  # acknowledged: then lost by the restore below

    own_server.stop()
    restored = server_cli(own_backend.data_dir, "admin", "restore", str(backup), "--yes",
                          database_url=own_backend.database_url)
    assert "Centres that send by USB stick do not: import again the batch files" in restored.stderr
    own_server.start()
    third = register(laptop, "Restore Stick 3", 33).id
    later = batch_service.export(laptop, tmp_path / "stick2").files
    refused = server_cli(own_backend.data_dir, "admin", "import-batch", *later, database_url=own_backend.database_url,
                         check=False)
    line = json.loads(refused.stdout)
    assert refused.returncode == 1 and line["status"] == "rejected" and line["reason"] == "reordered"
    assert line["cause"] == "restored"  # a courier says it in its own words (the next test)
    assert "this server was restored from a backup" in line["message"] and "lost its operations 2 to 2" in line["message"]
    assert "Import again the laptop's batch files" in line["message"] and "sync online once" in line["message"]
    # As it says: the earlier files again, then this one (given in any order: the command orders them).
    lines = admin(own_backend, "import-batch", *later, *earlier, "--receipts", str(tmp_path / "back2")).splitlines()
    assert [json.loads(line)["status"] for line in lines] == ["accepted", "accepted"]
    batch_service.import_files(laptop, [tmp_path / "back2"])
    assert count_unsynced(laptop) == 0
    newcomer = enrol(make_vault, own_backend, own_server, "after-restore")
    sync(newcomer)
    assert {first, second, third} <= set(holdings(newcomer))  # nothing acknowledged was lost


@pytest.mark.gui
def test_a_courier_forwarding_after_a_restore_says_so_and_keeps_the_file(make_vault, own_backend, own_server,
                                                                         tmp_path, qapp):
    """The coordinator's "USB batch files" dialog after a restore said the generic words of a file that came early
    ("An older batch from this laptop has not arrived yet. The file waits and goes after it."), while no older file
    was on its way: the one the restore lost had been taken and forwarded by this very machine, which would not take
    it again. The server names the cause; the courier keeps the file waiting and shows what happened and what to do,
    in English and French; done as it says, the file goes in at the next forward."""
    from desktop_app.ui.app import RESOURCES
    from desktop_app.ui.i18n import Translations
    from desktop_app.ui.sync_batches import DETAIL, BatchFilesModel

    laptop = enrol(make_vault, own_backend, own_server, "courier-field")
    office = enrol(make_vault, own_backend, own_server, "courier-office")
    register(laptop, "Courier Restore 1", 31)
    sync(laptop)  # enrolled and synced once at the office, then only sticks
    backup = tmp_path / "before.wpbackup"
    admin(own_backend, "backup", str(backup))
    register(laptop, "Courier Restore 2", 32)
    earlier = batch_service.export(laptop, tmp_path / "stick1").files
    batch_service.import_files(office, [tmp_path / "stick1"])
    assert [f["status"] for f in batch_service.forward(office, receipts_dir=tmp_path / "back1",
                                                        connect=fast_connect())["files"]] == ["accepted"]
    batch_service.import_files(laptop, [tmp_path / "back1"])
    assert count_unsynced(laptop) == 0  # acknowledged: then lost by the restore below
    _restore(own_backend, own_server, backup)

    register(laptop, "Courier Restore 3", 33)
    batch_service.export(laptop, tmp_path / "stick2")
    batch_service.import_files(office, [tmp_path / "stick2"])
    forwarded = batch_service.forward(office, receipts_dir=tmp_path / "back2", connect=fast_connect())["files"]
    assert [(f["status"], f["reason"]) for f in forwarded] == [("rejected", "restored")]
    later = [row for row in batch_service.inbox(office) if row["status"] != "accepted"]
    assert [(row["status"], row["reason"]) for row in later] == [("waiting", "restored")]  # kept, not dropped
    # this machine will not take the lost file again: it has it as taken (hence the words below)
    assert [r["status"] for r in batch_service.import_files(office, [tmp_path / "stick1"])] == ["here_already"]

    translations = Translations(app=qapp, i18n_dir=RESOURCES / "i18n")
    try:
        model = BatchFilesModel()
        model.set_rows(forwarded + later)
        for language, start, what_to_do in (
                ("en", "The server was restored from a backup and lost earlier changes from the laptop",
                 "Have that laptop sync online once, or give its earlier batch files"),
                ("fr", "Le serveur a été restauré depuis une sauvegarde et a perdu des modifications",
                 "Faites synchroniser cet ordinateur une fois en ligne")):
            translations.switch(language)
            for row in range(model.rowCount()):
                said = model.index(row, DETAIL).data()
                assert said.startswith(start) and what_to_do in said, said
                assert "has not arrived yet" not in said and "pas encore arrivé" not in said  # the generic words
    finally:
        translations.switch("en")
        translations.uninstall()

    # As it says: the administrator imports the earlier file again; the waiting one goes at the next forward.
    assert json.loads(admin(own_backend, "import-batch", *earlier))["status"] == "accepted"
    again = batch_service.forward(office, receipts_dir=tmp_path / "back3", connect=fast_connect())["files"]
    assert [f["status"] for f in again] == ["accepted"]
    batch_service.import_files(laptop, [tmp_path / "back3"])
    assert count_unsynced(laptop) == 0
