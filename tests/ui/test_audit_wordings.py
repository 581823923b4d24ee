"""Every audit event the laptop can write has words on the audit screen, in English and French: a new event
recorded somewhere without a wording fails here instead of showing its raw name (`devices.enrolment_code`) to a
coordinator.

The events are found in the code itself: the calls that write an audit entry (`audit.note`, `audit.note_in`,
`log.append`, `log.append_db`, the rights checks `_decide(..., "use.case", ...)` and `Check("use.case", ...)`) with a
literal name or a constant of waypoint_core/access/audit.py, and every such constant. A call whose event is neither
fails too, unless it is one of the few functions that only pass on the name they were given (FORWARDERS)."""

from __future__ import annotations

import ast
from pathlib import Path

from PySide6.QtCore import QTranslator

from desktop_app.ui.access_audit import event_text
from waypoint_core.access import audit as chain

ROOT = Path(__file__).resolve().parents[2]
# (module, function name) -> position of the event argument, or the keyword that carries it
WRITERS: dict[tuple[str, str], int | str] = {
    ("audit", "note"): 1, ("audit", "note_in"): 2, ("audit", "append"): 1, ("audit", "append_db"): "event",
    ("log", "append"): 1, ("log", "append_db"): "event", ("", "note"): 1, ("", "note_in"): 2, ("", "_decide"): 1,
    ("", "Check"): 0,
}
# Calls that pass on an event name their caller chose (the callers are checked): file -> the names passed on.
FORWARDERS = {"desktop_app/services/audit.py": {"event", "check.use_case"},
              "desktop_app/services/access.py": {"use_case"}}
# Names built from a value: file and expression -> every name it can make (keep in step with the code).
BUILT = {("desktop_app/services/access.py", "f'case.{change}'"): ["case.closed", "case.reopened"]}


def _event_argument(call: ast.Call) -> ast.expr | None:
    func = call.func
    if isinstance(func, ast.Name):
        key = ("", func.id)
    elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        key = (func.value.id, func.attr)
    else:
        return None
    spot = WRITERS.get(key)
    if isinstance(spot, int):
        return call.args[spot] if len(call.args) > spot else None
    if isinstance(spot, str):
        return next((k.value for k in call.keywords if k.arg == spot), None)
    return None


def _names(node: ast.expr) -> list[str] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Attribute) and isinstance(getattr(chain, node.attr, None), str):
        return [getattr(chain, node.attr)]
    if isinstance(node, ast.IfExp):
        body, orelse = _names(node.body), _names(node.orelse)
        return None if body is None or orelse is None else body + orelse
    return None


def emitted_events() -> dict[str, str]:
    """Every event name the laptop's code can write -> where (file:line, or the constant)."""
    found = {value: f"waypoint_core/access/audit.py {name}" for name, value in vars(chain).items()
             if name.isupper() and isinstance(value, str) and "." in value}
    unknown = []
    for path in sorted((ROOT / "desktop_app").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            argument = _event_argument(node) if isinstance(node, ast.Call) else None
            if argument is None:
                continue
            names = _names(argument) or BUILT.get((relative, ast.unparse(argument)))
            if names is None:
                if ast.unparse(argument) not in FORWARDERS.get(relative, set()):
                    unknown.append(f"{relative}:{node.lineno}: {ast.unparse(argument)}")
                continue
            for name in names:
                found.setdefault(name, f"{relative}:{node.lineno}")
    assert not unknown, f"audit events this test cannot read (name them literally or as a constant): {unknown}"
    return found


def test_the_scan_finds_the_events_written_outside_the_constants():
    events = emitted_events()
    assert {"devices.enrolment_code", "devices.enrolment_code_revoked", "records.undo_deletion", "record.view",
            "devices.mark_lost", "records.apply_retention", "case.closed", chain.SIGN_IN} <= set(events)


def test_every_audit_event_has_words_in_english_and_french(qapp):
    events = emitted_events()
    missing = {event: where for event, where in events.items() if event_text(event) == event}
    assert not missing, f"audit events without words in desktop_app/ui/access_audit.py event_text: {missing}"
    french = QTranslator()
    assert french.load(str(ROOT / "resources" / "i18n" / "access_fr.qm"))
    untranslated = sorted(event for event in events if not french.translate("AuditWords", event_text(event)))
    assert not untranslated, f"no French for these events' words (resources/i18n/access_fr.ts): {untranslated}"
