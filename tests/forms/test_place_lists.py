"""The shipped forms' place lists: every ISO 3166-1 country by name in English and French, the regions of every
African country (ISO 3166-2), the six countries Waypoint works in with their centres; the forms carry exactly the
committed lists (forms/lists/generate.py writes both)."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest

from waypoint_core.xform import FormDefinition, FormSession

REPO = Path(__file__).resolve().parents[2]
LISTS = REPO / "forms" / "lists"
SIX = {"NE", "BF", "ML", "MR", "ET", "DJ"}  # README: Niger, Burkina Faso, Mali, Mauritania, Ethiopia, Djibouti


def _rows(name: str) -> list[list[str]]:
    with (LISTS / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))[1:]


def _generator():
    spec = importlib.util.spec_from_file_location("generate_lists", LISTS / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_forms_hold_exactly_the_committed_lists():
    generate = _generator()
    lines = generate.choice_rows([tuple(r) for r in _rows("countries.csv")], [tuple(r) for r in _rows("regions.csv")],
                                 [tuple(r) for r in _rows("centres.csv")])
    for form in sorted((REPO / "forms").glob("*.md")):
        text = form.read_text("utf-8")
        assert generate.with_choices(text, lines) == text, f"{form.name}: run forms/lists/generate.py"


def test_countries_are_the_iso_list_with_names_in_both_languages():
    countries = {code: (en, fr) for code, en, fr in _rows("countries.csv")}
    assert len(countries) >= 249 and countries["SD"] == ("Sudan", "Soudan")
    assert countries["CD"][0] == "Democratic Republic of the Congo"
    assert all(len(code) == 2 and en and fr and ", " not in en for code, (en, fr) in countries.items()
               if code not in ("SH", "BQ"))


def test_six_countries_have_centres_and_regions_and_sudan_has_regions():
    centres = _rows("centres.csv")
    regions = _rows("regions.csv")
    assert {country for _, country, _, _ in centres} == SIX
    by_country = {}
    for code, country, en, fr in regions:
        by_country.setdefault(country, []).append((code, en, fr))
    for country in SIX | {"SD", "ER", "SO", "NG", "GN"}:
        assert len(by_country[country]) >= 5, country
        assert all(code.startswith(country + "-") and en and fr for code, en, fr in by_country[country])
    assert ("unknown", "any") == tuple(regions[-1][:2])


@pytest.fixture(scope="module")
def migrant(shipped_xforms):
    return FormDefinition.from_xml(shipped_xforms["migrant_registration"])


def test_sudan_offers_its_states_as_region_of_origin_in_french_too(migrant):
    session = FormSession(migrant, language="Français (fr)")
    session.answer("/data/consent/consent_services", "yes")
    session.answer("/data/identity/country_of_birth", "SD")
    labels = {c.value: c.label for c in session.item("/data/identity/origin_admin1").choices}
    assert labels["SD-DN"] == "North Darfur" and labels["SD-NO"] == "Nord" and "unknown" in labels
    nationality = {c.value: c.label for c in session.item("/data/identity/nationality").choices}
    assert nationality["SD"] == "Soudan" and nationality["ET"] == "Éthiopie"


def test_the_country_of_the_centre_offers_the_six_countries_and_their_centres(migrant):
    session = FormSession(migrant)
    countries = {c.value for c in session.item("/data/centre_page/centre_country").choices}
    assert countries == SIX
    session.answer("/data/centre_page/centre_country", "DJ")
    assert {c.value for c in session.item("/data/centre_page/centre").choices} == {"dj_obock", "dj_djibouti"}
