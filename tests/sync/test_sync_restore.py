"""A server restored from an older backup, through the real device client and the real server on loopback (SQLite
and PostgreSQL): every device notices it on its next contact, sends again what the server lost from what it holds,
pulls again what it lacks comparing content hashes; the devices converge to the union, nothing acknowledged is lost
and no change is skipped.

Each test runs its own server: `admin restore` replaces the whole database.
"""

from __future__ import annotations

import pytest
from records import register
from server_harness import Backend, ServerProcess, fresh_postgres_database, postgres_available, server_cli
from tests.sync.support import fast_connect

from desktop_app.services import sync as sync_service
from desktop_app.sync import store
from desktop_app.vault.registrations import count_unsynced, delete_registration
from desktop_app.vault.sql import Db, join_sync, text


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

    def connect(url, **kwargs):
        connection = fast_connect()(url, **kwargs)
        reconcile = connection.reconcile

        def counted(known):
            calls["n"] += 1
            return reconcile(known)

        connection.reconcile = counted
        return connection

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


def _run_cancelled_after_first_reconcile(vault, connect, calls):
    from desktop_app.sync import engine

    steps = sync_service.sync_steps(connect=connect, cancelled=lambda: calls["n"] >= 1)
    return engine.run_inline(steps, vault=vault)

