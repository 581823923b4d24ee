"""P3 on the form screen (issue 11: "a field-staff user cannot read a P3 field by any path (UI, ...)"): a
registration field staff finalized, reopened in the form screen by the same person, shows every P3 question as a
restricted, locked answer with nothing of it in any widget; the case worker of the laptop sees the answers. Real team
vault (tests/access/team.py) on the database thread, the shipped form, the form area's own way of reopening."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QLineEdit, QPlainTextEdit, QTextEdit

from desktop_app.services import records
from desktop_app.ui.forms.screen import FormScreen, OpenedForm
from desktop_app.ui.forms.view import Restrictions
from desktop_app.ui.tasks import TaskRunner
from desktop_app.vault import Vault
from tests.access.team import CANARY, CASE, FIELD, MIGRANT, PASSPHRASES, PERSON, instance, make_team, signed_in
from tests.ui.forms.conftest import wait_for

pytestmark = pytest.mark.gui

PERSON_ID = "0a300000-0000-4000-8000-000000000001"
P3_REFS = ("/data/migration/abuses_experienced", "/data/needs/specific_needs", "/data/needs/specific_needs_other",
           "/data/needs/risk_level")


def _texts(screen) -> str:
    """Everything the screen shows as text: labels, edits, combo boxes, buttons (checked or not)."""
    found = []
    for kind, read in ((QLabel, QLabel.text), (QLineEdit, QLineEdit.text), (QComboBox, QComboBox.currentText),
                       (QPlainTextEdit, QPlainTextEdit.toPlainText), (QTextEdit, QTextEdit.toPlainText)):
        found.extend(read(w) for w in screen.findChildren(kind))
    return "\n".join(found)


def _checked(screen) -> set[str]:
    return {b.text() for b in screen.findChildren(QAbstractButton) if b.isCheckable() and b.isChecked()}


def _open_as(qtbot, runner, team, who):
    opened = wait_for(qtbot, runner.run_db(lambda state: Vault.unlock(team, username=who,
                                                                      passphrase=PASSPHRASES[who])))
    reopened = wait_for(qtbot, runner.run_db(lambda state: records.reopen(opened, PERSON_ID)))
    rec = reopened.record
    screen = FormScreen(
        opened=OpenedForm(reopened.definition, rec.form_id, rec.form_version, rec.record_id, rec.content, rec.status,
                          Restrictions(reopened.sensitive, reopened.restricted, reopened.may_read_sensitive),
                          base=reopened.base),
        run_with_vault=lambda fn, *, name="db": runner.run_db(lambda state: fn(opened, state), name=name),
        metadata={"username": who}, autosave_ms=60_000)
    qtbot.addWidget(screen)
    screen.resize(1100, 800)
    screen.show()
    screen.view.build_all()
    return opened, screen


def test_field_staff_see_no_p3_answer_on_the_form_screen(qtbot, tmp_path, shipped_xforms):
    team = make_team(tmp_path / "team", shipped_xforms)
    with signed_in(team, FIELD) as vault:
        records.finalize(vault, form_id=MIGRANT, form_version=records.form_definition(
            shipped_xforms["migrant_registration"]).version, record_id=PERSON_ID,
            content=instance(shipped_xforms["migrant_registration"], PERSON, PERSON_ID))
    runner = TaskRunner()
    try:
        vault, screen = _open_as(qtbot, runner, team, FIELD)
        shown, checked = _texts(screen), _checked(screen)
        assert "Testperson" in shown  # the screen does show the record
        assert CANARY not in shown
        for ref in P3_REFS:
            widget = screen.view.field(ref)
            assert widget.restriction == "not_allowed", ref
            # never editable, yet reached by Tab and read (not greyed): a read-only line, saying why it is empty
            target = widget.answer_widget()
            assert widget._locked and target.isEnabled() and target.isReadOnly() and target.text() == "", ref
            assert target.focusPolicy() & Qt.FocusPolicy.TabFocus and target.isVisibleTo(widget), ref
            if not widget.reads_as_text:
                assert target.placeholderText() == "Not shown: restricted" and not widget.focus_target().isVisible()
            assert widget.restricted_note.text() == "Restricted answer: recorded, only case workers can read it."
            assert screen.session.value(ref) in ("", None), ref
        specific = {c.label for c in screen.session.choices("/data/needs/specific_needs")}
        risk = {c.label for c in screen.session.choices("/data/needs/risk_level")}
        assert not (checked & (specific | risk))  # no P3 choice shows as ticked
        screen._autosave.stop()
        screen.close()
        wait_for(qtbot, runner.run_db(lambda state: vault.close()))

        vault, screen = _open_as(qtbot, runner, team, CASE)  # the laptop's case worker reads them
        assert screen.view.field("/data/needs/specific_needs_other").restriction == "readable"
        assert screen.session.value("/data/needs/risk_level") == "high"
        assert CANARY in _texts(screen)
        screen._autosave.stop()
        screen.close()
        wait_for(qtbot, runner.run_db(lambda state: vault.close()))
    finally:
        runner.shutdown()
