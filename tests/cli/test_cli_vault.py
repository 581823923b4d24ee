"""`waypoint init | users | info | verify` end to end, in-process and as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from desktop_app.cli import main
from desktop_app.cli.common import ENVIRONMENT_WARNING
from desktop_app.vault import Vault


@pytest.fixture
def files(tmp_path):
    admin = tmp_path / "admin.pass"
    admin.write_text("admin passphrase for amina\n")
    staff = tmp_path / "staff.pass"
    staff.write_text("staff passphrase for moussa\n")
    return {"admin": admin, "staff": staff, "vault": tmp_path / "vault"}


def _as_admin(files):
    return ["--vault", str(files["vault"]), "--user", "amina", "--passphrase-file", str(files["admin"])]


def _init(files, capsys):
    assert main(["init", *_as_admin(files), "--kdf-profile", "test"]) == 0
    return capsys.readouterr().out


def test_init_prints_a_recovery_code_that_opens_the_vault(files, capsys):
    out = _init(files, capsys)
    code = out.strip().splitlines()[-1].strip()
    assert len(code.replace("-", "")) == 32
    Vault.unlock_with_recovery(files["vault"], recovery_code=code).close()
    assert main(["init", *_as_admin(files), "--kdf-profile", "test"]) == 2
    assert "already exists" in capsys.readouterr().err


def test_users_add_list_passwd_remove(files, capsys):
    _init(files, capsys)
    assert main(["users", "add", "moussa", "--role", "field_staff", "--new-passphrase-file",
                 str(files["staff"]), *_as_admin(files)]) == 0
    assert main(["users", "list", *_as_admin(files)]) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == ["amina\tadministrator", "moussa\tfield_staff"]
    new = files["vault"].parent / "new.pass"
    new.write_text("moussa's new passphrase")
    staff_login = ["--vault", str(files["vault"]), "--user", "moussa", "--passphrase-file", str(files["staff"])]
    assert main(["users", "passwd", *staff_login, "--new-passphrase-file", str(new)]) == 0
    assert main(["users", "list", *staff_login]) == 2
    assert "Wrong user name or passphrase" in capsys.readouterr().err
    assert main(["users", "remove", "moussa", *staff_login[:-1], str(new)]) == 2
    assert "role does not allow" in capsys.readouterr().err
    assert main(["users", "remove", "moussa", *_as_admin(files)]) == 0
    assert main(["users", "list", *_as_admin(files)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "amina\tadministrator"


def test_info_is_json_with_schema_kdf_and_counts(files, capsys):
    _init(files, capsys)
    assert main(["info", *_as_admin(files)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["schema_version"] == data["schema_version_supported"] >= 1
    assert data["kdf_profile"] == "test" and data["kdf"]["alg"] == "argon2id"
    assert data["registrations"] == {"draft": 0, "finalized": 0}


def test_passphrase_from_the_environment(files, capsys, monkeypatch):
    _init(files, capsys)
    monkeypatch.setenv("WAYPOINT_PASSPHRASE", "admin passphrase for amina")
    assert main(["verify", "--vault", str(files["vault"]), "--user", "amina"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("OK:")
    # one line saying where it may have stayed and what to use instead
    assert err.splitlines() == [ENVIRONMENT_WARNING]
    assert "shell's history" in ENVIRONMENT_WARNING and "--passphrase-file" in ENVIRONMENT_WARNING
    assert "admin passphrase" not in err


# The program as installed (`waypoint` is desktop_app.cli:run), then a process it starts, as a command that ran a
# helper program would: the helper must not find the passphrase in its environment.
PROGRAM_THEN_CHILD = """
import os, subprocess, sys
from desktop_app.cli import run
sys.argv[0] = "waypoint"
code = run()
child = subprocess.run([sys.executable, "-c", "import os; print(os.environ.get('WAYPOINT_PASSPHRASE'))"],
                       capture_output=True, text=True, check=True)
