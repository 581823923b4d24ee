"""Schema migrations: a real old vault file upgrades (backup first), a failed migration leaves the
vault as it was, and a vault from a newer Waypoint is refused untouched."""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from pathlib import Path

import pytest

from desktop_app.vault import Vault, database, errors
from desktop_app.vault.registrations import count_registrations, page_registrations

FIXTURE = Path(__file__).parent / "fixtures" / "vault-v1"
FIXTURE_ADMIN, FIXTURE_PASSPHRASE = "admin-v1", "fixture passphrase v1"


@pytest.fixture
def old_vault(tmp_path):
    target = tmp_path / "vault-v1"
    shutil.copytree(FIXTURE, target)
    return target


@pytest.fixture
def migrations_dir(tmp_path, monkeypatch):
    """The shipped migrations plus the ones a test adds after them."""
    folder = tmp_path / "migrations"
    folder.mkdir()
    for _, path in database.available_migrations():
        shutil.copy(path, folder / path.name)
    monkeypatch.setattr(database, "MIGRATIONS_DIR", folder)
    return folder


def _fingerprint(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "lockout.json"}


def test_the_schema_1_vault_from_the_repository_opens_at_the_latest_schema(old_vault):
    with Vault.unlock(old_vault, username=FIXTURE_ADMIN, passphrase=FIXTURE_PASSPHRASE) as vault:
        report = vault.verify()
        assert report.ok, report.problems
        assert report.schema_version == database.latest_version()
        assert count_registrations(vault) == 29
        assert count_registrations(vault, include_deleted=True) == 30
        assert page_registrations(vault, offset=0, limit=1)[0].title == "Synthetic 28"
    # The backup taken before migrating is erased once the migrated vault verifies: it held what was deleted.
    assert list((old_vault / "backups").glob("*.bak")) == []


def test_upgrade_backs_up_first_then_applies_each_migration_then_erases_the_backup(old_vault, migrations_dir,
                                                                                   tmp_path):
    n = database.latest_version()
    seen = tmp_path / "backup-as-seen-during-migration.bak"
    (migrations_dir / f"{n + 1:04d}_registration_note.sql").write_text(
        "ALTER TABLE registration ADD COLUMN note TEXT;\nCREATE INDEX ix_registration_note ON registration (note);\n"
    )
    (migrations_dir / f"{n + 2:04d}_fill_note.py").write_text(
        "import shutil\nfrom pathlib import Path\n\n"
        "def upgrade(connection):\n"
        f"    if not Path({str(seen)!r}).exists():  # the real run (verify replays migrations in memory)\n"
        f"        backups = sorted(Path({str(old_vault / 'backups')!r}).glob('*.bak'))\n"
        "        assert [b.name.split('.')[2] for b in backups] == ['v1']  # one backup, of the file as it was\n"
        f"        shutil.copy(backups[0], {str(seen)!r})\n"
        "    connection.execute(\"UPDATE registration SET note = 'from ' || form_version\")\n"
    )
    with Vault.unlock(old_vault, username=FIXTURE_ADMIN, passphrase=FIXTURE_PASSPHRASE) as vault:
        report = vault.verify()
        assert report.ok, report.problems
        assert report.schema_version == n + 2
        with vault.session(readonly=True) as session:
            notes = {row[0] for row in session.connection().exec_driver_sql("SELECT note FROM registration")}
        assert notes == {"from 1"}
        dek = vault._dek
    assert list((old_vault / "backups").glob("*.bak")) == []  # the migrated vault verified: the backup went
    # While it existed it was the file as it was: still encrypted, same key; the fixture predates 8 KiB pages.
    conn = database.connect_raw(seen, dek, page_size=database.LEGACY_PAGE_SIZE, isolation_level=None)
    try:
        assert database.schema_version(conn) == 1
        assert conn.execute("SELECT count(*) FROM registration").fetchone()[0] == 30
    finally:
        conn.close()
    assert seen.read_bytes()[:16] != b"SQLite format 3\x00"


