"""The review desk's lists as Qt item models that load page by page, and the two comparison tables.

The lists derive from `paged_model.PagedModel` (shared with the audit log): pages read on the database thread as
the person scrolls, late pages dropped after a reset (lock, a decision made, a new generation of candidates). So a
desk with 100,000 conflicts or candidates costs one page to open.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from desktop_app.services.desk import CandidateRow, ConflictRow, Decision
from desktop_app.ui import labels
from desktop_app.ui.desk_refusals import refusal_text
from desktop_app.ui.paged_model import PagedModel

DIFFERS = QColor("#fff4d6")  # a soft amber behind answers the two sides disagree on


def local_time(iso: str) -> str:
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%Y-%m-%d %H:%M")


def centre_text(code: str) -> str:
    """A centre code as people say it (ne_agadez → Agadez)."""
    if not code:
        return ""
    name = code.split("_", 1)[-1] if "_" in code else code
    return name.replace("_", " ").title()


class ConflictListModel(PagedModel):
    def headers(self) -> list[str]:
        return [self.tr("No."), self.tr("Name"), self.tr("Centre"), self.tr("Since"), self.tr("Where")]

    def display(self, row: ConflictRow, column: int) -> str:
        return [row.short_id, row.title or self.tr("(no name)"), centre_text(row.centre), local_time(row.opened_at),
                self.tr("waiting for sync") if row.waiting else where_text(row.where)][column]


def where_text(where: str) -> str:
    if not where or where in ("content", "record"):
        return ""
    return where.rsplit("/", 1)[-1].split("[", 1)[0].replace("_", " ")


class RejectedListModel(PagedModel):
    def headers(self) -> list[str]:
        return [self.tr("No."), self.tr("Name"), self.tr("Centre"), self.tr("When"), self.tr("Reason")]

    def display(self, row: ConflictRow, column: int) -> str:
        return [row.short_id, row.title or self.tr("(no name)"), centre_text(row.centre), local_time(row.opened_at),
                refusal_text(row.refusal, row.message)][column]


class CandidateListModel(PagedModel):
    def headers(self) -> list[str]:
        return [self.tr("Score"), self.tr("Person"), self.tr("Centre"), self.tr("Possible duplicate"),
                self.tr("Centre")]

    def display(self, row: CandidateRow, column: int) -> str:
        return [f"{round(row.score * 100)} %", row.title_a or self.tr("(no name)"), centre_text(row.centre_a),
                row.title_b or self.tr("(no name)"), centre_text(row.centre_b)][column]

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return super().data(index, role)


class DecisionListModel(PagedModel):
    """Decisions, newest first; `names` (record id → name) is filled as pages arrive."""

    def __init__(self, *, page_size: int = 200) -> None:
        super().__init__(page_size=page_size)
        self.names: dict[str, str] = {}

    def headers(self) -> list[str]:
        return [self.tr("When"), self.tr("Decision"), self.tr("People"), self.tr("By"), self.tr("State")]

    def display(self, row: Decision, column: int) -> str:
        if column == 0:
            return local_time(row.decided_at)
        if column == 1:
            return self.tr("Same person (merged)") if row.kind == "merge" else self.tr("Not the same person")
        if column == 2:
            if row.kind == "merge":
                return self.tr("%1 kept, %2 merged into it").replace("%1", self._name(row.kept)).replace(
                    "%2", self._name(row.merged))
            return f"{self._name(row.a)} / {self._name(row.b)}"
        if column == 3:
            return row.decided_by
        return self.tr("Undone by %1").replace("%1", row.undone_by) if row.undone else self.tr("Standing")

    def _name(self, record_id: str) -> str:
        return self.names.get(record_id) or record_id.replace("-", "")[:8].upper()


# --- comparison tables ------------------------------------------------------------------------------------------------

QUESTION, LOCAL, REMOTE, RESULT = range(4)


class ConflictSidesModel(QAbstractTableModel):
    """One conflict, answer by answer: this laptop's side, the server's, and the result the coordinator saves.

    The result starts as this laptop's value; Enter on a side copies that side's value into the result, F2 on the
    result types a correction. Restricted (sealed) answers are compared but never shown or edited."""

    def __init__(self) -> None:
        super().__init__()
        self._leaves: list[Any] = []
        self._result: list[str | None] = []
        self._local_name = ""

    def set_leaves(self, leaves: list[Any]) -> None:
        self.beginResetModel()
        self._leaves = list(leaves)
        self._result = [leaf.local for leaf in self._leaves]
        self.endResetModel()

    def clear(self) -> None:
        self.set_leaves([])

    def relabel(self, labels: dict[str, str]) -> None:
        """New question labels (leaf path → label, after a language switch); the result being edited stays."""
        if not self._leaves:
            return
        self._leaves = [replace(leaf, label=labels.get(leaf.path, leaf.label)) for leaf in self._leaves]
        self.dataChanged.emit(self.index(0, QUESTION), self.index(len(self._leaves) - 1, QUESTION))

    def take(self, row: int, column: int) -> None:
        """Copy one side's value into the result (column LOCAL or REMOTE)."""
        if 0 <= row < len(self._leaves) and column in (LOCAL, REMOTE) and not self._leaves[row].restricted:
            leaf = self._leaves[row]
            self._result[row] = leaf.local if column == LOCAL else leaf.remote
            index = self.index(row, RESULT)
            self.dataChanged.emit(index, index)

    def take_all(self, column: int) -> None:
        for row in range(len(self._leaves)):
            self.take(row, column)

    def edits(self) -> dict[str, str]:
        """What the result changes in this laptop's side: leaf path → text."""
        return {leaf.path: value or "" for leaf, value in zip(self._leaves, self._result, strict=True)
                if not leaf.restricted and (value or "") != (leaf.local or "")}

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._leaves)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 4

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tr("Enter on a side takes its value; F2 on the result corrects it") if section != QUESTION \
                else None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        local = self.tr("Device %1").replace("%1", self._local_name) if self._local_name else self.tr("This laptop")
        return {QUESTION: self.tr("Answer"), LOCAL: local, REMOTE: self.tr("Server"),
                RESULT: self.tr("Result")}.get(section)

    def set_local_name(self, name: str) -> None:
        """The device whose version the "local" side is ("" for this laptop's own conflicts)."""
        if name != self._local_name:
            self._local_name = name
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, LOCAL, LOCAL)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() == RESULT and not self._leaves[index.row()].restricted:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._leaves):
            return None
        leaf, column = self._leaves[index.row()], index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if column == QUESTION:
                return question_text(leaf.path, leaf.label)
            if leaf.restricted:
                return self.tr("(restricted)")
            value = {LOCAL: leaf.local, REMOTE: leaf.remote, RESULT: self._result[index.row()]}[column]
            if value is None and role == Qt.ItemDataRole.DisplayRole:
                return self.tr("(absent)")
            return value or ""
        if role == Qt.ItemDataRole.BackgroundRole and leaf.differs and column != QUESTION:
            return QBrush(DIFFERS)
        if role == Qt.ItemDataRole.ToolTipRole and column == QUESTION:
            return leaf.path
        return None

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != RESULT or role != Qt.ItemDataRole.EditRole:
            return False
        self._result[index.row()] = str(value)
        self.dataChanged.emit(index, index)
        return True

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 3)


