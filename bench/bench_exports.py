"""Record-level export of 100,000 registrations as XLSX (and CSV), streamed into the sealed file: time, CPU time and
peak memory (issue 12 point 5: "exports of 100,000 records stream with progress").

    .venv/bin/python bench/bench_exports.py                    # 100,000 registrations
    .venv/bin/python bench/bench_exports.py --records 10000    # quicker

The registrations are synthetic people filled once through the form engine (the shipped form A, as the form
screen makes them) and varied per record (names, sex, date of birth, nationality, document, phone), saved through
the vault's one writer in transactions of 5,000 (test KDF profile, temporary folder removed after). The export runs
as a coordinator through `services.record_export.export_form`, exactly what `waypoint export --form` runs:
pages of 1,000 read through SQLCipher, rows through the streaming XLSX (or CSV) writer into the WPX2 sealed stream.
Peak memory: tracemalloc's peak of Python allocations during the export, and the process's maximum resident set
before and after it. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("WAYPOINT_ALLOW_TEST_KDF", "1")

from desktop_app.records.form_store import latest_form
from desktop_app.services import forms, record_export
from desktop_app.vault import Vault
from desktop_app.vault.registrations import RegistrationDraft, save_registrations
from waypoint_core.xform import FormDefinition, FormSession
from waypoint_core.xlsform import convert_xlsform

ROOT = Path(__file__).resolve().parents[1]
FORM = "waypoint_migrant_registration"
GIVEN = ["Aïcha", "Mohamed", "Ousmane", "Fatouma", "Abdoulaye", "Mariam", "Ibrahim", "Hawa", "Moussa", "Awa"]
FAMILY = ["Diallo", "Traoré", "Keïta", "Coulibaly", "Ouédraogo", "Sawadogo", "Abdi", "Tesfaye", "Issa", "Bah"]
NATIONALITIES = ["ML", "NE", "GN", "SN", "NG", "CI", "ET", "ER", "SO", "SD", "BF", "GM"]
ANSWERS = {
    "centre_page/centre_country": "NE", "centre_page/centre": "ne_agadez",
    "consent/consent_given_by": "self", "consent/consent_services": "yes", "consent/legal_basis": "consent",
    "consent/consent_share_providers": "yes", "consent/consent_share_authorities": "no",
    "consent/consent_share_unhcr": "no", "consent/consent_anonymous_reporting": "yes",
    "consent/consent_followup_contact": "yes", "consent/consent_matching": "yes",
    "consent/consent_method": "signed", "consent/interview_language": "fr", "consent/interpreter_used": "no",
    "identity/given_name": "GIVENX", "identity/family_name": "FAMILYX", "identity/sex": "female",
    "identity/date_of_birth": "2000-01-15", "identity/stateless_or_undetermined": "no",
    "identity/nationality": "ML", "identity/country_of_birth": "ML", "identity/origin_admin1": "ML-6",
    "identity/id_document_type": "passport", "identity/id_document_number": "DOCX",
    "identity/phone": "+22790000000", "group_info/travelling_alone": "yes",
    "migration/beneficiary_category": "stranded", "migration/arrival_channel": "self",
    "needs/needs_referral": "no", "intentions/intention": "stay",
}


def template() -> tuple[str, str]:
    """(form version, one complete record) filled through the engine."""
    xform = convert_xlsform(ROOT / "forms" / "migrant_registration.md").xform
    session = FormSession(FormDefinition.from_xml(xform), metadata={"username": "bench", "deviceid": "bench"})
    for ref, value in ANSWERS.items():
        session.answer(f"/data/{ref}", value)
    issues = session.validate()
    if issues:
        raise SystemExit(f"the template does not validate: {issues[:3]}")
    root = ET.fromstring(session.to_instance_xml())
    root.find("meta/instanceID").text = "uuid:IDX"  # type: ignore[union-attr]
    return FormDefinition.from_xml(xform).version, ET.tostring(root, encoding="unicode")


def record_id(n: int) -> str:
    return f"{n:08x}-0000-4000-8000-{n:012x}"


def load(vault: Vault, records: int, version: str, text: str) -> float:
    rng = random.Random(11)
    started = time.perf_counter()
    drafts: list[RegistrationDraft] = []
    for n in range(records):
        sex = rng.choice(["female", "male"])
        nationality = rng.choice(NATIONALITIES)
        content = (text.replace("GIVENX", rng.choice(GIVEN)).replace("FAMILYX", rng.choice(FAMILY))
                   .replace("DOCX", f"A{rng.randrange(10**7):07d}").replace("+22790000000", f"+2279{rng.randrange(10**7):07d}")
                   .replace("<sex>female</sex>", f"<sex>{sex}</sex>")
                   .replace("<nationality>ML</nationality>", f"<nationality>{nationality}</nationality>")
                   .replace("2000-01-15", f"{rng.randint(1960, 2010)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
                   .replace("uuid:IDX", f"uuid:{record_id(n)}"))
        drafts.append(RegistrationDraft(FORM, version, "finalized", content, record_id(n),
                                        {"title": f"P{n}", "sex": sex, "nationality": nationality}))
        if len(drafts) == 5_000:
            save_registrations(vault, drafts)
            drafts.clear()
            print(f"  saved {n + 1:,} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    save_registrations(vault, drafts)
    return time.perf_counter() - started


def export(vault: Vault, folder: Path, suffix: str) -> None:
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    wall, cpu = time.perf_counter(), time.process_time()
    last = [0, 0]
    done = record_export.export_form(vault, form_id=FORM, out=folder / f"people.{suffix}",
                                     passphrase="bench export passphrase", hxl=True,
                                     progress=lambda n, total: last.__setitem__(slice(None), [n, total]))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"  {suffix.upper()}: {done.records:,} records, {done.columns} columns, {done.path.stat().st_size:,} bytes "
          f"sealed; {wall:.1f} s wall, {cpu:.1f} s CPU ({done.records / max(wall, 1e-9):,.0f} records/s); "
          f"peak Python memory {peak / 2**20:.1f} MiB (tracemalloc); max RSS {rss_before / 1024:.0f} -> "
          f"{rss_after / 1024:.0f} MiB; last progress {last[0]:,} of {last[1]:,}")
    done.path.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--formats", default="xlsx,csv")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="waypoint-bench-exports-"))
    try:
        vault, _ = Vault.create(folder / "vault", admin_username="bench", admin_passphrase="bench passphrase one",
                                kdf_profile="test")
        with vault:
            forms.install_shipped_forms(vault)
            vault.add_user("coord", "bench coordinator passphrase", ("coordinator",))
            version, text = template()
            version = latest_form(vault, FORM).version
            seconds = load(vault, args.records, version, text)
        print(f"exports: {args.records:,} registrations saved through the writer in {seconds:.0f} s")
        with Vault.unlock(folder / "vault", username="coord", passphrase="bench coordinator passphrase") as vault:
            for suffix in args.formats.split(","):
                export(vault, folder, suffix)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