def test_failed_migration_leaves_the_schema_and_data_as_they_were(old_vault, migrations_dir):
    n = database.latest_version()
    (migrations_dir / f"{n + 1:04d}_broken.sql").write_text(
        "ALTER TABLE registration ADD COLUMN half_done TEXT;\nTHIS IS NOT SQL;\n"
    )
    umask = os.umask(0o022)
    try:
        with pytest.raises(errors.MigrationFailed, match="backup in "):
            Vault.unlock(old_vault, username=FIXTURE_ADMIN, passphrase=FIXTURE_PASSPHRASE)
    finally:
        os.umask(umask)
    [kept] = (old_vault / "backups").glob("waypoint.db.v1.*.bak")  # kept: something went wrong
    assert kept.stat().st_mode & 0o777 == 0o600  # a copy of the database: its owner's, as waypoint.db is
    (migrations_dir / f"{n + 1:04d}_broken.sql").unlink()
    with Vault.unlock(old_vault, username=FIXTURE_ADMIN, passphrase=FIXTURE_PASSPHRASE) as vault:
        report = vault.verify()
        assert report.ok and report.schema_version == n  # the shipped migrations did apply
        assert count_registrations(vault, include_deleted=True) == 30


def test_vault_from_a_newer_waypoint_is_refused_and_left_alone(new_vault, vault_dir):
    dek = new_vault._dek
    new_vault.close()
    conn = database.connect_raw(vault_dir / "waypoint.db", dek, page_size=database.NEW_VAULT_PAGE_SIZE,
                                isolation_level=None)
    conn.execute(f"PRAGMA user_version = {database.latest_version() + 1}")
    conn.close()
    before = _fingerprint(vault_dir)
    with pytest.raises(errors.SchemaTooNew):
        Vault.unlock(vault_dir, username="amina", passphrase="correct horse battery staple")
    assert _fingerprint(vault_dir) == before
    assert not (vault_dir / "backups").exists()


def test_migration_numbers_must_not_have_gaps(migrations_dir):
    (migrations_dir / "0099_far_future.sql").write_text("SELECT 1;")
    with pytest.raises(RuntimeError):
        database.available_migrations()


def _vault_of_schema(schema: int, migrations_dir: Path, tmp_path: Path) -> tuple[Vault, Path, Path]:
    """A new vault made with the migrations up to `schema`; the later ones wait in the folder returned, to be put
    back (`_put_back`) before the vault is opened again. What the vault holds is written with SQL of that schema:
    today's writer writes today's tables."""
    later = tmp_path / f"migrations-after-{schema}"
    later.mkdir()
    for path in migrations_dir.iterdir():
        if path.name[:4].isdigit() and int(path.name[:4]) > schema:
            shutil.move(path, later / path.name)
    folder = tmp_path / f"vault-v{schema}"
    vault, _recovery = Vault.create(folder, admin_username="admin", admin_passphrase=f"a passphrase for {schema} here",
                                    kdf_profile="test")
    return vault, folder, later


def _put_back(later: Path, migrations_dir: Path) -> None:
    for path in later.iterdir():
        shutil.move(path, migrations_dir / path.name)


_OLD_INSERT = ("INSERT INTO registration (id, form_id, form_version, status, content, created_at, created_by, "
               "updated_at, updated_by, version, server_version, sync_state, deleted, title, acked_at) "
               "VALUES (?, 'f', '1', ?, ?, 't0', 'admin', 't1', ?, ?, ?, ?, ?, ?, ?)")


def test_0012_hashes_existing_files_names_them_in_the_record_and_queues_it(migrations_dir, tmp_path):
    from desktop_app.vault.registrations import get_registration_fields

    vault, folder, later = _vault_of_schema(11, migrations_dir, tmp_path)
    record_id = str(uuid.uuid4())
    with vault.session() as session:  # as a vault of schema 11 holds it: acknowledged, with a file
        conn = session.connection()
        conn.exec_driver_sql(_OLD_INSERT, (record_id, "finalized", "<data/>", "admin", 1, 1, "acknowledged", 0,
                                           "Synthetic Person", "t1"))
        conn.exec_driver_sql("INSERT INTO attachment (id, record_id, name, mime, data) VALUES "
                             "('a1', ?, 'photo.jpg', 'image/jpeg', ?)", (record_id, b"synthetic photo"))
    vault.close()
    _put_back(later, migrations_dir)
    with Vault.unlock(folder, username="admin", passphrase="a passphrase for 11 here") as vault:
        assert vault.verify().ok
        with vault.session(readonly=True) as session:
            conn = session.connection()
            assert conn.exec_driver_sql("SELECT sha256, size, data FROM attachment").one() == (
                hashlib.sha256(b"synthetic photo").hexdigest(), 15, b"synthetic photo")
            assert conn.exec_driver_sql("SELECT op, record_id FROM outbox WHERE acked_at IS NULL").all() == [
                ("upsert", record_id)]
        assert '"name":"photo.jpg"' in get_registration_fields(vault, record_id)["@files"]


