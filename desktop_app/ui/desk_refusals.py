"""Why a change was refused, in the person's language: the Rejected changes screen's reason.

The server's refusals (and this laptop's own "not sendable") come with their code and values
(`waypoint_core.protocol.refusals`, stored with the refusal: records/review.py), worded here; the English sentence
beside them is read back only for a refusal stored before codes existed or sent by an older server. A refusal this
version does not know (a newer server's code or sentence) is shown as the server wrote it: some reason beats none.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from desktop_app.ui.consent_panel import purpose_text
from desktop_app.ui.labels import roles_text
from waypoint_core.protocol import refusals
from waypoint_core.protocol.refusals import Refusal


def _action(action: str) -> str:
    """The policy's action (as its sentence writes it: "manage users") as a noun."""
    words = {
        "view": QCoreApplication.translate("DeskRefusals", "viewing"),
        "create": QCoreApplication.translate("DeskRefusals", "creating a record"),
        "edit": QCoreApplication.translate("DeskRefusals", "changing a record"),
        "finalize": QCoreApplication.translate("DeskRefusals", "finalising a record"),
        "delete": QCoreApplication.translate("DeskRefusals", "deleting a record"),
        "export": QCoreApplication.translate("DeskRefusals", "exporting"),
        "review": QCoreApplication.translate("DeskRefusals", "reviewing"),
        "manage users": QCoreApplication.translate("DeskRefusals", "managing people"),
        "manage devices": QCoreApplication.translate("DeskRefusals", "managing laptops"),
    }
    return words.get(action, action)


def _subject(subject: str) -> str:
    words = {
        "registration": QCoreApplication.translate("DeskRefusals", "registrations"),
        "case": QCoreApplication.translate("DeskRefusals", "protection cases"),
        "organisation": QCoreApplication.translate("DeskRefusals", "people and laptops"),
    }
    return words.get(subject, subject)


def _scope(scope: str) -> str:
    words = {
        "own": QCoreApplication.translate("DeskRefusals", "the records made on that laptop"),
        "centre": QCoreApplication.translate("DeskRefusals", "the records of its own centre"),
        "region": QCoreApplication.translate("DeskRefusals", "the records of its own region"),
        "all": QCoreApplication.translate("DeskRefusals", "every record"),
    }
    return words.get(scope, scope)


def _consent(status: str) -> str:
    words = {
        "refused": QCoreApplication.translate("DeskRefusals", "consent refused"),
        "withdrawn": QCoreApplication.translate("DeskRefusals", "consent withdrawn"),
        "not_recorded": QCoreApplication.translate("DeskRefusals", "consent not recorded"),
    }
    return words.get(status, status.replace("_", " "))


def _answer(path: str) -> str:
    """An op's field path ("fields.narrative", "content") as the answer a person knows."""
    if path == "content":
        return QCoreApplication.translate("DeskRefusals", "the form")
    return path.removeprefix("fields.")


def _not_sendable(values: dict[str, str]) -> str:
    error, detail, answer = values.get("error", ""), values.get("detail", ""), _answer(values.get("field", ""))
    if error.endswith("too_long") or (not error and "at most" in detail):
        text = QCoreApplication.translate("DeskRefusals", "This laptop could not send it: an answer is too long (%1).")
    elif error == "string_pattern_mismatch" or (not error and "pattern" in detail):
        text = QCoreApplication.translate(
            "DeskRefusals", "This laptop could not send it: an answer holds characters that cannot be sent (%1).")
    else:
        text = QCoreApplication.translate("DeskRefusals", "This laptop could not send it: the sync cannot carry an "
                                                          "answer (%1).")
    return text.replace("%1", answer)


def refusal_text(refusal: Refusal | None, message: str) -> str:
    """The reason in the interface language; the English sentence itself for a refusal not known here."""
    values = dict(refusal.values) if refusal is not None else {}
    code = refusal.code if refusal is not None else ""
    if refusal is None and message in ("", "rejected", "rejected by the server"):
        return QCoreApplication.translate("DeskRefusals", "Refused by the server, which gave no reason.")
    if code == refusals.OTHER_CENTRE:
        return QCoreApplication.translate("DeskRefusals", "This record belongs to another centre.")
    if code == refusals.NOT_ALLOWED:
        roles = [r.strip() for r in values.get("roles", "").split(",") if r.strip()]
        return QCoreApplication.translate(
            "DeskRefusals", "Refused by the server: the roles of that laptop's people (%1) do not allow this: "
                            "%2 (%3).").replace(
            "%1", roles_text(roles) if roles else QCoreApplication.translate("DeskRefusals", "none")).replace(
            "%2", _action(values.get("action", ""))).replace("%3", _subject(values.get("subject", "")))
    if code == refusals.OUTSIDE_SCOPE:
        return QCoreApplication.translate(
            "DeskRefusals", "Refused by the server: that laptop may do this (%1) only on %2, and this record is "
                            "not one of them.").replace(
            "%1", _action(values.get("action", ""))).replace("%2", _scope(values.get("scope", "")))
    if code == refusals.UNKNOWN_RECIPIENT:
        return QCoreApplication.translate(
            "DeskRefusals", "Refused by the server: a referral to a kind of recipient it does not know (%1); no "
                            "consent can cover it.").replace("%1", values.get("kind", ""))
    if code == refusals.NO_CONSENT:
        return QCoreApplication.translate(
            "DeskRefusals", "Refused by the server: the person has not consented to this sharing (%1: %2).").replace(
            "%1", purpose_text(values.get("purpose", ""))).replace("%2", _consent(values.get("status", "")))
    if code == refusals.NOT_SENDABLE:
        return _not_sendable(values)
    return message
