"""The CTDC anonymised export: the mapping of one case, k-anonymity (k = 11) reached by generalising then
withholding, each expected result computed by hand in the test; on the device, only case workers, recorded."""

from __future__ import annotations

import csv

import pytest

from desktop_app.cli import main
from desktop_app.services import audit
from desktop_app.vault.registrations import RegistrationDraft, save_registrations
from tests.access.team import CASE, COORD, FIELD, PASSPHRASES, VOT, make_team, shipped_xforms, signed_in
from waypoint_core.registry import ctdc
from waypoint_core.registry.ctdc import TraffickingCase

BASE = {"trafficking_status": "ActualVictimOfTrafficking", "screening_date": "2026-11-20",
        "identification_source": "centre_screening", "sex": "female", "age_years": "19", "nationality": "NG",
        "type_of_exploitation": "SexualExploitation"}


def case(**changes: str) -> TraffickingCase:
    return TraffickingCase({**BASE, **changes})


def test_one_case_maps_to_the_ctdc_columns():
    row = ctdc.ctdc_row(case(
        age_years="16", age_at_recruitment="15", age_at_exploitation_start="17", identification_source="hotline",
        type_of_exploitation="SexualExploitation ForcedLabour ForcedBegging", labour_sector="DomesticWork",
        sexual_exploitation_type="Prostitution", means_of_control="ThreatensChildrenFamily DebtBondage",
        is_abduction="no", recruiter_relationship="Friend Family", countries_of_exploitation="ly dz",
        exploitation_duration_months="14"))
    assert row is not None and list(row) == list(ctdc.HEADER)
    assert (row["yearOfRegistration"], row["Datasource"], row["gender"], row["ageBroad"]) == (
        "2026", "Hotline", "Female", "9--17")
    assert (row["majorityStatus"], row["majorityEntry"], row["majorityStatusAtExploit"]) == ("Minor", "Minor", "Minor")
    assert row["citizenship"] == "NG" and row["CountryOfExploitation"] == "DZ;LY"
    # ThreatensChildrenFamily has no CTDC column of its own: it is a threat
    assert row["meansOfControlConcatenated"] == "DebtBondage;Threats"
    assert row["meansOfControlDebtBondage"] == row["meansOfControlThreats"] == "1"
    assert row["meansOfControlPhysicalAbuse"] == "0"
    assert (row["isForcedLabour"], row["isSexualExploit"], row["isSexAndLabour"], row["isForcedMarriage"]) == (
        "1", "1", "1", "0")
    assert row["typeOfExploitConcatenated"] == "Forced labour;Sexual exploitation"
    # forced begging is a sector of forced labour for CTDC
    assert row["typeOfLabourConcatenated"] == "Begging;DomesticWork" and row["typeOfLabourAgriculture"] == "0"
    assert row["typeOfSexProstitution"] == "1" and row["typeOfSexPornography"] == "0"
    assert row["isAbduction"] == "0" and row["RecruiterRelationship"] == "Friend;Family"
    assert row["recruiterRelationFriend"] == "1" and row["recruiterRelationIntimatePartner"] == "0"
    assert row["traffickMonths"] == "12--24 (1-2 yrs)"
    assert ctdc.ctdc_row(case(trafficking_status="NotAVictimOfTrafficking")) is None


def test_unanswered_questions_stay_empty_not_zero():
    row = ctdc.ctdc_row(case(sex="unknown", age_years="", type_of_exploitation=""))
    assert row is not None
    assert row["gender"] == row["ageBroad"] == row["majorityStatus"] == ""
    assert row["isForcedLabour"] == row["meansOfControlThreats"] == row["recruiterRelationFriend"] == ""
    assert row["isAbduction"] == row["traffickMonths"] == ""


def test_age_bands_are_ctdcs():
    assert [ctdc.age_band(a) for a in (0, 8, 9, 17, 18, 20, 29, 30, 38, 47, 48, 90)] == [
        "0--8", "0--8", "9--17", "9--17", "18--20", "18--20", "27--29", "30--38", "30--38", "39--47", "48+", "48+"]


