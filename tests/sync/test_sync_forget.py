"""Forgetting after sync (issue 7), against the real server on loopback: a record synced, then its consent
withdrawn, deleted, or purged by the retention period, leaves nothing of the person in the vault folder (every
table, every file including -wal, decrypted with the data key: tests/canary.py), while what field work needs stays.

The server's own forgetting of tombstoned content is its part of the issue (tests/server); here the server's
database is searched where only this laptop decides what it holds (a consent refused before the first sync).
A retention purge sends nothing: the server keeps the organisation's record.
"""

from __future__ import annotations

import json
import random
import string
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desktop_app.records.form_store import install_form
from desktop_app.services import attachments, records as record_service, retention, sync as sync_service
from desktop_app.services import forms as form_service
from desktop_app.vault import audit as audit_log, keyslots
from desktop_app.vault.registrations import get_registration, get_registration_fields
from tests.canary import decrypted_pages_hold, needles, server_leaks, vault_leaks
from tests.forms.test_services import ANSWERS, FORM_ID, filled_session
from desktop_app.vault import Vault
from tests.sync.support import PASSPHRASE, fast_connect, sqlite_backend
from waypoint_core.xlsform import convert_xlsform

# SQLite only: what the laptop forgets, and what it never sends, are the laptop's decisions; the
# server's own forgetting of tombstoned content on both databases is tested in tests/server/test_server_forget.py.
backend = sqlite_backend()

ROOT = Path(__file__).resolve().parents[2]
_rng = random.SystemRandom()


@pytest.fixture(scope="module")
def registration_xform() -> str:
    return convert_xlsform(ROOT / "forms" / "migrant_registration.md").xform


@pytest.fixture
def laptop(enrolled, registration_xform, request):
    # a centre of its own: pulls bring no other test's records
    vault = enrolled("forget", centre=f"Centre {request.node.name[:40]}")
    install_form(vault, xform=registration_xform, source_name="migrant_registration.md", check_role=False)
    return vault


def _word() -> str:
    return "".join(_rng.choice(string.ascii_lowercase) for _ in range(10)).capitalize()


def _person(vault):
    """A finalized registration of a person with random names, a document number, a phone and a scan."""
    given, family = _word(), _word()
    phone = "+227" + "".join(_rng.choice(string.digits) for _ in range(8))
    born = f"19{_rng.randrange(60, 99)}-{_rng.randrange(1, 13):02d}-{_rng.randrange(10, 29)}"
    new_form = form_service.open_new_record_form(vault, FORM_ID)
    session = filled_session(new_form, {**ANSWERS, "identity/given_name": given, "identity/family_name": family,
                                        "identity/id_document_number": f"ID-{family}", "identity/phone": phone,
                                        "identity/date_of_birth": born})
    files = [("passport.jpg", "image/jpeg", f"scan of {given} {family}".encode() * 200)]

    def save(action, record_id=None):
        return action(vault, record_id=record_id, form_id=FORM_ID, form_version=new_form.version,
                      content=session.to_instance_xml(), files=files)

    return session, save, needles(given, family, f"ID-{family}", phone, born)


def _scan(vault):
    return vault.path, vault._dek, keyslots.cipher_page_size(keyslots.load(vault.path))


def _sync(vault):
    return sync_service.sync_now(vault, connect=fast_connect())


def test_consent_withdrawn_after_sync_leaves_nothing_on_the_laptop(laptop):
    session, save, wanted = _person(laptop)
    first = save(record_service.finalize)
    assert _sync(laptop).acknowledged == 1
    folder, key, page_size = _scan(laptop)
    assert vault_leaks(folder, key, page_size, wanted)  # the search sees the person while they are there
    session.answer("/data/consent/consent_services", "no")
    session.answer("/data/consent/legal_basis", "")
    withdrawn = save(record_service.finalize, first.record_id)
    assert withdrawn.personal_data_withheld
    assert vault_leaks(folder, key, page_size, wanted) == []
    assert _sync(laptop).acknowledged == 1  # the gated state travels: the server's current version holds no person
    assert vault_leaks(folder, key, page_size, wanted) == []
    laptop.close()
    assert vault_leaks(folder, key, page_size, wanted) == []


def test_consent_refused_at_the_first_save_then_synced_leaves_nothing(laptop, backend):
    session, save, wanted = _person(laptop)
    session.answer("/data/consent/consent_services", "no")
    session.answer("/data/consent/legal_basis", "")
    refused = save(record_service.finalize)
    assert refused.personal_data_withheld
    assert _sync(laptop).acknowledged == 1
    folder, key, page_size = _scan(laptop)
    assert vault_leaks(folder, key, page_size, wanted) == []
    assert server_leaks(backend.admin_url, backend.data_dir, wanted) == []  # nothing ever left the laptop


def test_a_record_deleted_after_sync_leaves_nothing_on_the_laptop(laptop):
    _session, save, wanted = _person(laptop)
    first = save(record_service.finalize)
    _sync(laptop)
    record_service.delete(laptop, first.record_id)
    folder, key, page_size = _scan(laptop)
    assert vault_leaks(folder, key, page_size, wanted) == []
    assert _sync(laptop).acknowledged == 1  # the tombstone travels
    assert get_registration(laptop, first.record_id).deleted
    assert vault_leaks(folder, key, page_size, wanted) == []


