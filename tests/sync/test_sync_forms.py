"""Form distribution: a version published on the server reaches the device at its next sync and is installed
in the vault; a version whose signature does not match the pinned server key is refused, and records still sync."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.sync.support import FAST_RETRY, fast_connect
from records import register

from desktop_app.records import form_store
from desktop_app.services import sync as sync_service
from desktop_app.vault.registrations import count_unsynced
from waypoint_core.xlsform import convert_xlsform, read_xform_header

FORMS = Path(__file__).resolve().parents[2] / "forms"


def publish(server_admin, tmp_path: Path, source: str, *, version: str | None = None) -> tuple[str, str]:
    xform = convert_xlsform(FORMS / source).xform
    header = read_xform_header(xform)
    if version is not None:
        xform = xform.replace(f'version="{header.version}"', f'version="{version}"')
        header = read_xform_header(xform)
    path = tmp_path / f"{header.form_id}-{header.version}.xml"
    path.write_text(xform, "utf-8")
    server_admin.run("form", "publish", str(path), "--form-id", header.form_id, "--version", header.version)
    return header.form_id, header.version


def test_published_forms_are_installed_at_the_next_sync(enrolled, server_admin, tmp_path):
    vault = enrolled("forms")
    form_id, version = publish(server_admin, tmp_path, "referral.md")
    summary = sync_service.sync_now(vault, connect=fast_connect())
    assert f"{form_id} {version}" in summary.forms_installed
    installed = {(f.form_id, f.version): f for f in form_store.list_forms(vault)}
    assert (form_id, version) in installed
    assert form_store.get_form_xform(vault, form_id, version).startswith("<?xml") or "<h:html" in \
        form_store.get_form_xform(vault, form_id, version)
    again = sync_service.sync_now(vault, connect=fast_connect())
    assert again.forms_installed == []  # already there: not fetched again


def test_a_form_with_a_forged_signature_is_refused(enrolled, server_admin, backend, tmp_path):
    if backend.name != "sqlite":
        pytest.skip("the forgery edits the server's SQLite file; the device-side check is backend-independent")
    vault = enrolled("forged")
    form_id, version = publish(server_admin, tmp_path, "assistance_event.md", version="2099010101")
    with sqlite3.connect(backend.data_dir / "server.db") as db:  # an attacker rewrote the published form
        db.execute("UPDATE form_version SET signature = ? WHERE version = ?", ("A" * 86 + "==", version))
    register(vault, "Forms Person", 33)
    summary = sync_service.sync_now(vault, connect=fast_connect())
    assert any(line.startswith(f"{form_id} {version}") and "pinned server key" in line
               for line in summary.forms_refused), summary.forms_refused
    assert (form_id, version) not in {(f.form_id, f.version) for f in form_store.list_forms(vault)}
    assert summary.acknowledged == 1 and count_unsynced(vault) == 0


class _CountingConnection(sync_service.ServerConnection):
    """The real connection, counting the form-list requests; `old_server`: its pull pages leave the list out, as a
    server from before PullPage.forms does (it ignores the parameter; and `own`: the echo comes back whole)."""

    def __init__(self, *args, old_server: bool = False, counts: dict, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.old_server, self.counts = old_server, counts

    def pull(self, *, cursor: str, limit: int, forms: bool = False, decisions: bool = False, own=None,
             centres: bool = False):
        self.counts["pull_with_forms"] = self.counts.get("pull_with_forms", 0) + int(forms and not self.old_server)
        return super().pull(cursor=cursor, limit=limit, forms=forms and not self.old_server,
                            decisions=decisions and not self.old_server, own=None if self.old_server else own,
                            centres=centres and not self.old_server)

    def forms(self):
        self.counts["forms"] = self.counts.get("forms", 0) + 1
        return super().forms()


def _counting(counts: dict, *, old_server: bool = False):
    def connect(url, **kwargs):
        return _CountingConnection(url, **{"retry": FAST_RETRY, **kwargs}, old_server=old_server, counts=counts)

    return connect


@pytest.mark.parametrize("old_server", [False, True], ids=["list-in-pull", "server-without-it"])
def test_the_form_list_comes_with_the_pull(enrolled, server_admin, tmp_path, old_server):
    """A run asks the first pull page for the published form list (one request fewer for a quiet run); against a
    server that leaves it out, the list is asked apart, as before. Either way the new version is installed once."""
    vault = enrolled(f"forms-in-pull-{old_server}")
    form_id, version = publish(server_admin, tmp_path, "referral.md", version="2099020202")
    counts: dict = {}
    summary = sync_service.sync_now(vault, connect=_counting(counts, old_server=old_server))
    assert f"{form_id} {version}" in summary.forms_installed
    assert counts.get("forms", 0) == (1 if old_server else 0)
    assert counts.get("pull_with_forms", 0) == (0 if old_server else 1)
    counts.clear()
    again = sync_service.sync_now(vault, connect=_counting(counts, old_server=old_server))
    assert again.forms_installed == []  # (a forged version an earlier test left on this server is refused again)
    assert counts.get("forms", 0) == (1 if old_server else 0)