def test_0022_stores_a_merge_base_equal_to_its_record_as_the_record_itself(migrations_dir, tmp_path):
    import json

    from desktop_app.vault.sql import Db
    from desktop_app.vault.writer import AS_RECORD, base_state, record_states

    vault, folder, later = _vault_of_schema(21, migrations_dir, tmp_path)
    passphrase = "a passphrase for 21 here"
    ids = [str(uuid.uuid4()) for _ in range(4)]
    with vault.session() as session:  # as schema 21 holds them: every base whole
        for n, record_id in enumerate(ids):
            session.connection().exec_driver_sql(_OLD_INSERT, (record_id, "finalized", f"<data>{n}</data>", "admin",
                                                               1, 1, "acknowledged", 0, f"Synthetic {n}", "t1"))
        db = Db.of(session)
        states = record_states(db, ids)
        older = {**states[ids[1]], "content": "<data>older</data>"}
        bases = [(ids[0], states[ids[0]], 0), (ids[1], older, 0), (ids[2], states[ids[2]], 2), (ids[3], None, 0)]
        db.execute("INSERT INTO sync_record (record_id, server_version, base, hlc, stale) VALUES (:r, 1, :b, 0, :s)",
                   [{"r": r, "b": json.dumps(b, sort_keys=True), "s": s} for r, b, s in bases])
    vault.close()
    _put_back(later, migrations_dir)
    with Vault.unlock(folder, username="admin", passphrase=passphrase) as vault:
        with vault.session(readonly=True) as session:
            db = Db.of(session)
            stored = dict(db.execute("SELECT record_id, base FROM sync_record").all())
            assert stored[ids[0]] == AS_RECORD  # equal to its record: the record itself
            assert base_state(db, ids[0], stored[ids[0]]) == states[ids[0]]
            assert json.loads(stored[ids[1]]) == older  # an older version stays whole
            assert json.loads(stored[ids[2]]) == states[ids[2]]  # a server state held to show later (stale 2) too
            assert stored[ids[3]] == "null"  # no known base (after a server restore) stays so


