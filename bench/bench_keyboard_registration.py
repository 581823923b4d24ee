"""A registration typed without a mouse: key presses and seconds for the shipped migrant form.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_keyboard_registration.py [--runs 3]

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_keyboard_registration.py --compare REV
        # also runs REV's own version of this script on REV's code (git archive into a temporary folder)

Builds the app as `waypoint-app` does on a throwaway vault (fast test KDF), signs in (the laptop's place:
Niger, Agadez transit centre, answered on the first sign-in), then registers one synthetic person through
the real widgets with key presses only, as a trained field worker would: Ctrl+N, Enter on the form,
then for each answer: Page Down for a later page, Enter until the question has the focus, and the keys
that answer it (typed text and dates; the first letters of a drop-down choice; the first letter of a
choice in a list of choices, Space for a check box); finally Ctrl+Enter to finalize. Questions already
answered by default (the laptop's country and centre, today's date) are left as they are. It stops when
the finalized record is in the list. A mouse event during the run is an error.

Prints the key presses (navigation and answering), the wall-clock seconds of the scripted run (the
app's own delays: opening, saving, page changes) and the time a person would take for those keys at
0.28 s a key (the keystroke-level model's average typist). Figures, no assertions.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

KEY_SECONDS = 0.28  # Card, Moran & Newell's keystroke-level model, average skilled typist
PASSPHRASE = "quiet river at dawn"
FORM = "/data"

# The same person as tests/ui/forms/test_migrant_end_to_end.py: (ref, value); "+" adds a repeat entry.
ANSWERS = [
    ("centre_page/centre_country", "NE"),
    ("centre_page/centre", "ne_agadez"),
    ("consent/consent_given_by", "self"),
    ("consent/consent_services", "yes"),
    ("consent/legal_basis", "consent"),
    ("consent/consent_share_providers", "yes"),
    ("consent/consent_share_authorities", "yes"),
    ("consent/consent_share_unhcr", "yes"),
    ("consent/consent_anonymous_reporting", "yes"),
    ("consent/consent_followup_contact", "yes"),
    ("consent/consent_matching", "yes"),
    ("consent/consent_method", "verbal_witnessed"),
    ("consent/interview_language", "fr"),
    ("consent/interpreter_used", "no"),
    ("identity/given_name", "Awa"),
    ("identity/family_name", "Diallo"),
    ("identity/sex", "female"),
    ("identity/age_years", "27"),
    ("identity/stateless_or_undetermined", "no"),
    ("identity/nationality", "ML"),
    ("identity/id_document_type", "none"),
    ("group_info/travelling_alone", "no"),
    ("household_member[1]/member_name", "Moussa"),
    ("household_member[1]/member_relationship", "child"),
    ("household_member[1]/member_sex", "male"),
    ("household_member[1]/member_age", "4"),
    ("household_member", "+"),
    ("household_member[2]/member_name", "Hawa"),
    ("household_member[2]/member_relationship", "sibling"),
    ("household_member[2]/member_sex", "female"),
    ("household_member[2]/member_age", "19"),
    ("migration/beneficiary_category", "migrant_transit"),
    ("migration/arrival_channel", "self"),
    ("needs/needs_referral", "no"),
    ("intentions/intention", "stay"),
]


class NotByKeyboard(RuntimeError):
    """The script could not go on with keys alone: the person would need the mouse here."""


class Keyboard:
    """Key presses to whatever has the focus, counted by purpose."""

    def __init__(self, qt_app, window, settle) -> None:
        from PySide6.QtCore import QEvent, QObject

        self.qt_app, self.window, self.settle = qt_app, window, settle
        self.counts: Counter[str] = Counter()

        class MouseWatch(QObject):
            seen = 0

            def eventFilter(self, obj, event):
                if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick):
                    MouseWatch.seen += 1
                return False

        self.mouse = MouseWatch()
        qt_app.installEventFilter(self.mouse)

    def focus(self):
        return self.qt_app.focusWidget()

    def press(self, key, modifier=None, *, purpose: str) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        target = self.focus() or self.window
        QTest.keyClick(target, key, modifier or Qt.KeyboardModifier.NoModifier)
        self.counts[purpose] += 1
        self.qt_app.processEvents()

    def type(self, text: str, *, purpose: str = "answer") -> None:
        from PySide6.QtTest import QTest

        for char in text:
            QTest.keyClicks(self.focus() or self.window, char)
            self.counts[purpose] += 1
            self.qt_app.processEvents()


def register_by_keyboard(app, keys: Keyboard, settle, *, verbose: bool = False) -> str:
    """One registration, keys only; returns the record id once it is finalized in the list."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QComboBox

    from desktop_app.ui.forms.choices import SelectOneComboField, _ButtonsField

    window = app.window
    keys.press(Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier, purpose="commands")
    settle(lambda: window.stack.currentWidget() is app.forms.chooser)
    opened = []
    app.forms.screen_opened.connect(opened.append)
    keys.press(Qt.Key.Key_Return, purpose="commands")
    settle(lambda: bool(opened))
    screen = opened[0]
    view = screen.view
    settle(lambda: keys.focus() is not None and view.isAncestorOf(keys.focus()), ms=5000)

    def reach(ref: str, *, repeat: bool = False):
        page = view.page_of_ref(ref + "[1]" if repeat else ref)
        for _ in range(len(view.pages)):
            if view.current == page:
                break
            keys.press(Qt.Key.Key_PageDown, purpose="navigation")
        if view.current != page:
            raise NotByKeyboard(f"Page Down did not reach the page of {ref}")
        target = view.repeats[ref].add_button if ref in view.repeats else view.field(ref)
        # Enter goes from question to question; the repeat's Add button is reached with Tab
        key = Qt.Key.Key_Tab if ref in view.repeats else Qt.Key.Key_Return
        for _ in range(80):
            focus = keys.focus()
            if focus is not None and (focus is target or target.isAncestorOf(focus)):
                return target
            keys.press(key, purpose="navigation")
        raise NotByKeyboard(f"the keyboard never reached {ref}")

    def choose_button(field, value: str) -> None:
        # the first letter of the choice goes to it (and chooses it in a single choice); again for the next one
        wanted = field.choice_button(value)
        letter = wanted.text().replace("&", "")[0].lower()
        for _ in range(len(field.buttons) + 1):
            if keys.focus() is wanted:
                break
            if keys.focus() not in field.buttons.values():
                raise NotByKeyboard(f"the focus left the choices of {field.ref}")
            keys.type(letter)
        if keys.focus() is not wanted:
            raise NotByKeyboard(f"typing {letter!r} did not reach {value} in {field.ref}")
        if not wanted.isChecked():
            keys.press(Qt.Key.Key_Space, purpose="answer")

    def choose_in_combo(field, value: str) -> None:
        combo: QComboBox = field.combo
        label = combo.itemText(combo.findData(value))
        for char in label:
            if combo.currentData() == value:
                break
            keys.type(char)
        if combo.currentData() != value:
            raise NotByKeyboard(f"typing {label!r} did not choose {value} in {field.ref}")

    for relative, value in ANSWERS:
        ref = f"{FORM}/{relative}"
        if value != "+" and screen.session.value(ref) == value:
            continue  # already answered (a default): a person moves on without touching it
        before = sum(keys.counts.values())
        target = reach(ref, repeat=value == "+")
        if value == "+":
            keys.press(Qt.Key.Key_Space, purpose="answer")
            settle(lambda r=ref: len(view.repeats[r].instances) >= 2, ms=5000)
        elif isinstance(target, SelectOneComboField):
            choose_in_combo(target, value)
        elif isinstance(target, _ButtonsField):
            for one in value.split():
                choose_button(target, one)
        else:
            keys.type(value)
        if value != "+" and screen.session.value(ref) != value:
            raise NotByKeyboard(f"{ref} is {screen.session.value(ref)!r}, not {value!r}")
        if verbose:
            print(f"    {relative:45s} {value:18s} {sum(keys.counts.values()) - before:3d} keys")

    record_id = screen.record_id
    keys.press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier, purpose="commands")
    model = window.model

    def in_list() -> bool:
        rows = (model.row_at(r) for r in range(model.rowCount()))
        return any(r.record_id == record_id and r.status == "finalized" for r in rows)

    settle(in_list, ms=20_000)
    if not in_list():
        issues = [i.ref for i in screen.session.validate()] if screen.session is not None else []
        raise NotByKeyboard(f"the record was not finalized; still to answer: {issues}")
    return record_id


