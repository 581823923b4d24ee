"""Record-level exports (issue 12 point 5): `waypoint export --form ID --out FILE.csv|.xlsx [--hxl]`.

Only for roles the policy lets export records of the form's kind (services/access.py: `check_export`, which every
audit hook sees, so the export is recorded), and only records they may export. Columns are the form's questions
outside repeats, in the form's order, never a P3 answer (sealed answers are left out, not even as ciphertext);
repeats are counted. A registration whose person refused or withdrew consent to reporting is left out
(services/consent.py). With `hxl`, a second header row of HXL hashtags for the columns HXL names.

The file is written passphrase-protected (waypoint_core.registry.sealed_file: `FILE.csv.wpx`) as a stream: records
are read 1,000 at a time, each row goes through the CSV writer or the streaming XLSX writer
(waypoint_core.registry.xlsx_stream) into the sealed writer, so memory stays bounded whatever the number of records
and no plain byte reaches the disk. Progress is reported per page (done, total); `cancelled()` is asked per page,
and a cancelled or failed export leaves no file behind (it is written to `FILE.wpx.partial`, renamed at the end).
"""

from __future__ import annotations

import codecs
import csv
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from desktop_app.paths import open_private
from desktop_app.records.form_store import get_form_xform, latest_form, list_forms
from desktop_app.records.schema import form_schema
from desktop_app.services import access, audit, consent
from desktop_app.vault import report_reads
from desktop_app.vault.vault import Vault
from waypoint_core.access import policy
from waypoint_core.access.sealed import is_sealed
from waypoint_core.registry import sealed_file, xlsx_stream

PAGE = 1000
SKIPPED = ("meta", "instanceID", "deprecatedID", "instanceName")
HXL = {
    "record_id": "#meta+id", "registered_on": "#date+registered", "event_date": "#date", "date_sent": "#date+sent",
    "centre": "#loc+code", "centre_country": "#country+code", "sex": "#beneficiary+sex",
    "age_years": "#beneficiary+age", "age": "#beneficiary+age", "age_group": "#beneficiary+age+group",
    "nationality": "#beneficiary+nationality+code", "beneficiary_category": "#beneficiary+type",
    "given_name": "#beneficiary+name+given", "family_name": "#beneficiary+name+family",
    "assistance_type": "#service+type", "modality": "#service+modality", "quantity": "#value+quantity",
    "person_ref": "#beneficiary+id", "to_org": "#org+receiving", "from_org": "#org+referring",
}
Progress = Callable[[int, int], None]


class ExportCancelled(Exception):
    """The person cancelled the export; nothing was left on the disk."""


@dataclass(frozen=True)
class ExportDone:
    path: Path
    records: int
    columns: int


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _columns(xform: str) -> tuple[list[str], list[str]]:
    """(leaf paths outside repeats and not P3, repeat paths) in the form's order."""
    schema = form_schema(xform)
    doc = ET.fromstring(xform.encode("utf-8"))
    instance = next(e for e in doc.iter() if _local(e.tag) == "instance")
    root = next(iter(instance))
    leaves: list[str] = []

    def walk(element: ET.Element, prefix: str) -> None:
        for child in element:
            path = prefix + _local(child.tag)
            if _local(child.tag) in SKIPPED or schema.is_sensitive(path):
                continue
            if path in schema.repeats:
                continue
            if len(child):
                walk(child, path + "/")
            else:
                leaves.append(path)

    walk(root, "")
    return leaves, list(schema.repeats)


def _values(content: str, leaves: list[str], repeats: list[str]) -> list[str]:
    root = ET.fromstring(content.encode("utf-8"))
    found: dict[str, str] = {}

    def walk(element: ET.Element, prefix: str) -> None:
        for child in element:
            path = prefix + _local(child.tag)
            if path in repeats:
                found[path] = str(int(found.get(path, "0")) + 1)
                continue
            if len(child):
                walk(child, path + "/")
            elif path not in found:
                found[path] = (child.text or "").strip()

    walk(root, "")
    return [found.get(p, "") for p in leaves] + [found.get(r, "0") for r in repeats]


def hxl_row(names: list[str]) -> list[str]:
    """The hashtag of each column, none twice: an HXL tool reads the first column a tag matches, so the computed age
    (`age`, always answered) carries #beneficiary+age and the stated one (`age_years`, empty when the date of birth
    is known) none when both are exported."""
    tags = [HXL.get(n, "") for n in names]
    if "age" in names and "age_years" in names:
        tags[names.index("age_years")] = ""
    return tags


