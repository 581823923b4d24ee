"""What every `waypoint` command shares: the --vault/--user options, reading passphrases, and
turning errors into one clear line on stderr with a non-zero exit (never a traceback).

Passphrase sources, first found wins: --passphrase-file F, the WAYPOINT_PASSPHRASE environment
variable, then a prompt on the terminal (getpass, not echoed). A file's trailing newline is dropped.

WAYPOINT_PASSPHRASE is for automation (tests, the packaged build's smoke test, scripts that hold the passphrase
already). Typed as `WAYPOINT_PASSPHRASE=... waypoint ...` it stays in the shell's history file, and every process
started with it inherits it. The program (`run()`) takes it out of its environment before anything else, so that no
process it starts inherits it, and using it prints a one-line warning naming what to use instead.
"""

from __future__ import annotations

import argparse
import functools
import getpass
import os
import sys
from pathlib import Path
from collections.abc import Callable

from desktop_app.paths import app_paths
from desktop_app.vault import errors

PASSPHRASE_ENV = "WAYPOINT_PASSPHRASE"
DEBUG_ENV = "WAYPOINT_DEBUG"
EXIT_ERROR = 2


class CliError(Exception):
    """A usage problem the command reports in one line (exit code 2)."""


def add_vault_options(parser: argparse.ArgumentParser, *, user: bool = True) -> None:
    parser.add_argument("--vault", type=Path, default=None, metavar="DIR",
                        help="vault folder (default: the app's data folder)")
    if user:
        parser.add_argument("--user", metavar="NAME", help="user name to unlock with")
        parser.add_argument("--passphrase-file", type=Path, metavar="F",
                            help=f"read the passphrase from this file (else ${PASSPHRASE_ENV}, else a prompt)")
        parser.add_argument("--recovery-code-file", type=Path, metavar="F",
                            help="unlock with the recovery code in this file instead of a user's passphrase")


def vault_dir(args) -> Path:
    return args.vault if args.vault is not None else app_paths().default_vault


def _read_file(path: Path) -> str:
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise CliError(f"{path} is not UTF-8 text") from exc
    if text.endswith("\n"):
        text = text[:-1]
    if text.endswith("\r"):
        text = text[:-1]
    return text


def _prompt(label: str) -> str:
    if not sys.stdin.isatty():
        raise CliError(f"no passphrase given: use --passphrase-file, ${PASSPHRASE_ENV} or run in a terminal")
    return getpass.getpass(label)


ENVIRONMENT_WARNING = (f"waypoint: warning: the passphrase was read from ${PASSPHRASE_ENV}, which a command line "
                       f"`{PASSPHRASE_ENV}=... waypoint ...` leaves in the shell's history; leave it unset to be "
                       "asked for it, or use --passphrase-file F (a file only you can read, or /dev/stdin)")


def take_environment_passphrase() -> str | None:
    """$WAYPOINT_PASSPHRASE, removed from this process's environment (the program's first step, `run()`): a process
    started from here does not inherit it. (/proc/PID/environ still shows the environment the process started with;
    crash_guard makes it readable by root only.)"""
    return os.environ.pop(PASSPHRASE_ENV, None) or None


def environment_passphrase(args) -> str | None:
    """The passphrase the environment gave: taken out of it by `run()` (args.environment_passphrase), or still
    there when `main()` is called in-process (tests)."""
    given = getattr(args, "environment_passphrase", None)
    return given if given is not None else (os.environ.get(PASSPHRASE_ENV) or None)


def read_passphrase(args, *, label: str = "Passphrase: ") -> str:
    if getattr(args, "passphrase_file", None):
        return _read_file(args.passphrase_file)
    given = environment_passphrase(args)
    if given is not None:
        if not getattr(args, "environment_warned", False):
            print(ENVIRONMENT_WARNING, file=sys.stderr)
            args.environment_warned = True
        return given
    return _prompt(label)


def read_new_passphrase(file: Path | None, *, label: str) -> str:
    """A new passphrase from a file, or typed twice at the prompt."""
    if file is not None:
        return _read_file(file)
    first = _prompt(f"{label}: ")
    if _prompt(f"{label} (again): ") != first:
        raise CliError("the two passphrases differ")
    return first


def read_recovery_code(args) -> str | None:
    return _read_file(args.recovery_code_file) if getattr(args, "recovery_code_file", None) else None


def read_search_text(words: list[str] | None) -> str:
    """What to look for: the words given, or, when none are given or only "-", one line of standard input (after
    a prompt on a terminal). A name typed as an argument stays in the shell's history file (on the laptop's disk,
    unencrypted, until someone clears it) and, while the command runs, in the process list every account of the
    computer can read; typed at the prompt it is in neither."""
    if words and words != ["-"]:
        return " ".join(words)
    if sys.stdin.isatty():
        sys.stderr.write("Search for: ")
        sys.stderr.flush()
    text = sys.stdin.readline().strip()
    if not text:
        raise CliError("nothing to search for")
    return text


def require_user(args) -> str:
    if not args.user:
        raise CliError("--user NAME is required")
    return args.user


def guarded(func: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Run a command; print any expected failure as one line on stderr and return a non-zero code."""

    @functools.wraps(func)
    def run(args) -> int:
        try:
            return int(func(args) or 0)
        except (errors.VaultError, CliError) as exc:
            print(f"waypoint: {exc}", file=sys.stderr)
            if getattr(exc, "french", None):  # a refusal the person at the laptop must act on: also in French
                print(f"waypoint: {exc.french}", file=sys.stderr)
            return EXIT_ERROR
        except KeyboardInterrupt:
            print("waypoint: interrupted", file=sys.stderr)
            return 130
        except OSError as exc:  # the file it is about, so "No such file or directory" says which
            where = f"{exc.filename}: " if exc.filename else ""
            print(f"waypoint: {where}{exc.strerror or exc}", file=sys.stderr)
            return EXIT_ERROR
        except Exception as exc:  # a bug or an I/O error we have no name for: still one line
            if os.environ.get(DEBUG_ENV) == "1":
                raise
            print(f"waypoint: unexpected {type(exc).__name__}: {exc} (set {DEBUG_ENV}=1 for details)",
                  file=sys.stderr)
            return EXIT_ERROR

    return run
