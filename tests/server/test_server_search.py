"""POST /v2/search against the real server on SQLite and PostgreSQL: signed, the device's centre only, the device's
rules (waypoint_core.registry), transliteration and document numbers typed with spaces, in the device's two stages
(first results from exact keys, then the refined search); what was typed never in the log; the core reads the
same person from a record as the device's index does; and the first stage chooses the same candidates, in the same
order, as the device's vault for the same people, beyond its budget too."""

from __future__ import annotations

import json
import random
import uuid
from datetime import date
from urllib.parse import quote

from sqlalchemy import text as sql

from desktop_app.services import search as device_search
from desktop_app.vault import search_reads as device_reads
from desktop_app.vault.search_index import person_from_content as device_person
from sync_server import scope
from sync_server import search as server_search
from sync_server.auth import AuthenticatedDevice
from tests.access.team import ADMIN, make_team, shipped_xforms, signed_in
from tests.registry.device_people import person_xml, save, uid
from tests.registry.synthetic_people import generate
from waypoint_core.protocol import Op
from waypoint_core.registry import search as core
from waypoint_core.registry.indicators import MIGRANT_FORM
from waypoint_core.registry.stored import person_from_content as core_person

PEOPLE = [("Ousmane", "Diallo", "male", "GN", "GN 0772-118"), ("عائشة", "Bello", "female", "NG", ""),
          ("Mamadou", "Keita", "male", "ML", ""), ("Aminata", "Traoré", "female", "ML", "")]


def push_people(laptop) -> dict[str, str]:
    ids: dict[str, str] = {}
    ops = []
    for n, (given, family, sex, nationality, document) in enumerate(PEOPLE, start=1):
        record_id = str(uuid.uuid4())
        ids[given] = record_id
        content = person_xml(record_id, given, family, sex=sex, nationality=nationality, document=document,
                             born="1990-11-23")
        ops.append(Op(op_id=str(uuid.uuid4()), device_seq=n, record_id=record_id, op="upsert", record_version=1,
                      base_version=None, base_hash=None, form_id=MIGRANT_FORM, form_version="1", hlc=n, content=content,
                      fields={"sex": sex, "nationality": nationality, "@status": "finalized"}))
    laptop.push(laptop.batch(ops))
    return ids


def ask(laptop, text: str, stage: str | None = "refined") -> dict:
    response = laptop.search(text, stage=stage)
    assert response.status_code == 200 and laptop.answer_valid(response)
    return response.json()


def find(laptop, text: str, stage: str | None = "refined"):
    return ask(laptop, text, stage)["results"]


def test_search_finds_people_of_the_centre_by_the_devices_rules(make_device):
    laptop = make_device("Agadez")
    ids = push_people(laptop)
    first = find(laptop, "Usman Diallo")  # another spelling, given and family name
    assert first[0]["id"] == ids["Ousmane"] and first[0]["why"][0].startswith("name:")
    assert find(laptop, "Aisha Bello")[0]["id"] == ids["عائشة"]  # Latin finds Arabic script
    by_document = find(laptop, "gn0772 118")
    assert by_document[0]["id"] == ids["Ousmane"] and "same document number" in by_document[0]["why"]
    assert not any(r["id"] == ids["Mamadou"] for r in find(laptop, "Aminata"))
    text = str(find(laptop, "Ousmane"))
    assert "Diallo" not in text and "0772" not in text  # why it matched names no data
    # another centre finds none of them; an unsigned search is refused
    assert find(make_device("Arlit"), "Ousmane Diallo") == []
    assert laptop.send("POST", "/v2/search", body=b'{"q": "Ousmane"}', signed=False).status_code == 401
    assert laptop.search("").status_code == 422


