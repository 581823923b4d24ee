"""`waypoint forms add|list` and `waypoint import` through the real CLI entry point and a real vault."""

from __future__ import annotations

import csv

import pytest

from desktop_app.cli import main
from desktop_app.vault import Vault
from desktop_app.vault.registrations import count_registrations

from tests.corpus import corpus_path
from tests.forms.support import ADMIN, ADMIN_PASSPHRASE, ROOT
from tests.forms.test_import import BASE, UUID_1, UUID_2, write_csv


@pytest.fixture
def cli_vault(forms_vault, monkeypatch):
    path = forms_vault.path
    forms_vault.close()
    monkeypatch.setenv("WAYPOINT_PASSPHRASE", ADMIN_PASSPHRASE)
    return path


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_installs_the_shipped_forms_on_first_use(vault, capsys, monkeypatch):
    monkeypatch.setenv("WAYPOINT_PASSPHRASE", ADMIN_PASSPHRASE)
    vault.close()
    code, out, _ = run(capsys, "forms", "list", "--vault", str(vault.path), "--user", ADMIN)
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].split() == ["FORM", "ID", "VERSION", "TITLE", "INSTALLED"]
    assert sorted(line.split()[0] for line in lines[1:]) == [
        "waypoint_assistance_event", "waypoint_info_session", "waypoint_migrant_registration", "waypoint_referral",
        "waypoint_vot_case"]


def test_add_installs_a_new_version_and_refuses_changed_content(cli_vault, capsys, tmp_path):
    source = (ROOT / "forms" / "referral.md").read_text("utf-8")
    v2 = tmp_path / "referral_v2.md"
    v2.write_text(source.replace("| 2026120602 |", "| 2026120701 |"), encoding="utf-8")
    common = ("--vault", str(cli_vault), "--user", ADMIN)
    code, out, _ = run(capsys, "forms", "add", str(v2), *common)
    assert code == 0 and "waypoint_referral version 2026120701 installed" in out
    code, out, _ = run(capsys, "forms", "add", str(v2), *common)
    assert code == 0 and "already installed" in out
    v2.write_text(source.replace("| 2026120602 |", "| 2026120701 |").replace("Urgency", "Priority"),
                  encoding="utf-8")
    code, _, err = run(capsys, "forms", "add", str(v2), *common)
    assert code == 2 and "already installed with different content" in err
    code, out, _ = run(capsys, "forms", "list", *common)
    assert "2026120701" in out and out.count("waypoint_referral") == 2


def test_add_a_downloaded_xform_xml(cli_vault, capsys, tmp_path, shipped_xforms):
    xml = tmp_path / "assistance.xml"
    xml.write_text(shipped_xforms["assistance_event"].replace('version="2026120602"', 'version="2026120603"'),
                   encoding="utf-8")
    code, out, _ = run(capsys, "forms", "add", str(xml), "--vault", str(cli_vault), "--user", ADMIN)
    assert code == 0 and "waypoint_assistance_event version 2026120603 installed" in out


def test_add_a_broken_form_names_sheet_row_column(cli_vault, capsys):
    broken = ROOT / "tests" / "forms" / "fixtures" / "broken_form.md"
    code, _, err = run(capsys, "forms", "add", str(broken), "--vault", str(cli_vault), "--user", ADMIN)
    assert code == 1
    assert "sheet 'survey', row 4, column 'relevant', line 6" in err and "travelling_alon" in err
    assert "Traceback" not in err


def test_import_valid_then_invalid_file(cli_vault, capsys, tmp_path):
    common = ("--vault", str(cli_vault), "--user", ADMIN)
    # the people first: an event always names a person registered here (issue 12)
    people = [BASE, {**BASE, "identity/given_name": "Importtwo", "meta/instanceID": f"uuid:{UUID_2}", "_uuid": UUID_2,
                     "_id": "102"}]
    code, out, _ = run(capsys, "import", "--form", "waypoint_migrant_registration",
                       str(write_csv(tmp_path / "people.csv", people)), *common)
    assert code == 0 and "Imported 2 record(s)" in out
    one, two = (f"WP-{uuid.replace('-', '')[:8]}" for uuid in (UUID_1, UUID_2))
    header = ["person_ref", "centre_country", "centre", "event_date", "assistance_type", "modality", "quantity",
              "unit", "_id"]
    good = [[one, "NE", "ne_agadez", "2026-11-20", "food", "in_kind", "3", "meals", "1"],
            [two, "NE", "ne_agadez", "2026-11-21", "accommodation", "service", "2", "nights", "2"]]
    path = tmp_path / "events.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *good])
    code, out, _ = run(capsys, "import", "--form", "waypoint_assistance_event", str(path), *common)
    assert code == 0 and "Imported 2 record(s)" in out
    bad = [[one, "NE", "ne_agadez", "2099-01-01", "food", "in_kind", "0", "meals", "3"],
           [two, "NE", "ml_gao", "2026-11-21", "teleport", "service", "2", "nights", "4"]]
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *good[:1], *bad])
    code, _, err = run(capsys, "import", "--form", "waypoint_assistance_event", str(path), *common)
    assert code == 1 and "nothing imported" in err
    assert "row 3, event/event_date: The date cannot be in the future." in err
    assert "row 3, event/quantity:" in err
    assert "row 4, event/centre: not among the choices: ml_gao" in err
    assert "row 4, event/assistance_type: not among the choices: teleport" in err
    vault = Vault.unlock(cli_vault, username=ADMIN, passphrase=ADMIN_PASSPHRASE)
    try:
        assert count_registrations(vault) == 4  # the two people and their two events
    finally:
        vault.close()