def test_a_small_remainder_is_withheld_without_generalising():
    # 11 women alike and one man: the man's combination is shared by 1 < 11; 1 case <= max(k - 1, 5 %) = 10,
    # so he is withheld and nothing is generalised
    result = ctdc.anonymise([case() for _ in range(11)] + [case(sex="male")])
    assert len(result.rows) == 11 and result.withheld == 1 and not any(result.levels.values())
    assert {r["gender"] for r in result.rows} == {"Female"}
    assert any("1 case(s) withheld" in n for n in result.notes())


def test_age_is_generalised_to_minor_or_adult_when_bands_are_too_fine():
    # four groups of 6 (women of Nigeria aged 19 and 25, men of Niger aged 15 and 5): every class 6 < 11 and
    # 24 cases in small classes > 10 allowed. Distinct values: age 4, gender 2, citizenship 2, the rest 1: age
    # goes one step (band hidden, minor/adult kept): women-adult 12, men-minor 12, both >= 11. Done.
    cases = ([case(age_years="19")] * 6 + [case(age_years="25")] * 6
             + [case(sex="male", nationality="NE", age_years="15")] * 6
             + [case(sex="male", nationality="NE", age_years="5")] * 6)
    result = ctdc.anonymise(cases)
    assert result.levels["age"] == 1 and sum(result.levels.values()) == 1 and result.withheld == 0
    assert len(result.rows) == 24 and {r["ageBroad"] for r in result.rows} == {""}
    assert sorted({(r["gender"], r["majorityStatus"]) for r in result.rows}) == [("Female", "Adult"),
                                                                                  ("Male", "Minor")]
    assert ctdc.smallest_class(result.rows) == 12
    assert any(n.startswith("age: age band hidden, minor or adult kept") for n in result.notes())


def test_citizenship_is_hidden_when_most_countries_are_rare():
    # 12 of Nigeria and 11 of eleven other countries, one each: 11 cases in classes below 11 > 10 allowed;
    # citizenship has 12 distinct values (the most), so it is hidden: one class of 23
    others = ["SD", "ER", "ET", "SO", "ML", "BF", "GN", "CI", "SN", "GM", "CM"]
    result = ctdc.anonymise([case()] * 12 + [case(nationality=c) for c in others])
    assert result.levels["citizenship"] == 1 and sum(result.levels.values()) == 1
    assert len(result.rows) == 23 and {r["citizenship"] for r in result.rows} == {""}
    assert any(n.startswith("citizenship: hidden") for n in result.notes())


def test_fewer_cases_than_k_export_nothing_and_not_victims_are_left_out():
    result = ctdc.anonymise([case()] * 5 + [case(trafficking_status="NotAVictimOfTrafficking")] * 3)
    assert result.rows == () and result.cases == 5 and result.withheld == 5 and result.not_victims == 3
    assert ctdc.check(result.rows, 11)


def test_generalising_goes_on_until_k_holds_then_withholds():
    # no allowance to withhold: 30 cases in 30 different years, ten of each of three countries. Distinct values:
    # year 30, citizenship 3, the rest 1: the year is hidden first (three classes of 10, still < 11), then
    # citizenship (3 against 1): one class of 30
    cases = [case(screening_date=f"{1990 + n}-01-01", nationality=["NG", "NE", "ML"][n % 3]) for n in range(30)]
    result = ctdc.anonymise(cases, max_withheld=0)
    assert result.levels["yearOfRegistration"] == 1 and result.levels["citizenship"] == 1
    assert sum(result.levels.values()) == 2
    assert result.withheld == 0 and ctdc.smallest_class(result.rows) == 30


# --- on the device ---------------------------------------------------------------------------------------------


