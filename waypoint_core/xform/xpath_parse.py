"""XPath 1.0 parser for XForm expressions: text → a small tuple AST, parsed once per distinct text.

Why our own parser rather than elementpath's XPath1Parser: elementpath parses fast (~30 µs an
expression) but its tokens evaluate against its own node trees (rebuilt on every structural
change, e.g. adding a repeat) with XPath 2 typing (an empty answer compared with a number raises
FORG0001 instead of being false), statically evaluates at parse time, and needs a token class per
ODK function (prefixed ones such as jr:choice-name need namespace proxies). A 300-line recursive
descent parser gives an AST we compile to closures over our own node model (xpath_eval), with
XPath 1.0 semantics by construction. Measured in bench/bench_forms.py.

AST nodes are tuples whose first item is the kind:
  ("num", float) ("str", text) ("var", name)
  ("or"|"and", a, b) ("cmp", op, a, b) ("arith", op, a, b) ("neg", a) ("union", a, b)
  ("call", name, [args]) ("filter", primary, [predicates])
  ("path", absolute, base, [steps])  base is None or an AST (e.g. instance('x') or current())
  step = (axis, test, [predicates]); test is a local name, "*", "node()" or "text()".
"""

from __future__ import annotations

import re
from functools import lru_cache

from waypoint_core.xform.errors import XPathSyntaxError

_TOKEN_RE = re.compile(
    r"""\s*(?:
    (?P<num>\d+(?:\.\d*)?|\.\d+)
  | (?P<str>"[^"]*"|'[^']*')
  | (?P<op>//|::|\.\.|!=|<=|>=|[/()\[\].@,|+\-=<>*$])
  | (?P<name>[^\W\d][\w.\-]*(?::[^\W\d][\w.\-]*)?(?::\*)?)
    )""",
    re.VERBOSE,
)

