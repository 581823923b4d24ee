"""Fill a session to a valid finalized instance, for `waypoint forms check` and the tests.

A small solver: for every relevant, answerable question in form order it tries typed candidate
values until one satisfies the question's type and constraint. Candidates come from the
constraint itself (its number literals ±1, strings generated from its regex(), lengths from
string-length()), from the values of the questions it reads, then from defaults per type. Repeats
get one instance, or their jr:count (applied once, when reached, as Collect does). Passes repeat
until nothing changes, since an answer can make other questions relevant or valid.
"""

from __future__ import annotations

import datetime as dt
import re
from re import _parser as re_parser  # the stdlib regex parser (sre_parse without its deprecation)

from waypoint_core.xform.errors import AnswerError, FormError
from waypoint_core.xform.xpath_eval import format_number, to_number

_INT_DEFAULTS = [1, 2, 0, 5, 10, 3, 18, 20, 30, 50, 100, 4, 6, 7, 8, 9, 11, 12, 15, 25, 40, 60, 99, 365, 1000,
                 2000, 2020, -1]
_TEXT_DEFAULTS = ["test", "Test answer", "abc", "1", "12345", "A1", "x"]


def autofill(session, *, max_passes: int = 30) -> int:
    """Answer every relevant question; returns how many answers were given."""
    filler = _Filler(session)
    for _ in range(max_passes):
        before = filler.answered
        # questions before repeats: a jr:count is applied once, when the repeat is reached, so
        # the answers it reads must be given first (as a person filling in order would)
        for item in _questions(session.items()):
            filler.fill(item)
        while filler.expand_repeats(session.items()):
            pass
        if filler.answered == before and not filler.expanded_last_pass:
            break
        filler.expanded_last_pass = False
    return filler.answered


def _questions(items):
    # non-relevant ones too: an earlier answer in the same pass may make them relevant
    for item in items:
        if item.kind == "question":
            yield item
        else:
            yield from _questions(item.children)


