"""Choices from a form's CSV attachments, as ODK Collect computes them: search() appearances and external
selects (`<input query="...">`, XLSForm's select_one_external).

search('fruits'[, type, columns, value[, filter column, filter value]]) in a select's appearance (Collect's
ExternalDataHandlerSearch): the select's inline items are a configuration, not choices. An item whose value
is not a whole number names the column giving each choice's value, its label the column(s) giving the label
(comma separated; with more than one: "v1 (col2: v2) (col3: v3)"), its image the column of an image; an item
whose value is a whole number stays a choice where it stands. The rows of fruits.csv are kept when any of the
searched columns is LIKE the value (contains / matches / startsWith / endsWith, ASCII case ignored, % and _
wildcards) and the filter column equals the filter value (ASCII case ignored), in the order of a `sortby`
column if the file has one, else the file's; a value seen twice is offered once. Column names are compared
as Collect's SQLite table names them (trimmed, lower case, other than letters, digits and _ turned to _).

`<input query="instance('cities')/root/item[state= /data/state and county= /data/county]">` (Collect's
ItemsetDao): a select one from the rows of the form's `itemsets.csv` whose `list_name` is the instance name
and whose columns equal the values (case counts; an expression reading an int or decimal gives Java's number
text, "1.0"; ` and ` binds tighter than ` or `, as in SQL), in file order, labelled by `label::<language>` or
`label`, valued by `name`.

The CSV files are read from the form's media folder, or from the form itself once installed
(`<wp:attachment>` elements in its model, media.embed_external_instances).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from waypoint_core.xform.errors import FormError, XPathEvalError, XPathSyntaxError
from waypoint_core.xform.xpath_eval import Expr, compile_ast, compile_xpath, to_string
from waypoint_core.xform.xpath_eval import java_double
from waypoint_core.xform.xpath_parse import parse_xpath

ITEMSETS_FILE = "itemsets.csv"
_SEARCH_CALL = re.compile(r"search\(.+\)")  # Collect's ExternalDataUtil.SEARCH_FUNCTION_REGEX
_SEARCH_TYPES = {"contains": ("%", "%"), "matches": ("", ""), "startswith": ("", "%"), "endswith": ("%", "")}
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


@dataclass
class Search:
    """A search() appearance: the file (without .csv, lower case) and its compiled arguments."""

    file: str
    args: list[Expr]  # 1, 4 or 6: file, type, columns, value, filter column, filter value

    @property
    def file_name(self) -> str:
        return self.file + ".csv"


@dataclass
class Condition:
    column: str
    value: Expr
    connector: str  # "and" | "or": how this condition joins the ones before it


@dataclass
class ExternalQuery:
    """An `<input query=...>`: rows of itemsets.csv of one list, filtered by column = value conditions."""

    list_name: str
    conditions: list[Condition] = field(default_factory=list)


@dataclass
class Table:
    """A CSV attachment: its header as written, and rows as {column: value} (values as written)."""

    columns: list[str]
    rows: list[dict[str, str]]


def safe_column(name: str) -> str:
    """Collect's ExternalDataUtil.toSafeColumnName (without its "c_" prefix)."""
    return re.sub(r"[^A-Za-z0-9_]", "_", name.strip()).translate(_ASCII_LOWER)


