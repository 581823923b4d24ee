"""What the records store needs to know about a form: which answers to extract, the consent gate, which answers
are sensitive (class P3) and what kind of record it makes.

Read from the XForm itself (not the XLSForm), so a form added as XForm XML behaves like a shipped one. A form
says it in bind attributes in the `urn:waypoint:xforms` namespace (XLSForm columns `bind::wp:extract`,
`bind::wp:consent` and `bind::wp:sensitivity`, with `namespaces` = `wp="urn:waypoint:xforms"` in settings) and in
the instance root's `wp:kind` attribute (settings column `attribute::wp:kind`: `case` for trafficking and protection
cases); a form without them falls back to conventional field names (docs/forms.md lists both).

The consent gate is the last line of defence: the form already makes every answer after a refusal non-relevant
(so the engine does not keep it), and `withhold_personal_data` blanks them again before anything is written.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from desktop_app.vault.models import SUMMARY_FIELDS

WAYPOINT_NS = "urn:waypoint:xforms"
_XF = "http://www.w3.org/2002/xforms"
_H = "http://www.w3.org/1999/xhtml"

SEARCH = "search"

# Used when a form declares no wp:extract at all (e.g. an XForm downloaded from KoboToolbox).
CONVENTIONAL_SUMMARY = {
    "sex": ("sex", "gender"),
    "age": ("age", "age_years"),
    "nationality": ("nationality",),
    "centre": ("centre", "center"),
    "registered_on": ("registered_on", "registration_date", "today"),
}
CONVENTIONAL_SEARCH = ("given_name", "family_name", "id_document_number", "person_ref", "beneficiary_category")
CONVENTIONAL_CONSENT = ("consent_services", "legal_basis")
# Used when a form marks no answer `wp:sensitivity`: names of class P3 in ../shared/reference/data-model.md §7.
CONVENTIONAL_SENSITIVE = (
    "abuses_experienced", "specific_needs", "specific_needs_other", "risk_level", "gender_identity",
    "info_withheld_from", "withholding_reason", "means_of_control", "perpetrator_roles", "trafficking_event",
    "law_enforcement_cooperation", "narrative", "health_condition", "gbv_details",
)
SENSITIVE_CLASS = "P3"  # the class sealed for the roles that may read it (waypoint_core.access)
IDENTIFYING_CLASS = "P2"  # names, exact dates of birth, documents, contact details, photos (data-model.md §7)
# Used when a form marks no answer `wp:sensitivity` = P2: names of class P2 in ../shared/reference/data-model.md §7
# (and the names the shipped forms give them). A retention purge removes P2 and P3 answers (desktop_app/records/
# retention.py); P1 (sex, age group, nationality, the assistance given, dates of appointments) stays.
CONVENTIONAL_IDENTIFYING = (
    "given_name", "family_name", "other_names", "full_name", "name", "nickname", "member_name", "date_of_birth",
    "id_document_number", "phone", "phone_number", "email", "address", "photo", "external_ids",
    "progres_individual_id", "progres_group_id", "primero_case_id", "mimosa_id", "origin_admin2", "place_of_origin_admin2",
    "return_admin2", "gps", "geopoint", "signature", "fingerprint",
)
# Always identifying: the record's display name (instance_name), made from the person's names.
ALWAYS_IDENTIFYING = ("meta/instanceName",)
KIND_ATTRIBUTE = f"{{{WAYPOINT_NS}}}kind"
RECORD_KIND_FIELD = "record_kind"  # the extracted field a case carries, so the server knows it without the form
REFUSED_VALUES = frozenset({"no", "false", "0", "false()"})
# Never blanked by the gate: they identify the record, not the person.
ALWAYS_KEPT = ("meta/instanceID", "meta/deprecatedID")


@dataclass(frozen=True)
class FormSchema:
    root: str  # the primary instance's root element name
    extract: dict[str, str] = field(default_factory=dict)  # instance path (no root) -> summary name or "search"
    repeats: tuple[str, ...] = ()  # instance paths (no root) of repeats
    consent_services: str | None = None
    consent_basis: str | None = None
    keep_without_consent: tuple[str, ...] = ()
    sensitive: tuple[str, ...] = ()  # paths (no root, no positions) of P3 answers and groups of them
    identifying: tuple[str, ...] = ()  # paths of what a retention purge removes: P2, P3, files, the display name
    kind: str = "registration"  # "case": a trafficking or protection case (waypoint_core.access.policy)

    @property
    def has_consent_gate(self) -> bool:
        return self.consent_services is not None

    def is_sensitive(self, path: str) -> bool:
        """Whether the answer at `path` (positions allowed: "event[2]/country") is of class P3."""
        bare = re.sub(r"\[\d+\]", "", path)
        return any(bare == p or bare.startswith(p + "/") for p in self.sensitive)

    def is_identifying(self, path: str) -> bool:
        """Whether the answer at `path` (positions allowed) goes in a retention purge (P2, P3, a file, the name)."""
        bare = re.sub(r"\[\d+\]", "", path)
        return any(bare == p or bare.startswith(p + "/") for p in self.identifying)

    def in_repeat(self, path: str) -> bool:
        return any(path == r or path.startswith(r + "/") for r in self.repeats)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _relative(nodeset: str, root: str) -> str | None:
    parts = [p for p in nodeset.strip().split("/") if p]
    if len(parts) < 2 or parts[0] != root:
        return None
    return "/".join(parts[1:])


# A pure function of an immutable string: memoised so each save does not re-parse a 100 KB XForm.
@functools.lru_cache(maxsize=16)
def form_schema(xform: str) -> FormSchema:
    """Parse the binds and repeats of an XForm (raises ValueError if it is not one)."""
    try:
        doc = ET.fromstring(xform.encode("utf-8"))
    except ET.ParseError as error:
        raise ValueError(f"not well-formed XML: {error}") from error
    model = doc.find(f"{{{_H}}}head/{{{_XF}}}model")
    instance = model.find(f"{{{_XF}}}instance") if model is not None else None
    data = next(iter(instance), None) if instance is not None else None
    if data is None:
        raise ValueError("not an XForm: no primary instance")
    root = _local(data.tag)
    extract: dict[str, str] = {}
    consent: dict[str, list[str]] = {"services": [], "basis": [], "keep": []}
    sensitive: list[str] = []
    identifying: list[str] = []
    files: list[str] = []
    marked_identifying = False
    paths_by_name: dict[str, list[str]] = {}
    for bind in model.iter(f"{{{_XF}}}bind"):
        path = _relative(bind.get("nodeset", ""), root)
        if path is None:
            continue
        paths_by_name.setdefault(path.rsplit("/", 1)[-1], []).append(path)
        if (value := bind.get(f"{{{WAYPOINT_NS}}}extract")) is not None:
            extract[path] = value.strip()
        if (value := bind.get(f"{{{WAYPOINT_NS}}}consent")) is not None:
            consent.setdefault(value.strip(), []).append(path)
        if (value := bind.get(f"{{{WAYPOINT_NS}}}sensitivity")) is not None and value.strip() == SENSITIVE_CLASS:
            sensitive.append(path)
        elif value is not None and value.strip() == IDENTIFYING_CLASS:
            identifying.append(path)
            marked_identifying = True
        if (bind.get("type") or "").rsplit(":", 1)[-1] == "binary":  # a photo, a scanned document, a signature
            files.append(path)
    for element in _leaf_paths(data):
        paths_by_name.setdefault(element.rsplit("/", 1)[-1], []).append(element)
    repeats = tuple(sorted({p for r in doc.iter(f"{{{_XF}}}repeat")
                            if (p := _relative(r.get("nodeset", ""), root)) is not None}))
    schema_repeats = repeats

    def outside_repeats(name: str) -> str | None:
        for path in paths_by_name.get(name, []):
            if not any(path == r or path.startswith(r + "/") for r in schema_repeats):
                return path
        return None

    if not extract:
        for summary, names in CONVENTIONAL_SUMMARY.items():
            for name in names:
                if (path := outside_repeats(name)) is not None:
                    extract[path] = summary
                    break
        for name in CONVENTIONAL_SEARCH:
            if (path := outside_repeats(name)) is not None:
                extract.setdefault(path, SEARCH)
    services = consent["services"][0] if consent["services"] else None
    basis = consent["basis"][0] if consent["basis"] else None
    keep = list(consent["keep"])
    if services is None and (path := outside_repeats(CONVENTIONAL_CONSENT[0])) is not None:
        services = path
        basis = outside_repeats(CONVENTIONAL_CONSENT[1])
        if "/" in path:  # the page holding the consent question stays
            keep.append(path.rsplit("/", 1)[0])
        keep += [p for p, summary in extract.items() if summary in ("centre", "registered_on")]
    if not sensitive:
        sensitive = sorted({p for name in CONVENTIONAL_SENSITIVE for p in paths_by_name.get(name, [])})
    if not marked_identifying:
        identifying += [p for name in CONVENTIONAL_IDENTIFYING for p in paths_by_name.get(name, [])]
    identifying = sorted({*identifying, *files, *sensitive, *ALWAYS_IDENTIFYING})
    kind = "case" if (data.get(KIND_ATTRIBUTE) or "").strip() == "case" else "registration"
    # A sensitive answer is never extracted: the list, search and reports must not show it.
    extract = {p: v for p, v in extract.items()
               if not any(p == s or p.startswith(s + "/") for s in sensitive)}
    return FormSchema(root=root, extract=extract, repeats=repeats, consent_services=services,
                      consent_basis=basis, keep_without_consent=tuple(keep), sensitive=tuple(sorted(set(sensitive))),
                      identifying=tuple(identifying), kind=kind)


def _leaf_paths(element: ET.Element, prefix: str = "") -> list[str]:
    out = []
    for child in element:
        path = f"{prefix}{_local(child.tag)}"
        out.append(path)
        out += _leaf_paths(child, path + "/")
    return out


# --- reading an instance -----------------------------------------------------------------------------------------

def parse_instance(content: str) -> ET.Element:
    try:
        return ET.fromstring(content.encode("utf-8"))
    except ET.ParseError as error:
        raise ValueError(f"the record is not well-formed XML: {error}") from error


def find(root: ET.Element, path: str) -> ET.Element | None:
    """First element at `path` (relative to the root), matching local names so any namespace works."""
    element = root
    for part in path.split("/"):
        element = next((c for c in element if _local(c.tag) == part), None)
        if element is None:
            return None
    return element


def value_at(root: ET.Element, path: str) -> str | None:
    element = find(root, path)
    if element is None:
        return None
    text = "".join(element.itertext()).strip() if len(element) == 0 else (element.text or "").strip()
    return text or None


def extract_fields(schema: FormSchema, root: ET.Element) -> dict[str, str | int | None]:
    """Summary columns and search fields of one instance, for the vault's list, search and reports."""
    fields: dict[str, str | int | None] = {name: None for name in SUMMARY_FIELDS}
    title = value_at(root, "meta/instanceName")
    for path, kind in schema.extract.items():
        if schema.in_repeat(path):
            continue
        value = value_at(root, path)
        if kind == SEARCH:
            fields[path.rsplit("/", 1)[-1]] = value
        elif kind in SUMMARY_FIELDS:
            fields[kind] = value
    fields["age"] = _whole_number(fields["age"])
    fields["title"] = fields["title"] or title
    if schema.kind != "registration":
        fields[RECORD_KIND_FIELD] = schema.kind
    return fields


