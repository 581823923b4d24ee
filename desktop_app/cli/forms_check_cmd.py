"""`waypoint forms check FILE...`: load each form, fill it to a valid finalized instance, time it.

Prints one JSON line per form (form, status, binds, load_ms, recompute_median_ms,
recompute_max_ms, unsupported, and the error when it fails); exits 0 only if every form passes.
The files are checked as one set: a follow-up form's entity list is filled by the registration forms given
with it (waypoint_core.xform.check.check_forms).
The work is done by waypoint_core.xform.check so bench/ and the tests run exactly the same thing.
"""

from __future__ import annotations

import argparse
import json
import sys


def register(forms_subparsers: argparse._SubParsersAction) -> None:
    parser = forms_subparsers.add_parser(
        "check", help="load forms, auto-fill each to a valid finalized instance, report timings as JSON lines"
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="XForm .xml, or XLSForm .xlsx/.xls/.md/.csv")
    parser.add_argument("--media-dir", default=None, help="folder with the form's CSV/XML attachments")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from waypoint_core.xform.check import check_forms

    all_pass = True
    for result in check_forms(args.files, media_dir=args.media_dir):
        all_pass = all_pass and result["status"] == "pass"
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return 0 if all_pass else 1