def read_table(data: bytes, name: str) -> Table:
    """A CSV attachment read as Collect reads it into SQLite: headers trimmed, values kept as written, rows with no
    data skipped, short rows padded."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormError(f"the attachment {name} is not UTF-8 text") from exc
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        raise FormError(f"the attachment {name} has no header row")
    columns = [h.strip() for h in header]
    rows = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        row = row + [""] * (len(columns) - len(row))
        rows.append({c: v for c, v in zip(columns, row) if c})
    return Table(columns, rows)


def search_call(appearance: str | None) -> tuple[str, list[Any]] | None:
    """(file name as written, argument ASTs) of a search(...) in an appearance, or None. Raises FormError for a
    search() Collect refuses (wrong arguments, a file name that is not text)."""
    match = _SEARCH_CALL.search((appearance or "").strip())
    if match is None:
        return None
    try:
        ast = parse_xpath(match.group(0))
    except XPathSyntaxError as exc:
        raise FormError(f"the appearance {match.group(0)!r} is not a search() call Collect can read") from exc
    if ast[0] != "call" or ast[1].lower() != "search":
        raise FormError(f"the appearance {match.group(0)!r} is not a search() call Collect can read")
    if len(ast[2]) not in (1, 4, 6):
        raise FormError(f"{match.group(0)}: search() takes 1, 4 or 6 arguments")
    if ast[2][0][0] != "str":
        raise FormError(f"{match.group(0)}: search()'s first argument must be the file's name, in quotes")
    return ast[2][0][1], list(ast[2])


def parse_search(appearance: str | None) -> Search | None:
    """The Search of an appearance (its arguments compiled), or None when it has no search()."""
    found = search_call(appearance)
    if found is None:
        return None
    name, args = found
    file = name.lower()  # Collect's ExternalDataHandlerBase.normalize
    file = file[:-4] if file.endswith(".csv") else file
    text = (appearance or "").strip()
    try:
        return Search(file, [compile_ast(arg, text) for arg in args])
    except XPathEvalError as exc:
        raise FormError(f"{text}: {exc.reason}") from exc


def parse_query(query: str, ref: str) -> ExternalQuery:
    """An `<input query>` read the way Collect's ItemsetDao splits it (list name between the quotes, conditions
    between the brackets, split at " and " / " or ", each `column = expression`)."""
    if query.count("'") < 2:
        raise FormError("an external select's query must be instance('list')/root/item[...]", ref=ref,
                        expression=query)
    list_name = query[query.index("'") + 1:query.rindex("'")]
    spec = ExternalQuery(list_name)
    inside = query[query.index("[") + 1:query.rindex("]")] if "[" in query and "]" in query else ""
    connector = "and"
    while True:
        and_at, or_at = inside.find(" and "), inside.find(" or ")
        if and_at == -1 and or_at == -1:
            _condition(spec, inside, connector, ref, query)
            return spec
        # Collect takes " and " first whenever there is one left
        at, width, nxt = (and_at, 5, "and") if and_at != -1 else (or_at, 4, "or")
        _condition(spec, inside[:at], connector, ref, query)
        inside, connector = inside[at + width:], nxt


def _condition(spec: ExternalQuery, text: str, connector: str, ref: str, query: str) -> None:
    pair = text.split("=")
    if len(pair) != 2:
        return  # Collect skips what is not `column = value`
    try:
        value = compile_xpath(pair[1].strip())
    except (XPathSyntaxError, XPathEvalError) as exc:
        raise FormError(f"an external select's condition cannot be read: {exc.reason}", ref=ref,
                        expression=query) from exc
    spec.conditions.append(Condition(pair[0].strip(), value, connector))


# ---- choices ------------------------------------------------------------------------------------

@dataclass
class Config:
    """An inline item of a search() select: a choice (whole-number value) or the columns to read."""

    value: str
    label: str  # in the current language: the display column(s) for a configuration item
    image: str  # the image column (without jr://images/), or ""


def _like(text: str, pattern: str) -> bool:
    """SQLite's LIKE: % any run, _ one character, ASCII letters in either case."""
    regex = "".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch.translate(_ASCII_LOWER))
                    for ch in pattern)
    return re.fullmatch(regex, text.translate(_ASCII_LOWER), re.S) is not None


