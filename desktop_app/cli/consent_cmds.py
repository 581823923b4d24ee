"""`waypoint consent show | withdraw | give | contact`: a person's consent per purpose, as the signed-in user.

ID is the registration's id or its registration number (short id, with or without "WP-"). A withdrawal takes
effect at once (matching, sharing, follow-up contact, record-level exports) and is in the audit log
(`record.consent_withdrawn`); it syncs to the server and the other laptops. `contact` exits 1 when the person may not
be contacted again (and the refusal is audited).
"""

from __future__ import annotations

import json
from datetime import date

from desktop_app.cli.common import add_vault_options, guarded, read_passphrase, require_user, vault_dir
from desktop_app.services import consent
from desktop_app.vault import Vault

EXIT_NOT_CONSENTED = 1


def register(subparsers) -> None:
    parser = subparsers.add_parser("consent", help="a person's consent per purpose; withdraw or give it")
    sub = parser.add_subparsers(dest="consent_command", required=True, metavar="ACTION")
    purposes = ", ".join(consent.PURPOSES)

    show = sub.add_parser("show", help="each purpose: consented, refused or withdrawn, with date and method")
    add_vault_options(show)
    show.add_argument("id", metavar="ID")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=cmd_show)

    withdraw = sub.add_parser("withdraw", help="the person withdraws consent, from now on (audited)")
    add_vault_options(withdraw)
    withdraw.add_argument("id", metavar="ID")
    withdraw.add_argument("--purpose", action="append", required=True, help=f"{purposes} or all (repeatable)")
    withdraw.set_defaults(func=cmd_withdraw)

    give = sub.add_parser("give", help="the person gives consent (again) to these purposes (audited)")
    add_vault_options(give)
    give.add_argument("id", metavar="ID")
    give.add_argument("--purpose", action="append", required=True, help=f"{purposes} or all (repeatable)")
    give.add_argument("--method", required=True, choices=consent.METHODS)
    give.add_argument("--date", type=date.fromisoformat, help="the day consent was given (default today)")
    give.set_defaults(func=cmd_give)

    contact = sub.add_parser("contact", help="may this person be contacted again? exit 1 if not (audited)")
    add_vault_options(contact)
    contact.add_argument("id", metavar="ID")
    contact.set_defaults(func=cmd_contact)


def _unlock(args) -> Vault:
    return Vault.unlock(vault_dir(args), username=require_user(args), passphrase=read_passphrase(args))


def _print(view: consent.ConsentView, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"id": view.record_id, "short_id": view.short_id,
                          "purposes": {e.purpose: {"status": e.status, "allowed": view.consent.allows(e.purpose),
                                                   "date": e.date, "method": e.method, "given_by": e.given_by,
                                                   "withdrawn_at": e.withdrawn_at, "withdrawn_by": e.withdrawn_by}
                                       for e in view.consent.purposes},
                          "changes": [{"action": c.action, "purposes": list(c.purposes), "at": c.at, "by": c.by,
                                       "method": c.method} for c in view.changes]}, ensure_ascii=False))
        return
    print(f"{view.short_id}\t{view.record_id}")
    for e in view.consent.purposes:
        allowed = "allowed" if view.consent.allows(e.purpose) else "not allowed"
        when = f"withdrawn {e.withdrawn_at} by {e.withdrawn_by}" if e.status == "withdrawn" else e.date
        print("\t".join([e.purpose, e.status, allowed, when or "-", e.method or "-"]))


@guarded
def cmd_show(args) -> int:
    with _unlock(args) as vault:
        _print(consent.show(vault, consent.resolve(vault, args.id)), args.json)
    return 0


@guarded
def cmd_withdraw(args) -> int:
    with _unlock(args) as vault:
        view = consent.withdraw(vault, consent.resolve(vault, args.id), args.purpose)
        _print(view, False)
    return 0


@guarded
def cmd_give(args) -> int:
    with _unlock(args) as vault:
        view = consent.give(vault, consent.resolve(vault, args.id), args.purpose, method=args.method, on=args.date)
        _print(view, False)
    return 0


@guarded
def cmd_contact(args) -> int:
    with _unlock(args) as vault:
        record_id = consent.resolve(vault, args.id)
        try:
            consent.check_contact(vault, record_id)
        except consent.ConsentRefused as exc:
            print(f"do not contact: {exc.detail}")
            return EXIT_NOT_CONSENTED
    print("may be contacted")
    return 0