_AXES = {
    "child", "parent", "self", "attribute", "descendant", "descendant-or-self", "ancestor",
    "ancestor-or-self", "following-sibling", "preceding-sibling", "following", "preceding", "namespace",
}
_NODE_TYPES = {"node", "text", "comment", "processing-instruction"}
_OPERATOR_NAMES = {"and", "or", "div", "mod"}
# After these tokens a `*` or an operator name is a name test, not an operator (XPath 1.0 §3.7).
_NO_OPERATOR_AFTER = {None, "@", "::", "(", "[", ",", "/", "//", "|", "+", "-", "=", "!=", "<", "<=",
                      ">", ">=", "*op", "and", "or", "div", "mod", "neg"}


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    end = len(text.rstrip())
    prev: str | None = None
    while pos < end:
        m = _TOKEN_RE.match(text, pos)
        if not m or m.end() == pos:
            raise XPathSyntaxError(f"unexpected character {text[pos:pos + 10].strip()!r} at {pos}", expression=text)
        pos = m.end()
        kind = m.lastgroup
        value = m.group(kind)
        if kind == "op" and value == "*":
            # multiplication only after something that ends an operand
            kind, value = ("op", "*op") if prev not in _NO_OPERATOR_AFTER else ("name", "*")
        elif kind == "name" and value in _OPERATOR_NAMES and prev not in _NO_OPERATOR_AFTER:
            kind = "op"
        elif kind == "op" and value == "-" and prev in _NO_OPERATOR_AFTER:
            value = "neg"
        tokens.append((kind, value))
        prev = value if kind == "op" else kind
        if kind in ("num", "str", "name"):
            prev = "operand"
        if value == ")" or value == "]" or value == "." or value == "..":
            prev = "operand"
    tokens.append(("end", ""))
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0

    def peek(self, offset: int = 0) -> tuple[str, str]:
        return self.tokens[min(self.i + offset, len(self.tokens) - 1)]

    def next(self) -> tuple[str, str]:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def error(self, message: str) -> XPathSyntaxError:
        kind, value = self.peek()
        where = "end of expression" if kind == "end" else repr(value)
        return XPathSyntaxError(f"{message} at {where}", expression=self.text)

    def expect(self, value: str) -> None:
        kind, v = self.next()
        if v != value or kind not in ("op",):
            self.i -= 1
            raise self.error(f"expected {value!r}")

    def at_op(self, *values: str) -> bool:
        kind, v = self.peek()
        return kind == "op" and v in values

    # Grammar, lowest precedence first.
    def parse(self):
        node = self.or_expr()
        if self.peek()[0] != "end":
            raise self.error("unexpected token")
        return node

    def or_expr(self):
        left = self.and_expr()
        while self.at_op("or"):
            self.next()
            left = ("or", left, self.and_expr())
        return left

    def and_expr(self):
        left = self.eq_expr()
        while self.at_op("and"):
            self.next()
            left = ("and", left, self.eq_expr())
        return left

    def eq_expr(self):
        left = self.rel_expr()
        while self.at_op("=", "!="):
            op = self.next()[1]
            left = ("cmp", op, left, self.rel_expr())
        return left

    def rel_expr(self):
        left = self.add_expr()
        while self.at_op("<", "<=", ">", ">="):
            op = self.next()[1]
            left = ("cmp", op, left, self.add_expr())
        return left

    def add_expr(self):
        left = self.mul_expr()
        while self.at_op("+", "-"):
            op = self.next()[1]
            left = ("arith", op, left, self.mul_expr())
        return left

    def mul_expr(self):
        left = self.unary_expr()
        while self.at_op("*op", "div", "mod"):
            op = self.next()[1]
            left = ("arith", "*" if op == "*op" else op, left, self.unary_expr())
        return left

    def unary_expr(self):
        if self.at_op("neg", "-"):
            self.next()
            return ("neg", self.unary_expr())
        return self.union_expr()

    def union_expr(self):
        left = self.path_expr()
        while self.at_op("|"):
            self.next()
            left = ("union", left, self.path_expr())
        return left

    def path_expr(self):
        kind, value = self.peek()
        if kind == "op" and value in ("/", "//"):
            self.next()
            steps = []
            if value == "//":
                steps.append(("descendant-or-self", "node()", []))
                steps.extend(self.relative_steps())
            elif self._starts_step():
                steps.extend(self.relative_steps())
            return ("path", True, None, steps)
        if self._starts_step():
            return ("path", False, None, self.relative_steps())
        primary = self.filter_expr()
        if self.at_op("/", "//"):
            sep = self.next()[1]
            steps = [("descendant-or-self", "node()", [])] if sep == "//" else []
            steps.extend(self.relative_steps())
            return ("path", False, primary, steps)
        return primary

    def _starts_step(self) -> bool:
        kind, value = self.peek()
        if kind == "op":
            return value in (".", "..", "@")
        if kind != "name":
            return False
        nkind, nvalue = self.peek(1)
        if nkind == "op" and nvalue == "(":
            return value in _NODE_TYPES
        return True

    def relative_steps(self):
        steps = [self.step()]
        while self.at_op("/", "//"):
            if self.next()[1] == "//":
                steps.append(("descendant-or-self", "node()", []))
            steps.append(self.step())
        return steps

    def step(self):
        kind, value = self.next()
        if kind == "op" and value == ".":
            return ("self", "node()", [])
        if kind == "op" and value == "..":
            return ("parent", "node()", [])
        axis = "child"
        if kind == "op" and value == "@":
            axis = "attribute"
            kind, value = self.next()
        elif kind == "name" and self.at_op("::"):
            if value not in _AXES:
                raise XPathSyntaxError(f"unknown axis {value!r}", expression=self.text)
            axis = value
            self.next()
            kind, value = self.next()
        if kind != "name":
            self.i -= 1
            raise self.error("expected a name")
        if value in _NODE_TYPES and self.at_op("("):
            self.next()
            self.expect(")")
            test = value + "()"
        else:
            test = _local(value)
        return (axis, test, self.predicates())

    def predicates(self):
        preds = []
        while self.at_op("["):
            self.next()
            preds.append(self.or_expr())
            self.expect("]")
        return preds

    def filter_expr(self):
        primary = self.primary()
        preds = self.predicates()
        return ("filter", primary, preds) if preds else primary

    def primary(self):
        kind, value = self.next()
        if kind == "num":
            return ("num", float(value))
        if kind == "str":
            return ("str", value[1:-1])
        if kind == "op" and value == "(":
            inner = self.or_expr()
            self.expect(")")
            return inner
        if kind == "op" and value == "$":
            kind, value = self.next()
            return ("var", value)
        if kind == "name" and self.at_op("("):
            self.next()
            args = []
            if not self.at_op(")"):
                args.append(self.or_expr())
                while self.at_op(","):
                    self.next()
                    args.append(self.or_expr())
            self.expect(")")
            return ("call", value, args)
        self.i -= 1
        raise self.error("expected an expression")


def _local(name: str) -> str:
    """Instance names are matched by local name: forms mix `orx:meta` and `meta` freely."""
    if name.endswith(":*"):
        return "*"
    return name.rsplit(":", 1)[-1]


@lru_cache(maxsize=8192)
def parse_xpath(text: str):
    """Parse an XPath 1.0 expression into the tuple AST above (cached per distinct text)."""
    if not text or not text.strip():
        raise XPathSyntaxError("empty expression", expression=text)
    return _Parser(text).parse()


def is_path(ast) -> bool:
    return ast[0] == "path"
