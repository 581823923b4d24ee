"""One widget per question: the frame every field shares (label, required mark, hint, message beside
the field) and the typed-in kinds (text, numbers, geopoint, barcode); dates and times are in moments.py.

A field never talks to the engine: it emits `answered(ref, value)` and the form view applies it,
then hands back a fresh `Item` through `refresh`. Values cross as the engine's text ("42", "1.5",
"2024-01-31"), so a field can tell whether what it shows already is the stored answer and leaves
the cursor alone while someone types.
"""

from __future__ import annotations

import html
import re

from PySide6.QtCore import QEvent, QLocale, Qt, QTimer, Signal
from PySide6.QtGui import QDoubleValidator, QGuiApplication, QIntValidator
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from waypoint_core.xform import Item


# Right after the label's last word, where the eye ends; dark red on white passes WCAG AA.
REQUIRED_MARK = ' <span style="color:#a01818; font-weight:700;">*</span>'


def appearances(item: Item) -> set[str]:
    return set((item.appearance or "").split())


def label_of(item: Item) -> str:
    """What to call a question on screen; a question without a label is named by its ref's last step."""
    return item.label.strip() or item.ref.rsplit("/", 1)[-1].split("[", 1)[0].replace("_", " ")


class FieldWidget(QFrame):
    """The frame of one question. Subclasses build the editor and convert values to engine text."""

    # Its editor is a line or box of text (or shows no editor at all): frozen, it is read-only and stays focusable
    # and readable as it is. The others (choices, check boxes, sliders, files, tables) show their answer in a
    # read-only line instead of their controls, so Tab reaches it and nothing can be chosen (see freeze).
    reads_as_text = False

    answered = Signal(str, object)  # ref, value (engine text, or a typed value the engine accepts)
    message_shown = Signal(object)  # this field, when a message appears beside it (the view scrolls it into sight)

    def __init__(self, item: Item, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("field")
        self.ref = item.ref
        self.item = item
        self.touched = False  # the person left this field once, or tried to finalize: show messages
        self._loading = False
        self.restriction: str | None = None  # see set_restriction
        self._locked = False  # a sealed answer this person cannot read: never editable here
        self._refused: str | None = None  # the engine refused the last input (wrong format)
        self._waiting_for_release = False  # a message waits for a mouse button to be released
        self.frozen_line: QLineEdit | None = None  # the answer shown read-only in place of the controls
        self._hidden_controls: list[QWidget] = []  # what the read-only line hid (apply_readonly)
        self._shown_readonly = False  # what apply_readonly last showed
        self.label = QLabel(objectName="fieldLabel", wordWrap=True)
        self.label.setTextFormat(Qt.TextFormat.RichText)  # the form's text is escaped; only the mark is markup
        self.label_text = ""
        self.hint = QLabel(objectName="fieldHint", wordWrap=True)
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.restricted_note = QLabel(objectName="restrictedNote", wordWrap=True)
        self.restricted_note.setTextFormat(Qt.TextFormat.PlainText)
        self.restricted_note.hide()
        self.message = QLabel(objectName="fieldError", wordWrap=True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.hide()
        self.heading = QHBoxLayout()
        self.heading.setContentsMargins(0, 0, 0, 0)
        self.heading.addWidget(self.label, 1)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(0, 6, 0, 6)
        self.body.setSpacing(4)
        self.body.addLayout(self.heading)
        self.body.addWidget(self.hint)
        self.body.addWidget(self.restricted_note)
        first_editor_item = self.body.count()
        self.build_editor()
        self._editor_items = range(first_editor_item, self.body.count())  # what build_editor added (apply_readonly)
        self.name_controls()
        self.body.addWidget(self.message)
        self.refresh(item)

    # --- what subclasses provide ---------------------------------------------------------
    def build_editor(self) -> None:
        raise NotImplementedError

    def shown_value(self) -> str:
        """The engine text of what the editor shows now."""
        raise NotImplementedError

    def show_value(self, value: str) -> None:
        raise NotImplementedError

    def focus_target(self) -> QWidget:
        raise NotImplementedError

    def set_readonly(self, readonly: bool) -> None:
        self.focus_target().setEnabled(not readonly)

    def pin(self) -> None:
        """An answer given by where the form was opened from (the person of a case file): shown, never retyped, and
        read like any answer that cannot change (see freeze)."""
        self.freeze()

    def freeze(self) -> None:
        """A record shown read-only (its identifying data removed by the retention period), or an answer pinned: the
        answer is shown, no "required" mark, no message, and nothing can be typed or chosen."""
        self._locked = True
        self.refresh(self.item)

    def apply_readonly(self) -> None:
        """An answer that cannot change (the form makes it read-only, it is pinned or frozen, or restricted and not
        readable here) stays reachable by Tab and readable by a screen reader, never greyed, in the form's order: a
        text editor becomes read-only; the controls of any other kind give way to a read-only line showing the
        answer in words (the chosen labels), where they were, and come back when the answer may change again."""
        readonly = self.item.readonly or self._locked
        self.set_readonly(readonly)
        if self.reads_as_text and readonly != self._shown_readonly:
            editor = self.focus_target()
            editor.style().polish(editor)  # its look (form style: pale, its own padding) and height follow
            editor.updateGeometry()
        self._shown_readonly = readonly
        if self.reads_as_text or readonly == self.frozen:
            return
        if readonly:
            self._hidden_controls = [w for w in _widgets_of(self.body, self._editor_items) if not w.isHidden()]
            for widget in self._hidden_controls:
                widget.hide()
            self.frozen_line = QLineEdit(objectName="frozenAnswer", readOnly=True)
            self.body.insertWidget(self._editor_items.stop, self.frozen_line)
            QWidget.setTabOrder(self.focus_target(), self.frozen_line)  # Tab reaches it where its controls were
            self._name_frozen_line()
        else:
            line, self.frozen_line = self.frozen_line, None
            self.body.removeWidget(line)
            line.deleteLater()
            for widget in self._hidden_controls:
                widget.show()
            self._hidden_controls = []
        self._loading = True  # shown again: what show_value shows beside the answer (Clear) follows frozen
        try:
            self.show_value(self.item.value)
        finally:
            self._loading = False

    @property
    def frozen(self) -> bool:
        """Its controls gave way to the read-only line (apply_readonly): what shows or hides them leaves them
        hidden."""
        return self.frozen_line is not None

    def answer_widget(self) -> QWidget:
        """Where the answer is read and where the focus goes: the editor, or the read-only line of a frozen field."""
        return self.frozen_line if self.frozen_line is not None else self.focus_target()

    def answer_text(self, item: Item) -> str:
        """The answer in words, as a frozen field shows it: the labels of the chosen choices, in their order."""
        if item.choices:
            labels = {c.value: c.label.strip() or c.value for c in item.choices}
            return ", ".join(labels.get(value, value) for value in item.value.split())
        return item.value

    def refresh_choices(self, item: Item) -> None:
        """Selects rebuild their options here (choice filters, language)."""

    def name_controls(self) -> None:
        """Put the interface's words on what Waypoint adds to a question (Clear answer, — Choose —, DD/MM/YYYY):
        after build_editor, and again when the interface language changes while the form is open."""

    def _name_frozen_line(self) -> None:
        if self.frozen_line is not None:  # an answer this person may not read is not an empty one
            self.frozen_line.setPlaceholderText(self.tr("Not shown: restricted") if self._restriction_text()
                                                and self.restriction != "readable" else self.tr("No answer"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            # switched with the form open: "Clear answer" stayed English beside "Effacer la réponse" elsewhere. Words
            # only: the answer and its message are left alone (a form being closed gets this too, its record gone)
            self.name_controls()
            self._name_frozen_line()
            self.restricted_note.setText(self._restriction_text())
        super().changeEvent(event)

    # --- shared behaviour ----------------------------------------------------------------
    def refresh(self, item: Item) -> None:
        self.item = item
        text = label_of(item)
        self.label_text = text
        self.label.setText(html.escape(text) + (REQUIRED_MARK if self.is_marked_required() else ""))
        hint = item.hint
        if item.app:
            # ODK Collect opens another app to fill this; without the app it lets the answer be typed
            # (ExStringWidget), as here: said, with the form's own message for a missing app
            note = self.tr("In ODK Collect, the app {0} gives this answer; type it here.").format(item.app)
            hint = "\n".join(part for part in (hint, item.app_message or "", note) if part)
        self.hint.setText(hint)
        self.hint.setVisible(bool(hint))
        self.restricted_note.setText(self._restriction_text())  # the interface language may have changed
        self.apply_readonly()
        self.refresh_choices(item)
        if self.shown_value() != item.value:
            self._loading = True
            try:
                self.show_value(item.value)
            finally:
                self._loading = False
        if self.frozen_line is not None:
            self.frozen_line.setText(self.answer_text(item))
            self.frozen_line.setCursorPosition(0)  # a long answer reads from its start
        target = self.answer_widget()
        required = self.tr(" (required)") if self.is_marked_required() else ""
        target.setAccessibleName(text + required)
        target.setAccessibleDescription(" ".join(t for t in (hint, self.restricted_note.text()) if t))
        self.update_message()

    # A P3 answer (docs/access.md): what the person is told, and whether they may type in it.
    RESTRICTIONS = ("readable", "write_only", "not_allowed", "key_missing", "damaged")

    def set_restriction(self, kind: str | None) -> None:
        """Mark a question of class P3: `readable` (a case worker sees it), `write_only` (may answer, will not read
        it back once saved), or, for a stored answer this person cannot read, `not_allowed`, `key_missing` or
        `damaged`: shown as restricted and never editable."""
        self.restriction = kind
        self._locked = kind in ("not_allowed", "key_missing", "damaged")
        self.restricted_note.setText(self._restriction_text())
        self.restricted_note.setVisible(kind is not None)
        self.apply_readonly()
        self._name_frozen_line()
        self.answer_widget().setAccessibleDescription(
            " ".join(t for t in (self.item.hint, self.restricted_note.text()) if t))

    def _restriction_text(self) -> str:
        return {
            "readable": self.tr("Restricted answer: only case workers can read it."),
            "write_only": self.tr("Restricted: once saved, only case workers can read this answer."),
            "not_allowed": self.tr("Restricted answer: recorded, only case workers can read it."),
            "key_missing": self.tr("Restricted answer: the key to read it has not reached this laptop yet."),
            "damaged": self.tr("Restricted answer: it cannot be read (damaged)."),
        }.get(self.restriction or "", "")

    def is_marked_required(self) -> bool:
        return self.item.required and not self.item.readonly and not self._locked

    def emit_answer(self, value) -> None:
        if not self._loading:
            self.answered.emit(self.ref, value)

    def set_refused(self, reason: str | None) -> None:
        self._refused = reason
        self.update_message()

    def mark_touched(self) -> None:
        if not self.touched:
            self.touched = True
            self.update_message()

    def eventFilter(self, watched, event) -> bool:
        """Editors that install their field as event filter count as touched once focus leaves them; while a
        message waits for a click to end, the application's events come here too (see update_message)."""
        if event.type() == QEvent.Type.FocusOut and watched is not QApplication.instance():
            self.mark_touched()
        elif event.type() == QEvent.Type.MouseButtonRelease and self._waiting_for_release:
            self._waiting_for_release = False
            QApplication.instance().removeEventFilter(self)
            QTimer.singleShot(0, self.update_message)
        return False

    def current_message(self) -> str:
        item = self.item
        if self._refused:
            return self._refused
        if not self.touched or not item.relevant or self._locked:
            return ""
        if not item.valid and item.constraint_message:
            return item.constraint_message
        if item.required and not item.readonly and item.value == "" and item.required_message:
            return item.required_message
        return ""

    def update_message(self) -> None:
        """Show or clear the message without moving what is under the person's pointer: a message that goes keeps
        its room (until the page changes), and one that comes while a mouse button is down waits for the
        release, so a click that took the focus from this field lands where it was aimed."""
        text = self.current_message()
        if text and not self.message.isVisible() and QGuiApplication.mouseButtons() != Qt.MouseButton.NoButton:
            if not self._waiting_for_release:
                self._waiting_for_release = True
                QApplication.instance().installEventFilter(self)
            return
        if text:
            self.message.setText(text)
            if not self.message.isVisible():
                self.message.setVisible(True)
                self.message_shown.emit(self)
        elif self.message.isVisible():
            self.message.setText("")
            policy = self.message.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            self.message.setSizePolicy(policy)
            self.message.setVisible(False)

    def release_message_room(self) -> None:
        """The page changed: a message that went no longer keeps its room."""
        policy = self.message.sizePolicy()
        if policy.retainSizeWhenHidden() and not self.message.isVisible():
            policy.setRetainSizeWhenHidden(False)
            self.message.setSizePolicy(policy)

    def focus_editor(self) -> None:
        self.answer_widget().setFocus(Qt.FocusReason.OtherFocusReason)


def _widgets_of(layout, indexes) -> list[QWidget]:
    """The widgets the layout items at these indexes hold, those of nested layouts included."""
    found = []
    for index in indexes:
        item = layout.itemAt(index)
        if item.widget() is not None:
            found.append(item.widget())
        elif item.layout() is not None:
            found.extend(_widgets_of(item.layout(), range(item.layout().count())))
    return found


class _LineField(FieldWidget):
    """A single line of typed text; subclasses convert it (numbers, points)."""

    reads_as_text = True

    placeholder = ""

    def build_editor(self) -> None:
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(self.placeholder)
        self.edit.textEdited.connect(self._edited)
        self.edit.editingFinished.connect(self.mark_touched)
        self.body.addWidget(self.edit)

    def _edited(self, text: str) -> None:
        value = self.to_engine(text)
        if value is not None:
            self.emit_answer(value)

    def to_engine(self, text: str) -> str | None:
        """Engine text for what was typed, or None while it is not a value yet (e.g. '-')."""
        return text.strip()

    def from_engine(self, value: str) -> str:
        return value

    def shown_value(self) -> str:
        return self.to_engine(self.edit.text()) or ""

    def show_value(self, value: str) -> None:
        self.edit.setText(self.from_engine(value))

    def focus_target(self) -> QWidget:
        return self.edit

    def set_readonly(self, readonly: bool) -> None:
        self.edit.setReadOnly(readonly)


class TextField(_LineField):
    pass


class BarcodeField(_LineField):
    """Barcodes are typed in (no camera); a hand scanner types like a keyboard too."""

    def name_controls(self) -> None:
        self.edit.setPlaceholderText(self.tr("Type or scan the code"))


class MultilineField(FieldWidget):
    reads_as_text = True

    def build_editor(self) -> None:
        self.edit = QPlainTextEdit()
        self.edit.setTabChangesFocus(True)  # Tab must move on, as everywhere else in the form
        self.edit.setFixedHeight(90)
        self.edit.textChanged.connect(lambda: self.emit_answer(self.edit.toPlainText().strip()))
        self.body.addWidget(self.edit)

    def shown_value(self) -> str:
        return self.edit.toPlainText().strip()

    def show_value(self, value: str) -> None:
        self.edit.setPlainText(value)

    def focus_target(self) -> QWidget:
        return self.edit

    def set_readonly(self, readonly: bool) -> None:
        self.edit.setReadOnly(readonly)

    def focusOutEvent(self, event) -> None:
        self.mark_touched()
        super().focusOutEvent(event)


class IntegerField(_LineField):
    def build_editor(self) -> None:
        super().build_editor()
        validator = QIntValidator(self.edit)
        validator.setLocale(QLocale())
        self.edit.setValidator(validator)

    def to_engine(self, text: str) -> str | None:
        text = text.strip()
        if not text:
            return ""
        number, ok = QLocale().toLongLong(text)
        return str(number) if ok else None

    def from_engine(self, value: str) -> str:
        try:
            return QLocale().toString(int(value)).replace(QLocale().groupSeparator(), "") if value else ""
        except ValueError:
            return value


class DecimalField(_LineField):
    def build_editor(self) -> None:
        super().build_editor()
        validator = QDoubleValidator(self.edit)
        validator.setNotation(QDoubleValidator.Notation.StandardNotation)
        validator.setLocale(QLocale())
        self.edit.setValidator(validator)

    def to_engine(self, text: str) -> str | None:
        text = text.strip()
        if not text:
            return ""
        number, ok = QLocale().toDouble(text)
        if not ok:
            return None
        return repr(number).removesuffix(".0") if number == number else None

    def from_engine(self, value: str) -> str:
        try:
            number = float(value)
        except ValueError:
            return value
        return QLocale().toString(number, "g", 15).replace(QLocale().groupSeparator(), "")


_POINT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)[\s,;]+(-?\d+(?:\.\d+)?)(?:\s+(-?\d+(?:\.\d+)?))?(?:\s+(\d+(?:\.\d+)?))?\s*$")


class GeopointField(_LineField):
    """Typed in as 'latitude longitude [altitude accuracy]' (no location capture on a laptop)."""

    def build_editor(self) -> None:
        super().build_editor()
        self.edit.editingFinished.connect(self._check)

    def name_controls(self) -> None:
        self.edit.setPlaceholderText(self.tr("Latitude Longitude, e.g. 13.5116 2.1254"))

    def to_engine(self, text: str) -> str | None:
        text = text.strip()
        if not text:
            return ""
        match = _POINT.match(text)
        if not match:
            return None
        lat, lon = float(match[1]), float(match[2])
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return None
        return " ".join([match[1], match[2], match[3] or "0", match[4] or "0"])

    def from_engine(self, value: str) -> str:
        parts = value.split()
        return " ".join(parts[:2]) if len(parts) == 4 and parts[2:] == ["0", "0"] else value

    def shown_value(self) -> str:
        return self.to_engine(self.edit.text()) or ""

    def _check(self) -> None:
        bad = self.edit.text().strip() and self.to_engine(self.edit.text()) is None
        self.set_refused(self.tr("Write the latitude (−90 to 90) then the longitude (−180 to 180), "
                                 "separated by a space.") if bad else None)


class GeoPathField(_LineField):
    """geotrace/geoshape typed in as points separated by ';' (the engine checks the format)."""

    def name_controls(self) -> None:
        self.edit.setPlaceholderText(self.tr("Points as 'lat lon; lat lon; …'"))
