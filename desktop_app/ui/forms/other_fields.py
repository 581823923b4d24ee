"""Notes, acknowledge/trigger, range and file/image questions, and `make_field`, which picks the
widget for an Item from its control, type and appearance.

Every control kind gets a widget; a kind the renderer does not know becomes an UnsupportedField that
says so on screen (never silently skipped), and `make_field` reports it.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

from desktop_app.ui.forms.choices import (
    RankField,
    SelectManyField,
    SelectManyListField,
    SelectOneComboField,
    SelectOneField,
)
from desktop_app.ui.forms.fields import (
    BarcodeField,
    DecimalField,
    FieldWidget,
    GeoPathField,
    GeopointField,
    IntegerField,
    MultilineField,
    TextField,
    appearances,
)
from desktop_app.ui.forms.map_field import SelectOneMapField
from desktop_app.ui.forms.moments import DateField, DateTimeField, TimeField
from waypoint_core.xform import Item

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024  # a photo of a document, not a video: keeps the vault small


class NoteField(FieldWidget):
    """A note (a read-only input): its text, and its value when the form computes one."""

    reads_as_text = True  # nothing to change: shown as it is

    def build_editor(self) -> None:
        self.value_label = QLabel(objectName="noteValue", wordWrap=True)
        self.value_label.setTextFormat(Qt.TextFormat.PlainText)
        self.value_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard |
                                                 Qt.TextInteractionFlag.TextSelectableByMouse)
        self.value_label.hide()  # shown only when the form computes a value for the note
        self.body.addWidget(self.value_label)
        self.setObjectName("note")

    def shown_value(self) -> str:
        return self.value_label.text()

    def show_value(self, value: str) -> None:
        self.value_label.setText(value)
        self.value_label.setVisible(bool(value))

    def focus_target(self) -> QWidget:
        return self.value_label

    def set_readonly(self, readonly: bool) -> None:
        pass


class AcknowledgeField(FieldWidget):
    """acknowledge and trigger: one check box; checked stores "OK", as ODK does."""

    def build_editor(self) -> None:
        self.check = QCheckBox()
        self.check.toggled.connect(lambda on: (self.mark_touched(), self.emit_answer("OK" if on else "")))
        self.body.addWidget(self.check)

    def name_controls(self) -> None:
        self.check.setText(self.tr("OK, done"))

    def shown_value(self) -> str:
        return "OK" if self.check.isChecked() else ""

    def show_value(self, value: str) -> None:
        self.check.setChecked(bool(value))

    def focus_target(self) -> QWidget:
        return self.check


class RangeField(FieldWidget):
    """range: a slider between start and end by step, with the value written beside it."""

    def build_editor(self) -> None:
        attrs = self.item.attrs
        self.start = _number(attrs.get("start"), Decimal(0))
        self.end = _number(attrs.get("end"), Decimal(10))
        self.step = _number(attrs.get("step"), Decimal(1)) or Decimal(1)
        self.integer = self.item.type == "int"
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, max(0, int((self.end - self.start) / self.step)))
        self.slider.setPageStep(1)
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.slider.valueChanged.connect(lambda _: self._moved())
        self.slider.sliderReleased.connect(self._moved)
        self.value_label = QLabel(objectName="rangeValue")
        self.value_label.setMinimumWidth(120)
        self.clear_button = QPushButton()
        self.clear_button.clicked.connect(self._clear)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel(self._text(self.start)))
        row.addWidget(self.slider, 1)
        row.addWidget(QLabel(self._text(self.end)))
        row.addWidget(self.value_label)
        row.addWidget(self.clear_button)
        self.body.addLayout(row)
        self._empty = True

    def name_controls(self) -> None:
        self.clear_button.setText(self.tr("Clear"))
        self._show_label()

    def _text(self, number: Decimal) -> str:
        return str(int(number)) if self.integer else format(number.normalize(), "f")

    def _moved(self) -> None:
        self._empty = False
        self._show_label()
        self.mark_touched()
        self.emit_answer(self.shown_value())

    def _clear(self) -> None:
        self._empty = True
        self._show_label()
        self.emit_answer("")

    def _show_label(self) -> None:
        self.value_label.setText(self.tr("No answer yet") if self._empty else self.shown_value())
        self.clear_button.setVisible(not self._empty and not self.frozen)

    def shown_value(self) -> str:
        if self._empty:
            return ""
        return self._text(self.start + self.step * self.slider.value())

    def show_value(self, value: str) -> None:
        number = _number(value, None)
        self._empty = number is None
        if number is not None:
            self.slider.blockSignals(True)
            self.slider.setValue(int((number - self.start) / self.step))
            self.slider.blockSignals(False)
        self._show_label()

    def focus_target(self) -> QWidget:
        return self.slider


def _number(text, default):
    try:
        return Decimal(str(text)) if text not in (None, "") else default
    except InvalidOperation:
        return default


@dataclass(frozen=True)
class PendingFile:
    """A file chosen for an image/file question, held in memory until the record is saved into the
    vault's attachment table; never copied anywhere on disk."""

    name: str
    mime: str
    data: bytes


