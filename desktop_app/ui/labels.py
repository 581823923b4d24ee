"""Translated words for values stored in English codes: roles, statuses, sync states, sexes, countries,
form titles.

Each function looks the word up at call time (not at import), so a language switch shows at once.
Unknown codes are shown as they are rather than hidden: a new value must stay visible.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale

from desktop_app.services import forms, places


def ui_language() -> str:
    """The interface language ("en", "fr"): Translations.switch sets the default locale with it."""
    return QLocale().name()[:2]


def country_name(code: str) -> str:
    """An ISO country code as people read it, in the interface language ('SD' → 'Sudan' / 'Soudan')."""
    return places.country_name(code, ui_language())


def form_title(title: str) -> str:
    """A form's title in the interface language ('Referral / Référencement' → 'Référencement')."""
    return forms.localized_title(title, ui_language())


def role_name(role: str) -> str:
    names = {
        "field_staff": QCoreApplication.translate("Labels", "Field staff"),
        "case_worker": QCoreApplication.translate("Labels", "Case worker"),
        "coordinator": QCoreApplication.translate("Labels", "Coordinator"),
        "administrator": QCoreApplication.translate("Labels", "Administrator"),
        "recovery": QCoreApplication.translate("Labels", "Recovery (administrator)"),
    }
    return names.get(role, role)


def roles_text(roles: tuple[str, ...] | list[str]) -> str:
    """Several roles as one line ('Field staff, Case worker'), in the interface language."""
    return ", ".join(role_name(r) for r in roles)


def status_name(status: str) -> str:
    names = {
        "draft": QCoreApplication.translate("Labels", "Draft"),
        "finalized": QCoreApplication.translate("Labels", "Finalized"),
    }
    return names.get(status, status)


def sync_state_name(state: str) -> str:
    names = {
        "local": QCoreApplication.translate("Labels", "Not sent"),
        "queued": QCoreApplication.translate("Labels", "Waiting"),
        "sent": QCoreApplication.translate("Labels", "Sent"),
        "acknowledged": QCoreApplication.translate("Labels", "Synced"),
        "conflict": QCoreApplication.translate("Labels", "Conflict"),
    }
    return names.get(state, state)


def sex_name(sex: str) -> str:
    names = {
        "female": QCoreApplication.translate("Labels", "Female"),
        "f": QCoreApplication.translate("Labels", "Female"),
        "male": QCoreApplication.translate("Labels", "Male"),
        "m": QCoreApplication.translate("Labels", "Male"),
        "other": QCoreApplication.translate("Labels", "Other"),
        "unknown": QCoreApplication.translate("Labels", "Unknown"),
    }
    return names.get(sex.lower(), sex)
