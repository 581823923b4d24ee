"""`waypoint`: the device command line for administrators and tests. No Qt is imported here."""

from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="waypoint", description="Waypoint device administration")
    parser.add_subparsers(dest="command", required=True)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return 0 if args else 1


if __name__ == "__main__":
    sys.exit(main())
