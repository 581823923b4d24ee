"""A laptop's team for the access tests (synthetic names only): one person per role, the shipped forms installed,
and answers for the two shipped forms that hold P3 questions."""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from pathlib import Path

from desktop_app.records.form_store import install_form
from desktop_app.vault import Vault
from waypoint_core.xform import FormDefinition, FormSession
from waypoint_core.xlsform import convert_xlsform

ROOT = Path(__file__).resolve().parents[2]
ADMIN, FIELD, CASE, COORD = "amina", "fatou", "kofi", "zara"
PASSPHRASES = {
    ADMIN: "correct horse battery staple",
    FIELD: "field staff passphrase",
    CASE: "tangerine orbit ladder whisper",
    COORD: "marble canyon violet engine",
}
ROLES = {FIELD: ("field_staff",), CASE: ("field_staff", "case_worker"), COORD: ("coordinator",)}
MIGRANT, VOT = "waypoint_migrant_registration", "waypoint_vot_case"
# A canary no one could type by chance: found anywhere in clear, a P3 answer leaked.
CANARY = "Qzwvx-restricted-canary-7741"

PERSON = {
    "centre_page/centre_country": "NE", "centre_page/centre": "ne_agadez",
    "consent/consent_given_by": "self", "consent/consent_services": "yes", "consent/legal_basis": "consent",
    "consent/consent_share_providers": "yes", "consent/consent_share_authorities": "no",
    "consent/consent_share_unhcr": "no", "consent/consent_anonymous_reporting": "yes",
    "consent/consent_followup_contact": "yes", "consent/consent_matching": "yes",
    "consent/consent_method": "signed", "consent/interview_language": "fr", "consent/interpreter_used": "no",
    "identity/given_name": "Testperson", "identity/family_name": "Synthetic", "identity/sex": "female",
    "identity/date_of_birth": "2000-01-15", "identity/stateless_or_undetermined": "no",
    "identity/nationality": "ML", "identity/country_of_birth": "ML", "identity/origin_admin1": "ML-6",
    "identity/id_document_type": "none", "group_info/travelling_alone": "yes",
    "migration/beneficiary_category": "stranded", "migration/arrival_channel": "self",
    "migration/abuses_experienced": "physical sexual", "needs/specific_needs": "gbv_risk other",
    "needs/specific_needs_other": CANARY, "needs/needs_referral": "yes", "needs/risk_level": "high",
    "intentions/intention": "stay",
}
CASE_ANSWERS = {
    "case_page/centre_country": "NE", "case_page/centre": "ne_agadez", "case_page/screening_date": "2026-11-20",
    "consent/consent_given_by": "self", "consent/consent_services": "yes", "consent/legal_basis": "consent",
    "consent/consent_method": "signed",
    "identification/person_ref": "WP-7F3A", "identification/trafficking_status": "ActualVictimOfTrafficking",
    "identification/status_decided_by": "NGO", "identification/identification_source": "centre_screening",
    "identification/sex": "female", "identification/age_years": "19", "identification/nationality": "NG",
    "profile/type_of_exploitation": "SexualExploitation", "profile/perpetrator_roles": "Exploiter",
    "trafficking_event[1]/event_type": "Recruitment", "trafficking_event[1]/event_country": "NG",
    "protection/risk_assessment_level": "high", "protection/law_enforcement_cooperation": "undecided",
    "support_plan[1]/support_type": "Health", "support_plan[1]/objectives": CANARY,
    "case_status_page/case_status": "Active",
}


def shipped_xforms() -> dict[str, str]:
    return {path.stem: convert_xlsform(path).xform for path in sorted((ROOT / "forms").glob("*.md"))}


def instance(xform: str, answers: dict, record_id: str = "00000000-0000-4000-8000-000000000001") -> str:
    """A complete record filled through the engine, as the form screen makes one."""
    session = FormSession(_definition(xform), metadata={"username": "test", "deviceid": "test-device"})
    for ref, value in answers.items():
        session.answer(f"/data/{ref}", value)
    issues = session.validate()
    assert not issues, issues[:3]
    root = ET.fromstring(session.to_instance_xml())
    root.find("meta/instanceID").text = f"uuid:{record_id}"
    return ET.tostring(root, encoding="unicode")


@functools.lru_cache(maxsize=4)
def _definition(xform: str) -> FormDefinition:
    return FormDefinition.from_xml(xform)


RECOVERY_CODES: dict[Path, str] = {}  # folder -> the recovery code shown at creation (tests only)


def make_team(folder: Path, xforms: dict[str, str]) -> Path:
    vault, code = Vault.create(folder, admin_username=ADMIN, admin_passphrase=PASSPHRASES[ADMIN], kdf_profile="test")
    RECOVERY_CODES[folder] = code
    with vault:
        for stem, xform in xforms.items():
            install_form(vault, xform=xform, source_name=f"{stem}.md", check_role=False)
        for name, roles in ROLES.items():
            vault.add_user(name, PASSPHRASES[name], roles)
    return folder


@contextmanager
def signed_in(folder: Path, name: str):
    vault = Vault.unlock(folder, username=name, passphrase=PASSPHRASES[name])
    try:
        yield vault
    finally:
        vault.close()


def sign_in(qtbot, app, name: str, passphrase: str | None = None) -> None:
    """Unlock the app as `name` (its team passphrase unless told) and wait until it is unlocked."""
    with qtbot.waitSignal(app.controller.unlocked, timeout=30_000):
        app.controller.unlock(username=name, passphrase=passphrase or PASSPHRASES[name])
