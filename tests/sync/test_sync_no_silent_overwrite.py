"""Issue 8, point 10, through the real widgets (pytest-qt) and the real server on loopback: no silent overwrite.

Laptop 2 changes a phone number and syncs. On laptop 1 the record is open in the form; the app's periodic sync
pulls the change. The form says so (a notice above it); saving is a three-way merge with the version the form was
opened at: a different answer merges with the new phone number, the same answer changed on both sides opens a
conflict (both versions kept, here and on the server). An untouched form is reopened on the new version."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from tests.sync.support import PASSPHRASE, fast_connect, sqlite_backend
from tests.ui.forms.test_migrant_end_to_end import Filler

from desktop_app.paths import app_paths
from desktop_app.services import forms, records
from desktop_app.services import sync as sync_service
from desktop_app.ui.app import build_app
from desktop_app.vault import Vault
from desktop_app.vault.registrations import get_registration
from desktop_app.vault.sql import Db, text
from waypoint_core.xform import FormSession

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

# SQLite only: the form's notice and its three-way merge on save are the laptop's; the server's
# conflict from the same base is tested on both databases in test_sync_conflicts.py and test_sync_server_conflicts.py.
backend = sqlite_backend()

FORM = "waypoint_migrant_registration"
PHONE = "/data/identity/phone"
OTHER_NAMES = "/data/identity/other_names"
OLD_PHONE, NEW_PHONE, MY_PHONE = "+22790000001", "+22790000002", "+22790000003"
ANSWERS = [  # a synthetic person
    ("centre_page/centre_country", "NE"), ("centre_page/centre", "ne_agadez"), ("consent/consent_given_by", "self"),
    ("consent/consent_services", "yes"), ("consent/legal_basis", "consent"), ("consent/consent_share_providers", "yes"),
    ("consent/consent_share_authorities", "yes"), ("consent/consent_share_unhcr", "yes"),
    ("consent/consent_anonymous_reporting", "yes"), ("consent/consent_followup_contact", "yes"),
    ("consent/consent_matching", "yes"), ("consent/consent_method", "verbal_witnessed"),
    ("consent/interview_language", "fr"), ("consent/interpreter_used", "no"), ("identity/given_name", "Awa"),
    ("identity/family_name", "Synthetic"), ("identity/sex", "female"), ("identity/age_years", "27"),
    ("identity/stateless_or_undetermined", "no"), ("identity/nationality", "ML"), ("identity/id_document_type", "none"),
    ("identity/phone", OLD_PHONE), ("group_info/travelling_alone", "yes"),
    ("migration/beneficiary_category", "migrant_transit"), ("migration/arrival_channel", "self"),
    ("needs/needs_referral", "no"), ("intentions/intention", "stay"),
]


def _registered(vault: Vault) -> str:
    forms.install_shipped_forms(vault)
    form = forms.open_new_record_form(vault, FORM)
    session = FormSession(records.form_definition(form.xform))
    for ref, value in ANSWERS:
        session.answer(f"/data/{ref}", value)
    assert session.validate() == []
    return records.finalize(vault, form_id=FORM, form_version=form.version,
                            content=session.to_instance_xml(include_nonrelevant=False)).record_id


def _edit_elsewhere(vault: Vault, record_id: str, ref: str, value: str) -> None:
    """A colleague on laptop 2 opens the record, changes one answer, finalizes, and syncs."""
    reopened = records.reopen(vault, record_id)
    session = reopened.session()
    session.answer(ref, value)
    records.finalize(vault, form_id=FORM, form_version=reopened.record.form_version, record_id=record_id,
                     content=session.to_instance_xml(include_nonrelevant=False), base=reopened.base)
    summary = sync_service.sync_now(vault, connect=fast_connect())
    assert summary.acknowledged == 1 and summary.conflicts == 0


@pytest.fixture
def laptops(qapp, qtbot, tmp_path, new_code, enrolled, server):
    centre = f"Merge {tmp_path.name}"  # a centre of its own: no other test's records
    path = tmp_path / "laptop-1"
    first, _ = Vault.create(path, admin_username="admin", admin_passphrase=PASSPHRASE, kdf_profile="test")
    record_id = _registered(first)
    sync_service.enrol(first, server_url=server.url, code=new_code(centre), device_name="laptop 1")
    assert sync_service.sync_now(first, connect=fast_connect()).acknowledged == 1
    first.close()
    second = enrolled("laptop-2", centre=centre)
    forms.install_shipped_forms(second)
    assert sync_service.sync_now(second, connect=fast_connect()).pulled == 1

    app = build_app(qt_app=qapp, paths=app_paths(), vault_path=path, kdf_profile="test", language="en")
    sync = app.sync
    sync._connect = fast_connect()
    window = app.window
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    with qtbot.waitSignal(sync.status_changed, timeout=30_000):
        app.controller.unlock(username="admin", passphrase=PASSPHRASE)
    yield app, sync, second, record_id
    app.close()
    qapp.processEvents()
    qapp.sendPostedEvents(None, 0)


def _open(qtbot, app, record_id):
    with qtbot.waitSignal(app.forms.screen_opened, timeout=30_000) as opened:
        app.window.open_registration_requested.emit(record_id)
    return opened.args[0]


def _replace_text(qtbot, screen, ref: str, value: str) -> None:
    widget = Filler(qtbot, screen).field(ref)
    widget.edit.setFocus()
    widget.edit.selectAll()
    qtbot.keyClicks(widget.edit, value)
    qtbot.keyClick(widget.edit, Qt.Key.Key_Tab)


def _auto_sync(qtbot, sync):
    with qtbot.waitSignal(sync.finished, timeout=60_000) as finished:
        sync.probe()  # what the 60 s timer calls
    return finished.args[0]


def _notice_says(screen, words: str) -> bool:
    return screen.notice.isVisible() and words in screen.notice.text()


def _on_db(qtbot, app, fn):
    task = app.controller.run_with_vault(lambda vault, state: fn(vault))
    with qtbot.waitSignal(task.succeeded, timeout=30_000) as done:
        pass
    return done.args[0]


def _conflicts(vault, record_id):
    with vault.session(readonly=True) as session:
        rows = Db.of(session).execute(text("SELECT local, remote FROM conflict WHERE record_id = :r "
                                           "AND resolved_at IS NULL"), {"r": record_id}).all()
    return [(json.loads(r.local), json.loads(r.remote)) for r in rows]


def test_a_change_pulled_while_the_form_is_open_is_shown_and_merged_on_save(laptops, qtbot):
    app, sync, second, record_id = laptops
    screen = _open(qtbot, app, record_id)
    _replace_text(qtbot, screen, OTHER_NAMES, "Awa Test")  # laptop 1's person is editing another answer
    _edit_elsewhere(second, record_id, PHONE, NEW_PHONE)

    assert _auto_sync(qtbot, sync).pulled == 1
    qtbot.waitUntil(lambda: _notice_says(screen, "changed on another laptop"), timeout=30_000)
    assert screen.session.value(PHONE) == OLD_PHONE  # the person's answers stay as they were on screen

    with qtbot.waitSignal(app.forms.screen_opened, timeout=30_000) as reopened:
        qtbot.mouseClick(screen.finalize_button, Qt.MouseButton.LeftButton)
    merged_screen = reopened.args[0]
    assert _notice_says(merged_screen, "were merged")
    assert merged_screen.session.value(PHONE) == NEW_PHONE  # the colleague's change is on screen now
    assert merged_screen.session.value(OTHER_NAMES) == "Awa Test"
    stored = _on_db(qtbot, app, lambda vault: records.reopen(vault, record_id).record)
    assert f"<phone>{NEW_PHONE}</phone>" in stored.content and "<other_names>Awa Test</other_names>" in stored.content
    assert stored.status == "finalized"

    sent = _auto_sync(qtbot, sync)
    assert sent.acknowledged == 1 and sent.conflicts == 0
    sync_service.sync_now(second, connect=fast_connect())
    copy = get_registration(second, record_id)
    assert f"<phone>{NEW_PHONE}</phone>" in copy.content and "<other_names>Awa Test</other_names>" in copy.content
    assert copy.server_version == 3 and copy.sync_state == "acknowledged"


def test_the_same_answer_changed_on_both_laptops_opens_a_conflict_instead_of_overwriting(laptops, qtbot,
                                                                                         server_admin):
    app, sync, second, record_id = laptops
    screen = _open(qtbot, app, record_id)
    _replace_text(qtbot, screen, PHONE, MY_PHONE)
    _edit_elsewhere(second, record_id, PHONE, NEW_PHONE)
    _auto_sync(qtbot, sync)
    qtbot.waitUntil(lambda: _notice_says(screen, "changed on another laptop"), timeout=30_000)
    assert screen.session.value(PHONE) == MY_PHONE

    with qtbot.waitSignal(app.forms.screen_opened, timeout=30_000) as reopened:
        qtbot.mouseClick(screen.finalize_button, Qt.MouseButton.LeftButton)
    assert _notice_says(reopened.args[0], "“Phone number” was also changed on another laptop")
    vault_side = _on_db(qtbot, app, lambda vault: (get_registration(vault, record_id), _conflicts(vault, record_id)))
    stored, conflicts = vault_side
    assert f"<phone>{MY_PHONE}</phone>" in stored.content and stored.sync_state == "conflict"
    [(local, remote)] = conflicts  # both versions, for a coordinator's review
    assert f"<phone>{MY_PHONE}</phone>" in local["content"]
    assert f"<phone>{NEW_PHONE}</phone>" in remote["state"]["content"]
    assert remote["source"] == "edit" and "phone" in remote["field"]
    assert (remote["server_version"], remote["base_version"]) == (2, 1)

    sent = _auto_sync(qtbot, sync)
    assert sent.acknowledged == 1 and sent.conflicts == 1  # the server saw the same clash from the same base
    on_server = [json.loads(line) for line in server_admin.run("conflicts").splitlines()]
    assert [c["record_id"] for c in on_server].count(record_id) == 1
    assert _on_db(qtbot, app, lambda vault: get_registration(vault, record_id).sync_state) == "conflict"


def test_an_untouched_form_is_reopened_on_the_new_version(laptops, qtbot):
    app, sync, second, record_id = laptops
    screen = _open(qtbot, app, record_id)
    _edit_elsewhere(second, record_id, PHONE, NEW_PHONE)
    with qtbot.waitSignal(app.forms.screen_opened, timeout=60_000) as reopened:
        _auto_sync(qtbot, sync)
    fresh = reopened.args[0]
    assert fresh is not screen and fresh.record_id == record_id
    assert fresh.session.value(PHONE) == NEW_PHONE
    assert _notice_says(fresh, "the form now shows the new version")


def test_a_deletion_pulled_while_the_form_is_open_closes_it_and_says_so(laptops, qtbot):
    """Laptop 2 deletes the registration laptop 1 has open with changes typed: the pull closes the form, saying the
    record was deleted on another laptop, and nothing the form held is written back over the tombstone."""
    app, sync, second, record_id = laptops
    screen = _open(qtbot, app, record_id)
    _replace_text(qtbot, screen, OTHER_NAMES, "Awa Test")  # changes waiting for Finalize
    records.delete(second, record_id)
    assert sync_service.sync_now(second, connect=fast_connect()).acknowledged == 1

    assert _auto_sync(qtbot, sync).pulled == 1
    qtbot.waitUntil(lambda: "deleted on another laptop" in _deleted_notice(app), timeout=30_000)
    assert app.forms.screen is None and app.window.stack.currentWidget() is app.window.registrations_page
    stored = _on_db(qtbot, app, lambda vault: get_registration(vault, record_id))
    assert stored.deleted and stored.content == ""
    app.forms.deleted_notice.close()


def _deleted_notice(app) -> str:
    box = getattr(app.forms, "deleted_notice", None)
    return box.text() if box is not None and box.isVisible() else ""