def test_what_was_typed_never_travels_in_the_url(server, make_device):
    """A reverse proxy in front of the server logs every URL: a name in a query string would stay in its access log.
    The search takes what was typed only in its signed body; the URL form of before is not served, and a body that is
    not a search request is refused in words that repeat nothing of it."""
    laptop = make_device("Bilma")  # a centre of its own: the other tests' people are not there
    ids = push_people(laptop)
    assert laptop.signed_get(f"/v2/search?q={quote('Ousmane Diallo')}").status_code == 405
    assert laptop.search("Ousmane Diallo", stage="refined").json()["results"][0]["id"] == ids["Ousmane"]
    for wrong in (laptop.search("Ousmane", stage="later"), laptop.search("Ousmane", limit=101),
                  laptop.search("Ousmane", extra_key="Diallo"), laptop.search("x" * 201)):
        assert wrong.status_code == 422 and laptop.answer_valid(wrong)
        assert "Ousmane" not in wrong.text and "Diallo" not in wrong.text
    assert laptop.search("Ousmane", protocol_version=99).status_code == 400
    log = server.log_path.read_text("utf-8")
    assert "Ousmane" not in log and "Diallo" not in log


def test_first_results_come_from_exact_keys_and_the_refined_search_follows(server, make_device, admin_db):
    laptop = make_device("Ayorou")
    ids = push_people(laptop)
    scope.set_device_roles(admin_db, (field := make_device("Ayorou")).device_id, ["field_staff"])
    first = ask(laptop, "Ousmane Diallo", stage=None)  # the first stage is the default
    assert first["complete"] is False and first["results"][0]["id"] == ids["Ousmane"]
    assert ask(laptop, "Ousmane Diallo", stage="first") == first
    assert ask(laptop, "Ousmane Diallo")["complete"] is True
    # a typing error has no exact key: the first stage finds no one, the refined search (one-edit keys) does
    assert find(laptop, "Ousmane Diablo", stage="first") == []
    assert find(laptop, "Ousmane Diablo")[0]["id"] == ids["Ousmane"]
    # the word being typed is a beginning; a document number is found at once
    assert ids["Aminata"] in {r["id"] for r in find(laptop, "Aminata Tra", stage="first")}
    assert find(laptop, "gn0772 118", stage="first")[0]["id"] == ids["Ousmane"]
    # the same scope as the refined search: a field laptop of the centre finds them, another centre finds none
    assert find(field, "Ousmane Diallo", stage="first")[0]["id"] == ids["Ousmane"]
    assert find(make_device("Arlit"), "Ousmane Diallo", stage="first") == []
    assert laptop.search("Ousmane", stage="later").status_code == 422
    assert laptop.send("POST", "/v2/search", body=b'{"q": "Ousmane", "stage": "first"}', signed=False
                       ).status_code == 401
    log = server.log_path.read_text("utf-8")
    searches = [e for line in log.splitlines() if line.startswith("{") and (e := json.loads(line))["event"] == "search"]
    assert {"first", "refined"} <= {e["stage"] for e in searches}
    assert "Ousmane" not in log and "Diallo" not in log and "0772" not in log  # what was typed is never logged


def test_the_device_index_and_the_server_read_a_person_with_one_function():
    assert device_person is core_person  # one reading rule, not two kept equal
    for n, (given, family, sex, nationality, document) in enumerate(PEOPLE):
        content = person_xml(f"r{n}", given, family, sex=sex, nationality=nationality, document=document,
                             age="25", matching="yes" if n % 2 else "no")
        person = core_person(f"r{n}", content, status="finalized", created_at="2026-11-02")
        assert person is not None and (person.given_name, person.family_name, person.sex) == (given, family, sex)
        assert person.consent_matching is bool(n % 2)
    assert core_person("x", "<data><case_page/></data>", status=None, created_at=None) is None


# namesakes and transliteration pairs in both scripts, beside the synthetic people, so that short beginnings and common
# names find more candidates than the budget
CROWD = [("Mohamed", "Sanogo"), ("محمد", "Sanogo"), ("Mohammed", "Diallo"), ("Muhammad", "Diallo"),
         ("Mamadou", "Diallo"), ("Mamadou", "Keita"), ("Mamane", "Bello"), ("Aïcha", "Bello"), ("عائشة", "Bello"),
         ("Aisha", "Traoré"), ("عثمان", "Diallo"), ("Ousmane", "Diallo"), ("Usman", "Dia"), ("Abdoulaye", "Kanté"),
         ("عبد الله", "Kanté"), ("Abdourahmane", "Sow"), ("Abderrahmane", "Sow"), ("Mariam", "Sow")]
