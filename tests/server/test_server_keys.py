"""Server keys handled like keys: only `admin init` creates them, `serve` refuses to start without exactly the keys the
database names (and says what to restore), rotation is signed by the old key and followed by devices."""

from __future__ import annotations

import json
import os
import shutil
import uuid

import pytest
from server_harness import ServerProcess, enrol_client, server_cli
from sim_device import DeviceClient

from desktop_app.sync import errors
from desktop_app.sync.transport import ServerConnection
from waypoint_core.protocol import Op, PublishedForm

XFORM = ("<h:html xmlns='http://www.w3.org/2002/xforms' xmlns:h='http://www.w3.org/1999/xhtml'><h:head>"
         "<h:title>Intake</h:title><model><instance><data id='intake'><name/></data></instance></model></h:head>"
         "<h:body/></h:html>")


def serve_once(data_dir, *, database_url=None):
    """`serve` as an administrator starts it; returns the finished process when it refuses to start."""
    return server_cli(data_dir, "serve", "--port", "1", database_url=database_url, check=False)


def enrolled(server: ServerProcess, data_dir) -> DeviceClient:
    return enrol_client(server, f"sqlite:///{data_dir / 'server.db'}")


def one_op(seq: int) -> Op:
    return Op(op_id=str(uuid.uuid4()), device_seq=seq, record_id=str(uuid.uuid4()), op="upsert", record_version=1,
              base_version=None, form_id="registration", form_version="1", hlc=seq, fields={"n": seq})


def test_serve_never_makes_keys(tmp_path):
    refused = serve_once(tmp_path / "new")
    assert refused.returncode == 2 and "admin init" in refused.stderr
    # the same words meet a mistyped data folder and a rebuilt host, where `admin init` would orphan every laptop
    assert str(tmp_path / "new") in refused.stderr and "check --data-dir" in refused.stderr
    assert "A rebuilt host: do not run `admin init`" in refused.stderr and "admin restore" in refused.stderr
    assert not (tmp_path / "new" / "keys").exists() or not any((tmp_path / "new" / "keys").iterdir())
    init = server_cli(tmp_path / "new", "admin", "init")
    made = json.loads(init.stdout)
    assert made["created"] == ["signing", "batch", "data"]
    assert f"back up {tmp_path / 'new' / 'keys'} now" in init.stderr and "Next: `admin centre add`" in init.stderr
    again = json.loads(server_cli(tmp_path / "new", "admin", "init").stdout)
    assert again["created"] == [] and again["signing_key_id"] == made["signing_key_id"]
    # --new-keys with every key at hand: it replaces nothing, and says so and what changes keys
    kept = server_cli(tmp_path / "new", "admin", "init", "--new-keys")
    assert json.loads(kept.stdout)["created"] == [] and "nothing replaced" in kept.stderr
    assert "admin rotate-keys" in kept.stderr
    backed_up = server_cli(tmp_path / "new", "admin", "backup", str(tmp_path / "b.wpbackup"))
    assert "It holds no key: keep" in backed_up.stderr and "devices.journal" in backed_up.stderr


def test_a_host_rebuilt_without_its_keys_refuses_to_start_and_says_what_to_restore(tmp_path):
    data = tmp_path / "data"
    with ServerProcess(data_dir=data) as server:
        enrolled(server, data).close()
    keys = sorted(p.name for p in (data / "keys").iterdir())
    shutil.move(data / "keys", tmp_path / "keys-backup")
    refused = serve_once(data)
    assert refused.returncode == 2
    for name in keys:
        assert name in refused.stderr  # each missing file named
    assert "Restore the keys folder" in refused.stderr and "cannot be read" in refused.stderr
    assert not any((data / "keys").glob("*.key"))  # nothing made in their place
    init = server_cli(data, "admin", "init", check=False)
    assert init.returncode == 2 and "Restore the keys folder" in init.stderr
    shutil.rmtree(data / "keys")
    shutil.move(tmp_path / "keys-backup", data / "keys")
    with ServerProcess(data_dir=data):
        pass  # restored: it starts


def test_a_different_key_in_place_is_refused(tmp_path):
    data = tmp_path / "data"
    server_cli(data, "admin", "init")
    other = tmp_path / "other"
    server_cli(other, "admin", "init")
    [signing] = (data / "keys").glob("signing-*.key")
    [foreign] = (other / "keys").glob("signing-*.key")
    shutil.copyfile(foreign, signing)
    os.chmod(signing, 0o600)
    refused = serve_once(data)
    assert refused.returncode == 2 and "does not hold signing key" in refused.stderr


def test_a_key_file_others_can_read_is_refused(tmp_path):
    data = tmp_path / "data"
    server_cli(data, "admin", "init")
    [signing] = (data / "keys").glob("signing-*.key")
    os.chmod(signing, 0o644)
    refused = serve_once(data)
    assert refused.returncode == 2 and "can be read by other accounts" in refused.stderr and "chmod 600" in refused.stderr


