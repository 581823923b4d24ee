"""Importing answers exported by KoboToolbox (CSV or JSON lines) as finalized records: all rows or none.

Columns are the XLSForm field names with group paths joined by '/' as Kobo writes them ("identity/sex"); a bare
name is accepted when it is unique in the form. select_multiple answers are space-separated; Kobo's extra
one-column-per-option columns ("languages/ha") and its own bookkeeping columns ("_id", "_uuid", ...) are
ignored. In JSON lines a repeat is a list of objects. Every row is answered through the engine, so types,
choices, constraints, required answers and relevance are checked exactly as on screen; then the consent gate
and extraction apply as for any record. If any row has an error, nothing is saved and every error is listed.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.records import casefile
from desktop_app.records.form_store import get_form_xform, latest_form
from desktop_app.records.schema import form_schema, parse_instance, value_at
from desktop_app.records.store import (
    PreparedRecord,
    RecordError,
    names_no_one,
    prepare_record,
    save_new_records,
)
from desktop_app.vault.registrations import get_registration
from desktop_app.vault.vault import Vault
from waypoint_core.xform import AnswerError, FormDefinition, FormSession

IGNORED_COLUMNS = frozenset({"formhub/uuid", "meta/rootUuid", "meta/deprecatedID", "meta/instanceName",
                             "__version__", "instanceID"})
ID_COLUMNS = ("meta/instanceID", "_uuid")


@dataclass(frozen=True)
class RowError:
    row: int  # CSV: spreadsheet row (header = 1); JSON lines: line number
    field: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.field or '(row)'}: {self.message}"


@dataclass
class ImportReport:
    form_id: str
    form_version: str
    rows: int = 0
    imported: list[str] = field(default_factory=list)  # record ids, only when there is no error
    errors: list[RowError] = field(default_factory=list)
    withheld: int = 0  # rows whose personal data the consent gate blanked

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportFileError(ValueError):
    """The file itself cannot be read (not CSV/JSON lines, not UTF-8...)."""


def read_rows(path: Path) -> list[tuple[int, dict]]:
    """(row number, {column: value}) from a Kobo CSV (',' or ';' separated) or JSON lines (.json/.jsonl)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(f"{path.name} is not UTF-8 text") from error
    if path.suffix.lower() in (".json", ".jsonl", ".ndjson"):
        rows = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as error:
                raise ImportFileError(f"{path.name}, line {number}: not JSON ({error.msg})") from error
            if not isinstance(value, dict):
                raise ImportFileError(f"{path.name}, line {number}: expected one JSON object per line")
            rows.append((number, value))
        return rows
    if path.suffix.lower() != ".csv":
        raise ImportFileError(f"{path.name}: expected a .csv or .jsonl file as exported by KoboToolbox")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        raise ImportFileError(f"{path.name} is empty")
    header = [h.strip() for h in header]
    rows = []
    for record in reader:
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > len(header):
            raise ImportFileError(f"{path.name}, row {reader.line_num}: more cells than the header has columns")
        rows.append((reader.line_num, dict(zip(header, record, strict=False))))
    return rows


class _FormColumns:
    """Maps export columns to engine refs for one form."""

    def __init__(self, definition: FormDefinition):
        self.definition = definition
        self.root = definition.template.name
        self.leaves: dict[str, str] = {}  # path without root -> generic path
        self.by_name: dict[str, list[str]] = {}
        for node in definition.template.iter():
            if node.children or node.gpath == f"/{self.root}":
                continue
            rel = node.gpath.removeprefix(f"/{self.root}/")
            self.leaves[rel] = node.gpath
            self.by_name.setdefault(rel.rsplit("/", 1)[-1], []).append(rel)
        self.repeats = {g.removeprefix(f"/{self.root}/") for g in definition.repeats}

    def resolve(self, column: str) -> str | None:
        column = column.strip().strip("/")
        if column in self.leaves or column in self.repeats:
            return column
        if "/" not in column and len(self.by_name.get(column, [])) == 1:
            return self.by_name[column][0]
        return None

    def is_option_column(self, column: str) -> bool:
        """Kobo's one-column-per-option of a select_multiple: 'group/question/option'."""
        parent = column.strip().strip("/").rpartition("/")[0]
        target = self.resolve(parent) if parent else None
        control = self.definition.controls.get(self.leaves.get(target or "", ""))
        return control is not None and control.kind == "select"

    def computed(self, rel: str) -> bool:
        bind = self.definition.binds.get(self.leaves.get(rel, ""))
        return bind is not None and (bind.calculate is not None or bind.preload is not None)

    def in_repeat(self, rel: str) -> str | None:
        return next((r for r in sorted(self.repeats, key=len, reverse=True) if rel.startswith(r + "/")), None)


