"""A sync with nothing to do, against the real server on loopback: what it reads and writes on the laptop, what it
leaves to the next run, and the HTTP connection it keeps for the next one (docs/sync-client.md, "The quiet run")."""

from __future__ import annotations

import pytest
from records import register
from sqlalchemy import event
from tests.sync.support import FAST_RETRY, fast_connect, sqlite_backend

from desktop_app.services import sync as sync_service
from desktop_app.sync import transport
from desktop_app.vault.registrations import count_unsynced

# SQLite only: what a quiet run reads and writes is the laptop's, and the HTTP session kept is the
# client's; the server's answers on both databases are tested in tests/server/test_server_sync.py and test_sync_client.py.
backend = sqlite_backend()


def _transactions(vault) -> dict[str, int]:
    """BEGINs on the vault's read and write connections from now on (SQLAlchemy's own events, nothing replaced)."""
    counts = {"read": 0, "write": 0}
    for name, engine in (("read", vault._read_engine), ("write", vault._write_engine)):
        event.listen(engine, "begin", lambda conn, name=name: counts.__setitem__(name, counts[name] + 1))
    return counts


def test_a_quiet_run_reads_in_one_transaction_and_writes_once(enrolled):
    vault = enrolled("quiet-transactions")
    register(vault, "Amina Quiet", 31)
    sync_service.sync_now(vault, connect=fast_connect())
    sync_service.sync_now(vault, connect=fast_connect())
    counts = _transactions(vault)
    quiet = sync_service.sync_now(vault, connect=fast_connect())
    assert (quiet.pushed, quiet.pulled, quiet.received) == (0, 0, 0)
    # what it has to do, read before its request; its own entry and summary (audit_upload.note_run)
    assert counts == {"read": 1, "write": 1}


def test_a_run_that_pulls_reads_what_is_left_again(enrolled):
    """A pull that stores changes makes the run read again what it has left to do (here: nothing more to send)."""
    a, b = enrolled("quiet-sender"), enrolled("quiet-receiver")
    sync_service.sync_now(b, connect=fast_connect())
    register(a, "Moussa Pulled", 40)
    sync_service.sync_now(a, connect=fast_connect())
    counts = _transactions(b)
    pulled = sync_service.sync_now(b, connect=fast_connect())
    assert pulled.pulled == 1 and pulled.pushed == 0
    assert counts["read"] == 2  # before the request, and after the page was stored
    assert sync_service.sync_now(b, connect=fast_connect()).pulled == 0


class _SavingWhilePulling(sync_service.ServerConnection):
    """The real connection; while its first pull is on the wire, someone saves a registration on the laptop."""

    def __init__(self, *args, vault, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.vault = vault

    def pull(self, **kwargs):
        if self.vault is not None:
            register(self.vault, "Saved Meanwhile", 22)
            self.vault = None
        return super().pull(**kwargs)


def test_a_record_saved_while_a_quiet_run_pulls_goes_with_the_next_run(enrolled):
    """A quiet run decides what it has to do from what it read before its request: what is saved while the request
    is on the wire is not lost, and goes with the next run."""
    vault = enrolled("quiet-saved-meanwhile")
    sync_service.sync_now(vault, connect=fast_connect())

    def connect(url, **kwargs):
        return _SavingWhilePulling(url, **{"retry": FAST_RETRY, **kwargs}, vault=vault)

    quiet = sync_service.sync_now(vault, connect=connect)
    assert quiet.pushed == 0 and count_unsynced(vault) == 1
    assert sync_service.sync_now(vault, connect=fast_connect()).acknowledged == 1
    assert count_unsynced(vault) == 0


def test_a_connection_keeps_its_http_session_for_the_next_to_the_same_server(server):
    kept = transport.KeptSessions(idle_s=60)
    first = transport.ServerConnection(server.url, kept=kept)
    first.health()
    session = first._http
    first.close()
    second = transport.ServerConnection(server.url, kept=kept)
    assert second._http is session  # the probe's connection serves the run that follows it
    second.health()
    second.close()
    other_trust = transport.ServerConnection(server.url, ca_bundle="/nonexistent/bundle.pem", kept=kept)
    assert other_trust._http is not session
    other_trust.close()
    expiring = transport.KeptSessions(idle_s=0)  # kept no longer than the server keeps its side open
    third = transport.ServerConnection(server.url, kept=expiring)
    third.close()
    assert transport.ServerConnection(server.url, kept=expiring)._http is not third._http


def test_a_connection_that_failed_is_not_kept():
    kept = transport.KeptSessions(idle_s=60)
    unreachable = transport.ServerConnection("http://127.0.0.1:9", kept=kept,
                                             retry=sync_service.RetryPolicy(max_attempts=1))
    with pytest.raises(sync_service.errors.ServerUnreachable):
        unreachable.health()
    session = unreachable._http
    unreachable.close()
    assert transport.ServerConnection("http://127.0.0.1:9", kept=kept)._http is not session