def test_0023_moves_the_sync_columns_into_their_own_narrow_table_losing_nothing(migrations_dir, tmp_path):
    from desktop_app.vault.registrations import get_registration, page_registrations
    from desktop_app.vault.writer import write

    vault, folder, later = _vault_of_schema(22, migrations_dir, tmp_path)
    acked, draft, tombstone = (str(uuid.uuid4()) for _ in range(3))
    with vault.session() as session:  # as a vault of schema 22 holds them, the sync columns in the registration row
        conn = session.connection()
        conn.exec_driver_sql(_OLD_INSERT, (acked, "finalized", "<data>acked</data>", "(sync)", 2, 3, "acknowledged",
                                           0, "Synthetic Acked", "t2"))
        conn.exec_driver_sql(_OLD_INSERT, (draft, "draft", "<data>draft</data>", "admin", 1, None, "local", 0,
                                           "Synthetic Draft", None))
        conn.exec_driver_sql(_OLD_INSERT, (tombstone, "finalized", "", "admin", 4, 2, "queued", 1, None, None))
        conn.exec_driver_sql("INSERT INTO outbox (op_id, record_id, op, record_version, base_version, payload, "
                             "created_at) VALUES ('op-1', ?, 'delete', 4, 2, '', 't1')", (tombstone,))
    vault.close()
    _put_back(later, migrations_dir)
    with Vault.unlock(folder, username="admin", passphrase="a passphrase for 22 here") as vault:
        report = vault.verify()
        assert report.ok, report.problems
        assert report.schema_version == database.latest_version() and report.records == 3
        with vault.session(readonly=True) as session:
            conn = session.connection()
            assert sorted(conn.exec_driver_sql("SELECT * FROM registration_sync").all()) == sorted([
                (acked, 3, "acknowledged", "t2"), (draft, None, "local", None), (tombstone, 2, "queued", None)])
            columns = {row[1] for row in conn.exec_driver_sql("PRAGMA table_info(registration)").all()}
        assert columns.isdisjoint({"server_version", "sync_state", "acked_at"}) and "content" in columns
        # the reads give what the row gave, the content and summary untouched
        kept = get_registration(vault, acked)
        assert kept is not None
        assert (kept.server_version, kept.sync_state, kept.acked_at, kept.content, kept.title, kept.version) == (
            3, "acknowledged", "t2", "<data>acked</data>", "Synthetic Acked", 2)
        assert {(row.id, row.sync_state) for row in page_registrations(vault, offset=0, limit=10)} == {
            (acked, "acknowledged"), (draft, "local")}
        # and the writer writes the narrow row: an acknowledgement, a record deleted before it ever travelled
        with write(vault) as w:
            w.set_server_states([{"r": tombstone, "v": 5, "s": "acknowledged"}])
            w.delete(draft)
        gone = get_registration(vault, tombstone)
        assert gone is not None and (gone.server_version, gone.sync_state, gone.deleted) == (5, "acknowledged", True)
        assert get_registration(vault, draft) is None
        with vault.session(readonly=True) as session:
            assert session.connection().exec_driver_sql(
                "SELECT count(*) FROM registration_sync WHERE record_id = ?", (draft,)).scalar_one() == 0
        assert vault.verify().ok


def test_0027_gives_the_records_this_laptop_made_naming_no_centre_the_laptops_centre(migrations_dir, tmp_path):
    """Made here (never travelled, or its first op had no base version): the laptop's place; pulled from the server
    (its centre comes with its next version), deleted or naming a centre: as they were."""
    vault, folder, later = _vault_of_schema(26, migrations_dir, tmp_path)
    draft, sent, pulled, edited, named, deleted = (str(uuid.uuid4()) for _ in range(6))
    insert = ("INSERT INTO registration (id, form_id, form_version, status, content, created_at, created_by, "
              "updated_at, updated_by, version, deleted, title, centre) VALUES (?, 'f', '1', 'finalized', '<data/>', "
              "'t0', 'admin', 't1', 'admin', 1, ?, 'Synthetic', ?)")
    outbox = ("INSERT INTO outbox (op_id, record_id, op, record_version, base_version, payload, created_at, acked_at) "
              "VALUES (?, ?, 'upsert', 1, ?, '', 't1', 't2')")
    with vault.session() as session:  # as a vault of schema 26 holds them
        conn = session.connection()
        conn.exec_driver_sql("INSERT INTO meta (key, value) VALUES ('place.centre', 'ne_agadez')")
        conn.exec_driver_sql("INSERT INTO sync_state (key, value) VALUES ('cursor', '0123456789abcdef.42')")
        for record_id, is_deleted, centre, server_version in ((draft, 0, None, None), (sent, 0, None, 1),
                                                              (pulled, 0, None, 1), (edited, 0, None, 2),
                                                              (named, 0, "ne_niamey", None), (deleted, 1, None, None)):
            conn.exec_driver_sql(insert, (record_id, is_deleted, centre))
            conn.exec_driver_sql("INSERT INTO registration_sync (record_id, server_version, sync_state) "
                                 "VALUES (?, ?, 'acknowledged')", (record_id, server_version))
            if server_version is not None:
                conn.exec_driver_sql("INSERT INTO sync_record (record_id, server_version, base) VALUES (?, ?, 'null')",
                                     (record_id, server_version))
        conn.exec_driver_sql(outbox, ("op-sent", sent, None))  # made here: its first op had no base
        conn.exec_driver_sql(outbox, ("op-edited", edited, 1))  # pulled, then edited here
        conn.exec_driver_sql("INSERT INTO indicator_fact (record_id, form_id, created_by, kind, sex, centre) VALUES "
                             "(?, 'f', 'admin', 'registration', 'female', NULL), "
                             "(?, 'f', 'admin', 'registration', 'male', NULL)", (sent, pulled))
    vault.close()
    _put_back(later, migrations_dir)
    with Vault.unlock(folder, username="admin", passphrase="a passphrase for 26 here") as vault:
        with vault.session(readonly=True) as session:
            conn = session.connection()
            centres = dict(conn.exec_driver_sql("SELECT id, centre FROM registration").all())
            facts = dict(conn.exec_driver_sql("SELECT record_id, centre FROM indicator_fact").all())
            cursor = conn.exec_driver_sql("SELECT value FROM sync_state WHERE key = 'cursor'").scalar_one()
    assert centres == {draft: "ne_agadez", sent: "ne_agadez", pulled: None, edited: None, named: "ne_niamey",
                       deleted: None}
    assert facts == {sent: "ne_agadez", pulled: None}
    assert cursor == ""  # pulled naming no centre: everything is pulled again, each change naming its centre


