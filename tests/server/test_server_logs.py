"""The server's logs carry ids, counts and error classes only: a canary person's name never reaches them, whatever
happens — refusals, a NUL character, a disk that fills up under SQLite (a real tmpfs) or under PostgreSQL (a
tablespace on a real tmpfs), a malformed HTTP request handled by uvicorn itself, the stop by a signal. Every line is
JSON."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from server_harness import PG_ADMIN_URL, ServerProcess, enrol_client, fresh_postgres_database, postgres_available
from sim_device import DeviceClient, SimDevice

from waypoint_core.protocol import Op

CANARY = "Zawadi Canary-Oyelaran"


def assert_clean(log: str) -> list[dict]:
    """No canary anywhere; every line is a JSON object (but the start-up line that names the address)."""
    assert "Canary" not in log and "Zawadi" not in log and "CANARY" not in log
    events = []
    for line in log.splitlines():
        if line.startswith("waypoint-server: serving on"):
            continue
        events.append(json.loads(line))
    return events


def test_logs_hold_no_personal_data(server, make_device):
    device = SimDevice(make_device())
    record = device.register({"name": CANARY, "narrative": f"{CANARY} crossed at night"})
    device.edit(record, {"name": CANARY + " II"})
    device.push_pending()
    device.pull_all()
    # Refusals too: a malformed body, a forged batch and a NUL character, each carrying the canary.
    client = device.client
    assert client.post_batch(json.dumps({"protocol_version": 2, "device_id": "x", "name": CANARY}).encode()
                             ).status_code == 422
    impostor = DeviceClient(server.url, device_id=client.device_id)
    forged = client.batch(device.outbox[:1]).model_dump(mode="json")
    forged["ops"][0]["fields"]["name"] = CANARY + " forged"
    forged["ops"][0]["op_id"] = str(uuid.uuid4())
    assert impostor.post_batch(json.dumps(forged).encode()).status_code == 401
    impostor.close()
    nul = client.batch([Op(op_id=str(uuid.uuid4()), device_seq=len(device.outbox) + 1, record_id=str(uuid.uuid4()),
                           op="upsert", record_version=1, base_version=None, form_id="registration",
                           form_version="1", hlc=1, fields={"name": "x"})]).model_dump(mode="json")
    nul["ops"][0]["fields"]["name"] = CANARY + "\x00"  # PostgreSQL would refuse it: it never gets that far
    assert client.post_batch(json.dumps(nul).encode()).status_code == 422
    # uvicorn's own handling of a broken request writes JSON too.
    with socket.create_connection(("127.0.0.1", server.port)) as raw:
        raw.sendall(f"GET /{CANARY.replace(' ', '')} HTTP/1.1\r\nHost: x\r\n\r\x00\n\n".encode())
        raw.recv(1024)
    events = assert_clean(server.log_path.read_text("utf-8"))
    assert {"push", "pull", "refused"} <= {e["event"] for e in events}


@contextmanager
def full_tmpfs(size_mb: int, owner: str | None = None):
    """A real, small tmpfs, mounted for the test (root only: mounting is)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs to fill needs root")
    path = Path("/var/tmp") / f"waypoint-full-{secrets.token_hex(4)}"  # not /tmp: a database server may not see it
    path.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m,mode=0700", "tmpfs", str(path)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        path.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()[:200]}")
    try:
        if owner:
            subprocess.run(["chown", f"{owner}:{owner}", str(path)], check=True)
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)
        path.rmdir()


