"""A case closed on one laptop is closed on the other after sync: the status change is a record of its own that
travels through the real server, and the other laptop's case file reads it."""

from __future__ import annotations

from desktop_app.services import casefile
from desktop_app.services import sync as sync_service
from desktop_app.vault.models import CASE_STATUS_FORM
from desktop_app.vault.registrations import get_registration
from tests.desk.people import save_people
from tests.desk.test_desk_review import pair_of_people
from tests.sync.support import fast_connect, sqlite_backend

# SQLite only: the case file reading the status record is the laptop's; records travelling through the
# server on both databases are tested in test_sync_client.py and tests/server.
backend = sqlite_backend()


def test_a_closed_case_is_closed_on_every_laptop(enrolled):
    a, b = enrolled("case-a"), enrolled("case-b")
    person, _ = pair_of_people()
    save_people(a, [person])
    change = casefile.close_case(a, person.id, reason="returned", note="AVRR flight")
    sync_service.sync_now(a, connect=fast_connect())
    sync_service.sync_now(b, connect=fast_connect())
    pulled = get_registration(b, change)
    assert pulled is not None and pulled.form_id == CASE_STATUS_FORM
    seen = casefile.case_file(b, person.id)
    assert seen.closed and seen.state_reason == "returned"
    casefile.reopen_case(b, person.id, reason="came_back")
    sync_service.sync_now(b, connect=fast_connect())
    sync_service.sync_now(a, connect=fast_connect())
    again = casefile.case_file(a, person.id)
    assert not again.closed and [e.what for e in again.entries if e.kind == "status"] == ["closed", "reopened"]
