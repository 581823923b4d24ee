"""Write the place lists the shipped forms choose from, and put them into the forms' choices sheets.

    .venv/bin/pip install 'pycountry>=24.6'       # only here: the app never imports it
    .venv/bin/python forms/lists/generate.py      # rewrites forms/lists/*.csv and the choices of forms/*.md
    .venv/bin/python forms/lists/generate.py --check   # exit 1 when a committed list or form is stale

- countries.csv: every ISO 3166-1 country, code alpha-2, its short name in English and in French (from the
  iso-codes translations pycountry ships), for nationality, country of birth, transit, destination, return...
- regions.csv: the first-level ISO 3166-2 subdivisions of every African country (states, regions, wilayas),
  English and French names where iso-codes translates them, plus one "unknown or other region" for any country;
- centres.csv (written by hand, not generated): the centres of the six countries Waypoint is deployed in;
  its countries are the "country of the centre" list.

The forms keep these as ordinary choices (with both languages), so they open in KoboToolbox and ODK too; the list
names are `country`, `admin1`, `centre_country` and `centre`, and the `country` column filters regions and centres.
"""

from __future__ import annotations

import argparse
import csv
import gettext
import io
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FORMS = HERE.parent

# Where the ISO short name reads badly ("Congo, The Democratic Republic of the"): the names people use.
NAMES = {
    "AX": ("Åland Islands", "Îles Åland"), "CC": ("Cocos (Keeling) Islands", "Îles Cocos (Keeling)"),
    "CD": ("Democratic Republic of the Congo", "République démocratique du Congo"),
    "CX": ("Christmas Island", "Île Christmas"), "FK": ("Falkland Islands", "Îles Malouines (Falkland)"),
    "FM": ("Micronesia", "Micronésie"), "PS": ("Palestine", "Palestine"), "RE": ("Réunion", "La Réunion"),
    "RU": ("Russia", "Russie"), "SB": ("Solomon Islands", "Îles Salomon"),
    "VG": ("British Virgin Islands", "Îles Vierges britanniques"),
    "VI": ("United States Virgin Islands", "Îles Vierges des États-Unis"),
    "SH": ("Saint Helena, Ascension and Tristan da Cunha", "Sainte-Hélène, Ascension et Tristan da Cunha"),
    "BQ": ("Bonaire, Sint Eustatius and Saba", "Bonaire, Saint-Eustache et Saba"),
}
AFRICA = set("""DZ AO BJ BW BF BI CV CM CF TD KM CD CG CI DJ EG GQ ER SZ ET GA GM GH GN GW KE LS LR LY MG MW ML MR MU
MA MZ NA NE NG RW ST SN SC SL SO ZA SS SD TZ TG TN UG EH ZM ZW""".split())
UNKNOWN_REGION = ("unknown", "any", "Unknown or other region", "Région inconnue ou autre")
LISTS = ("country", "admin1", "centre_country", "centre")


def country_rows() -> list[tuple[str, str, str]]:
    import pycountry

    french = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    rows = []
    for country in pycountry.countries:
        english = getattr(country, "common_name", None) or country.name
        rows.append((country.alpha_2, *NAMES.get(country.alpha_2, (english, french.gettext(english)))))
    return sorted(rows, key=lambda r: r[1])


def region_rows() -> list[tuple[str, str, str, str]]:
    import pycountry

    french = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["fr"])
    rows = [(s.code, s.country_code, s.name, french.gettext(s.name)) for s in pycountry.subdivisions
            if s.country_code in AFRICA and s.parent_code is None]
    return sorted(rows, key=lambda r: (r[1], r[2])) + [UNKNOWN_REGION]


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))[1:]


def csv_text(header: list[str], rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def choice_rows(countries, regions, centres) -> list[str]:
    by_code = {code: (en, fr) for code, en, fr in countries}
    lines = [f"| | country | {code} | {en} | {fr} |  |" for code, en, fr in countries]
    lines += [f"| | admin1 | {code} | {en} | {fr} | {country} |" for code, country, en, fr in regions]
    for code in dict.fromkeys(row[1] for row in centres):
        lines.append(f"| | centre_country | {code} | {by_code[code][0]} | {by_code[code][1]} | |")
    lines += [f"| | centre | {code} | {en} | {fr} | {country} |" for code, country, en, fr in centres]
    return lines


def with_choices(form: str, lines: list[str]) -> str:
    """The form with its country/region/centre choice rows replaced by `lines` (where the first of them was),
    keeping only the lists its questions use."""
    used = {name for name in LISTS if re.search(rf"\bselect_(?:one|multiple) {name}\b", form)}
    lines = [line for line in lines if line.split("|")[2].strip() in used]
    out, placed = [], False
    for line in form.splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 3 and cells[1] == "" and cells[2] in LISTS:
            if not placed:
                out.extend(lines)
                placed = True
            continue
        out.append(line)
    if not placed:
        raise SystemExit("the form has no country/admin1/centre choices to replace")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 when something is stale")
    args = parser.parse_args(argv)
    countries, regions = country_rows(), region_rows()
    centres = [tuple(r) for r in read_csv(HERE / "centres.csv")]
    wanted = {HERE / "countries.csv": csv_text(["code", "en", "fr"], countries),
              HERE / "regions.csv": csv_text(["code", "country", "en", "fr"], regions)}
    lines = choice_rows(countries, regions, centres)
    for form in sorted(FORMS.glob("*.md")):
        wanted[form] = with_choices(form.read_text("utf-8"), lines)
    stale = [path for path, text in wanted.items() if not path.exists() or path.read_text("utf-8") != text]
    if args.check:
        for path in stale:
            print(f"stale: {path.relative_to(FORMS.parent)}")
        return 1 if stale else 0
    for path in stale:
        path.write_text(wanted[path], "utf-8")
        print(f"wrote {path.relative_to(FORMS.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
