"""Search: what a field worker types (any script, any spelling, numbers with spaces) finds the person, ranked,
with why it matched."""

from __future__ import annotations

import itertools
import random
from datetime import date

import pytest

from tests.registry.synthetic_people import generate, group_spellings
from waypoint_core.registry.person import PersonRecord, prepare
from waypoint_core.registry.search import MemoryIndex, Vocabulary, first_parts, first_tiers, lookups, parse_query

TODAY = date(2026, 7, 1)
ON = date(2025, 3, 1)
VOCABULARY = Vocabulary.of([
    ("Niger", "nationality", "NE"), ("NE", "nationality", "NE"), ("Mali", "nationality", "ML"),
    ("Burkina Faso", "nationality", "BF"), ("Agadez", "centre", "ne_agadez"), ("Arlit", "centre", "ne_arlit"),
    ("draft", "status", "draft"), ("brouillon", "status", "draft"), ("female", "sex", "female"),
])


def record(id: str, given: str, family: str, **fields) -> PersonRecord:
    return PersonRecord(id=id, given_name=given, family_name=family, **fields)


@pytest.fixture
def index():
    people = [
        record("ousmane", "Ousmane", "Diallo", sex="male", date_of_birth=date(1996, 4, 2), nationality="GN",
               document_number="AB1234567", centre="ne_agadez", status="finalized"),
        record("aicha", "Aïcha", "Maïga", sex="female", age_years=23, age_on=ON, nationality="NE",
               phone="+227 90 12 34 56", centre="ne_arlit", status="draft"),
        record("abdou", "Abdourahmane", "Traoré", sex="male", age_years=40, age_on=ON, nationality="ML",
               centre="ne_agadez", status="finalized"),
        record("mohamed", "محمد", "عبد الله", sex="male", age_years=19, age_on=ON, nationality="NE",
               centre="ne_agadez", status="finalized"),
        record("amina", "Amina", "Diallo", sex="female", age_years=31, age_on=ON, nationality="BF",
               centre="ne_arlit", status="finalized"),
    ]
    return MemoryIndex(prepare(p) for p in people)


def search(index, text):
    return index.search(parse_query(text, VOCABULARY, today=TODAY, default_country="NE"), today=TODAY)


@pytest.mark.parametrize(("text", "expected"), [
    ("عثمان", "ousmane"), ("Usman Diallo", "ousmane"), ("diallo ousmane", "ousmane"), ("ديالو عثمان", "ousmane"),
    ("Abdulrahman", "abdou"), ("Abderrahmane Traore", "abdou"), ("عبد الرحمن", "abdou"),
    ("Aisha", "aicha"), ("عائشة مايغا", "aicha"), ("Mohammed Abdullahi", "mohamed"), ("Muhammad", "mohamed"),
    ("Abdoulaye", "mohamed"),
])
def test_names_in_any_script_and_spelling(index, text, expected):
    hits = search(index, text + " ")
    assert hits and hits[0].id == expected, hits
    assert hits[0].why and hits[0].why[0].startswith("name:")


@pytest.mark.parametrize("text", ["AB1234567", "ab 123 4567", "AB-123-45-67", "A8 I234567", "AB1234576"])
def test_document_numbers_with_spaces_dashes_lookalikes_and_one_typo(index, text):
    hits = search(index, text)
    assert [h.id for h in hits] == ["ousmane"]
    assert hits[0].why[0] in ("same document number", "document number one character apart")


def test_phone_numbers_national_or_international(index):
    for text in ("90 12 34 56", "+22790123456", "00227 90-12-34-56"):
        hits = search(index, text)
        assert [h.id for h in hits] == ["aicha"] and hits[0].why == ("same phone number",)


def test_date_of_birth_and_age(index):
    assert [h.id for h in search(index, "02/04/1996")] == ["ousmane"]
    assert [h.id for h in search(index, "1996-04-02")] == ["ousmane"]
    assert [h.id for h in search(index, "Diallo 31")][0] == "amina"
    assert [h.id for h in search(index, "Diallo 30 ans")][0] == "amina"


def test_filters_nationality_centre_status_sex(index):
    assert [h.id for h in search(index, "Diallo Burkina Faso ")] == ["amina"]
    assert {h.id for h in search(index, "Agadez")} == {"ousmane", "abdou", "mohamed"}
    assert [h.id for h in search(index, "brouillon")] == ["aicha"]
    assert [h.id for h in search(index, "Diallo female ")] == ["amina"]
    assert "nationality matches" in search(index, "Diallo Burkina Faso ")[0].why


