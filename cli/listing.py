"""Console listings of many items: the first few, then one line saying how many and where the rest are.

A command that can list thousands of rows (deadlines, report, notices, process) prints its
items through :func:`shown`: without ``--quiet`` the first :data:`CONSOLE_ITEMS` and
「共 N 件，仅显示前 K 件，详见 文件」; with ``--quiet`` none (the command prints its summary lines
and the problems that need a person); ``--show-all`` prints every item.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

CONSOLE_ITEMS = 20  # enough to see what kind of items there are; the workbook holds all of them
SHOW_ALL = "--show-all"
SHOW_ALL_HELP = f"在屏幕上列出全部条目（默认只列前 {CONSOLE_ITEMS} 条；-q 只输出合计与需要处理的问题）"


def limit(quiet: bool, everything: bool = False, problems: bool = False) -> int | None:
    """How many items the console shows: all with --show-all; under --quiet none, or the first
    CONSOLE_ITEMS when the items are problems that need a person; else CONSOLE_ITEMS."""
    if everything:
        return None
    return 0 if quiet and not problems else CONSOLE_ITEMS


def rest_line(total: int, shown_n: int, where: Path | str | None, what: str = "件",
              label: str = "", hint: str = f"加 {SHOW_ALL} 全部显示") -> str | None:
    """「共 N 件，仅显示前 K 件，详见 文件」 when items were left out, else None."""
    if shown_n >= total:
        return None
    head = f"{label}共 {total:,} {what}" + (f"，仅显示前 {shown_n:,} {what}" if shown_n else "")
    return f"{head}，详见 {where}" if where else f"{head}；{hint}"


def shown(items: Iterable[str], total: int, n: int | None, where: Path | str | None,
          what: str = "件", label: str = "", hint: str = f"加 {SHOW_ALL} 全部显示") -> Iterator[str]:
    """The first ``n`` items (all when ``n`` is None), then the rest line if any were left out."""
    count = 0
    for line in (items if n is None else islice(items, n)):
        count += 1
        yield line
    tail = rest_line(total, count, where, what, label, hint)
    if tail:
        yield tail
