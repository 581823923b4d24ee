"""Run the real server on loopback for tests: `waypoint-server serve` in a subprocess, SQLite or PostgreSQL.

Reusable by the device-client tests: start a ServerProcess, create centres and codes with `admin_db()`.
"""

from __future__ import annotations

import itertools
import os
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from sync_server import admin
from sync_server.db import Database

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"


PORTS_PER_WORKER = 5000
_ports = itertools.count(secrets.randbelow(PORTS_PER_WORKER))


def free_port() -> int:
    """A loopback port no other test process hands out: each xdist worker takes its own range below the kernel's
    ephemeral ports (32768 and up, where port 0 and outgoing connections land), and this process never hands out a
    port twice. Port 0 raced between workers: a server restarted on its own port, or started on a port just freed,
    could meet another worker's new server there, whose health check then answered for it."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    base = 10000 + (int(worker) if worker.isdigit() else 0) % 4 * PORTS_PER_WORKER
    for _ in range(PORTS_PER_WORKER):
        port = base + next(_ports) % PORTS_PER_WORKER
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError("no free loopback port left in this test worker's range")


def postgres_available() -> str | None:
    """None when PostgreSQL answers on 127.0.0.1:5432, else the reason it does not."""
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return None
    except Exception as exc:
        return f"PostgreSQL not reachable at 127.0.0.1:5432 ({type(exc).__name__}: {str(exc).strip()[:120]})"


@contextmanager
def fresh_postgres_database():
    """A new, empty database for this test run, dropped afterwards; yields its SQLAlchemy URL."""
    import psycopg

    name = f"waypoint_test_{os.getpid()}_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# Tests enrol dozens of devices from one loopback address; the rate-limit test runs its own server with the defaults.
GENEROUS_LIMITS = {"WAYPOINT_ENROL_RATE": "100000/0.001", "WAYPOINT_ANONYMOUS_RATE": "100000/0.001"}


def server_cli(data_dir: Path, *args: str, database_url: str | None = None, extra_env: dict[str, str] | None = None,
               check: bool = True) -> subprocess.CompletedProcess:
    """`waypoint-server --data-dir DIR ARGS...` as an administrator types it."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(extra_env or {})
    if database_url:
        env["DATABASE_URL"] = database_url
    result = subprocess.run([sys.executable, "-m", "sync_server.cli", "--data-dir", str(data_dir), *args], env=env,
                            capture_output=True, text=True, timeout=300)
    if check and result.returncode != 0:
        raise RuntimeError(f"waypoint-server {' '.join(args)} failed: {result.stderr[-1500:]}")
    return result


class ServerProcess:
    """One `waypoint-server serve` process on a loopback port; can be killed and restarted on the same port.

    The first start of a data folder runs `admin init` (only it creates keys), as an administrator would."""

    def __init__(self, *, data_dir: Path, database_url: str | None = None, port: int | None = None,
                 extra_env: dict[str, str] | None = None, tls: tuple[Path, Path] | None = None,
                 extra_args: tuple[str, ...] = (), limits: dict[str, str] | None = None,
                 log_path: Path | None = None) -> None:
        self.data_dir = data_dir
        self.tls = tls  # (certificate, key) PEM files: serve HTTPS
        self.database_url = database_url
        self.port = port or free_port()
        self.extra_env = {**(GENEROUS_LIMITS if limits is None else limits), **(extra_env or {})}
        self.extra_args = extra_args
        self.process: subprocess.Popen | None = None
        self.log_path = log_path or data_dir / f"server-{self.port}.log"

    def init(self) -> None:
        server_cli(self.data_dir, "admin", "init", database_url=self.database_url, extra_env=self.extra_env)

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> ServerProcess:
        self.launch()
        try:
            self._await_health(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def launch(self) -> ServerProcess:
        """The process, without waiting for it to answer (a test of its start)."""
        env = {**os.environ, **self.extra_env}
        env.pop("DATABASE_URL", None)
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        if not (self.data_dir / "keys").exists():
            self.init()
        log = open(self.log_path, "ab")
        self._log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sync_server.cli", "--data-dir", str(self.data_dir), "serve",
             "--host", "127.0.0.1", "--port", str(self.port), *self.extra_args,
             *(["--ssl-certfile", str(self.tls[0]), "--ssl-keyfile", str(self.tls[1])] if self.tls else [])],
            env=env, stdout=log, stderr=log,
        )
        return self

    def _await_health(self, timeout: float) -> None:
        verify = ssl.create_default_context(cafile=str(self.tls[0])) if self.tls else True
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=2, verify=verify) as probe:
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(f"server exited with {self.process.returncode}: "
                                       f"{self.log_path.read_text()[-2000:]}")
                try:
                    if probe.get(f"{self.url}/health").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"server did not answer /health within {timeout}s")
                time.sleep(0.05)  # polling the port: there is no signal to wait on across processes

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, as in a power cut."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
        self._close_log()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._close_log()

    def _close_log(self) -> None:
        log = getattr(self, "_log", None)
        if log and not log.closed:
            log.close()

    def peak_rss_kb(self) -> int | None:
        """VmHWM of the running server (Linux), for the benchmarks."""
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        except (OSError, AttributeError):
            return None
        return None

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def self_signed_certificate(folder: Path, host: str = "127.0.0.1") -> tuple[Path, Path]:
    """A throwaway certificate for `host` (as an IP SAN), for HTTPS tests; returns (cert.pem, key.pem)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "server-cert.pem", folder / "server-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    return cert_path, key_path


@dataclass
class Backend:
    name: str
    data_dir: Path
    database_url: str | None  # None: the server's default SQLite file in data_dir

    @property
    def admin_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'server.db'}"


def ensure_centre(db: Database, name: str) -> str:
    for centre_id, existing in admin.list_centres(db):
        if existing == name:
            return centre_id
    return admin.add_centre(db, name)


def enrol_client(server: ServerProcess, admin_url: str, centre: str = "Agadez"):
    """A simulated device enrolled with `server` (the centre is made if needed), as sim_device.DeviceClient."""
    from datetime import timedelta

    from sim_device import DeviceClient

    from sync_server.db import open_database

    db = open_database(admin_url, pool_size=1)
    try:
        ensure_centre(db, centre)
        code = admin.create_enrolment_code(db, centre=centre, ttl=timedelta(hours=1))
    finally:
        db.dispose()
    client = DeviceClient(server.url)
    client.enrol(code)
    return client


def backend_for(request, tmp_path_factory):
    """Body of the module-scoped `backend` fixture of tests/server and tests/sync: SQLite, or a fresh
    PostgreSQL database (skipped with the reason when none is reachable)."""
    import pytest

    data_dir = tmp_path_factory.mktemp(f"server-{request.param}")
    if request.param == "postgres":
        reason = postgres_available()
        if reason:
            pytest.skip(reason)
        with fresh_postgres_database() as url:
            yield Backend("postgres", data_dir, url)
    else:
        yield Backend("sqlite", data_dir, None)
