"""Indicators on the device through the service and `waypoint report`: counted from the vault's registrations,
events and cases (each person once), within the person's rights, protected before they are shown or written."""

from __future__ import annotations

import contextlib
import csv
import zlib
from datetime import date

import pytest
from openpyxl import load_workbook

from desktop_app.cli import main
from desktop_app.services import reports
from desktop_app.vault.registrations import RegistrationDraft, save_registrations
from desktop_app.services import desk
from desktop_app.vault import merge_reads
from tests.access.team import ADMIN, CASE, COORD, FIELD, MIGRANT, PASSPHRASES, VOT, signed_in
from tests.registry.device_people import person_xml
from waypoint_core.registry import report_words

EVENT, REFERRAL = "waypoint_assistance_event", "waypoint_referral"
START, END = date(2026, 1, 1), date(2026, 3, 31)



def uid(n: int) -> str:
    """Registration numbers (the first 8 hex digits) differ from one record to the next."""
    return f"{n:08x}-0000-4000-8000-000000000000"


def short(n: int) -> str:
    return uid(n).replace("-", "")[:8].upper()


def populate(vault) -> None:
    """25 women and 4 men in transit at Agadez (aged 26 on 2026-01-10), all assisted in the period; woman 1
    assisted twice; one event naming no one; one man a trafficking case (case workers only)."""
    drafts = []
    for n in range(1, 30):
        sex = "female" if n <= 25 else "male"
        drafts.append(RegistrationDraft(MIGRANT, "1", "finalized", person_xml(uid(n), f"P{n}", sex=sex), uid(n), {
            "title": f"P{n}", "sex": sex, "age": 26, "nationality": "ML", "centre": "ne_agadez",
            "registered_on": "2026-01-10", "beneficiary_category": "migrant_transit"}))
    event = 100
    for n in [*range(1, 30), 1]:
        event += 1
        drafts.append(RegistrationDraft(EVENT, "1", "finalized", f"<data><n>{event}</n></data>", uid(event), {
            "title": "food", "centre": "ne_agadez", "registered_on": "2026-02-01", "person_ref": f"WP-{short(n)}",
            "assistance_type": "food"}))
    drafts.append(RegistrationDraft(EVENT, "1", "finalized", "<data/>", uid(200), {
        "centre": "ne_agadez", "registered_on": "2026-02-01", "person_ref": "NOPE1234", "assistance_type": "food"}))
    drafts.append(RegistrationDraft(VOT, "1", "finalized", "<data/>", uid(300), {
        "person_ref": short(26), "trafficking_status": "ActualVictimOfTrafficking", "record_kind": "case"}))
    save_registrations(vault, drafts)


def test_each_person_counts_once_small_cells_are_hidden_and_rights_apply(team):
    with signed_in(team, CASE) as vault:
        populate(vault)
        done = reports.compute(vault, start=START, end=END)
        by_code = {r.code: r for r in done.results}
        assert by_code["3.2"].total == 29  # woman 1 assisted twice: once
        assert done.unlinked == 1  # NOPE1234 names no one
        section = next(s for s in done.report.sections if s.result.code == "3.2")
        by_sex = dict(section.tables)["sex"]
        # 4 men hidden; with the total published, 29 - 25 would give them back, so the women are hidden too
        assert [by_sex.shown((r, "count")) for r in by_sex.table.rows] == ["x", "<10"]
        assert by_sex.shown(("__total__", "count")) == "29"
        assert by_code["vot"].total == 1  # the man's case and his food: a case worker sees it
        assert reports.compute(vault, start=date(2026, 4, 1), end=date(2026, 6, 30)).results[0].total == 0
        assert reports.compute(vault, start=START, end=END, scope=reports.Scope.parse("centre:ne_arlit")
                               ).results[0].total == 0
    with signed_in(team, FIELD) as vault:
        done = reports.compute(vault, start=START, end=END)
        assert "vot" not in {r.code for r in done.results}  # field staff never count a trafficking case
        # and their report says so, where it read as if no victim had been identified
        assert done.report.withheld == (("cases_not_seen", "vot"),)
        assert "vot: not included: trafficking cases are not seen with your role" in done.report.notes()[0]
        assert "rôle ne voit pas les cas de traite" in done.report.notes(report_words.FRENCH)[0]


