"""The administrator's CLI (real subprocesses) and form distribution to enrolled devices."""

from __future__ import annotations

import json
import os
import socket
import ssl
import subprocess
import sys

import httpx
import pytest
from server_harness import ServerProcess, self_signed_certificate
from sim_device import DeviceClient

from sync_server import admin
from sync_server.keys import load_keyring

from waypoint_core.protocol import FormList, PublishedForm, PullPage

XFORM = """<?xml version="1.0"?>
<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml">
  <h:head><h:title>Registration</h:title><model><instance><data id="registration"><name/></data></instance></model>
  </h:head><h:body><input ref="/data/name"><label>Name</label></input></h:body></h:html>
"""


def cli(data_dir, *args: str, database_url: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run([sys.executable, "-m", "sync_server.cli", "--data-dir", str(data_dir), *args],
                          env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # the CLI is the same on both databases
def test_admin_commands_end_to_end(server, backend, tmp_path):
    run = lambda *a: cli(backend.data_dir, *a, database_url=backend.database_url)  # noqa: E731
    init = run("admin", "init")
    assert init.returncode == 0 and json.loads(init.stdout)["created"] == []  # made by the first `admin init`
    assert all(path.stat().st_mode & 0o077 == 0 for path in (backend.data_dir / "keys").iterdir())
    assert run("admin", "centre", "add", "Dori").returncode == 0
    duplicate = run("admin", "centre", "add", "Dori")
    assert duplicate.returncode == 2 and "already exists" in duplicate.stderr
    code = run("admin", "enrol-code", "--centre", "Dori")
    assert code.returncode == 0
    with DeviceClient(server.url) as device:
        enrolled = device.enrol(code.stdout.strip(), name="laptop Dori")
        assert enrolled.centre_name == "Dori"
        revoke = run("admin", "revoke", enrolled.device_id)
        assert revoke.returncode == 0
        assert device.signed_get("/v2/forms").status_code == 403
    unknown = run("admin", "enrol-code", "--centre", "Atlantis")
    assert unknown.returncode == 2 and "no centre named" in unknown.stderr
    xform = tmp_path / "registration.xml"
    xform.write_text(XFORM, "utf-8")
    published = run("admin", "form", "publish", str(xform), "--form-id", "intake", "--version", "1")
    assert published.returncode == 0 and json.loads(published.stdout)["published"] is True


def test_published_forms_reach_devices_signed(server, backend, admin_db, make_device, tmp_path):
    xform = tmp_path / "registration.xml"
    xform.write_text(XFORM, "utf-8")
    keyring = load_keyring(backend.data_dir / "keys", admin_db)
    assert admin.publish_form(admin_db, keyring, path=xform, form_id="registration", version="2026112701")
    device = make_device()
    listing = FormList.model_validate_json(device.signed_get("/v2/forms").content)
    assert ("registration", "2026112701", "Registration") in {(f.form_id, f.version, f.title) for f in listing.forms}
    form = PublishedForm.model_validate_json(device.signed_get("/v2/forms/registration/2026112701").content)
    assert form.xform == XFORM and form.signature_valid(device.server_signing_key)
    assert device.signed_get("/v2/forms/registration/nope").status_code == 404
    assert not admin.publish_form(admin_db, keyring, path=xform, form_id="registration", version="2026112701")
    xform.write_text(XFORM.replace("Name", "Full name"), "utf-8")
    with pytest.raises(admin.AdminError, match="new version"):
        admin.publish_form(admin_db, keyring, path=xform, form_id="registration", version="2026112701")


def test_a_pull_page_carries_the_form_list_only_when_asked(server, backend, admin_db, make_device, tmp_path):
    """GET /v2/forms folded into the pull (`forms=1`): the same list, in a page signed like any other; a device that
    does not ask gets the page it always got, with no key its model would refuse."""
    xform = tmp_path / "referral.xml"
    xform.write_text(XFORM, "utf-8")
    admin.publish_form(admin_db, load_keyring(backend.data_dir / "keys", admin_db), path=xform, form_id="folded",
                       version="1")
    device = make_device()
    listing = FormList.model_validate_json(device.signed_get("/v2/forms").content)
    asked = device.signed_get("/v2/changes?cursor=&limit=5&forms=1")
    assert asked.status_code == 200 and device.answer_valid(asked)
    page = PullPage.model_validate_json(asked.content)
    assert page.forms == listing.forms and ("folded", "1") in {(f.form_id, f.version) for f in page.forms}
    plain = device.signed_get("/v2/changes?cursor=&limit=5")
    assert "forms" not in json.loads(plain.content) and PullPage.model_validate_json(plain.content).forms is None


def test_https_with_a_pinned_ca_bundle(tmp_path):
    """`serve --ssl-certfile/--ssl-keyfile`: a client trusting that certificate connects, one that does not refuses."""
    cert, key = self_signed_certificate(tmp_path)
    with ServerProcess(data_dir=tmp_path / "tls", tls=(cert, key)) as server:
        assert server.url.startswith("https://")
        trusting = ssl.create_default_context(cafile=str(cert))
        assert httpx.get(f"{server.url}/health", verify=trusting).json()["status"] == "ok"
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{server.url}/health")  # the system CA store does not know this certificate


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_serve_says_where_it_listens_and_help_shows_the_defaults(server, backend):
    # the operator reads the address to give to the laptops from the start-up line
    started = server.log_path.read_text("utf-8")
    assert f"serving on http://127.0.0.1:{server.port}" in started
    assert "server.db" in started  # which database, without any password
    shown = cli(backend.data_dir, "serve", "--help")
    assert shown.returncode == 0
    assert "127.0.0.1" in shown.stdout and "8470" in shown.stdout


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_enrol_code_takes_the_centre_id_that_centre_add_printed(server, backend):
    run = lambda *a: cli(backend.data_dir, *a, database_url=backend.database_url)  # noqa: E731
    added = run("admin", "centre", "add", "Gao transit centre")
    centre_id = json.loads(added.stdout)["centre_id"]
    by_id = run("admin", "enrol-code", "--centre", centre_id)
    assert by_id.returncode == 0, by_id.stderr
    with DeviceClient(server.url) as device:
        assert device.enrol(by_id.stdout.strip(), name="laptop Gao").centre_name == "Gao transit centre"
    by_name = run("admin", "enrol-code", "--centre", "Gao transit centre")
    assert by_name.returncode == 0
    unknown = run("admin", "enrol-code", "--centre", "no-such-centre")
    assert unknown.returncode == 2 and "centre list" in unknown.stderr


def test_a_wrong_database_url_is_refused_in_words_without_its_password(tmp_path):
    # An operator's typos in DATABASE_URL: a port where no PostgreSQL listens, a scheme this server does not use.
    # Each once ended in a driver's traceback; now one sentence naming the database (never the password) and what
    # to check, exit 2, for `serve` as for any admin command.
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    unreachable = f"postgresql://waypoint:Secret-Canary-Pw@127.0.0.1:{closed}/regional"
    for args in (("serve", "--port", "0"), ("admin", "devices")):
        refused = cli(tmp_path / "data", *args, database_url=unreachable)
        assert refused.returncode == 2, refused.stderr
        assert "Traceback" not in refused.stderr and "Secret-Canary-Pw" not in refused.stderr + refused.stdout
        assert f"the database (PostgreSQL 127.0.0.1:{closed}/regional) could not be used" in refused.stderr
        assert "Check DATABASE_URL" in refused.stderr
    foreign = cli(tmp_path / "data", "serve", database_url="mysql://waypoint:Secret-Canary-Pw@127.0.0.1/regional")
    assert foreign.returncode == 2 and "Traceback" not in foreign.stderr and "Secret-Canary-Pw" not in foreign.stderr
    assert "DATABASE_URL is not a database this server uses" in foreign.stderr


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_second_serve_on_a_port_in_use_says_so_before_it_claims_to_be_ready(server, backend):
    # An operator starts `serve` while the last one still runs: once a `server_ready` log line, then uvicorn's bind
    # error and exit 3. Now one sentence, exit 2, and the running server is untouched.
    second = cli(backend.data_dir, "serve", "--port", str(server.port), database_url=backend.database_url)
    assert second.returncode == 2, second.stderr
    assert f"port {server.port} on 127.0.0.1 is already in use" in second.stderr
    assert "another waypoint-server may still be running" in second.stderr and "server_ready" not in second.stderr
    assert httpx.get(f"{server.url}/health").json() == {"status": "ok"}


def test_a_data_folder_on_a_read_only_disk_is_said_in_words(tmp_path):
    # A disk the system remounted read-only after errors (or a folder this account may not write): `serve` and the
    # admin commands ended in an OSError traceback from the first chmod.
    from test_server_logs import full_tmpfs

    with full_tmpfs(8) as disk:
        data = disk / "data"
        assert cli(data, "admin", "init").returncode == 0
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        for args in (("serve", "--port", "0"), ("admin", "devices"), ("admin", "backup", str(disk / "b.wpbackup"))):
            refused = cli(data, *args)
            assert refused.returncode == 2 and "Traceback" not in refused.stderr, refused.stderr
            assert f"{data}: Read-only file system" in refused.stderr and "mounted writable" in refused.stderr


def test_a_certificate_that_is_missing_or_not_its_keys_is_named_before_serving(tmp_path):
    # A typo in --ssl-certfile, or a renewed certificate given with the old key: `serve` logged server_ready, then an
    # error naming no file (the data folder's advice, once), or uvicorn's traceback.
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    cert, _key = self_signed_certificate(tmp_path / "one")
    _cert, other_key = self_signed_certificate(tmp_path / "two")
    assert cli(tmp_path / "data", "admin", "init").returncode == 0
    missing = cli(tmp_path / "data", "serve", "--port", "0", "--ssl-certfile", str(tmp_path / "cert.pem"),
                  "--ssl-keyfile", str(other_key))
    assert missing.returncode == 2 and f"--ssl-certfile {tmp_path / 'cert.pem'}: no such file" in missing.stderr
    mismatched = cli(tmp_path / "data", "serve", "--port", "0", "--ssl-certfile", str(cert), "--ssl-keyfile",
                     str(other_key))
    assert mismatched.returncode == 2 and "Traceback" not in mismatched.stderr
    assert f"the certificate {cert} and key {other_key} cannot be used together" in mismatched.stderr
    assert "server_ready" not in missing.stderr + mismatched.stderr
