"""The tables derived at push time (sync_server/derived.py) against the real server on SQLite and PostgreSQL: on a
synthetic centre pushed, edited and partly deleted through the protocol, /v2/indicators from `indicator_fact` and
/v2/search through the hashed `search_key` give byte for byte the answers of the full scan they replaced (every record
opened, the device's reading and computation); the tables hold no name, number or date of birth in clear; migration
0012 builds the same rows from records already held."""

from __future__ import annotations

import json
import random
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import inspect, text

from sync_server import admin, derived, reports, scope, search
from sync_server.atrest import DataKey, open_text, seal_text
from sync_server.auth import AuthenticatedDevice
from sync_server.db import MigrationContext, migrate, open_database, utcnow
from sync_server.tables import Record
from tests.registry.device_people import person_xml
from tests.registry.synthetic_people import generate
from waypoint_core.protocol import PROTOCOL_VERSION, Op, canonical_json
from waypoint_core.registry import exports
from waypoint_core.registry import search as core
from waypoint_core.registry.indicators import (CASE_FORM, EVENT_FORM, MIGRANT_FORM, REFERRAL_FORM, SESSION_FORM,
                                              session_from_text, short_id)
from waypoint_core.registry.keys import search_keys
from waypoint_core.registry.person import prepare
from waypoint_core.registry.stored import person_from_content

TODAY = date(2026, 11, 2)
PERIODS = [(date(2026, 1, 1), date(2026, 6, 30)), (date(2026, 3, 1), date(2026, 3, 31)),
           (date(2025, 1, 1), date(2026, 12, 31))]
CATEGORIES = ["migrant_transit", "stranded", "expelled", "returnee", "asylum_seeker", "refugee", "idp", ""]
TYPES = ["food", "registration", "counselling_info", "avrr_travel", "post_arrival", "reint_economic", "legal", None]
CENTRES = ["ne_agadez", "ne_arlit", ""]


class Pusher:
    def __init__(self, laptop) -> None:
        self.laptop, self.seq, self.ops = laptop, 0, []
        self.versions: dict[str, int] = {}

    def put(self, record_id: str, form: str, fields: dict, content: str | None = None, kind: str = "upsert") -> None:
        self.seq += 1
        self.versions[record_id] = self.versions.get(record_id, 0) + 1
        self.ops.append(Op(op_id=str(uuid.uuid4()), device_seq=self.seq, record_id=record_id, op=kind,
                           record_version=self.versions[record_id], base_version=None, base_hash=None, form_id=form,
                           form_version="1", hlc=self.seq, content=content, fields=fields))

    def send(self) -> None:
        for start in range(0, len(self.ops), 200):
            self.laptop.push(self.laptop.batch(self.ops[start:start + 200]))
        self.ops = []


