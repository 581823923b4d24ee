"""Fixtures for server tests: a real `waypoint-server serve` on loopback, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from server_harness import Backend, ServerProcess, backend_for, ensure_centre
from sim_device import DeviceClient

from sync_server import admin
from sync_server.db import Database, open_database
from sync_server.keys import load_keyring


backend = pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])(
    backend_for)


@pytest.fixture(scope="module")
def server(backend: Backend):
    with ServerProcess(data_dir=backend.data_dir, database_url=backend.database_url) as process:
        yield process


@pytest.fixture(scope="module")
def admin_db(server: ServerProcess, backend: Backend):
    db = open_database(backend.admin_url, pool_size=2)
    yield db
    db.dispose()


@pytest.fixture(scope="module")
def data_key(backend: Backend, admin_db: Database):
    """The server's data key, to read record content the database holds sealed (as a review or a report would)."""
    return load_keyring(backend.data_dir / "keys", admin_db).data


@pytest.fixture
def make_device(server: ServerProcess, admin_db: Database):
    clients: list[DeviceClient] = []

    def make(centre: str = "Agadez", *, base_url: str | None = None) -> DeviceClient:
        ensure_centre(admin_db, centre)
        code = admin.create_enrolment_code(admin_db, centre=centre, ttl=timedelta(hours=1))
        client = DeviceClient(base_url or server.url)
        client.enrol(code, name=f"laptop {len(clients) + 1}")
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