print("child:", child.stdout.strip(), "self:", os.environ.get("WAYPOINT_PASSPHRASE"))
sys.exit(code)
"""


def test_the_program_takes_the_passphrase_out_of_the_environment_its_children_inherit(files, capsys):
    _init(files, capsys)
    env = {**os.environ, "WAYPOINT_PASSPHRASE": "admin passphrase for amina"}
    done = subprocess.run([sys.executable, "-c", PROGRAM_THEN_CHILD, "verify", "--vault", str(files["vault"]),
                           "--user", "amina"], env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("OK:") and done.stdout.splitlines()[-1] == "child: None self: None"
    assert done.stderr.splitlines() == [ENVIRONMENT_WARNING]


def test_the_passphrase_from_standard_input_without_a_warning(files, capsys):
    _init(files, capsys)
    env = {k: v for k, v in os.environ.items() if k != "WAYPOINT_PASSPHRASE"}
    done = subprocess.run([sys.executable, "-m", "desktop_app.cli", "verify", "--vault", str(files["vault"]),
                           "--user", "amina", "--passphrase-file", "/dev/stdin"], env=env,
                          input="admin passphrase for amina\n", capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.startswith("OK:"), done.stderr
    assert done.stderr == ""


def test_errors_are_one_line_without_traceback(files, capsys):
    _init(files, capsys)
    env = {**os.environ, "WAYPOINT_PASSPHRASE": "not the passphrase"}
    done = subprocess.run(
        [sys.executable, "-m", "desktop_app.cli", "verify", "--vault", str(files["vault"]), "--user", "amina"],
        env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [ENVIRONMENT_WARNING, "waypoint: Wrong user name or passphrase."]
    assert main(["info", "--vault", str(files["vault"].parent / "none"), "--user", "amina",
                 "--passphrase-file", str(files["admin"])]) == 2
    assert capsys.readouterr().err.startswith("waypoint: No vault at this location.")
    no_pass = subprocess.run(
        [sys.executable, "-m", "desktop_app.cli", "info", "--vault", str(files["vault"]), "--user", "amina"],
        env={k: v for k, v in os.environ.items() if k != "WAYPOINT_PASSPHRASE"},
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60,
    )
    assert no_pass.returncode == 2 and "no passphrase given" in no_pass.stderr


def test_verify_reports_an_inconsistent_vault_and_exits_1(files, capsys):
    from desktop_app.vault.registrations import save_registration

    _init(files, capsys)
    with Vault.unlock(files["vault"], username="amina", passphrase="admin passphrase for amina") as vault:
        reg = save_registration(vault, form_id="f", form_version="1", status="finalized", content="<a/>")
        with vault.session() as session:  # a record whose outbox row went missing
            session.connection().exec_driver_sql("DELETE FROM outbox WHERE record_id = ?", (reg.id,))
    assert main(["verify", *_as_admin(files)]) == 1
    err = capsys.readouterr().err
    assert f"registration {reg.id}: no outbox row for version 1" in err and "verify FAILED" in err


def test_administrator_resets_another_users_passphrase(files, capsys):
    _init(files, capsys)
    assert main(["users", "add", "moussa", "--role", "coordinator", "--new-passphrase-file",
                 str(files["staff"]), *_as_admin(files)]) == 0
    reset = files["vault"].parent / "reset.pass"
    reset.write_text("reset by the administrator\n")
    assert main(["users", "passwd", "moussa", "--new-passphrase-file", str(reset), *_as_admin(files)]) == 0
    Vault.unlock(files["vault"], username="moussa", passphrase="reset by the administrator").close()


def test_forgotten_administrator_passphrase_reset_with_the_recovery_code(files, capsys):
    code = _init(files, capsys).strip().splitlines()[-1].strip()
    code_file = files["vault"].parent / "recovery.txt"
    code_file.write_text(code + "\n")
    new = files["vault"].parent / "new-admin.pass"
    new.write_text("the new administrator passphrase\n")
    assert main(["users", "passwd", "amina", "--vault", str(files["vault"]), "--recovery-code-file",
                 str(code_file), "--new-passphrase-file", str(new)]) == 0
    Vault.unlock(files["vault"], username="amina", passphrase="the new administrator passphrase").close()
    assert main(["users", "passwd", "--vault", str(files["vault"]), "--recovery-code-file", str(code_file),
                 "--new-passphrase-file", str(new)]) == 2
    assert "say whose passphrase" in capsys.readouterr().err


def test_init_installs_the_shipped_forms_and_info_lists_them(files, capsys):
    # records pulled by sync into a vault made with `init` must open: their forms are there from the start
    _init(files, capsys)
    with Vault.unlock(files["vault"], username="amina", passphrase="admin passphrase for amina") as vault:
        from desktop_app.services import forms

        installed = {f.form_id for f in forms.list_installed_forms(vault)}
    assert "waypoint_migrant_registration" in installed and "waypoint_info_session" in installed and len(installed) == 5
    assert main(["info", *_as_admin(files)]) == 0
    data = json.loads(capsys.readouterr().out)
    listed = {f["form_id"]: f for f in data["forms"]}
    assert set(listed) == installed
    assert listed["waypoint_migrant_registration"]["version"] and listed["waypoint_referral"]["title"]


def test_no_warning_about_xdg_runtime_dir(tmp_path):
    # a desktop session without XDG_RUNTIME_DIR (su, ssh, cron): every command printed platformdirs' warning
    env = {k: v for k, v in os.environ.items() if k not in ("XDG_RUNTIME_DIR", "WAYPOINT_HOME")}
    env["HOME"] = str(tmp_path)
    env["WAYPOINT_PASSPHRASE"] = "admin passphrase for amina"
    done = subprocess.run([sys.executable, "-m", "desktop_app.cli", "info", "--user", "amina"], env=env,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert done.returncode == 2 and "No vault at this location" in done.stderr
    assert "XDG_RUNTIME_DIR" not in done.stderr and "Warning" not in done.stderr


def test_the_recovery_code_is_written_the_same_way_everywhere(files, capsys):
    from desktop_app.ui.setup_page import recovery_code_lines

    code = _init(files, capsys).strip().splitlines()[-1].strip()
    groups = code.split("-")
    assert len(groups) == 8 and all(len(g) == 4 for g in groups)
    # the setup screen breaks the same code onto two lines, with the same dashes between groups
    assert recovery_code_lines(code).replace("\n", "-") == code
