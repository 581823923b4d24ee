"""XLSForm → XForm conversion through pyxform, with problems located by sheet, row and column.

Form writers edit XLSForms (.xlsx, or .md / .csv for diff-friendly sources under git); the engine only reads
XForm XML. pyxform does the conversion, but its messages are uneven: some carry a sheet/row/column context, some
only "[row : N]" in the text, some nothing at all ("Unknown question type 'integr'."), and a missing translation
silently becomes "-". This module turns all of that into `FormProblem`s that name where to look, including the
line of the .md/.csv file, so a form writer can fix the form without reading a traceback.

Pure: no database, no Qt, no network. pyxform's own validators (Java) are never run.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from pyxform.errors import PyXFormError
from pyxform.xls2xform import convert

XLSFORM_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".md", ".csv")
XFORM_SUFFIXES = (".xml",)

_XF = "http://www.w3.org/2002/xforms"
_H = "http://www.w3.org/1999/xhtml"

_ROW_IN_TEXT = re.compile(r"\[row\s*:\s*(\d+)\]")
_SHEET_COLUMN_IN_TEXT = re.compile(r"On the '([^']+)' sheet, the '([^']+)' value")
_QUOTED = re.compile(r"'([^']+)'")
_MISSING_LANGUAGE_COLUMN = re.compile(r"Language '([^']+)' is missing the (\w+) (\w+) column")


@dataclass(frozen=True)
class FormProblem:
    """One thing wrong in a form, located as precisely as the source allows."""

    message: str
    sheet: str | None = None
    row: int | None = None  # spreadsheet row: the header is row 1
    column: str | None = None
    line: int | None = None  # line in the .md / .csv file, when the source is text

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(f"sheet '{self.sheet}'")
        if self.row:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        if self.line:
            where.append(f"line {self.line}")
        message = _ROW_IN_TEXT.sub("", self.message).strip()
        return f"{', '.join(where)}: {message}" if where else message


class XLSFormError(ValueError):
    """The XLSForm cannot be converted; `problems` says where and why."""

    def __init__(self, source_name: str, problems: list[FormProblem]):
        self.source_name = source_name
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{source_name}: the form cannot be converted:\n{lines}")


@dataclass(frozen=True)
class XFormHeader:
    """What identifies a form: read from the XForm itself, so XLSForms and downloaded XForms are treated alike."""

    form_id: str
    version: str
    title: str
    languages: tuple[str, ...]
    default_language: str | None


@dataclass(frozen=True)
class ConvertedForm:
    xform: str
    header: XFormHeader
    warnings: tuple[FormProblem, ...] = field(default_factory=tuple)


@dataclass
class _Workbook:
    """Rows of each sheet as pyxform sees them, plus where each row sits in the source file."""

    rows: dict[str, list[dict[str, str]]]
    lines: dict[str, list[int | None]]  # sheet -> line of header, then of each data row

    def line_of(self, sheet: str, row: int | None) -> int | None:
        if row is None or sheet not in self.lines:
            return None
        index = row - 1
        lines = self.lines[sheet]
        return lines[index] if 0 <= index < len(lines) else None


def convert_xlsform(source: Path | bytes | str, *, file_type: str | None = None,
                    source_name: str | None = None) -> ConvertedForm:
    """Convert an XLSForm (path, or bytes/str content with `file_type` such as ".md") to XForm XML.

    Raises XLSFormError with located problems. pyxform warnings and missing translations come back as `warnings`.
    """
    if isinstance(source, Path):
        suffix = source.suffix.lower()
        if suffix not in XLSFORM_SUFFIXES:
            raise XLSFormError(source.name, [FormProblem(
                f"'{suffix or source.name}' is not an XLSForm; expected one of {', '.join(XLSFORM_SUFFIXES)}")])
        name = source_name or source.name
        data = source.read_bytes()
        file_type = suffix
        stem = source.stem
    else:
        if file_type is None or file_type.lower() not in XLSFORM_SUFFIXES:
            raise XLSFormError(source_name or "form", [FormProblem(
                f"unknown XLSForm file type {file_type!r}; expected one of {', '.join(XLSFORM_SUFFIXES)}")])
        file_type = file_type.lower()
        data = source.encode("utf-8") if isinstance(source, str) else source
        name = source_name or f"form{file_type}"
        stem = Path(name).stem

    workbook = _read_workbook(data, file_type=file_type, name=name)
    warnings: list[str] = []
    try:
        # a path lets pyxform fall back to the file name when the settings sheet has no form_id (as Kobo does)
        result = convert(xlsform=source if isinstance(source, Path) else io.BytesIO(data), file_type=file_type,
                         form_name=None, warnings=warnings)
    except PyXFormError as error:
        raise XLSFormError(name, [_locate(error, workbook)]) from error
    except (KeyError, IndexError, TypeError, ValueError) as error:
        # pyxform reached a state its own checks did not anticipate; say so rather than show its traceback
        raise XLSFormError(name, [FormProblem(f"pyxform could not read the form ({type(error).__name__}: {error})")]
                           ) from error
    xform = result.xform
    header = read_xform_header(xform, fallback_id=stem)
    located = [_locate_warning(w, workbook) for w in warnings]
    located += translation_gaps(xform, workbook=workbook)
    return ConvertedForm(xform=xform, header=header, warnings=tuple(located))


def read_xform_header(xform: str, *, fallback_id: str | None = None) -> XFormHeader:
    """Form id, version, title and languages of an XForm (raises ValueError if it is not an XForm)."""
    try:
        root = ET.fromstring(xform.encode("utf-8") if isinstance(xform, str) else xform)
    except ET.ParseError as error:
        raise ValueError(f"not well-formed XML: {error}") from error
    head = root.find(f"{{{_H}}}head")
    model = head.find(f"{{{_XF}}}model") if head is not None else None
    if root.tag != f"{{{_H}}}html" or model is None:
        raise ValueError("not an XForm: expected <h:html> with <h:head><model>")
    primary = model.find(f"{{{_XF}}}instance")
    data = next(iter(primary), None) if primary is not None else None
    if data is None:
        raise ValueError("not an XForm: the model has no primary instance")
    form_id = data.get("id") or fallback_id
    if not form_id:
        raise ValueError("the XForm's primary instance has no id attribute")
    title_el = head.find(f"{{{_H}}}title")
    languages, default = [], None
    itext = model.find(f"{{{_XF}}}itext")
    for translation in (itext.findall(f"{{{_XF}}}translation") if itext is not None else []):
        lang = translation.get("lang", "")
        languages.append(lang)
        if default is None and translation.get("default") is not None:  # any default attribute (JavaRosa)
            default = lang
    return XFormHeader(form_id=form_id, version=data.get("version") or "", languages=tuple(languages),
                       title=(title_el.text or "").strip() if title_el is not None else form_id,
                       default_language=default or (languages[0] if languages else None))


# the start tag of the primary instance's root: the first element after the model's first <instance>
_INSTANCE_ROOT = re.compile(r"<(?:[\w.-]+:)?instance\b[^>]*?(?<!/)>(?:\s|<!--.*?-->)*"
                            r"<(?P<name>[\w.:-]+)(?P<attrs>(?:\s+[\w.:-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(?P<end>/?>)",
                            re.S)
_VERSION_ATTR = re.compile(r"(\s)version\s*=\s*(?:\"[^\"]*\"|'[^']*')")


def content_version(xform: str) -> str:
    """The version a form without one is given: derived from its content (as ODK Central and Collect
    tell form definitions apart by their hash), so installing the same file twice is the same version
    and any change makes a new one."""
    return "sha256-" + hashlib.sha256(xform.encode("utf-8")).hexdigest()[:12]


def with_version(xform: str, version: str) -> str:
    """The XForm with `version` set on its primary instance, every other byte unchanged (ODK Central's
    setVersion splices the attribute into the XML the same way)."""
    match = _INSTANCE_ROOT.search(xform)
    if match is None:
        raise ValueError("not an XForm: the model has no primary instance")
    attrs = match.group("attrs")
    quoted = xml_escape(version, {'"': "&quot;"})
    if _VERSION_ATTR.search(attrs):
        attrs = _VERSION_ATTR.sub(lambda m: f'{m.group(1)}version="{quoted}"', attrs, count=1)
    else:
        attrs += f' version="{quoted}"'
    start, end = match.span("attrs")
    return xform[:start] + attrs + xform[end:]


def translation_gaps(xform: str, *, workbook: _Workbook | None = None) -> list[FormProblem]:
    """Texts present in one language but empty or '-' in another (pyxform fills gaps with '-' silently)."""
    root = ET.fromstring(xform.encode("utf-8"))
    itext = root.find(f"{{{_H}}}head/{{{_XF}}}model/{{{_XF}}}itext")
    if itext is None:
        return []
    texts: dict[str, dict[str, str]] = {}
    for translation in itext.findall(f"{{{_XF}}}translation"):
        lang = translation.get("lang", "")
        for text in translation.findall(f"{{{_XF}}}text"):
            value = "".join("".join(v.itertext()) for v in text.findall(f"{{{_XF}}}value")).strip()
            texts.setdefault(text.get("id", ""), {})[lang] = value
    languages = [t.get("lang", "") for t in itext.findall(f"{{{_XF}}}translation")]
    problems = []
    for text_id, by_lang in texts.items():
        present = [lang for lang in languages if by_lang.get(lang) not in (None, "", "-")]
        if not present:
            continue
        for lang in languages:
            if lang not in present:
                problems.append(_locate_text_id(text_id, lang, workbook))
    return problems


def read_settings(path: Path) -> dict[str, str]:
    """The settings row of a text XLSForm (.md/.csv) without converting it; {} for other files or no settings."""
    suffix = path.suffix.lower()
    if suffix not in (".md", ".csv"):
        return {}
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    try:
        workbook = _read_md(text, path.name) if suffix == ".md" else _read_csv(text)
    except XLSFormError:
        return {}
    rows = workbook.rows.get("settings") or [{}]
    return dict(rows[0])


# --- locating pyxform's messages -------------------------------------------------------------------------------

def _locate(error: PyXFormError, workbook: _Workbook | None) -> FormProblem:
    message = str(error)
    context = getattr(error, "context", None) or {}
    sheet, row, column = context.get("sheet"), context.get("row"), context.get("column")
    if row is None and (match := _ROW_IN_TEXT.search(message)):
        row = int(match.group(1))
    if sheet is None and (match := _SHEET_COLUMN_IN_TEXT.search(message)):
        sheet, column = match.group(1), column or match.group(2)
    if row is not None and sheet is None:
        sheet = "survey" if "choice" not in message.lower() or "choices sheet:" in message else "choices"
        if "List name not in choices sheet" in message:
            sheet, column = "survey", "type"
    if row is None and workbook is not None:
        sheet, row, column = _search_quoted(message, workbook) or (sheet, row, column)
    line = workbook.line_of(sheet, row) if (workbook and sheet) else None
    return FormProblem(message=message, sheet=sheet, row=row, column=column, line=line)


def _locate_warning(text: str, workbook: _Workbook) -> FormProblem:
    if match := _MISSING_LANGUAGE_COLUMN.search(text):
        language, sheet, column = match.groups()
        return FormProblem(text, sheet=sheet, row=1, column=f"{column}::{language}", line=workbook.line_of(sheet, 1))
    row = int(m.group(1)) if (m := _ROW_IN_TEXT.search(text)) else None
    sheet, column = (m.group(1), m.group(2)) if (m := _SHEET_COLUMN_IN_TEXT.search(text)) else ("survey", None)
    return FormProblem(text, sheet=sheet if row else None, row=row, column=column,
                       line=workbook.line_of(sheet, row) if row else None)


def _search_quoted(message: str, workbook: _Workbook) -> tuple[str, int, str] | None:
    """Find the first cell holding a value the message quotes (for messages pyxform gives without a row)."""
    quoted = _QUOTED.findall(message)
    for value in quoted:
        for sheet in ("survey", "choices", "settings"):
            for index, row in enumerate(workbook.rows.get(sheet, [])):
                for column, cell in row.items():
                    cell = str(cell).strip()
                    if cell == value or (column == "type" and cell.split(" ")[0] == value):
                        return sheet, index + 2, column
    return None


def _locate_text_id(text_id: str, language: str, workbook: _Workbook | None) -> FormProblem:
    # ids look like "/data/group/name:label", "/data/name:jr:constraintMsg" or "list-3" for choice labels
    if ":" in text_id and text_id.startswith("/"):
        path, kind = text_id.split(":", 1)
        name = path.rsplit("/", 1)[-1]
        column = {"label": "label", "hint": "hint", "jr:constraintMsg": "constraint_message",
                  "jr:requiredMsg": "required_message"}.get(kind, kind)
        column = f"{column}::{language}"
        message = f"'{name}' has no {column.split('::')[0]} in {language}"
        row = _row_of(workbook, "survey", lambda r: r.get("name") == name)
        return FormProblem(message, sheet="survey", row=row, column=column,
                           line=workbook.line_of("survey", row) if workbook else None)
    list_name, _, index = text_id.rpartition("-")
    message = f"choice {int(index) + 1 if index.isdigit() else index} of list '{list_name}' has no label in {language}"
    row = None
    if workbook is not None and index.isdigit():
        rows = [i for i, r in enumerate(workbook.rows.get("choices", [])) if r.get("list_name") == list_name]
        row = rows[int(index)] + 2 if int(index) < len(rows) else None
        if row is not None:
            message = f"choice '{workbook.rows['choices'][row - 2].get('name')}' of list '{list_name}' " \
                      f"has no label in {language}"
    return FormProblem(message, sheet="choices", row=row, column=f"label::{language}",
                       line=workbook.line_of("choices", row) if workbook else None)


def _row_of(workbook: _Workbook | None, sheet: str, test) -> int | None:
    if workbook is None:
        return None
    for index, row in enumerate(workbook.rows.get(sheet, [])):
        if test(row):
            return index + 2
    return None


# --- reading the workbook ourselves, to map rows to lines and catch malformed tables -----------------------------

def _read_workbook(data: bytes, *, file_type: str, name: str) -> _Workbook:
    if file_type == ".md":
        return _read_md(data.decode("utf-8", errors="replace"), name)
    if file_type == ".csv":
        return _read_csv(data.decode("utf-8-sig", errors="replace"))
    return _read_spreadsheet(data, file_type=file_type, name=name)


_MD_COMMENT = re.compile(r"^\s*#")
_MD_COMMENT_INLINE = re.compile(r"^(.*)(#[^|]+)$")
_MD_CELL = re.compile(r"\s*\|(.*)\|\s*")
_MD_SEPARATOR = re.compile(r"^[\|-]+$")
_MD_PIPE = re.compile(r"(?<!\\)\|")


def _read_md(text: str, name: str) -> _Workbook:
    """Same table rules as pyxform's markdown reader, keeping line numbers and checking row widths."""
    rows: dict[str, list[dict[str, str]]] = {}
    lines: dict[str, list[int | None]] = {}
    headers: dict[str, list[str]] = {}
    sheet = None
    problems = []
    for number, line in enumerate(text.split("\n"), start=1):
        if _MD_COMMENT.match(line):
            continue
        if match := _MD_COMMENT_INLINE.match(line):
            line = match.group(1)
        match = _MD_CELL.match(line)
        if not match or _MD_SEPARATOR.match(match.group(1)):
            continue
        cells = [c.strip() for c in _MD_PIPE.split(match.group(1))]
        first, rest = cells[0], cells[1:]
        if first:
            sheet = first.lower()
            rows.setdefault(sheet, [])
            lines.setdefault(sheet, [])
        if sheet is None or not any(rest):
            continue
        if sheet not in headers:
            headers[sheet] = rest
            lines[sheet].append(number)
            continue
        header = headers[sheet]
        while rest and not rest[-1] and len(rest) > len(header):
            rest.pop()
        if len(rest) > len(header):
            problems.append(FormProblem(
                f"this row has {len(rest)} cells but the header has {len(header)} columns",
                sheet=sheet, row=len(lines[sheet]) + 1, column=f"{len(header) + 1} (no header)", line=number))
        rows[sheet].append({h: c for h, c in zip(header, rest, strict=False) if c})
        lines[sheet].append(number)
    if problems:
        raise XLSFormError(name, problems)
    return _Workbook(rows=rows, lines=lines)


