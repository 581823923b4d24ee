"""Fixtures for the forms tests: a fast test-profile vault with the shipped forms' XForms at hand."""

from __future__ import annotations


import pytest

from desktop_app.vault import Vault
from waypoint_core.xlsform import convert_xlsform

from tests.forms.support import ADMIN, ADMIN_PASSPHRASE, ROOT


@pytest.fixture
def vault(isolated_home):
    opened, _recovery = Vault.create(isolated_home / "waypoint" / "data" / "vault", admin_username=ADMIN,
                                     admin_passphrase=ADMIN_PASSPHRASE, kdf_profile="test")
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def shipped_xforms() -> dict[str, str]:
    """form file stem -> XForm XML of the shipped forms (converted once per test session)."""
    return {path.stem: convert_xlsform(path).xform for path in sorted((ROOT / "forms").glob("*.md"))}


@pytest.fixture
def forms_vault(vault, shipped_xforms):
    """A vault with the shipped forms installed from the session's converted XForms (what
    install_shipped_forms does, without converting them again for every test)."""
    from desktop_app.records.form_store import install_form

    for stem, xform in shipped_xforms.items():
        install_form(vault, xform=xform, source_name=f"{stem}.md", check_role=False)
    return vault
