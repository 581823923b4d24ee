"""A CTDC-compatible anonymised export of trafficking cases, k-anonymous before it is written (issue 12 point 5).

The columns are those of the CTDC global dataset (Counter Trafficking Data Collaborative, codebook v6, 2017; IOM's
HTCDS v2.0 codes map onto them, ../shared/reference/data-model.md §7.4 and §7.7): registration year, data source,
gender, age band (`ageBroad`), majority at registration, at entry and at the start of exploitation, citizenship,
means of control, types of exploitation, labour and sexual exploitation, abduction, relation to the recruiter,
country of exploitation and the duration band. Flags are 1 or 0 when the question was answered, empty when not.
Nothing else leaves: no names, no registration number, no date finer than the year, no centre, no place below the
country, no P3 answer. Only possible and actual victims are exported (not "not a victim").

**k-anonymity** (k = 11 for trafficking, data-model R11 and §6.5): the quasi-identifiers, what someone who knows the
person could know, are the year, the data source, gender, age (band and majority), citizenship, country of
exploitation and the duration band. Every combination of their published values must be shared by at least k
cases. Until it is, the quasi-identifier with the most distinct values (ties: `QUASI_IDENTIFIERS` order, the least
useful first) is generalised one step for every case (age band → minor/adult → hidden; the others → hidden); once
at most `max(k - 1, 5 %)` cases are left in combinations below k, those cases are withheld (record suppression, as
Datafly does). `check` verifies the result; `anonymise` refuses to return rows that fail it. A hidden value is an
empty cell; "unknown" is a value of its own (an empty cell counts as one more value, shared only with other empty
cells). What was generalised and how many cases were withheld is said in `Anonymised.notes`.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .disclosure import K_SENSITIVE

VICTIM_STATUSES = frozenset({"PossibleVictimOfTrafficking", "ActualVictimOfTrafficking"})

AGE_BANDS: tuple[tuple[int, int, str], ...] = (
    (0, 8, "0--8"), (9, 17, "9--17"), (18, 20, "18--20"), (21, 23, "21--23"), (24, 26, "24--26"),
    (27, 29, "27--29"), (30, 38, "30--38"), (39, 47, "39--47"), (48, 200, "48+"))

# our HTCDS-coded answers -> the CTDC column suffix
MEANS = ("DebtBondage", "TakesEarnings", "RestrictsFinancialAccess", "Threats", "PsychologicalAbuse",
         "PhysicalAbuse", "SexualAbuse", "FalsePromises", "PsychoactiveSubstances", "RestrictsMovement",
         "RestrictsMedicalCare", "ExcessiveWorkingHours", "UsesChildren", "ThreatOfLawEnforcement",
         "WithholdsNecessities", "WithholdsDocuments", "Other", "NotSpecified")
MEANS_FROM = {**{m: m for m in MEANS}, "ThreatensChildrenFamily": "Threats"}  # CTDC has no separate column
EXPLOIT = ("isForcedLabour", "isSexualExploit", "isOtherExploit", "isSexAndLabour", "isForcedMarriage",
           "isForcedMilitary", "isOrganRemoval", "isSlaveryAndPractices")
EXPLOIT_FROM = {
    "ForcedLabour": "isForcedLabour", "ChildLabour": "isForcedLabour", "ForcedBegging": "isForcedLabour",
    "ForcedCriminality": "isForcedLabour", "SexualExploitation": "isSexualExploit",
    "ForcedMarriage": "isForcedMarriage", "ForcedMilitaryByNonStateActors": "isForcedMilitary",
    "OrganRemoval": "isOrganRemoval", "Servitude": "isSlaveryAndPractices", "ForcedAdoption": "isOtherExploit",
    "Surrogacy": "isOtherExploit", "Other": "isOtherExploit",
}
EXPLOIT_NAMES = {"isForcedLabour": "Forced labour", "isSexualExploit": "Sexual exploitation",
                 "isOtherExploit": "Other", "isForcedMarriage": "Forced marriage",
                 "isForcedMilitary": "Forced military", "isOrganRemoval": "Organ removal",
                 "isSlaveryAndPractices": "Slavery and similar practices"}
LABOUR = ("Agriculture", "Aquafarming", "Begging", "Construction", "DomesticWork", "Hospitality",
          "IllicitActivities", "Manufacturing", "MiningOrDrilling", "Peddling", "Transportation", "Other",
          "NotSpecified")
# forms of exploitation CTDC counts as a sector of forced labour
LABOUR_FROM_EXPLOIT = {"ForcedBegging": "Begging", "ForcedCriminality": "IllicitActivities"}
SEX = ("Prostitution", "Pornography", "RemoteInteractiveServices", "PrivateSexualServices")
RECRUITER = ("IntimatePartner", "Friend", "Family", "Other", "Unknown")
GENDER = {"female": "Female", "male": "Male"}

HEADER: tuple[str, ...] = (
    "yearOfRegistration", "Datasource", "gender", "ageBroad", "majorityStatus", "majorityStatusAtExploit",
    "majorityEntry", "citizenship",
    *(f"meansOfControl{m}" for m in MEANS), "meansOfControlConcatenated",
    *EXPLOIT, "typeOfExploitConcatenated",
    *(f"typeOfLabour{s}" for s in LABOUR), "typeOfLabourConcatenated",
    *(f"typeOfSex{s}" for s in SEX), "typeOfSexConcatenated",
    "isAbduction", "RecruiterRelationship", "CountryOfExploitation",
    *(f"recruiterRelation{r}" for r in RECRUITER), "traffickMonths")

AGE_COLUMNS = ("ageBroad", "majorityStatus", "majorityStatusAtExploit", "majorityEntry")
# quasi-identifier -> its columns; in the order they are generalised when tied (the least useful first)
QUASI_IDENTIFIERS: Mapping[str, tuple[str, ...]] = {
    "traffickMonths": ("traffickMonths",),
    "Datasource": ("Datasource",),
    "CountryOfExploitation": ("CountryOfExploitation",),
    "citizenship": ("citizenship",),
    "age": AGE_COLUMNS,
    "gender": ("gender",),
    "yearOfRegistration": ("yearOfRegistration",),
}
MAX_LEVEL = {qi: (2 if qi == "age" else 1) for qi in QUASI_IDENTIFIERS}
LEVEL_WORDS = {("age", 1): "age band hidden, minor or adult kept", ("age", 2): "age hidden"}

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class TraffickingCase:
    """What a case record (form B, data-model §7.4) says, by question name; multiselects as space-separated codes."""

    answers: Mapping[str, str]

    def get(self, name: str) -> str:
        return (self.answers.get(name) or "").strip()

    def codes(self, name: str) -> list[str]:
        return self.get(name).split()


def age_band(age: int | None) -> str:
    if age is None:
        return ""
    return next((label for low, high, label in AGE_BANDS if low <= age <= high), "")


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _majority(age: int | None) -> str:
    return "" if age is None else ("Minor" if age < 18 else "Adult")


def _months(text: str) -> str:
    months = _int(text)
    if months is None:
        return ""
    return "0--12 (0-1 yr)" if months < 12 else "12--24 (1-2 yrs)" if months < 24 else "24+ (>2 yrs)"


def _flags(selected: Iterable[str], columns: Sequence[str], prefix: str, answered: bool) -> dict[str, str]:
    chosen = set(selected)
    return {f"{prefix}{c}": ("1" if c in chosen else "0") if answered else "" for c in columns}


def ctdc_row(case: TraffickingCase) -> dict[str, str] | None:
    """One case as a CTDC row (every column of HEADER), or None when it is not a (possible) victim."""
    if case.get("trafficking_status") not in VICTIM_STATUSES:
        return None
    row: dict[str, str] = {}
    screened = case.get("screening_date")
    row["yearOfRegistration"] = screened[:4] if len(screened) >= 4 and screened[:4].isdigit() else ""
    row["Datasource"] = "Hotline" if case.get("identification_source") == "hotline" else "Case Management"
    row["gender"] = GENDER.get(case.get("sex"), "")
    age = _int(case.get("age_years"))
    row["ageBroad"] = age_band(age)
    row["majorityStatus"] = _majority(age)
    row["majorityStatusAtExploit"] = _majority(_int(case.get("age_at_exploitation_start")))
    row["majorityEntry"] = _majority(_int(case.get("age_at_recruitment")))
    row["citizenship"] = case.get("nationality").upper()
    means = sorted({MEANS_FROM[m] for m in case.codes("means_of_control") if m in MEANS_FROM},
                   key=MEANS.index)
    row.update(_flags(means, MEANS, "meansOfControl", bool(case.get("means_of_control"))))
    row["meansOfControlConcatenated"] = ";".join(means)
    types = case.codes("type_of_exploitation")
    exploits = {EXPLOIT_FROM[t] for t in types if t in EXPLOIT_FROM}
    if {"isForcedLabour", "isSexualExploit"} <= exploits:
        exploits.add("isSexAndLabour")
    row.update(_flags(exploits, EXPLOIT, "", bool(types)))
    row["typeOfExploitConcatenated"] = ";".join(EXPLOIT_NAMES[e] for e in EXPLOIT if e in exploits
                                                and e in EXPLOIT_NAMES)
    sectors = set(case.codes("labour_sector")) | {LABOUR_FROM_EXPLOIT[t] for t in types if t in LABOUR_FROM_EXPLOIT}
    labour = [s for s in LABOUR if s in sectors]
    row.update(_flags(labour, LABOUR, "typeOfLabour", "isForcedLabour" in exploits))
    row["typeOfLabourConcatenated"] = ";".join(labour)
    sex = [s for s in SEX if s in set(case.codes("sexual_exploitation_type"))]
    row.update(_flags(sex, SEX, "typeOfSex", "isSexualExploit" in exploits))
    row["typeOfSexConcatenated"] = ";".join(sex)
    row["isAbduction"] = {"yes": "1", "no": "0"}.get(case.get("is_abduction"), "")
    relations = [r for r in RECRUITER if r in set(case.codes("recruiter_relationship"))]
    row["RecruiterRelationship"] = ";".join(relations)
    row["CountryOfExploitation"] = ";".join(sorted(c.upper() for c in case.codes("countries_of_exploitation")))
    row.update(_flags(relations, RECRUITER, "recruiterRelation", bool(relations)))
    row["traffickMonths"] = _months(case.get("exploitation_duration_months"))
    return row


def _generalise(row: dict[str, str], qi: str, level: int) -> None:
    if level == 0:
        return
    if qi == "age" and level == 1:
        row["ageBroad"] = ""
        return
    for column in QUASI_IDENTIFIERS[qi]:
        row[column] = ""


def _key(row: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(row[c] for columns in QUASI_IDENTIFIERS.values() for c in columns)


def _at(row: Mapping[str, str], levels: Mapping[str, int]) -> dict[str, str]:
    out = dict(row)
    for qi, level in levels.items():
        _generalise(out, qi, level)
    return out


def smallest_class(rows: Iterable[Mapping[str, str]]) -> int:
    """The number of cases in the smallest combination of quasi-identifier values (0 for no rows)."""
    sizes = Counter(_key(r) for r in rows)
    return min(sizes.values()) if sizes else 0


@dataclass(frozen=True)
class Anonymised:
    header: tuple[str, ...]
    rows: tuple[dict[str, str], ...]
    k: int
    cases: int  # possible and actual victims read
    not_victims: int  # cases left out as "not a victim"
    levels: Mapping[str, int] = field(default_factory=dict)  # quasi-identifier -> generalisation step (0: as is)
    withheld: int = 0  # cases left out because their combination stayed below k

    def notes(self) -> list[str]:
        """What was generalised or suppressed and why, in English (the file's companion note and the CLI)."""
        out = [f"CTDC-compatible anonymised export: {len(self.rows)} of {self.cases} trafficking cases "
               f"(possible or actual victims), k-anonymous with k = {self.k} over "
               f"{', '.join(QUASI_IDENTIFIERS)}: every combination of these values is shared by at least "
               f"{self.k} cases."]
        for qi, level in self.levels.items():
            if level:
                what = LEVEL_WORDS.get((qi, level), "hidden")
                out.append(f"{qi}: {what} for every case (some values were shared by fewer than {self.k} cases).")
        if self.withheld:
            out.append(f"{self.withheld} case(s) withheld: their combination was still shared by fewer than "
                       f"{self.k} cases after generalisation.")
        if self.not_victims:
            out.append(f"{self.not_victims} case(s) screened as not a victim of trafficking are not exported.")
        if not any(self.levels.values()) and not self.withheld:
            out.append("Nothing generalised or withheld.")
        out.append("Never exported: names, registration numbers, dates finer than the year, centres, places "
                   "below the country, sensitive (P3) answers.")
        return out


def anonymise(cases: Iterable[TraffickingCase], *, k: int = K_SENSITIVE, max_withheld: int | None = None,
              progress: Progress | None = None) -> Anonymised:
    """Map the cases to CTDC rows, then generalise and withhold until k-anonymous (see the module docstring)."""
    mapped: list[dict[str, str]] = []
    not_victims = read = 0
    for case in cases:
        read += 1
        row = ctdc_row(case)
        if row is None:
            not_victims += 1
        else:
            mapped.append(row)
        if progress is not None and read % 1000 == 0:
            progress(read, 0)
    limit = max(k - 1, len(mapped) // 20) if max_withheld is None else max_withheld
    levels = dict.fromkeys(QUASI_IDENTIFIERS, 0)
    while True:
        current = [_at(r, levels) for r in mapped]
        sizes = Counter(_key(r) for r in current)
        small = sum(n for n in sizes.values() if n < k)
        open_ = [qi for qi in QUASI_IDENTIFIERS if levels[qi] < MAX_LEVEL[qi]]
        if small <= limit or not open_:
            break
        order = list(QUASI_IDENTIFIERS)
        distinct = {qi: len({tuple(r[c] for c in QUASI_IDENTIFIERS[qi]) for r in current}) for qi in open_}
        chosen = max(open_, key=lambda qi: (distinct[qi], -order.index(qi)))
        levels[chosen] += 1
    kept = tuple(r for r in current if sizes[_key(r)] >= k)
    if kept and smallest_class(kept) < k:  # cannot happen; a guard, since a leak here can cost a life
        raise RuntimeError("CTDC export is not k-anonymous")
    if progress is not None:
        progress(read, read)
    return Anonymised(HEADER, kept, k, len(mapped), not_victims, levels, len(mapped) - len(kept))


def check(rows: Sequence[Mapping[str, str]], k: int) -> bool:
    """Whether every combination of quasi-identifier values in `rows` is shared by at least k rows."""
    return not rows or smallest_class(rows) >= k


def write_csv(result: Anonymised, path: Path) -> Path:
    """The CTDC CSV at `path` and its note beside it (`<name>.notes.txt`); returns the note's path. The rows are
    checked again before anything is written."""
    if not check(result.rows, result.k):
        raise RuntimeError("CTDC export is not k-anonymous: nothing written")
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.DictWriter(handle, fieldnames=list(result.header))
        out.writeheader()
        out.writerows(result.rows)
    note = path.with_name(path.stem + ".notes.txt")
    note.write_text("\n".join(result.notes()) + "\n", encoding="utf-8")
    return note
