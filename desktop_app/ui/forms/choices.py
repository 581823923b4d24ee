"""Fields that pick from the form's choices: select_one, select_multiple and rank.

Choices can change while the form is filled (choice filters, a language switch): each field
rebuilds its options only when the (value, label) list really differs, so focus and scroll stay
put on an ordinary answer.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.forms.fields import FieldWidget, appearances
from waypoint_core.xform import Item

# Appearances that lay choices side by side; the others that change only looks (images, tables)
# fall back to the plain vertical list, which shows the same choices.
_SIDE_BY_SIDE = {"horizontal", "horizontal-compact", "compact", "likert", "quick", "quickcompact"}


def _choice_list(item: Item) -> list[tuple[str, str]]:
    return [(c.value, c.label.strip() or c.value) for c in (item.choices or [])]


def _columns(item: Item, count: int) -> int:
    look = appearances(item)
    for word in look:
        match = re.fullmatch(r"columns-(\d+)", word)
        if match:
            return max(1, int(match[1]))
    if "columns" in look or "columns-pack" in look:
        return 3
    if look & _SIDE_BY_SIDE:
        # a choice filter can leave no choice at all: still one column, never zero
        return max(1, count) if count <= 5 else 4
    return 1


def _show_every_row(rows: QListWidget) -> None:
    """A list inside a scrolling page shows every choice, none hidden behind an inner scroll bar, so the wheel
    scrolls the page and the first choices are always in sight."""
    rows.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    rows.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    count = max(1, rows.count())
    rows.setFixedHeight(count * max(rows.sizeHintForRow(0), 1) + 2 * rows.frameWidth() + 4)
    rows.scrollToTop()


class _ButtonsField(FieldWidget):
    """Choices as radio buttons or check boxes in a grid (one column unless the appearance says)."""

    exclusive = True

    def build_editor(self) -> None:
        self.options = QWidget()
        self.grid = QGridLayout(self.options)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(18)
        self.group = QButtonGroup(self)
        self.group.setExclusive(self.exclusive)
        self.group.buttonToggled.connect(self._toggled)
        self.buttons: dict[str, QCheckBox | QRadioButton] = {}
        self._choices: list[tuple[str, str]] | None = None
        self.body.addWidget(self.options)
        # parented now: a button without a parent that is shown becomes a window of its own
        self.clear_button = QPushButton(self, flat=True, objectName="clearAnswer")
        self.clear_button.clicked.connect(self._clear)
        self.clear_button.setVisible(False)
        if self.exclusive:  # a radio button cannot be unticked: offer it beside the question instead
            self.heading.addWidget(self.clear_button, 0, Qt.AlignmentFlag.AlignTop)

    def name_controls(self) -> None:
        self.clear_button.setText(self.tr("Clear answer"))

    def refresh_choices(self, item: Item) -> None:
        choices = _choice_list(item)
        if choices == self._choices:
            return
        self._choices = choices
        for button in self.buttons.values():
            self.group.removeButton(button)
            button.deleteLater()
        self.buttons = {}
        columns = _columns(item, len(choices))
        rows = max(1, -(-len(choices) // columns))
        for column in range(self.grid.columnCount()):
            self.grid.setColumnStretch(column, 0)
        self.grid.setColumnStretch(columns, 1)  # choices side by side stay close, not spread to the edge
        for i, (value, label) in enumerate(choices):
            button = QRadioButton(label) if self.exclusive else QCheckBox(label)
            button.setProperty("choice", value)
            button.installEventFilter(self)
            self.group.addButton(button)
            # fill column by column, as a reader scans a list
            self.grid.addWidget(button, i % rows, i // rows)
            self.buttons[value] = button
        self._loading = True
        try:
            self.show_value(item.value)
        finally:
            self._loading = False

    def eventFilter(self, watched, event) -> bool:
        """Keyboard first: in a list of choices, a letter goes to the next choice starting with it (chosen, in a
        single choice), a digit 1-9 to that choice; the arrow keys and Space work as usual."""
        if event.type() == QEvent.Type.KeyPress and watched in self.buttons.values() and not (
                event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)):
            target = self._button_for_key(watched, event.text())
            if target is not None:
                target.setFocus(Qt.FocusReason.ShortcutFocusReason)
                if self.exclusive and not target.isChecked() and not self.item.readonly:
                    target.click()
                return True
        return super().eventFilter(watched, event)

    def _button_for_key(self, current, text: str):
        buttons = list(self.buttons.values())
        if len(text) != 1 or not text.strip():
            return None
        if text.isdigit():
            number = int(text)
            return buttons[number - 1] if 1 <= number <= len(buttons) else None
        if not text.isalpha():
            return None
        start = buttons.index(current) + 1 if current in buttons else 0
        wanted = text.casefold()
        for button in buttons[start:] + buttons[:start]:  # cycle: a second press goes to the next one
            if button.text().replace("&", "").casefold().startswith(wanted):
                return button
        return None

    def _toggled(self, button, checked: bool) -> None:
        self.clear_button.setVisible(self.exclusive and bool(self.shown_value()) and not self.item.readonly
                                      and not self.frozen)
        if not self._loading and (checked or not self.exclusive):
            self.emit_answer(self.shown_value())

    def _clear(self) -> None:
        self._loading = True
        try:
            self.show_value("")
        finally:
            self._loading = False
        self.mark_touched()
        self.emit_answer("")
        self.focus_editor()

    def shown_value(self) -> str:
        return " ".join(v for v, b in self.buttons.items() if b.isChecked())

    def show_value(self, value: str) -> None:
        chosen = set(value.split())
        self.group.setExclusive(False)  # an exclusive group cannot go back to "nothing chosen"
        for code, button in self.buttons.items():
            button.setChecked(code in chosen)
        self.group.setExclusive(self.exclusive)
        self.clear_button.setVisible(self.exclusive and bool(chosen) and not self.item.readonly and not self.frozen)

    def focus_target(self) -> QWidget:
        checked = [b for b in self.buttons.values() if b.isChecked()]
        if checked:
            return checked[0]
        return next(iter(self.buttons.values()), self.options)

    def set_readonly(self, readonly: bool) -> None:
        self.options.setEnabled(not readonly)

    def choice_button(self, value: str):
        return self.buttons[value]


class SelectOneField(_ButtonsField):
    exclusive = True


class SelectManyField(_ButtonsField):
    exclusive = False


class _PageWheelComboBox(QComboBox):
    """A drop-down inside a scrolling page: the wheel scrolls the page unless the drop-down has the focus, so a
    turn of the wheel over it never changes an answer nor stops the page."""

    def wheelEvent(self, event) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()


class SelectOneComboField(FieldWidget):
    """minimal: a drop-down; autocomplete/search: a drop-down you can type into to filter."""

    def build_editor(self) -> None:
        self.combo = _PageWheelComboBox()
        self.combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # not WheelFocus: the wheel must not take it
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.setMinimumWidth(260)
        self.combo.setMaxVisibleItems(15)
        self._filtering = bool(appearances(self.item) & {"autocomplete", "search"})
        if self._filtering:
            self.combo.setEditable(True)
            self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            completer = self.combo.completer()
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._choices: list[tuple[str, str]] | None = None
        self.combo.currentIndexChanged.connect(self._chosen)
        self.combo.installEventFilter(self)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.combo)
        row.addStretch(1)
        self.body.addLayout(row)

    def refresh_choices(self, item: Item) -> None:
        choices = _choice_list(item)
        if choices == self._choices:
            return
        self._choices = choices
        self._loading = True
        try:
            self.combo.clear()
            self.combo.addItem(self._prompt(), "")
            self.combo.setEnabled(bool(choices) and not item.readonly)
            for value, label in choices:
                self.combo.addItem(label, value)
            self.show_value(item.value)
        finally:
            self._loading = False

    def _prompt(self) -> str:
        # choices filtered by an earlier answer may be none yet: say so rather than show an empty list
        return self.tr("— Choose —") if self._choices else self.tr("— Nothing to choose yet —")

    def name_controls(self) -> None:
        if self.combo.count():
            self.combo.setItemText(0, self._prompt())

    def _chosen(self, index: int) -> None:
        if index >= 0:
            self.emit_answer(self.combo.itemData(index) or "")

    def shown_value(self) -> str:
        return self.combo.currentData() or ""

    def show_value(self, value: str) -> None:
        index = self.combo.findData(value) if value else 0
        self.combo.setCurrentIndex(max(index, 0))

    def focus_target(self) -> QWidget:
        return self.combo

    def set_readonly(self, readonly: bool) -> None:
        self.combo.setEnabled(not readonly and self.combo.count() > 1)

    def choose(self, value: str) -> None:
        """Pick a choice as a click in the list would (used by keyboard-less callers and tests)."""
        self.combo.setCurrentIndex(self.combo.findData(value))


class SelectManyListField(FieldWidget):
    """select_multiple minimal: a compact list of check boxes (Space toggles the current row)."""

    def build_editor(self) -> None:
        self.list = QListWidget()
        self.list.itemChanged.connect(lambda _: self.emit_answer(self.shown_value()))
        self.list.installEventFilter(self)
        self._choices: list[tuple[str, str]] | None = None
        self.body.addWidget(self.list)

    def refresh_choices(self, item: Item) -> None:
        choices = _choice_list(item)
        if choices == self._choices:
            return
        self._choices = choices
        self._loading = True
        try:
            self.list.clear()
            for value, label in choices:
                row = QListWidgetItem(label, self.list)
                row.setData(Qt.ItemDataRole.UserRole, value)
                row.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable)
                row.setCheckState(Qt.CheckState.Unchecked)
            self.show_value(item.value)
        finally:
            self._loading = False
        _show_every_row(self.list)

    def shown_value(self) -> str:
        rows = (self.list.item(i) for i in range(self.list.count()))
        return " ".join(r.data(Qt.ItemDataRole.UserRole) for r in rows if r.checkState() == Qt.CheckState.Checked)

    def show_value(self, value: str) -> None:
        chosen = set(value.split())
        for i in range(self.list.count()):
            row = self.list.item(i)
            checked = row.data(Qt.ItemDataRole.UserRole) in chosen
            row.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def focus_target(self) -> QWidget:
        return self.list

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Wheel and watched is self.list:
            event.ignore()  # the whole list is shown: the wheel belongs to the page
            return False
        return super().eventFilter(watched, event)


class RankField(FieldWidget):
    """rank: a list to reorder by dragging, or with Alt+Up/Alt+Down; no answer until it is ordered."""

    def build_editor(self) -> None:
        self.list = QListWidget()
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.model().rowsMoved.connect(lambda *_: self.emit_answer(self.shown_order()))
        self.list.installEventFilter(self)
        self.status = QLabel(objectName="fieldHint", wordWrap=True)
        self.up = QPushButton()
        self.down = QPushButton()
        self.keep = QPushButton()
        self.up.clicked.connect(lambda: self.move(-1))
        self.down.clicked.connect(lambda: self.move(1))
        self.keep.clicked.connect(lambda: self.emit_answer(self.shown_order()))
        self._choices: list[tuple[str, str]] | None = None
        buttons = QVBoxLayout()
        for button in (self.up, self.down, self.keep):
            buttons.addWidget(button)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.list, 1)
        row.addLayout(buttons)
        self.body.addLayout(row)
        self.body.addWidget(self.status)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.KeyPress and event.modifiers() & Qt.KeyboardModifier.AltModifier:
            if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                self.move(-1 if event.key() == Qt.Key.Key_Up else 1)
                return True
        return False

    def move(self, step: int) -> None:
        row = self.list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.list.count() or self.item.readonly:
            return
        moved = self.list.takeItem(row)
        self.list.insertItem(target, moved)
        self.list.setCurrentRow(target)
        self.emit_answer(self.shown_order())

    def refresh_choices(self, item: Item) -> None:
        choices = _choice_list(item)
        if choices == self._choices:
            return
        self._choices = choices
        self._fill(item.value)

    def _fill(self, value: str) -> None:
        labels = dict(self._choices or [])
        order = [v for v in value.split() if v in labels]
        order += [v for v in labels if v not in order]
        self.list.clear()
        for code in order:
            row = QListWidgetItem(labels[code], self.list)
            row.setData(Qt.ItemDataRole.UserRole, code)
        _show_every_row(self.list)
        self._update_status(value)

    def name_controls(self) -> None:
        self.up.setText(self.tr("Move &up"))
        self.down.setText(self.tr("Move &down"))
        self.keep.setText(self.tr("&Keep this order"))
        if self._choices is not None:
            self._update_status(self.item.value)

    def _update_status(self, value: str) -> None:
        self.status.setText(self.tr("Ranked.") if value else
                            self.tr("Not ranked yet: put the most important first, or keep this order."))

    def shown_order(self) -> str:
        return " ".join(self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count()))

    def shown_value(self) -> str:
        return self.shown_order() if self.item.value else ""

    def show_value(self, value: str) -> None:
        self._fill(value)

    def refresh(self, item: Item) -> None:
        super().refresh(item)
        self._update_status(item.value)

    def focus_target(self) -> QWidget:
        return self.list

    def set_readonly(self, readonly: bool) -> None:
        for widget in (self.list, self.up, self.down, self.keep):
            widget.setEnabled(not readonly)