def populate(laptop, seed: int = 12) -> tuple[list, list[str]]:
    """About 240 registrations (synthetic names in Latin and Arabic script, documents, phones), 600 events and
    referrals in and out of the periods (some naming no one), 20 cases; then edits, deletions and a draft finalized.
    Returns (the people as generated, the ids of the registrations)."""
    rng = random.Random(seed)
    population = [s.record for s in generate(240, seed=seed).records]
    pusher = Pusher(laptop)
    ids = []
    for n, person in enumerate(population):
        record_id = str(uuid.uuid4())
        ids.append(record_id)
        content = person_xml(record_id, person.given_name or "", person.family_name or "", sex=person.sex or "male",
                             born=person.date_of_birth.isoformat() if person.date_of_birth else "",
                             nationality=person.nationality or "", document=person.document_number or "",
                             phone=person.phone or "")
        fields = {"sex": person.sex, "nationality": person.nationality, "centre": rng.choice(CENTRES),
                  "age": rng.choice([rng.randint(0, 80), None, "", "thirty"]),
                  "registered_on": rng.choice(["2026-01-10", "2025-12-30", "", "not a day"]),
                  "beneficiary_category": rng.choice(CATEGORIES),
                  "@status": "draft" if n % 17 == 0 else "finalized"}
        pusher.put(record_id, MIGRANT_FORM, {k: v for k, v in fields.items() if v is not None}, content)
    for _ in range(600):
        person = rng.choice(ids)
        ref = rng.choice([f"WP-{short_id(person)}", short_id(person).lower(), f"{short_id(person)[:4]}-"
                          f"{short_id(person)[4:]}", "NOPE1234", ""])
        day = date(2025, 12, 1) + timedelta(days=rng.randrange(0, 270))
        form = rng.choice([EVENT_FORM] * 9 + [REFERRAL_FORM])
        fields = {"person_ref": ref, "registered_on": rng.choice([day.isoformat()] * 9 + [""]),
                  "assistance_type": rng.choice(TYPES), "centre": rng.choice(CENTRES), "@status": "finalized"}
        pusher.put(str(uuid.uuid4()), form, {k: v for k, v in fields.items() if v is not None})
    for person in rng.sample(ids, 20):
        pusher.put(str(uuid.uuid4()), CASE_FORM, {
            "person_ref": short_id(person), "record_kind": "case", "@status": "finalized",
            "trafficking_status": rng.choice(["ActualVictimOfTrafficking", "Possible", "NotAVictim"])})
    pusher.send()
    for record_id in rng.sample(ids, 20):  # edits: another category, a draft finalized
        pusher.put(record_id, MIGRANT_FORM, {"beneficiary_category": rng.choice(CATEGORIES), "@status": "finalized"})
    for record_id in rng.sample(ids, 10):
        pusher.put(record_id, MIGRANT_FORM, {}, kind="delete")
    pusher.send()
    return population, ids


def _device(admin_db, laptop) -> AuthenticatedDevice:
    with admin_db.read_engine.connect() as conn:
        centre = conn.execute(text("SELECT centre_id FROM device WHERE id = :d"), {"d": laptop.device_id}).scalar_one()
    return AuthenticatedDevice(laptop.device_id, centre, 0, 0)


def _records(admin_db, device: AuthenticatedDevice, key: DataKey) -> list[tuple[str, str, dict]]:
    """Every live record the device may read, opened: what the full scans read."""
    r = Record.__table__
    with admin_db.read_engine.connect() as conn:
        query = (r.select().with_only_columns(r.c.id, r.c.form_id, r.c.server_version, r.c.state)
                 .where(r.c.centre_id == device.centre_id, r.c.deleted.is_(False)))
        if not scope.may_receive_cases(conn, device.id, device.centre_id):
            query = query.where(r.c.id.not_in(scope.case_ids()))
        return [(row.id, row.form_id, json.loads(open_text(key, row.state, table="record", row_id=row.id,
                                                            version=row.server_version)))
                for row in conn.execute(query)]


def full_scan_indicators(admin_db, device, key, start: date, end: date) -> bytes:
    """/v2/indicators as it was: every record opened and read by the device's code."""
    with admin_db.read_engine.connect() as conn:
        cases = scope.may_receive_cases(conn, device.id, device.centre_id)
    rows = [row for rid, form, values in _records(admin_db, device, key)
            if (row := derived.stored_row(rid, form, values)) is not None]
    done = exports.indicators_from_records(rows, start=start, end=end, scope=f"centre:{device.centre_id}",
                                           covers=lambda _c: True, centre_scope=True, may_see_cases=cases)
    return reports.answer(done, device.centre_id, start=start, end=end)


def full_scan_index(admin_db, device, key) -> core.MemoryIndex:
    """/v2/search as it was: every registration opened into a MemoryIndex (for each query; once here)."""
    index = core.MemoryIndex()
    for rid, _form, values in _records(admin_db, device, key):
        person = person_from_content(rid, values.get("#content"), status=values.get("@status"),
                                     created_at=values.get("@created_at"))
        if person is not None:
            index.add(prepare(person))
    return index