FIRST_BUDGET = 6  # small, so that most queries find more candidates than the first stage ranks


def test_the_first_stage_chooses_the_devices_candidates_in_the_devices_order(make_device, admin_db, data_key,
                                                                            isolated_home, monkeypatch):
    """The same people in a device's vault and on the server: the first stage gives the same results (ids, scores,
    reasons, order) for names, three-letter beginnings, Arabic and Latin spellings and documents, with the budget
    left as it is and with a budget so small that the candidates' one order (core.first_order) decides who is ranked;
    each round read whole (few rows) and, on both sides, read the way a round of many rows is."""
    population = [s.record for s in generate(160, seed=41).records]
    people = [(given, family, "male", "", "") for given, family in CROWD * 3] + [
        (p.given_name or "", p.family_name or "", p.sex or "male", p.date_of_birth.isoformat() if p.date_of_birth
         else "", p.document_number or "") for p in population]
    contents = {uid(n): person_xml(uid(n), given, family, sex=sex, born=born, document=document)
                for n, (given, family, sex, born, document) in enumerate(people, start=1)}
    laptop = make_device("Tahoua")  # a centre of its own: the other tests' people are not on the device
    ops = [Op(op_id=str(uuid.uuid4()), device_seq=n, record_id=record_id, op="upsert", record_version=1,
              base_version=None, base_hash=None, form_id=MIGRANT_FORM, form_version="1", hlc=n, content=content,
              fields={"@status": "finalized"}) for n, (record_id, content) in enumerate(contents.items(), start=1)]
    for start in range(0, len(ops), 200):
        laptop.push(laptop.batch(ops[start:start + 200]))
    team = make_team(isolated_home / "waypoint" / "data" / "vault", shipped_xforms())
    with admin_db.read_engine.connect() as conn:
        centre = conn.execute(sql("SELECT centre_id FROM device WHERE id = :d"), {"d": laptop.device_id}).scalar_one()
    device = AuthenticatedDevice(laptop.device_id, centre, 0, 0)
    today = date(2026, 11, 2)
    rng = random.Random(5)
    asked = ["Moh", "Mam", "Mar", "Abd", "Ous", "محم", "عائ", "عبد", "Aisha", "عائشة", "Aicha Bello", "Bello Aicha",
             "Mohamed Sanogo", "محمد Sanogo", "Muhammad Diallo", "Ousmane Diallo", "عثمان Diallo", "Diallo",
             "Diallo ", "Dia", "Mamadou Dia", "Abdullahi Kante", "Abdulrahman Sow", "Sow"]
    for p in rng.sample(population, 25):
        given, family = p.given_name or "", p.family_name or ""
        asked += [f"{given} {family}", f"{family} {given} ", given[:3], family[:3]]
        if p.document_number:
            asked.append(p.document_number)
    vocabulary = device_search.vocabulary()
    asked = [q for q in dict.fromkeys(asked) if q.strip() and not core.parse_query(q, vocabulary, today=today).filters]
    over_budget = 0
    with signed_in(team, ADMIN) as vault:
        save(vault, list(enumerate(contents.values(), start=1)))
        for budget, whole in ((core.FIRST_BUDGET, True), (FIRST_BUDGET, True), (FIRST_BUDGET, False)):
            if not whole:  # neither side reads a round whole: tiers or one statement on the device, one on the server
                monkeypatch.setattr(server_search, "SET_ROWS", 0)
                monkeypatch.setattr(device_reads, "SET_ROWS", 0)
            for q in asked:
                on_device = device_search.first_results(vault, q, limit=50, today=today, budget=budget)
                answer = json.loads(server_search.first_results(admin_db, device, text=q, limit=50, key=data_key,
                                                                today=today, budget=budget))
                assert [(r["id"], r["score"], r["why"]) for r in answer["results"]] == [
                    (r.record_id, r.score, list(r.why)) for r in on_device.results], (q, budget)
                assert answer["complete"] is on_device.complete
                over_budget += whole and budget == FIRST_BUDGET and len(answer["results"]) == FIRST_BUDGET
    assert over_budget > 30  # most queries had more candidates than the small budget: the order chose them


