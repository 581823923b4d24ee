"""Answers by question type: turn what a widget or an import gives into the instance's text form.

The instance stores every answer as text, as OpenRosa servers expect and as ODK Collect writes it:
int "42", decimal "1.5" or "2.0" (Java's Double.toString, as JavaRosa's DecimalData), date "2024-01-31",
time "13:45:00.000", dateTime ISO 8601 with milliseconds, select "a b c", geopoint "lat lon alt
accuracy" ("12.5 1.5 0.0 0.0", JavaRosa's GeoPointData). A value the type cannot take raises ValueError
with the reason.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation

from waypoint_core.xform.xpath_eval import (
    atom, format_datetime, java_double, parse_date, to_bool, to_string,
)

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
        return java_double(float(number))
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
        return format_datetime(moment)  # as Collect writes DateTimeData: "Z" for UTC
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
        # one choice value, spaces included: "Township 01" (JavaRosa's SelectOneData keeps it whole)
        return str(value).strip()
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
    if not any(numbers):
        return ""  # JavaRosa's GeoPointData.toBoolean: an all-zero point is "not captured", and writes as ""
    return " ".join(java_double(n) for n in numbers)


def cast_default(text: str, type_: str) -> str:
    """A value written in the form's instance, as JavaRosa reads it when it loads the form
    (XFormAnswerDataParser.getAnswerData): numbers, dates and points are parsed by the question's
    type and written back in its own form ("0" of a decimal is "0.0"); one that does not parse is
    empty. Other types keep their text."""
    if not text:
        return text
    try:
        if type_ == "int":
            number = int(text.strip())
            return str(number) if -2**31 <= number < 2**31 else ""
        if type_ == "decimal":
            return java_double(float(text.strip()))
        if type_ == "date":
            return dt.date.fromisoformat(text.strip()[:10]).isoformat() if re.match(
                r"^\s*\d{4}-\d{2}-\d{2}", text) else ""
        if type_ == "geopoint":
            return _geopoint(text)
        if type_ in ("geotrace", "geoshape"):
            return ";".join(_geopoint(p) for p in text.split(";") if p.strip())
    except ValueError:
        return ""
    return text


def calculated_value(result, type_: str, tz: dt.tzinfo | None = None) -> tuple[str, str | None]:
    """A calculation's XPath result as Collect stores it, by JavaRosa's IAnswerData.wrapData and
    XFormAnswerDataSerializer: (the text recorded, the type it is read back as).

    NaN and "" store nothing, whatever the bind type (so `once()` over a question not answered
    yet runs again later instead of freezing "NaN"). A boolean result is BooleanData, written
    "1"/"0". A number is IntegerData when within 10^-9 of a whole one ("3"), DecimalData
    otherwise (Java's Double.toString), whatever the bind type; an int bind truncates. A date
    result is DateData in a date bind ("2024-03-15") and DateTimeData elsewhere (local time with
    offset, "Z" for UTC). Text is kept as it is. `tz` is the device's time zone."""
    if isinstance(result, list):
        result = atom(result[0]) if result else ""
    if (isinstance(result, float) and result != result) or (isinstance(result, str) and result == ""):
        return "", None
    if type_ == "boolean" or isinstance(result, bool):
        return ("1" if to_bool(result) else "0"), "boolean"
    if isinstance(result, float):
        if math.isinf(result):
            return java_double(result), "number"
        if type_ == "int":
            return str(max(min(math.trunc(result), 2**31 - 1), -(2**31))), "number"
        whole = math.trunc(result)
        return (str(whole) if abs(result - whole) < 1e-9 else java_double(result)), "number"
    if type_ == "date":
        day = result if isinstance(result, dt.date) else parse_date(str(result))
        if isinstance(day, dt.datetime):
            day = (day.astimezone(tz) if day.tzinfo is not None and tz is not None else day).date()
        return (day.isoformat(), "date") if day is not None else ("", None)
    if type_ == "dateTime" or isinstance(result, dt.date):
        moment = result if isinstance(result, dt.date) else parse_date(str(result))
        if moment is None:
            return "", None
        if not isinstance(moment, dt.datetime):  # a day: its local midnight
            moment = dt.datetime(moment.year, moment.month, moment.day, tzinfo=tz)
        return format_datetime(moment, tz), "dateTime"
    return to_string(result), "string"
