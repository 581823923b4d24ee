"""A laptop shared by people of different scopes (the issue 12 acceptance's leak): a laptop of ne_agadez on which the
coordinator's sync brought the region's records (ne_niamey's people). Field staff and case workers see their centre
only, in every reader of people (list, counts, search as typed and refined, 'already registered?', case file,
indicators, exports, entity lists, the desk), the coordinator both centres: one definition (`access.visibility`)
applied by all of them, the same that `records show` applies to one record. Synthetic people only."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from desktop_app.cli import main
from desktop_app.services import (
    access, casefile, ctdc_export, desk, places, record_export, records, registrations, reports, search,
)
from desktop_app.services.access import AccessDenied
from desktop_app.vault import database
from desktop_app.vault.registrations import RegistrationDraft, save_registrations
from tests.access.team import (
    ADMIN, CASE, CASE_ANSWERS, COORD, FIELD, MIGRANT, PASSPHRASES, PERSON, VOT, instance, signed_in,
)
from waypoint_core.access import policy

EVENT = "waypoint_assistance_event"
HERE, THERE = "ne_agadez", "ne_niamey"
AGADEZ, NIAMEY = "a1000000-0000-4000-8000-000000000000", "b1000000-0000-4000-8000-000000000000"
NIAMEY_DOC = "AB1234567"
START, END = date(2026, 1, 1), date(2026, 12, 31)


def _person(centre: str, given: str, document: str) -> dict[str, str]:
    return {**PERSON, "centre_page/centre": centre, "identity/given_name": given, "identity/family_name": "Sample",
            "identity/id_document_type": "passport", "identity/id_document_number": document}


@pytest.fixture
def shared(team, xforms):
    """The team's laptop at ne_agadez holding one person of each centre (the Niamey one as the coordinator's sync
    brings them: finalized elsewhere), an assistance event of each, a trafficking case of each."""
    version = records.form_definition(xforms["migrant_registration"]).version
    case_version = records.form_definition(xforms["vot_case"]).version
    with signed_in(team, ADMIN) as vault:
        places.set_place(vault, country="NE", centre=HERE, source="setup")
    with signed_in(team, FIELD) as vault:
        records.finalize(vault, form_id=MIGRANT, form_version=version, record_id=AGADEZ,
                         content=instance(xforms["migrant_registration"], _person(HERE, "Aissata", "CD7654321"),
                                          AGADEZ))
    with signed_in(team, COORD) as vault:
        records.finalize(vault, form_id=MIGRANT, form_version=version, record_id=NIAMEY,
                         content=instance(xforms["migrant_registration"], _person(THERE, "Mariama", NIAMEY_DOC),
                                          NIAMEY))
        events = [RegistrationDraft(EVENT, "1", "finalized", "<data/>", f"{n}2000000-0000-4000-8000-000000000000", {
            "centre": centre, "registered_on": "2026-02-01", "assistance_type": "food",
            "person_ref": "WP-" + person.replace("-", "")[:8].upper()}) for n, centre, person in
            (("a", HERE, AGADEZ), ("b", THERE, NIAMEY))]
        save_registrations(vault, events)
    with signed_in(team, CASE) as vault:
        for n, centre in (("a", HERE), ("b", THERE)):
            record_id = f"{n}3000000-0000-4000-8000-000000000000"
            records.finalize(vault, form_id=VOT, form_version=case_version, record_id=record_id,
                             content=instance(xforms["vot_case"], {**CASE_ANSWERS, "case_page/centre": centre,
                                                                   "identification/person_ref": f"WP-{n.upper()}1000000"},
                                              record_id))
    return team


def _listed(vault) -> set[str]:
    return {row.record_id for row in registrations.list_page(vault, offset=0, limit=100)}


def _found(vault, typed: str) -> set[str]:
    first = {r.record_id for r in search.first_results(vault, typed).results}
    refined = {r.record_id for r in search.search(vault, typed).results}
    return first | refined


def test_field_staff_see_their_centre_only_in_the_list_and_its_counts(shared):
    with signed_in(shared, FIELD) as vault:
        assert access.visibility(vault).rows.centre == HERE
        assert _listed(vault) == {AGADEZ, "a2000000-0000-4000-8000-000000000000"}
        assert registrations.list_counts(vault).total == 2
        assert [r.record_id for r in registrations.list_page(vault, offset=0, limit=100, search="Mariama")] == []
        with pytest.raises(AccessDenied, match="outside your scope"):  # as opening it already said
            records.reopen(vault, NIAMEY)
    with signed_in(shared, COORD) as vault:
        assert access.visibility(vault).rows.centre is None
        assert {AGADEZ, NIAMEY} <= _listed(vault)
        assert registrations.list_counts(vault).total == 6  # two people, two events, two cases (coordinators view cases)
    with signed_in(shared, CASE) as vault:  # field staff and case worker: their centre's people and cases
        listed = _listed(vault)
        assert AGADEZ in listed and "a3000000-0000-4000-8000-000000000000" in listed
        assert not {NIAMEY, "b2000000-0000-4000-8000-000000000000", "b3000000-0000-4000-8000-000000000000"} & listed


def test_search_first_and_refined_and_already_registered_keep_to_the_centre(shared, xforms):
    version = records.form_definition(xforms["migrant_registration"]).version
    again = instance(xforms["migrant_registration"], _person(HERE, "Mariama", NIAMEY_DOC),
                     "c1000000-0000-4000-8000-000000000000")
    for typed in (NIAMEY_DOC, "Mariama Sample", "Mariama", "female"):
        with signed_in(shared, FIELD) as vault:
            assert NIAMEY not in _found(vault, typed), typed
        with signed_in(shared, COORD) as vault:
            assert NIAMEY in _found(vault, typed), typed
    with signed_in(shared, FIELD) as vault:
        assert AGADEZ in _found(vault, "Aissata Sample")
        # the same passport typed again at Agadez: the Niamey person is not revealed as 'already registered'
        assert search.possible_duplicates(vault, form_id=MIGRANT, form_version=version, content=again,
                                          record_id="c1000000-0000-4000-8000-000000000000") == []
    with signed_in(shared, COORD) as vault:
        found = search.possible_duplicates(vault, form_id=MIGRANT, form_version=version, content=again,
                                           record_id="c1000000-0000-4000-8000-000000000000")
        assert [r.record_id for r in found] == [NIAMEY]


def test_case_file_and_indicators_count_only_what_the_person_may_see(shared, tmp_path):
    with signed_in(shared, FIELD) as vault:
        with pytest.raises(AccessDenied, match="outside your scope"):
            casefile.case_file(vault, NIAMEY)
        assert casefile.case_file(vault, AGADEZ).person.centre == HERE
        done = reports.compute(vault, start=START, end=END)
        assert {r.code: r.total for r in done.results}["3.2"] == 1  # the Agadez person, not Niamey's
        reports.write(vault, start=START, end=END, out=tmp_path / "field.csv")
        assert THERE not in (tmp_path / "field.csv").read_text(encoding="utf-8")
        assert reports.compute(vault, start=START, end=END, scope=reports.Scope.parse(f"centre:{THERE}")
                               ).results[0].total == 0
    with signed_in(shared, COORD) as vault:
        assert casefile.case_file(vault, NIAMEY).person.centre == THERE
        assert {r.code: r.total for r in reports.compute(vault, start=START, end=END).results}["3.2"] == 2
    with signed_in(shared, CASE) as vault:
        assert {r.code: r.total for r in reports.compute(vault, start=START, end=END).results}["vot"] == 1


def test_exports_keep_to_the_centre_and_the_coordinator_exports_the_region(shared, tmp_path):
    with signed_in(shared, CASE) as vault:  # case workers export their centre's cases
        done = record_export.export_form(vault, form_id=VOT, out=tmp_path / "cases.csv",
                                         passphrase="a long export passphrase")
        assert done.records == 1
        anonymised, _ = ctdc_export.export_ctdc(vault, out=tmp_path / "ctdc.csv")
        assert anonymised.cases == 1
    with signed_in(shared, COORD) as vault:
        done = record_export.export_form(vault, form_id=MIGRANT, out=tmp_path / "people.csv",
                                         passphrase="a long export passphrase")
        assert done.records == 2


def test_the_desk_is_refused_to_field_staff_and_shows_the_coordinator_both_centres(shared):
    with signed_in(shared, FIELD) as vault:
        with pytest.raises(AccessDenied):
            desk.load_people(vault)
    with signed_in(shared, COORD) as vault:
        people, _ = desk.load_people(vault)
        assert {p.id for p in people} >= {AGADEZ, NIAMEY}


def test_the_vault_reads_narrow_by_centre_on_an_index(shared):
    """The list reads its index in order and tests the centre on the index entry (migration 0026)."""
    with signed_in(shared, FIELD) as vault:
        seen = access.visibility(vault).rows
        params: dict = {"offset": 0, "limit": 50}
        sql = ("EXPLAIN QUERY PLAN SELECT id FROM registration WHERE deleted = 0" + seen.where(params)
               + " ORDER BY deleted, updated_at DESC, id LIMIT :limit OFFSET :offset")
        with vault.session(readonly=True) as session:
            raw = session.connection().connection.driver_connection
            plan = " ".join(str(row[-1]) for row in raw.execute(sql, params).fetchall())
            columns = [row[2] for row in raw.execute("PRAGMA index_info(ix_registration_list)").fetchall()]
            version = raw.execute("PRAGMA user_version").fetchone()[0]
        assert "ix_registration_list" in plan and "TEMP B-TREE" not in plan, plan
        assert columns == ["deleted", "updated_at", "id", "title", "form_id", "centre"]
        assert version == database.latest_version() >= 26


def test_the_cli_lists_searches_and_reports_as_the_signed_in_person(shared, tmp_path, capsys):
    def who(name: str) -> list[str]:
        secret = tmp_path / f"{name}.pass"
        secret.write_text(PASSPHRASES[name])
        return ["--vault", str(shared), "--user", name, "--passphrase-file", str(secret)]

    assert main(["search", NIAMEY_DOC, *who(FIELD)]) == 0
    assert NIAMEY not in capsys.readouterr().out
    assert main(["search", NIAMEY_DOC, *who(COORD)]) == 0
    assert NIAMEY in capsys.readouterr().out
    assert main(["records", "list", *who(FIELD)]) == 0
    listed = capsys.readouterr().out
    assert "A1000000" in listed.upper()
    assert "B1000000" not in listed.upper()
    assert main(["report", "--from", START.isoformat(), "--to", END.isoformat(), "--out", str(tmp_path / "f.csv"),
                 *who(FIELD)]) == 0
    assert THERE not in capsys.readouterr().out + (tmp_path / "f.csv").read_text(encoding="utf-8")
    assert main(["report", "--from", START.isoformat(), "--to", END.isoformat(), "--out", str(tmp_path / "c.csv"),
                 *who(COORD)]) == 0
    capsys.readouterr()
    assert f"centre,{THERE},Niamey transit centre" in (tmp_path / "c.csv").read_text(encoding="utf-8")


def test_the_table_never_gives_a_role_or_pair_of_roles_different_view_scopes_for_the_two_kinds():
    """So `visibility` narrowing both kinds to the narrowest never hides a record the table lets a person view."""
    for pair in itertools.combinations_with_replacement(policy.ROLES, 2):
        actor = policy.Actor.of("someone", pair)
        scopes = {policy.widest_scope(actor, "view", policy.subject_of(kind)) for kind in policy.KINDS} - {None}
        assert len(scopes) <= 1, (pair, scopes)
