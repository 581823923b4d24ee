"""Search on the device (issue 12, point 1): the vault's index kept by the one writer, searched through the service
with the person's rights, with the issue's transliteration pairs and numbers typed with spaces and dashes."""

from __future__ import annotations

import json
import random
from datetime import date

import pytest
from sqlalchemy import text

from desktop_app.cli import main
from desktop_app.services import records, search
from desktop_app.vault import search_reads
from desktop_app.vault.registrations import delete_registration
from tests.registry.device_people import person_xml, save, uid
from waypoint_core.registry import search as core
from waypoint_core.registry.person import Profile
from tests.access.team import (
    ADMIN, CASE, FIELD, MIGRANT, PASSPHRASES, PERSON, VOT, instance, signed_in,
)



def top(vault, typed: str) -> list[str]:
    return [r.record_id for r in search.search(vault, typed).results]


PAIRS = [  # (registered given name, family name, the spellings and scripts another worker types)
    ("Mohamed", "Sanogo", ["Mohammed Sanogo", "Muhammad Sanogo", "محمد Sanogo", "Sanogo Mohamed"]),
    ("Aïcha", "Bello", ["Aisha Bello", "عائشة Bello", "Bello Aicha"]),
    ("عثمان", "Diallo", ["Ousmane Diallo", "Usman Diallo", "Diallo Ousmane"]),
    ("Abdoulaye", "Kanté", ["Abdullahi Kante", "عبد الله Kanté", "Abdallah Kante"]),
    ("Abdourahmane", "Sow", ["Abdulrahman Sow", "Sow Abdourahmane", "Abderrahmane Sow"]),
]


def test_transliteration_pairs_and_either_order_find_the_person_first(team):
    with signed_in(team, ADMIN) as vault:
        save(vault, [(n, person_xml(uid(n), given, family)) for n, (given, family, _) in enumerate(PAIRS, 1)]
             + [(90, person_xml(uid(90), "Amina", "Sanogo", sex="female")),
                (91, person_xml(uid(91), "Moussa", "Diallo"))])
        for n, (_, _, typed_forms) in enumerate(PAIRS, 1):
            for typed in typed_forms:
                found = search.search(vault, typed).results
                assert found and found[0].record_id == uid(n), (typed, [r.title for r in found])
                assert found[0].why and found[0].why[0].startswith("name: 2 words"), found[0].why
        why = search.search(vault, "محمد Sanogo").results[0].why[0]
        assert "Arabic/Latin transliteration" in why
        # the family name alone finds both Sanogo, and a name that is nobody's finds nothing
        assert set(top(vault, "Sanogo")) == {uid(1), uid(90)}
        assert top(vault, "Zebulon Krakowski") == []


def test_results_as_typed_the_word_being_typed_is_a_prefix(team):
    with signed_in(team, ADMIN) as vault:
        save(vault, [(1, person_xml(uid(1), "Abdourahmane", "Sow")), (2, person_xml(uid(2), "Hawa", "Sangaré"))])
        assert top(vault, "Abdou")[0] == uid(1)
        assert top(vault, "Sanga") == [uid(2)]


@pytest.mark.parametrize("typed", ["AB1234567", "ab 123 4567", "AB-123-4567", "A8 I23 4567", "ab.123.4567"])
def test_document_numbers_with_spaces_dashes_and_lookalikes(team, typed):
    with signed_in(team, ADMIN) as vault:
        save(vault, [(1, person_xml(uid(1), "Issa", "Maïga", document="AB 123-4567")),
                     (2, person_xml(uid(2), "Issa", "Maïga", document="AB 765-4321"))])
        found = search.search(vault, typed).results
        assert [r.record_id for r in found][:1] == [uid(1)]
        assert "same document number" in found[0].why