def test_results_as_you_type(index):
    assert search(index, "Ousm")[0].id == "ousmane"
    assert search(index, "Diallo Ous")[0].id == "ousmane"
    assert search(index, "Usm")[0].id == "ousmane"  # a phonetic prefix: Usm… begins like Ousmane


def test_a_word_being_typed_of_one_consonant_begins_only_names_spelt_so():
    """"Sow" sounds S: as a beginning it is read by its letters, not its sound, where Seydou and Cissé (S T, S) came
    ranked 0.9 "name begins with the last word typed" as soon as the refined search brought them."""
    index = MemoryIndex(prepare(p) for p in [
        record("sow", "Ousmane", "Sow", sex="male"), record("sowa", "Hawa", "Sowadogo", sex="female"),
        record("seydou", "Seydou", "Touré", sex="male"), record("cisse", "Yaya", "Cissé", sex="male")])
    hits = search(index, "Sow")
    assert [h.id for h in hits][:2] == ["sow", "sowa"]
    assert not any("name begins with the last word typed" in h.why for h in hits if h.id in ("seydou", "cisse"))
    assert "name begins with the last word typed" in next(h for h in hits if h.id == "sowa").why
    assert [h.id for h in search(index, "Seyd")][:1] == ["seydou"]  # two consonants: by sound as before


def test_a_name_the_word_being_typed_begins_outranks_a_weak_variant_of_it():
    """"Abdour" is a close spelling of Abdoulaye (0.76) and begins Abdourahmane: the name it begins comes first, where
    the prefix counted only for a word that matched nothing at all."""
    index = MemoryIndex(prepare(p) for p in [record("laye", "Abdoulaye", "Keita", sex="male"),
                                              record("rahmane", "Abdourahmane", "Barry", sex="male")])
    hits = search(index, "Abdour")
    assert [h.id for h in hits] == ["rahmane", "laye"]
    assert "name begins with the last word typed" in hits[0].why and hits[0].score == pytest.approx(0.9)


def test_a_beginning_typed_outranks_names_that_only_share_its_one_consonant_sound():
    """"Ous" sounds S, as Issa and Aissa do: Ousmane, which it begins, comes before them, and they are weak matches
    (below 0.9), where they were 0.93 "spelling variant"s and Ousmane came 26th among many. The budget of the refined
    search keeps the names the letters begin before those of the one-consonant sound."""
    people = [record("ousmane", "Ousmane", "Barry", sex="male"), record("usman", "Usman", "Bello", sex="male")]
    people += [record(f"issa{n:03}", "Issa" if n % 2 else "Aïssa", "Keita", sex="male") for n in range(400)]
    index = MemoryIndex(prepare(p) for p in people)
    hits = search(index, "Ous")
    assert [h.id for h in hits][:2] == ["ousmane", "usman"]
    assert all(h.score < 0.9 for h in hits[2:]) and hits[2:]
    few = MemoryIndex(prepare(p) for p in people[:4])
    assert {h.id: h.score >= 0.9 for h in search(few, "Issa ")} == {"issa001": True, "issa000": True}  # Aissa: spelling


def test_first_stage_finds_by_exact_keys_of_every_word_and_leaves_typing_errors_to_the_refined_search(index):
    def first(text):
        return [h.id for h in index.first(parse_query(text, VOCABULARY, today=TODAY, default_country="NE"),
                                          today=TODAY)]
    for text, expected in [("Usman Diallo ", "ousmane"), ("ديالو عثمان ", "ousmane"), ("Abderrahmane Traore ", "abdou"),
                           ("Muhammad ", "mohamed"), ("AB 123 4567", "ousmane"), ("90 12 34 56", "aicha")]:
        assert first(text)[:1] == [expected], text
    assert set(first("Diallo ")) == {"ousmane", "amina"} and first("Amina Diallo ") == ["amina"]
    assert first("Abdourah") == ["abdou"]  # the word being typed, begun
    assert first("Ousmame Diallo ") == [] and search(index, "Ousmame Diallo ")[0].id == "ousmane"
    assert first("Diallo female ") == ["amina"]  # filters rank as in the refined search


