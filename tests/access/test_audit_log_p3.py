"""A form's audit log with track-changes (ODK `audit` with `track-changes=true`) logs each answer's old and new
value. The log is an attachment: unsealed, readable by everyone the data key opens the vault for, and synced to the
server. So a P3 answer must never be in it, neither as field staff type it nor as a case worker changes it: its row
stays (question path and times), its values are left blank. Real vault, real engine, as the form screen saves."""

from __future__ import annotations

import csv
import io

import pytest

from desktop_app.services import attachments, records
from desktop_app.vault import database, keyslots
from tests.access.team import CANARY, CASE, FIELD, MIGRANT, PERSON, make_team, signed_in
from waypoint_core.xform import FormDefinition, FormSession

P3_VALUES = (CANARY, "gbv_risk", "physical sexual")


def _with_track_changes(xform: str) -> str:
    """The shipped registration form with an audit question asking for track-changes, as pyxform writes one."""
    audited = xform.replace("<instanceID/>", "<instanceID/><audit/>", 1).replace(
        '<bind nodeset="/data/meta/instanceID"',
        '<bind nodeset="/data/meta/audit" type="binary" odk:track-changes="true"/>'
        '<bind nodeset="/data/meta/instanceID"', 1)
    assert FormDefinition.from_xml(audited).audit.track_changes
    return audited


@pytest.fixture
def audited_team(isolated_home, xforms):
    xform = _with_track_changes(xforms["migrant_registration"])
    folder = make_team(isolated_home / "waypoint" / "data" / "vault", {"migrant_registration": xform})
    return folder, xform


def _save_as_the_screen_does(vault, xform: str, session: FormSession, *, record_id: str | None = None):
    audit = session.audit
    name = attachments.audit_name(audit.started_ms, answers=audit.holds_answers)
    session.attach_audit(name)
    content = session.to_instance_xml()
    return records.finalize(vault, form_id=MIGRANT, form_version=FormDefinition.from_xml(xform).version,
                            record_id=record_id, content=content,
                            files=[(name, attachments.AUDIT_MIME, audit.to_csv().encode())])


def _logs(vault, record_id: str) -> list[list[dict[str, str]]]:
    return [list(csv.DictReader(io.StringIO(attachments.read_attachment(vault, record_id=record_id,
                                                                         name=f.name).decode())))
            for f in attachments.list_attachments(vault, record_id) if f.name.startswith("audit-answers-")]


def _every_table_as_field_staff(folder) -> bytes:
    with signed_in(folder, FIELD) as vault:
        conn = database.connect_raw(folder / database.DB_FILE, vault._dek,
                                    page_size=keyslots.cipher_page_size(keyslots.load(folder)))
        try:
            dump = []
            for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
                if table == "form_version":  # its choice lists name 'gbv_risk' as an option
                    continue
                for row in conn.execute(f'SELECT * FROM "{table}"'):
                    dump.extend(v if isinstance(v, bytes) else str(v).encode() for v in row if v is not None)
        finally:
            conn.close()
    return b"\n".join(dump)


def test_a_track_changes_audit_log_holds_no_p3_answer(audited_team):
    folder, xform = audited_team
    with signed_in(folder, FIELD) as vault:
        session = FormSession(FormDefinition.from_xml(xform), metadata={"username": FIELD, "deviceid": "laptop"})
        for ref, value in PERSON.items():
            session.answer(f"/data/{ref}", value)
        saved = _save_as_the_screen_does(vault, xform, session)
        [log] = _logs(vault, saved.record_id)
    rows = {row["node"]: row for row in log if row["event"] == "question"}
    # the log still says what was answered, and when; a P2 answer is as personal as the record it sits beside
    assert rows["/data/identity/given_name"]["new-value"] == "Testperson"
    assert rows["/data/needs/specific_needs_other"]["start"]
    for node in ("/data/needs/specific_needs_other", "/data/needs/specific_needs", "/data/needs/risk_level",
                 "/data/migration/abuses_experienced"):
        assert (rows[node]["old-value"], rows[node]["new-value"]) == ("", ""), node
    dump = _every_table_as_field_staff(folder)
    assert b"Testperson" in dump  # the data key opens the attachments
    for value in P3_VALUES:
        assert value.encode() not in dump, value

    # a case worker reads and changes a P3 answer: neither the old nor the new value goes into the new log
    with signed_in(folder, CASE) as vault:
        opened = records.reopen(vault, saved.record_id)
        assert CANARY in opened.record.content
        session = FormSession(FormDefinition.from_xml(xform), metadata={"username": CASE, "deviceid": "laptop"},
                              instance_xml=opened.record.content)
        session.answer("/data/needs/specific_needs_other", "Second-restricted-canary-5519")
        _save_as_the_screen_does(vault, xform, session, record_id=saved.record_id)
        logs = _logs(vault, saved.record_id)
    assert len(logs) == 2
    dump = _every_table_as_field_staff(folder)
    for value in (*P3_VALUES, "Second-restricted-canary-5519"):
        assert value.encode() not in dump, value