def test_phone_with_or_without_country_code_and_date_of_birth_and_filters(team):
    with signed_in(team, ADMIN) as vault:
        save(vault, [(1, person_xml(uid(1), "Mariam", "Touré", sex="female", phone="+22790123456",
                                    born="1998-03-12", nationality="ML")),
                     (2, person_xml(uid(2), "Mariam", "Touré", sex="female", born="2001-07-01", nationality="NE"))])
        assert top(vault, "90 12 34 56")[0] == uid(1)
        assert "same phone number" in search.search(vault, "+227 90-12-34-56").results[0].why
        assert top(vault, "12/03/1998") == [uid(1)]
        assert top(vault, "Mariam Touré Mali") == [uid(1)]  # the country word filters on nationality
        assert search.search(vault, "Mariam Touré Mali").understood == {"nationality": ("ML",)}
        assert top(vault, "Mariam 25")[0] == uid(2)  # an age ranks the one whose age fits first


def first(vault, typed: str) -> list[str]:
    outcome = search.first_results(vault, typed)
    assert not outcome.complete
    return [r.record_id for r in outcome.results]


def test_first_results_find_the_pairs_from_exact_keys_and_the_refining_search_adds_close_spellings(team):
    with signed_in(team, ADMIN) as vault:
        save(vault, [(n, person_xml(uid(n), given, family)) for n, (given, family, _) in enumerate(PAIRS, 1)]
             + [(90, person_xml(uid(90), "Amina", "Sanogo", sex="female")),
                (91, person_xml(uid(91), "Moussa", "Diallo")),
                (92, person_xml(uid(92), "Hawa", "Sangaré", sex="female"))])
        for n, (_, _, typed_forms) in enumerate(PAIRS, 1):
            for typed in typed_forms:
                found = search.first_results(vault, typed).results
                assert found and found[0].record_id == uid(n), (typed, [r.title for r in found])
                assert found[0].why == search.search(vault, typed).results[0].why  # the same rules, the same words
        # every word must find its key: the family name alone finds both Sanogo, Amina Sanogo only her; while it is
        # being typed (no space after it), its sound begun also finds Sangaré, as the refining search does
        assert set(first(vault, "Sanogo ")) == {uid(1), uid(90)}
        assert set(first(vault, "Sanogo")) == set(top(vault, "Sanogo")) == {uid(1), uid(90), uid(92)}
        assert first(vault, "Amina Sanogo ") == [uid(90)]
        # the word being typed is a beginning
        assert first(vault, "Abdour")[0] == uid(5)
        assert first(vault, "Sanga") == top(vault, "Sanga") and uid(92) in first(vault, "Sanga")
        assert first(vault, "Moussa Dia") == [uid(91)]
        # a typing error changes the key: only the refining search, with keys one edit away, finds it
        assert first(vault, "Mouqsa Diallo") == [] and top(vault, "Mouqsa Diallo")[0] == uid(91)
        assert first(vault, "Zebulon Krakowski") == []
        # a query of filters only has no first stage: it is answered in full at once
        assert search.first_results(vault, "female").complete
        # the screen cancels a refinement the person typed past: it stops between its look-ups
        assert search.search(vault, "Mouqsa Diallo", cancelled=lambda: True) is None
        assert search.search(vault, "Mouqsa Diallo", cancelled=lambda: False).results[0].record_id == uid(91)


def test_first_results_numbers_and_dates_and_rights(team):
    with signed_in(team, CASE) as vault:
        save(vault, [(1, person_xml(uid(1), "Kadiatou", "Keïta", sex="female", document="CD 998-1122"))], form=VOT)
        assert first(vault, "Kadiatou Keita") == [uid(1)]
    with signed_in(team, FIELD) as vault:  # field staff never find a case, in the first stage either
        save(vault, [(2, person_xml(uid(2), "Kadiatou", "Keïta", sex="female", phone="+22790123456",
                                    born="1998-03-12"))])
        assert first(vault, "Kadiatou Keita") == [uid(2)]
        assert first(vault, "CD9981122") == []
        assert first(vault, "90 12 34 56") == [uid(2)] and first(vault, "12/03/1998") == [uid(2)]
        assert first(vault, "Kadiatou 90 12 34 56") == [uid(2)]


