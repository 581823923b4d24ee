"""A refused or withdrawn consent and a deletion leave nothing of the person in the vault folder, through the
records service the form screen calls (real form, real engine, files answered). tests/canary.py searches."""

from __future__ import annotations

import random
import string

from desktop_app.services import attachments, forms as form_service, records as record_service
from desktop_app.vault import keyslots
from desktop_app.vault.registrations import get_registration
from tests.canary import decrypted_pages_hold, needles, vault_leaks
from tests.forms.test_services import ANSWERS, FORM_ID, filled_session

_rng = random.SystemRandom()


def _canary() -> tuple[str, str]:
    given, family = ("".join(_rng.choice(string.ascii_lowercase) for _ in range(9)).capitalize() for _ in range(2))
    return given, family


def _person(vault):
    given, family = _canary()
    new_form = form_service.open_new_record_form(vault, FORM_ID)
    session = filled_session(new_form, {**ANSWERS, "identity/given_name": given, "identity/family_name": family,
                                        "identity/id_document_number": f"ID-{family}"})
    files = [("passport.jpg", "image/jpeg", f"scan of {given} {family}".encode() * 200),
             (attachments.audit_name(1_700_000_000_000), attachments.AUDIT_MIME, b"question,ms\n/data/x,1\n"),
             # a track-changes audit log holds answers: it goes with the answered files
             (attachments.audit_name(1_700_000_000_001, answers=True), attachments.AUDIT_MIME,
              f"event,node,start,end,old-value,new-value\nquestion,/data/identity/given_name,1,2,,{given}\n".encode())]

    def save(action, record_id=None):
        return action(vault, record_id=record_id, form_id=FORM_ID, form_version=new_form.version,
                      content=session.to_instance_xml(), files=files)

    return session, save, needles(given, family, f"ID-{family}")


def _scan(vault):
    folder = vault.path
    return folder, vault._dek, keyslots.cipher_page_size(keyslots.load(folder))


def test_withdrawn_consent_leaves_nothing_of_the_person(forms_vault):
    vault = forms_vault
    session, save, wanted = _person(vault)
    first = save(record_service.finalize)
    session.answer("/data/identity/phone", "+22790000001")
    save(record_service.finalize, first.record_id)  # the finalized version it replaces is kept
    folder, key, page_size = _scan(vault)
    assert vault_leaks(folder, key, page_size, wanted)  # before: the person is in the vault (the search sees it)
    session.answer("/data/consent/consent_services", "no")
    session.answer("/data/consent/legal_basis", "")
    withdrawn = save(record_service.save_draft, first.record_id)
    assert withdrawn.personal_data_withheld
    assert vault_leaks(folder, key, page_size, wanted) == []
    record = get_registration(vault, first.record_id)
    assert "et_metema" in record.content  # what the gate keeps: the centre and the consent decision
    assert [f.name for f in attachments.list_attachments(vault, first.record_id)] == ["audit-1700000000000.csv"]
    assert decrypted_pages_hold(folder, key, page_size, b"et_metema")


def test_a_deleted_record_with_files_and_versions_leaves_nothing(forms_vault):
    vault = forms_vault
    session, save, wanted = _person(vault)
    first = save(record_service.finalize)
    session.answer("/data/identity/phone", "+22790000002")
    save(record_service.finalize, first.record_id)
    _other, save_other, _ = _person(vault)
    save_other(record_service.save_draft)
    record_service.delete(vault, first.record_id)
    folder, key, page_size = _scan(vault)
    assert vault_leaks(folder, key, page_size, wanted) == []
    vault.close()
    assert vault_leaks(folder, key, page_size, wanted) == []
