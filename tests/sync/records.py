"""Synthetic registrations for the sync tests (no personal data: names are generated)."""

from __future__ import annotations

from desktop_app.vault.registrations import save_registration

FORM_ID, FORM_VERSION = "migrant_registration", "2026112701"


def instance(name: str, age: int, nationality: str = "NE", phone: str = "") -> str:
    return (f'<data id="{FORM_ID}" version="{FORM_VERSION}"><person><name>{name}</name><age>{age}</age>'
            f"<nationality>{nationality}</nationality></person><contact><phone>{phone}</phone></contact>"
            "<meta><instanceID>uuid:synthetic</instanceID></meta></data>")


def register(vault, name: str, age: int = 30, *, record_id: str | None = None, nationality: str = "NE",
             phone: str = "", status: str = "finalized"):
    return save_registration(vault, record_id=record_id, form_id=FORM_ID, form_version=FORM_VERSION, status=status,
                             content=instance(name, age, nationality, phone),
                             fields={"title": name, "age": age, "nationality": nationality, "phone": phone or None})