def import_file(vault: Vault, *, form_id: str, path: Path, version: str | None = None,
                language: str | None = None) -> ImportReport:
    """Validate every row, then save all of them in one transaction (with outbox rows), or none."""
    version = version or latest_form(vault, form_id).version
    xform = get_form_xform(vault, form_id, version)
    definition = FormDefinition.from_xml(xform)
    schema = form_schema(xform)
    columns = _FormColumns(definition)
    language = language if language in definition.translations else \
        next((lang for lang in definition.translations if "(en)" in lang), definition.default_language)
    report = ImportReport(form_id=form_id, form_version=version)
    rows = read_rows(path)
    report.rows = len(rows)
    prepared: list[tuple[str, PreparedRecord]] = []
    seen_ids: dict[str, int] = {}
    header_checked = path.suffix.lower() == ".csv"
    if header_checked and rows:
        # a CSV's columns are the same on every row: name an unknown one once, on the header row
        for column in rows[0][1]:
            if _unknown(columns, column):
                report.errors.append(RowError(1, column.strip(), "no question of this name in the form"))
    for number, row in rows:
        errors_before = len(report.errors)
        result = _import_row(number, row, definition=definition, columns=columns, language=language,
                             errors=report.errors, header_checked=header_checked)
        if result is None or len(report.errors) > errors_before:
            continue
        content, record_id = result
        if record_id in seen_ids:
            report.errors.append(RowError(number, "meta/instanceID", f"same record as row {seen_ids[record_id]}"))
            continue
        seen_ids[record_id] = number
        if get_registration(vault, record_id) is not None:
            report.errors.append(RowError(number, "meta/instanceID", "this record is already in the vault"))
            continue
        try:
            record = prepare_record(schema, form_id=form_id, form_version=version, content=content)
        except RecordError as error:
            report.errors.append(RowError(number, "", str(error)))
            continue
        unknown = names_no_one(vault, record)
        if unknown is not None:
            column = next((c for c in row if c.strip().rsplit("/", 1)[-1] == casefile.PERSON_REF), casefile.PERSON_REF)
            report.errors.append(RowError(number, column.strip(), unknown))
            continue
        report.withheld += int(record.personal_data_withheld)
        prepared.append((record_id, record))
    if not report.errors:
        report.imported = save_new_records(vault, prepared, status="finalized")
    return report


