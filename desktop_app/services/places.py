"""Places: where this laptop works (its country and centre) and the place lists the shipped forms choose from.

A laptop's place comes from its enrolment (the centre the server enrolled it for) or, on a laptop never enrolled,
from setup. It decides more than defaults: a centre-scoped person's centre is the laptop's (services.access.actor_of),
so on a laptop shared with a coordinator who pulled the region it decides which centre's people field staff see.
Setting or changing it is therefore managing the device (`access.check_set_place`: administrators and coordinators,
audited), and on an enrolled laptop nobody changes it here: the enrolment's centre stays the laptop's (enrol again to
move it; docs/access.md). New records start with it: the questions a form marks `wp:device="country"` / `wp:device="centre"`
(bind attributes, ignored by other XForm tools) are answered with it, and the person may still change them.

The lists live in forms/lists/ (countries.csv: ISO 3166-1 names in English and French; centres.csv: the centres
of the six countries Waypoint works in). A server centre is matched to the shipped list by its code or its English
or French name, so name server centres that way (`waypoint-server admin centre add "Agadez transit centre"`).
No Qt here.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

from desktop_app.services import access, audit
from desktop_app.services.forms import SHIPPED_FORMS_DIR
from desktop_app.vault import place as place_store
from desktop_app.vault.sql import Db
from desktop_app.vault.vault import Vault
from waypoint_core.access import audit as chain
from waypoint_core.xform import FormDefinition

LISTS_DIR = SHIPPED_FORMS_DIR / "lists"
DEVICE_ATTRIBUTE = "wp:device"


@dataclass(frozen=True)
class Centre:
    code: str
    country: str
    en: str
    fr: str

    def name(self, language: str) -> str:
        return self.fr if language == "fr" else self.en


@dataclass(frozen=True)
class DevicePlace:
    country: str = ""  # ISO 3166-1 alpha-2
    centre: str = ""  # a code of centres.csv, or "" when the enrolment's centre is not in the shipped list
    centre_name: str = ""  # as the server names it (enrolment) or from the list (setup)
    source: str = ""  # "setup" | "enrolment" | "" (not set)

    @property
    def is_set(self) -> bool:
        return bool(self.country or self.centre)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@functools.cache
def _countries(lists_dir: Path = LISTS_DIR) -> dict[str, tuple[str, str]]:
    return {r["code"]: (r["en"], r["fr"]) for r in _rows(lists_dir / "countries.csv")}


def country_name(code: str, language: str) -> str:
    """'SD' → 'Sudan' / 'Soudan'; a code not in the ISO list is shown as it is."""
    names = _countries().get(code.upper()) if code else None
    return (names[1] if language == "fr" else names[0]) if names else code


def country_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code of the shipped list."""
    return frozenset(_countries())


@functools.cache
def centres(lists_dir: Path = LISTS_DIR) -> tuple[Centre, ...]:
    return tuple(Centre(r["code"], r["country"], r["en"], r["fr"]) for r in _rows(lists_dir / "centres.csv"))


def centre_countries() -> list[str]:
    """The countries that have centres, in the order of the list."""
    return list(dict.fromkeys(c.country for c in centres()))


def find_centre(name_or_code: str) -> Centre | None:
    wanted = name_or_code.strip().casefold()
    return next((c for c in centres() if wanted in (c.code.casefold(), c.en.casefold(), c.fr.casefold())), None)


def centre_code(name: str) -> str | None:
    """The code of the shipped list a server centre's name stands for (as `take_place_from_enrolment` reads the
    laptop's own), or None: what a pulled record's centre is stored as (sync store.centres_here)."""
    known = find_centre(name) if name else None
    return known.code if known is not None else None


def get_place(vault: Vault) -> DevicePlace:
    return DevicePlace(**place_store.read_place(vault))


def set_place(vault: Vault, *, country: str, centre: str = "", centre_name: str = "",
              source: str = "setup") -> DevicePlace:
    """A person sets or changes this laptop's place (the first sign-in's question, File → This laptop's centre…).
    Checked first (`access.check_set_place`: the manage-devices right, a centre-scoped grant's own centre only,
    refused on an enrolled laptop), then written
    with an audit entry naming the centre codes before and after (no personal data), in one transaction. A centre
    of the list brings its own country and name."""
    place = _resolved(country=country, centre=centre, centre_name=centre_name, source=source)
    access.check_set_place(vault, centre=place.centre, centre_name=place.centre_name)
    before = get_place(vault)
    with vault.session() as session:
        db = Db.of(session)
        place_store.write_place_db(db, _stored(place))
        audit.note_in(db, vault, chain.PLACE_SET,
                      detail=f"{_words(before)} -> {_words(place)}")
    return place


def postpone_place(vault: Vault) -> DevicePlace:
    """"Later" at the first sign-in's question: remembered so it is not asked again. Never changes a place that is
    set (the page is also reached from the menu), so it needs no right: an unset place stays unset."""
    place = get_place(vault)
    if place.is_set or place.source == "later":
        return place
    later = DevicePlace(source="later")
    place_store.write_place(vault, _stored(later))
    return later


def _resolved(*, country: str, centre: str, centre_name: str, source: str) -> DevicePlace:
    known = find_centre(centre) if centre else None
    if known is not None:
        country, centre, centre_name = known.country, known.code, centre_name or known.en
    if country and country.upper() not in _countries():
        raise ValueError(f"not an ISO 3166-1 country code: {country!r}")
    return DevicePlace(country=country.upper(), centre=centre, centre_name=centre_name, source=source)


def _stored(place: DevicePlace) -> dict[str, str]:
    return {"country": place.country, "centre": place.centre, "centre_name": place.centre_name,
            "source": place.source}


def _words(place: DevicePlace) -> str:
    """A place in an audit entry: codes only (a country code, a centre code of the list), "none" when unset."""
    return "/".join(part for part in (place.country, place.centre) if part) or "none"


def take_place_from_enrolment(vault: Vault, centre_name: str) -> DevicePlace:
    """After enrolment: the enrolment's centre becomes the laptop's (its country too when the list knows it). The
    server decided it (the enrolment code was made for that centre), so no person's right is asked here."""
    name = (centre_name or "").strip()
    if not name:
        return get_place(vault)
    known = find_centre(name)
    if known is not None:
        place = _resolved(country=known.country, centre=known.code, centre_name=name, source="enrolment")
    else:
        place = _resolved(country=get_place(vault).country, centre="", centre_name=name, source="enrolment")
    place_store.write_place(vault, _stored(place))
    return place


def form_defaults(definition: FormDefinition, place: DevicePlace) -> dict[str, str]:
    """{question ref: value} for the questions a form marks wp:device, from this laptop's place."""
    values = {"country": place.country, "centre": place.centre}
    defaults = {}
    for path, bind in definition.binds.items():
        wanted = values.get(bind.extra.get(DEVICE_ATTRIBUTE, ""), "")
        if wanted and "[" not in path:
            defaults[path] = wanted
    return defaults


__all__ = ["Centre", "DevicePlace", "centre_code", "centre_countries", "centres", "country_name", "find_centre",
           "form_defaults", "get_place", "postpone_place", "set_place", "take_place_from_enrolment"]