def question_text(path: str, label: str = "") -> str:
    """An answer as people know it: its question's label in the form ("Given name(s)"), else the leaf's name
    (identity/given_name → "given name"); a repeat's answers carry their instance numbers ("Name 2")."""
    name = label or path.split("/")[-1].split("[", 1)[0].replace("_", " ")
    repeat = "".join(f" {p.split('[', 1)[1].rstrip(']')}" for p in path.split("/")[:-1] if "[" in p)
    return name + repeat


class PairModel(QAbstractTableModel):
    """Two people side by side, answer by answer."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[tuple[str, str, str]] = []

    def set_pair(self, detail: Any, answers: tuple[str, ...]) -> None:
        self.beginResetModel()
        a, b = detail.a.values, detail.b.values
        self._rows = [(name, a.get(name, ""), b.get(name, "")) for name in answers if a.get(name) or b.get(name)]
        self._rows.append(("linked", str(detail.a.linked), str(detail.b.linked)))
        self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self._rows = []
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return {0: self.tr("Answer"), 1: self.tr("Person"), 2: self.tr("Possible duplicate")}.get(section)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        name, a, b = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 0:
                return self.answer_name(name)
            value = (a, b)[index.column() - 1]
            return self.value_text(name, value)
        if role == Qt.ItemDataRole.BackgroundRole and index.column() > 0 and a != b and name != "linked":
            return QBrush(DIFFERS)
        return None

    def answer_name(self, name: str) -> str:
        return {
            "given_name": self.tr("Given name(s)"), "family_name": self.tr("Family name"),
            "other_names": self.tr("Other names"), "sex": self.tr("Sex"), "date_of_birth": self.tr("Date of birth"),
            "age_years": self.tr("Age"), "nationality": self.tr("Nationality"),
            "id_document_type": self.tr("Document"), "id_document_number": self.tr("Document number"),
            "phone": self.tr("Phone"), "centre": self.tr("Centre"), "registered_on": self.tr("Registered on"),
            "linked": self.tr("Events and referrals"),
        }.get(name, name)

    @staticmethod
    def value_text(name: str, value: str) -> str:
        if name == "sex":
            return labels.sex_name(value)
        if name == "nationality":
            return labels.country_name(value)
        if name == "centre":
            return centre_text(value)
        return value

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 2)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 2))