class _Filler:
    def __init__(self, session):
        self.session = session
        self.answered = 0
        self.counted: set[str] = set()
        self.expanded_last_pass = False
        self.orders: dict[tuple, list] = {}  # (question, its candidates) -> widest-first order

    def expand_repeats(self, items) -> bool:
        """Give each relevant repeat its instances; True if the structure changed (walk again)."""
        for item in items:
            if not item.relevant:
                continue
            if item.kind == "repeat":
                if item.count_fixed and self.session.repeat_count(item.ref) is not None:
                    if item.ref not in self.counted:
                        self.counted.add(item.ref)
                        if self.session.apply_repeat_count(item.ref):
                            self.expanded_last_pass = True
                            return True
                elif not item.children and not item.count_fixed:
                    self.session.add_repeat(item.ref)
                    self.counted.add(item.ref)
                    self.expanded_last_pass = True
                    return True
            if self.expand_repeats(item.children):
                return True
        return False

    def fill(self, item) -> None:
        session = self.session
        try:
            node = session.node(item.ref)
        except AnswerError:
            return  # an earlier answer removed it (a repeat count went down)
        if not node.relevant or session.is_readonly(node) or (node.bind and node.bind.calculate):
            return
        if node.value and session.is_valid(item.ref):
            return
        candidates = self.candidates(item, node)
        if item.type in ("select1", "select") and 1 < len(candidates) <= 40:
            # the order found for one repeat instance serves the others (bench10 has 200)
            key = (node.gpath, tuple(map(str, candidates)))
            if key not in self.orders:
                self.orders[key] = self._widest_first(item.ref, node, candidates)
            candidates = self.orders[key]
        for attempt in range(2):
            for candidate in candidates:
                try:
                    session.answer(item.ref, candidate)
                except AnswerError:
                    continue
                if node.value and session.is_valid(item.ref):
                    self.answered += 1
                    return
            if attempt == 0 and not self._repair(node):
                break
        if node.value and not node.required:
            session.answer(item.ref, None)

    def _widest_first(self, ref: str, node, candidates: list) -> list:
        """Order choices by how many questions each makes relevant, so a fill covers more form."""
        scores = []
        running = 0
        for candidate in candidates:
            try:
                changes = self.session.answer(ref, candidate)
            except AnswerError:
                scores.append(-10**9)
                continue
            running += sum(1 if n.relevant else -1 for n in changes.relevance)
            valid = node.value and self.session.is_valid(ref)
            scores.append(running if valid else -10**9)
        order = sorted(range(len(candidates)), key=lambda i: -scores[i])
        return [candidates[i] for i in order]

    def _repair(self, node) -> bool:
        """A constraint such as `/data/other = 'x'` needs another answer: give it, if allowed."""
        bind = node.bind
        if bind is None or bind.constraint is None:
            return False
        from waypoint_core.xform.xpath_refs import absolute_path
        repaired = False
        for part in _walk(bind.constraint.ast):
            if part[0] != "cmp" or part[1] != "=":
                continue
            path_side, literal = (part[2], part[3]) if part[3][0] in ("str", "num") else (part[3], part[2])
            if path_side[0] != "path" or literal[0] not in ("str", "num") or path_side[2] is not None:
                continue
            steps = "/".join(("" if a == "child" else "..") if a != "child" else t for a, t, _ in path_side[3])
            gpath = absolute_path(("/" if path_side[1] else "") + steps, node.gpath)
            other = self.session._related(node, gpath) if gpath else None
            if other is None or other is node or not other.relevant:
                continue
            value = literal[1] if literal[0] == "str" else format_number(literal[1])
            try:
                self.session.answer(self.session.ref_of(other), value)
                repaired = True
            except AnswerError:
                continue
        return repaired

    def candidates(self, item, node):
        session = self.session
        type_ = item.type
        if item.control == "trigger" or type_ == "acknowledge":
            return ["OK"]
        if item.choices is not None or type_ in ("select1", "select", "rank"):
            values = [c.value for c in session.choices(item.ref)]
            if type_ == "select":
                return [[v] for v in values] + ([values[:2]] if len(values) > 1 else []) + [values]
            if type_ == "rank":
                return [values]
            return values
        constraint = node.bind.constraint if node.bind is not None else None
        numbers, strings = _literals(constraint.ast if constraint is not None else None)
        numbers += self._referenced_numbers(node)
        today = session.today()
        if type_ in ("int", "decimal"):
            derived = []
            for x in numbers:
                for d in (0, 1, -1, 2, -2, 10):
                    derived.append(x + d)
            if item.attrs.get("start") is not None:
                derived = [to_number(item.attrs["start"]), to_number(item.attrs.get("end", "nan"))] + derived
            pool = derived + _INT_DEFAULTS + ([0.5, 1.5] if type_ == "decimal" else [])
            out = []
            for x in pool:
                if x != x:
                    continue
                v = int(x) if type_ == "int" else x
                if v not in out:
                    out.append(v)
            return [str(v) if type_ == "int" else format_number(float(v)) for v in out]
        if type_ == "date":
            days = [0, -1, 1, -365 * 20, -30, 30, -365, 365, -365 * 5, -365 * 40]
            return [today + dt.timedelta(days=d) for d in days] + [s for s in strings if re.match(r"\d{4}-\d\d-\d\d$", s)]
        if type_ == "dateTime":
            return [session.now(), session.now() - dt.timedelta(days=1)]
        if type_ == "time":
            return ["12:00:00", "08:30:00", "00:00:00", "23:00:00"]
        if type_ == "geopoint":
            return self._inside_geofences(node, constraint) + ["12.5 1.5 200 5", "0 0 0 0"]
        if type_ == "geotrace":
            return ["12.5 1.5 0 0;12.6 1.6 0 0"]
        if type_ == "geoshape":
            return ["12.5 1.5 0 0;12.6 1.5 0 0;12.6 1.6 0 0;12.5 1.5 0 0"]
        if type_ == "binary":
            return ["attachment-1.jpg"]
        if type_ == "boolean":
            return ["true", "false"]
        if type_ == "barcode":
            return ["0123456789"]
        out = list(strings)
        for pattern in _regexes(constraint.ast if constraint is not None else None):
            out[:0] = sample_for_regex(pattern)
        for x in numbers:
            if x == x and 0 < x < 200 and x == int(x):
                out += ["1" * int(x), "a" * int(x), str(int(x))]
        return out + _TEXT_DEFAULTS + [str(int(x)) for x in numbers if x == x]

    def _inside_geofences(self, node, constraint) -> list[str]:
        """For geofence(., shape) constraints: the mean of the shape's corners (inside a convex shape)."""
        from waypoint_core.xform.xpath_eval import Ctx, compile_ast, to_string
        out = []
        for part in _walk(constraint.ast) if constraint is not None else ():
            if part[0] == "call" and part[1] == "geofence" and len(part[2]) == 2:
                try:
                    shape = to_string(compile_ast(part[2][1], "geofence").fn(Ctx(node, self.session)))
                    points = [tuple(map(float, p.split()[:2])) for p in shape.split(";") if len(p.split()) >= 2]
                except (ValueError, FormError):
                    continue
                corners = points[:-1] if len(points) > 1 and points[0] == points[-1] else points
                if corners:
                    out.append(f"{sum(p[0] for p in corners) / len(corners)} {sum(p[1] for p in corners) / len(corners)}")
        return out

    def _referenced_numbers(self, node) -> list[float]:
        bind = node.bind
        if bind is None or bind.constraint is None:
            return []
        from waypoint_core.xform.xpath_refs import references
        out = []
        for path in references(bind.constraint.ast, node.gpath):
            other = self.session._related(node, path)
            if other is not None and other is not node and other.value:
                x = to_number(other.value)
                if x == x:
                    out.append(x)
        return out


