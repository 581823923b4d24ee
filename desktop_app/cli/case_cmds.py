"""`waypoint case show | close | reopen`: a person's case file as the signed-in user (issue 12 point 2).

ID is the registration's id or its registration number (short id, with or without "WP-"). `show` prints the case file
as one JSON object: the person, the state of the case, the next appointment, the open referrals and the timeline
(codes, not labels), only what the signed-in person may see. `close` and `reopen` need a reason code (and a note for
"other"); each is a record that syncs, and an entry of the audit log.
"""

from __future__ import annotations

import json
from dataclasses import asdict

from desktop_app.cli.common import add_vault_options, guarded, read_passphrase, require_user, vault_dir
from desktop_app.services import casefile
from desktop_app.vault import Vault
from desktop_app.vault.errors import InvalidInput


def register(subparsers) -> None:
    parser = subparsers.add_parser("case", help="a person's case file: timeline, next appointment; close or reopen")
    sub = parser.add_subparsers(dest="case_command", required=True, metavar="ACTION")
    show = sub.add_parser("show", help="the case file as JSON (only what you may see)")
    add_vault_options(show)
    show.add_argument("id", metavar="ID")
    show.set_defaults(func=cmd_show)
    for name, reasons, words in (("close", casefile.CLOSE_REASONS, "close the case"),
                                 ("reopen", casefile.REOPEN_REASONS, "reopen a closed case")):
        action = sub.add_parser(name, help=f"{words} with a reason (audited; it syncs)")
        add_vault_options(action)
        action.add_argument("id", metavar="ID")
        action.add_argument("--reason", required=True, choices=reasons)
        action.add_argument("--note", default="", help="why, in a few words (required with --reason other)")
        action.set_defaults(func=cmd_change, change=name)


def _unlock(args) -> Vault:
    return Vault.unlock(vault_dir(args), username=require_user(args), passphrase=read_passphrase(args))


def _person(vault: Vault, ref: str) -> str:
    found = casefile.find_person(vault, ref)
    if found is None:
        raise InvalidInput(f"no person {ref} on this laptop")
    return found


def as_json(case: casefile.CaseFile) -> dict:
    return {"person": asdict(case.person), "state": case.state, "state_reason": case.state_reason,
            "state_since": case.state_since, "may_contact": case.may_contact,
            "next_appointment": (case.next_appointment.detail.get("next_appointment")
                                 if case.next_appointment is not None else None),
            "open_referrals": [e.record_id for e in case.open_referrals], "hidden": case.hidden,
            "timeline": [asdict(e) for e in case.entries]}


@guarded
def cmd_show(args) -> int:
    with _unlock(args) as vault:
        print(json.dumps(as_json(casefile.case_file(vault, _person(vault, args.id))), ensure_ascii=False))
    return 0


@guarded
def cmd_change(args) -> int:
    with _unlock(args) as vault:
        person = _person(vault, args.id)
        change = casefile.close_case if args.change == "close" else casefile.reopen_case
        try:
            change(vault, person, reason=args.reason, note=args.note)
        except casefile.CaseStatusError as exc:
            raise InvalidInput(str(exc)) from exc
        case = casefile.case_file(vault, person)
    print(f"{case.person.short_id}\t{case.state}\t{case.state_reason}")
    return 0