WORDED = [("Ousmane", "Diallo", "male", "GN", "ne_agadez"), ("Fatoumata", "Diallo", "female", "NE", "ne_arlit"),
          ("Aminata", "Traoré", "female", "ML", "ne_agadez"), ("Mamadou", "Keita", "male", "ML", "ne_dirkou"),
          ("عائشة", "Bello", "female", "NG", "ne_agadez"), ("Ibrahim", "Diallo", "male", "NE", "ne_agadez")]


def test_filter_words_are_read_as_the_device_reads_them(make_device, admin_db, data_key, isolated_home):
    """Country, centre (name or town), sex and status words, English and French, alone and with a name: the server
    reads them through the device's vocabulary (waypoint_core.registry.search_words) and gives the device's results
    (ids, scores, reasons, order) in both stages. Case words (open / closed) filter on what only the device holds: the
    server leaves that filter out and says so, answering the rest of the query."""
    contents = {uid(900 + n): person_xml(uid(900 + n), given, family, sex=sex, nationality=nationality,
                                         centre=centre, born="1990-11-23")
                for n, (given, family, sex, nationality, centre) in enumerate(WORDED, start=1)}
    laptop = make_device("Dirkou")  # a centre of its own: the other tests' people are not on the device
    laptop.push(laptop.batch([
        Op(op_id=str(uuid.uuid4()), device_seq=n, record_id=record_id, op="upsert", record_version=1,
           base_version=None, base_hash=None, form_id=MIGRANT_FORM, form_version="1", hlc=n, content=content,
           fields={"@status": "finalized"}) for n, (record_id, content) in enumerate(contents.items(), start=1)]))
    team = make_team(isolated_home / "waypoint" / "data" / "vault", shipped_xforms())
    with admin_db.read_engine.connect() as conn:
        centre = conn.execute(sql("SELECT centre_id FROM device WHERE id = :d"), {"d": laptop.device_id}).scalar_one()
    device = AuthenticatedDevice(laptop.device_id, centre, 0, 0)
    today = date(2026, 11, 2)
    asked = ["Diallo Niger", "Diallo Guinée", "Mali", "Niger", "Agadez", "Diallo Agadez", "Arlit",
             "Centre de transit de Dirkou", "femme", "Diallo femme", "Traoré female", "homme Niger", "finalized",
             "Keita finalisé", "brouillon", "Diallo draft", "Bello Nigeria femme Agadez", "Diallo Mali"]
    vocabulary = device_search.vocabulary()
    with signed_in(team, ADMIN) as vault:
        save(vault, [(900 + n, content) for n, content in enumerate(contents.values(), start=1)], with_centre=True)
        for q in asked:
            assert core.parse_query(q, vocabulary, today=today).filters, q  # each query has a filter word
            on_device = device_search.search(vault, q, limit=50, today=today)
            for stage in (server_search.first_results, server_search.search):
                answer = json.loads(stage(admin_db, device, text=q, limit=50, key=data_key, today=today))
                assert [(r["id"], r["score"], r["why"]) for r in answer["results"]] == [
                    (r.record_id, r.score, list(r.why)) for r in on_device.results], (q, stage.__name__)
                assert answer["ignored_filters"] == []
            assert bool(on_device.results) is (q not in ("brouillon", "Diallo draft", "Diallo Mali")), q
        assert {r.record_id for r in device_search.search(vault, "Diallo Niger", today=today).results} == {
            uid(902), uid(906)}
        for q in ("Diallo closed", "Diallo clôturé", "Keita ouvert"):
            answer = json.loads(server_search.search(admin_db, device, text=q, limit=50, key=data_key, today=today))
            without = device_search.search(vault, q.split()[0], limit=50, today=today)
            assert answer["ignored_filters"] == ["case"], q
            assert [(r["id"], r["score"]) for r in answer["results"]] == [
                (r.record_id, r.score) for r in without.results], q
    assert ask(laptop, "Diallo fermé")["ignored_filters"] == ["case"]  # and over HTTP, signed
