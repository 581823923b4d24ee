"""Use cases around forms: validate and install a form file, install the shipped forms, list, open a new form.

A form file is an XLSForm (.xlsx/.xls/.md/.csv, converted by pyxform) or an XForm (.xml, e.g. downloaded from
KoboToolbox or ODK Central). Either way it is loaded by our engine before it is installed, so a form that
installs is a form that opens. The app calls `install_shipped_forms` right after creating a vault (and may call
it after every unlock: it only converts forms whose version is not installed yet).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from desktop_app.records import form_store
from desktop_app.services import access
from desktop_app.records.form_store import FormStoreError, InstalledForm
from desktop_app.records.schema import FormSchema, form_schema
from desktop_app.vault.vault import Vault
from waypoint_core.xform import FormDefinition, FormError
from waypoint_core.xform.entities import declared_datasets
from waypoint_core.xform.media import embed_external_instances, external_files, mark_entity_lists
from waypoint_core.xlsform import (
    XFORM_SUFFIXES,
    XLSFORM_SUFFIXES,
    FormProblem,
    XFormHeader,
    XLSFormError,
    content_version,
    convert_xlsform,
    read_settings,
    read_xform_header,
    with_version,
)

SHIPPED_FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"
# wp:extract / wp:consent bind attributes are read by desktop_app.records, not by the engine, which lists them
# among the attributes it does not apply; they are not missing features.
_RECORDS_ATTRIBUTE = re.compile(r"^bind attribute (extract|consent|sensitivity)=")


class FormFileError(ValueError):
    """A form file cannot be used; `problems` lists what to fix, each located when possible."""

    def __init__(self, source_name: str, problems: list[FormProblem], *, missing_files: tuple[str, ...] = ()):
        self.source_name = source_name
        self.problems = problems
        self.missing_files = missing_files  # attachments not found (an entity list of the vault, perhaps)
        super().__init__(f"{source_name}: " + "; ".join(str(p) for p in problems))


@dataclass(frozen=True)
class ValidatedForm:
    xform: str
    header: XFormHeader
    source_name: str
    warnings: tuple[FormProblem, ...]


@dataclass(frozen=True)
class AddedForm:
    form: InstalledForm
    warnings: tuple[FormProblem, ...]


@dataclass(frozen=True)
class NewRecordForm:
    """What the renderer needs to start a new record: the latest installed version of a form."""

    form_id: str
    version: str
    title: str
    xform: str


def validate_form_file(path: Path, *, media_dir: Path | None = None,
                       entity_datasets: Collection[str] = ()) -> ValidatedForm:
    """Convert (XLSForms) and load with the engine; raise FormFileError naming every problem found.

    The form's CSV/XML attachments (select_one_from_file...) are read from `media_dir`, by default the
    form file's own folder, and written into the XForm, so the installed form is whole inside the vault.
    """
    suffix = path.suffix.lower()
    if suffix in XLSFORM_SUFFIXES:
        try:
            converted = convert_xlsform(path)
        except XLSFormError as error:
            raise FormFileError(path.name, error.problems) from error
        xform, warnings = converted.xform, converted.warnings
    elif suffix in XFORM_SUFFIXES:
        try:
            xform = path.read_text("utf-8")
        except UnicodeDecodeError as error:
            raise FormFileError(path.name, [FormProblem("the file is not UTF-8 text")]) from error
        warnings = ()
    else:
        raise FormFileError(path.name, [FormProblem(
            f"unknown form file type '{suffix}'; expected an XLSForm ({', '.join(XLSFORM_SUFFIXES)}) "
            f"or an XForm ({', '.join(XFORM_SUFFIXES)})")])
    if external_files(xform):
        folder = media_dir if media_dir is not None else path.parent
        # a CSV attachment named after an entity list (this form's, or one an installed form makes) and not given
        # as a file is that list, filled from the laptop's entities when the form opens
        xform, _ = mark_entity_lists(xform, set(entity_datasets) | declared_datasets(xform), folder)
        try:
            xform, missing = embed_external_instances(xform, folder)
        except FormError as error:
            raise FormFileError(path.name, [FormProblem(str(error))]) from error
        if missing:
            raise FormFileError(path.name, [FormProblem(
                f"the form uses the file {name}, which is not in {folder}; put it beside the form "
                "or name its folder with --media-dir (if it is an entity list, install the form that makes "
                "its entities first)") for name in missing], missing_files=tuple(missing))
    return validate_xform(xform, source_name=path.name, warnings=warnings, media_dir=media_dir)


def validate_xform(xform: str, *, source_name: str, warnings: tuple[FormProblem, ...] = (),
                   media_dir: Path | None = None) -> ValidatedForm:
    try:
        header = read_xform_header(xform)
        if not header.version:
            # most real XLSForms have no version; KoboToolbox and ODK Central accept them, so do we: the
            # version is derived from the content and written into the XForm (Central splices a version
            # in the same way), so records are pinned to it and a changed form becomes a new version
            version = content_version(xform)
            xform = with_version(xform, version)
            header = read_xform_header(xform)
            warnings = tuple(warnings) + (FormProblem(
                f"the form has no version; it is installed as version {version} (derived from its content)"),)
    except ValueError as error:
        raise FormFileError(source_name, [FormProblem(str(error))]) from error
    try:
        definition = FormDefinition.from_xml(xform, media_dir=media_dir)
    except FormError as error:
        raise FormFileError(source_name, [FormProblem(f"the form engine cannot load it: {error}")]) from error
    unsupported = [f for f in definition.unsupported if not _RECORDS_ATTRIBUTE.match(f)]
    if unsupported:
        # a field worker would fill a form that silently misses these: refuse, naming each
        raise FormFileError(source_name, [FormProblem(f"not supported by Waypoint's engine: {feature}")
                                          for feature in unsupported])
    leaks = sensitive_leaks(definition, form_schema(xform))
    if leaks:
        raise FormFileError(source_name, [FormProblem(leak) for leak in leaks])
    # what the form asks that ODK Collect ignores too (a bind to no node...): installed, and said
    engine_warnings = tuple(FormProblem(warning) for warning in definition.warnings)
    return ValidatedForm(xform=xform, header=header, source_name=source_name,
                         warnings=tuple(warnings) + engine_warnings)


def sensitive_leaks(definition: FormDefinition, schema: FormSchema) -> list[str]:
    """Where a question everyone sees reads a P3 answer (its relevance, constraint, calculation, choices or label):
    whoever sees that question learns the answer, and a person who may not read P3 would fill it wrongly (the
    answer is blank for them). Such a form is refused; mark the reader P3 too, or drop the reference. So is a file
    question marked P3 (an image, a scan): only typed answers are sealed, a file is stored and synced as it is."""
    root = f"/{schema.root}/"
    problems = []
    for path, bind in definition.binds.items():
        question = path[len(root):] if path.startswith(root) else path
        if bind.type.rsplit(":", 1)[-1] == "binary" and schema.is_sensitive(question):
            problems.append(f"'{question}' is a file question marked P3: Waypoint seals typed answers for case "
                            "workers, not files, so the photo or scan would be stored and synced readable by "
                            "everyone who opens the vault; ask for it outside P3, or leave it out of the form")
    for vertex in definition.graph.vertices:
        reader = vertex.path[len(root):] if vertex.path.startswith(root) else vertex.path
        if schema.is_sensitive(reader):
            continue
        for ref in sorted(vertex.refs):
            read = ref[len(root):] if ref.startswith(root) else ref
            if schema.is_sensitive(read):
                problems.append(f"'{reader}' ({vertex.prop}) reads the restricted (P3) answer '{read}': mark "
                                "it wp:sensitivity P3 too, or do not refer to that answer")
    return problems


def validate_form_file_for(vault: Vault, path: Path, *, media_dir: Path | None = None) -> ValidatedForm:
    """validate_form_file as this vault would install it: a CSV attachment named after an entity list an
    installed form makes is that list, not a missing file."""
    return validate_form_file(path, media_dir=media_dir, entity_datasets=form_store.entity_datasets(vault))


def add_form_file(vault: Vault, path: Path, *, media_dir: Path | None = None) -> AddedForm:
    """Validate a form file and install it as a new version (same version + same content: no change)."""
    validated = validate_form_file_for(vault, path, media_dir=media_dir)
    return AddedForm(form=install_validated_form(vault, validated), warnings=validated.warnings)


def install_validated_form(vault: Vault, validated: ValidatedForm) -> InstalledForm:
    return form_store.install_form(vault, xform=validated.xform, source_name=validated.source_name)


def shipped_form_files(forms_dir: Path = SHIPPED_FORMS_DIR) -> list[Path]:
    return sorted(p for p in forms_dir.iterdir() if p.suffix.lower() in XLSFORM_SUFFIXES + XFORM_SUFFIXES) \
        if forms_dir.is_dir() else []


def install_shipped_forms(vault: Vault, *, forms_dir: Path = SHIPPED_FORMS_DIR) -> list[InstalledForm]:
    """Install every shipped form version not installed yet. Safe to call on every unlock.

    Shipped forms are part of the app, so no role is needed (the vault's creator may be anyone).
    Returns the forms newly installed.
    """
    installed = {(f.form_id, f.version) for f in form_store.list_forms(vault)}
    added = []
    for path in shipped_form_files(forms_dir):
        key = _declared_id_version(path)
        if key is not None and key in installed:
            continue
        validated = validate_form_file(path)
        if (validated.header.form_id, validated.header.version) in installed:
            continue
        result = form_store.install_form(vault, xform=validated.xform, source_name=path.name, check_role=False)
        if result.newly_installed:
            added.append(result)
    return added


def _declared_id_version(path: Path) -> tuple[str, str] | None:
    """form_id and version from a text XLSForm's settings sheet, without converting it (fast path)."""
    settings = read_settings(path)
    form_id, version = settings.get("form_id"), settings.get("version")
    return (form_id, version) if form_id and version else None


def list_installed_forms(vault: Vault) -> list[InstalledForm]:
    return form_store.list_forms(vault)


def creatable_forms(vault: Vault) -> list[InstalledForm]:
    """The installed versions of the forms the signed-in person may start a record with (a field-staff user is
    not offered the trafficking case form)."""
    allowed = {f.form_id for f in list_installed_forms(vault) if access.may_create(vault, f.form_id)}
    return [f for f in list_installed_forms(vault) if f.form_id in allowed]


def forms_for_new_records(vault: Vault) -> list[InstalledForm]:
    """One entry per form id, its latest installed version: what a "New record" menu offers."""
    latest: dict[str, InstalledForm] = {}
    for form in form_store.list_forms(vault):  # ordered by form id, then installation time
        latest[form.form_id] = form
    return list(latest.values())


def open_new_record_form(vault: Vault, form_id: str) -> NewRecordForm:
    """The latest installed version of a form, for a new record (existing ones reopen with their own)."""
    latest = form_store.latest_form(vault, form_id)
    return NewRecordForm(form_id=latest.form_id, version=latest.version, title=latest.title,
                         xform=form_store.get_form_xform(vault, latest.form_id, latest.version))


def localized_title(title: str, language: str) -> str:
    """Waypoint's forms write one title for both languages, 'English / Français': the part for `language`
    ("en", "fr"). Any other title is shown whole."""
    parts = [p.strip() for p in (title or "").split(" / ")]
    if len(parts) == 2 and all(parts):
        return parts[1] if language == "fr" else parts[0]
    return title


@functools.lru_cache(maxsize=16)
def choice_labels_of(xform: str, language: str, names: frozenset[str]) -> dict[str, dict[str, str]]:
    """{question name: {code: label}} of this form's select questions named in `names`, in `language` ("en", "fr":
    the form's language whose name holds "(en)" or "(fr)", else its default), as the form itself words its choices.
    The first question of a name wins; one inside a repeat instance (an indexed path) is left out. Cached by the
    form's text, so the reports and the case file read each installed form once per language."""
    from waypoint_core.xform import FormSession

    definition = FormDefinition.from_xml(xform)
    chosen = next((n for n in definition.languages if f"({language})" in n.lower()), definition.default_language)
    session = FormSession(definition, language=chosen)
    found: dict[str, dict[str, str]] = {}
    for path in definition.binds:
        name = path.rsplit("/", 1)[-1]
        if name not in names or name in found or "[" in path:
            continue
        try:
            choices = session.item(path).choices
        except (KeyError, ValueError):
            continue
        if choices:
            found[name] = {c.value: c.label for c in choices}
    return found


__all__ = [
    "AddedForm", "FormFileError", "choice_labels_of",
    "forms_for_new_records", "FormStoreError", "NewRecordForm", "ValidatedForm", "add_form_file",
    "install_shipped_forms", "install_validated_form", "list_installed_forms",
    "localized_title", "open_new_record_form", "shipped_form_files",
    "validate_form_file", "validate_xform",
]