def test_import_unknown_form_is_one_clear_line(cli_vault, capsys, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a\n1\n", encoding="utf-8")
    code, _, err = run(capsys, "import", "--form", "nope", str(path), "--vault", str(cli_vault), "--user", ADMIN)
    assert code == 2 and "no form 'nope' is installed" in err


def test_check_and_add_tell_what_is_not_run_as_collect_runs_it(cli_vault, capsys, tmp_path):
    # `forms check` reports behaviour, not only loading: a feature run otherwise than in ODK Collect is
    # listed with its question and fails the check (and the install); what Collect ignores too is a warning
    import json
    located = tmp_path / "located.md"
    located.write_text("| survey |\n| | type | name | label |\n| | start-geopoint | where | |\n"
                       "| | text | name | Name |\n| settings |\n| | form_id | version |\n| | located | 1 |\n",
                       encoding="utf-8")
    code, out, _ = run(capsys, "forms", "check", str(located))
    result = json.loads(out)
    assert code == 1 and result["status"] == "fail" and "not run as ODK Collect" in result["error"]
    assert any("setgeopoint" in f and "/data/where" in f for f in result["unsupported"])
    code, _, err = run(capsys, "forms", "add", str(located), "--vault", str(cli_vault), "--user", ADMIN)
    assert code == 1 and "setgeopoint" in err

    launch = tmp_path / "launch.md"
    launch.write_text("| survey |\n| | type | name | label | appearance |\n"
                      "| | integer | breaths | Breaths | ex:change.uw.android.BREATHCOUNT |\n", encoding="utf-8")
    code, out, _ = run(capsys, "forms", "check", str(launch))
    result = json.loads(out)
    assert code == 0 and result["unsupported"] == [] and "typed" in result["warnings"][0]
    code, out, err = run(capsys, "forms", "add", str(launch), "--vault", str(cli_vault), "--user", ADMIN)
    assert code == 0 and "installed" in out
    assert "typed" in err and "has no version" in err  # said, and installed


@pytest.mark.corpus
def test_add_a_follow_up_form_whose_entity_list_a_vault_form_makes(cli_vault, capsys, tmp_path):
    """The CLI checks a form before asking for a passphrase, then asks the vault whether a missing CSV is an
    entity list one of its forms makes (as the app does)."""
    features = corpus_path("features")
    follow_up = tmp_path / "ona_entities_trees_follow_up.xlsx"  # alone: no trees.csv beside it
    follow_up.write_bytes((features / "ona_entities_trees_follow_up_media" / follow_up.name).read_bytes())
    common = ("--vault", str(cli_vault), "--user", ADMIN)
    code, _, err = run(capsys, "forms", "add", str(follow_up), *common)
    assert code == 1 and "trees.csv" in err and "install the form that makes its entities first" in err
    code, out, _ = run(capsys, "forms", "add", str(features / "ona_entities_trees_registration.xlsx"), *common)
    assert code == 0 and "trees_registration" in out
    code, out, _ = run(capsys, "forms", "add", str(follow_up), *common)
    assert code == 0 and "trees_follow_up version 2022111801 installed" in out


def test_import_counts_an_unknown_column_as_the_headers_not_as_a_row(cli_vault, capsys, tmp_path):
    # A column the form does not have is named once, on the header (spreadsheet row 1): the count said "5 error(s)
    # in 2 of 1 row(s)" for a file of one row.
    path = tmp_path / "people.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["name"], ["x"]])
    code, _, err = run(capsys, "import", "--form", "waypoint_migrant_registration", str(path), "--vault",
                       str(cli_vault), "--user", ADMIN)
    assert code == 1 and "row 1, name: no question of this name in the form" in err
    assert "error(s) in the header and 1 of 1 row(s):" in err
