"""Dates and times typed as digits, the separators filled in: "12041998" shows 12/04/1998.

A date question starts empty (never today's date as someone's date of birth). Typing goes digit by digit; once the
value is whole, digits typed overwrite from the cursor, so clicking into the year and typing 1998 replaces it.
A separator typed early pads its part with a zero ("1/4/1998" → 01/04/1998). Values cross to the engine as XForms
text (2024-01-31, 14:30:00.000, ISO date-time); an incomplete or impossible date says so beside the field when it
is left, and answers nothing.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget

from desktop_app.ui.forms.fields import FieldWidget, appearances

_SEPARATOR_KEYS = "/-.: "


class DigitsEdit(QLineEdit):
    """A line of digits in fixed groups (day, month, year...) with the separators written for the person."""

    def __init__(self, groups: list[int], separators: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.groups, self.separators = groups, separators
        self.total = sum(groups)
        self.textEdited.connect(self._reformat)  # paste, cut, undo: keep the digits, put the separators back

    def digits(self) -> str:
        return "".join(c for c in self.text() if c.isdigit())

    def is_complete(self) -> bool:
        return len(self.digits()) == self.total

    def formatted(self, digits: str) -> str:
        out, start = "", 0
        for number, size in enumerate(self.groups):
            part = digits[start:start + size]
            start += size
            out += part
            if len(part) < size or number == len(self.groups) - 1:
                break
            out += self.separators[number]
        return out

    def set_digits(self, digits: str, *, cursor_digits: int | None = None) -> None:
        digits = digits[:self.total]
        self.setText(self.formatted(digits))
        self.setCursorPosition(self._position(len(digits) if cursor_digits is None else cursor_digits))

    def _position(self, digit_count: int) -> int:
        """Text position after `digit_count` digits (past a separator that follows them)."""
        text, seen = self.text(), 0
        for index, char in enumerate(text):
            if seen == digit_count:
                return index + (1 if not char.isdigit() else 0)
            seen += char.isdigit()
        return len(text)

    def _digits_before(self, position: int) -> int:
        return sum(c.isdigit() for c in self.text()[:position])

    def _reformat(self, _text: str) -> None:
        before = self._digits_before(self.cursorPosition())
        self.set_digits(self.digits(), cursor_digits=before)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        if self.isReadOnly() or event.modifiers() & (Qt.KeyboardModifier.ControlModifier |
                                                     Qt.KeyboardModifier.AltModifier):
            super().keyPressEvent(event)
            return
        digits = self.digits()
        if self.hasSelectedText():
            start = self._digits_before(self.selectionStart())
            end = self._digits_before(self.selectionStart() + self.selectionLength())
        else:
            start = end = self._digits_before(self.cursorPosition())
        if text.isdigit() and len(text) == 1:
            if start != end:
                digits = digits[:start] + digits[end:]
            if len(digits) >= self.total:  # whole: overwrite from the cursor
                if start >= self.total:
                    return
                digits = digits[:start] + text + digits[start + 1:]
            else:
                digits = digits[:start] + text + digits[start:]
            self.set_digits(digits, cursor_digits=start + 1)
            self.textEdited.emit(self.text())
        elif text and text in _SEPARATOR_KEYS:
            self._pad_group(digits, start)
        elif event.key() in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete) and digits:
            if start == end:
                start, end = ((start - 1, start) if event.key() == Qt.Key.Key_Backspace else (start, start + 1))
            start = max(0, start)
            self.set_digits(digits[:start] + digits[end:], cursor_digits=start)
            self.textEdited.emit(self.text())
        elif text and text.isprintable():
            return  # letters and other signs are not part of a date
        else:
            super().keyPressEvent(event)

    def _pad_group(self, digits: str, at: int) -> None:
        """A separator typed after 1 digit of a 2-digit part: '1/' means 01/."""
        start = 0
        for size in self.groups:
            typed = digits[start:at] if start <= at <= start + size else None
            if typed is not None and 0 < len(typed) < size and at == len(digits):
                self.set_digits(digits[:start] + typed.zfill(size) + digits[at:])
                self.textEdited.emit(self.text())
                return
            start += size


class _TypedMoment(FieldWidget):
    """The frame for a date, time or date-and-time typed as digits."""

    reads_as_text = True

    groups: list[int] = []
    separators: list[str] = []

    def build_editor(self) -> None:
        self.edit = DigitsEdit(self.groups, self.separators)
        self.edit.setMaximumWidth(220)
        self.edit.textEdited.connect(self._edited)
        self.edit.editingFinished.connect(self._left)
        self.body.addWidget(self.edit)

    def name_controls(self) -> None:
        self.edit.setPlaceholderText(self.placeholder())

    def placeholder(self) -> str:
        raise NotImplementedError

    def to_engine(self, digits: str) -> str | None:
        """Engine text for a whole value, None when the digits are not a real date or time."""
        raise NotImplementedError

    def from_engine(self, value: str) -> str:
        """The digits to show for an engine value ("" when it cannot be read)."""
        raise NotImplementedError

    def problem(self) -> str:
        raise NotImplementedError

    def _edited(self, _text: str) -> None:
        digits = self.edit.digits()
        if not digits:
            self.set_refused(None)
            self.emit_answer("")
        elif self.edit.is_complete():
            value = self.to_engine(digits)
            if value is not None:
                self.set_refused(None)
            self.emit_answer(value or "")  # an impossible date (31/02) is no answer; said when the field is left

    def _left(self) -> None:
        digits = self.edit.digits()
        if digits and (not self.edit.is_complete() or self.to_engine(digits) is None):
            self.emit_answer("")  # what is stored is "no answer", never a half-typed date
            self.set_refused(self.problem())  # after the answer: the view clears refusals of accepted answers
        self.mark_touched()

    def shown_value(self) -> str:
        digits = self.edit.digits()
        return (self.to_engine(digits) or "") if self.edit.is_complete() else ""

    def show_value(self, value: str) -> None:
        self.edit.set_digits(self.from_engine(value) if value else "")

    def focus_target(self) -> QWidget:
        return self.edit

    def set_readonly(self, readonly: bool) -> None:
        self.edit.setReadOnly(readonly)


class DateField(_TypedMoment):
    def build_editor(self) -> None:
        look = appearances(self.item)
        # month-year and year appearances store the first day, as Collect and Enketo do
        self._precision = "year" if "year" in look else "month" if "month-year" in look else "day"
        self.groups, self.separators = {"year": ([4], []), "month": ([2, 4], ["/"]),
                                        "day": ([2, 2, 4], ["/", "/"])}[self._precision]
        super().build_editor()

    def placeholder(self) -> str:
        return {"year": self.tr("YYYY"), "month": self.tr("MM/YYYY"), "day": self.tr("DD/MM/YYYY")}[self._precision]

    def to_engine(self, digits: str) -> str | None:
        day, month, year = {"year": (1, 1, digits), "month": (1, digits[:2], digits[2:]),
                            "day": (digits[:2], digits[2:4], digits[4:])}[self._precision]
        date = QDate(int(year), int(month), int(day))
        return date.toString("yyyy-MM-dd") if date.isValid() and date.year() >= 1900 else None

    def from_engine(self, value: str) -> str:
        date = QDate.fromString(value[:10], "yyyy-MM-dd")
        if not date.isValid():
            return ""
        return {"year": date.toString("yyyy"), "month": date.toString("MMyyyy"),
                "day": date.toString("ddMMyyyy")}[self._precision]

    def problem(self) -> str:
        return self.tr("This is not a date. Type the day, month and year, e.g. 12/04/1998 for 12 April 1998.")


class TimeField(_TypedMoment):
    groups, separators = [2, 2], [":"]

    def placeholder(self) -> str:
        return self.tr("HH:MM")

    def to_engine(self, digits: str) -> str | None:
        time = QTime(int(digits[:2]), int(digits[2:]))
        return time.toString("HH:mm") + ":00.000" if time.isValid() else None

    def from_engine(self, value: str) -> str:
        time = QTime.fromString(value[:5], "HH:mm")
        return time.toString("HHmm") if time.isValid() else ""

    def problem(self) -> str:
        return self.tr("This is not a time. Type hours and minutes, e.g. 14:30.")


class DateTimeField(_TypedMoment):
    groups, separators = [2, 2, 4, 2, 2], ["/", "/", " ", ":"]

    def placeholder(self) -> str:
        return self.tr("DD/MM/YYYY HH:MM")

    def to_engine(self, digits: str) -> str | None:
        moment = QDateTime(QDate(int(digits[4:8]), int(digits[2:4]), int(digits[:2])),
                           QTime(int(digits[8:10]), int(digits[10:12])))
        if not moment.isValid() or moment.date().year() < 1900:
            return None
        local = moment.toPython().replace(second=0, microsecond=0)
        return local.astimezone().isoformat(timespec="milliseconds")

    def from_engine(self, value: str) -> str:
        try:
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return ""
        local = moment.astimezone() if moment.tzinfo else moment
        return local.strftime("%d%m%Y%H%M")

    def problem(self) -> str:
        return self.tr("This is not a date and time. Type day, month, year, hours and minutes, e.g. 12/04/2024 14:30.")
