"""A form published on the server passes the rules a form installed by hand passes before a laptop installs it: one
whose record title (or any question everyone sees) reads a P3 answer is refused at sync, and records still sync. The
server stores what its administrator publishes; without this, the title would put the restricted answer in the list,
the search and every copy of the record, unsealed, for field staff to read."""

from __future__ import annotations

from pathlib import Path

from records import register

from desktop_app.records import form_store
from desktop_app.services import sync as sync_service
from desktop_app.vault.registrations import count_unsynced
from tests.sync.support import fast_connect
from waypoint_core.xlsform import convert_xlsform, read_xform_header

FORMS = Path(__file__).resolve().parents[2] / "forms"
TITLE = "calculate=\"concat( /data/identity/given_name , ' ',  /data/identity/family_name )\""


def test_a_published_form_whose_title_reads_a_p3_answer_is_refused(enrolled, server_admin, tmp_path):
    vault = enrolled("p3-title")
    xform = convert_xlsform(FORMS / "migrant_registration.md").xform
    assert TITLE in xform
    header = read_xform_header(xform)
    leaky = xform.replace(TITLE, TITLE.replace("/data/identity/family_name", "/data/needs/specific_needs_other")) \
        .replace(f'version="{header.version}"', 'version="2099010102"')
    path = tmp_path / "leaky.xml"
    path.write_text(leaky, "utf-8")
    server_admin.run("form", "publish", str(path), "--form-id", header.form_id, "--version", "2099010102")
    register(vault, "Forms Person", 33)
    summary = sync_service.sync_now(vault, connect=fast_connect())
    refused = [line for line in summary.forms_refused if line.startswith(f"{header.form_id} 2099010102")]
    assert refused and "restricted (P3) answer 'needs/specific_needs_other'" in refused[0], summary.forms_refused
    assert (header.form_id, "2099010102") not in {(f.form_id, f.version) for f in form_store.list_forms(vault)}
    assert summary.acknowledged == 1 and count_unsynced(vault) == 0