def test_retention_purges_identifying_data_and_keeps_what_field_work_needs(laptop, request):
    session, save, wanted = _person(laptop)
    first = save(record_service.finalize)
    session.answer("/data/identity/phone", "+22790000042")
    save(record_service.finalize, first.record_id)  # a kept version holds the person too
    _other_session, save_other, others = _person(laptop)
    unsent = save_other(record_service.finalize)
    _sync(laptop)
    late = save_other(record_service.finalize, unsent.record_id)  # nothing changed: still acknowledged
    assert not late.changed
    _s3, save_local, local_wanted = _person(laptop)
    save_local(record_service.finalize)  # never sent: the period has not started for it
    retention.set_retention_days(laptop, 30)
    centre = get_registration(laptop, first.record_id).centre  # the laptop's, where the server holds the record
    assert centre == f"Centre {request.node.name[:40]}"  # (a centre the shipped list does not know: its name)

    assert retention.apply_retention(laptop).count == 0  # acknowledged today: not due yet
    purge = retention.apply_retention(laptop, now=datetime.now(UTC) + timedelta(days=31))
    assert set(purge.record_ids) == {first.record_id, unsent.record_id}
    folder, key, page_size = _scan(laptop)
    assert vault_leaks(folder, key, page_size, wanted) == []
    assert vault_leaks(folder, key, page_size, others) == []
    assert decrypted_pages_hold(folder, key, page_size, next(iter(local_wanted.values())))  # not due: kept

    kept = get_registration(laptop, first.record_id)
    assert kept.purged_at == purge.at and not kept.deleted
    assert (kept.sex, kept.nationality, kept.centre, kept.title) == ("female", "ET", centre, None)
    assert "returnee" in kept.content and "serious_medical" not in kept.content  # P1 stays, P3 goes
    assert get_registration_fields(laptop, first.record_id).get("given_name") is None
    assert get_registration_fields(laptop, first.record_id)["age_group"] in ("25_35", "36_59", "60p")
    assert attachments.list_attachments(laptop, first.record_id) == []
    assert [(v.version, v.current) for v in record_service.history(laptop, first.record_id)] == [(1, False),
                                                                                                 (2, True)]
    last = retention.last_purge(laptop)
    assert (last.at, last.count) == (purge.at, 2)
    logged = audit_log.entries(laptop, audit_log.Filter(event_prefix="record.purge"))
    assert {e.record_id for e in logged} == set(purge.record_ids) and audit_log.verify(laptop).ok
    with pytest.raises(record_service.RecordPurged, match="retention"):  # the service refuses first
        save(record_service.finalize, first.record_id)
    assert retention.apply_retention(laptop, now=datetime.now(UTC) + timedelta(days=400)).count == 0  # once

    assert _sync(laptop).pushed == 1  # the record never sent; a purge sends nothing (the server keeps its record)
    laptop.close()
    assert vault_leaks(folder, key, page_size, wanted) == []


def test_waypoint_purge_applies_the_period_as_the_signed_in_user(laptop, capsys):
    from desktop_app.cli import main

    _session, save, wanted = _person(laptop)
    saved = save(record_service.finalize)
    _sync(laptop)
    folder = laptop.path
    laptop.close()
    login = ["--vault", str(folder), "--user", "admin", "--passphrase-file", str(folder.parent / "pass")]
    (folder.parent / "pass").write_text(PASSPHRASE)
    assert main(["purge", *login]) == 0
    assert json.loads(capsys.readouterr().out)["retention_days"] is None  # no period: nothing purged
    assert main(["policy", "retention-days", "0", *login]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "retention-days\t0"
    assert main(["purge", *login]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["purged"], out["record_ids"], out["last_purge"]["records"]) == (1, [saved.record_id], 1)
    assert main(["records", "show", saved.record_id, *login]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["purged_at"] == out["at"] and shown["files"] == []
    with Vault.unlock(folder, username="admin", passphrase=PASSPHRASE) as vault:
        key, page_size = vault._dek, keyslots.cipher_page_size(keyslots.load(folder))
        assert vault.verify().ok
    assert vault_leaks(folder, key, page_size, wanted) == []


def test_a_newer_state_pulled_after_a_purge_restores_the_record(laptop, enrolled, registration_xform, request):
    """The period counts from the last acknowledgement: a colleague's later edit, pulled, is the record again here
    (the server had it all along), and the period starts over for it."""
    session, save, _wanted = _person(laptop)
    saved = save(record_service.finalize)
    _sync(laptop)
    retention.set_retention_days(laptop, 0)
    assert retention.apply_retention(laptop).record_ids == (saved.record_id,)
    colleague = enrolled("colleague", centre=f"Centre {request.node.name[:40]}")
    install_form(colleague, xform=registration_xform, source_name="migrant_registration.md", check_role=False)
    _sync(colleague)
    record = record_service.reopen(colleague, saved.record_id)
    edited = record.session()
    edited.answer("/data/identity/phone", "+22790000077")
    record_service.finalize(colleague, record_id=saved.record_id, form_id=FORM_ID, form_version=record.record.form_version,
                            content=edited.to_instance_xml())
    _sync(colleague)
    _sync(laptop)
    back = get_registration(laptop, saved.record_id)
    assert back.purged_at is None and "+22790000077" in back.content and back.title
