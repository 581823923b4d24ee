"""The server's logs carry ids, counts and error classes only: a canary person's name never reaches them, whatever
happens — refusals, a NUL character, a disk that fills up under SQLite (a real tmpfs) or under PostgreSQL (a
tablespace on a real tmpfs), a malformed HTTP request handled by uvicorn itself. Every line is JSON."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import uuid
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from server_harness import PG_ADMIN_URL, ServerProcess, enrol_client, postgres_available
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
