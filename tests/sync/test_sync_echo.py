"""The echo pull (docs/sync-protocol.md, "Pull"): a run's pull names the ops this run had acknowledged (`own`), and
the server leaves out the versions they made as sent. Against the real server on loopback: a laptop restored from an
older backup of its vault still receives its own later changes (only what it had acknowledged in the run is left
out), and a version the server merged with another laptop's change still comes back to the laptop that sent it. The
restored laptop's run completes: its audit log, forked from the copy the server holds, goes up as a new branch
(tests/sync/test_sync_audit.py has the details)."""

from __future__ import annotations

import shutil

import pytest
from records import register
from tests.sync.support import PASSPHRASE, fast_connect

from desktop_app.services import sync as sync_service
from desktop_app.sync import errors
from desktop_app.vault import Vault
from desktop_app.vault import audit as log
from desktop_app.vault.sql import Db
from desktop_app.vault.registrations import count_unsynced, get_registration


def _answer_lost(url, **kwargs):
    """The real connection, but the push's answer never arrives (the server stored the batch)."""
    connection = fast_connect(retry=sync_service.RetryPolicy(max_attempts=1))(url, **kwargs)
    push = connection.push

    def push_then_drop(body):
        push(body)
        raise errors.ServerUnreachable("answer lost")

    connection.push = push_then_drop
    return connection


def test_a_laptop_restored_from_an_older_backup_still_receives_its_own_later_changes(enrolled, tmp_path):
    laptop = enrolled("restored-laptop")
    records = [register(laptop, f"Echo Person {n}", 20 + n).id for n in range(4)]
    # The batch reaches the server but its answer is lost: the four ops stay frozen, not acknowledged, here.
    with pytest.raises(errors.GaveUp):
        sync_service.sync_now(laptop, connect=_answer_lost)
    path = laptop.path
    laptop.close()
    backup = tmp_path / "backup-of-the-vault"
    shutil.copytree(path, backup)

    laptop = Vault.unlock(path, username="admin", passphrase=PASSPHRASE)
    sync_service.sync_now(laptop, connect=fast_connect())  # acknowledged now
    for n, record_id in enumerate(records[:2]):
        register(laptop, f"Echo Person {n} edited", 50 + n, record_id=record_id)
    edited = sync_service.sync_now(laptop, connect=fast_connect())
    assert edited.acknowledged == 2
    laptop.close()

    # The vault is put back from the backup: its cursor, its knowledge and its outbox are from before all that.
    shutil.rmtree(path)
    shutil.copytree(backup, path)
    laptop = Vault.unlock(path, username="admin", passphrase=PASSPHRASE)
    pulls: list[tuple] = []

    def recording(url, **kwargs):
        """The real connection; each page's `own` and the records it brought are noted."""
        connection = fast_connect()(url, **kwargs)
        pull = connection.pull

        def noted(**asked):
            page = pull(**asked)
            pulls.append((asked.get("own"), page.own, sorted(c.record_id for c in page.changes)))
            return page

        connection.pull = noted
        return connection

    try:
        sync_service.sync_now(laptop, connect=recording)  # the whole run, the audit log's upload included
        entries = log.entries(laptop, limit=10_000)
        assert entries[0].event == "audit.forked" and laptop_uploaded(laptop) == entries[0].seq
        # Its frozen batch went again and was acknowledged (the server's stored results); the pull named those four
        # ops: the two records whose latest version they made were left out, the two edited since still came.
        assert pulls == [((1, 4), "1-4", sorted(records[:2]))]
        for n, record_id in enumerate(records):
            record = get_registration(laptop, record_id)
            expected = (f"Echo Person {n} edited", 50 + n, 2) if n < 2 else (f"Echo Person {n}", 20 + n, 1)
            assert (record.title, record.age, record.server_version) == expected
            assert record.sync_state == "acknowledged"
        assert count_unsynced(laptop) == 0
    finally:
        laptop.close()


def laptop_uploaded(vault: Vault) -> int:
    """The last entry of the laptop's audit log the server acknowledged holding."""
    with vault.session(readonly=True) as session:
        return log.uploaded(Db.of(session))


def test_the_echo_is_left_out_but_a_merged_version_comes_back(enrolled):
    a, b = enrolled("echo-a", centre="Echo"), enrolled("echo-b", centre="Echo")  # (a centre of their own)
    shared = register(a, "Shared Person", 30).id
    first = sync_service.sync_now(a, connect=fast_connect())
    assert first.acknowledged == 1 and first.received == 0  # its own version was left out of the run's pull
    sync_service.sync_now(b, connect=fast_connect())
    register(b, "Shared Person", 30, record_id=shared, phone="+227 1234")  # b changes the phone
    sync_service.sync_now(b, connect=fast_connect())
    register(a, "Shared Person", 41, record_id=shared)  # a changes the age, on the version before b's
    merged = sync_service.sync_now(a, connect=fast_connect())
    assert merged.acknowledged == 1 and merged.received == 1  # the merged version is not an echo: it came
    record = get_registration(a, shared)
    assert (record.age, record.sync_state) == (41, "acknowledged") and "+227 1234" in record.content


def _pull_drops_after_push(url, **kwargs):
    """The real connection, but once a push has been answered every pull fails (the connection dropped)."""
    connection = fast_connect(retry=sync_service.RetryPolicy(max_attempts=1))(url, **kwargs)
    push, pull = connection.push, connection.pull
    pushed: list[bool] = []

    def push_noted(body):
        answer = push(body)
        pushed.append(True)
        return answer

    def pull_or_drop(**kw):
        if pushed:
            raise errors.ServerUnreachable("connection dropped")
        return pull(**kw)

    connection.push, connection.pull = push_noted, pull_or_drop
    return connection


def test_the_last_answer_is_stored_while_the_echo_pull_is_on_the_way_even_when_that_pull_fails(enrolled):
    """The push's last answer is stored alongside the echo pull's first request (engine._pull's `alongside`): when
    that request fails, the answer is stored all the same, and the next run sends nothing again."""
    laptop = enrolled("echo-drop")
    records = [register(laptop, f"Echo Drop {n}", 30 + n).id for n in range(3)]
    with pytest.raises(errors.GaveUp):
        sync_service.sync_now(laptop, connect=_pull_drops_after_push)
    for record_id in records:
        assert get_registration(laptop, record_id).sync_state == "acknowledged"
    assert count_unsynced(laptop) == 0
    again = sync_service.sync_now(laptop, connect=fast_connect())
    # nothing sent again; its own three versions come back in this run's pull (no `own` range: it sent nothing),
    # each the version this laptop holds already
    assert (again.pushed, again.acknowledged, again.pulled, again.conflicts) == (0, 0, 0, 0)
    assert again.received == 3
