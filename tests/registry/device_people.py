"""Registrations for the device search tests, as the shipped form writes them (synthetic people only)."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from desktop_app.vault.registrations import RegistrationDraft, save_registrations
from tests.access.team import MIGRANT

VERSION = "2026120601"


def uid(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def person_xml(record_id: str, given: str, family: str = "", *, sex: str = "male", born: str = "",
               age: str = "", nationality: str = "NE", document: str = "", phone: str = "",
               matching: str = "yes", services: str = "yes", centre: str = "ne_agadez") -> str:
    """A registration as the shipped form writes it (the answers the index reads; synthetic people only)."""
    def leaf(name: str, value: str) -> str:
        return f"<{name}>{escape(value)}</{name}>" if value else f"<{name}/>"
    return ("<data id=\"waypoint_migrant_registration\"><centre_page>" + leaf("centre_country", "NE")
            + leaf("centre", centre) + leaf("registered_on", "2026-11-02") + "</centre_page><consent>"
            + leaf("consent_services", services) + leaf("consent_matching", matching) + "</consent><identity>"
            + leaf("given_name", given) + leaf("family_name", family) + leaf("sex", sex)
            + leaf("date_of_birth", born) + leaf("age_years", age) + leaf("nationality", nationality)
            + leaf("id_document_number", document) + leaf("phone", phone) + "</identity>"
            + f"<meta><instanceID>uuid:{record_id}</instanceID></meta></data>")


def save(vault, people: list[tuple[int, str]], form: str = MIGRANT, *, with_centre: bool = False) -> None:
    """Save finalized registrations; their summary's centre column too when `with_centre` (the app fills it)."""
    def column(content: str, name: str) -> str | None:
        found = re.search(f"<{name}>([^<]*)</{name}>", content)
        return found.group(1) if found else None
    save_registrations(vault, [RegistrationDraft(form, VERSION, "finalized", content, uid(n),
                                                 {"title": f"P{n}", "nationality": column(content, "nationality"),
                                                  "sex": column(content, "sex"),
                                                  **({"centre": column(content, "centre")} if with_centre else {})})
                               for n, content in people])