def export_form(vault: Vault, *, form_id: str, out: Path, passphrase: str, hxl: bool = False,
                progress: Progress | None = None, cancelled: Callable[[], bool] | None = None) -> ExportDone:
    """Export every finalized record of `form_id` the person may export into `out` + ".wpx" (see the docstring)."""
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValueError("a record-level export is .csv or .xlsx")
    if len(passphrase) < sealed_file.MIN_PASSPHRASE:
        raise sealed_file.SealedFileError(
            f"the export's passphrase needs {sealed_file.MIN_PASSPHRASE} characters or more")
    kind = access.kind_of_form(vault, form_id)
    access.check_export(vault, kind)
    seen = access.visibility(vault, "export", kind=kind)
    form = latest_form(vault, form_id)
    leaves, repeats = _columns(get_form_xform(vault, form_id, form.version))
    names = ["record_id", "created_at", "created_by", *(p.rsplit("/", 1)[-1] for p in leaves),
             *(f"{r.rsplit('/', 1)[-1]}_count" for r in repeats)]
    total = 0 if seen.nothing else report_reads.count_form_records(vault, form_id, visible=seen.rows)
    counted = [0]

    def rows() -> Iterator[list[str]]:
        yield names
        if hxl:
            yield hxl_row(names)
        after, done = "", 0
        while not seen.nothing:
            if cancelled is not None and cancelled():
                raise ExportCancelled()
            page = report_reads.form_records(vault, form_id, after=after, limit=PAGE, visible=seen.rows)
            if not page:
                break
            withheld = consent.reporting_refused(vault, [record_id for record_id, *_ in page])
            for record_id, content, created_at, created_by in page:
                if record_id in withheld:
                    continue  # consent to reporting refused or withdrawn: the person is not exported
                try:
                    values = _values(content, leaves, repeats)
                except ET.ParseError:
                    continue
                # a sealed P3 answer never leaves, even where an older form version did not mark it
                counted[0] += 1
                yield [record_id, created_at, created_by, *("" if is_sealed(v) else v for v in values)]
            done += len(page)
            after = page[-1][0]
            if progress is not None:
                progress(done, max(total, done))

    target = out.with_name(out.name + ".wpx")
    partial = target.with_name(target.name + ".partial")
    try:
        with open_private(partial) as handle, sealed_file.SealedWriter(handle, passphrase, name=out.name) as sealed:
            if suffix == ".csv":
                _write_csv(sealed, rows())
            else:
                xlsx_stream.write_xlsx(sealed, rows(), sheet="records")
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    # The check above recorded who was allowed; this records what left, once it is whole (as the CTDC export does).
    audit.note(vault, "records.export",
               detail=f"{counted[0]} record(s) of {form_id} written, {suffix[1:]}{' with HXL row' if hxl else ''}, "
                      "passphrase-protected")
    return ExportDone(target, counted[0], len(names))


class _Utf8:
    """What csv.writer writes to: text encoded as it comes, into the sealed stream."""

    def __init__(self, out: sealed_file.SealedWriter) -> None:
        self._out = out
        self._encoder = codecs.getincrementalencoder("utf-8")()

    def write(self, text: str) -> int:
        return self._out.write(self._encoder.encode(text))


def _write_csv(out: sealed_file.SealedWriter, rows: Iterator[list[str]]) -> None:
    writer = csv.writer(_Utf8(out))
    for row in rows:
        writer.writerow(row)


def exportable_forms(vault: Vault) -> list[tuple[str, str]]:
    """(form id, title) of the installed forms whose records the person may export (the export screen's list; the
    export checks again, recorded)."""
    actor = access.actor_of(vault)
    latest: dict[str, str] = {}
    for form in list_forms(vault):
        kind = access.kind_of_form(vault, form.form_id)
        if policy.widest_scope(actor, "export", policy.subject_of(kind)) is not None:
            latest[form.form_id] = form.title
    return sorted(latest.items())


def may_export_ctdc(vault: Vault) -> bool:
    """Whether the person may run the CTDC anonymised export (the right to export cases), for showing it."""
    return policy.widest_scope(access.actor_of(vault), "export", policy.subject_of(policy.CASE)) is not None


def open_export(path: Path, passphrase: str, *, out_dir: Path) -> Path:
    """Decrypt a `.wpx` export into `out_dir` (on a machine trusted with the data), as a stream. A wrong passphrase
    or a damaged file leaves nothing behind."""
    partial = out_dir / (path.name + ".opening")
    try:
        with path.open("rb") as source, open_private(partial) as target:  # the person in clear: owner only
            name = sealed_file.open_sealed_to(source, target, passphrase)
        final = out_dir / Path(name).name
        partial.replace(final)
        return final
    finally:
        partial.unlink(missing_ok=True)
