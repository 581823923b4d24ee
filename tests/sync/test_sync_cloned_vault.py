"""One vault on two machines (a clone: a disk image, a backup put onto a second laptop): both copies hold the same
device id, key and sequence numbers, and both go on registering people and syncing. Against the real server on
loopback (SQLite and PostgreSQL: the server keeps the forks on the device row, server migration 0019):

- the first copy to send after the other is taken for a vault put back from an older copy: its changes are numbered
  again after the server's high-water mark and go through (sync_server/forks.py notes the fork);
- the other copy, when it sends again, holds acknowledgements of the line the first one forked from: a second live
  copy. It is refused with its own error (`device_cloned`, DeviceCloned: never the server-restore path), nothing of
  it stored, a sentence in English and French saying to enrol it again; enrolled again with a new code it keeps its
  outbox and records, and they go through;
- a change one copy froze before it saw the other's is merged with it on the server, never written over it.
Nothing of either copy is lost: every laptop ends with the union (docs/sync-protocol.md, "One vault on two
machines").
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from records import register
from tests.sync.support import PASSPHRASE, fast_connect

from desktop_app.services import devices
from desktop_app.services import sync as sync_service
from desktop_app.sync import errors, store
from desktop_app.vault import Vault
from desktop_app.vault.registrations import count_unsynced, get_registration


def _copied(vault: Vault, tmp_path, name: str) -> tuple[Vault, Vault]:
    """The vault folder copied whole while the app is closed: (the original, the copy), both unlocked."""
    path = vault.path
    vault.close()
    shutil.copytree(path, tmp_path / name)
    return (Vault.unlock(path, username="admin", passphrase=PASSPHRASE),
            Vault.unlock(tmp_path / name, username="admin", passphrase=PASSPHRASE))


def _sync(vault: Vault):
    return sync_service.sync_now(vault, connect=fast_connect())


def _forks(server_admin, device_id: str) -> list[str]:
    """The device's forks as an administrator sees them (`waypoint-server admin devices`)."""
    devices = [json.loads(line) for line in server_admin.run("devices").splitlines()]
    return [fork["kind"] for fork in next(d for d in devices if d["id"] == device_id).get("forks", [])]


def _cloned_at(vault: Vault, device_id: str) -> str:
    """What a coordinator's Devices screen is told of that device (GET /v2/devices)."""
    connection, _ = devices.open_devices(vault, connect=fast_connect())
    try:
        return next(d for d in devices.list_devices(connection) if d.device_id == device_id).cloned_at
    finally:
        connection.close()


def _people(vault: Vault, ids: dict[str, str]) -> dict[str, tuple[str, int]]:
    found = {}
    for name, record_id in ids.items():
        record = get_registration(vault, record_id)
        found[name] = (record.title, record.age) if record is not None else None
    return found