def test_lost_signing_keys_replaced_on_purpose_then_devices_must_enrol_again(tmp_path):
    data = tmp_path / "data"
    with ServerProcess(data_dir=data) as server:
        device = enrolled(server, data)
        pinned = device.server_signing_key
    for path in [*(data / "keys").glob("signing-*.key"), *(data / "keys").glob("batch-*.key")]:
        path.unlink()
    assert serve_once(data).returncode == 2
    replaced = server_cli(data, "admin", "init", "--new-keys")
    assert json.loads(replaced.stdout)["created"] == ["signing", "batch"] and "enrolled again" in replaced.stderr
    with ServerProcess(data_dir=data) as server:
        device.base_url = server.url
        answer = device.signed_get("/v2/forms")
        assert answer.status_code == 200 and not device.answer_valid(answer)  # not the key it pinned
        connection = ServerConnection(server.url, device_id=device.device_id, device_key=device.key,
                                      server_signing_key=pinned,
                                      server_keys={"signing_key": pinned, "signing_key_id": _kid(pinned),
                                                   "batch_key": pinned, "batch_key_id": _kid(pinned)})
        with pytest.raises(errors.ServerKeyChanged) as changed:
            connection.with_retries(connection.forms)
        assert not changed.value.transient and "enrol this laptop again" in str(changed.value)
        connection.close()
        device.close()


def _kid(public: str) -> str:
    from waypoint_core.protocol import key_id

    return key_id(public)


def test_rotated_keys_are_followed_by_devices(tmp_path):
    data = tmp_path / "data"
    xform = tmp_path / "intake.xml"
    xform.write_text(XFORM, "utf-8")
    with ServerProcess(data_dir=data) as server:
        device = enrolled(server, data)
        server_cli(data, "admin", "form", "publish", str(xform), "--form-id", "intake", "--version", "1")
        enrolment = {"signing_key": device.server_signing_key}
    old_signing = {p.name for p in (data / "keys").glob("signing-*.key")}
    rotated = json.loads(server_cli(data, "admin", "rotate-keys").stdout)
    assert not (old_signing & {p.name for p in (data / "keys").glob("signing-*.key")})  # the old one is gone
    assert len(list((data / "keys").glob("batch-*.key"))) == 2  # kept for batches already sealed to it
    with ServerProcess(data_dir=data) as server:
        pinned = enrolment["signing_key"]
        keys = {"signing_key": pinned, "signing_key_id": _kid(pinned), "batch_key": pinned,
                "batch_key_id": _kid(pinned)}
        connection = ServerConnection(server.url, device_id=device.device_id, device_key=device.key,
                                      server_signing_key=pinned, server_keys=keys)
        listing = connection.forms()
        assert connection.rotated_keys is not None
        assert connection.rotated_keys.signing_key_id == rotated["signing_key_id"] == _kid(connection.server_signing_key)
        form = connection.form("intake", "1")  # signed again with the new key at rotation
        assert isinstance(form, PublishedForm) and [f.form_id for f in listing.forms] == ["intake"]
        connection.close()
        device.close()


def test_a_backup_older_than_a_rotation_restored_on_a_rebuilt_host_keeps_every_laptop(tmp_path):
    # The documented order: a database backup, later a rotation and then keys/ backed up again (the rotation deleted
    # the old signing key's file). The host is rebuilt: keys/ and devices.journal from their backup, then `admin
    # restore` of the older database backup. That database names the deleted key and not the rotation; it once
    # refused to start, and the only way out, new keys, meant enrolling every laptop again.
    data, rebuilt = tmp_path / "data", tmp_path / "rebuilt"
    xform = tmp_path / "intake.xml"
    xform.write_text(XFORM, "utf-8")
    with ServerProcess(data_dir=data) as server:
        device = enrolled(server, data)
        server_cli(data, "admin", "form", "publish", str(xform), "--form-id", "intake", "--version", "1")
        pinned = device.server_signing_key
        server_cli(data, "admin", "backup", str(tmp_path / "before-rotation.wpbackup"))
    rotated = json.loads(server_cli(data, "admin", "rotate-keys").stdout)
    assert (data / "keys" / f"rotation-{rotated['signing_key_id']}.json").stat().st_mode & 0o077 == 0
    rebuilt.mkdir(mode=0o700)
    shutil.copytree(data / "keys", rebuilt / "keys")  # the keys/ backup taken after the rotation
    shutil.copy2(data / "devices.journal", rebuilt / "devices.journal")
    restored = server_cli(rebuilt, "admin", "restore", str(tmp_path / "before-rotation.wpbackup"), "--yes",
                          check=False)
    assert restored.returncode == 0, restored.stderr
    assert json.loads(restored.stdout)["rotations_adopted"] == [rotated["signing_key_id"]]
    with ServerProcess(data_dir=rebuilt) as server:
        keys = {"signing_key": pinned, "signing_key_id": _kid(pinned), "batch_key": pinned, "batch_key_id": _kid(pinned)}
        connection = ServerConnection(server.url, device_id=device.device_id, device_key=device.key,
                                      server_signing_key=pinned, server_keys=keys)
        listing = connection.forms()  # the laptop that pinned the old key follows the rotation, as before the loss
        assert connection.rotated_keys is not None and connection.rotated_keys.signing_key_id == rotated["signing_key_id"]
        assert [f.form_id for f in listing.forms] == ["intake"]
        assert isinstance(connection.form("intake", "1"), PublishedForm)  # signed with the new key again
        connection.close()
        device.close()