def _describe(rev: str) -> str:
    import subprocess

    return subprocess.run(["git", "log", "-1", "--format=%h %cs", rev], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1]).stdout.strip()


def compare(rev: str, runs: int) -> None:
    """Run `rev`'s own bench on `rev`'s code (its files extracted from git), with this virtual environment."""
    import subprocess

    repo = Path(__file__).resolve().parents[1]
    folder = Path(tempfile.mkdtemp(prefix="waypoint-bench-before-"))
    archive = subprocess.run(["git", "archive", rev], cwd=repo, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    print(f"{rev} ({_describe(rev)}):", flush=True)
    # the other tree first on the path: its desktop_app, not this one's (installed in editable mode)
    env = {**os.environ, "PYTHONPATH": str(folder)}
    subprocess.run([sys.executable, "-P", str(folder / "bench" / "bench_keyboard_registration.py"), "--runs",
                    str(runs)], cwd=folder, env=env, check=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="registrations to time (the first one included)")
    parser.add_argument("--verbose", action="store_true", help="print the keys each answer took")
    parser.add_argument("--compare", metavar="REV", help="first run REV's version of this bench on REV's code")
    args = parser.parse_args(argv)
    if args.compare:
        compare(args.compare, args.runs)
        print(f"this tree ({_describe('HEAD')}):")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["WAYPOINT_ALLOW_TEST_KDF"] = "1"  # a throwaway vault: the fast KDF is fine here
    os.environ["WAYPOINT_HOME"] = tempfile.mkdtemp(prefix="waypoint-bench-keys-")

    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from desktop_app.paths import app_paths
    from desktop_app.services import forms
    from desktop_app.ui.app import build_app
    from tests.ui.screens import settle

    qt_app = QApplication([sys.argv[0]])
    # the offscreen plugin says this on every layout change; it is noise here (see tests/ui/conftest.py)
    qInstallMessageHandler(lambda kind, context, message: None if "propagateSizeHints" in message
                           else sys.stderr.write(message + "\n"))
    app = build_app(qt_app=qt_app, paths=app_paths(), kdf_profile="test", language="en")
    window = app.window
    window.resize(1100, 760)
    window.show()
    window.activateWindow()
    settle(window.isActiveWindow, ms=5000)
    # Setting up and signing in is not part of a registration: done through the screens, not timed.
    setup = window.setup_page
    setup.location_next.click()
    setup.username.setText("amina.admin")
    setup.passphrase.setText(PASSPHRASE)
    setup.repeat.setText(PASSPHRASE)
    setup.create_button.click()
    settle(lambda: setup.steps.currentIndex() == 2)
    setup.written_down.setChecked(True)
    setup.finish_button.click()
    window.unlock_page.passphrase.setText(PASSPHRASE)
    window.unlock_page.unlock_button.click()
    settle(lambda: app.controller.is_unlocked)
    place = getattr(window, "place_page", None)  # the first sign-in asks where the laptop works
    if place is not None:
        settle(lambda: window.stack.currentWidget() is place, ms=10_000)
        place.country.setCurrentIndex(place.country.findData("NE"))
        place.centre.setCurrentIndex(place.centre.findData("ne_agadez"))
        place.save_button.click()
        settle(lambda: window.stack.currentWidget() is window.registrations_page, ms=10_000)
    installing = app.controller.run_with_vault(lambda vault, state: forms.install_shipped_forms(vault))
    done: list[int] = []
    installing.finished.connect(lambda: done.append(1))
    settle(lambda: bool(done), ms=120_000)
    window.activateWindow()
    settle(window.isActiveWindow, ms=5000)

    print(f"{'run':>3s} {'keys':>5s} {'navigation':>10s} {'answering':>9s} {'commands':>8s} {'seconds':>7s} "
          f"{'person_s':>8s}")
    status = 0
    for run in range(1, args.runs + 1):
        keys = Keyboard(qt_app, window, settle)
        started = time.perf_counter()
        try:
            register_by_keyboard(app, keys, settle, verbose=args.verbose and run == 1)
        except NotByKeyboard as stop:
            print(f"{run:3d} stopped: {stop}")
            status = 1
            break
        seconds = time.perf_counter() - started
        total = sum(keys.counts.values())
        if keys.mouse.seen:
            print(f"{run:3d} used the mouse {keys.mouse.seen} times")
            status = 1
        print(f"{run:3d} {total:5d} {keys.counts['navigation']:10d} {keys.counts['answer']:9d} "
              f"{keys.counts['commands']:8d} {seconds:7.2f} {total * KEY_SECONDS:8.1f}")
        qt_app.removeEventFilter(keys.mouse)
    app.close()
    return status


if __name__ == "__main__":
    sys.exit(main())
