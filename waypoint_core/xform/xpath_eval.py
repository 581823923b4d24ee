"""Compile an XPath AST (xpath_parse) into a Python closure over the node model (nodes).

Values are node-sets (lists of nodes), strings, floats (NaN for "not a number"), booleans and
dates (datetime.date / datetime.datetime). A node is read as JavaRosa reads it (`atom`): int and
decimal answers as numbers, date and dateTime answers as dates (whole days since 1970-01-01 in
arithmetic), others as text; comparisons and conversions follow JavaRosa's XPathFuncExpr
(toNumeric, toString, toBoolean), which is what ODK Collect records. An empty answer compared
with a number is NaN on one side, hence false, never an error.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from functools import lru_cache

from waypoint_core.xform.errors import XPathEvalError
from waypoint_core.xform.nodes import AttrNode, Node
from waypoint_core.xform.xpath_parse import parse_xpath

NAN = float("nan")
EPOCH = dt.date(1970, 1, 1)
_NUMBER_RE = re.compile(r"^\s*-?(\d+(\.\d*)?|\.\d+)\s*$")
_DATE_RE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")
_DATETIME_RE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?\s*$")


class Ctx:
    """The evaluation context: context node, position/size (for predicates), current() and env."""

    __slots__ = ("node", "pos", "size", "current", "env")

    def __init__(self, node, env, current=None, pos: int = 1, size: int = 1):
        self.node = node
        self.env = env
        self.current = current if current is not None else node
        self.pos = pos
        self.size = size


# ---- conversions ---------------------------------------------------------------------------

def parse_date(text: str) -> dt.date | dt.datetime | None:
    m = _DATE_RE.match(text)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    if _DATETIME_RE.match(text):
        try:
            return dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def date_to_days(value: dt.date) -> float:
    """A date as a number, as JavaRosa's toNumeric does (DateUtils.daysSinceEpoch): whole days
    from 1970-01-01 to the value's calendar day, so `today() - ${dob}` counts days and
    `now() - ${start}` is 0 on the same day (decimal-date-time() gives the fraction)."""
    day = value.date() if isinstance(value, dt.datetime) else value
    return float((day - EPOCH).days)


def fractional_days(value: dt.date) -> float:
    """Days since 1970-01-01 with the time of day (DateUtils.fractionalDaysSinceEpoch)."""
    if isinstance(value, dt.datetime):
        # an instant with an offset counts from 1970-01-01T00:00Z; a local one from local midnight
        epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) if value.tzinfo else dt.datetime(1970, 1, 1)
        return (value - epoch).total_seconds() / 86400.0
    return float((value - EPOCH).days)


def format_number(x: float) -> str:
    if x != x:
        return "NaN"
    if x in (math.inf, -math.inf):
        return "Infinity" if x > 0 else "-Infinity"
    if x == int(x) and abs(x) < 1e17:
        return str(int(x))
    text = repr(x)
    if "e" in text:
        text = f"{x:.20f}".rstrip("0").rstrip(".")
    return text


def java_double(x: float) -> str:
    """Java's Double.toString, which JavaRosa uses for non-integral numbers: shortest digits,
    plain between 10^-3 and 10^7 ("0.5", "1234.5"), computerized scientific notation outside
    ("1.0E7", "1.5E-4")."""
    if x != x:
        return "NaN"
    if x in (math.inf, -math.inf):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "-0.0" if math.copysign(1, x) < 0 else "0.0"
    if 1e-3 <= abs(x) < 1e7:
        text = repr(x)
        return text if "." in text or "e" in text else text + ".0"
    sign, digits, exponent = Decimal(repr(x)).as_tuple()
    figures = "".join(map(str, digits)).rstrip("0") or "0"
    power = len(digits) + int(exponent) - 1
    return f"{'-' if sign else ''}{figures[0]}.{figures[1:] or '0'}E{power}"


def xpath_number_text(x: float) -> str:
    """A number as XPath string() gives it in JavaRosa (XPathFuncExpr.toString): NaN, Infinity,
    whole numbers (within 10^-12, in Java int range) without a decimal point, others as Java's
    Double.toString."""
    if x != x:
        return "NaN"
    if abs(x) < 1e-12:
        return "0"
    if x in (math.inf, -math.inf):
        return "Infinity" if x > 0 else "-Infinity"
    whole = max(min(math.trunc(x), 2**31 - 1), -(2**31))  # Java's (int) cast saturates
    if abs(x - whole) < 1e-12:
        return str(whole)
    return java_double(x)


def format_datetime(value: dt.datetime, tz: dt.tzinfo | None = None) -> str:
    """A date-time as Collect records it (DateUtils.formatDateTime, ISO 8601): local time with
    milliseconds and the offset, "Z" for UTC. `tz` is the device's zone (a naive value is in it)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz) if tz is not None else value.astimezone()
    elif tz is not None:
        value = value.astimezone(tz)
    text = value.isoformat(timespec="milliseconds")
    return text[:-6] + "Z" if text.endswith(("+00:00", "-00:00")) else text


