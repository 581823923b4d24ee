"""The XPath 1.0 core functions and the ODK XForms function library, by name.

Each function gets the evaluation context and its already evaluated arguments (XPath values).
Functions that need the session (today(), instance(), jr:itext(), jr:choice-name()...) ask the
context's `env`. Names are from https://getodk.github.io/xforms-spec/#xpath-functions.
"""

from __future__ import annotations

import datetime as dt
import math
import random as _random
import re
import uuid as _uuid
from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal

from waypoint_core.xform.errors import XPathEvalError
from waypoint_core.xform.randomize import seed_of, seeded_shuffle, shuffle
from waypoint_core.xform.xpath_eval import (
    NAN, atom, fractional_days, parse_date, to_bool, to_nodes, to_number, to_string,
)

_REGISTRY: dict[str, tuple] = {}


def _fn(name: str, min_args: int = 0, max_args: int | None = None):
    def deco(impl):
        _REGISTRY[name] = (impl, min_args, max_args)
        return impl
    return deco


def known_functions() -> set[str]:
    return set(_REGISTRY)


def compile_call(name: str, arg_fns: list, arg_asts: list):
    key = name.split(":", 1)[1] if name.startswith(("jr:", "odk:", "orx:", "fn:")) else name
    if key not in _REGISTRY:
        raise XPathEvalError(f"unknown function {name}()")
    impl, lo, hi = _REGISTRY[key]
    n = len(arg_fns)
    if n < lo or (hi is not None and n > hi):
        want = f"{lo}" if lo == hi else f"{lo} to {hi if hi is not None else 'any'}"
        raise XPathEvalError(f"{name}() takes {want} arguments, got {n}")
    if key == "if":
        cond, yes, no = arg_fns
        return lambda ctx: yes(ctx) if to_bool(cond(ctx)) else no(ctx)
    if key == "coalesce":
        first, second = arg_fns
        return lambda ctx: _coalesce(first(ctx), second, ctx)
    if n == 0:
        return lambda ctx: impl(ctx)
    if n == 1:
        a = arg_fns[0]
        return lambda ctx: impl(ctx, a(ctx))
    if n == 2:
        a, b = arg_fns
        return lambda ctx: impl(ctx, a(ctx), b(ctx))
    return lambda ctx: impl(ctx, *[f(ctx) for f in arg_fns])


# if() and coalesce() are compiled lazily in compile_call; the entries give their arity.
_REGISTRY["if"] = (None, 3, 3)
_REGISTRY["coalesce"] = (None, 2, 2)


def _coalesce(a, second, ctx):
    s = to_string(a)
    return a if s != "" else second(ctx)


def _strings(v) -> list[str]:
    if isinstance(v, list):
        return [to_string(atom(n)) for n in v]
    return [to_string(v)]


# ---- booleans, numbers, strings (XPath 1.0 core) -----------------------------------------

_fn("true", 0, 0)(lambda ctx: True)
_fn("false", 0, 0)(lambda ctx: False)
_fn("not", 1, 1)(lambda ctx, v: not to_bool(v))
_fn("boolean", 1, 1)(lambda ctx, v: to_bool(v))
_fn("boolean-from-string", 1, 1)(lambda ctx, v: to_string(v).strip() in ("true", "1"))
_fn("number", 0, 1)(lambda ctx, v=None: to_number([ctx.node] if v is None else v))
_fn("string", 0, 1)(lambda ctx, v=None: to_string([ctx.node] if v is None else v))
_fn("concat", 0, None)(lambda ctx, *args: "".join(s for a in args for s in _strings(a)))
_fn("join", 1, None)(lambda ctx, sep, *args: to_string(sep).join(s for a in args for s in _strings(a)))
_fn("contains", 2, 2)(lambda ctx, a, b: to_string(b) in to_string(a))
_fn("starts-with", 2, 2)(lambda ctx, a, b: to_string(a).startswith(to_string(b)))
_fn("ends-with", 2, 2)(lambda ctx, a, b: to_string(a).endswith(to_string(b)))
_fn("string-length", 0, 1)(lambda ctx, v=None: float(len(to_string([ctx.node] if v is None else v))))
_fn("normalize-space", 0, 1)(lambda ctx, v=None: " ".join(to_string([ctx.node] if v is None else v).split()))
_fn("translate", 3, 3)(lambda ctx, s, a, b: _translate(to_string(s), to_string(a), to_string(b)))


def _substring_before(ctx, a, b) -> str:
    text, part = to_string(a), to_string(b)
    found = text.find(part)  # '' is found at 0: substring-before('abc', '') is ''
    return text[:found] if found >= 0 else ""


