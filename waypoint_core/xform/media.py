"""Making a form self-contained: its external CSV/XML instances (select_one_from_file, pulldata, search
lists) are written into the XForm as inline instances when the form is installed.

An installed form then needs no loose file beside it: it lives whole inside the encrypted vault, opens the
same way on every laptop, and travels as one signed document through sync. The engine reads an inline
instance exactly as it reads the file (a CSV becomes <root><item><column>value</column>...</item></root>).
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from waypoint_core.xform.errors import FormError

# <instance id="x" src="jr://file-csv/x.csv"/> as pyxform, KoboToolbox and ODK Central write it
_EXTERNAL = re.compile(r'<instance\b(?P<attrs>[^>]*?)\bsrc="(?P<src>[^"]+)"(?P<rest>[^>]*?)(?:/>|>\s*</instance>)')


def external_files(xform: str) -> list[str]:
    """The file names the form's external instances refer to, in order."""
    return [m.group("src").rsplit("/", 1)[-1] for m in _EXTERNAL.finditer(xform)]


def embed_external_instances(xform: str, media_dir: str | Path) -> tuple[str, list[str]]:
    """(XForm with every external instance found in `media_dir` inlined, names of the files not found)."""
    folder = Path(media_dir)
    missing: list[str] = []

    def inline(match: re.Match) -> str:
        name = match.group("src").rsplit("/", 1)[-1]
        path = folder / name
        if not path.is_file():
            missing.append(name)
            return match.group(0)
        data = path.read_bytes()
        if match.group("src").startswith("jr://file-csv/") or name.lower().endswith(".csv"):
            root = csv_element(data, name)
        else:
            try:
                root = ET.fromstring(data)
            except ET.ParseError as exc:
                raise FormError(f"the attachment {name} is not well-formed XML: {exc}") from exc
        body = ET.tostring(root, encoding="unicode")
        return f"<instance{match.group('attrs').rstrip()}{match.group('rest')}>{body}</instance>"

    return _EXTERNAL.sub(inline, xform), missing


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
    root = ET.Element("root")
    for row in csv_rows(data, name):
        item = ET.SubElement(root, "item")
        for column, value in row.items():
            if not re.fullmatch(r"[A-Za-z_][\w.\-]*", column):
                raise FormError(f"the attachment {name} has a column named {column!r}, which is not a valid "
                                "XML name (use letters, digits, '_', '-', '.')")
            ET.SubElement(item, column).text = value
    return root