def _walk(ast):
    if isinstance(ast, tuple):
        yield ast
        for part in ast[1:]:
            if isinstance(part, tuple):
                yield from _walk(part)
            elif isinstance(part, list):
                for p in part:
                    yield from _walk(p)


def _literals(ast) -> tuple[list[float], list[str]]:
    numbers, strings = [], []
    for node in _walk(ast) if ast is not None else ():
        if node[0] == "num":
            numbers.append(node[1])
        elif node[0] == "str":
            strings.append(node[1])
    return numbers, strings


def _regexes(ast) -> list[str]:
    out = []
    for node in _walk(ast) if ast is not None else ():
        if node[0] == "call" and node[1] == "regex" and len(node[2]) == 2 and node[2][1][0] == "str":
            out.append(node[2][1][1])
    return out


def sample_for_regex(pattern: str) -> list[str]:
    """A few strings matching `pattern` (shortest first), generated from its parse tree."""
    try:
        parsed = re_parser.parse(pattern)
    except re.error:
        return []
    out = []
    for more in (False, True):
        try:
            text = _gen(parsed, more)
        except (ValueError, IndexError, TypeError):
            continue
        if text not in out and re.search(pattern, text):
            out.append(text)
    return out


def _gen(items, more: bool) -> str:
    out = []
    for op, av in items:
        name = getattr(op, "name", str(op))
        if name == "LITERAL":
            out.append(chr(av))
        elif name == "NOT_LITERAL":
            out.append("a" if chr(av) != "a" else "b")
        elif name == "ANY":
            out.append("a")
        elif name == "IN":
            out.append(_pick_in(av))
        elif name == "CATEGORY":
            out.append(_category(av))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            lo, hi, sub = av
            n = lo if not more else min(hi, lo + 2)
            n = max(n, 1) if hi and hi >= 1 else n
            out.append("".join(_gen(sub, more) for _ in range(n)))
        elif name == "SUBPATTERN":
            out.append(_gen(av[-1], more))
        elif name == "BRANCH":
            out.append(_gen(av[1][0], more))
        elif name in ("AT", "GROUPREF", "ASSERT", "ASSERT_NOT"):
            continue
    return "".join(out)


def _category(av) -> str:
    name = getattr(av, "name", str(av))
    return {"CATEGORY_DIGIT": "1", "CATEGORY_NOT_DIGIT": "a", "CATEGORY_SPACE": " ", "CATEGORY_NOT_SPACE": "a",
            "CATEGORY_WORD": "a", "CATEGORY_NOT_WORD": "-"}.get(name, "a")


def _pick_in(av) -> str:
    negate = any(getattr(op, "name", "") == "NEGATE" for op, _ in av)
    if negate:
        chars = "".join(_pick_in([x]) for x in av if getattr(x[0], "name", "") != "NEGATE")
        for c in "aZ1 -":
            if c not in chars:
                return c
        return "~"
    for op, val in av:
        name = getattr(op, "name", str(op))
        if name == "LITERAL":
            return chr(val)
        if name == "RANGE":
            return chr(val[0])
        if name == "CATEGORY":
            return _category(val)
    return "a"