def full_scan_search(index: core.MemoryIndex, device, q: str, *, first: bool = False,
                     budget: int = core.FIRST_BUDGET) -> bytes:
    """The refined search's answer as `MemoryIndex.search` gives it; with `first`, the first stage's
    (`MemoryIndex.first` ranking at most `budget` records, what the device's index gives as one types)."""
    query, ignored = search.parse(q, TODAY)  # the device's vocabulary, as the server reads queries
    if query.empty:
        hits = []
    elif first:
        hits = index.first(query, today=TODAY, limit=50, budget=budget)
    else:
        hits = index.search(query, today=TODAY, limit=50)
    complete = not first or not core.first_parts(query)
    return canonical_json({"protocol_version": PROTOCOL_VERSION, "centre_id": device.centre_id, "complete": complete,
                           "results": [{"id": h.id, "score": round(h.score, 4), "why": list(h.why)} for h in hits],
                           "ignored_filters": ignored})


def queries(population, rng: random.Random) -> list[str]:
    out = ["25 ans", "1990", "Mohamed", "Mohammed Diallo", "محمد", "Aisha", "Abdulrahman", "Ousmane Bello ",
           "ab", "Ama", "zz", "12345678"]
    for person in rng.sample(population, 15):
        given, family = person.given_name or "", person.family_name or ""
        out += [f"{given} {family}", f"{family} {given}", given[:3], given[:-1] if len(given) > 4 else given]
        if person.document_number:
            out.append(" ".join(person.document_number[i:i + 3] for i in range(0, len(person.document_number), 3)))
        if person.phone:
            out.append(person.phone)
        if person.date_of_birth:
            out.append(person.date_of_birth.strftime("%d/%m/%Y"))
    return [q for q in out if q.strip()]


def test_indicators_and_search_from_derived_tables_equal_the_full_scan(make_device, admin_db, data_key):
    laptop = make_device("Agadez")
    field_laptop = make_device("Agadez")
    scope.set_device_roles(admin_db, field_laptop.device_id, ["field_staff"])
    population, _ids = populate(laptop)
    for who in (laptop, field_laptop):
        device = _device(admin_db, who)
        for start, end in PERIODS:
            derived_answer = reports.indicators(admin_db, device, start=start, end=end, key=data_key)
            assert derived_answer == full_scan_indicators(admin_db, device, data_key, start, end)
            assert json.loads(derived_answer)["indicators"][0]["total"] not in ("0", "<10")  # counts something
        index, found, first_found = full_scan_index(admin_db, device, data_key), 0, 0
        for q in queries(population, random.Random(3)):
            mine = search.search(admin_db, device, text=q, limit=50, key=data_key, today=TODAY)
            assert mine == full_scan_search(index, device, q), q
            found += bool(json.loads(mine)["results"])
            first = search.first_results(admin_db, device, text=q, limit=50, key=data_key, today=TODAY)
            assert first == full_scan_search(index, device, q, first=True), q
            few = search.first_results(admin_db, device, text=q, limit=50, key=data_key, today=TODAY, budget=4)
            assert few == full_scan_search(index, device, q, first=True, budget=4), q  # the same few, in one order
            first_found += bool(json.loads(first)["results"])
        assert found > 40 and first_found > 30  # most queries find someone, most at once
    # through HTTP too
    answer = laptop.signed_get("/v2/indicators?from=2026-01-01&to=2026-06-30").json()
    assert canonical_json(answer) == (
        full_scan_indicators(admin_db, _device(admin_db, laptop), data_key, date(2026, 1, 1), date(2026, 6, 30)))


def _derived_rows(admin_db, centre_id: str, key: DataKey | None = None) -> tuple[list, list]:
    """The centre's derived rows (with `key`: caught up first, as a read of them is)."""
    if key is not None:
        derived.catch_up(admin_db, key)
    with admin_db.read_engine.connect() as conn:
        facts = sorted(tuple(r) for r in conn.execute(
            text("SELECT * FROM indicator_fact WHERE centre_id = :c"), {"c": centre_id}))
        keys = sorted(tuple(r) for r in conn.execute(
            text("SELECT record_id, key_hash FROM search_key WHERE centre_id = :c"), {"c": centre_id}))
    return facts, keys


def _prefix_rows(db) -> list:
    with db.read_engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(text("SELECT full_hash, prefix_hash FROM search_prefix")))


