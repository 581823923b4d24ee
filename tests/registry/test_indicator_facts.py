"""`indicator_fact` (desktop_app/vault/indicator_facts.py, kept by the writer: writer/facts.py): after every kind of
write (a batch import, an edit, a finalize, a deletion, a purge, a merge and its undo, a pulled page) the table holds
exactly what the records' summary columns and extracted fields give, and a report read from it gives the same people,
events, cases and indicators as the reading it replaced (`report_reads.report_rows`), for every person's rights and
scope. Migration 0020 fills it for the records a vault already holds."""

from __future__ import annotations

import dataclasses
from datetime import date
from itertools import product


from desktop_app.records import review
from desktop_app.services import access, reports
from desktop_app.sync import store
from desktop_app.vault import database, report_reads
from desktop_app.vault.indicator_facts import COLUMNS, derive
from desktop_app.vault.registrations import RegistrationDraft, Visible, save_registrations
from desktop_app.vault.sql import Db
from desktop_app.vault.writer import write
from tests.access.team import ADMIN, CASE, FIELD, MIGRANT, VOT, signed_in
from waypoint_core.protocol import PROTOCOL_VERSION, Change, PullPage, version_hash
from waypoint_core.registry import exports
from waypoint_core.registry.indicators import SESSION_FORM, fact_of, inputs_from_facts, inputs_from_records

EVENT, REFERRAL = "waypoint_assistance_event", "waypoint_referral"
START, END = date(2026, 1, 1), date(2026, 12, 31)
MARCH, MARCH_END = date(2026, 3, 1), date(2026, 3, 31)  # a period leaving events out



def uid(n: int) -> str:
    return f"{n:08x}-0000-4000-8000-{n:012x}"


def short(n: int) -> str:
    return uid(n).replace("-", "")[:8].upper()


def person(n: int, *, status: str = "finalized", sex: str = "female", category: str = "stranded",
           centre: str = "ne_agadez") -> RegistrationDraft:
    return RegistrationDraft(MIGRANT, "1", status, "<data/>", uid(n), {
        "title": f"P{n}", "sex": sex, "age": 20 + n, "nationality": "ML", "centre": centre,
        "registered_on": "2026-02-01", "beneficiary_category": category})


def event(n: int, ref: str, *, kind: str = "food", day: str = "2026-03-01", form: str = EVENT,
          status: str = "finalized", centre: str = "ne_agadez") -> RegistrationDraft:
    fields = {"centre": centre, "registered_on": day, "person_ref": ref}
    if form == EVENT:
        fields["assistance_type"] = kind
    return RegistrationDraft(form, "1", status, f"<data><person_ref>{ref}</person_ref></data>", uid(n), fields)


def stored(vault) -> list[dict]:
    with vault.session(readonly=True) as session:
        rows = Db.of(session).execute(f"SELECT {', '.join(COLUMNS)} FROM indicator_fact ORDER BY record_id").all()
    return [row._asdict() for row in rows]


def derived(vault) -> list[dict]:
    with vault.session(readonly=True) as session:
        return sorted(derive(Db.of(session)), key=lambda row: row["record_id"])


