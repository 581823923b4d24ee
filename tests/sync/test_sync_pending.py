"""Issue 8, point 9, through the real server on loopback: only what is meant to travel travels.

Drafts stay on the laptop that made them; saves of a record not yet frozen into a batch replace its pending op, so
ten saves are one op on the wire, one server version and one pulled change on another laptop."""

from __future__ import annotations

from tests.sync.support import fast_connect, sqlite_backend
from records import register

from desktop_app.services import sync as sync_service
from desktop_app.vault.registrations import get_registration
from desktop_app.vault.sql import Db, text

# SQLite only: drafts kept and saves folded into one pending op are the laptop's; the server's versions
# and feed on both databases are tested in tests/server/test_server_sync.py and test_sync_client.py.
backend = sqlite_backend()


def _outbox_rows(vault, record_id: str) -> int:
    with vault.session(readonly=True) as session:
        return Db.of(session).execute(text("SELECT COUNT(*) FROM outbox WHERE record_id = :r"),
                                      {"r": record_id}).scalar_one()


def test_ten_saves_are_one_op_one_server_version_and_one_pulled_change(enrolled):
    a, b = enrolled("ten-saves-a"), enrolled("ten-saves-b")
    record = register(a, "Draft Person", 20, status="draft")
    for age in range(21, 25):  # drafts: they stay here
        register(a, "Draft Person", age, record_id=record.id, status="draft")
    assert _outbox_rows(a, record.id) == 0 and get_registration(a, record.id).sync_state == "local"
    quiet = sync_service.sync_now(a, connect=fast_connect())
    assert quiet.pushed == 0
    assert get_registration(b, record.id) is None
    sync_service.sync_now(b, connect=fast_connect())
    assert get_registration(b, record.id) is None  # an abandoned draft never reaches another laptop

    for age in range(30, 40):  # ten finalized saves before the next sync
        register(a, "Final Person", age, record_id=record.id)
    assert _outbox_rows(a, record.id) == 1
    sent = sync_service.sync_now(a, connect=fast_connect())
    assert (sent.pushed, sent.acknowledged) == (1, 1)
    assert get_registration(a, record.id).server_version == 1

    pulled = sync_service.sync_now(b, connect=fast_connect())
    assert (pulled.pulled, pulled.received) == (1, 1)
    copy = get_registration(b, record.id)
    assert (copy.server_version, copy.age, copy.title) == (1, 39, "Final Person")


def test_drafts_travel_once_an_administrator_allows_sharing_drafts(enrolled):
    """Point 9's exception: an administrator's policy (`waypoint policy share-drafts yes`) lets drafts travel. Each
    save of a draft then replaces its pending op, like a finalized record's; turned off again, drafts stay here."""
    from desktop_app.vault.policy import read as read_policy
    from desktop_app.vault.vault import POLICY_SHARE_DRAFTS

    a, b = enrolled("share-drafts-a"), enrolled("share-drafts-b")
    assert not read_policy(a).share_drafts  # off unless an administrator says so
    a.set_policy(POLICY_SHARE_DRAFTS, True)
    assert read_policy(a).share_drafts
    record = register(a, "Shared Draft Person", 20, status="draft")
    for age in range(21, 25):
        register(a, "Shared Draft Person", age, record_id=record.id, status="draft")
    assert _outbox_rows(a, record.id) == 1 and get_registration(a, record.id).sync_state == "queued"
    sent = sync_service.sync_now(a, connect=fast_connect())
    assert (sent.pushed, sent.acknowledged) == (1, 1)
    sync_service.sync_now(b, connect=fast_connect())
    copy = get_registration(b, record.id)
    assert (copy.status, copy.age, copy.server_version) == ("draft", 24, 1)

    a.set_policy(POLICY_SHARE_DRAFTS, False)
    register(a, "Shared Draft Person", 30, record_id=record.id, status="draft")
    assert get_registration(a, record.id).sync_state == "local"
    assert sync_service.sync_now(a, connect=fast_connect()).pushed == 0
    sync_service.sync_now(b, connect=fast_connect())
    assert get_registration(b, record.id).age == 24  # the later draft stayed on the laptop that made it
