"""Answers by question type: turn what a widget or an import gives into the instance's text form.

The instance stores every answer as text, as OpenRosa servers expect: int "42", decimal "1.5",
date "2024-01-31", time "13:45:00.000", dateTime ISO 8601 with milliseconds, select "a b c",
geopoint "lat lon alt accuracy". A value the type cannot take raises ValueError with the reason.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation

from waypoint_core.xform.xpath_eval import format_number, to_bool, to_number, to_string

_INT_RE = re.compile(r"^\s*[-+]?\d+\s*$")
_TIME_RE = re.compile(r"^(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


def normalize_answer(value, type_: str) -> str:
    """The stored text for `value` as an answer of `type_`; '' clears. Raises ValueError."""
    if value is None:
        return ""
    if isinstance(value, str) and value.strip() == "" and type_ != "string":
        return ""
    if type_ == "int":
        if isinstance(value, bool):
            raise ValueError("an integer is expected")
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, str) and _INT_RE.match(value):
            return str(int(value))
        raise ValueError(f"{value!r} is not a whole number")
    if type_ == "decimal":
        if isinstance(value, bool):
            raise ValueError("a number is expected")
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a number") from None
        if not number.is_finite():
            raise ValueError(f"{value!r} is not a finite number")
        return format_number(float(number))
    if type_ == "date":
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        try:
            return dt.date.fromisoformat(str(value).strip()[:10]).isoformat()
        except ValueError:
            raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None
    if type_ == "dateTime":
        if isinstance(value, dt.datetime):
            moment = value
        else:
            try:
                moment = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
            except ValueError:
                raise ValueError(f"{value!r} is not a date and time (ISO 8601)") from None
        if moment.tzinfo is None:
            moment = moment.astimezone()
        return moment.isoformat(timespec="milliseconds")
    if type_ == "time":
        if isinstance(value, dt.time):
            return value.isoformat(timespec="milliseconds")
        text = str(value).strip()
        m = _TIME_RE.match(text)
        if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59 or int(m.group(3) or 0) > 59:
            raise ValueError(f"{value!r} is not a time (HH:MM[:SS])")
        seconds = m.group(3) or "00"
        fraction = (m.group(4) or ".000")[:4].ljust(4, "0")
        return f"{m.group(1)}:{m.group(2)}:{seconds}{fraction}{m.group(5) or ''}"
    if type_ in ("select", "rank"):
        parts = value.split() if isinstance(value, str) else [str(v) for v in value]
        if len(set(parts)) != len(parts):
            raise ValueError("a choice is given twice")
        return " ".join(parts)
    if type_ == "select1":
        text = str(value).strip()
        if " " in text:
            raise ValueError(f"{value!r}: one choice is expected")
        return text
    if type_ == "geopoint":
        return _geopoint(value)
    if type_ in ("geotrace", "geoshape"):
        points = value.split(";") if isinstance(value, str) else list(value)
        points = [p for p in points if str(p).strip()] if isinstance(value, str) else points
        minimum = 4 if type_ == "geoshape" else 2
        if len(points) < minimum:
            raise ValueError(f"a {type_} needs at least {minimum} points")
        return ";".join(_geopoint(p) for p in points)
    if type_ == "acknowledge":
        if value in (True, "OK", "ok", "true", "1"):
            return "OK"
        raise ValueError(f"{value!r}: an acknowledgement is 'OK' (or cleared)")
    if type_ == "boolean":
        if isinstance(value, bool):
            return "true" if value else "false"
        text = str(value).strip().lower()
        if text in ("true", "1", "false", "0"):
            return "true" if text in ("true", "1") else "false"
        raise ValueError(f"{value!r} is not true or false")
    return value if isinstance(value, str) else to_string(value)


def _geopoint(value) -> str:
    parts = value.split() if isinstance(value, str) else [str(v) for v in value]
    if not 2 <= len(parts) <= 4:
        raise ValueError(f"{value!r}: a point is 'latitude longitude [altitude [accuracy]]'")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise ValueError(f"{value!r}: a point is made of numbers") from None
    if not -90 <= numbers[0] <= 90 or not -180 <= numbers[1] <= 180:
        raise ValueError(f"{value!r}: latitude must be within ±90 and longitude within ±180")
    while len(numbers) < 4:
        numbers.append(0.0)
    return " ".join(format_number(n) for n in numbers)


def calculated_text(result, type_: str) -> str:
    """Store a calculate's XPath result by the bind's type (NaN of a number type stores '')."""
    if isinstance(result, list):
        result = result[0].string_value() if result else ""
    if type_ == "int":
        if isinstance(result, str) and result.strip() == "":
            return ""
        x = to_number(result)
        return "" if x != x or math.isinf(x) else str(int(x))
    if type_ == "decimal":
        if isinstance(result, str) and result.strip() == "":
            return ""
        x = to_number(result)
        return "" if x != x or math.isinf(x) else format_number(x)
    if type_ == "boolean":
        return "true" if to_bool(result) else "false"
    if type_ == "date" and isinstance(result, (float, int)) and not isinstance(result, bool):
        if result != result:
            return ""
        return (dt.date(1970, 1, 1) + dt.timedelta(days=math.floor(result))).isoformat()
    if type_ == "date" and isinstance(result, dt.datetime):
        return result.date().isoformat()
    if type_ == "dateTime" and isinstance(result, dt.datetime):
        return result.isoformat(timespec="milliseconds")
    return to_string(result)