def _import_row(number: int, row: dict, *, definition: FormDefinition, columns: _FormColumns,
                language: str | None, errors: list[RowError], header_checked: bool) -> tuple[str, str] | None:
    session = FormSession(definition, language=language)
    errors_at_start = len(errors)
    root = f"/{columns.root}"
    answered: list[str] = []
    record_id = None
    for column, raw in row.items():
        column = column.strip()
        if column in ID_COLUMNS and _text(raw):
            record_id = record_id or _record_id(_text(raw))
            if record_id is None:
                errors.append(RowError(number, column, f"not a UUID: {_text(raw)!r}"))
            continue
        if not column or column.startswith("_") or column in IGNORED_COLUMNS:
            continue
        rel = columns.resolve(column)
        if rel is None:
            if not header_checked and not columns.is_option_column(column):
                errors.append(RowError(number, column, "no question of this name in the form"))
            continue
        if rel in columns.repeats:
            _answer_repeat(session, number, rel, raw, columns=columns, errors=errors, answered=answered)
            continue
        if columns.in_repeat(rel):
            if _text(raw):
                errors.append(RowError(number, column, "a question inside a repeat: use JSON lines for repeats"))
            continue
        if columns.computed(rel):
            continue  # calculations and metadata are recomputed by the engine
        value = _text(raw)
        if value == "":
            continue
        try:
            session.answer(f"{root}/{rel}", value)
        except AnswerError as error:
            errors.append(RowError(number, rel, _message(error)))
            continue
        answered.append(f"{root}/{rel}")
    # drop the blank instance the form starts with in repeats the row did not fill
    for rel in columns.repeats:
        if columns.in_repeat(rel) is None and not any(r.startswith(f"{root}/{rel}[") for r in answered):
            _resize_repeat(session, f"{root}/{rel}", 0)
    for ref in answered:
        if not session.node(ref).relevant:
            errors.append(RowError(number, _plain(ref, root), "answered, but the form does not ask this question "
                                   "here (not relevant), so the answer would be lost"))
    already = {e.field for e in errors[errors_at_start:]}
    for issue in session.validate():
        if _plain(issue.ref, root) not in already:  # the refused answer already explains this one
            errors.append(RowError(number, _plain(issue.ref, root), issue.message))
    content = session.to_instance_xml()
    instance = parse_instance(content)
    engine_id = _record_id(value_at(instance, "meta/instanceID") or "")
    record_id = record_id or engine_id or str(uuid.uuid4())
    if engine_id != record_id:
        content = content.replace(f"uuid:{engine_id}", f"uuid:{record_id}", 1) if engine_id else content
    return content, record_id


def _answer_repeat(session: FormSession, number: int, rel: str, raw, *, columns: _FormColumns,
                   errors: list[RowError], answered: list[str]) -> None:
    root = f"/{columns.root}"
    if isinstance(raw, str) and not raw.strip():
        return
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        errors.append(RowError(number, rel, "a repeat must be a list of objects (JSON lines)"))
        return
    _resize_repeat(session, f"{root}/{rel}", len(raw))
    for index, item in enumerate(raw, start=1):
        for key, value in item.items():
            child = key.strip().strip("/").removeprefix(rel + "/")
            if key.startswith("_"):
                continue
            full = f"{rel}/{child}"
            if full not in columns.leaves:
                errors.append(RowError(number, f"{rel}[{index}]/{child}", "no question of this name in the repeat"))
                continue
            if columns.computed(full) or _text(value) == "":
                continue
            ref = f"{root}/{rel}[{index}]/{child}"
            try:
                session.answer(ref, _text(value))
            except AnswerError as error:
                errors.append(RowError(number, f"{rel}[{index}]/{child}", _message(error)))
                continue
            answered.append(ref)


def _resize_repeat(session: FormSession, ref: str, wanted: int) -> None:
    parent_ref, _, name = ref.rpartition("/")
    parent = session.node(parent_ref)
    while len(parent.kids.get(name, ())) < wanted:
        session.add_repeat(ref)
    while len(parent.kids.get(name, ())) > wanted:
        session.remove_repeat(f"{ref}[{len(parent.kids[name])}]")


def _unknown(columns: _FormColumns, column: str) -> bool:
    column = column.strip()
    if not column or column.startswith("_") or column in IGNORED_COLUMNS or column in ID_COLUMNS:
        return False
    return columns.resolve(column) is None and not columns.is_option_column(column)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(_text(v) for v in value)
    return str(value).strip()


def _record_id(value: str) -> str | None:
    try:
        return str(uuid.UUID(value.removeprefix("uuid:")))
    except ValueError:
        return None


def _message(error: AnswerError) -> str:
    return str(error).split(" — question ")[0]


def _plain(ref: str, root: str) -> str:
    return ref.removeprefix(root + "/")