def same_as_the_records(vault, *, merged: dict[str, str] | None = None) -> list[dict]:
    """The table equals what the records give now, and a report read from it equals one read from the records, for
    the signed-in person's rights, with and without a scope on the events' centre. Returns the table's rows.
    `merged` (a merged registration's number -> the kept one's): merge decisions standing, which the report follows
    (a link to the merged number counts the kept person) and the reading from the records does not: its links are
    read as naming the kept number."""
    rows = stored(vault)
    assert rows == derived(vault)
    seen = access.visibility(vault)
    for (start, end), scope in product(((START, END), (MARCH, MARCH_END)), (
            reports.Scope(), reports.Scope.parse("centre:ne_agadez"), reports.Scope.parse("country:ML"))):
        covers = None if scope.kind == "all" else scope.covers
        found = report_reads.report_inputs(vault, start=start, end=end, visible=seen.rows, covers=covers)
        rows_read = report_reads.report_rows(vault, visible=seen.rows)
        expected = (inputs_from_records(rows_read, covers=scope.covers) if not merged else inputs_from_facts(
            (dataclasses.replace(f, ref=merged.get(f.ref, f.ref)) for row in rows_read
             if (f := fact_of(row)) is not None), covers=scope.covers))
        # the people something names, the period's events, grouped by kind and type
        events = [e for e in expected.events if start <= e.day <= end]
        named = {e.person_id for e in events} | {c.person_id for c in expected.cases}
        everyone = {p.id: p for p in found.people}  # every row, a number each
        assert [everyone[p.id] for p in expected.people if p.id in named] == \
            [p for p in expected.people if p.id in named]
        assert {p.id for p in found.events.named()} | {c.person_id for c in found.cases} == named
        assert sorted(found.cases, key=repr) == sorted(expected.cases, key=repr)
        assert found.unlinked == expected.unlinked
        assert sorted(found.sessions, key=repr) == sorted((s for s in expected.sessions if start <= s.day <= end),
                                                          key=repr)
        assert sorted(((e.person_id, e.day, e.kind, e.assistance_type) for e in found.events.events()),
                      key=repr) == \
            sorted(((e.person_id, e.day, e.kind, e.assistance_type) for e in events), key=repr)
        old = exports.indicators_from_inputs(expected, start=start, end=end, scope=str(scope),
                                             centre_scope=scope.kind == "centre", may_see_cases=True)
        new = exports.indicators_from_inputs(found, start=start, end=end, scope=str(scope),
                                             centre_scope=scope.kind == "centre", may_see_cases=True)
        assert new.results == old.results and new.report == old.report
    return rows


def by_id(rows: list[dict]) -> dict[str, dict]:
    return {row["record_id"]: row for row in rows}


def pull(vault, *changes: Change) -> None:
    epoch = "0123456789abcdef"
    page = PullPage(protocol_version=PROTOCOL_VERSION, epoch=epoch, since="", changes=list(changes),
                    next_cursor=f"{epoch}.{max(c.server_version for c in changes)}", has_more=False)
    store.store_pull_page(vault, page, own_device_id="00000000-0000-4000-8000-00000000000d")


def change(seq: int, record_id: str, form_id: str, fields: dict, *, version: int = 1, deleted: bool = False) -> Change:
    fields = {**fields, "@status": "finalized", "@created_by": "lamine", "@created_at": "2026-11-20T08:00:00+00:00"}
    content = "" if deleted else "<data/>"
    return Change(seq=seq, record_id=record_id, server_version=version,
                  version_hash=version_hash(form_id=form_id, form_version="1", deleted=deleted, fields=fields,
                                            content=content),
                  deleted=deleted, form_id=form_id, form_version="1", fields=fields, content=content, hlc=seq,
                  origin_device_id=None)


