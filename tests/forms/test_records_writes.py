"""A save from the form screen is one transaction: the record, its op, its kept version and its files, or none.

The records service is what the form screen calls (desktop_app/ui/forms/screen.py); the counts below are of real
SQLite transactions on the vault's writing connection."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from desktop_app.services import attachments, forms as form_service, records as record_service
from desktop_app.vault import audit as vault_audit
from desktop_app.vault.registrations import count_registrations, get_registration
from tests.forms.test_records_store import FORM_ID, PERSON, instance, registration_xform  # noqa: F401 (fixture)
from tests.forms.test_services import ANSWERS, filled_session

VERSION = "2026120701"
REFUSED = {**PERSON, "consent/consent_services": "no", "consent/legal_basis": ""}


class Transactions:
    """Transactions on the writer's real connection that change what the vault holds of a record. The audit log's
    entry for each rights decision is written first, in a transaction of its own (desktop_app/services/audit.py:
    a decision the log cannot record does not go ahead): those are counted apart and left out."""

    def __init__(self, vault, monkeypatch):
        self.begun = 0
        self.audit_entries = 0
        self.engine = vault._write_engine  # what is counted is the writer's real connection
        event.listen(self.engine, "begin", self._begun)
        append = vault_audit.append

        def counted_append(*args, **kwargs):
            self.audit_entries += 1
            return append(*args, **kwargs)

        monkeypatch.setattr(vault_audit, "append", counted_append)

    @property
    def count(self) -> int:
        return self.begun - self.audit_entries

    def _begun(self, _conn):
        self.begun += 1

    def close(self):
        event.remove(self.engine, "begin", self._begun)


@pytest.fixture
def transactions(vault, monkeypatch):
    counter = Transactions(vault, monkeypatch)
    yield counter
    counter.close()
    assert counter.audit_entries > 0  # the decisions were recorded, each in its own transaction


def _names(vault, record_id):
    return sorted(f.name for f in attachments.list_attachments(vault, record_id))


def test_each_save_with_files_is_one_transaction(forms_vault, transactions):
    vault = forms_vault
    new_form = form_service.open_new_record_form(vault, FORM_ID)
    session = filled_session(new_form, ANSWERS)
    files = [("passport.jpg", "image/jpeg", b"synthetic"), ("audit-1.csv", "text/csv", b"q,t")]

    def save(action, record_id=None):
        return action(vault, record_id=record_id, form_id=FORM_ID, form_version=new_form.version,
                      content=session.to_instance_xml(), files=files)

    before = transactions.count  # opening the form reads only
    first = save(record_service.save_draft)
    assert transactions.count == before + 1
    save(record_service.finalize, first.record_id)
    session.answer("/data/identity/id_document_number", "ET-111-SYN")
    save(record_service.finalize, first.record_id)  # keeps the finalized version it replaces
    session.answer("/data/consent/consent_services", "no")
    session.answer("/data/consent/legal_basis", "")
    refused = save(record_service.save_draft, first.record_id)  # consent refused: versions and files dropped
    assert refused.personal_data_withheld
    assert transactions.count == before + 4
    assert _names(vault, first.record_id) == ["audit-1.csv"]
    record_service.delete(vault, first.record_id)
    assert transactions.count == before + 5


def test_a_save_whose_files_fail_writes_nothing(vault, registration_xform):  # noqa: F811
    bad = [("passport.jpg", None, b"synthetic")]  # the attachment row refuses a NULL type, after the record's row
    with pytest.raises(Exception, match="NOT NULL"):
        record_service.save_draft(vault, form_id=FORM_ID, form_version=VERSION,
                                  content=instance(registration_xform, PERSON), files=bad)
    assert count_registrations(vault, include_deleted=True) == 0
    with vault.session(readonly=True) as session:
        assert session.connection().execute(text("SELECT count(*) FROM outbox")).scalar() == 0


def test_a_refused_consent_save_that_fails_keeps_the_files_it_would_have_dropped(vault, registration_xform):  # noqa: F811
    saved = record_service.save_draft(vault, form_id=FORM_ID, form_version=VERSION,
                                      content=instance(registration_xform, PERSON),
                                      files=[("passport.jpg", "image/jpeg", b"synthetic")])
    with pytest.raises(Exception, match="NOT NULL"):
        record_service.save_draft(vault, record_id=saved.record_id, form_id=FORM_ID, form_version=VERSION,
                                  content=instance(registration_xform, REFUSED),
                                  files=[("audit-2.csv", None, b"q,t")])
    assert _names(vault, saved.record_id) == ["passport.jpg"]
    assert "Testperson" in get_registration(vault, saved.record_id).content  # the refusal did not half-happen
