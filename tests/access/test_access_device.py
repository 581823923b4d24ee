"""Rights on the device, through the services the UI and the CLI call, with the real vault and the real engine:
who sees, creates, edits, finalizes and deletes what, and who reads a P3 answer (by any path: the services, the
vault's API, the database opened with the data key, the search, the command line)."""

from __future__ import annotations

import pytest

from desktop_app.records import sensitive
from desktop_app.records.schema import form_schema
from desktop_app.services import access, records, registrations
from desktop_app.services.access import AccessDenied
from desktop_app.vault import database, keyslots
from desktop_app.vault.registrations import get_registration
from tests.access.team import (
    ADMIN, CANARY, CASE, CASE_ANSWERS, COORD, FIELD, MIGRANT, PERSON, VOT, instance, signed_in,
)
from waypoint_core.access import sealed

P3_VALUES = (CANARY, "gbv_risk", "physical sexual")
OTHER_ID = "00000000-0000-4000-8000-00000000000b"


def _register(team, who, xforms, answers=PERSON, form=MIGRANT, stem="migrant_registration",
              record_id="00000000-0000-4000-8000-000000000001"):
    with signed_in(team, who) as vault:
        version = form_schema(xforms[stem]) and records.form_definition(xforms[stem]).version
        return records.finalize(vault, form_id=form, form_version=version, record_id=record_id,
                                content=instance(xforms[stem], answers, record_id))


def test_field_staff_record_p3_answers_they_cannot_read_back(team, xforms):
    saved = _register(team, FIELD, xforms)
    with signed_in(team, FIELD) as vault:
        stored = get_registration(vault, saved.record_id).content  # the vault's own API
        assert "Testperson" in stored and sealed.PREFIX in stored
        assert not any(value in stored for value in P3_VALUES)
        assert vault.field_keys() == {}
        opened = records.reopen(vault, saved.record_id)
        assert set(opened.restricted) == {"migration/abuses_experienced", "needs/specific_needs",
                                          "needs/specific_needs_other", "needs/risk_level"}
        assert set(opened.restricted.values()) == {sensitive.NOT_ALLOWED}
        assert sealed.PREFIX not in opened.record.content and CANARY not in opened.record.content
        # saving what they see (the P3 answers blank) keeps every sealed answer as it was
        again = records.save_draft(vault, form_id=MIGRANT, form_version=saved.form_version,
                                   record_id=saved.record_id, content=opened.record.content)
        assert get_registration(vault, saved.record_id).content.count(sealed.PREFIX) == 4
        assert again.status == "draft"
        # typing over a sealed answer they cannot read is refused, and nothing is written
        overwrite = opened.record.content.replace("<risk_level />", "<risk_level>low</risk_level>")
        assert overwrite != opened.record.content
        with pytest.raises(records.RecordError, match="restricted answer"):
            records.save_draft(vault, form_id=MIGRANT, form_version=saved.form_version, record_id=saved.record_id,
                               content=overwrite)
    with signed_in(team, CASE) as vault:
        opened = records.reopen(vault, saved.record_id)
        assert opened.restricted == {}
        assert CANARY in opened.record.content and "gbv_risk" in opened.record.content
        assert "<risk_level>high</risk_level>" in opened.record.content


def test_autosave_keeps_what_field_staff_typed_in_this_session(team, xforms):
    record_id = OTHER_ID
    with signed_in(team, FIELD) as vault:
        version = records.form_definition(xforms["migrant_registration"]).version
        content = instance(xforms["migrant_registration"], PERSON, record_id)
        first = records.save_draft(vault, form_id=MIGRANT, form_version=version, record_id=record_id, content=content)
        stored = get_registration(vault, record_id).content
        second = records.save_draft(vault, form_id=MIGRANT, form_version=version, record_id=record_id,
                                    content=content)  # the form screen sends the same answers again
        assert not second.changed and get_registration(vault, record_id).content == stored
        changed = content.replace("<risk_level>high</risk_level>", "<risk_level>low</risk_level>")
        records.save_draft(vault, form_id=MIGRANT, form_version=version, record_id=record_id, content=changed)
        assert first.record_id == record_id
    with signed_in(team, CASE) as vault:
        assert "<risk_level>low</risk_level>" in records.reopen(vault, record_id).record.content


def test_case_workers_change_p3_answers_and_unchanged_ones_keep_their_token(team, xforms):
    saved = _register(team, FIELD, xforms)
    with signed_in(team, FIELD) as vault:
        before = sensitive.sealed_positions(form_schema(xforms["migrant_registration"]),
                                            get_registration(vault, saved.record_id).content)
    with signed_in(team, CASE) as vault:
        opened = records.reopen(vault, saved.record_id)
        edited = opened.record.content.replace("<risk_level>high</risk_level>", "<risk_level>medium</risk_level>")
        records.finalize(vault, form_id=MIGRANT, form_version=saved.form_version, record_id=saved.record_id,
                         content=edited)
        after = sensitive.sealed_positions(form_schema(xforms["migrant_registration"]),
                                           get_registration(vault, saved.record_id).content)
    assert after["needs/risk_level"] != before["needs/risk_level"]
    assert {k: v for k, v in after.items() if k != "needs/risk_level"} == \
        {k: v for k, v in before.items() if k != "needs/risk_level"}


