"""The command line acts as the signed-in person: roles are set with `waypoint users`, and what a command shows
or changes follows that person's rights."""

from __future__ import annotations

from desktop_app.cli import main
from tests.access.team import ADMIN, CASE, FIELD, PASSPHRASES


def _as(team, who, tmp_path):
    secret = tmp_path / f"{who}.pass"
    secret.write_text(PASSPHRASES[who])
    return ["--vault", str(team), "--user", who, "--passphrase-file", str(secret)]


def test_users_roles_and_several_roles_at_once(team, tmp_path, capsys):
    admin = _as(team, ADMIN, tmp_path)
    new = tmp_path / "new.pass"
    new.write_text("quiet meadow lantern crossing")
    assert main(["users", "add", "ibrahim", "--role", "field_staff", "--role", "case_worker",
                 "--new-passphrase-file", str(new), *admin]) == 0
    assert "as field_staff, case_worker" in capsys.readouterr().out
    assert main(["users", "roles", FIELD, "field_staff", "coordinator", *admin]) == 0
    assert main(["users", "list", *admin]) == 0
    listed = dict(line.split("\t", 1) for line in capsys.readouterr().out.splitlines() if "\t" in line)
    assert listed["ibrahim"] == "field_staff,case_worker" and listed[FIELD] == "field_staff,coordinator"
    assert listed[CASE] == "field_staff,case_worker"
    assert main(["users", "roles", ADMIN, "field_staff", *_as(team, FIELD, tmp_path)]) == 2
    assert "role does not allow" in capsys.readouterr().err