def test_derived_tables_hold_nothing_in_clear_and_rebuild_the_same(make_device, admin_db, data_key):
    laptop = make_device("Tahoua")
    population, ids = populate(laptop, seed=5)
    centre = _device(admin_db, laptop).centre_id
    facts, keys = _derived_rows(admin_db, centre, data_key)
    words = _prefix_rows(admin_db)
    assert facts and len(keys) > 5 * len(ids) and words
    dump = str(facts) + str(keys) + str(words)
    for person in population:
        for secret in (person.given_name, person.family_name, person.document_number, person.phone,
                       person.date_of_birth and person.date_of_birth.isoformat()):
            assert not secret or len(secret) < 4 or secret not in dump
    with admin_db.write_engine.begin() as conn:  # what migration 0012 runs over records already held
        derived.rebuild(conn, data_key, chunk=97)
    assert _derived_rows(admin_db, centre) == (facts, keys)
    assert set(_prefix_rows(admin_db)) <= set(words)  # rebuilt for the words records hold (stale ones left out)


def test_migration_0012_derives_the_rows_of_records_already_held(tmp_path):
    key = DataKey.generate()
    db = open_database(f"sqlite:///{tmp_path / 'server.db'}", pool_size=1)
    try:
        migrate(db, MigrationContext(data_key=key), up_to=11)
        centre = admin.add_centre(db, "Agadez")
        record_id = str(uuid.uuid4())
        values = {"#form": f"{MIGRANT_FORM}\x1f1", "#deleted": False, "@status": "finalized", "sex": "female",
                  "age": 30, "registered_on": "2026-01-10", "beneficiary_category": "refugee",
                  "#content": person_xml(record_id, "Aïcha", "Bello", sex="female", document="AB 123 456")}
        with db.write_engine.begin() as conn:
            conn.execute(Record.__table__.insert(), [{
                "id": record_id, "centre_id": centre, "form_id": MIGRANT_FORM, "form_version": "1",
                "server_version": 1, "deleted": False, "provenance": "{}", "updated_at": utcnow(), "hash": "h",
                "hlc": 1, "origin_device_id": None,
                "state": seal_text(key, json.dumps(values), table="record", row_id=record_id, version=1)}])
        with pytest.raises(RuntimeError, match="data key"):
            migrate(db, MigrationContext(data_key=None))
        assert migrate(db, MigrationContext(data_key=key))[:2] == [12, 13]  # and the later ones (0014: audit)
        facts, keys = _derived_rows(db, centre)
        assert facts == [(record_id, centre, short_id(record_id), "female", 1996, None, None, "refugee", None, "",
                          None, None, None, None)]
        hasher = derived.KeyHasher.of(key)
        person = person_from_content(record_id, values["#content"], status="finalized", created_at=None)
        assert person is not None and any(k.startswith("d:") for k in search_keys(prepare(person)))
        assert {(record_id, hasher.exact(k)) for k in search_keys(prepare(person))} == set(keys)
        assert (hasher.exact("s:aisha"), hasher.prefix("s:ai")) in _prefix_rows(db)
    finally:
        db.dispose()