def to_string(v) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, list):
        return to_string(atom(v[0])) if v else ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return xpath_number_text(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, dt.datetime):
        # JavaRosa's toString of any Date is its calendar day (DateUtils.formatDate, ISO 8601)
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def str_to_number(s: str) -> float:
    """Text to number as JavaRosa's toNumeric: a comma counts as a decimal point, only digits,
    '-' and '.' are allowed (no exponent, no '+'), and a date written as text is not a number."""
    if _NUMBER_RE.match(s):
        return float(s)
    if "," in s:
        text = s.replace(",", ".")
        if _NUMBER_RE.match(text):
            return float(text)
    return NAN


def _number_atom(text: str):
    try:
        return float(text)
    except ValueError:
        return text


def _date_atom(text: str):
    parsed = parse_date(text)
    return text if parsed is None else parsed


def _bool_atom(text: str):
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    return text


# value type (bind type, or what a calculation typed as text computed) -> how its text is read
_ATOMS = {"int": _number_atom, "decimal": _number_atom, "number": _number_atom, "date": _date_atom,
          "dateTime": _date_atom, "boolean": _bool_atom}


def atom(n):
    """A node's value as JavaRosa reads it (XPathPathExpr.unpackValue of the typed answer):
    a number for int and decimal questions, a date for date and dateTime ones, a boolean for
    boolean ones, text otherwise; a calculation typed as text holds what it computed (a number,
    a date...: IAnswerData.wrapData). Empty is "" whatever the type."""
    if n.children:
        return n.string_value()
    text = n.value
    if not text or not n.relevant:
        return ""
    read = _ATOMS.get(n.vtype or n.dtype)
    return text if read is None else read(text)


def atoms(nodes: list) -> list:
    """The values of a node-set for comparing: an empty one compares as "" (JavaRosa unpacks it
    to the empty string), so a hidden question read by `${q} != 'x'` gives true, as in Collect."""
    return [atom(n) for n in nodes] if nodes else [""]


def to_number(v) -> float:
    if isinstance(v, float):
        return v
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, int):
        return float(v)
    if isinstance(v, str):
        return str_to_number(v)
    if isinstance(v, list):
        return to_number(atom(v[0])) if v else NAN
    if isinstance(v, dt.date):
        return date_to_days(v)
    return NAN


def to_bool(v) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, str):
        return len(v) > 0
    if isinstance(v, list):
        # JavaRosa unpacks the node: an empty or hidden answer is false, "no" is true
        return to_bool(atom(v[0])) if v else False
    if isinstance(v, float):
        return not (v == 0 or v != v)
    return bool(v)


def to_nodes(v, what: str = "argument") -> list:
    if isinstance(v, list):
        return v
    raise XPathEvalError(f"{what} must be a node-set, got {to_string(v)!r}")


# ---- comparison ----------------------------------------------------------------------------

_OPS = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}


