"""Writing results safely (never half a file, never over an open one); where they go is
:func:`workbooks.folders.plan_outputs`.

- A workbook open in Excel/WPS (``~$name``) or LibreOffice (``.~lock.name#``) is refused.
- Results are written to a temp file in the target folder and moved into place with
  os.replace (never half a file). Temp files carry the writer's process id: they are
  removed when the run fails or is stopped (SIGTERM/SIGINT/atexit), and a later run
  removes those whose process is gone (a killed run).
- A written file gets the permissions the user's umask gives a new file (a temp file from
  mkstemp is 0600 until then): colleagues see a branch's shared folder as usual.
"""
from __future__ import annotations

import atexit
import os
import re
import signal
import sys
import tempfile
from pathlib import Path

from cli.locks import open_elsewhere  # noqa: F401 (result and pipeline check it as O.open_elsewhere)

TEMP_PREFIX = ".tmp-logidesk-"
_TEMP_RE = re.compile(re.escape(TEMP_PREFIX) + r"(\d+)-")
_live: set[str] = set()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def remove_stale(folder: Path) -> list[Path]:
    """Temp files of runs that were killed (their process is gone)."""
    removed: list[Path] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        m = _TEMP_RE.match(name)
        if m and not _alive(int(m.group(1))):
            p = folder / name
            try:
                p.unlink()
                removed.append(p)
            except OSError:
                pass
    return removed


def new_temp(target: Path) -> str:
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(target.parent)
    fd, name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    _live.add(name)
    return name


def discard(name: str) -> None:
    _live.discard(name)
    try:
        os.unlink(name)
    except FileNotFoundError:
        pass


def umask() -> int:
    """The process's umask, read without changing it where the OS shows it (Linux), so no
    other thread creates a file under a temporary umask."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def follow_umask(path: str | os.PathLike) -> None:
    """Give a finished temp file the mode ``open()`` would have given it (0666 & ~umask)."""
    os.chmod(path, 0o666 & ~umask())


def commit(name: str, target: Path) -> None:
    follow_umask(name)
    os.replace(name, target)
    _live.discard(name)


def disown_temps() -> None:
    """Forget this process's temp files without removing them (a forked worker: the parent
    owns them and removes them if the run fails)."""
    _live.clear()


def _cleanup() -> None:
    for name in list(_live):
        discard(name)


atexit.register(_cleanup)


def install_signal_handlers() -> None:
    """SIGTERM/SIGHUP end the run through the normal exit path (temp files removed)."""
    def stop(signum, frame):          # noqa: ARG001
        # Remove our temp files, then leave at once: raising SystemExit would wait for the
        # deflate thread and the worker pool to finish their jobs (a minute on a loaded PC).
        _cleanup()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(128 + signum)
    for sig in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)):
        if sig is not None:
            try:
                signal.signal(sig, stop)
            except (ValueError, OSError):       # not the main thread
                pass
