"""TLS: the real server behind uvicorn with a certificate from a private CA generated here (cryptography).

Without the CA bundle the client refuses the server with a clear error and stores nothing; with it (--ca-bundle
or the stored setting) enrolment and sync work over https:// on loopback.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import subprocess
import sys
import time

import pytest
import requests
from tests.sync.support import Backend, ServerAdmin, fast_connect
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from records import register
from server_harness import free_port

from desktop_app.services import sync as sync_service
from desktop_app.sync import errors, store, transport
from desktop_app.vault.registrations import count_unsynced

SERVE_TLS = (
    "import sys, uvicorn\n"
    "from pathlib import Path\n"
    "from sync_server.app import create_app, prepare\n"
    "from sync_server.cli import main\n"
    "from sync_server.settings import Settings\n"
    "main(['--data-dir', sys.argv[1], 'admin', 'init'])\n"
    "uvicorn.run(create_app(prepare(Settings.from_env(data_dir=Path(sys.argv[1])))), host='127.0.0.1',"
    " port=int(sys.argv[2]), ssl_keyfile=sys.argv[3], ssl_certfile=sys.argv[4], log_level='warning',"
    " access_log=False)\n"
)


def _name(text: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])


def make_ca_and_server_cert(folder):
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(_name("Waypoint test CA")).issuer_name(_name("Waypoint test CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(_name("127.0.0.1")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = {"ca": folder / "ca.pem", "cert": folder / "server.pem", "key": folder / "server-key.pem"}
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths["key"].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    paths["key"].chmod(0o600)
    return paths


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    paths = make_ca_and_server_cert(folder)
    data_dir = folder / "server"
    data_dir.mkdir()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    log = open(folder / "server.log", "wb")
    process = subprocess.Popen([sys.executable, "-c", SERVE_TLS, str(data_dir), str(port), str(paths["key"]),
                                str(paths["cert"])], env=env, stdout=log, stderr=log)
    url = f"https://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:  # polling the port: no signal to wait on across processes
            assert process.poll() is None, (folder / "server.log").read_text()[-2000:]
            try:
                if requests.get(f"{url}/health", verify=str(paths["ca"]), timeout=2).status_code == 200:
                    break
            except requests.exceptions.ConnectionError:
                pass
            assert time.monotonic() < deadline, "TLS server did not start"
            time.sleep(0.05)
        server_admin = ServerAdmin(Backend("sqlite", data_dir, None))
        yield {"url": url, "ca": str(paths["ca"]), "admin": server_admin}
        server_admin.close()
    finally:
        transport.KEPT.close_all()  # the sync runs' kept TLS connection, so the server's shutdown has none to wait for
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_untrusted_certificate_is_refused_with_a_clear_error(tls_server, make_vault):
    vault = make_vault("no-ca")
    with pytest.raises(errors.UntrustedCertificate, match="not trusted") as refused:
        sync_service.enrol(vault, server_url=tls_server["url"], code=tls_server["admin"].code())
    assert "--ca-bundle" in str(refused.value)
    assert store.status(vault)["enrolled"] is False


def test_with_the_ca_bundle_enrolment_and_sync_work_over_https(tls_server, make_vault):
    vault = make_vault("with-ca")
    sync_service.enrol(vault, server_url=tls_server["url"], code=tls_server["admin"].code(),
                       ca_bundle=tls_server["ca"])
    assert store.load_credentials(vault).ca_bundle == tls_server["ca"]  # remembered for every later sync
    for n in range(3):
        register(vault, f"Tls Person {n}", 30 + n)
    summary = sync_service.sync_now(vault, connect=fast_connect())
    assert summary.acknowledged == 3 and count_unsynced(vault) == 0
    assert sync_service.probe(tls_server["url"], ca_bundle=tls_server["ca"]) is True
    assert sync_service.probe(tls_server["url"]) is False  # the probe trusts no more than sync does