def test_every_kind_of_write_keeps_the_facts_equal_to_the_records(team):
    with signed_in(team, CASE) as vault:
        # a batch import: people, a draft person, events naming them as typed in the field, a referral, a case,
        # an event naming no one and one with no day
        save_registrations(vault, [
            person(1), person(2, sex="male"), person(3, category="returnee", centre="ml_gao"), person(4),
            person(5, status="draft"),
            event(101, f"WP-{short(1)}"), event(102, short(1).lower(), kind="legal"),
            event(103, f"wp {short(2)[:4]} {short(2)[4:]}", kind="avrr_travel", centre="ml_gao"),
            event(104, short(3), form=REFERRAL), event(105, "NOPE1234"), event(106, short(4), day=""),
            event(107, short(5), status="draft"),
            RegistrationDraft(VOT, "1", "finalized", "<data/>", uid(201), {
                "person_ref": short(2), "trafficking_status": "ActualVictimOfTrafficking", "record_kind": "case"}),
            RegistrationDraft("some_other_form", "1", "finalized", "<data/>", uid(301), {"title": "no fact"}),
        ])
        rows = by_id(same_as_the_records(vault))
        assert set(rows) == {uid(n) for n in (1, 2, 3, 4, 101, 102, 103, 104, 105, 106, 201)}
        assert rows[uid(1)]["short"] == short(1) and rows[uid(1)]["birth_year"] == 2026 - 21
        assert (rows[uid(102)]["ref"], rows[uid(102)]["link"], rows[uid(102)]["day"]) == (short(1), "assistance",
                                                                                            "2026-03-01")
        assert rows[uid(105)]["ref"] == "" and rows[uid(106)]["day"] is None
        assert (rows[uid(201)]["link"], rows[uid(201)]["kind"]) == ("case", "case")
        assert rows[uid(1)]["created_by"] == CASE

        # an edit (another number named, another sex), a finalize, a finalized record edited back into a draft
        save_registrations(vault, [event(102, f"WP-{short(4)}", kind="legal"), person(2, sex="female"),
                                   person(5), event(104, short(3), form=REFERRAL, status="draft")])
        rows = by_id(same_as_the_records(vault))
        assert rows[uid(102)]["ref"] == short(4) and rows[uid(2)]["sex"] == "female"
        assert uid(5) in rows and uid(104) not in rows

        # deletions: a record the server never heard of (no row left) and one it holds (a tombstone)
        with write(vault) as w:
            w.set_server_states([{"r": uid(3), "v": 1, "s": "acknowledged"}])
        with write(vault) as w:
            w.delete(uid(3))
            w.delete(uid(105))
        rows = by_id(same_as_the_records(vault))
        assert uid(3) not in rows and uid(105) not in rows

        # retention's purge keeps the fields it leaves
        with write(vault) as w:
            w.purge(uid(4), content="<data/>", fields={"sex": "female", "age": 30, "centre": "ne_agadez",
                                                       "registered_on": "2026-02-01"}, versions={})
        rows = by_id(same_as_the_records(vault))
        assert rows[uid(4)]["category"] is None and rows[uid(4)]["birth_year"] == 1996

        # the review desk's merge and its undo leave the events naming the registration they were recorded for (the
        # indicators follow the decision: a merged number counts as the kept person); the table is unchanged
        before = by_id(same_as_the_records(vault))
        decision = review.merge(vault, kept=uid(2), merged=uid(1))
        rows = by_id(same_as_the_records(vault, merged={short(1): short(2)}))
        assert rows[uid(101)]["ref"] == short(1) and rows == before
        review.undo(vault, decision)
        rows = by_id(same_as_the_records(vault))
        assert rows[uid(101)]["ref"] == short(1) and rows == before

        # pulled pages: a new person and an event naming them; then the person edited elsewhere, the event deleted
        pull(vault,
             change(1, uid(6), MIGRANT, {"sex": "male", "age": "40", "centre": "ne_agadez",
                                         "registered_on": "2026-04-01", "beneficiary_category": "expelled"}),
             change(2, uid(108), EVENT, {"centre": "ne_agadez", "registered_on": "2026-04-02",
                                         "person_ref": short(6), "assistance_type": "cash"}))
        rows = by_id(same_as_the_records(vault))
        assert rows[uid(6)]["created_by"] == "lamine" and rows[uid(108)]["ref"] == short(6)
        pull(vault,
             change(3, uid(6), MIGRANT, {"sex": "male", "age": "40", "centre": "ne_agadez",
                                         "registered_on": "2026-04-01", "beneficiary_category": "refugee"}, version=2),
             change(4, uid(108), EVENT, {}, version=2, deleted=True))
        rows = by_id(same_as_the_records(vault))
        assert rows[uid(6)]["category"] == "refugee" and uid(108) not in rows
        assert len(rows) == 10

    # the rights of field staff (no case) and their report from the same table
    with signed_in(team, FIELD) as vault:
        rows = by_id(same_as_the_records(vault))
        done = reports.compute(vault, start=START, end=END)
        assert "vot" not in {r.code for r in done.results}


def _sync_columns_back_in_the_row(conn) -> None:
    """As before migration 0023: the sync columns in the registration row, no registration_sync."""
    for column in ("server_version INTEGER", "sync_state TEXT NOT NULL DEFAULT 'queued'", "acked_at TEXT"):
        conn.exec_driver_sql(f"ALTER TABLE registration ADD COLUMN {column}")
    conn.exec_driver_sql("UPDATE registration SET (server_version, sync_state, acked_at) = (SELECT "
                         "server_version, sync_state, acked_at FROM registration_sync WHERE record_id = id)")
    conn.exec_driver_sql("DROP TABLE registration_sync")


