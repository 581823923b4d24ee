"""No crash leaves personal data on disk: no core dump, no traceback message in a log file.

A crashed process's memory holds decrypted records and the data key. The desktop app and the
`waypoint` command therefore, at start:
- forbid core dumps (RLIMIT_CORE = 0) and, on Linux, mark the process not dumpable
  (PR_SET_DUMPABLE = 0), which also stops other programs of the same user reading its memory
  through /proc or a debugger; systemd-coredump and apport honour both;
- enable faulthandler on standard error only (it prints code locations, never values);
- replace the uncaught-exception hook with one that prints the exception's type and the code
  locations but not its message, which may quote a record (a ValueError naming a bad answer); the same for
  an exception no one catches in a thread (`threading.excepthook`) and one Python can only report (raised in
  `__del__` or a callback at garbage collection: `sys.unraisablehook`, which would also print the object).
  Standard error reaches the desktop session's log or the systemd journal, both kept on disk.
On Windows, Error Reporting keeps crash dumps only where an administrator set up LocalDumps for
this program; the packaged app does not, and the docs tell organisations not to.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import faulthandler
import sys
import threading
import traceback
from types import TracebackType
from typing import Any

UnraisableHookArgs = Any  # sys.UnraisableHookArgs: a structseq with no public class to annotate

PR_SET_DUMPABLE = 4
PR_GET_DUMPABLE = 3


def _no_core_dumps() -> None:
    try:
        import resource
    except ImportError:  # Windows
        return
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


def dumpable() -> bool:
    """Whether the kernel would write a core dump of this process (Linux; False elsewhere)."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    return bool(libc.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0))


def _quiet_excepthook(kind: type[BaseException], value: BaseException | None, tb: TracebackType | None, *,
                      what: str = "Waypoint stopped on an unexpected error") -> None:
    stream = sys.__stderr__
    if stream is None:  # a windowed app without a console: nowhere to write, and nothing is written
        return
    stream.write(f"{what} (details left out: they may hold personal data):\n")
    stream.write("".join(traceback.format_list(traceback.extract_tb(tb))))
    stream.write(f"{kind.__module__}.{kind.__qualname__}\n")
    stream.flush()


def install() -> None:
    _no_core_dumps()
    if sys.__stderr__ is not None:
        faulthandler.enable(file=sys.__stderr__, all_threads=True)
    sys.excepthook = _quiet_excepthook
    threading.excepthook = _quiet_thread_excepthook
    sys.unraisablehook = _quiet_unraisablehook


def _quiet_thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:  # as the default hook: a thread's sys.exit() is not an error
        return
    _quiet_excepthook(args.exc_type, args.exc_value, args.exc_traceback,
                      what="A Waypoint thread stopped on an unexpected error")


def _quiet_unraisablehook(unraisable: UnraisableHookArgs) -> None:
    _quiet_excepthook(unraisable.exc_type, unraisable.exc_value, unraisable.exc_traceback,
                      what="Waypoint ignored an unexpected error")