def test_migration_0018_adds_the_sessions_column_and_derives_the_sessions_held(tmp_path):
    """A server at schema 17 (indicator_fact without `session`) holding an information session: 0018 adds the column
    and its index and derives the session (tallies, reach, the numbers it names), which needs the data key."""
    key = DataKey.generate()
    db = open_database(f"sqlite:///{tmp_path / 'server.db'}", pool_size=1)
    try:
        migrate(db, MigrationContext(data_key=key), up_to=17)
        with db.write_engine.begin() as conn:  # as 0012 made the table before 0018
            conn.exec_driver_sql("ALTER TABLE indicator_fact DROP COLUMN session")
        centre = admin.add_centre(db, "Agadez")
        record_id = str(uuid.uuid4())
        values = {"#form": f"{SESSION_FORM}\x1f2026120701", "#deleted": False, "@status": "finalized",
                  "centre": "ne_agadez", "registered_on": "2026-02-10", "f_18_24": "12", "m_0_17": "4",
                  "estimated_reach": "300", "registered_persons": "WP-1A2B3C4D", "channel": "radio"}
        with db.write_engine.begin() as conn:
            conn.execute(Record.__table__.insert(), [{
                "id": record_id, "centre_id": centre, "form_id": SESSION_FORM, "form_version": "2026120701",
                "server_version": 1, "deleted": False, "provenance": "{}", "updated_at": utcnow(), "hash": "h",
                "hlc": 1, "origin_device_id": None,
                "state": seal_text(key, json.dumps(values), table="record", row_id=record_id, version=1)}])
        with pytest.raises(RuntimeError, match="data key"):
            migrate(db, MigrationContext(data_key=None))
        assert migrate(db, MigrationContext(data_key=key))[:1] == [18]
        facts, _keys = _derived_rows(db, centre)
        assert len(facts) == 1 and facts[0][10] == "2026-02-10" and facts[0][6] == "ne_agadez"
        session = session_from_text(date(2026, 2, 10), "ne_agadez", facts[0][13])
        assert dict(session.tallies) == {("female", "18_24"): 12, ("male", "0_17"): 4}
        assert session.estimated_reach == 300 and session.person_ids == ("1A2B3C4D",)
        with db.read_engine.connect() as conn:
            assert "ix_indicator_fact_session" in {i["name"] for i in inspect(conn).get_indexes("indicator_fact")}
    finally:
        db.dispose()


def test_a_bulk_deletion_and_its_undo_take_the_derived_rows_away_and_back(make_device, admin_db, data_key):
    laptop = make_device("Dirkou")
    pusher = Pusher(laptop)
    ids = []
    for n in range(12):
        record_id = str(uuid.uuid4())
        ids.append(record_id)
        pusher.put(record_id, MIGRANT_FORM, {"sex": "female", "age": 20 + n, "registered_on": "2026-01-10",
                                             "beneficiary_category": "refugee", "@status": "finalized"},
                   person_xml(record_id, "Aminata", f"Traoré{n}", sex="female"))
    pusher.send()
    device = _device(admin_db, laptop)
    facts, keys = _derived_rows(admin_db, device.centre_id, data_key)
    assert len(facts) == 12 and {k[0] for k in keys} == set(ids)
    for record_id in ids:  # one batch deleting them all raises an alarm
        pusher.put(record_id, MIGRANT_FORM, {}, kind="delete")
    pusher.send()
    assert _derived_rows(admin_db, device.centre_id, data_key) == ([], [])
    assert json.loads(search.search(admin_db, device, text="Aminata", limit=50, key=data_key))["results"] == []
    alarm = next(a for a in scope.list_alarms(admin_db) if a["centre_id"] == device.centre_id)
    assert scope.undo_deletion(admin_db, data_key, alarm["id"], by="coordinator") == 12
    assert _derived_rows(admin_db, device.centre_id, data_key) == (facts, keys)
    # every version still opens, the deletion the undo superseded too (its state kept for it, history.py)
    assert [admin.record_state(admin_db, data_key, ids[0], version=v).get("#deleted") for v in (1, 2, 3)] == \
        [False, True, None]
    found = json.loads(search.search(admin_db, device, text="Aminata", limit=50, key=data_key))["results"]
    assert {r["id"] for r in found} == set(ids)


def test_migration_0013_orders_the_derived_indexes_as_their_readers_read(admin_db):
    """The indicators' grouped read of the links needs no sort (SQLite's plan), and the first stage of search reads and
    probes `search_key` on covering indexes (migration 0013)."""
    with admin_db.read_engine.connect() as conn:
        names = {index["name"] for table in ("indicator_fact", "search_key")
                 for index in inspect(conn).get_indexes(table)}
        assert {"ix_indicator_fact_link", "ix_search_key_hash_record", "ix_search_key_record_hash"} <= names
        assert not names & {"ix_indicator_fact_ref", "ix_search_key_hash", "ix_search_key_record"}
        if conn.dialect.name == "sqlite":
            plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + reports.links_statement(conn, "centre_id = ?"), ("c",)))
            assert "COVERING INDEX ix_indicator_fact_link" in plan and "TEMP B-TREE" not in plan, plan
