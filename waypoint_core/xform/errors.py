"""Errors the XForm engine raises: each names the question (ref) and the expression at fault.

A form author reads these messages (through `waypoint forms check` or the app), so they say what
is wrong in the form's own terms: which question, which attribute, which expression.
"""

from __future__ import annotations


class FormError(Exception):
    """A form that cannot be loaded or run as written."""

    def __init__(self, message: str, *, ref: str | None = None, expression: str | None = None):
        self.ref = ref
        self.expression = expression
        self.reason = message
        parts = [message]
        if ref:
            parts.append(f"question {ref}")
        if expression is not None:
            parts.append(f"expression {expression!r}")
        super().__init__(" — ".join(parts))


class XPathSyntaxError(FormError):
    """An expression that does not parse as XPath 1.0."""


class XPathEvalError(FormError):
    """An expression that parsed but cannot be evaluated (unknown function, wrong arguments...)."""


class DependencyCycleError(FormError):
    """Calculations or conditions that depend on each other in a loop."""


class AnswerError(ValueError):
    """An answer the question cannot take (wrong type, unknown ref, readonly). Nothing is changed."""

    def __init__(self, message: str, *, ref: str):
        self.ref = ref
        super().__init__(f"{message} — question {ref}")