def _read_csv(text: str) -> _Workbook:
    rows: dict[str, list[dict[str, str]]] = {}
    lines: dict[str, list[int | None]] = {}
    headers: dict[str, list[str]] = {}
    sheet = None
    reader = csv.reader(io.StringIO(text, newline=""))
    for record in reader:
        if not record:
            continue
        if record[0].strip():
            sheet = record[0].strip().lower()
            rows.setdefault(sheet, [])
            lines.setdefault(sheet, [])
        content = [c.strip() for c in record[1:]]
        if sheet is None or not any(content):
            continue
        if sheet not in headers:
            headers[sheet] = content
        else:
            rows[sheet].append({h: c for h, c in zip(headers[sheet], content, strict=False) if c})
        lines[sheet].append(reader.line_num)
    return _Workbook(rows=rows, lines=lines)


def _read_spreadsheet(data: bytes, *, file_type: str, name: str) -> _Workbook:
    from pyxform.xls2json_backends import get_xlsform

    try:
        book = get_xlsform(xlsform=io.BytesIO(data), file_type=file_type)
    except PyXFormError as error:
        raise XLSFormError(name, [FormProblem(f"the workbook cannot be read: {error}")]) from error
    rows = {}
    for sheet in ("survey", "choices", "settings", "external_choices", "entities"):
        value = getattr(book, sheet, None) or []
        rows[sheet] = [dict(r) for r in value if isinstance(r, dict)]
    return _Workbook(rows=rows, lines={})
