"""The CTDC-compatible anonymised export of trafficking cases on the device (issue 12 point 5).

For roles allowed to export cases (services/access.py `check_export_anonymised`: case workers; the decision goes to
the audit log), over the cases they may export. Each case's answers are read from the record (never a P3 answer: the
columns CTDC takes are the profile fields, not sealed), mapped and made k-anonymous by
waypoint_core.registry.ctdc (k = 11) before anything is written; the file's note and the audit log say how many
cases were written, generalised and withheld. No Qt here.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

from desktop_app.services import access, audit
from desktop_app.vault import report_reads
from desktop_app.vault.vault import Vault
from waypoint_core.access import policy
from waypoint_core.access.sealed import is_sealed
from waypoint_core.registry import ctdc

CASE_FORM = "waypoint_vot_case"
PAGE = 1000
FIELDS = frozenset({
    "trafficking_status", "screening_date", "identification_source", "sex", "age_years", "age_at_recruitment",
    "age_at_exploitation_start", "nationality", "type_of_exploitation", "labour_sector", "sexual_exploitation_type",
    "means_of_control", "is_abduction", "recruiter_relationship", "countries_of_exploitation",
    "exploitation_duration_months"})
Progress = Callable[[int, int], None]


def _answers(content: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for element in ET.fromstring(content.encode("utf-8")).iter():
        name = element.tag.rsplit("}", 1)[-1]
        if name in FIELDS and name not in found and not len(element):
            value = (element.text or "").strip()
            found[name] = "" if is_sealed(value) else value
    return found


def _cases(vault: Vault, visible: access.Visibility, progress: Progress | None) -> Iterator[ctdc.TraffickingCase]:
    after, done = "", 0
    while not visible.nothing:
        page = report_reads.form_records(vault, CASE_FORM, after=after, limit=PAGE, visible=visible.rows)
        if not page:
            return
        for _record_id, content, _created_at, _created_by in page:
            try:
                yield ctdc.TraffickingCase(_answers(content))
            except ET.ParseError:
                continue
        done += len(page)
        after = page[-1][0]
        if progress is not None:
            progress(done, 0)


def export_ctdc(vault: Vault, *, out: Path, progress: Progress | None = None) -> tuple[ctdc.Anonymised, Path]:
    """Write the anonymised CSV to `out` and its note beside it; (what was written, the note's path)."""
    if out.suffix.lower() != ".csv":
        raise ValueError("the CTDC export is a .csv file")
    access.check_export_anonymised(vault)
    visible = access.visibility(vault, "export", kind=policy.CASE)
    result = ctdc.anonymise(_cases(vault, visible, progress))
    note = ctdc.write_csv(result, out)
    generalised = ", ".join(f"{qi}+{level}" for qi, level in result.levels.items() if level) or "none"
    audit.note(vault, "records.export_ctdc",
               detail=f"{len(result.rows)} of {result.cases} cases written, {result.withheld} withheld, "
                      f"k = {result.k}, generalised: {generalised}")
    return result, note