def test_a_person_merged_at_the_desk_counts_once_also_through_events_recorded_after_the_merge(team):
    """Two centres registered one woman; the coordinator merges the two registrations (the desk leaves the events
    where they were recorded). An event recorded afterwards by the other centre, which still knows her by the merged
    registration's number, arrives: she is still one person assisted (data-model §7.7: merged records collapse to the survivor).
    Undone, the merge no longer joins them."""
    def person(n: int, centre: str, sex: str = "female") -> RegistrationDraft:
        return RegistrationDraft(MIGRANT, "1", "finalized", person_xml(uid(n), f"P{n}", sex=sex), uid(n), {
            "title": f"P{n}", "sex": sex, "age": 31, "nationality": "ML", "centre": centre,
            "registered_on": "2026-01-10", "beneficiary_category": "migrant_transit"})

    def event(n: int, ref: str, day: str) -> RegistrationDraft:
        return RegistrationDraft(EVENT, "1", "finalized", f"<data><person_ref>{ref}</person_ref></data>", uid(n), {
            "title": "food", "centre": "ne_arlit", "registered_on": day, "person_ref": ref, "assistance_type": "food"})

    with signed_in(team, COORD) as vault:
        kept, merged = uid(1), uid(2)
        save_registrations(vault, [person(1, "ne_agadez"), person(2, "ne_arlit"), person(3, "ne_arlit", "male"),
                                   event(101, f"WP-{short(1)}", "2026-02-01"), event(102, short(2), "2026-02-02"),
                                   event(103, short(3), "2026-02-02")])
        assert reports.compute(vault, start=START, end=END).results[0].total == 3  # before the merge: two of her
        decision = desk.merge(vault, kept=kept, merged=merged)
        assert reports.compute(vault, start=START, end=END).results[0].total == 2
        # the other centre's laptop recorded her next visit under the number it knows, after the merge
        save_registrations(vault, [event(104, f"WP-{short(2)}", "2026-03-05")])
        done = reports.compute(vault, start=START, end=END)
        counted = done.results[0]
        assert counted.code == "3.2" and counted.total == 2 and done.unlinked == 0
        assert sorted(counted.people) == [kept, uid(3)]  # she counts as the kept registration, with its centre
        assert counted.people[kept].centre == "ne_agadez"
        desk.undo(vault, decision)  # not the same person after all: the late event is hers again
        assert reports.compute(vault, start=START, end=END).results[0].total == 3
        # the merges are read from the decisions' own field, never by scanning the registrations: the writer reads
        # them at every save (consent, for the search index)
        with vault.session(readonly=True) as session:
            raw = session.connection().connection.driver_connection
            plan = " ".join(str(row[-1]) for row in raw.execute(
                "EXPLAIN QUERY PLAN " + str(merge_reads.DECISIONS), {"f": "waypoint_review_decision"}).fetchall())
        assert "SCAN" not in plan and "SEARCH d USING COVERING INDEX" in plan, plan


def test_cli_report_writes_csv_xlsx_and_pdf_that_say_what_was_suppressed(team, tmp_path, capsys):
    with signed_in(team, ADMIN) as vault:
        populate(vault)
    secret = tmp_path / "admin.pass"
    secret.write_text(PASSPHRASES[ADMIN])
    who = ["--vault", str(team), "--user", ADMIN, "--passphrase-file", str(secret)]
    period = ["--from", "2026-01-01", "--to", "2026-03-31"]
    assert main(["report", *period, "--out", str(tmp_path / "r.csv"), *who]) == 0
    out = capsys.readouterr()
    # 29 leaves the app rounded down to a multiple of 5 (R11), and the notes say so
    assert "3.2\t25\t" in out.out and "shown as <10" in out.err and "multiple of 5" in out.err
    rows = list(csv.reader((tmp_path / "r.csv").read_text(encoding="utf-8").splitlines()))
    assert rows[0] == ["indicator", "indicator_title", "dimension", "category", "category_label", "people"]
    assert ["3.2", rows[1][1], "sex", "male", "Male", "<10"] in rows  # the code, and the words the screen shows
    assert ["3.2", rows[1][1], "age_group", "25_35", "25–35", "25"] in rows
    assert ["3.2", rows[1][1], "category", "migrant_transit", "Migrant in transit", "25"] in rows
    assert any(r[:1] == ["note"] and "complementary suppression" in r[1] for r in rows)
    assert not any("P1" in cell for r in rows for cell in r)  # no identifying data
    assert main(["report", *period, "--scope", "country:NE", "--out", str(tmp_path / "r.xlsx"), *who]) == 0
    book = load_workbook(tmp_path / "r.xlsx", read_only=True)
    assert book.sheetnames[0] == "Indicators" and "Disclosure control" in book.sheetnames
    values = [row for row in book["3.2"].iter_rows(values_only=True)]
    assert ("Mali", "25") in values and ("Male", "<10") in values and ("Total", "25") in values
    book.close()
    assert main(["report", *period, "--lang", "fr", "--out", str(tmp_path / "r.pdf"), *who]) == 0
    pdf = (tmp_path / "r.pdf").read_bytes()
    text = "".join(_page_text(pdf))
    assert "(Masculin)" in text and "(25–35)" in text and "(Migrant en transit)" in text  # French words
    # every word of the French PDF is French: title, period, headings, chart captions, totals, notes
    french = ["Indicateurs Waypoint", "Période du 2026-01-01 au 2026-03-31", "tous les centres",
              "Migrants en transit et personnes déplacées de force protégés ou assistés", "Secret statistique",
              "Par sexe", "Sexe", "Tranche d'âge", "Nationalité", "Catégorie", "3.2 par sexe\xa0:",
              "suppression complémentaire", "Chaque effectif publié est arrondi au multiple de 5"]
    assert [w for w in french if f"({w}" not in text and f" {w}" not in text] == []
    english = ["Waypoint indicators", "Period", "scope", "Disclosure control", "By ", "Age group", "Nationality",
               "Category", "Migrants in transit", "cell(s)", "shown as", "rounded down", "Not recorded", " by "]
    assert [w for w in english if w in text] == []
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF") and b"/Count 6" in pdf
    # the French XLSX and CSV: headings and notes in French too (the CSV's column names stay codes)
    assert main(["report", *period, "--lang", "fr", "--out", str(tmp_path / "fr.xlsx"), *who]) == 0
    book = load_workbook(tmp_path / "fr.xlsx", read_only=True)
    assert book.sheetnames[0] == "Indicateurs" and book.sheetnames[-1] == "Secret statistique"
    words = [cell for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
             if isinstance(cell, str)]
    assert {"Indicateur", "Intitulé", "Personnes", "Sexe", "Tranche d'âge", "Total",
            "Ce qui est masqué et pourquoi", "Périmètre\xa0: tous les centres"} <= set(words)
    assert not [w for w in words if any(e in w for e in ("Period", "Scope", "people", "cell(s)", "Migrants in"))]
    book.close()
    assert main(["report", *period, "--lang", "fr", "--out", str(tmp_path / "fr.csv"), *who]) == 0
    rows = list(csv.reader((tmp_path / "fr.csv").read_text(encoding="utf-8").splitlines()))
    notes = [r[1] for r in rows if r[:1] == ["note"]]
    assert rows[0] == ["indicator", "indicator_title", "dimension", "category", "category_label", "people"]
    assert notes[0].startswith("Indicateurs Waypoint\xa0; période du 2026-01-01 au 2026-03-31")
    title = "Migrants en transit et personnes déplacées de force protégés ou assistés"
    assert ["3.2", title, "category", "migrant_transit", "Migrant en transit", "25"] in rows
    assert any("suppression complémentaire" in n for n in notes) and not any("shown as" in n for n in notes)
    assert main(["report", *period, "--out", str(tmp_path / "r.doc"), *who]) == 2


