"""`waypoint search [TEXT]`: find people as the signed-in person, within their rights (issue 12).

One JSON object per line, best first: {"id", "score", "why"} (why: the reasons it matched, in English), plus the
short id and the summary columns the list shows. Exit 0 whether or not anything was found; the count goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys

from desktop_app.cli.common import (
    add_vault_options, guarded, read_passphrase, read_search_text, require_user, vault_dir,
)
from desktop_app.services import search as search_service
from desktop_app.vault import Vault


def _at_least_one(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:  # 0 or -3 printed results all the same (it was taken as 1)
        raise argparse.ArgumentTypeError(f"a number of results, 1 or more: {text}")
    return number


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("search", help="find people by name (any script or spelling), document, phone, "
                                                   "date of birth or age, country, centre; JSON lines")
    parser.add_argument("text", nargs="*", metavar="TEXT",
                        help="what to look for, as one would type it; none (or -): asked at a prompt, so a name "
                             "stays out of the shell's history")
    parser.add_argument("--limit", type=_at_least_one, default=search_service.DEFAULT_LIMIT, metavar="N",
                        help=f"at most N results (default {search_service.DEFAULT_LIMIT})")
    add_vault_options(parser)
    parser.set_defaults(func=cmd_search)


@guarded
def cmd_search(args) -> int:
    text = read_search_text(args.text)
    vault = Vault.unlock(vault_dir(args), username=require_user(args), passphrase=read_passphrase(args))
    try:
        outcome = search_service.search(vault, text, limit=args.limit)
    finally:
        vault.close()
    for result in outcome.results:
        print(json.dumps({"id": result.record_id, "score": result.score, "why": list(result.why),
                          "short_id": result.short_id, "title": result.title, "sex": result.sex,
                          "age": result.age, "nationality": result.nationality, "centre": result.centre,
                          "status": result.status}, ensure_ascii=False))
    print(f"{len(outcome.results)} found in {outcome.seconds * 1000:.0f} ms", file=sys.stderr)
    return 0