def _substring_after(ctx, a, b) -> str:
    # JavaRosa: str.substring(str.indexOf(substr) + substr.length()), so substring-after('abc', '') is 'abc'
    text, part = to_string(a), to_string(b)
    found = text.find(part)
    return text[found + len(part):] if found >= 0 else ""


_fn("substring-before", 2, 2)(_substring_before)
_fn("substring-after", 2, 2)(_substring_after)
@_fn("regex", 2, 2)
def _regex(ctx, s, p):
    try:
        return re.search(to_string(p), to_string(s)) is not None
    except re.error as exc:
        raise XPathEvalError(f"regex(): the pattern {to_string(p)!r} is not valid ({exc})") from None
_fn("floor", 1, 1)(lambda ctx, v: _math(math.floor, to_number(v)))
_fn("ceiling", 1, 1)(lambda ctx, v: _math(math.ceil, to_number(v)))
_fn("abs", 1, 1)(lambda ctx, v: abs(to_number(v)))
_fn("int", 1, 1)(lambda ctx, v: _math(math.trunc, to_number(v)))
_fn("pow", 2, 2)(lambda ctx, a, b: _safe(math.pow, to_number(a), to_number(b)))
_fn("pi", 0, 0)(lambda ctx: math.pi)
_fn("atan2", 2, 2)(lambda ctx, a, b: math.atan2(to_number(a), to_number(b)))
for _name, _impl in {"exp": math.exp, "exp10": lambda x: 10 ** x, "log": math.log, "log10": math.log10,
                     "sqrt": math.sqrt, "sin": math.sin, "cos": math.cos, "tan": math.tan, "asin": math.asin,
                     "acos": math.acos, "atan": math.atan}.items():
    _fn(_name, 1, 1)(lambda ctx, v, _f=_impl: _safe(_f, to_number(v)))


def _math(f, x: float) -> float:
    return x if x != x or x in (math.inf, -math.inf) else float(f(x))


def _safe(f, *xs: float) -> float:
    try:
        return float(f(*xs))
    except (ValueError, OverflowError, ZeroDivisionError):
        return NAN


def _translate(s: str, a: str, b: str) -> str:
    table = {}
    for i, ch in enumerate(a):
        if ord(ch) not in table:
            table[ord(ch)] = b[i] if i < len(b) else None
    return s.translate(table)


@_fn("substring", 2, 3)
def _substring(ctx, s, start, length=None):
    s = to_string(s)
    first = to_number(start)
    if first != first:
        return ""
    first = math.floor(first + 0.5)
    last = math.inf if length is None else first + math.floor(to_number(length) + 0.5)
    if last != last:
        return ""
    return "".join(ch for i, ch in enumerate(s, 1) if first <= i < last)


@_fn("substr", 2, 3)
def _substr(ctx, s, start, end=None):
    s = to_string(s)
    a = to_number(start)
    if a != a:
        return ""
    b = len(s) if end is None else to_number(end)
    if b != b:
        return ""
    return s[max(int(a), 0):max(int(b), 0)]


@_fn("round", 1, 2)
def _round(ctx, v, digits=None):
    """JavaRosa's round(number, places) (XPathFuncExpr.round): halves go up for a positive number
    and towards zero for a negative one (BigDecimal HALF_UP / HALF_DOWN on its decimal text), so
    round(2.5) is 3 and round(-2.5), like round(-2.5, 0), is -2. Places are the integer part of
    the second argument (NaN counts as 0, Java's intValue); beyond ±30 the result is NaN."""
    x = to_number(v)
    if x != x or x in (math.inf, -math.inf):
        return x
    places = 0 if digits is None else to_number(digits)
    places = 0 if places != places else max(min(math.trunc(places), 2**31 - 1), -(2**31))
    if places > 30 or places < -30:
        return NAN
    exact = Decimal(repr(x))  # Java's BigDecimal(Double.toString(x)): the same shortest digits
    if places >= 0:
        mode = ROUND_HALF_DOWN if x < 0 else ROUND_HALF_UP
        return float(exact.quantize(Decimal(1).scaleb(-places), rounding=mode)) + 0.0  # BigDecimal has no -0
    # to tens, hundreds...: (long) (scaled + 0.5), Java's cast truncating towards zero
    scaled = float(exact.scaleb(places))
    return float(Decimal(repr(float(math.trunc(scaled + 0.5)))).scaleb(-places))


# ---- node-sets ---------------------------------------------------------------------------

_fn("count", 1, 1)(lambda ctx, v: float(len(to_nodes(v, "count()'s argument"))))
_fn("count-non-empty", 1, 1)(lambda ctx, v: float(sum(1 for n in to_nodes(v) if n.string_value() != "")))
_fn("last", 0, 0)(lambda ctx: float(ctx.size))
_fn("current", 0, 0)(lambda ctx: [ctx.current])
_fn("instance", 1, 1)(lambda ctx, v: [ctx.env.instance(to_string(v))])
_fn("name", 0, 1)(lambda ctx, v=None: _first_name(v, ctx))
_fn("local-name", 0, 1)(lambda ctx, v=None: _first_name(v, ctx))


