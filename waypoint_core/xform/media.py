"""Making a form self-contained: its attachments (select_one_from_file and pulldata CSV/XML, GeoJSON for
select one from map, the CSV files of search() appearances and external selects) are written into the XForm
when the form is installed.

An installed form then needs no loose file beside it: it lives whole inside the encrypted vault, opens the
same way on every laptop, and travels as one signed document through sync. Declared instances are inlined
as the engine reads the file (a CSV becomes <root><item><column>value</column>...</item></root>, a GeoJSON
FeatureCollection one item per feature). The tables search() and external selects read are carried as they
are, base64 in <wp:attachment name="x.csv"> elements of the model, since Collect reads their columns by
names that need not be XML names (label::English).
"""

from __future__ import annotations

import base64
import csv
import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from xml.sax.saxutils import unescape

from waypoint_core.xform.errors import FormError
from waypoint_core.xform.external import ITEMSETS_FILE, search_call
from waypoint_core.xform.geojson import geojson_items

# <instance id="x" src="jr://file-csv/x.csv"/> as pyxform, KoboToolbox and ODK Central write it
_EXTERNAL = re.compile(r'<instance\b(?P<attrs>[^>]*?)\bsrc="(?P<src>[^"]+)"(?P<rest>[^>]*?)(?:/>|>\s*</instance>)')


_APPEARANCE = re.compile(r'\bappearance=(?P<q>["\'])(?P<value>.*?)(?P=q)', re.S)
_QUERY_INPUT = re.compile(r"<(?:\w+:)?input\b[^>]*\bquery=")
_MODEL_END = re.compile(r"</(?:\w+:)?model>")


def mark_entity_lists(xform: str, datasets: set[str], folder: str | Path | None = None) -> tuple[str, list[str]]:
    """Mark the external CSV instances named after an entity list (`instance id="trees" src="...trees.csv"`)
    as served from the laptop's entities, as Collect serves them (LocalEntitiesInstanceProvider: by instance
    id, unless a file of that name is attached: then it is that file); returns the XForm and the files marked."""
    marked: list[str] = []

    def mark(match: re.Match) -> str:
        attrs = match.group(0)
        inst_id = re.search(r'\bid="([^"]+)"', attrs)
        src = match.group("src")
        if inst_id is None or inst_id.group(1) not in datasets or not src.startswith("jr://file-csv/") or \
                (folder is not None and (Path(folder) / src.rsplit("/", 1)[-1]).is_file()):
            return attrs
        marked.append(src.rsplit("/", 1)[-1])
        return f'<instance xmlns:wp="urn:waypoint:xforms" wp:entity-list="{inst_id.group(1)}"' + attrs[len("<instance"):]

    return _EXTERNAL.sub(mark, xform), marked


def external_files(xform: str) -> list[str]:
    """The file names the form's attachments have, in order: external instances, then the tables of search()
    appearances and external selects."""
    return [m.group("src").rsplit("/", 1)[-1] for m in _EXTERNAL.finditer(xform)
            if "wp:entity-list=" not in m.group(0)] + table_files(xform)


def table_files(xform: str) -> list[str]:
    """The CSV files search() appearances (search('fruits') reads fruits.csv) and external selects
    (<input query=...> reads itemsets.csv) read, each once."""
    names: list[str] = []
    for match in _APPEARANCE.finditer(xform):
        found = search_call(unescape(match.group("value"), {"&quot;": '"', "&apos;": "'"}))
        if found is not None:
            name = found[0].lower()
            names.append(name if name.endswith(".csv") else name + ".csv")
    if _QUERY_INPUT.search(xform):
        names.append(ITEMSETS_FILE)
    return list(dict.fromkeys(names))


def embed_external_instances(xform: str, media_dir: str | Path) -> tuple[str, list[str]]:
    """(XForm with every external instance found in `media_dir` inlined, names of the files not found)."""
    folder = Path(media_dir)
    missing: list[str] = []

    def inline(match: re.Match) -> str:
        if "wp:entity-list=" in match.group(0):
            return match.group(0)  # served from the laptop's entities (mark_entity_lists), not a file
        name = match.group("src").rsplit("/", 1)[-1]
        path = folder / name
        if not path.is_file():
            missing.append(name)
            return match.group(0)
        data = path.read_bytes()
        if match.group("src").startswith("jr://file-csv/") or name.lower().endswith(".csv"):
            root = csv_element(data, name)
        elif match.group("src").endswith("geojson"):
            root = items_element(geojson_items(data, name), name)
        else:
            try:
                root = ET.fromstring(data)
            except ET.ParseError as exc:
                raise FormError(f"the attachment {name} is not well-formed XML: {exc}") from exc
        body = ET.tostring(root, encoding="unicode")
        return f"<instance{match.group('attrs').rstrip()}{match.group('rest')}>{body}</instance>"

    xform = _EXTERNAL.sub(inline, xform)
    on_disk = {p.name.lower(): p for p in folder.iterdir() if p.is_file()} if folder.is_dir() else {}
    carried = []
    for name in table_files(xform):
        if name not in on_disk:
            missing.append(name)
            continue
        data = base64.b64encode(on_disk[name].read_bytes()).decode("ascii")
        carried.append(f'<wp:attachment xmlns:wp="urn:waypoint:xforms" name="{name}">{data}</wp:attachment>')
    if carried:
        end = _MODEL_END.search(xform)
        if end is None:
            raise FormError("the form has no </model>: is this an XForm?")
        xform = xform[:end.start()] + "".join(carried) + xform[end.start():]
    return xform, missing


def csv_rows(data: bytes, name: str) -> list[dict[str, str]]:
    """The rows of a CSV attachment, column names and values stripped, unnamed columns left out."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormError(f"the attachment {name} is not UTF-8 text") from exc
    return [{key.strip(): (value or "").strip() for key, value in row.items() if key and key.strip()}
            for row in csv.DictReader(io.StringIO(text))]


def csv_element(data: bytes, name: str) -> ET.Element:
    """A CSV attachment as the instance the form reads: <root><item><column>value</column>...</item></root>."""
    return items_element([list(row.items()) for row in csv_rows(data, name)], name)


def items_element(items: list[list[tuple[str, str]]], name: str) -> ET.Element:
    """Rows of an attachment (CSV columns, GeoJSON geometry and properties) as <root><item>...</item></root>."""
    root = ET.Element("root")
    for pairs in items:
        item = ET.SubElement(root, "item")
        for column, value in pairs:
            if not re.fullmatch(r"[A-Za-z_][\w.\-]*", column):
                raise FormError(f"the attachment {name} has a column or property named {column!r}, which is not "
                                "a valid XML name (use letters, digits, '_', '-', '.')")
            ET.SubElement(item, column).text = value
    return root
