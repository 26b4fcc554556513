"""Lock files: how a command sees that a workbook is open in Excel, WPS or LibreOffice.

Excel and WPS put ``~$name`` beside an open workbook (long names lose their first two
characters: ``~$me.xlsx``), LibreOffice ``.~lock.name#``. Every command refuses to write a
file that is open (exit 3, :func:`cli.console.refuse_if_open`), and the headless writers
check the same files (:mod:`workbooks.outputs`).
"""
from __future__ import annotations

from pathlib import Path


def lock_files(path: Path) -> list[Path]:
    """The lock files Excel, WPS and LibreOffice put beside ``path`` while it is open."""
    name = path.name
    return [path.with_name("~$" + name), path.with_name("~$" + name[2:]), path.with_name(f".~lock.{name}#")]


def open_elsewhere(path: Path) -> Path | None:
    """The lock file showing that ``path`` is open in Excel, WPS or LibreOffice, if any."""
    for lock in lock_files(path):
        if lock.exists():
            return lock
    return None
