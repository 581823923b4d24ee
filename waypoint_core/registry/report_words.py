"""The words of a written indicator report (the PDF's and XLSX's titles, headings, captions and notes, the CSV's
notes) in English and French.

The app's screens translate through Qt Linguist (resources/i18n); a report is also written by `waypoint report`
and by the server, where there is no Qt, so its words live here as plain text, the French as the app's own
translation says them (resources/i18n/registry_fr.ts: indicator titles, dimension names, "nothing hidden").
French typography: a non-breaking space before ':' and ';'. The English words are those the reports always had,
so the notes the server returns and the CSV carries are unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .disclosure import PRIMARY, Protected
from .indicators import INDICATORS

NBSP = "\u00a0"


@dataclass(frozen=True)
class Words:
    language: str
    title: str
    period: str  # {start} {end} {scope}
    everywhere: str  # the scope "all"
    indicators: dict[str, str]
    dimensions: dict[str, str]  # a table's heading
    dimension_in_text: dict[str, str]  # a dimension inside a sentence ("by sex", "par tranche d'âge")
    chart: str  # {dimension}
    total: str
    summary_line: str  # {code} {title} {total}
    disclosure: str
    table_note: str  # {code} {dimension} {note}
    nothing_hidden: str  # {k} {rounded}
    hidden: str  # {primary} {below} {k} {sensitive} {complement} {rounded}
    sensitive: str
    rounded: str  # {base}
    reach: str  # {code} {reach}
    nothing_at_all: str
    rounding: str  # {base}
    withheld: dict[str, str] = field(default_factory=dict)  # reason -> {code}
    # the CSV's and XLSX's own words (the CSV's column names stay codes: a table for machines)
    about: str = ""  # the CSV's first note: {title} {start} {end} {scope}
    sheet_summary: str = ""
    sheet_period: str = ""  # {start} {end}
    sheet_scope: str = ""  # {scope}
    summary_heads: tuple[str, str, str] = ("", "", "")
    table_heads: dict[str, str] = field(default_factory=dict)  # a table's first column in the XLSX
    people: str = ""
    notes_heading: str = ""
    counselled: str = ""  # 3.3's channel of the people counselled one by one (indicators.COUNSELLED)
    region: str = "region {region}"  # a server's region, by the name its administrator gave it
    computed_by: dict[str, str] = field(default_factory=dict)  # "device" | "server" -> where the figures come from

    def indicator(self, code: str) -> str:
        return self.indicators.get(code, INDICATORS.get(code, code))

    def dimension(self, dimension: str) -> str:
        return self.dimensions.get(dimension, dimension)

    def note(self, protected: Protected) -> str:
        """What was suppressed in one table and why (disclosure.Protected.note, in these words)."""
        primary = sum(1 for r in protected.hidden.values() if r == PRIMARY)
        rounded = self.rounded.format(base=protected.rounding) if protected.rounding > 1 else ""
        if not protected.hidden:
            return self.nothing_hidden.format(k=protected.k, rounded=rounded)
        return self.hidden.format(primary=primary, below=protected.k - 1, k=protected.k,
                                  sensitive=self.sensitive if protected.table.sensitive else "",
                                  complement=len(protected.hidden) - primary, rounded=rounded)


ENGLISH = Words(
    language="en",
    title="Waypoint indicators",
    period="Period {start} to {end} - scope {scope}",
    everywhere="all",
    indicators=dict(INDICATORS),
    dimensions={"sex": "Sex", "age_group": "Age group", "nationality": "Nationality", "centre": "Centre",
                "category": "Category", "channel": "Channel", "target_group": "Target group"},
    dimension_in_text={},  # the notes name the dimension by its code, as they always did (the server's too)
    chart="By {dimension}",
    total="Total",
    summary_line="{code}  {title}: {total}",
    disclosure="Disclosure control",
    table_note="{code} by {dimension}: {note}",
    nothing_hidden="No cell below {k}: nothing suppressed.{rounded}",
    hidden=("{primary} cell(s) counting 1 to {below} people shown as <{k} (threshold k = {k}{sensitive}); "
            "{complement} more shown as x so that totals cannot reveal them (complementary suppression).{rounded}"),
    sensitive=", trafficking, gender-based violence or health",
    rounded=" Counts rounded down to a multiple of {base}; each total is rounded on its own.",
    reach="{code}: estimated reach of mass media {reach} (reported apart, not added)",
    nothing_at_all="No cell below the threshold: nothing suppressed.",
    rounding=("Every published count is rounded down to a multiple of {base}; each total is rounded on its own, "
              "so the parts may not add up to it."),
    withheld={
        "one_centre": "{code}: not shown for one centre over a period shorter than a quarter.",
        "no_centre": "{code}: no breakdown by centre over a period shorter than a quarter.",
        "cases_not_seen": ("{code}: not included: trafficking cases are not seen with your role; a case worker or a "
                           "coordinator can report it."),
    },
    about="{title}; period {start} to {end}; scope {scope}",
    sheet_summary="Indicators",
    sheet_period="Period {start} to {end}",
    sheet_scope="Scope {scope}",
    summary_heads=("Indicator", "Title", "People"),
    table_heads={},  # the dimension's code, as it always was
    people="people",
    notes_heading="What was suppressed and why",
    counselled="Individual counselling",
    computed_by={
        "device": "Computed on this laptop from the records it holds.",
        "server": "Computed by the server from the records every laptop of the scope has synchronised.",
    },
)

FRENCH = Words(
    language="fr",
    title="Indicateurs Waypoint",
    period=f"Période du {{start}} au {{end}} – périmètre{NBSP}: {{scope}}",
    everywhere="tous les centres",
    indicators={
        "3.2": "Migrants en transit et personnes déplacées de force protégés ou assistés",
        "3.3": "Migrants (potentiels) atteints par des campagnes d'information sur la migration",
        "3.4": "Retours volontaires soutenus",
        "3.5": "Migrants de retour bénéficiant d'une assistance à l'arrivée",
        "3.5bis": "Migrants de retour bénéficiant d'une aide à la réintégration",
        "vot": "Victimes de la traite identifiées, assistées ou référées",
    },
    dimensions={"sex": "Sexe", "age_group": "Tranche d'âge", "nationality": "Nationalité", "centre": "Centre",
                "category": "Catégorie", "channel": "Canal", "target_group": "Groupe cible"},
    dimension_in_text={"sex": "sexe", "age_group": "tranche d'âge", "nationality": "nationalité",
                       "centre": "centre", "category": "catégorie", "channel": "canal", "target_group": "groupe cible"},
    chart="Par {dimension}",
    total="Total",
    summary_line=f"{{code}}  {{title}}{NBSP}: {{total}}",
    disclosure="Secret statistique",
    table_note=f"{{code}} par {{dimension}}{NBSP}: {{note}}",
    nothing_hidden=f"Aucune case sous {{k}}{NBSP}: rien n'est masqué.{{rounded}}",
    hidden=(f"{{primary}} case(s) de 1 à {{below}} personnes affichée(s) «{NBSP}<{{k}}{NBSP}» "
            f"(seuil k = {{k}}{{sensitive}}){NBSP}; "
            f"{{complement}} autre(s) affichée(s) «{NBSP}x{NBSP}» pour que les totaux ne puissent pas les révéler "
            "(suppression complémentaire).{rounded}"),
    sensitive=", traite, violences basées sur le genre ou santé",
    rounded=f" Effectifs arrondis au multiple de {{base}} inférieur{NBSP}; chaque total est arrondi à part.",
    reach=(f"{{code}}{NBSP}: portée estimée des médias de masse {{reach}} (indiquée à part, non additionnée)"),
    nothing_at_all=f"Aucune case sous le seuil{NBSP}: rien n'est masqué.",
    rounding=(f"Chaque effectif publié est arrondi au multiple de {{base}} inférieur{NBSP}; chaque total est arrondi "
              "à part, la somme des parties peut donc en différer."),
    withheld={
        "one_centre": (f"{{code}}{NBSP}: non présenté pour un seul centre sur une période de moins d'un "
                       "trimestre."),
        "no_centre": f"{{code}}{NBSP}: pas de ventilation par centre sur une période de moins d'un trimestre.",
        "cases_not_seen": (f"{{code}}{NBSP}: non inclus{NBSP}: votre rôle ne voit pas les cas de traite{NBSP}; un "
                           "travailleur social ou un coordinateur peut le présenter."),
    },
    about=f"{{title}}{NBSP}; période du {{start}} au {{end}}{NBSP}; périmètre{NBSP}: {{scope}}",
    sheet_summary="Indicateurs",
    sheet_period="Période du {start} au {end}",
    sheet_scope=f"Périmètre{NBSP}: {{scope}}",
    summary_heads=("Indicateur", "Intitulé", "Personnes"),
    table_heads={"sex": "Sexe", "age_group": "Tranche d'âge", "nationality": "Nationalité", "centre": "Centre",
                 "category": "Catégorie", "channel": "Canal", "target_group": "Groupe cible"},
    people="Personnes",
    notes_heading="Ce qui est masqué et pourquoi",
    counselled="Conseil individuel",
    region="région {region}",
    computed_by={
        "device": "Calculé sur cet ordinateur à partir des fiches qu'il contient.",
        "server": ("Calculé par le serveur à partir des fiches que chaque ordinateur du périmètre a "
                   "synchronisées."),
    },
)

WORDS = {"en": ENGLISH, "fr": FRENCH}


def words_for(language: str) -> Words:
    """The report's words in `language` (English for a language the reports do not speak)."""
    return WORDS.get(language, ENGLISH)
