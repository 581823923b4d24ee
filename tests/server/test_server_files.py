"""The server's files are private whatever the umask, and the server refuses database files others can read; the
database and its backups hold no readable record (content is sealed under a key kept outside the database)."""

from __future__ import annotations

import gzip
import os
import subprocess
import uuid
from contextlib import contextmanager

import psycopg
import pytest
from server_harness import ServerProcess, enrol_client, server_cli
from sim_device import SimDevice

from sync_server import admin
from sync_server.db import open_database

CANARY = "Kadiatou Canary-AtRest"


@contextmanager
def umask(value: int):
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


def mode(path) -> int:
    return path.stat().st_mode & 0o777


def device_with_canary(server: ServerProcess, admin_url: str) -> SimDevice:
    device = SimDevice(enrol_client(server, admin_url))
    record = device.register({"name": CANARY, "document_number": "ZX-0042-CANARY", "narrative": f"{CANARY} at night"},
                             record_id=str(uuid.uuid4()))
    device.edit(record, {"name": CANARY + " II"})
    device.push_pending()
    device.pull_all()
    return device


def test_files_are_owner_only_under_umask_022_even_in_an_existing_folder(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)  # made beforehand by an administrator, readable by all
    with umask(0o022), ServerProcess(data_dir=data) as server:
        device = device_with_canary(server, f"sqlite:///{data / 'server.db'}")
        device.client.close()
        backup = tmp_path / "server.wpbackup"
        server_cli(data, "admin", "backup", str(backup))
        assert mode(data) == 0o700 and mode(data / "keys") == 0o700
        for name in ("server.db", "server.db-wal", "server.db-shm", "feed.mark"):
            assert mode(data / name) == 0o600, name
        assert all(mode(key) == 0o600 for key in (data / "keys").iterdir())
        assert mode(backup) == 0o600


@pytest.mark.parametrize("suffix", ["", "-wal"])
def test_the_server_refuses_database_files_others_can_read(tmp_path, suffix):
    data = tmp_path / "data"
    with ServerProcess(data_dir=data):
        pass
    target = data / f"server.db{suffix}"
    target.touch()
    os.chmod(target, 0o644)
    refused = server_cli(data, "serve", "--port", "1", check=False)
    assert refused.returncode == 2 and target.name in refused.stderr and "chmod 600" in refused.stderr


def test_the_sqlite_file_and_a_backup_hold_no_name(tmp_path):
    data = tmp_path / "data"
    with ServerProcess(data_dir=data) as server:
        device_with_canary(server, f"sqlite:///{data / 'server.db'}").client.close()
        server_cli(data, "admin", "backup", str(tmp_path / "b.wpbackup"))
    for path in data.iterdir():  # the database, its WAL, the mark: everything but the keys
        if path.is_file() and not path.name.startswith("server-"):  # (server-*.log: the test harness's own log)
            assert b"Canary" not in path.read_bytes() and b"CANARY" not in path.read_bytes(), path.name
    with gzip.open(tmp_path / "b.wpbackup", "rb") as packed:
        assert b"Canary" not in packed.read()


@pytest.mark.postgres
def test_a_postgresql_dump_holds_no_name_and_reviews_still_read_it(tmp_path):
    from server_harness import fresh_postgres_database, postgres_available

    reason = postgres_available()
    if reason:
        pytest.skip(reason)
    with fresh_postgres_database() as url, ServerProcess(data_dir=tmp_path / "data", database_url=url) as server:
        device = device_with_canary(server, url)
        dump = subprocess.run(["pg_dump", "--data-only", url.replace("postgresql+psycopg", "postgresql")],
                              capture_output=True, timeout=120)
        if dump.returncode != 0:  # no pg_dump on this machine: read every text column instead
            with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
                tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname='public'")]
                text = "".join(str(conn.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables).encode()
        else:
            text = dump.stdout
        assert b"Canary" not in text and b"CANARY" not in text and len(text) > 1000
        # The server itself, with its key, still reads what it needs (a review or a report).
        from sync_server.keys import load_keyring

        db = open_database(url, pool_size=1)
        state = admin.record_state(db, load_keyring(tmp_path / "data" / "keys", db).data,
                                   next(iter(device.expected)))
        db.dispose()
        assert state["name"] == CANARY + " II"
        device.client.close()
