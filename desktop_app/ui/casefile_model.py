"""The case file's timeline as a Qt item model, and the words for the codes it shows (issue 12 point 2).

One row per entry of services.casefile.CaseFile (registration, assistance events, referrals, a trafficking case,
the case closed or reopened), oldest first: date, what, details, who. Codes (assistance types, services, referral
and trafficking statuses) are worded with the forms' own choice labels in the interface language; reasons for
closing and reopening with this module's words (English and French through Qt Linguist).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, Qt

from desktop_app.services.casefile import CaseFile, Entry
from desktop_app.ui import labels
from desktop_app.ui.consent_panel import purpose_text
from desktop_app.ui.row_model import RowsModel

translate = QCoreApplication.translate
DATE, WHAT, DETAILS, BY = range(4)
RECORD_ID_ROLE = Qt.ItemDataRole.UserRole + 1
KIND_ROLE = Qt.ItemDataRole.UserRole + 2


def reason_name(code: str) -> str:
    """A reason for closing or reopening a case (records/casefile.py CLOSE_REASONS, REOPEN_REASONS)."""
    names = {
        "returned": translate("CaseFile", "Returned (AVRR/VHR)"),
        "left_voluntarily": translate("CaseFile", "Left voluntarily"),
        "onward": translate("CaseFile", "Onward movement"),
        "transferred": translate("CaseFile", "Transferred or referred"),
        "duplicate": translate("CaseFile", "Duplicate registration"),
        "deceased": translate("CaseFile", "Deceased"),
        "came_back": translate("CaseFile", "Came back to the centre"),
        "new_need": translate("CaseFile", "A new need"),
        "closed_by_mistake": translate("CaseFile", "Closed by mistake"),
        "other": translate("CaseFile", "Other"),
    }
    return names.get(code, code)


def state_name(state: str) -> str:
    return {"open": translate("CaseFile", "Open"), "closed": translate("CaseFile", "Closed")}.get(state, state)


class Words:
    """The forms' choice labels ({question name: {code: label}}) for the language the case file was read in."""

    def __init__(self, choices: dict[str, dict[str, str]] | None = None) -> None:
        self.choices = choices or {}

    def of(self, name: str, code: str) -> str:
        return self.choices.get(name, {}).get(code, code)


def entry_what(entry: Entry, words: Words) -> str:
    if entry.kind == "registration":
        return translate("CaseFile", "Registration")
    if entry.kind == "event":
        return words.of("assistance_type", entry.what)
    if entry.kind == "referral":
        return translate("CaseFile", "Referral: %1").replace("%1", words.of("service_type", entry.what))
    if entry.kind == "case":
        return translate("CaseFile", "Trafficking case: %1").replace("%1", words.of("trafficking_status", entry.what) or "?")
    if entry.kind == "status":
        return translate("CaseFile", "Case closed") if entry.what == "closed" else translate("CaseFile", "Case reopened")
    if entry.kind == "consent":
        return (translate("CaseFile", "Consent withdrawn") if entry.what == "withdraw"
                else translate("CaseFile", "Consent given"))
    return entry.what


def entry_details(entry: Entry, words: Words) -> str:
    d = entry.detail
    parts: list[str] = []
    if entry.kind == "event":
        if d.get("modality"):
            parts.append(words.of("modality", d["modality"]))
        if d.get("next_appointment"):
            parts.append(translate("CaseFile", "next appointment %1").replace("%1", d["next_appointment"]))
    elif entry.kind == "referral":
        if d.get("to_org"):
            parts.append(translate("CaseFile", "to %1").replace("%1", d["to_org"]))
        parts.append(words.of("status", d.get("status", "pending")))
    elif entry.kind == "consent":
        parts.append(", ".join(purpose_text(p) for p in d.get("purposes", "").split()))
    elif entry.kind == "status":
        parts.append(reason_name(d.get("reason", "")))
        if d.get("note"):
            parts.append(d["note"])
    if entry.draft:
        parts.append(labels.status_name("draft"))
    return " · ".join(p for p in parts if p)


class TimelineModel(RowsModel):
    COLUMNS = 4

    def __init__(self) -> None:
        super().__init__()
        self.words = Words()

    def show(self, case: CaseFile | None, words: Words | None = None) -> None:
        self.words = words or Words()
        self.set_rows(case.entries if case is not None else [])

    def headers(self) -> dict[int, str]:
        return {DATE: self.tr("Date"), WHAT: self.tr("What"), DETAILS: self.tr("Details"), BY: self.tr("By")}

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        entry = self.row(index.row()) if index.isValid() else None
        if entry is None:
            return None
        if role == RECORD_ID_ROLE:
            return entry.record_id
        if role == KIND_ROLE:
            return entry.kind
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        column = index.column()
        if column == DATE:
            return entry.day
        if column == WHAT:
            return entry_what(entry, self.words)
        if column == DETAILS:
            return entry_details(entry, self.words)
        return entry.by