def _scaled_down(data: bytes, mime: str, max_pixels: int) -> bytes:
    """An image whose longest side is above `max_pixels` scaled down to it, as ODK Collect does for
    a form's max-pixels (ImageFileUtils.scaleDownImage); a smaller one or one Qt cannot read is kept."""
    image = QImage.fromData(data)
    if image.isNull() or max(image.width(), image.height()) <= max_pixels:
        return data
    scaled = image.scaled(max_pixels, max_pixels, Qt.AspectRatioMode.KeepAspectRatio,
                          Qt.TransformationMode.SmoothTransformation)
    out = QBuffer()
    out.open(QIODevice.OpenModeFlag.WriteOnly)
    scaled.save(out, "PNG" if mime == "image/png" else "JPEG")
    return bytes(out.data())


class UploadField(FieldWidget):
    """image/file: pick a file; its bytes go to the vault with the record, the answer is its name."""

    def build_editor(self) -> None:
        self.pick_file: Callable[[UploadField], None] | None = None  # the view opens the file dialog
        self.pending: PendingFile | None = None
        self.file_label = QLabel(objectName="fieldHint", wordWrap=True)
        self.choose = QPushButton()
        self.choose.clicked.connect(lambda: self.pick_file(self) if self.pick_file else None)
        self.remove = QPushButton()
        self.remove.clicked.connect(self._remove)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.choose)
        row.addWidget(self.remove)
        row.addWidget(self.file_label, 1)
        self.body.addLayout(row)

    def name_controls(self) -> None:
        self.choose.setText(self.tr("Choose a file…"))
        self.remove.setText(self.tr("Remove the file"))
        self._describe(self.shown_value())

    def accepted_mime(self) -> str:
        return self.item.attrs.get("mediatype", "") or "*/*"

    def attach(self, path: Path, *, stored_name: str) -> str | None:
        """Read a chosen file into memory; returns a reason when it cannot be used."""
        try:
            size = path.stat().st_size
            if size > MAX_ATTACHMENT_BYTES:
                return self.tr("This file is too large (more than 20 MB).")
            data = path.read_bytes()
        except OSError as error:
            return self.tr("The file cannot be read: %1").replace("%1", error.strerror or str(error))
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        wanted = self.accepted_mime()
        if wanted.endswith("/*") and wanted != "*/*" and not mime.startswith(wanted[:-1]):
            return self.tr("Choose a file of this kind: %1").replace("%1", wanted)
        if self.item.max_pixels and mime in ("image/jpeg", "image/png"):
            data = _scaled_down(data, mime, self.item.max_pixels)
        self.pending = PendingFile(name=stored_name, mime=mime, data=data)
        self.mark_touched()
        self.emit_answer(stored_name)
        self._describe(stored_name)
        return None

    def _remove(self) -> None:
        self.pending = None
        self.emit_answer("")
        self._describe("")

    def _describe(self, value: str) -> None:
        if not value:
            self.file_label.setText(self.tr("No file yet"))
        elif self.pending is not None and self.pending.name == value:
            self.file_label.setText(f"{value} — {_size(self.pending.data)}")
        else:
            self.file_label.setText(self.tr("%1 (kept in the vault)").replace("%1", value))
        self.remove.setVisible(bool(value) and not self.frozen)

    def shown_value(self) -> str:
        return self._value if hasattr(self, "_value") else ""

    def show_value(self, value: str) -> None:
        self._describe(value)

    def refresh(self, item: Item) -> None:
        self._value = item.value
        super().refresh(item)
        self._describe(item.value)

    def focus_target(self) -> QWidget:
        return self.choose


def _size(data: bytes) -> str:
    size = len(data)
    return f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{max(1, round(size / 1024))} kB"


class UnsupportedField(FieldWidget):
    """A control this renderer does not know: said on screen, so nobody thinks it was answered."""

    reads_as_text = True  # its notice says the answer already

    def build_editor(self) -> None:
        self.notice = QLabel(objectName="fieldError", wordWrap=True)
        self.body.addWidget(self.notice)

    def shown_value(self) -> str:
        return self.item.value

    def show_value(self, value: str) -> None:
        self.notice.setText(self.tr("This question cannot be shown here (%1). Its current answer: %2")
                            .replace("%1", f"{self.item.control}/{self.item.type}")
                            .replace("%2", value or "—"))

    def focus_target(self) -> QWidget:
        return self.notice


def field_class(item: Item) -> type[FieldWidget]:
    """The widget class for a question, from its control, bind type and appearance."""
    look = appearances(item)
    control, kind = item.control, item.type
    if control == "input" and item.readonly:
        return NoteField
    if control in ("select1",):
        if "map" in look:
            return SelectOneMapField
        return SelectOneComboField if look & {"minimal", "autocomplete", "search"} else SelectOneField
    if control == "select":
        return SelectManyListField if "minimal" in look else SelectManyField
    if control == "rank":
        return RankField
    if control == "trigger":
        return AcknowledgeField
    if control == "range":
        return RangeField
    if control == "upload":
        return UploadField
    if control in ("input", "textarea", "secret"):
        return {
            "int": IntegerField, "decimal": DecimalField, "date": DateField, "time": TimeField,
            "dateTime": DateTimeField, "geopoint": GeopointField, "geotrace": GeoPathField,
            "geoshape": GeoPathField, "barcode": BarcodeField,
        }.get(kind, MultilineField if ("multiline" in look or control == "textarea") else TextField)
    return UnsupportedField


def make_field(item: Item) -> FieldWidget:
    return field_class(item)(item)