def _cmp_atoms(op: str, a, b) -> bool:
    """JavaRosa's XPathEqExpr and XPathCmpExpr on two values: = and != compare as booleans if
    either side is one, as numbers (within 10^-12) if either is a number, as text otherwise (a
    date as its calendar day); <, <=, >, >= always as numbers."""
    if op in ("=", "!="):
        if isinstance(a, bool) or isinstance(b, bool):
            equal = to_bool(a) == to_bool(b)
        elif isinstance(a, (float, int)) or isinstance(b, (float, int)):
            equal = abs(to_number(a) - to_number(b)) < 1e-12
        else:
            equal = to_string(a) == to_string(b)
        return equal if op == "=" else not equal
    return _OPS[op](to_number(a), to_number(b))


def compare(op: str, a, b) -> bool:
    """A comparison where either side may be a node-set: true if any pair of values compares
    true (XPath 1.0 over JavaRosa's typed values; a node-set of one node is the common case)."""
    a_values = atoms(a) if isinstance(a, list) else (a,)
    b_values = atoms(b) if isinstance(b, list) else (b,)
    return any(_cmp_atoms(op, x, y) for x in a_values for y in b_values)


def arith(op: str, a: float, b: float) -> float:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "div":
        if b == 0:
            if a != a or a == 0:
                return NAN
            return math.inf if (a > 0) == (math.copysign(1, b) > 0) else -math.inf
        return a / b
    if b == 0 or a != a or b != b or a in (math.inf, -math.inf):
        return NAN
    return math.fmod(a, b)


# ---- paths ---------------------------------------------------------------------------------

def _descendants(n, include_self: bool):
    if include_self:
        yield n
    stack = list(reversed(n.children))
    while stack:
        c = stack.pop()
        yield c
        stack.extend(reversed(c.children))


def _step_fn(axis: str, test: str):
    """One location step without predicates: node → list of nodes."""
    any_name = test in ("*", "node()")
    if axis == "child":
        if test == "text()":
            return lambda n: [AttrNode("#text", n.value, n)] if not n.children and n.value else []
        if any_name:
            return lambda n: n.children
        return lambda n: n.kids.get(test, ())
    if axis == "parent":
        return lambda n: [n.parent] if n.parent is not None and (any_name or n.parent.name == test) else []
    if axis == "self":
        return lambda n: [n] if any_name or n.name == test else []
    if axis == "attribute":
        if any_name:
            return lambda n: [AttrNode(k, v, n) for k, v in n.attrs.items()] if isinstance(n, Node) else []
        return lambda n: [AttrNode(test, n.attrs[test], n)] if isinstance(n, Node) and test in n.attrs else []
    if axis in ("descendant", "descendant-or-self"):
        inc = axis == "descendant-or-self"
        return lambda n: [d for d in _descendants(n, inc) if any_name or d.name == test]
    if axis in ("ancestor", "ancestor-or-self"):
        def ancestors(n, inc=axis == "ancestor-or-self"):
            out = []
            cur = n if inc else n.parent
            while cur is not None:
                if any_name or cur.name == test:
                    out.append(cur)
                cur = cur.parent
            return out
        return ancestors
    if axis in ("following-sibling", "preceding-sibling"):
        def siblings(n, after=axis == "following-sibling"):
            if n.parent is None:
                return []
            sibs = n.parent.children
            i = sibs.index(n)
            chosen = sibs[i + 1:] if after else list(reversed(sibs[:i]))
            return [s for s in chosen if any_name or s.name == test]
        return siblings
    raise XPathEvalError(f"the {axis} axis is not supported")


def _filter(nodes: list, preds, ctx: Ctx) -> list:
    for pred, const in preds:
        if pred == "index":
            nodes = const(nodes, ctx)
            continue
        if const is not None:
            nodes = [nodes[const - 1]] if 0 < const <= len(nodes) else []
            continue
        size = len(nodes)
        kept = []
        env, current = ctx.env, ctx.current
        for i, n in enumerate(nodes, 1):
            v = pred(Ctx(n, env, current, i, size))
            if isinstance(v, float):
                if v == i:
                    kept.append(n)
            elif to_bool(v):
                kept.append(n)
        nodes = kept
    return nodes


