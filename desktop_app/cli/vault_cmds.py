"""`waypoint init | users | info | verify | policy | wipe`: create, administer and erase a vault.

Every new passphrase (init, users add, users passwd) follows the vault's rules; a refused one is
explained line by line, with a generated passphrase offered instead.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from desktop_app.cli.common import (
    CliError,
    add_vault_options,
    environment_passphrase,
    guarded,
    read_new_passphrase,
    read_passphrase,
    read_recovery_code,
    require_user,
    vault_dir,
)
from desktop_app.services import forms as form_service
from desktop_app.services import retention, session
from desktop_app.vault import ROLES, KdfProfile, Vault, errors
from desktop_app.vault.erase import CONFIRMATION_WORDS
from desktop_app.vault.passphrases import MIN_LENGTH, Reason
from desktop_app.vault.vault import POLICY_ANY_USER_MAY_ERASE, POLICY_SHARE_DRAFTS

EXIT_VERIFY_FAILED = 1
EXIT_ERROR = 2

WHY_REFUSED = {
    Reason.EMPTY: "it is empty",
    Reason.TOO_SHORT: f"it is shorter than {MIN_LENGTH} characters",
    Reason.COMMON_PASSWORD: "it is (or contains) one of the passwords attackers try first",
    Reason.REGION_WORD: "it contains a place of the region, the organisation, or a common name or word of the region",
    Reason.OWN_NAME: "it contains the user name",
    Reason.COMMON_WORDS: "it is made of too few common words",
    Reason.YEAR_OR_DATE: "years and dates are among the first things tried",
    Reason.PATTERN: "keyboard rows, repeats and sequences (qwerty, aaaa, 1234) are tried early",
    Reason.LOOKALIKE: "swapping letters for look-alike symbols (P@ssw0rd) does not make it stronger",
    Reason.TOO_GUESSABLE: "it would be guessed too soon by someone who copies the vault",
}
POLICY_NAMES = {"any-user-may-erase": POLICY_ANY_USER_MAY_ERASE, "share-drafts": POLICY_SHARE_DRAFTS}
RETENTION = "retention-days"  # identifying data on this laptop, days after the server acknowledged a record


def register(subparsers) -> None:
    init = subparsers.add_parser("init", help="create a vault and its first administrator")
    add_vault_options(init)
    init.add_argument("--kdf-profile", choices=KdfProfile.ALL, default=KdfProfile.PRODUCTION,
                      help=argparse.SUPPRESS)  # "test" only for the test suite
    init.set_defaults(func=cmd_init)

    users = subparsers.add_parser("users", help="list, add and remove users; change passphrases")
    users_sub = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    listing = users_sub.add_parser("list", help="list the users who can open the vault")
    add_vault_options(listing)
    listing.set_defaults(func=cmd_users_list)
    add = users_sub.add_parser("add", help="add a user (administrators only)")
    add_vault_options(add)
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, required=True, action="append",
                     help="a role; repeat for several (e.g. --role field_staff --role case_worker)")
    add.add_argument("--new-passphrase-file", type=Path, metavar="F", help="the new user's passphrase")
    add.set_defaults(func=cmd_users_add)
    remove = users_sub.add_parser("remove", help="remove a user and rotate the data key (administrators only)")
    add_vault_options(remove)
    remove.add_argument("name")
    remove.set_defaults(func=cmd_users_remove)
    roles = users_sub.add_parser("roles", help="grant a user exactly these roles (administrators)")
    add_vault_options(roles)
    roles.add_argument("name")
    roles.add_argument("roles", nargs="+", choices=ROLES, metavar="ROLE", help=f"one or more of {', '.join(ROLES)}")
    roles.set_defaults(func=cmd_users_roles)
    passwd = users_sub.add_parser("passwd", help="change your passphrase, or reset another user's (administrators)")
    add_vault_options(passwd)
    passwd.add_argument("name", nargs="?", help="whose passphrase (default: --user)")
    passwd.add_argument("--new-passphrase-file", type=Path, metavar="F")
    passwd.set_defaults(func=cmd_users_passwd)

    info = subparsers.add_parser("info", help="schema version, KDF parameters, record counts and forms as JSON")
    add_vault_options(info)
    info.set_defaults(func=cmd_info)
    verify = subparsers.add_parser("verify", help="check every page, the schema, every record and every role")
    add_vault_options(verify)
    verify.set_defaults(func=cmd_verify)

    policy = subparsers.add_parser("policy", help="show or set the organisation's policy (set: administrators)")
    add_vault_options(policy)
    policy.add_argument("name", nargs="?", choices=sorted([*POLICY_NAMES, RETENTION]), help="the policy to set")
    policy.add_argument("value", nargs="?", metavar="VALUE",
                        help=f"yes or no; for {RETENTION}: a number of days after the server acknowledged a "
                             "record, or none (no limit)")
    policy.set_defaults(func=cmd_policy)

    wipe = subparsers.add_parser(
        "wipe", help="emergency erase: destroy the key slots and delete the vault (administrators, or anyone "
                     "the policy allows); nothing can open it afterwards")
    add_vault_options(wipe)
    wipe.add_argument("--confirm", metavar="WORD", help=f"type {CONFIRMATION_WORDS[0]} to confirm (else asked)")
    wipe.set_defaults(func=cmd_wipe)


def _unlock(args) -> Vault:
    code = read_recovery_code(args)
    if code is not None:
        return Vault.unlock_with_recovery(vault_dir(args), recovery_code=code)
    user = require_user(args)
    return Vault.unlock(vault_dir(args), username=user, passphrase=read_passphrase(args))


def _refused(exc: errors.WeakPassphrase) -> int:
    print("waypoint: this passphrase is refused:", file=sys.stderr)
    for reason in exc.assessment.reasons:
        print(f"  - {WHY_REFUSED[reason]}", file=sys.stderr)
    print("waypoint: a short sentence of your own of five or six words works; or use this generated one:\n"
          f"  {session.suggest_passphrase('en')}", file=sys.stderr)
    return EXIT_ERROR


def explains_weak_passphrases(func):
    def run(args) -> int:
        try:
            return int(func(args) or 0)
        except errors.WeakPassphrase as exc:
            return _refused(exc)

    run.__name__ = func.__name__
    return run


@guarded
@explains_weak_passphrases
def cmd_init(args) -> int:
    user = require_user(args)
    folder = vault_dir(args)
    if Vault.exists(folder):
        raise CliError(f"a vault already exists at {folder}")
    if args.passphrase_file is None and environment_passphrase(args) is None:
        passphrase = read_new_passphrase(None, label=f"New passphrase for {user}")
    else:
        passphrase = read_passphrase(args)
    vault, recovery_code = Vault.create(folder, admin_username=user, admin_passphrase=passphrase,
                                        kdf_profile=args.kdf_profile)
    with vault:
        # as the app does at setup: records that sync brings in later open with these forms
        form_service.install_shipped_forms(vault)
    print(f"Vault created at {folder} with administrator {user!r}.")
    print("Recovery code (write it down and keep it safe; it is shown only this once):")
    print(f"  {recovery_code}")
    return 0


@guarded
def cmd_users_list(args) -> int:
    with _unlock(args) as vault:
        for user in vault.list_users():
            flag = "\tmust change passphrase" if user.must_change_passphrase else ""
            print(f"{user.username}\t{','.join(user.roles) or 'NO VALID ROLE'}{flag}")
    return 0


@guarded
@explains_weak_passphrases
def cmd_users_add(args) -> int:
    with _unlock(args) as vault:
        passphrase = read_new_passphrase(args.new_passphrase_file, label=f"Passphrase for {args.name}")
        vault.add_user(args.name, passphrase, args.role)
    print(f"Added {args.name!r} as {', '.join(args.role)}.")
    return 0


@guarded
def cmd_users_roles(args) -> int:
    with _unlock(args) as vault:
        granted = vault.set_roles(args.name, args.roles)
    print(f"{args.name!r} now has the roles {', '.join(granted)}.")
    return 0


@guarded
def cmd_users_remove(args) -> int:
    with _unlock(args) as vault:
        vault.remove_user(args.name)
    print(f"Removed {args.name!r}; the data key was rotated.")
    return 0


@guarded
@explains_weak_passphrases
def cmd_users_passwd(args) -> int:
    """Your own passphrase (the login passphrase is the old one), or, as an administrator or with
    the recovery code, reset anyone's."""
    if read_recovery_code(args) is not None:
        if not args.name:
            raise CliError("say whose passphrase to reset: waypoint users passwd NAME --recovery-code-file F")
        name, login_passphrase = args.name, None
    else:
        name = args.name or require_user(args)
        login_passphrase = read_passphrase(args)
    if login_passphrase is None:
        vault = _unlock(args)
    else:  # the passphrase just read is both the login and, for your own slot, the old passphrase
        vault = Vault.unlock(vault_dir(args), username=require_user(args), passphrase=login_passphrase)
    with vault:
        new = read_new_passphrase(args.new_passphrase_file, label=f"New passphrase for {name}")
        old = login_passphrase if name == vault.user.username else None
        vault.change_passphrase(name, old, new)
    print(f"Passphrase of {name!r} changed.")
    return 0