def _first_name(v, ctx) -> str:
    nodes = [ctx.node] if v is None else to_nodes(v)
    return nodes[0].name if nodes else ""


@_fn("position", 0, 1)
def _position(ctx, v=None):
    if v is None:
        return float(ctx.pos)
    nodes = to_nodes(v, "position()'s argument")
    if not nodes:  # e.g. position(..) of a hidden repeat instance: JavaRosa gives 1 + INDEX_UNBOUND
        return 0.0
    return float(nodes[0].index_in_parent())


@_fn("sum", 1, 1)
def _sum(ctx, v):
    # JavaRosa's XPathFuncExpr.sum leaves out what is not a number (an unanswered question): the sum of
    # 4 and nothing is 4, and of no node at all 0
    numbers = (to_number(atom(n)) for n in to_nodes(v, "sum()'s argument"))
    return float(sum(x for x in numbers if x == x))


def _numbers(args) -> list[float]:
    out = []
    for a in args:
        if isinstance(a, list):
            out.extend(to_number(atom(n)) for n in a)
        else:
            out.append(to_number(a))
    return out


@_fn("min", 1, None)
def _min(ctx, *args):
    xs = _numbers(args)
    return NAN if not xs or any(x != x for x in xs) else min(xs)


@_fn("max", 1, None)
def _max(ctx, *args):
    xs = _numbers(args)
    return NAN if not xs or any(x != x for x in xs) else max(xs)


@_fn("indexed-repeat", 3, None)
def _indexed_repeat(ctx, target, *pairs):
    """indexed-repeat(/data/rep/q, /data/rep, 2): q of the 2nd rep (pairs nest repeats outward-in)."""
    if len(pairs) % 2:
        raise XPathEvalError("indexed-repeat() takes repeat/index pairs")
    chosen = None
    for i in range(0, len(pairs), 2):
        instances = to_nodes(pairs[i], "indexed-repeat()'s repeat")
        if chosen is not None:
            instances = [r for r in instances if _inside(r, chosen)]
        index = to_number(pairs[i + 1])
        if index != index or not 1 <= int(index) <= len(instances):
            return []
        chosen = instances[int(index) - 1]
    return [n for n in to_nodes(target, "indexed-repeat()'s target") if _inside(n, chosen)][:1]


def _inside(node, ancestor) -> bool:
    while node is not None:
        if node is ancestor:
            return True
        node = node.parent
    return False


@_fn("randomize", 1, 2)
def _randomize(ctx, v, seed=None):
    """The ODK XForms spec's seeded shuffle (Park-Miller + Fisher-Yates, randomize.py), so an
    order seeded by a number or a text is Collect's; unseeded, the session's generator draws."""
    nodes = list(to_nodes(v, "randomize()'s argument"))
    if seed is None:
        return shuffle(nodes, ctx.env.random)
    value = atom(seed[0]) if isinstance(seed, list) and seed else ("" if isinstance(seed, list) else seed)
    return seeded_shuffle(nodes, seed_of(to_number(value), to_string(value)))


# ---- ODK selects -------------------------------------------------------------------------

# JavaRosa's XPathFuncExpr.multiSelected: the item, space-padded, is a substring of the space-padded answer,
# so selected(x, '') is true while x is empty (forms test "nothing chosen yet" that way)
_fn("selected", 2, 2)(lambda ctx, v, item: f" {to_string(item).strip()} " in f" {to_string(v)} ")
_fn("count-selected", 1, 1)(lambda ctx, v: float(len(to_string(v).split())))


@_fn("selected-at", 2, 2)
def _selected_at(ctx, v, i):
    parts = to_string(v).split()
    k = to_number(i)
    return parts[int(k)] if k == k and 0 <= int(k) < len(parts) else ""


_fn("choice-name", 2, 2)(lambda ctx, value, ref: ctx.env.choice_label(to_string(ref), to_string(value), ctx))
_fn("itext", 1, 1)(lambda ctx, v: ctx.env.itext(to_string(v)))


@_fn("pulldata", 4, 4)
def _pulldata(ctx, instance_id, column, key_column, key):
    doc = ctx.env.instance(to_string(instance_id))
    col, key_col, wanted = to_string(column), to_string(key_column), to_string(key)
    for root in doc.children:
        for item in root.children:
            keys = item.kids.get(key_col)
            if keys and keys[0].value == wanted:
                cells = item.kids.get(col)
                return cells[0].value if cells else ""
    return ""


# ---- ODK misc ----------------------------------------------------------------------------