@pytest.mark.parametrize("typed", ["Mohamed Dia", "Moh"])
def test_first_stage_reads_the_index_on_its_keys_never_by_scanning(team, typed):
    """EXPLAIN QUERY PLAN of the first stage's statements, in one statement and tier by tier: every read of
    search_key is a search on an index, but the walk of the record index in record id order that a common beginning
    typed alone drives (stopped at the budget)."""
    parts = core.first_parts(core.parse_query(typed, search.vocabulary(), today=date(2026, 12, 6)))
    assert parts[-1].ranges
    with signed_in(team, ADMIN) as vault:
        save(vault, [(1, person_xml(uid(1), "Mohamed", "Diallo")), (2, person_xml(uid(2), "Mohamed", "Sanogo"))])
        plans = search_reads.first_plans(vault, parts)
    walks = [plan for plan in plans if any("ix_search_key_record" in line and line.startswith("SCAN")
                                           for line in plan)]
    scans = [line for plan in plans for line in plan if line.startswith("SCAN") and "subquery" not in line
             and line not in ("SCAN found", "SCAN a USING COVERING INDEX ix_search_key_record")]
    assert plans and not scans, plans  # a co-routine's own rows and the candidates found are the only ones scanned
    assert all(any(line.startswith("SEARCH") and "USING" in line for line in plan) for plan in plans
               if plan not in walks), plans
    assert bool(walks) is (len(parts) == 1)
    # read tier by tier, a key's records come in record id order from the primary key: no sort but the few rows of
    # a beginning typed alone, read whole
    tiers = [plan for plan in plans if "MATERIALIZE found" not in plan
             and any("a USING PRIMARY KEY (key=?)" in line for line in plan)]
    assert tiers and not [plan for plan in tiers if any("TEMP B-TREE" in line for line in plan)], plans
    # the other words are probed on the index's primary key (key, record_id), not read record by record
    assert any("USING PRIMARY KEY (key=? AND record_id=?)" in line for plan in plans for line in plan), plans


# namesakes and transliteration pairs in both scripts beside synthetic people: common names and short beginnings find
# more candidates than a small budget, in several weight tiers
CROWD = [("Mohamed", "Sanogo"), ("محمد", "Sanogo"), ("Mohammed", "Diallo"), ("Muhammad", "Diallo"),
         ("Mamadou", "Diallo"), ("Mamadou", "Keita"), ("Mamane", "Bello"), ("Aïcha", "Bello"), ("عائشة", "Bello"),
         ("Aisha", "Traoré"), ("عثمان", "Diallo"), ("Ousmane", "Diallo"), ("Usman", "Dia"), ("Abdoulaye", "Kanté"),
         ("Abdou", "Diallo"), ("Abdourahmane", "Sow"), ("Abderrahmane", "Sow"), ("Mariam", "Sow")]


