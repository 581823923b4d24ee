"""The form screen against a real vault on the real database thread: autosave makes a draft, saves
never duplicate a record, finalize jumps to the first invalid answer, files go into the vault."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from desktop_app.services import attachments
from desktop_app.ui.forms.screen import FormScreen, OpenedForm
from desktop_app.vault.registrations import count_registrations, get_registration
from waypoint_core.xform import FormDefinition

pytestmark = pytest.mark.gui


def open_screen(qtbot, db, definition, *, autosave_ms=40, form_id="waypoint_migrant_registration"):
    version = definition.version
    screen = FormScreen(opened=OpenedForm.new(definition, form_id=form_id, form_version=version),
                        run_with_vault=db.run_with_vault, metadata={"username": "amina.admin"},
                        autosave_ms=autosave_ms)
    qtbot.addWidget(screen)
    screen.resize(1100, 800)
    screen.show()
    return screen


def click(qtbot, view, ref, value):
    widget = view.field(ref)
    view.go_to_page(view.page_of(widget))
    button = widget.choice_button(value)
    qtbot.waitUntil(lambda: button.height() >= button.sizeHint().height(), timeout=5_000)  # laid out
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(8, button.height() // 2))


def test_autosave_creates_one_draft_after_a_pause(qtbot, db, migrant_definition):
    screen = open_screen(qtbot, db, migrant_definition)
    assert db.call(qtbot, lambda vault: count_registrations(vault)) == 0
    with qtbot.waitSignal(screen.saved, timeout=10_000) as first:
        click(qtbot, screen.view, "/data/consent/consent_given_by", "self")
        click(qtbot, screen.view, "/data/consent/consent_services", "yes")
    assert first.args[0].status == "draft" and first.args[0].record_id == screen.record_id
    # more answers: saved again into the same record, never a second one
    with qtbot.waitSignal(screen.saved, timeout=10_000):
        qtbot.keyClicks(screen.view.field("/data/identity/given_name").edit, "Selam")
    qtbot.waitUntil(lambda: not screen.dirty and not screen._saving, timeout=10_000)
    stored = db.call(qtbot, lambda vault: get_registration(vault, screen.record_id))
    assert stored.status == "draft" and "<given_name>Selam</given_name>" in stored.content
    assert db.call(qtbot, lambda vault: count_registrations(vault)) == 1
    assert screen.save_state.text().startswith("Draft saved at")


def test_close_with_changes_asks_and_save_as_draft_saves_before_the_list(qtbot, db, migrant_definition):
    from desktop_app.ui.forms.closing import DRAFT

    screen = open_screen(qtbot, db, migrant_definition, autosave_ms=60_000)  # no autosave in this test
    click(qtbot, screen.view, "/data/consent/consent_services", "no")
    assert screen.dirty
    qtbot.mouseClick(screen.close_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(screen.close_requested, timeout=10_000):
        screen.question.choose(DRAFT)
    stored = db.call(qtbot, lambda vault: get_registration(vault, screen.record_id))
    assert stored is not None and stored.status == "draft"


def test_finalize_jumps_to_the_first_invalid_answer_with_its_message(qtbot, db, migrant_definition):
    screen = open_screen(qtbot, db, migrant_definition, autosave_ms=60_000)
    view = screen.view
    country = view.field("/data/centre_page/centre_country")
    country.combo.setCurrentIndex(country.combo.findData("NE"))
    centre = view.field("/data/centre_page/centre")
    centre.combo.setCurrentIndex(1)
    click(qtbot, view, "/data/consent/consent_given_by", "self")
    click(qtbot, view, "/data/consent/consent_services", "yes")
    view.go_to_page(0)

    screen.finalize_button.click()
    # the first issue is on the consent page: legal basis is required once consent is given
    legal = view.field("/data/consent/legal_basis")
    assert view.current == view.page_of(legal)
    assert screen.window().focusWidget() is legal.focus_target()
    assert legal.message.isVisibleTo(screen) and legal.message.text()
    assert screen.banner.isVisibleTo(screen) and "Legal basis" in screen.banner.text()
    # nothing finalized (a draft was saved when the page changed)
    assert db.call(qtbot, lambda vault: count_registrations(vault, status="finalized")) == 0

    # a constraint is checked too: a wrong phone number is where finalize goes once the page before is done
    view.field("/data/identity/phone").edit.setFocus()
    qtbot.keyClicks(view.field("/data/identity/phone").edit, "0022790")
    issues = screen.session.validate()
    assert any(i.ref == "/data/identity/phone" and i.kind == "constraint" for i in issues)


def test_a_file_answer_is_kept_in_the_vault_not_on_disk(qtbot, db, tmp_path):
    source = tmp_path / "photo_form.md"
    source.write_text("| survey |\n| | type | name | label |\n| | image | document_photo | Photo of the document |\n"
                      "| settings |\n| | form_id | version |\n| | photo_form | 1 |\n", encoding="utf-8")
    from desktop_app.services import forms
    xform = forms.validate_form_file(source).xform
    db.call(qtbot, lambda vault: forms.form_store.install_form(vault, xform=xform, source_name="photo_form.md",
                                                                 check_role=False))
    definition = FormDefinition.from_xml(xform)
    screen = open_screen(qtbot, db, definition, form_id="photo_form")
    field = screen.view.field("/data/document_photo")
    picture = tmp_path / "passport.jpg"
    picture.write_bytes(b"\xff\xd8\xff synthetic jpeg bytes")
    with qtbot.waitSignal(screen.saved, timeout=10_000):
        screen.attach_file(field, picture)
    answer = screen.session.value("/data/document_photo")
    assert answer.endswith("-passport.jpg") and "kB" in field.file_label.text()
    qtbot.waitUntil(lambda: not screen._saving, timeout=10_000)
    stored = db.call(qtbot, lambda vault: attachments.read_attachment(vault, record_id=screen.record_id,
                                                                      name=answer))
    assert stored == picture.read_bytes()
    info = db.call(qtbot, lambda vault: attachments.list_attachments(vault, screen.record_id))
    assert [(i.name, i.mime) for i in info if not attachments.is_audit(i.name)] == [(answer, "image/jpeg")]

    text_file = tmp_path / "notes.txt"
    text_file.write_text("not an image", encoding="utf-8")
    screen.attach_file(field, text_file)
    assert "image/*" in field.message.text() and screen.session.value("/data/document_photo") == answer


def test_each_editing_session_keeps_its_question_timings_in_the_vault(qtbot, db, migrant_definition):
    screen = open_screen(qtbot, db, migrant_definition)
    with qtbot.waitSignal(screen.saved, timeout=10_000):
        click(qtbot, screen.view, "/data/consent/consent_given_by", "self")
    # turning to the page may save first; wait until the answer itself has been saved
    qtbot.waitUntil(lambda: not screen.dirty and not screen._saving, timeout=10_000)
    name = attachments.audit_name(screen.session.audit.started_ms)
    stored = db.call(qtbot, lambda vault: attachments.read_attachment(vault, record_id=screen.record_id, name=name))
    lines = stored.decode().splitlines()
    assert lines[0] == "event,node,start,end"
    assert any(line.startswith("question,/data/consent/consent_given_by,") for line in lines)
    assert any(line.startswith("question shown,") for line in lines)