def test_trafficking_cases_are_for_case_workers_and_coordinators(team, xforms):
    case = _register(team, CASE, xforms, CASE_ANSWERS, VOT, "vot_case", record_id=OTHER_ID)
    _register(team, FIELD, xforms)
    for who, sees_case in ((FIELD, False), (ADMIN, False), (CASE, True), (COORD, True)):
        with signed_in(team, who) as vault:
            rows = registrations.list_page(vault, offset=0, limit=50)
            assert (case.record_id in {r.record_id for r in rows}) == sees_case, who
            assert registrations.list_counts(vault).total == (2 if sees_case else 1)
            if sees_case:
                opened = records.reopen(vault, case.record_id)
                assert (CANARY in opened.record.content) == (who == CASE)
                assert bool(opened.restricted) == (who != CASE)
            else:
                with pytest.raises(AccessDenied):
                    records.reopen(vault, case.record_id)
                with pytest.raises(AccessDenied):
                    records.history(vault, case.record_id)
                with pytest.raises(AccessDenied):
                    records.delete(vault, case.record_id)
                with pytest.raises(AccessDenied):
                    records.save_draft(vault, form_id=VOT, form_version=case.form_version,
                                       content=instance(xforms["vot_case"], CASE_ANSWERS,
                                                        "00000000-0000-4000-8000-00000000000c"))
    with signed_in(team, COORD) as vault:  # a coordinator reviews cases but does not write them
        with pytest.raises(AccessDenied):
            records.save_draft(vault, form_id=VOT, form_version=case.form_version, record_id=case.record_id,
                               content=records.reopen(vault, case.record_id).record.content)


def test_delete_own_or_by_a_coordinator(team, xforms):
    mine = _register(team, FIELD, xforms)
    theirs = _register(team, CASE, xforms, record_id=OTHER_ID)
    with signed_in(team, FIELD) as vault:
        with pytest.raises(AccessDenied, match="outside your scope"):
            records.delete(vault, theirs.record_id)
        records.delete(vault, mine.record_id)
        assert registrations.list_counts(vault).total == 1
    with signed_in(team, COORD) as vault:
        records.delete(vault, theirs.record_id)
        assert registrations.list_counts(vault).total == 0


def test_every_decision_reaches_the_hooks(team, xforms):
    saved = _register(team, FIELD, xforms)
    seen: list[access.Check] = []
    access.add_hook(seen.append)
    try:
        with signed_in(team, ADMIN) as vault:
            records.reopen(vault, saved.record_id)
            with pytest.raises(AccessDenied):
                records.delete(vault, saved.record_id)
    finally:
        access.remove_hook(seen.append)
    assert [(c.use_case, c.username, c.allowed) for c in seen] == [
        ("record.view", ADMIN, True), ("record.read_sensitive", ADMIN, False), ("record.delete", ADMIN, False)]
    assert all(c.record_id == saved.record_id for c in seen)


def test_no_p3_answer_in_the_database_opened_with_the_data_key(team, xforms):
    """What a field-staff user (or anyone with their passphrase) reaches with tools of their own: the data key
    opens every table, and no P3 answer is in any of them; no wrap opens with their slot's key."""
    _register(team, FIELD, xforms)
    _register(team, CASE, xforms, CASE_ANSWERS, VOT, "vot_case", record_id=OTHER_ID)
    with signed_in(team, FIELD) as vault:
        dek, slot_key = vault._dek, vault._private_key  # what their passphrase gives them
        doc = keyslots.load(team)
        conn = database.connect_raw(team / database.DB_FILE, dek, page_size=keyslots.cipher_page_size(doc))
        try:
            # every table but the installed forms (whose choice lists name 'gbv_risk' and 'Exploiter' as options)
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                      if r[0] != "form_version"]
            dump = []
            for table in tables:
                for row in conn.execute(f"SELECT * FROM {table}"):
                    dump.extend(str(v) for v in row if v is not None)
            wraps = conn.execute("SELECT key_id, wrapped FROM field_key_wrap").fetchall()
        finally:
            conn.close()
    text = "\n".join(dump)
    assert "Testperson" in text  # the data key does open the database
    for value in (*P3_VALUES, "Exploiter"):
        assert value not in text, value
    assert wraps
    for key_id, wrapped in wraps:
        with pytest.raises(sealed.Unreadable):
            sealed.unwrap_key(wrapped, slot_key, key_id=key_id)


def test_no_p3_answer_through_search_or_the_command_line(team, xforms, tmp_path, capsys):
    """The other paths a field-staff user has: the search (results as you type, what the list and the duplicate
    warning read) and the command line (`records list --search`, `records show`, `search`), as that user."""
    import json

    from desktop_app.cli import main
    from desktop_app.services import search
    from tests.access.team import PASSPHRASES

    saved = _register(team, FIELD, xforms)
    with signed_in(team, FIELD) as vault:
        assert [r.record_id for r in search.search(vault, "Testperson Synthetic").results] == [saved.record_id]
        for value in P3_VALUES:
            assert search.search(vault, value).results == (), value
    secret = tmp_path / "field.pass"
    secret.write_text(PASSPHRASES[FIELD])
    who = ["--vault", str(team), "--user", FIELD, "--passphrase-file", str(secret)]
    assert main(["records", "list", "--search", "Testperson", *who]) == 0
    assert [r["id"] for r in json.loads(capsys.readouterr().out)["records"]] == [saved.record_id]
    assert main(["records", "list", "--search", CANARY, *who]) == 0
    assert json.loads(capsys.readouterr().out)["records"] == []
    assert main(["search", CANARY, *who]) == 0
    assert capsys.readouterr().out == ""
    assert main(["search", "Testperson", *who]) == 0
    assert saved.record_id in capsys.readouterr().out
    assert main(["records", "show", saved.record_id, *who]) == 0
    out = capsys.readouterr().out
    shown = json.loads(out)
    assert "Testperson" in shown["content"] and set(shown["restricted"]) >= {"needs/specific_needs_other"}
    for value in P3_VALUES:
        assert value not in out, value
    assert sealed.PREFIX not in shown["content"]  # not even the token is handed out