def fill_until_refused(device: DeviceClient, *, attempts: int = 200) -> tuple[int, list[int]]:
    """Push big canary records until the server cannot store them; returns the status and every status seen."""
    seen = []
    for seq in range(1, attempts + 1):
        op = Op(op_id=str(uuid.uuid4()), device_seq=seq, record_id=str(uuid.uuid4()), op="upsert", record_version=1,
                base_version=None, form_id="registration", form_version="1", hlc=seq,
                fields={"name": f"{CANARY} {seq}"}, content=f"<data><name>{CANARY}</name>{'x' * 300_000}</data>")
        response = device.post_batch(device.batch([op]))
        seen.append(response.status_code)
        if response.status_code != 200:
            assert response.status_code == 503 and response.json()["error"] == "server_error", response.text
            assert "Canary" not in response.text
            return response.status_code, seen
    raise AssertionError(f"the disk never filled: {seen[-5:]}")


def test_a_full_disk_under_sqlite_logs_one_json_line_without_the_canary(tmp_path):
    with full_tmpfs(6) as disk:
        server = ServerProcess(data_dir=disk / "data", log_path=tmp_path / "server.log").start()
        try:
            device = enrol_client(server, f"sqlite:///{disk / 'data' / 'server.db'}")
            status, _ = fill_until_refused(device)
            assert status == 503
            assert device.send("GET", "/health", signed=False).status_code == 200  # still serving
            device.close()
        finally:
            server.stop()
        events = assert_clean((tmp_path / "server.log").read_text("utf-8"))
        errors = [e for e in events if e["event"] == "error"]
        # the push refused, and the WAL checkpoint after its last commit failing on the same full disk (the
        # checkpointer logs it and tries again after the next commit): each one JSON line, neither with the canary
        routes = {e["route"] for e in errors}
        assert "/v2/push" in routes and routes <= {"/v2/push", "wal.checkpoint"}, errors
        assert any(e["error"] == "OperationalError" for e in errors), errors


@pytest.mark.postgres
def test_a_full_disk_under_postgresql_logs_one_json_line_without_the_canary(tmp_path):
    reason = postgres_available()
    if reason:
        pytest.skip(reason)
    with full_tmpfs(40, owner="postgres") as disk:
        name = f"waypoint_full_{secrets.token_hex(4)}"
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f"CREATE TABLESPACE {name} LOCATION '{disk}'")
            conn.execute(f'CREATE DATABASE "{name}" TABLESPACE {name}')
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        server = ServerProcess(data_dir=tmp_path / "data", database_url=url, log_path=tmp_path / "server.log")
        try:
            server.start()
            device = enrol_client(server, url)
            status, _ = fill_until_refused(device)
            assert status == 503
            device.close()
        finally:
            server.stop()
            # Room first: dropping needs a checkpoint, which writes into the full tablespace; a database left behind
            # on a disk that is then unmounted fails every later checkpoint of the whole PostgreSQL server.
            subprocess.run(["mount", "-o", "remount,size=256m", str(disk)], check=False)
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f"DROP TABLESPACE IF EXISTS {name}")
        events = assert_clean((tmp_path / "server.log").read_text("utf-8"))
        errors = [e for e in events if e["event"] == "error"]
        assert errors and all(e["route"] == "/v2/push" for e in errors)
        assert any(e["error"] == "OperationalError" for e in errors), errors


# The stop: `serve` is stopped by SIGTERM (systemd, docker stop) or SIGINT (Ctrl+C); its log says so, says the
# requests under way were answered (or cut short) and the database closed, and ends with `stopped`; exit code 0.

STOP_EVENTS = ["stopping", "requests_finished", "database_closed", "stopped"]


@contextmanager
def stop_backend(name: str, tmp_path: Path):
    """(data folder, database URL for the server, URL for admin_db) on SQLite or on a fresh PostgreSQL database."""
    if name == "sqlite":
        yield tmp_path / "data", None, f"sqlite:///{tmp_path / 'data' / 'server.db'}"
        return
    reason = postgres_available()
    if reason:
        pytest.skip(reason)
    with fresh_postgres_database() as url:
        yield tmp_path / "data", url, url