def _whole_number(value) -> int | None:
    if value is None:
        return None
    try:
        return int(float(str(value)))
    except ValueError:
        return None


# --- the consent gate ---------------------------------------------------------------------------------------------

def consent_refused(schema: FormSchema, root: ET.Element) -> bool:
    """True when consent to services is refused and no other legal basis was chosen."""
    if not schema.has_consent_gate:
        return False
    answer = (value_at(root, schema.consent_services) or "").lower()
    basis = value_at(root, schema.consent_basis) if schema.consent_basis else None
    return answer in REFUSED_VALUES and not basis


def withhold_personal_data(schema: FormSchema, root: ET.Element) -> bool:
    """Blank every answer the consent gate does not allow; drop repeat instances. Returns True if it applied."""
    if not consent_refused(schema, root):
        return False
    kept = set(schema.keep_without_consent) | {schema.consent_services} | set(ALWAYS_KEPT)
    if schema.consent_basis:
        kept.add(schema.consent_basis)

    def is_kept(path: str) -> bool:
        return any(path == k or path.startswith(k + "/") for k in kept)

    def walk(element: ET.Element, prefix: str) -> None:
        for child in list(element):
            path = f"{prefix}{_local(child.tag)}"
            if is_kept(path):
                continue
            if path in schema.repeats:
                element.remove(child)
            elif len(child):
                walk(child, path + "/")
            else:
                child.text = None

    walk(root, "")
    return True

