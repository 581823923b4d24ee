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

from waypoint_core.xform.xpath_eval import java_double, to_bool, to_number, to_string

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


def _wrapped_number(x: float) -> str:
    # wrapData: IntegerData/LongData when |d - (long) d| < 1e-9, else DecimalData
    if math.isinf(x):
        return java_double(x)
    whole = math.trunc(x)
    return str(whole) if abs(x - whole) < 1e-9 else java_double(x)


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


def calculated_text(result, type_: str) -> str:
    """Store a calculate's XPath result by the bind's type, as JavaRosa's IAnswerData.wrapData
    does: NaN and '' store nothing, whatever the type, so NaN is never kept as text (a `once()`
    over a not yet answered question then runs again later instead of freezing "NaN"); a
    number within 10^-9 of a whole one stores it whole ("3"), others as Java's Double.toString."""
    if isinstance(result, list):
        result = result[0].string_value() if result else ""
    if isinstance(result, float) and result != result:
        return ""
    if isinstance(result, str) and result == "":
        return ""
    if type_ == "int":
        x = to_number(result)
        return "" if x != x or math.isinf(x) else str(int(x))
    if type_ == "decimal":
        x = to_number(result)
        return "" if x != x or math.isinf(x) else _wrapped_number(x)
    if isinstance(result, float) and type_ != "boolean":
        return _wrapped_number(result)
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