def wait_for_line(server: ServerProcess, event: str) -> None:
    """Until the server's log holds `event` (there is nothing to wait on across processes but the file)."""
    deadline = time.monotonic() + 60
    while f'"event":"{event}"' not in server.log_path.read_text("utf-8"):
        assert server.process.poll() is None or f'"event":"{event}"' in server.log_path.read_text("utf-8"), \
            server.log_path.read_text("utf-8")[-2000:]
        assert time.monotonic() < deadline, f"no {event} line in the log"
        time.sleep(0.02)


def request_under_way(server: ServerProcess) -> socket.socket:
    """An enrolment whose body is not sent yet, already inside the app: uvicorn answers `100 Continue` only when the
    app reads the body."""
    raw = socket.create_connection(("127.0.0.1", server.port), timeout=60)
    raw.sendall(b"POST /v2/enrol HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
                + f"Content-Length: {len(CANARY_BODY)}\r\n\r\n".encode())
    seen = b""
    while b"\r\n\r\n" not in seen:
        seen += raw.recv(1024)
    assert seen.startswith(b"HTTP/1.1 100 "), seen
    return raw


CANARY_BODY = json.dumps({"protocol_version": 2, "name": CANARY, "code": CANARY}).encode()


def stop_events(log: str) -> list[dict]:
    return [e for e in assert_clean(log) if e["event"] in STOP_EVENTS + ["requests_cut_short"]]