def test_first_stage_read_tier_by_tier_gives_the_one_order(team, monkeypatch):
    """The first stage's candidates read whole (each key's and range's records weighed and intersected in memory: a
    round of few rows), read tier by tier (`core.first_tiers`, stopped at the budget: what a common name takes at
    100,000 people), with a beginning typed alone read whole or walked in record id order, and read in one statement
    are those of `MemoryIndex.first` (core.first_order), in the same order, for any budget."""
    from tests.registry.synthetic_people import generate
    population = [s.record for s in generate(120, seed=7).records]
    people = [(given, family, "") for given, family in CROWD * 4] + [
        (p.given_name or "", p.family_name or "", p.document_number or "") for p in population]
    today = date(2026, 12, 6)
    rng = random.Random(3)
    asked = ["Moh", "Mam", "Abd", "Abdou", "Dia", "محم", "عبد", "Mohamed", "Mohamed ", "Diallo", "Diallo ",
             "Mamadou Dia", "Mamadou Diallo ", "Diallo Mamadou", "Muhammad Diallo", "Aisha Bello", "Bello A",
             "Abdoulaye Kante ", "Ousmane D", "Sow Abd"]
    for p in rng.sample(population, 12):
        asked += [f"{p.given_name} {p.family_name}", (p.given_name or "")[:3], f"{p.family_name} {p.given_name} "]
    vocabulary = search.vocabulary()
    queries = [parts for q in asked if (parts := core.first_parts(core.parse_query(q, vocabulary, today=today)))]
    with signed_in(team, ADMIN) as vault:
        save(vault, [(n, person_xml(uid(n), given, family, document=document))
                     for n, (given, family, document) in enumerate(people, start=1)])
        memory = core.MemoryIndex(Profile.from_json(text) for text in search_reads.profiles(
            vault, [uid(n) for n in range(1, len(people) + 1)]).values())
        tiered = 0
        for budget in (125, 7, 2):
            for parts in queries:
                expected = memory.first_candidates(parts, budget)
                assert search_reads.first_candidates(vault, parts, budget) == expected, (parts, budget)  # read whole
                monkeypatch.setattr(search_reads, "SET_ROWS", 0)  # in one statement
                assert search_reads.first_candidates(vault, parts, budget) == expected, (parts, budget)
                monkeypatch.undo()
                for walk in (0, 10_000):  # a beginning typed alone walked in record id order, or read whole
                    monkeypatch.setattr(search_reads, "SET_ROWS", 0)
                    monkeypatch.setattr(search_reads, "TIERS_FROM", 0)
                    monkeypatch.setattr(search_reads, "WALK_FROM", walk)
                    assert search_reads.first_candidates(vault, parts, budget) == expected, (parts, budget, walk)
                    monkeypatch.undo()
                tiered += len(expected) == budget
    assert tiered > 40  # most queries had more candidates than the small budgets: the order chose them


def test_deletion_is_real_in_the_index_and_refused_consent_leaves_nothing(team):
    with signed_in(team, ADMIN) as vault:
        save(vault, [(1, person_xml(uid(1), "Fatima", "Cissé", document="P9988776")),
                     (2, person_xml(uid(2), "Refused", "Person", services="no"))])
        people, keys = search_reads.index_size(vault)
        assert people == 2 and keys > 4  # the second record's names are indexed as saved by the vault's API...
        delete_registration(vault, uid(1))
        assert top(vault, "Fatima Cissé") == [] and top(vault, "P9988776") == []
        with vault.session(readonly=True) as session:
            left = session.connection().execute(text(
                "SELECT (SELECT count(*) FROM search_key WHERE record_id = :r) + "
                "(SELECT count(*) FROM search_profile WHERE record_id = :r)"), {"r": uid(1)}).scalar_one()
        assert left == 0


def test_the_records_service_applies_the_consent_gate_before_the_index_sees_names(team, xforms):
    refused = {k: v for k, v in PERSON.items() if not k.startswith(("identity/", "group_info/", "migration/",
                                                                     "needs/", "intentions/"))}
    refused = {k: v for k, v in refused.items() if k.startswith("centre_page/") or k in (
        "consent/consent_given_by", "consent/consent_method", "consent/interview_language",
        "consent/interpreter_used")}
    refused["consent/consent_services"] = "no"
    version = records.form_definition(xforms["migrant_registration"]).version
    with signed_in(team, FIELD) as vault:
        records.finalize(vault, form_id=MIGRANT, form_version=version, record_id=uid(1),
                         content=instance(xforms["migrant_registration"], PERSON, uid(1)))
        records.finalize(vault, form_id=MIGRANT, form_version=version, record_id=uid(2),
                         content=instance(xforms["migrant_registration"], refused, uid(2)))
        assert search_reads.index_size(vault)[0] == 1
        found = search.search(vault, "Testperson Synthetic").results
        assert [r.record_id for r in found] == [uid(1)]
        assert found[0].title and found[0].nationality == "ML"