def test_cli_report_says_what_is_wrong_in_one_line_and_writes_nothing(team, tmp_path, capsys):
    secret = tmp_path / "admin.pass"
    secret.write_text(PASSPHRASES[ADMIN])
    who = ["--vault", str(team), "--user", ADMIN, "--passphrase-file", str(secret)]
    out = tmp_path / "r.csv"
    wrong = {  # what was typed -> what the coordinator is told
        ("--from", "2026-13-01", "--to", "2026-03-31"): "not a date (YYYY-MM-DD): 2026-13-01",
        ("--from", "2026-04-01", "--to", "2026-03-31"): "the period ends before it starts",
        # a region is asked of the server, by coordinators only: refused on the laptop before anything is sent
        ("--scope", "region:sahel"): "are for those who view registrations across a region (coordinators)",
        ("--scope", "planet:mars"): "scope must be all, country:CC or centre:CODE",
        ("--on-server", "--scope", "country:NE"): "with --on-server, --scope is region, region:NAME or centre:NAME",
        # a scope naming nowhere counted no one and wrote a report of zeros that looked real
        ("--scope", "centre:nowhere"): "unknown centre 'nowhere'",
        ("--scope", "country:ZZ"): "unknown country 'ZZ'",
    }
    for typed, told in wrong.items():
        period = [] if "--from" in typed else ["--from", "2026-01-01", "--to", "2026-03-31"]
        with pytest.raises(SystemExit) if "2026-13-01" in typed else _nothing():
            assert main(["report", *period, *typed, "--out", str(out), *who]) == 2
        assert told in capsys.readouterr().err
        assert not out.exists()
    missing = tmp_path / "no such folder" / "r.csv"
    assert main(["report", "--from", "2026-01-01", "--to", "2026-03-31", "--out", str(missing), *who]) == 2
    assert capsys.readouterr().err.strip().endswith(f"waypoint: {missing}: No such file or directory")
    # a centre may be named as the list names it; the report then says its code
    assert main(["report", "--from", "2026-01-01", "--to", "2026-03-31", "--scope", "centre:Agadez transit centre",
                 "--out", str(out), *who]) == 0
    assert "scope centre:ne_agadez" in out.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".partial"] == []


def _page_text(pdf: bytes):
    """The text operators of every compressed page stream of our own PDF writer (its text is WinAnsi, cp1252)."""
    for chunk in pdf.split(b"stream\n")[1:]:
        try:
            yield zlib.decompress(chunk.split(b"\nendstream", 1)[0]).decode("cp1252")
        except zlib.error:
            continue


@contextlib.contextmanager
def _nothing():
    yield