@pytest.mark.parametrize("backend_name", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_by_signal_is_logged_after_the_request_under_way_and_exits_0(tmp_path, sig, backend_name):
    with stop_backend(backend_name, tmp_path) as (data_dir, url, admin_url):
        server = ServerProcess(data_dir=data_dir, database_url=url).start()
        try:
            device = SimDevice(enrol_client(server, admin_url))
            device.register({"name": CANARY, "narrative": f"{CANARY} crossed at night"})
            device.push_pending()
            device.client.close()
            wal = data_dir / "server.db-wal"
            assert url or wal.stat().st_size > 0  # the push is in SQLite's write-ahead log, not yet in the file
            with request_under_way(server) as raw:
                server.process.send_signal(sig)
                wait_for_line(server, "stopping")
                raw.sendall(CANARY_BODY)  # the request under way is still answered
                answer = raw.recv(4096)
            assert answer.startswith(b"HTTP/1.1 422 "), answer
            assert server.process.wait(timeout=60) == 0
        finally:
            server.stop()
        log = server.log_path.read_text("utf-8")
        events = stop_events(log)
        assert [e["event"] for e in events] == STOP_EVENTS, log
        stopping, finished, closed, stopped = events
        # the one under way at least: on a loaded machine the push's own task (uvicorn's server_state.tasks) may
        # still be ending after its answer was read (seen in CI under load: 2)
        assert stopping["signal"] == stopped["signal"] == sig.name and stopping["requests_in_flight"] >= 1
        assert finished["answered"] >= 3  # enrolment, push, the one under way
        assert closed["database"] == ("postgresql" if url else "sqlite")
        if not url:
            assert closed["wal_bytes"] == 0 and not wal.exists()  # every commit is in the database file
        assert stopped["database_closed"] is True
        assert json.loads(log.splitlines()[-1])["event"] == "stopped"  # the last word
        assert "Traceback" not in log and "KeyboardInterrupt" not in log


def test_a_request_the_stop_cuts_short_is_logged(tmp_path):
    """uvicorn waits 5 s (`timeout_graceful_shutdown`) for a request under way, then cancels it: the log says so."""
    server = ServerProcess(data_dir=tmp_path / "data").start()
    try:
        with request_under_way(server):  # its body never comes
            server.process.send_signal(signal.SIGTERM)
            assert server.process.wait(timeout=60) == 0
    finally:
        server.stop()
    log = server.log_path.read_text("utf-8")
    events = stop_events(log)
    assert [e["event"] for e in events] == ["stopping", "requests_cut_short", "database_closed", "stopped"], log
    assert events[1]["requests"] == 1 and events[1]["level"] == "warning"
    assert events[3]["database_closed"] is True


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_with_workers_logs_its_stop(tmp_path, sig):
    server = ServerProcess(data_dir=tmp_path / "data", extra_args=("--workers", "2")).start()
    try:
        device = SimDevice(enrol_client(server, f"sqlite:///{tmp_path / 'data' / 'server.db'}"))
        device.register({"name": CANARY})
        device.push_pending()
        device.client.close()
        server.process.send_signal(sig)
        assert server.process.wait(timeout=60) == 0
    finally:
        server.stop()
    log = server.log_path.read_text("utf-8")
    events = stop_events(log)
    assert events[0]["event"] == "stopping" and events[0]["signal"] == sig.name and events[0]["workers"] == 2
    assert events[-1]["event"] == "stopped" and events[-1]["signal"] == sig.name
    assert json.loads(log.splitlines()[-1])["event"] == "stopped"
    # each worker that was serving answered its requests and closed its own connections (one may still have been
    # starting when the signal came: uvicorn's supervisor does not wait for both before /health answers)
    finished = [e["pid"] for e in events if e["event"] == "requests_finished"]
    closed = [e["pid"] for e in events if e["event"] == "database_closed"]
    assert finished and sorted(finished) == sorted(closed) and len(set(closed)) == len(closed) <= 2, log
    assert "Traceback" not in log


# The start: a stop asked for while `serve` still checks and migrates, and a start that fails inside uvicorn (the
# port taken meanwhile, a worker that cannot start). A held SQLite write lock holds the start at a known point: its
# first write waits for the lock (busy_timeout), after the address and file checks.


@contextmanager
def write_lock_held(path: Path):
    """Another process's write transaction on the SQLite database, as a long `admin` command would hold it."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        yield
        conn.execute("ROLLBACK")
    finally:
        conn.close()


def waiting_for_the_database(server: ServerProcess, path: Path) -> None:
    """Until `serve` has the database file open: its start has passed the address and file checks and waits for the
    lock the test holds (polled: there is no other signal across processes)."""
    deadline = time.monotonic() + 60
    fds = Path(f"/proc/{server.process.pid}/fd")
    while True:
        assert server.process.poll() is None, server.log_path.read_text("utf-8")[-2000:]
        opened = set()
        for fd in fds.iterdir():
            try:
                opened.add(os.readlink(fd))
            except FileNotFoundError:  # closed meanwhile
                pass
        if str(path) in opened:
            return
        assert time.monotonic() < deadline, "serve never opened the database"
        time.sleep(0.02)


def held_start(tmp_path: Path, *extra_args: str) -> tuple[ServerProcess, Path]:
    server = ServerProcess(data_dir=tmp_path / "data", extra_args=extra_args)
    server.init()  # `admin init` makes the database the lock is taken on
    return server, tmp_path / "data" / "server.db"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_during_the_start_is_logged_and_exits_0(tmp_path, sig):
    """The signal comes while the start waits for the database: noted, and acted on once the step under way has
    finished (never inside a migration's transaction); before this, SIGTERM killed the process without a word
    (exit -15) and SIGINT left a KeyboardInterrupt traceback."""
    server, db = held_start(tmp_path)
    try:
        with write_lock_held(db):
            server.launch()
            waiting_for_the_database(server, db)
            server.process.send_signal(sig)
        assert server.process.wait(timeout=120) == 0
    finally:
        server.stop()
    log = server.log_path.read_text("utf-8")
    events = assert_clean(log)
    assert "Traceback" not in log and "KeyboardInterrupt" not in log
    assert [e["event"] for e in events] == ["stopping", "stopped"], log  # it never served: no server_ready
    assert all(e["signal"] == sig.name and e["phase"] == "starting" for e in events), log
    # the database was left whole: the next start serves
    again = ServerProcess(data_dir=tmp_path / "data").start()
    again.stop()


def test_a_port_taken_during_the_start_fails_with_exit_3_and_one_json_line(tmp_path):
    """Another program takes the port after `serve` checked it (here while the start waits for the database):
    uvicorn cannot bind and exits 3; the log says `startup_failed` with the error's class, JSON to the end."""
    server, db = held_start(tmp_path)
    with socket.socket() as taken:
        try:
            with write_lock_held(db):
                server.launch()
                waiting_for_the_database(server, db)
                taken.bind(("127.0.0.1", server.port))
                taken.listen()
            assert server.process.wait(timeout=120) == 3
        finally:
            server.stop()
    log = server.log_path.read_text("utf-8")
    events = assert_clean(log)
    failed = [e for e in events if e["event"] == "startup_failed"]
    assert len(failed) == 1 and failed[0]["error"] == "OSError" and failed[0]["exit_code"] == 3, log
    assert failed[0]["level"] == "error" and events[-1] == failed[0]
    assert "Traceback" not in log and "waypoint-server: serving on" not in log


def test_a_worker_that_cannot_start_stops_serve_with_exit_3(tmp_path):
    """`--workers 2`: the database file becomes readable by others after the parent checked it; each worker refuses
    it. Before this a worker's failure was a traceback and exit 1, which uvicorn's supervisor answered by starting
    it again, for ever, the parent running on with no worker. Now the worker logs `startup_failed` with the error's
    class and exits 3, uvicorn's supervisor stops, and so does `serve`: exit 3, one line saying so."""
    server, db = held_start(tmp_path, "--workers", "2")
    try:
        with write_lock_held(db):
            server.launch()
            waiting_for_the_database(server, db)
            db.chmod(0o644)
        assert server.process.wait(timeout=120) == 3
    finally:
        server.stop()
    log = server.log_path.read_text("utf-8")
    events = assert_clean(log)
    workers = [e for e in events if e["event"] == "startup_failed" and e.get("phase") == "worker"]
    assert workers and all(e["error"] == "StartupRefused" and e["pid"] != server.process.pid for e in workers), log
    last = events[-1]
    assert last["event"] == "startup_failed" and last["pid"] == server.process.pid and last["exit_code"] == 3, log
    assert last["workers_failed"] >= 1
    assert "Traceback" not in log


@pytest.mark.postgres
def test_a_worker_that_cannot_reach_postgresql_stops_serve_with_exit_3(tmp_path):
    """`--workers 2` on PostgreSQL: the database stops taking connections after the parent's checks (here while
    the parent's start waits for a table lock the test holds): no worker can start, `serve` exits 3."""
    reason = postgres_available()
    if reason:
        pytest.skip(reason)
    with fresh_postgres_database() as url:
        name = url.rsplit("/", 1)[1]
        server = ServerProcess(data_dir=tmp_path / "data", database_url=url, extra_args=("--workers", "2"))
        server.init()
        try:
            with psycopg.connect(url.replace("+psycopg", "")) as holder, \
                    psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
                holder.execute("LOCK TABLE server_key IN ACCESS EXCLUSIVE MODE")
                server.launch()
                deadline = time.monotonic() + 60
                while not admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND "
                                        "wait_event_type = 'Lock'", (name,)).fetchone()[0]:
                    assert server.process.poll() is None, server.log_path.read_text("utf-8")[-2000:]
                    assert time.monotonic() < deadline, "serve never waited for the lock"
                    time.sleep(0.02)  # polled: nothing to wait on across processes
                admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
                holder.rollback()
            assert server.process.wait(timeout=120) == 3
        finally:
            server.stop()
    log = server.log_path.read_text("utf-8")
    events = assert_clean(log)
    workers = [e for e in events if e["event"] == "startup_failed" and e.get("phase") == "worker"]
    assert workers and all(e["error"] == "OperationalError" for e in workers), log
    assert events[-1]["event"] == "startup_failed" and events[-1]["exit_code"] == 3, log
    assert "Traceback" not in log and "accepting connections" not in log  # the class, not the driver's message
