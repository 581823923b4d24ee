"""Protocol 2 through the real device client: answers bound to their request (a page captured for another cursor
or device is refused), form ids that need percent-encoding, key rotations followed, and a server whose keys were
replaced stopping the run with its own, non-transient error (CLI and vault state)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fault_proxy import FaultProxy, FaultRates
from server_harness import ServerProcess, server_cli
from tests.sync.support import PASSPHRASE, fast_connect
from records import register

from desktop_app.records import form_store
from desktop_app.services import sync as sync_service
from desktop_app.sync import errors, store
from desktop_app.vault.registrations import count_unsynced
from waypoint_core.xlsform import convert_xlsform, read_xform_header

FORMS = Path(__file__).resolve().parents[2] / "forms"
QUIET = FaultRates(drop_request=0, truncate_request=0, delay=0, drop_response=0, truncate_response=0, duplicate=0)


def connection_for(vault, url: str, **overrides):
    credentials = store.load_credentials(vault)
    return fast_connect(**overrides)(url, device_id=credentials.device_id, device_key=credentials.device_key,
                                     server_signing_key=credentials.server_signing_key,
                                     server_keys=credentials.server_keys)


def test_a_page_captured_for_another_request_is_refused(enrolled, server):
    """The issue's attack: a validly signed page captured for one cursor, handed back for another. Bound answers
    make it fail for another cursor, another device, or the same request later."""
    writer = enrolled("capture-writer")
    for n in range(6):
        register(writer, f"Capture Person {n}", 20 + n)
    sync_service.sync_now(writer, connect=fast_connect())
    victim, other = enrolled("capture-victim"), enrolled("capture-other")
    captured: dict[str, bytes] = {}

    def rewrite(request: bytes, response: bytes) -> bytes:
        if b"GET /v2/changes" not in request:
            return response
        if b"cursor=&" not in request and "page" not in captured:
            captured["page"] = response  # a page answering a later cursor
        return captured.get("page", response)

    with FaultProxy(upstream_port=server.port, rates=QUIET, rewrite=rewrite) as proxy:
        connection = connection_for(victim, proxy.url)
        first = connection.pull(cursor="", limit=3)
        assert first.has_more and len(first.changes) == 3
        later = connection.pull(cursor=first.next_cursor, limit=3)  # captured on its way
        assert later.since == first.next_cursor
        with pytest.raises(errors.BadServerAnswer, match="this request"):
            connection.pull(cursor="", limit=3)  # the captured page handed back for cursor ""
        with pytest.raises(errors.BadServerAnswer):
            connection_for(other, proxy.url).pull(cursor="", limit=3)  # ...or to another device
        connection.close()
        with pytest.raises(errors.GaveUp):
            sync_service.sync_now(other, connect=lambda url, **kw: fast_connect()(proxy.url, **kw))
    assert store.cursor(other) == ""  # nothing of the substituted page was stored
    summary = sync_service.sync_now(other, connect=fast_connect())
    assert summary.pulled >= 6


def test_form_ids_that_need_percent_encoding_are_installed(enrolled, server_admin, tmp_path):
    vault = enrolled("encoded-forms")
    names = []
    for source, form_id in (("referral.md", "enquête"), ("assistance_event.md", "my form")):
        xform = convert_xlsform(FORMS / source).xform
        header = read_xform_header(xform)
        xform = xform.replace(f'id="{header.form_id}"', f'id="{form_id}"')
        path = tmp_path / f"{source}.xml"
        path.write_text(xform, "utf-8")
        server_admin.run("form", "publish", str(path), "--form-id", form_id, "--version", header.version)
        names.append(f"{form_id} {header.version}")
    summary = sync_service.sync_now(vault, connect=fast_connect())
    assert set(names) <= set(summary.forms_installed), summary.forms_refused
    assert {"enquête", "my form"} <= {f.form_id for f in form_store.list_forms(vault)}


@pytest.fixture
def own_server(tmp_path):
    """A server of this test's own (its keys change)."""
    data = tmp_path / "server"
    server = ServerProcess(data_dir=data).start()
    server_cli(data, "admin", "centre", "add", "Dosso", extra_env=server.extra_env)
    yield server
    server.stop()


def enrol_on(vault, server: ServerProcess) -> None:
    code = server_cli(server.data_dir, "admin", "enrol-code", "--centre", "Dosso").stdout.strip()
    sync_service.enrol(vault, server_url=server.url, code=code)


def test_devices_follow_a_key_rotation_and_pin_the_new_keys(make_vault, own_server):
    vault = make_vault("rotation")
    enrol_on(vault, own_server)
    register(vault, "Rotation Person", 41)
    sync_service.sync_now(vault, connect=fast_connect())
    before = store.load_credentials(vault).server_keys
    own_server.stop()
    rotated = json.loads(server_cli(own_server.data_dir, "admin", "rotate-keys").stdout)
    own_server.start()
    register(vault, "Rotation Person 2", 42)
    summary = sync_service.sync_now(vault, connect=fast_connect())
    assert summary.acknowledged == 1 and count_unsynced(vault) == 0
    after = store.load_credentials(vault).server_keys
    assert before["signing_key_id"] == rotated["previous_signing_key_id"]
    assert after["signing_key_id"] == rotated["signing_key_id"] and after["batch_key_id"] == rotated["batch_key_id"]


def test_a_server_whose_keys_were_replaced_stops_the_cli_with_its_own_error(make_vault, own_server):
    vault = make_vault("replaced")
    enrol_on(vault, own_server)
    sync_service.sync_now(vault, connect=fast_connect())
    register(vault, "Replaced Keys Person", 37)
    path = vault.path
    vault.close()
    own_server.stop()
    for key in [*own_server.data_dir.glob("keys/signing-*.key"), *own_server.data_dir.glob("keys/batch-*.key")]:
        key.unlink()
    server_cli(own_server.data_dir, "admin", "init", "--new-keys")
    own_server.start()
    env = {**os.environ, "WAYPOINT_PASSPHRASE": PASSPHRASE}
    synced = subprocess.run([sys.executable, "-m", "desktop_app.cli", "sync", "--vault", str(path), "--user", "admin"],
                            env=env, capture_output=True, text=True, timeout=300)
    assert synced.returncode == 2 and "The server's key changed" in synced.stderr
    assert "enrol this laptop again" in synced.stderr
    status = subprocess.run([sys.executable, "-m", "desktop_app.cli", "sync", "--vault", str(path), "--user", "admin",
                             "--status"], env=env, capture_output=True, text=True, timeout=300)
    assert json.loads(status.stdout)["unsynced"] == 1  # nothing lost, nothing marked sent