def _split_columns(text: str) -> list[str]:
    """Collect's splitTrimmed: by commas, or by spaces when there is no comma."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) == 1 and " " in text:
        parts = [p.strip() for p in text.split(" ") if p.strip()]
    return parts


def search_choices(search: Search, table: Table, configs: list[Config], args: list[Any],
                   name: str) -> list[tuple[str, str, str]]:
    """(value, label, image) of the choices, given the evaluated search() arguments."""
    by_safe = {safe_column(c): c for c in table.columns if c}

    def column(wanted: str) -> str:
        found = by_safe.get(safe_column(wanted))
        if found is None:
            raise XPathEvalError(f"search(): the file {name} has no column {wanted!r}")
        return found

    texts = [to_string(a) for a in args]
    rows = table.rows
    if len(texts) >= 4 and texts[2].strip():
        before, after = _SEARCH_TYPES.get(texts[1].strip().lower(), _SEARCH_TYPES["contains"])
        pattern = before + texts[3] + after
        queried = [column(c) for c in _split_columns(texts[2])]
        rows = [r for r in rows if any(_like(r.get(c, ""), pattern) for c in queried)]
    if len(texts) == 6:
        filter_column, wanted = column(texts[4]), texts[5].translate(_ASCII_LOWER)
        rows = [r for r in rows if r.get(filter_column, "").translate(_ASCII_LOWER) == wanted]
    sort = by_safe.get("sortby")
    if sort is not None:
        rows = sorted(rows, key=lambda r: _sort_key(r.get(sort, ""), name))
    out: list[tuple[str, str, str]] = []
    for config in configs:
        if _is_integer(config.value):
            out.append((config.value, config.label, config.image))
            continue
        value_column = column(config.value)
        # a LinkedHashMap keyed by safe names: the value column first, a repeated column once
        shown: dict[str, str] = {safe_column(config.value): config.value}
        for part in _split_columns(config.label):
            shown[safe_column(part)] = part  # a LinkedHashMap.put: a repeated column keeps its place
        label_columns = [(column(written), written) for written in list(shown.values())[1:]]
        image_column = column(config.image) if config.image.strip() else None
        seen: set[str] = set()
        for row in rows:
            value = row.get(value_column, "")
            if value in seen:
                continue
            seen.add(value)
            parts = []
            for position, (source, written) in enumerate(label_columns):
                cell = row.get(source, "")
                parts.append(cell if position == 0 else f"({written}: {cell})")
            label = " ".join(parts)
            image = row.get(image_column, "").strip() if image_column else ""
            out.append((value, label if label.strip() else value, image))
    return out


def _sort_key(text: str, name: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise XPathEvalError(f"search(): the sortby column of {name} must hold numbers, not {text!r}") from None


def _is_integer(text: str) -> bool:
    try:
        int(text.strip())
    except ValueError:
        return False
    return -2**31 <= int(text.strip()) < 2**31


def query_value(result: Any) -> str:
    """A condition's value as Collect passes it to SQL (`value.toString()` of JavaRosa's result): a node's
    text, but Java's number text for an int or decimal node or a number ("1.0")."""
    if isinstance(result, list):
        if not result:
            return ""
        node = result[0]
        if getattr(node, "dtype", None) in ("int", "decimal") and node.value:
            try:
                return java_double(float(node.value))
            except ValueError:
                return str(node.value)
        return str(node.string_value())
    if isinstance(result, float):
        return java_double(result)
    return to_string(result)


def query_choices(query: ExternalQuery, table: Table, values: list[str], language: str | None) -> list[tuple[str, str]]:
    """(value, label) of an external select's choices, given each condition's evaluated value."""
    label_column = f"label::{language}" if language and f"label::{language}" in table.columns else "label"

    def matches(row: dict[str, str]) -> bool:
        # SQL precedence: list_name = ? and c1 = ? ... or c2 = ? and ...: OR of AND-groups
        groups: list[list[bool]] = [[row.get("list_name") == query.list_name]]
        for condition, value in zip(query.conditions, values):
            test = row.get(condition.column) == value
            if condition.connector == "or":
                groups.append([test])
            else:
                groups[-1].append(test)
        return any(all(group) for group in groups)
    return [(row.get("name", ""), row.get(label_column, "")) for row in table.rows if matches(row)]