def test_a_second_live_copy_gets_its_own_error_and_enrolled_again_loses_nothing(
        enrolled, new_code, server, server_admin, tmp_path):
    original, colleague = enrolled("original"), enrolled("colleague")
    ids = {"before": register(original, "Clone Before", 20).id}
    assert _sync(original).acknowledged == 1
    original, copy = _copied(original, tmp_path, "copy-on-second-laptop")
    device_id = store.load_credentials(copy).device_id
    try:
        ids["x"] = register(original, "Clone Original X", 21).id
        assert _sync(original).acknowledged == 1  # device_seq 2

        # The copy numbers its first change 2 too: refused, numbered 3, sent again in the same run.
        ids["y"] = register(copy, "Clone Copy Y", 22).id
        first = _sync(copy)
        assert first.acknowledged == 1 and first.renumbered == 1 and count_unsynced(copy) == 0
        assert _forks(server_admin, device_id) == ["rewound"]
        assert _cloned_at(colleague, device_id) == ""  # a vault put back, as far as anyone can tell yet

        # The original comes back: it holds the acknowledgement of 2, which the copy's line left behind.
        ids["z"] = register(original, "Clone Original Z", 23).id
        with pytest.raises(errors.DeviceCloned) as cloned:
            _sync(original)
        assert not cloned.value.transient and cloned.value.error == "device_cloned"
        assert "also in use on another computer" in str(cloned.value) and "enrol --again" in str(cloned.value)
        assert "aussi utilisé sur un autre ordinateur" in cloned.value.french
        assert count_unsynced(original) == 1  # kept, not sent, not acknowledged
        # It had pulled the copy's change before it was refused: the run records that, and that it was refused (the
        # error's class, never its message); nothing it pushed.
        refused = store.status(original)
        assert (refused["last_sync"]["failed"], refused["last_sync"]["pulled"], refused["last_sync"]["pushed"]) == (
            "DeviceCloned", 1, 0)
        # `waypoint sync` says it in English and in French, exit 2; the change stays counted as unsynced.
        path = original.path
        original.close()
        env = {**os.environ, "WAYPOINT_PASSPHRASE": PASSPHRASE}
        cli = subprocess.run([sys.executable, "-m", "desktop_app.cli", "sync", "--vault", str(path), "--user", "admin"],
                             env=env, capture_output=True, text=True, timeout=300)
        assert cli.returncode == 2 and cli.stdout == ""
        assert "also in use on another computer (it was copied)" in cli.stderr
        assert "aussi utilisé sur un autre ordinateur (il a été copié)" in cli.stderr
        assert "waypoint enrol --again" in cli.stderr
        # `waypoint sync --status` (no network) says what that contact learned, not only `enrolled: true`.
        told = subprocess.run([sys.executable, "-m", "desktop_app.cli", "sync", "--vault", str(path), "--user",
                               "admin", "--status"], env=env, capture_output=True, text=True, timeout=300)
        status = json.loads(told.stdout)
        assert status["enrolled"] and (status["refused"], status["cloned"], status["revoked"]) == (
            "cloned", True, False)
        # The CLI's run was refused before it got anything done: it recorded nothing; the run before it is what shows.
        assert (status["last_sync"], status["last_sync_at"]) == (refused["last_sync"], refused["last_sync_at"])
        original = Vault.unlock(path, username="admin", passphrase=PASSPHRASE)
        assert count_unsynced(original) == 1
        assert _forks(server_admin, device_id) == ["rewound", "cloned"]
        assert len(_cloned_at(colleague, device_id)) == 19  # when, to the second (ISO, UTC)
        _sync(colleague)
        assert get_registration(colleague, ids["z"]) is None  # nothing of the refused batch was stored

        # Enrolled again with a new code: a new device; its unsent change goes, nothing is sent twice.
        sync_service.enrol(original, server_url=server.url, code=new_code("Agadez"), device_name="original again",
                           again=True)
        assert store.load_credentials(original).device_id != device_id
        assert store.status(original)["refused"] is None and not store.status(original)["cloned"]
        _sync(original)
        assert count_unsynced(original) == 0
        # The copy carries on as the old device.
        ids["w"] = register(copy, "Clone Copy W", 24).id
        assert _sync(copy).acknowledged == 1 and count_unsynced(copy) == 0

        expected = {"before": ("Clone Before", 20), "x": ("Clone Original X", 21), "y": ("Clone Copy Y", 22),
                    "z": ("Clone Original Z", 23), "w": ("Clone Copy W", 24)}
        for laptop in (original, copy, colleague):
            _sync(laptop)
            assert _people(laptop, ids) == expected
            assert count_unsynced(laptop) == 0
        # Nothing was applied twice (a second application would be a second version).
        assert {name: get_registration(colleague, ids[name]).server_version for name in expected} == dict.fromkeys(
            expected, 1)
        assert _forks(server_admin, device_id) == ["rewound", "cloned"]  # the copy's later runs forked nothing more
    finally:
        copy.close()
        original.close()


def _push_fails(url, **kwargs):
    """The real connection, except that every push is lost on the way (the batch stays frozen in the vault)."""
    connection = fast_connect()(url, **kwargs)

    def lost(body):
        raise errors.ServerUnreachable("push lost in a test")

    connection.push = lost
    return connection


def test_a_change_one_copy_froze_before_it_saw_the_others_is_merged_not_written_over(enrolled, tmp_path):
    original, colleague = enrolled("original"), enrolled("colleague")
    person = register(original, "Merge Person", 30).id
    assert _sync(original).acknowledged == 1
    original, copy = _copied(original, tmp_path, "copy-on-second-laptop")
    try:
        # The copy changes the phone number and freezes that op, but it never reaches the server.
        register(copy, "Merge Person", 30, record_id=person, phone="+227 555")
        with pytest.raises(errors.GaveUp):
            sync_service.sync_now(copy, connect=_push_fails)
        # Meanwhile the original changes the age, under the same device and the same number.
        register(original, "Merge Person", 41, record_id=person)
        assert _sync(original).acknowledged == 1
        # The copy's frozen op is refused, numbered again, and merged with the original's change on the server.
        summary = _sync(copy)
        assert summary.acknowledged == 1 and summary.renumbered == 1 and count_unsynced(copy) == 0
        for laptop in (colleague, original, copy):
            _sync(laptop)
            record = get_registration(laptop, person)
            assert record.age == 41, laptop.path.name
            assert "<age>41</age>" in record.content and "<phone>+227 555</phone>" in record.content
    finally:
        copy.close()
        original.close()