def test_0027_fills_nothing_on_a_laptop_with_no_place(migrations_dir, tmp_path):
    vault, folder, later = _vault_of_schema(26, migrations_dir, tmp_path)
    record_id = str(uuid.uuid4())
    with vault.session() as session:
        session.connection().exec_driver_sql("INSERT INTO sync_state (key, value) VALUES ('cursor', 'abcdef0123456789.7')")
        session.connection().exec_driver_sql(
            "INSERT INTO registration (id, form_id, form_version, status, content, created_at, created_by, updated_at, "
            "updated_by, version, deleted) VALUES (?, 'f', '1', 'draft', '<data/>', 't0', 'admin', 't1', 'admin', 1, 0)",
            (record_id,))
    vault.close()
    _put_back(later, migrations_dir)
    with Vault.unlock(folder, username="admin", passphrase="a passphrase for 26 here") as vault:
        with vault.session(readonly=True) as session:
            assert session.connection().exec_driver_sql("SELECT centre FROM registration").scalar_one() is None
            assert session.connection().exec_driver_sql(
                "SELECT value FROM sync_state WHERE key = 'cursor'").scalar_one() == "abcdef0123456789.7"


def test_0027_leaves_a_record_whose_first_op_is_in_flight_as_it_was_sent(migrations_dir, tmp_path):
    """An op frozen and not acknowledged yet (a USB export waiting for its receipt, a push cut off) keeps its wire op
    as a stub of its registration, rebuilt and checked against the hash of what was sent. 0027 naming that record's
    centre changed what the stub rebuilds to: every sync and export of the laptop then stopped with WireLost. Such a
    record keeps naming no centre; the pull after its acknowledgement names it (the cursor is emptied for it)."""
    from desktop_app.vault.sql import Db, text
    from desktop_app.vault.writer.bases import registration_states, sent_wires, wire_stub
    from waypoint_core.protocol import Op, sha256_hex

    vault, folder, later = _vault_of_schema(26, migrations_dir, tmp_path)
    in_flight = str(uuid.uuid4())
    with vault.session() as session:
        conn = session.connection()
        conn.exec_driver_sql("INSERT INTO meta (key, value) VALUES ('place.centre', 'ne_agadez')")
        conn.exec_driver_sql("INSERT INTO sync_state (key, value) VALUES ('cursor', '0123456789abcdef.42')")
        conn.exec_driver_sql(
            "INSERT INTO registration (id, form_id, form_version, status, content, created_at, created_by, updated_at, "
            "updated_by, version, deleted, title, age) VALUES (?, 'f', '1', 'finalized', '<data/>', 't0', 'admin', "
            "'t1', 'admin', 1, 0, 'Synthetic In Flight', 30)", (in_flight,))
        state = registration_states(Db.of(session), [in_flight])[in_flight][0]
        op = Op(op_id=str(uuid.uuid4()), device_seq=1, record_id=in_flight, op="upsert", record_version=1,
                base_version=None, form_id="f", form_version="1", hlc=1, fields=dict(sorted(state["fields"].items())),
                content=state["content"])
        sent = op.model_dump_json()
        conn.exec_driver_sql(
            "INSERT INTO outbox (op_id, record_id, op, record_version, base_version, payload, created_at, batch_id, "
            "sent_at, device_seq, wire, wire_sha256) VALUES (?, ?, 'upsert', 1, NULL, 'wire', 't1', 'b1', 't2', 1, ?, ?)",
            (op.op_id, in_flight, wire_stub(op, sent), sha256_hex(sent.encode("utf-8"))))
    vault.close()
    _put_back(later, migrations_dir)
    with Vault.unlock(folder, username="admin", passphrase="a passphrase for 26 here") as vault:
        with vault.session(readonly=True) as session:
            rows = Db.of(session).execute(text("SELECT seq, record_id, wire, wire_sha256 FROM outbox")).all()
            assert list(sent_wires(Db.of(session), rows).values()) == [sent]  # the bytes sent, not WireLost
            conn = session.connection()
            assert conn.exec_driver_sql("SELECT centre FROM registration").scalar_one() is None
            assert conn.exec_driver_sql("SELECT value FROM sync_state WHERE key = 'cursor'").scalar_one() == ""