_fn("uuid", 0, 1)(lambda ctx, n=None: ctx.env.uuid() if n is None else _random_text(ctx, int(to_number(n))))
_fn("random", 0, 0)(lambda ctx: ctx.env.random())
# JavaRosa: the form's version attribute ("" when it has none)
_fn("version", 0, 0)(lambda ctx: ctx.env.definition.version)
# JavaRosa reads the node's own value through a path, so a hidden node counts as empty there too
_fn("once", 1, 1)(lambda ctx, v: ctx.node.value if ctx.node.relevant and ctx.node.value else v)


def _random_text(ctx, n: int) -> str:
    rng = _random.Random(ctx.env.random())
    return "".join(rng.choice("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(n))


def new_uuid() -> str:
    return str(_uuid.uuid4())


# ---- dates -------------------------------------------------------------------------------

EPOCH_DAY = dt.date(1970, 1, 1)

_fn("today", 0, 0)(lambda ctx: ctx.env.today())
_fn("now", 0, 0)(lambda ctx: ctx.env.now())


def _as_date(v, keep_time: bool = True):
    """JavaRosa's toDate: a date or date-time value, a number of days since 1970-01-01 (an
    instant, counted in UTC, when the time is kept; whole days otherwise), or ISO text; None
    when empty, NaN or not a date."""
    if isinstance(v, list):
        v = atom(v[0]) if v else ""
    if isinstance(v, dt.date):
        return v
    if isinstance(v, (float, int)) and not isinstance(v, bool):
        if v != v or v in (math.inf, -math.inf):
            return None
        if keep_time:
            return dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=float(v))
        return EPOCH_DAY + dt.timedelta(days=math.trunc(v))
    text = to_string(v).strip()
    if not text:
        return None
    parsed = parse_date(text)
    if parsed is None and re.match(r"^-?\d+(\.\d+)?$", text):
        return _as_date(float(text), keep_time)
    return parsed


def _local(value, ctx):
    """A date-time in the device's time zone, where JavaRosa reads its fields (DateUtils.getFields)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        zone = getattr(ctx.env, "timezone", None)
        return value.astimezone(zone) if zone is not None else value.astimezone()
    return value


@_fn("date", 1, 1)
def _date(ctx, v):
    d = _as_date(v, keep_time=False)
    if d is None:
        return ""
    return _local(d, ctx).date() if isinstance(d, dt.datetime) else d  # the local day (roundDate)


@_fn("date-time", 1, 1)
def _date_time(ctx, v):
    d = _as_date(v)
    return "" if d is None else d


@_fn("decimal-date-time", 1, 1)
def _decimal_date_time(ctx, v):
    d = _as_date(v)
    return NAN if d is None else fractional_days(d)


@_fn("decimal-time", 1, 1)
def _decimal_time(ctx, v):
    m = re.match(r"^\s*(\d{2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?", to_string(v))
    if not m:
        return NAN
    h, mi, s = int(m.group(1)), int(m.group(2)), float(m.group(3) or 0)
    return (h * 3600 + mi * 60 + s) / 86400.0


_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def format_date(value, pattern: str, ctx=None) -> str:
    """JavaRosa's formatDateTime (DateUtils.format): the fields of the value in the device's time
    zone, so "2024-03-15T10:00:00+03:00" shows 08 for %H on a device at UTC+1."""
    d = _as_date(value)
    if d is None:
        return ""
    full = _local(d, ctx) if ctx is not None else d
    if not isinstance(full, dt.datetime):
        full = dt.datetime(full.year, full.month, full.day)
    codes = {
        "Y": f"{full.year:04d}", "y": f"{full.year:04d}"[2:], "m": f"{full.month:02d}",
        "n": str(full.month), "b": _MONTHS[full.month - 1], "d": f"{full.day:02d}", "e": str(full.day),
        "H": f"{full.hour:02d}", "h": str(full.hour), "M": f"{full.minute:02d}", "S": f"{full.second:02d}",
        "3": f"{full.microsecond // 1000:03d}", "a": _DAYS[full.weekday()], "W": str(full.isocalendar()[1]),
        "%": "%",
    }

    def code(m: re.Match) -> str:
        if m.group(1) not in codes:
            raise XPathEvalError(f"format-date(): %{m.group(1)} is not a date format code")
        return codes[m.group(1)]
    return re.sub(r"%(.?)", code, pattern)


_fn("format-date", 2, 2)(lambda ctx, v, p: format_date(v, to_string(p), ctx))
_fn("format-date-time", 2, 2)(lambda ctx, v, p: format_date(v, to_string(p), ctx))

__all__ = ["compile_call", "known_functions", "new_uuid", "format_date"]


# checklists, digests and geometry register themselves from their own module
from waypoint_core.xform import xpath_geo  # noqa: E402,F401