def test_a_change_waiting_in_both_copies_is_never_taken_for_a_replay(enrolled, tmp_path):
    """The vault was copied while a change waited to be sent (queued, not frozen yet): both copies hold the same
    pending op. Each copy then saves the record again, differently, and sends it under the same device_seq. The
    server must not answer the second with the first's stored result (a replay: the second copy's change would be
    acknowledged and never applied, silently)."""
    original, colleague = enrolled("original"), enrolled("colleague")
    person = register(original, "Waiting Person", 30).id
    assert _sync(original).acknowledged == 1
    register(original, "Waiting Person", 30, record_id=person, nationality="ML")  # queued, not sent
    original, copy = _copied(original, tmp_path, "copy-on-second-laptop")
    try:
        register(original, "Waiting Person", 32, record_id=person, nationality="ML")
        assert _sync(original).acknowledged == 1  # device_seq 2
        register(copy, "Waiting Person", 30, record_id=person, nationality="ML", phone="+227 777")
        summary = _sync(copy)
        assert summary.acknowledged == 1 and summary.renumbered == 1 and count_unsynced(copy) == 0
        assert summary.conflicts == 0
        for laptop in (colleague, copy):
            _sync(laptop)
            record = get_registration(laptop, person)
            assert "<phone>+227 777</phone>" in record.content, laptop.path.name
            assert record.age == 32 and "<age>32</age>" in record.content and record.nationality == "ML"
    finally:
        copy.close()
        original.close()


def test_a_laptop_put_back_from_its_own_backup_with_a_change_waiting_sends_it_again(enrolled, tmp_path):
    """Backed up while a change waited to be sent; after the backup the laptop changed the record again and sent it;
    then the backup was put back and the record changed once more. The server holds the later change under that
    op's number: the put-back laptop's change is sent as a new op and merged, not acknowledged as a replay."""
    laptop, colleague = enrolled("laptop"), enrolled("colleague")
    person = register(laptop, "Backup Person", 30).id
    assert _sync(laptop).acknowledged == 1
    register(laptop, "Backup Person", 30, record_id=person, nationality="ML")  # waiting when the backup is taken
    path = laptop.path
    laptop.close()
    shutil.copytree(path, tmp_path / "backup")
    laptop = Vault.unlock(path, username="admin", passphrase=PASSPHRASE)
    register(laptop, "Backup Person", 33, record_id=person, nationality="ML")
    assert _sync(laptop).acknowledged == 1
    laptop.close()
    shutil.rmtree(path)
    shutil.copytree(tmp_path / "backup", path)
    laptop = Vault.unlock(path, username="admin", passphrase=PASSPHRASE)
    try:
        register(laptop, "Backup Person", 30, record_id=person, nationality="ML", phone="+227 888")
        summary = _sync(laptop)
        assert summary.acknowledged == 1 and summary.renumbered == 1 and count_unsynced(laptop) == 0
        assert summary.conflicts == 0
        for each in (colleague, laptop):
            _sync(each)
            record = get_registration(each, person)
            assert "<phone>+227 888</phone>" in record.content and record.age == 33, each.path.name
    finally:
        laptop.close()


def test_a_laptop_put_back_twice_from_the_same_backup_is_never_taken_for_a_clone(enrolled, server_admin, tmp_path):
    """An administrator puts the same backup back twice (the first attempt was not the end of it): each time the
    laptop's numbering forks at the same seq, which is no second live copy. Its new changes go through both times."""
    laptop, colleague = enrolled("laptop"), enrolled("colleague")
    ids = {"before": register(laptop, "Twice Before", 20).id}
    assert _sync(laptop).acknowledged == 1
    device_id = store.load_credentials(laptop).device_id
    path = laptop.path
    laptop.close()
    shutil.copytree(path, tmp_path / "backup")
    laptop = Vault.unlock(path, username="admin", passphrase=PASSPHRASE)
    ids["lost"] = register(laptop, "Twice Lost", 21).id
    assert _sync(laptop).acknowledged == 1
    for n, name in enumerate(("Twice First", "Twice Second")):
        laptop.close()
        shutil.rmtree(path)
        shutil.copytree(tmp_path / "backup", path)
        laptop = Vault.unlock(path, username="admin", passphrase=PASSPHRASE)
        ids[name] = register(laptop, name, 30 + n).id
        summary = _sync(laptop)  # never DeviceCloned
        assert summary.acknowledged == 1 and summary.renumbered == 1 and count_unsynced(laptop) == 0
    try:
        assert _forks(server_admin, device_id) == ["rewound", "rewound"]
        _sync(colleague)
        for each in (laptop, colleague):
            assert _people(each, ids) == {"before": ("Twice Before", 20), "lost": ("Twice Lost", 21),
                                          "Twice First": ("Twice First", 30), "Twice Second": ("Twice Second", 31)}
    finally:
        laptop.close()