def test_the_migration_fills_the_table_for_the_records_already_held(team):
    with signed_in(team, ADMIN) as vault:
        save_registrations(vault, [person(1), person(2, sex="male"), event(101, short(1)), event(102, short(2)),
                                   event(103, "NOPE1234"), person(3, status="draft")])
        kept = stored(vault)
        assert len(kept) == 5
        with vault.session() as session:  # the vault as schema 19 held it: no table, the sync columns in the row
            conn = session.connection()
            conn.exec_driver_sql("DROP TABLE indicator_fact")
            _sync_columns_back_in_the_row(conn)
            conn.exec_driver_sql("PRAGMA user_version = 19")
    with signed_in(team, ADMIN) as vault:
        assert vault.verify().ok
        with vault.session(readonly=True) as session:
            assert database.schema_version(session.connection().connection.driver_connection) == \
                database.latest_version()
        assert same_as_the_records(vault) == kept


def test_migration_0021_groups_the_links_from_an_index_with_no_sort(team):
    """A vault at schema 20 gets ix_indicator_fact_link; the report's grouped read of the links, for every right and
    scope, walks that covering index alone (no temporary b-tree) and gives what the records give."""
    with signed_in(team, ADMIN) as vault:
        save_registrations(vault, [person(1), person(2, sex="male"), event(101, short(1)), event(102, short(2)),
                                   event(103, "NOPE1234"), event(104, short(1), form=REFERRAL)])
        with vault.session() as session:  # the vault as schema 20 held it
            conn = session.connection()
            conn.exec_driver_sql("DROP INDEX ix_indicator_fact_link")
            conn.exec_driver_sql("DROP INDEX ix_indicator_fact_person")
            conn.exec_driver_sql("DROP INDEX ix_indicator_fact_session")
            _sync_columns_back_in_the_row(conn)
            conn.exec_driver_sql("PRAGMA user_version = 20")
    with signed_in(team, ADMIN) as vault:
        assert vault.verify().ok
        rights = (access.visibility(vault).rows, Visible(only_kind="case", case_forms=("waypoint_vot_case",)),
                  Visible(only_kind="registration", case_forms=("waypoint_vot_case",)), Visible(created_by="lamine"))
        with vault.session(readonly=True) as session:
            raw = session.connection().connection.driver_connection
            assert database.schema_version(raw) == database.latest_version()
            for visible in rights:
                for by_centre in (False, True):
                    sql, params = report_reads.links_statement(visible, by_centre=by_centre)
                    plan = " ".join(str(row[-1]) for row in raw.execute("EXPLAIN QUERY PLAN " + sql, params))
                    assert "COVERING INDEX ix_indicator_fact_link" in plan and "TEMP B-TREE" not in plan, plan
        same_as_the_records(vault)


def test_migration_0024_reads_the_people_from_an_index_with_no_sort(team):
    """A vault at schema 23 gets ix_indicator_fact_person; the report's read of the people, for every right, walks
    that covering index alone (no table scan, no temporary b-tree), and of two people sharing a registration number
    the last by id is still the one named."""
    with signed_in(team, ADMIN) as vault:
        twin = f"{1:08x}-0000-4000-8000-{99:012x}"  # the same registration number as uid(1), a later id
        save_registrations(vault, [person(1), person(2, sex="male"), event(101, short(1)), event(102, short(2)),
                                   event(103, "NOPE1234"), event(104, short(1), form=REFERRAL)])
        save_registrations(vault, [dataclasses.replace(person(1, sex="male"), record_id=twin)])
        with vault.session() as session:  # the vault as schema 23 held it
            conn = session.connection()
            conn.exec_driver_sql("DROP INDEX ix_indicator_fact_person")
            conn.exec_driver_sql("DROP INDEX ix_indicator_fact_session")
            conn.exec_driver_sql("PRAGMA user_version = 23")
    with signed_in(team, ADMIN) as vault:
        assert vault.verify().ok
        rights = (access.visibility(vault).rows, Visible(only_kind="case", case_forms=("waypoint_vot_case",)),
                  Visible(only_kind="registration", case_forms=("waypoint_vot_case",)), Visible(created_by="lamine"))
        with vault.session(readonly=True) as session:
            raw = session.connection().connection.driver_connection
            assert database.schema_version(raw) == database.latest_version()
            for visible in rights:
                sql, params = report_reads.people_statement(visible)
                plan = " ".join(str(row[-1]) for row in raw.execute("EXPLAIN QUERY PLAN " + sql, params))
                assert "COVERING INDEX ix_indicator_fact_person" in plan and "TEMP B-TREE" not in plan, plan
        found = report_reads.report_inputs(vault, start=START, end=END)
        assert {p.id: p.sex for p in found.events.named()} == {twin: "male", uid(2): "male"}
        same_as_the_records(vault)