def test_a_person_sees_only_what_their_rights_allow(team):
    """A case form that held names (the shipped one holds none) is never found by field staff."""
    with signed_in(team, CASE) as vault:
        save(vault, [(1, person_xml(uid(1), "Kadiatou", "Keïta", sex="female"))], form=VOT)
        assert top(vault, "Kadiatou Keita") == [uid(1)]
    with signed_in(team, FIELD) as vault:
        save(vault, [(2, person_xml(uid(2), "Kadiatou", "Keïta", sex="female"))])
        assert top(vault, "Kadiatou Keita") == [uid(2)]
        assert top(vault, "female") == [uid(2)]


def test_a_new_registration_that_looks_like_someone_registered_says_so(team, xforms):
    version = records.form_definition(xforms["migrant_registration"]).version
    xform = xforms["migrant_registration"]
    with signed_in(team, ADMIN) as vault:
        records.finalize(vault, form_id=MIGRANT, form_version=version, record_id=uid(1),
                         content=instance(xform, {**PERSON, "identity/id_document_type": "passport",
                                                  "identity/id_document_number": "ML 445-1290"}, uid(1)))
        again = instance(xform, {**PERSON, "identity/given_name": "Test-Person", "identity/id_document_type":
                                 "passport", "identity/id_document_number": "ML4451290"}, uid(2))
        found = search.possible_duplicates(vault, form_id=MIGRANT, form_version=version, content=again,
                                           record_id=uid(2))
        assert [r.record_id for r in found] == [uid(1)]
        assert "same document number" in found[0].why
        # the record itself is never its own duplicate, and without consent to matching nothing is compared
        assert search.possible_duplicates(vault, form_id=MIGRANT, form_version=version,
                                          content=instance(xform, PERSON, uid(1)), record_id=uid(1)) == []
        no_matching = instance(xform, {**PERSON, "consent/consent_matching": "no"}, uid(3))
        assert search.possible_duplicates(vault, form_id=MIGRANT, form_version=version, content=no_matching,
                                          record_id=uid(3)) == []
        # nor is someone already registered who did not consent to matching, however alike (R1: both must consent)
        records.finalize(vault, form_id=MIGRANT, form_version=version, record_id=uid(4),
                         content=instance(xform, {**PERSON, "consent/consent_matching": "no",
                                                  "identity/id_document_type": "passport",
                                                  "identity/id_document_number": "NE 778-2301"}, uid(4)))
        alike = instance(xform, {**PERSON, "identity/id_document_type": "passport",
                                 "identity/id_document_number": "NE7782301"}, uid(5))
        assert uid(4) not in [r.record_id for r in search.possible_duplicates(
            vault, form_id=MIGRANT, form_version=version, content=alike, record_id=uid(5))]


def test_cli_search_prints_json_lines_as_the_signed_in_person(team, tmp_path, capsys):
    with signed_in(team, FIELD) as vault:
        save(vault, [(1, person_xml(uid(1), "Ousmane", "Diallo", document="NE-4455 667"))])
    secret = tmp_path / "field.pass"
    secret.write_text(PASSPHRASES[FIELD])
    who = ["--vault", str(team), "--user", FIELD, "--passphrase-file", str(secret)]
    assert main(["search", "عثمان", "Diallo", *who]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["id"] for line in lines] == [uid(1)]
    assert lines[0]["score"] > 0.9 and lines[0]["why"][0].startswith("name: 2 words")
    assert main(["search", "NE4455667", *who]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[0])["why"] == ["same document number"]
    for limit in ("0", "-3", "ten"):  # refused in one line, before the vault is opened
        with pytest.raises(SystemExit):
            main(["search", "Ousmane", "--limit", limit, *who])
        assert f"a number of results, 1 or more: {limit}" in capsys.readouterr().err


