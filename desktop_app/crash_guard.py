"""No crash leaves personal data on disk: no core dump, no traceback message in a log file.

A crashed process's memory holds decrypted records and the data key. The desktop app and the
`waypoint` command therefore, at start:
- forbid core dumps (RLIMIT_CORE = 0) and, on Linux, mark the process not dumpable
  (PR_SET_DUMPABLE = 0), which also stops other programs of the same user reading its memory
  through /proc or a debugger; systemd-coredump and apport honour both;
- enable faulthandler on standard error only (it prints code locations, never values);
- replace the uncaught-exception hook with one that prints the exception's type and the code
  locations but not its message, which may quote a record (a ValueError naming a bad answer).
On Windows, Error Reporting keeps crash dumps only where an administrator set up LocalDumps for
this program; the packaged app does not, and the docs tell organisations not to.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import faulthandler
import sys
import traceback
from types import TracebackType

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


def _quiet_excepthook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    stream = sys.__stderr__
    if stream is None:  # a windowed app without a console: nowhere to write, and nothing is written
        return
    stream.write("Waypoint stopped on an unexpected error (details left out: they may hold personal data):\n")
    stream.write("".join(traceback.format_list(traceback.extract_tb(tb))))
    stream.write(f"{kind.__module__}.{kind.__qualname__}\n")
    stream.flush()


def install() -> None:
    _no_core_dumps()
    if sys.__stderr__ is not None:
        faulthandler.enable(file=sys.__stderr__, all_threads=True)
    sys.excepthook = _quiet_excepthook
