"""Containers inside a page: a nested group as a titled section, a repeat as a list of titled
instances with Add and Remove (removal is confirmed inline, no modal dialog)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from waypoint_core.xform import Item


class Section(QFrame):
    """A nested group: its label as a heading over its questions."""

    def __init__(self, item: Item, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("formSection")
        self.ref = item.ref
        self.heading = QLabel(objectName="sectionHeading", wordWrap=True)
        self.content = QVBoxLayout(self)
        self.content.setContentsMargins(12, 8, 12, 8)
        self.content.addWidget(self.heading)
        self.set_label(item.label)

    def set_label(self, text: str) -> None:
        self.heading.setText(text)
        self.heading.setVisible(bool(text))


class RepeatInstance(QFrame):
    """One instance of a repeat ("Household member 2"), with Remove and its inline confirmation."""

    remove_confirmed = Signal(str)  # instance ref

    def __init__(self, item: Item, *, number: int, removable: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("repeatInstance")
        self.ref = item.ref
        self.number = number
        self.heading = QLabel(objectName="sectionHeading", wordWrap=True)
        self.remove_button = QPushButton(self)  # parented before any show: never a window of its own
        self.remove_button.setVisible(removable)
        self.remove_button.clicked.connect(self.ask_remove)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.remove_button)
        self.confirm = QFrame(objectName="confirmBar")
        self.confirm_text = QLabel(wordWrap=True)
        self.confirm_yes = QPushButton()
        self.confirm_no = QPushButton()
        self.confirm_yes.clicked.connect(lambda: self.remove_confirmed.emit(self.ref))
        self.confirm_no.clicked.connect(self.cancel_remove)
        bar = QHBoxLayout(self.confirm)
        bar.addWidget(self.confirm_text, 1)
        bar.addWidget(self.confirm_yes)
        bar.addWidget(self.confirm_no)
        self.confirm.hide()
        self.content = QVBoxLayout(self)
        self.content.setContentsMargins(12, 8, 12, 8)
        self.content.addLayout(top)
        self.content.addWidget(self.confirm)
        self.set_label(item.label)

    def set_label(self, label: str) -> None:
        self._label = label
        name = label or self.tr("Entry")
        self.heading.setText(f"{name} {self.number}")
        # no mnemonic: every entry has one, and Alt+R would only cycle between them
        self.remove_button.setText(self.tr("Remove %1").replace("%1", str(self.number)))
        self.remove_button.setAccessibleName(self.tr("Remove %1 %2").replace("%1", name).replace("%2", str(self.number)))
        self.confirm_text.setText(self.tr("Remove %1 %2 and all its answers?").replace("%1", name)
                                  .replace("%2", str(self.number)))
        self.confirm_yes.setText(self.tr("Yes, remove"))
        self.confirm_no.setText(self.tr("No, keep it"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:  # switched with the form open
            self.set_label(self._label)
        super().changeEvent(event)

    def ask_remove(self) -> None:
        self.confirm.show()
        self.confirm_no.setFocus()  # the safe answer is the default one

    def cancel_remove(self) -> None:
        self.confirm.hide()
        self.remove_button.setFocus()


class RepeatSection(QFrame):
    """A repeat: its instances one under the other and an Add button (unless the form sizes it, or the record is
    shown read-only: neither Add nor Remove then)."""

    add_requested = Signal(str)  # the repeat's ref

    def __init__(self, item: Item, *, build_instance: Callable[[QVBoxLayout, Item], None], read_only: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("repeatSection")
        self.read_only = read_only
        self.ref = item.ref
        self.item = item
        self._build_instance = build_instance
        self.heading = QLabel(objectName="repeatHeading", wordWrap=True)
        self.empty = QLabel(objectName="fieldHint", wordWrap=True)
        self.instances_box = QVBoxLayout()
        self.add_button = QPushButton(objectName="addRepeat")
        self.add_button.clicked.connect(lambda: self.add_requested.emit(self.ref))
        self.instances: list[RepeatInstance] = []
        self._label = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.addWidget(self.heading)
        layout.addWidget(self.empty)
        layout.addLayout(self.instances_box)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.rebuild(item)

    def clear(self) -> list[str]:
        """Drop every instance widget; returns their refs (the view forgets their fields)."""
        refs = [inst.ref for inst in self.instances]
        for inst in self.instances:
            inst.hide()
            inst.deleteLater()
        self.instances = []
        return refs

    def rebuild(self, item: Item) -> None:
        self.item = item
        self.clear()
        for number, child in enumerate(item.children, start=1):
            inst = RepeatInstance(child, number=number, removable=not item.count_fixed and not self.read_only)
            self._build_instance(inst.content, child)
            self.instances_box.addWidget(inst)
            inst.setVisible(child.relevant)  # now, not on the next event loop turn: focus can go to it
            self.instances.append(inst)
        self.set_label(item.label)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:  # switched with the form open
            self.set_label(self._label)
        super().changeEvent(event)

    def allow_removal_beyond(self, count: int) -> None:
        """A counted repeat keeps entries beyond a count that went down (as Collect): those may be removed."""
        for inst in self.instances:
            inst.remove_button.setVisible(inst.number > count and not self.read_only)

    def set_label(self, label: str) -> None:
        if label:  # a re-read repeat item may come without its label: keep the one we have
            self._label = label
        label = self._label
        name = label or self.tr("Entry")
        self.heading.setText(name)
        self.add_button.setText(self.tr("&Add: %1").replace("%1", name))
        self.add_button.setVisible(not self.item.count_fixed and not self.read_only)
        self.empty.setText(self.tr("None added yet."))
        self.empty.setVisible(not self.instances)
        for inst in self.instances:
            inst.set_label(label)