def _dedupe(nodes: list) -> list:
    seen = set()
    out = []
    for n in nodes:
        if id(n) not in seen:
            seen.add(id(n))
            out.append(n)
    return out


def _compile_preds(preds):
    out = []
    for p in preds:
        if p[0] == "num" and p[1] == int(p[1]):
            out.append((None, int(p[1])))
        else:
            out.append((_compile(p), None))
    return out


def _in_context(nodes: list, ctx: Ctx) -> list:
    """ODK's contextualized absolute paths: inside a repeat instance, an absolute path through
    that repeat means this instance (JavaRosa's TreeReference.contextualize, Enketo alike).
    `/data/rep/q` evaluated for /data/rep[2]/other is /data/rep[2]/q; from outside, all of them."""
    anchor = ctx.current
    first = nodes[0]
    parent = first.parent
    while anchor is not None:
        if anchor.parent is parent and anchor.name == first.name:
            return [anchor] if anchor in nodes else nodes
        anchor = anchor.parent
    return nodes


def _relevant(nodes: list) -> list:
    """A path's result without its non-relevant nodes: JavaRosa evaluates every path through
    XPathPathExprEval.eval, which drops them (removeIrrelevantNodesets), so a hidden answer
    reads as empty and count() leaves hidden repeat instances out. Secondary instances are
    always relevant. Returns a new list (callers may keep or change it)."""
    if len(nodes) == 1:
        return [nodes[0]] if nodes[0].relevant else []
    return [n for n in nodes if n.relevant]


def _compile_path(absolute: bool, base, steps):
    base_fn = _compile(base) if base is not None else None
    # choice lists: instance('x')/root/item[name = ...] filters read-only secondary instances,
    # so an equality test on an item's child can use an index instead of a scan
    indexable = base is not None and base[0] == "call" and base[1] == "instance"
    compiled = []
    for axis, test, preds in steps:
        cpreds = _compile_preds(preds)
        if indexable and axis == "child" and preds and test not in ("*", "node()", "text()"):
            lookup = index_lookup(preds[0], _compile)
            if lookup is not None:
                cpreds[0] = lookup
        compiled.append((_step_fn(axis, test), cpreds, axis not in ("child", "self", "attribute"), axis == "child"))

    def run(ctx: Ctx):
        if base_fn is not None:
            nodes = to_nodes(base_fn(ctx), "the start of a path")
        elif absolute:
            nodes = [ctx.env.main_doc]
        else:
            nodes = [ctx.node]
        for step, preds, may_dup, child in compiled:
            if preds:
                out = []
                for n in nodes:
                    out.extend(_filter(list(step(n)), preds, ctx))
            elif len(nodes) == 1:
                out = list(step(nodes[0]))
                if absolute and child and len(out) > 1 and base_fn is None:
                    out = _in_context(out, ctx)
            else:
                out = [m for n in nodes for m in step(n)]
            nodes = _dedupe(out) if may_dup and len(nodes) > 1 else out
            if not nodes:
                return []
        return nodes if indexable else _relevant(nodes)

    # The most common shape in forms, /data/group/question: plain child steps, no predicates.
    if absolute and base_fn is None and steps and all(a == "child" and t not in ("*", "node()", "text()") and not p
                                                     for a, t, p in steps):
        names = [t for _, t, _ in steps]

        def run_simple(ctx: Ctx):
            nodes = [ctx.env.main_doc]
            for name in names:
                if len(nodes) == 1:
                    nodes = nodes[0].kids.get(name, [])
                    if len(nodes) > 1:
                        nodes = _in_context(nodes, ctx)
                else:
                    nodes = [m for n in nodes for m in n.kids.get(name, ())]
                if not nodes:
                    return []
            return _relevant(nodes)
        return run_simple
    return run


