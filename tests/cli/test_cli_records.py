"""`waypoint records list | show | delete` and `waypoint purge` as the signed-in user: the same services and rights
as the app, JSON on stdout, one line on stderr and exit 2 when refused."""

from __future__ import annotations

import json

import pytest

from desktop_app.cli import main
from desktop_app.services import forms as form_service, records as record_service
from desktop_app.vault import Vault
from tests.forms.test_services import ANSWERS, FORM_ID, filled_session


@pytest.fixture
def setup(tmp_path, capsys):
    admin, staff = tmp_path / "admin.pass", tmp_path / "staff.pass"
    admin.write_text("admin passphrase for amina\n")
    staff.write_text("staff passphrase for moussa\n")
    folder = tmp_path / "vault"
    as_admin = ["--vault", str(folder), "--user", "amina", "--passphrase-file", str(admin)]
    as_staff = ["--vault", str(folder), "--user", "moussa", "--passphrase-file", str(staff)]
    assert main(["init", *as_admin, "--kdf-profile", "test"]) == 0
    assert main(["users", "add", "moussa", "--role", "field_staff", "--new-passphrase-file", str(staff),
                 *as_admin]) == 0
    ids = {}
    for user, passphrase, given in (("amina", admin, "Adminmade"), ("moussa", staff, "Staffmade")):
        with Vault.unlock(folder, username=user, passphrase=passphrase.read_text().strip()) as vault:
            new_form = form_service.open_new_record_form(vault, FORM_ID)
            session = filled_session(new_form, {**ANSWERS, "identity/given_name": given})
            ids[user] = record_service.finalize(vault, form_id=FORM_ID, form_version=new_form.version,
                                                content=session.to_instance_xml()).record_id
    capsys.readouterr()
    return {"admin": as_admin, "staff": as_staff, "ids": ids}


def _json(capsys):
    return json.loads(capsys.readouterr().out)


def test_records_list_and_show_as_the_signed_in_user(setup, capsys):
    assert main(["records", "list", *setup["staff"]]) == 0
    listed = _json(capsys)
    assert listed["total"] == 2 and listed["unsynced"] == 2
    assert {r["title"] for r in listed["records"]} == {"Adminmade Synthetic", "Staffmade Synthetic"}
    assert main(["records", "list", "--search", "staffm", "--limit", "5", *setup["staff"]]) == 0
    assert [r["id"] for r in _json(capsys)["records"]] == [setup["ids"]["moussa"]]
    assert main(["records", "show", setup["ids"]["amina"], *setup["staff"]]) == 0
    shown = _json(capsys)
    assert shown["id"] == setup["ids"]["amina"] and shown["created_by"] == "amina"
    assert "Adminmade" in shown["content"]
    assert shown["restricted"] and "serious_medical" not in shown["content"]  # a P3 answer field staff cannot read
    assert [v["version"] for v in shown["history"]] == [1] and shown["purged_at"] is None


def test_records_delete_follows_the_rights_of_the_signed_in_user(setup, capsys):
    other = setup["ids"]["amina"]
    assert main(["records", "delete", other, "--yes", *setup["staff"]]) == 2  # field staff delete their own only
    assert "allowed" in capsys.readouterr().err
    assert main(["records", "delete", other, *setup["admin"]]) == 2  # not on a terminal: --yes is required
    assert "--yes" in capsys.readouterr().err
    assert main(["records", "delete", setup["ids"]["moussa"], "--yes", *setup["staff"]]) == 0
    assert _json(capsys) == {"deleted": setup["ids"]["moussa"]}
    assert main(["records", "show", setup["ids"]["moussa"], *setup["staff"]]) == 2
    assert "no record" in capsys.readouterr().err
    assert main(["records", "list", *setup["admin"]]) == 0
    assert [r["id"] for r in _json(capsys)["records"]] == [other]


def test_purge_and_the_retention_policy(setup, capsys):
    assert main(["policy", "retention-days", "14", *setup["staff"]]) == 2  # administrators set the period
    assert "administrator" in capsys.readouterr().err
    assert main(["policy", "retention-days", "soon", *setup["admin"]]) == 2
    assert "number of days" in capsys.readouterr().err
    assert main(["policy", "retention-days", "14", *setup["admin"]]) == 0
    assert "retention-days\t14" in capsys.readouterr().out
    assert main(["purge", *setup["staff"]]) == 0  # anyone signed in applies it; nothing acknowledged yet
    out = _json(capsys)
    assert (out["retention_days"], out["purged"], out["last_purge"]) == (14, 0, None)
    assert main(["policy", "retention-days", "none", *setup["admin"]]) == 0
    assert "retention-days\tnone" in capsys.readouterr().out