def test_a_name_searched_from_the_command_line_can_stay_out_of_the_shells_history(team, tmp_path, capsys,
                                                                                    monkeypatch):
    """`waypoint search` with no TEXT (or -) and `records list --search -` read what to look for from standard input
    (a prompt on a terminal): a name given as an argument is kept in the shell's history file, on the laptop's disk
    in clear, and shown in the process list to every account while the command runs."""
    import io

    with signed_in(team, FIELD) as vault:
        save(vault, [(1, person_xml(uid(1), "Ousmane", "Diallo", document="NE-4455 667"))])
    secret = tmp_path / "field.pass"
    secret.write_text(PASSPHRASES[FIELD])
    who = ["--vault", str(team), "--user", FIELD, "--passphrase-file", str(secret)]
    for words in ([], ["-"]):
        monkeypatch.setattr("sys.stdin", io.StringIO("Ousmane Diallo\n"))
        assert main(["search", *words, *who]) == 0
        assert [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()] == [uid(1)]
    monkeypatch.setattr("sys.stdin", io.StringIO("P1\n"))  # the title save() gives
    assert main(["records", "list", "--search", "-", *who]) == 0
    assert [r["id"] for r in json.loads(capsys.readouterr().out)["records"]] == [uid(1)]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    assert main(["search", *who]) == 2
    assert "nothing to search for" in capsys.readouterr().err


def test_the_case_status_open_or_closed_is_searched_in_english_and_french(team):
    """Issue 12: "closed" / "clôturé" and "open" / "ouvert" find the cases in that state (the case file's Open /
    Closed: its latest close or reopen, else the registration's own closure answer), alone or beside a name, and say
    why; a reopened case is open again. Where only draft and finalized were status words."""
    from desktop_app.services import casefile
    from desktop_app.vault.registrations import RegistrationDraft, save_registrations
    from tests.registry.device_people import MIGRANT as FORM, VERSION

    def uid(n: int) -> str:  # registration numbers (the first 8 digits) of their own: the case file reads by them
        return f"{n:08d}-0000-4000-8000-{n:012d}"

    with signed_in(team, FIELD) as vault:
        save_registrations(vault, [RegistrationDraft(FORM, VERSION, "finalized", person_xml(uid(n), given, family),
                                                     uid(n), {"title": f"{given} {family}"})
                                   for n, given, family in [(1, "Mamadou", "Diallo"), (2, "Ousmane", "Diallo"),
                                                            (3, "Fatou", "Sow")]])
        casefile.close_case(vault, uid(1), reason="onward")
        casefile.close_case(vault, uid(3), reason="returned")
        for typed in ("closed", "Closed ", "clôturé", "cloture", "fermé"):
            assert sorted(top(vault, typed)) == [uid(1), uid(3)], typed
        assert search.search(vault, "clôturé").understood == {"case": ("closed",)}
        for typed in ("Diallo closed", "Diallo clôturé", "closed Diallo "):
            found = search.search(vault, typed).results
            assert [r.record_id for r in found] == [uid(1)], typed
            assert "case closed" in found[0].why and found[0].why[0].startswith("name:")
        assert top(vault, "Diallo open") == [uid(2)] and top(vault, "Diallo ouvert") == [uid(2)]
        assert "case open" in search.search(vault, "Diallo ouvert").results[0].why
        assert [r.record_id for r in search.first_results(vault, "Diallo closed").results] == [uid(1)]
        casefile.reopen_case(vault, uid(1), reason="came_back")
        assert top(vault, "closed") == [uid(3)] and top(vault, "Diallo closed") == []
        assert sorted(top(vault, "Diallo open")) == [uid(1), uid(2)]
        assert uid(3) not in top(vault, "ouvert")