def _vault_27_holding(migrations_dir, tmp_path, *, enrolled: bool, server_version: int | None):
    """A schema 27 vault with one live record of Agadez (acknowledged by the server or never sent) and a cursor."""
    vault, folder, later = _vault_of_schema(27, migrations_dir, tmp_path)
    record_id = str(uuid.uuid4())
    with vault.session() as session:  # as a vault of schema 27 holds them
        conn = session.connection()
        conn.exec_driver_sql("INSERT INTO meta (key, value) VALUES ('place.centre', 'ne_agadez')")
        conn.exec_driver_sql("INSERT INTO sync_state (key, value) VALUES ('cursor', '0123456789abcdef.42')")
        if enrolled:
            conn.exec_driver_sql("INSERT INTO sync_state (key, value) VALUES ('device_id', 'device-1'), "
                                 "('centre_name', 'Agadez transit centre')")
        conn.exec_driver_sql(
            "INSERT INTO registration (id, form_id, form_version, status, content, created_at, created_by, updated_at, "
            "updated_by, version, deleted, title, centre) VALUES (?, 'f', '1', 'finalized', '<data/>', 't0', 'admin', "
            "'t1', '(sync)', 1, 0, 'Synthetic', 'ne_agadez')", (record_id,))
        conn.exec_driver_sql("INSERT INTO registration_sync (record_id, server_version, sync_state) "
                             "VALUES (?, ?, ?)", (record_id, server_version,
                                                  "queued" if server_version is None else "acknowledged"))
        if server_version is None:  # its op waits to be sent
            conn.exec_driver_sql("INSERT INTO outbox (op_id, record_id, op, record_version, base_version, payload, "
                                 "created_at) VALUES ('op-1', ?, 'upsert', 1, NULL, '', 't1')", (record_id,))
    vault.close()
    _put_back(later, migrations_dir)
    return folder, record_id


@pytest.mark.parametrize(("enrolled", "server_version", "cursor"), [
    (True, 3, ""),  # the server holds it: its centre may not be the one it is filed under, pulled again
    (False, None, "0123456789abcdef.42"),  # never enrolled: no server holds records in a centre
    (True, None, "0123456789abcdef.42"),  # nothing on the server yet: filed under the laptop's centre when sent
])
def test_0028_pulls_everything_again_where_a_record_the_server_holds_may_be_filed_under_its_answer(
        migrations_dir, tmp_path, enrolled, server_version, cursor):
    """The laptop cannot know the server's centre of a record filed under its answer: the next sync pulls from the
    start and the pull files each record under the centre its change names (tests/sync/test_sync_centre_scope.py
    through the real server). Nothing is moved here."""
    folder, record_id = _vault_27_holding(migrations_dir, tmp_path, enrolled=enrolled, server_version=server_version)
    with Vault.unlock(folder, username="admin", passphrase="a passphrase for 27 here") as vault:
        assert vault.verify().ok
        with vault.session(readonly=True) as session:
            conn = session.connection()
            assert conn.exec_driver_sql("SELECT value FROM sync_state WHERE key = 'cursor'").scalar_one() == cursor
            assert conn.exec_driver_sql("SELECT centre FROM registration").scalar_one() == "ne_agadez"
