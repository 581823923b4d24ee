"""Forms and records benchmark: XLSForm conversion of the shipped forms, saving records through the records
store (consent gate + extraction + vault), and a Kobo CSV import of N rows through the engine.

    .venv/bin/python bench/bench_forms_records.py            # 1,000 import rows
    .venv/bin/python bench/bench_forms_records.py --n 200    # quicker

Synthetic data only. Wall-clock figures on a shared machine: read them as orders of magnitude.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("WAYPOINT_ALLOW_TEST_KDF", "1")  # the bench vault uses fast KDF parameters

from desktop_app.records.importer import import_file
from desktop_app.services import forms as form_service
from desktop_app.services import records as record_service
from desktop_app.vault import Vault
from waypoint_core.xform import FormDefinition, FormSession
from waypoint_core.xlsform import convert_xlsform

FORM_ID = "waypoint_migrant_registration"
ROW = {
    "centre_page/centre_country": "NE", "centre_page/centre": "ne_agadez", "centre_page/registered_on": "2026-11-20",
    "consent/consent_given_by": "self", "consent/consent_services": "yes", "consent/legal_basis": "consent",
    "consent/consent_share_providers": "yes", "consent/consent_share_authorities": "no",
    "consent/consent_share_unhcr": "no", "consent/consent_anonymous_reporting": "yes",
    "consent/consent_followup_contact": "yes", "consent/consent_matching": "no",
    "consent/consent_method": "verbal_witnessed", "consent/consent_date": "2026-11-20",
    "consent/interview_language": "ha", "consent/interpreter_used": "no",
    "identity/given_name": "Bench", "identity/family_name": "Synthetic", "identity/sex": "male",
    "identity/age_years": "31", "identity/stateless_or_undetermined": "no", "identity/nationality": "NG",
    "identity/id_document_type": "none", "group_info/travelling_alone": "yes",
    "migration/beneficiary_category": "expelled", "migration/arrival_channel": "expulsion_convoy",
    "needs/needs_referral": "no", "intentions/intention": "stay",
}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000, help="rows in the import file")
    args = parser.parse_args()

    print("XLSForm -> XForm (pyxform + located problems):")
    for path in form_service.shipped_form_files():
        times = []
        for _ in range(3):
            start = time.perf_counter()
            converted = convert_xlsform(path)
            times.append(time.perf_counter() - start)
        start = time.perf_counter()
        FormDefinition.from_xml(converted.xform)
        load = time.perf_counter() - start
        print(f"  {path.name:28} convert {ms(min(times)):>9}   engine load {ms(load):>8}   "
              f"XForm {len(converted.xform) / 1024:.0f} KiB")

    with tempfile.TemporaryDirectory() as tmp:
        vault, _code = Vault.create(Path(tmp) / "vault", admin_username="bench",
                                    admin_passphrase="synthetic bench passphrase", kdf_profile="test")
        try:
            start = time.perf_counter()
            form_service.install_shipped_forms(vault)
            print(f"install_shipped_forms (first vault use): {ms(time.perf_counter() - start)}")
            start = time.perf_counter()
            form_service.install_shipped_forms(vault)
            print(f"install_shipped_forms (already installed): {ms(time.perf_counter() - start)}")

            new = form_service.open_new_record_form(vault, FORM_ID)
            definition = FormDefinition.from_xml(new.xform)
            saves, finals = [], []
            for _ in range(50):
                session = FormSession(definition)
                for key, value in ROW.items():
                    session.answer(f"/data/{key}", value)
                content = session.to_instance_xml(include_nonrelevant=True)
                start = time.perf_counter()
                saved = record_service.save_draft(vault, form_id=FORM_ID, form_version=new.version, content=content)
                saves.append(time.perf_counter() - start)
                start = time.perf_counter()
                record_service.finalize(vault, form_id=FORM_ID, form_version=new.version,
                                        content=session.to_instance_xml(), record_id=saved.record_id)
                finals.append(time.perf_counter() - start)
            print(f"save_draft median {ms(statistics.median(saves))}, "
                  f"finalize (engine re-validation + save) median {ms(statistics.median(finals))}")

            path = Path(tmp) / "export.csv"
            with path.open("w", newline="", encoding="utf-8") as handle:
                columns = [*ROW, "meta/instanceID", "_id"]
                writer = csv.DictWriter(handle, fieldnames=columns, delimiter=";")
                writer.writeheader()
                for i in range(args.n):
                    writer.writerow({**ROW, "meta/instanceID": f"uuid:{uuid.uuid4()}", "_id": str(i)})
            start = time.perf_counter()
            report = import_file(vault, form_id=FORM_ID, path=path)
            took = time.perf_counter() - start
            assert report.ok, report.errors[:5]
            print(f"import {args.n} Kobo CSV rows (engine-validated, one transaction): {took:.2f} s "
                  f"({args.n / took:.0f} rows/s)")
        finally:
            vault.close()


if __name__ == "__main__":
    main()
