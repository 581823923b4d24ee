"""The seized-laptop canary over what the laptop writes outside its vault when a coordinator takes data out: record
exports (.wpx, CSV and XLSX) and the file export-open decrypts, indicator reports (CSV, XLSX, PDF), the audit log's
CSV, with the person's name and date of birth made up at this run (tests/vault/canary.py). The person may be found
in the opened export alone, which its owner asked for and only its owner can read; nowhere else: no temporary file,
no half-written file, no report, nothing in the sealed files, HOME, the XDG folders or the temp folders."""

from __future__ import annotations

import shutil
import time
from datetime import date, timedelta

from desktop_app.services import audit, record_export, records, reports
from tests.access.team import COORD, MIGRANT, PERSON, instance, signed_in
from tests.vault.canary import CANARY_DOB, CANARY_NAME, leaks, search_roots

SECRET = "export passphrase of a dozen words"


def test_exports_leave_the_person_only_in_the_opened_file(team, xforms, isolated_home):
    started = time.time() - 1
    given, family = CANARY_NAME.split()
    version = records.form_definition(xforms["migrant_registration"]).version
    record_id = "00000000-0000-4000-8000-0000000000f1"
    person = {**PERSON, "identity/given_name": given, "identity/family_name": family,
              "identity/date_of_birth": CANARY_DOB}
    out = isolated_home / "home" / "exports"
    opened = isolated_home / "home" / "opened"
    out.mkdir()
    opened.mkdir()
    today = date.today()
    with signed_in(team, COORD) as vault:
        records.finalize(vault, form_id=MIGRANT, form_version=version, record_id=record_id,
                         content=instance(xforms["migrant_registration"], person, record_id))
        sealed = [record_export.export_form(vault, form_id=MIGRANT, out=out / f"people.{kind}", passphrase=SECRET,
                                            hxl=kind == "csv").path for kind in ("csv", "xlsx")]
        for kind in ("csv", "xlsx", "pdf"):
            reports.write(vault, start=today - timedelta(days=30), end=today, out=out / f"indicators.{kind}")
        audit.export_csv(vault, out / "audit.csv")
    plain = [record_export.open_export(path, SECRET, out_dir=opened) for path in sealed]
    assert sorted(p.name for p in opened.iterdir()) == ["people.csv", "people.xlsx"]
    assert sorted(p.name for p in out.iterdir()) == ["audit.csv", "indicators.csv", "indicators.pdf",
                                                     "indicators.xlsx", "people.csv.wpx", "people.xlsx.wpx"]

    try:
        found = leaks(search_roots(isolated_home), started, isolated_home)
        where = {hit.split(": ", 1)[0].split("!", 1)[0] for hit in found}
        # the search sees the person in both opened files (the XLSX's sheet is a zip member), and nowhere else
        assert where == {str(p) for p in plain}, found
        for path in plain:
            assert path.stat().st_mode & 0o077 == 0, path.name
    finally:  # the next canary test of this run (the same person) must not find them in the shared temp folder
        shutil.rmtree(opened)
        shutil.rmtree(out)