from waypoint_core.xform.xpath_index import index_lookup  # noqa: E402  (needs Ctx, compare above)

# ---- compile -------------------------------------------------------------------------------

def _compile(ast):
    kind = ast[0]
    if kind == "num":
        value = ast[1]
        return lambda ctx: value
    if kind == "str":
        text = ast[1]
        return lambda ctx: text
    if kind == "or":
        a, b = _compile(ast[1]), _compile(ast[2])
        return lambda ctx: to_bool(a(ctx)) or to_bool(b(ctx))
    if kind == "and":
        a, b = _compile(ast[1]), _compile(ast[2])
        return lambda ctx: to_bool(a(ctx)) and to_bool(b(ctx))
    if kind == "cmp":
        op, a, b = ast[1], _compile(ast[2]), _compile(ast[3])
        if op in ("=", "!="):
            # ${q} = 'yes', the commonest condition in forms: the shortcut for a text answer
            if ast[2][0] == "path" and ast[3][0] == "str":
                return _text_equals(a, ast[3][1], op == "=")
            if ast[3][0] == "path" and ast[2][0] == "str":
                return _text_equals(b, ast[2][1], op == "=")
        return lambda ctx: compare(op, a(ctx), b(ctx))
    if kind == "arith":
        op, a, b = ast[1], _compile(ast[2]), _compile(ast[3])
        return lambda ctx: arith(op, to_number(a(ctx)), to_number(b(ctx)))
    if kind == "neg":
        a = _compile(ast[1])
        return lambda ctx: -to_number(a(ctx))
    if kind == "union":
        a, b = _compile(ast[1]), _compile(ast[2])
        return lambda ctx: _dedupe(to_nodes(a(ctx), "'|' operand") + to_nodes(b(ctx), "'|' operand"))
    if kind == "filter":
        base, preds = _compile(ast[1]), _compile_preds(ast[2])
        return lambda ctx: _filter(to_nodes(base(ctx), "a filtered value"), preds, ctx)
    if kind == "path":
        return _compile_path(ast[1], ast[2], ast[3])
    if kind == "call":
        from waypoint_core.xform.xpath_functions import compile_call
        return compile_call(ast[1], [_compile(a) for a in ast[2]], ast[2])
    if kind == "var":
        raise XPathEvalError(f"variables (${ast[1]}) are not part of XForms")
    raise XPathEvalError(f"unknown expression kind {kind}")


def _text_equals(path, literal: str, equal: bool):
    """`path = 'literal'` (or !=) as compare() does it, without building the list of values when the
    path reads one leaf read as text (not a number, date or boolean: those go through compare())."""
    def run(ctx: Ctx):
        nodes = path(ctx)
        if not nodes:
            return (literal == "") is equal
        if len(nodes) == 1:
            n = nodes[0]
            if not n.children and (n.vtype or n.dtype) not in _ATOMS:
                return ((n.value if n.relevant else "") == literal) is equal
        return compare("=" if equal else "!=", nodes, literal)
    return run


class Expr:
    """A compiled expression: `evaluate(node, env)` returns an XPath value."""

    __slots__ = ("text", "ast", "fn")

    def __init__(self, text: str, ast, fn):
        self.text = text
        self.ast = ast
        self.fn = fn

    def evaluate(self, node, env, current=None):
        return self.fn(Ctx(node, env, current))

    def __repr__(self) -> str:
        return f"Expr({self.text!r})"


@lru_cache(maxsize=8192)
def compile_xpath(text: str) -> Expr:
    """Parse and compile once per distinct expression text; raises XPathSyntaxError/XPathEvalError."""
    ast = parse_xpath(text)
    return Expr(text, ast, _compile(ast))


def compile_ast(ast, text: str) -> Expr:
    """An Expr from an already parsed AST (e.g. one argument of a call its caller reads itself); `text` is
    what error messages quote."""
    return Expr(text, ast, _compile(ast))
