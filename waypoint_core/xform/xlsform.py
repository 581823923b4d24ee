"""XLSForm (.xlsx, .xls, .md, .csv) → XForm XML through pyxform, the converter ODK and Kobo use.

pyxform's own messages already name the sheet, row and column ("[row : 5] On the 'survey'
sheet, ..."); they are passed on unchanged inside an XLSFormError.
"""

from __future__ import annotations

from pathlib import Path

from waypoint_core.xform.errors import XLSFormError

XLSFORM_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".md", ".csv")


def is_xlsform(path: str | Path) -> bool:
    return Path(path).suffix.lower() in XLSFORM_SUFFIXES


def xlsform_to_xform(source: str | Path | bytes, *, file_type: str | None = None) -> tuple[str, list[str]]:
    """Convert an XLSForm (a path, or bytes with `file_type` such as ".xlsx") to (XForm XML, warnings)."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2xform import convert

    warnings: list[str] = []
    try:
        if isinstance(source, bytes):
            if file_type and not file_type.startswith("."):
                file_type = "." + file_type
            result = convert(xlsform=source, warnings=warnings, file_type=file_type)
        else:
            result = convert(xlsform=str(source), warnings=warnings)
    except PyXFormError as exc:
        raise XLSFormError(f"the XLSForm is not valid: {exc}") from exc
    except (ValueError, KeyError, TypeError) as exc:
        # pyxform raises these for unreadable workbooks; say which file and why
        raise XLSFormError(f"the XLSForm could not be read: {exc}") from exc
    return result.xform, list(result.warnings or warnings)