def test_migration_0025_adds_the_sessions_and_reads_them_from_their_index(team):
    """A vault at schema 24 (no `session` column: an information session held then counted for nothing) gets the
    column, ix_indicator_fact_session and the session's fact; the report reads the period's sessions from that index
    alone, for every right."""
    session_fields = {"centre": "ne_agadez", "registered_on": "2026-02-10", "f_18_24": "12", "m_36p": "3",
                      "estimated_reach": "900", "registered_persons": f"WP-{short(1)}", "channel": "radio"}
    with signed_in(team, ADMIN) as vault:
        save_registrations(vault, [person(1), event(101, short(1), kind="counselling_info"),
                                   RegistrationDraft(SESSION_FORM, "2026120701", "finalized", "<data/>", uid(401),
                                                     session_fields)])
        with vault.session() as session:  # the vault as schema 24 held it
            conn = session.connection()
            conn.exec_driver_sql("DROP INDEX ix_indicator_fact_session")
            conn.exec_driver_sql("DELETE FROM indicator_fact WHERE record_id = ?", (uid(401),))
            conn.exec_driver_sql("ALTER TABLE indicator_fact DROP COLUMN session")
            conn.exec_driver_sql("PRAGMA user_version = 24")
    with signed_in(team, ADMIN) as vault:
        assert vault.verify().ok
        rights = (access.visibility(vault).rows, Visible(only_kind="registration", case_forms=("waypoint_vot_case",)),
                  Visible(created_by="lamine"))
        with vault.session(readonly=True) as session:
            raw = session.connection().connection.driver_connection
            assert database.schema_version(raw) == database.latest_version()
            for visible in rights:
                sql, params = report_reads.sessions_statement(visible, start=START, end=END)
                plan = " ".join(str(row[-1]) for row in raw.execute("EXPLAIN QUERY PLAN " + sql, params))
                assert "COVERING INDEX ix_indicator_fact_session" in plan and "TEMP B-TREE" not in plan, plan
        found = report_reads.report_inputs(vault, start=START, end=END)
        assert [(s.day, dict(s.tallies), s.estimated_reach, s.person_ids) for s in found.sessions] == [
            (date(2026, 2, 10), {("female", "18_24"): 12, ("male", "36p"): 3}, 900, (uid(1),))]
        result = {r.code: r for r in reports.compute(vault, start=START, end=END).results}["3.3"]
        assert result.total == 15 and result.estimated_reach == 900  # person 1 was at the session: counted once
        same_as_the_records(vault)


def test_verify_finds_facts_that_differ_from_the_records(team):
    with signed_in(team, ADMIN) as vault:
        save_registrations(vault, [person(1), event(101, short(1))])
        assert vault.verify().ok
        with vault.session() as session:
            session.connection().exec_driver_sql("UPDATE indicator_fact SET sex = 'male' WHERE record_id = ?",
                                                 (uid(1),))
        problems = vault.verify().problems
        assert problems == ["indicator_fact: 1 record(s) whose facts differ from the record"]


def test_a_report_of_the_vault_reads_the_facts(team):
    """The hand-computed figures of test_reports_device hold through the table; a deleted person counts no more."""
    with signed_in(team, ADMIN) as vault:
        save_registrations(vault, [person(n) for n in range(1, 13)] + [event(100 + n, short(n)) for n in range(1, 13)])
        assert reports.compute(vault, start=START, end=END).results[0].total == 12
        with write(vault) as w:
            w.delete(uid(1))
        assert reports.compute(vault, start=START, end=END).results[0].total == 11
        assert reports.compute(vault, start=START, end=END).unlinked == 1  # event 101 names no one now
        with vault.session(readonly=True) as session:
            assert Db.of(session).execute("SELECT count(*) FROM indicator_fact WHERE record_id = :r",
                                          {"r": uid(1)}).scalar_one() == 0
