"""Forms installed in the vault, one row per (form id, version) in table form_version.

A version, once installed, never changes: records are pinned to it and must reopen exactly as they were made.
Installing the same version again with the same XForm is a no-op; with a different XForm it is refused (the form
writer must bump `version` in the settings sheet, as ODK Central requires).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlmodel import select

from desktop_app.records.schema import form_schema
from desktop_app.vault.errors import PermissionDenied
from desktop_app.vault.models import FormVersion
from desktop_app.vault.sql import Db, text
from desktop_app.vault.vault import Vault, utc_now
from desktop_app.vault.writer import Writer
from waypoint_core.xform.entities import declared_datasets
from waypoint_core.xlsform import read_xform_header

# Forms decide what is collected about people; only these roles may install them.
INSTALLERS = ("administrator", "coordinator")


class FormStoreError(ValueError):
    """A form cannot be installed or found; the message says why in plain words."""


class FormVersionConflict(FormStoreError):
    pass


class FormNotInstalled(FormStoreError):
    pass


@dataclass(frozen=True)
class InstalledForm:
    form_id: str
    version: str
    title: str
    installed_at: str
    source_name: str | None
    sha256: str
    newly_installed: bool = False


def _digest(xform: str) -> str:
    return hashlib.sha256(xform.encode("utf-8")).hexdigest()


def _info(row: FormVersion, *, new: bool = False) -> InstalledForm:
    return InstalledForm(form_id=row.form_id, version=row.version, title=row.title, installed_at=row.installed_at,
                         source_name=row.source_name, sha256=_digest(row.xform), newly_installed=new)


def install_form(vault: Vault, *, xform: str, source_name: str | None = None,
                 check_role: bool = True) -> InstalledForm:
    """Install an XForm as a new version. The caller has already validated it with the engine."""
    if check_role and not set(vault.roles) & set(INSTALLERS):
        raise PermissionDenied("installing forms needs an administrator or coordinator")
    try:
        header = read_xform_header(xform)
    except ValueError as error:
        raise FormStoreError(f"{source_name or 'form'}: {error}") from error
    if not header.version:
        raise FormStoreError(f"form '{header.form_id}' has no version; set 'version' in its settings sheet "
                             "(e.g. 2026112701) so records can be pinned to it")
    with vault.session() as session:
        existing = session.get(FormVersion, (header.form_id, header.version))
        if existing is not None:
            if existing.xform == xform:
                return _info(existing)
            raise FormVersionConflict(
                f"form '{header.form_id}' version {header.version} is already installed with different content; "
                "change 'version' in the settings sheet to install the new content")
        row = FormVersion(form_id=header.form_id, version=header.version, title=header.title or header.form_id,
                          xform=xform, source_name=source_name, installed_at=utc_now())
        session.add(row)
        if declared_datasets(xform):
            # registrations of this version that arrived before it (pulled by sync) make their entities now
            session.flush()
            db = Db.of(session)
            ids = [r.id for r in db.execute(text("SELECT id FROM registration WHERE form_id = :f AND form_version = :v"),
                                            {"f": header.form_id, "v": header.version}).all()]
            Writer(db, username=vault.user.username, now=utc_now()).refresh_entities(ids)
    return _info(row, new=True)


def list_forms(vault: Vault) -> list[InstalledForm]:
    """Every installed version, by form id then installation order."""
    with vault.session(readonly=True) as session:
        rows = session.exec(select(FormVersion).order_by(FormVersion.form_id, FormVersion.installed_at,
                                                         FormVersion.version)).all()
    return [_info(r) for r in rows]


def installed_versions(vault: Vault) -> set[tuple[str, str]]:
    """(form id, version) of every installed version, without reading the forms (each sync run asks)."""
    with vault.session(readonly=True) as session:
        return {(r[0], r[1]) for r in Db.of(session).execute(text("SELECT form_id, version FROM form_version")).all()}


# (vault's device id, form id, version) -> record kind. Installed versions never change, so this stays true.
_KINDS: dict[tuple[str, str, str], str] = {}


def list_forms_with_kinds(vault: Vault) -> list[tuple[str, str]]:
    """(form id, record kind) for every installed version; the kind comes from the XForm (`wp:kind`), read once
    per version and remembered."""
    with vault.session(readonly=True) as session:
        pairs = session.exec(select(FormVersion.form_id, FormVersion.version)).all()
    out = []
    for form_id, version in pairs:
        key = (vault.device_id, form_id, version)
        if key not in _KINDS:
            _KINDS[key] = form_schema(get_form_xform(vault, form_id, version)).kind
        out.append((form_id, _KINDS[key]))
    return out


def get_form_xform(vault: Vault, form_id: str, version: str) -> str:
    """The XForm of exactly this version (records reopen with the version they were made with)."""
    with vault.session(readonly=True) as session:
        row = session.get(FormVersion, (form_id, version))
    if row is None:
        raise FormNotInstalled(f"form '{form_id}' version {version} is not installed on this device; "
                               "install that version to open its records")
    return row.xform


def latest_form(vault: Vault, form_id: str) -> InstalledForm:
    """The version new records use: the most recently installed one."""
    with vault.session(readonly=True) as session:
        rows = session.exec(select(FormVersion).where(FormVersion.form_id == form_id)
                            .order_by(FormVersion.installed_at.desc(), FormVersion.version.desc())).all()
    if not rows:
        raise FormNotInstalled(f"no form '{form_id}' is installed")
    return _info(rows[0])


def entity_datasets(vault: Vault) -> set[str]:
    """The entity lists the installed forms make (their meta/entity datasets): a follow-up form's CSV attachment
    named after one is that list (services.forms.validate_form_file)."""
    with vault.session(readonly=True) as session:
        xforms = session.exec(select(FormVersion.xform).where(FormVersion.xform.contains("entities-version"))).all()
    return {name for xform in xforms for name in declared_datasets(xform)}
