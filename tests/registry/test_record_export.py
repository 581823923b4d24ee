"""Record-level exports: only for roles allowed, never a P3 answer, written passphrase-protected, HXL as an option."""

from __future__ import annotations

import csv


from desktop_app.cli import main
from desktop_app.services import audit, records
from tests.access.team import CANARY, COORD, FIELD, MIGRANT, PASSPHRASES, PERSON, instance, signed_in

EXPORT_PASSPHRASE = "export passphrase of a dozen words"


def _registered_by_field_staff(team, xforms, record_id: str) -> None:
    """PERSON registered and finalized with the migrant form by field staff: what the coordinators export."""
    version = records.form_definition(xforms["migrant_registration"]).version
    with signed_in(team, FIELD) as vault:
        records.finalize(vault, form_id=MIGRANT, form_version=version, record_id=record_id,
                         content=instance(xforms["migrant_registration"], PERSON, record_id))



def test_coordinators_export_sealed_files_field_staff_cannot(team, xforms, tmp_path, capsys):
    record_id = "00000000-0000-4000-8000-0000000000e1"
    _registered_by_field_staff(team, xforms, record_id)
    secret = tmp_path / "export.pass"
    secret.write_text(EXPORT_PASSPHRASE)

    def who(name):
        path = tmp_path / f"{name}.pass"
        path.write_text(PASSPHRASES[name])
        return ["--vault", str(team), "--user", name, "--passphrase-file", str(path)]

    out = tmp_path / "people.csv"
    assert main(["export", "--form", MIGRANT, "--out", str(out), "--hxl", "--export-passphrase-file", str(secret),
                 *who(FIELD)]) == 2
    assert "not allowed" in capsys.readouterr().err.lower() and not (tmp_path / "people.csv.wpx").exists()
    assert main(["export", "--form", MIGRANT, "--out", str(out), "--hxl", "--export-passphrase-file", str(secret),
                 *who(COORD)]) == 0
    with signed_in(team, COORD) as vault:  # who was refused, who was allowed, and what left
        logged = [(e.actor, e.outcome, e.detail) for e in audit.entries(vault, audit.Filter(), limit=1000)
                  if e.event == "records.export"]
    assert (FIELD, "refused") in {(a, o) for a, o, _ in logged} and (COORD, "allowed") in {(a, o) for a, o, _ in logged}
    assert (COORD, "done", f"1 record(s) of {MIGRANT} written, csv with HXL row, passphrase-protected") in logged
    sealed = (tmp_path / "people.csv.wpx").read_bytes()
    assert b"Testperson" not in sealed and b"given_name" not in sealed  # nothing readable without the passphrase
    opened = tmp_path / "opened"
    opened.mkdir()
    wrong = tmp_path / "wrong.pass"
    wrong.write_text("not the passphrase at all")
    assert main(["export-open", str(tmp_path / "people.csv.wpx"), "--out-dir", str(opened),
                 "--export-passphrase-file", str(wrong)]) == 2
    capsys.readouterr()
    # "--out people.csv" is read as --out-dir: a folder that is not there is said so, not "…/people.csv.wpx.opening"
    assert main(["export-open", str(tmp_path / "people.csv.wpx"), "--out", str(tmp_path / "plain.csv"),
                 "--export-passphrase-file", str(secret)]) == 2
    assert "plain.csv: no such folder" in capsys.readouterr().err and not (tmp_path / "plain.csv").exists()
    assert main(["export-open", str(tmp_path / "people.csv.wpx"), "--out-dir", str(opened),
                 "--export-passphrase-file", str(secret)]) == 0
    rows = list(csv.reader((opened / "people.csv").read_text(encoding="utf-8").splitlines()))
    header, hxl, first = rows[0], rows[1], rows[2]
    assert header[:3] == ["record_id", "created_at", "created_by"] and "given_name" in header
    assert hxl[header.index("given_name")] == "#beneficiary+name+given" and hxl[0] == "#meta+id"
    # each hashtag once: a tool reading #beneficiary+age gets the computed age, not the stated one left empty
    assert [t for t in hxl if t] == list(dict.fromkeys(t for t in hxl if t))
    assert hxl[header.index("age")] == "#beneficiary+age" and hxl[header.index("age_years")] == ""
    assert first[header.index("age")] not in ("", None) and first[header.index("age_years")] == ""
    assert first[0] == record_id and first[header.index("given_name")] == "Testperson"
    text = (opened / "people.csv").read_text(encoding="utf-8")
    assert CANARY not in text and "wp:p3" not in text and "specific_needs" not in header  # P3 never exported
    assert "household_member_count" in header


def test_exports_and_opened_exports_are_for_their_owner_only(team, xforms, tmp_path):
    """Under the usual umask 022 a file is readable by every account of the computer: an opened export holds the
    people in clear, a sealed one and the audit log's CSV what they are. Each is created owner-only (0600), also
    over a file of the same name left readable by everyone."""
    import os

    from desktop_app.services import record_export

    record_id = "00000000-0000-4000-8000-0000000000e2"
    _registered_by_field_staff(team, xforms, record_id)
    opened = tmp_path / "opened"
    opened.mkdir()
    (opened / "people.csv").write_text("an older file")
    (opened / "people.csv").chmod(0o644)
    umask = os.umask(0o022)
    try:
        with signed_in(team, COORD) as vault:
            done = record_export.export_form(vault, form_id=MIGRANT, out=tmp_path / "people.csv",
                                             passphrase=EXPORT_PASSPHRASE)
            audit.export_csv(vault, tmp_path / "audit.csv")
        plain = record_export.open_export(done.path, EXPORT_PASSPHRASE, out_dir=opened)
    finally:
        os.umask(umask)
    assert "Testperson" in plain.read_text(encoding="utf-8")
    for path in (plain, done.path, tmp_path / "audit.csv"):
        assert path.stat().st_mode & 0o777 == 0o600, path.name