def test_first_tiers_list_each_weight_of_each_part_once_heaviest_first():
    """`first_order` read tier by tier: every choice of a weight per part once, grouped by their sum, heaviest first
    (a name word: spelling 3, sound 2, the word being typed begun 1; a number: document 6, phone 5)."""
    parts = first_parts(parse_query("Usman 90123456 Dia", VOCABULARY, today=TODAY, default_country="NE"))
    levels = [[weight for weight, _ in part.levels()] for part in parts]
    assert levels == [[3, 2], [3, 2, 1], [6, 5]]  # the name words, then the numbers
    tiers = first_tiers(parts)
    totals = [{sum(levels[i][n] for i, n in enumerate(chosen)) for chosen in tier} for tier in tiers]
    assert all(len(total) == 1 for total in totals) and [t.pop() for t in totals] == [12, 11, 10, 9, 8]
    assert sorted(chosen for tier in tiers for chosen in tier) == sorted(itertools.product(range(2), range(3),
                                                                                          range(2)))
    typed = parts[1].levels()  # each level holds the part's keys of its weight, the beginnings last
    assert [level.keys for _, level in typed] == [parts[1].keys[:1], parts[1].keys[1:], ()]
    assert typed[-1][1].ranges == parts[1].ranges


def test_nothing_typed_finds_nothing(index):
    assert search(index, "") == [] and search(index, "   ") == []
    assert parse_query("", today=TODAY).empty


def test_a_query_looks_up_a_bounded_number_of_keys():
    keys = lookups(parse_query("Abdourahmane Diallo AB1234567", today=TODAY))
    assert 100 < len(keys) < 2000  # typo neighbours of each word and of the number, never a scan


@pytest.fixture(scope="module")
def population():
    population = generate(10_000)
    return population, MemoryIndex(prepare(r.record) for r in population.records)


def test_name_search_quality_on_ten_thousand_synthetic_people(population):
    people, index = population
    rng = random.Random(11)
    found = relevant = returned = confident = confident_right = 0
    for person in rng.sample(people.records, 300):
        words = [rng.choice(group_spellings(g)) for g in sorted(person.groups)]
        rng.shuffle(words)
        right = {r.record.id for r in people.records if person.groups <= r.groups}
        hits = index.search(parse_query(" ".join(words) + " ", today=TODAY), today=TODAY, limit=1000)
        got = {h.id for h in hits}
        found += len(got & right)
        relevant += len(right)
        returned += len(got)
        sure = {h.id for h in hits if h.score >= 0.9}
        confident += len(sure)
        confident_right += len(sure & right)
    # Measured (bench/bench_registry.py): recall 0.98; precision 0.32 over every result (a name search lists
    # close spellings too, ranked lower) and 0.68 over results scored 0.9 or more. Most "wrong" confident
    # results are forms the synthetic lists keep apart but the field does not (Mamadou / Mohamed, Boureima /
    # Ibrahim, Aliou / Ali).
    assert found / relevant >= 0.95
    assert confident_right / confident >= 0.6
    assert found / returned >= 0.25


def test_first_stage_quality_on_ten_thousand_synthetic_people(population):
    """The first stage alone, on the name queries above: what the screen shows before the refined search."""
    people, index = population
    rng = random.Random(11)
    found = relevant = returned = 0
    for person in rng.sample(people.records, 300):
        words = [rng.choice(group_spellings(g)) for g in sorted(person.groups)]
        rng.shuffle(words)
        right = {r.record.id for r in people.records if person.groups <= r.groups}
        got = {h.id for h in index.first(parse_query(" ".join(words) + " ", today=TODAY), today=TODAY, limit=1000)}
        found += len(got & right)
        relevant += len(right)
        returned += len(got)
    # Measured through the device's index (bench/bench_search.py, 10,000 people): recall 0.83, precision 0.67; the
    # refined search brings recall to 0.95 with close spellings
    assert found / relevant >= 0.75
    assert found / returned >= 0.55


def test_document_search_quality_on_ten_thousand_synthetic_people(population):
    people, index = population
    rng = random.Random(12)
    found = relevant = returned = 0
    for person in rng.sample([r for r in people.records if r.record.document_number], 300):
        number = person.record.document_number or ""
        typed = " ".join((number[:2], number[2:5], number[5:]))
        right = {r.record.id for r in people.records if r.identity == person.identity and r.record.document_number}
        got = {h.id for h in index.search(parse_query(typed, today=TODAY), today=TODAY)}
        found += len(got & right)
        relevant += len(right)
        returned += len(got)
    assert found / relevant >= 0.95
    assert found / returned >= 0.95