def uid(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def case_xml(record_id: str, *, sex: str, age: str, nationality: str, status: str = "ActualVictimOfTrafficking",
             ref: str = "WP-7F3A0000") -> str:
    return ("<data id=\"waypoint_vot_case\"><case_page><centre_country>NE</centre_country><centre>ne_agadez</centre>"
            "<screening_date>2026-11-20</screening_date></case_page><identification>"
            f"<person_ref>{ref}</person_ref><trafficking_status>{status}</trafficking_status>"
            f"<identification_source>centre_screening</identification_source><sex>{sex}</sex>"
            f"<age_years>{age}</age_years><nationality>{nationality}</nationality></identification><profile>"
            "<type_of_exploitation>ForcedLabour</type_of_exploitation><labour_sector>MiningOrDrilling</labour_sector>"
            "<means_of_control>DebtBondage</means_of_control><countries_of_exploitation>LY"
            "</countries_of_exploitation></profile>"
            f"<meta><instanceID>uuid:{record_id}</instanceID></meta></data>")


@pytest.fixture
def team(isolated_home):
    return make_team(isolated_home / "waypoint" / "data" / "vault", shipped_xforms())



def test_case_workers_export_k_anonymous_ctdc_others_cannot_and_it_is_recorded(team, tmp_path, capsys):
    # 12 women of Nigeria aged 19, 3 men of Niger aged 30, 2 not victims: the men (3 <= 10) are withheld
    people = [("female", "19", "NG")] * 12 + [("male", "30", "NE")] * 3
    drafts = [RegistrationDraft(VOT, "1", "finalized", case_xml(uid(n), sex=s, age=a, nationality=c), uid(n),
                                {"record_kind": "case", "trafficking_status": "ActualVictimOfTrafficking"})
              for n, (s, a, c) in enumerate(people, start=1)]
    drafts += [RegistrationDraft(VOT, "1", "finalized",
                                 case_xml(uid(n), sex="female", age="30", nationality="ML",
                                          status="NotAVictimOfTrafficking"), uid(n), {"record_kind": "case"})
               for n in (90, 91)]
    with signed_in(team, CASE) as vault:
        save_registrations(vault, drafts)

    def who(name):
        path = tmp_path / f"{name}.pass"
        path.write_text(PASSPHRASES[name])
        return ["--vault", str(team), "--user", name, "--passphrase-file", str(path)]

    out = tmp_path / "ctdc.csv"
    for refused in (FIELD, COORD):
        assert main(["export", "--ctdc", "--out", str(out), *who(refused)]) == 2
        assert "not allowed" in capsys.readouterr().err.lower() and not out.exists()
    assert main(["export", "--ctdc", "--out", str(out), *who(CASE)]) == 0
    printed = capsys.readouterr().out
    assert "3 case(s) withheld" in printed and "2 case(s) screened as not a victim" in printed
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert len(rows) == 12 and list(rows[0]) == list(ctdc.HEADER)
    assert {(r["gender"], r["ageBroad"], r["citizenship"], r["CountryOfExploitation"]) for r in rows} == {
        ("Female", "18--20", "NG", "LY")}
    assert {r["typeOfLabourMiningOrDrilling"] for r in rows} == {"1"}
    text = out.read_text(encoding="utf-8")
    assert "7F3A" not in text and "ne_agadez" not in text and "2026-11-20" not in text
    note = (tmp_path / "ctdc.notes.txt").read_text(encoding="utf-8")
    assert "k = 11" in note and "3 case(s) withheld" in note
    with signed_in(team, COORD) as vault:
        logged = [(e.actor, e.outcome, e.detail) for e in audit.entries(vault, audit.Filter(), limit=1000)
                  if e.event == "records.export_ctdc"]
    assert ("fatou", "refused") in {(a, o) for a, o, _ in logged} and ("zara", "refused") in {
        (a, o) for a, o, _ in logged}
    assert sum(1 for a, o, _ in logged if a == CASE and o == "allowed") == 1
    assert any(a == CASE and o == "done" and "12 of 15 cases written, 3 withheld" in d for a, o, d in logged)