@guarded
def cmd_info(args) -> int:
    with _unlock(args) as vault:
        data = vault.info()
        data["forms"] = [{"form_id": f.form_id, "version": f.version, "title": f.title}
                         for f in form_service.list_installed_forms(vault)]
    json.dump(data, sys.stdout, indent=2, sort_keys=True)
    print()
    return 0


@guarded
def cmd_verify(args) -> int:
    with _unlock(args) as vault:
        report = vault.verify()
    if report.ok:
        print(f"OK: schema {report.schema_version}, {report.records} registrations, "
              f"{report.outbox_rows} outbox rows, every page and record read.")
        return 0
    for problem in report.problems:
        print(f"waypoint: verify: {problem}", file=sys.stderr)
    print(f"waypoint: verify FAILED with {len(report.problems)} problem(s)", file=sys.stderr)
    return EXIT_VERIFY_FAILED


@guarded
def cmd_policy(args) -> int:
    days: int | None = None
    if args.name == RETENTION:
        if args.value is None or not (args.value == "none" or args.value.isdigit()):
            raise CliError(f"say a number of days or none: waypoint policy {RETENTION} DAYS|none")
        days = None if args.value == "none" else int(args.value)
    elif args.name is not None and args.value not in ("yes", "no"):
        raise CliError(f"say yes or no: waypoint policy {args.name} yes|no")
    with _unlock(args) as vault:
        if args.name == RETENTION:
            retention.set_retention_days(vault, days)
        elif args.name is not None:
            vault.set_policy(POLICY_NAMES[args.name], args.value == "yes")
        current = vault.policies()
        period = retention.retention_days(vault)
    for name, key in sorted(POLICY_NAMES.items()):
        print(f"{name}\t{'yes' if current[key] else 'no'}")
    print(f"{RETENTION}\t{'none' if period is None else period}")
    return 0


@guarded
def cmd_wipe(args) -> int:
    """Crypto-erase. Refused without the confirmation word; asks for it on a terminal."""
    folder = vault_dir(args)
    word = args.confirm
    if word is None:
        if not sys.stdin.isatty():
            raise CliError(f"nothing erased: confirm with --confirm {CONFIRMATION_WORDS[0]}")
        print(f"This destroys the vault at {folder}: every registration on this computer is lost for good.")
        word = input(f"Type {CONFIRMATION_WORDS[0]} to erase it: ")
    with _unlock(args) as vault:
        try:
            erased = session.erase_open_vault(vault, confirmation=word)
        except session.NotConfirmed:
            raise CliError(f"nothing erased: the confirmation word is {CONFIRMATION_WORDS[0]}") from None
    print(f"Erased the vault at {folder}: key slots overwritten and removed "
          f"({len(erased.overwritten)} file(s)), {len(erased.removed)} other file(s) deleted.")
    return 0
