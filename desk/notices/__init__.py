"""Notices and letters (公告、函, RULES.md §7 NTC-1..7) as .docx/.pdf, numbered in the ledger.

Headless API (ribbon dispatcher, demo): :func:`issue`; command line: ``logidesk notices``
(:mod:`desk.notices.cli`). Templates: the bundled ``desk/notices/templates/<kind>.docx``
with ``{{字段}}`` placeholders, or the administrator's folder (:mod:`cli.config`), or an
explicit ``--templates``. Crash safety of a batch: :mod:`desk.notices.staging`.

Names are imported on first use, so ``logidesk notices --list`` starts without pandas.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

_LAZY = {
    "issue": "desk.notices.batch", "IssuedNotice": "desk.notices.batch",
    "IssueBatch": "desk.notices.batch", "NoticeError": "desk.notices.batch",
    "DuplicateNoticeError": "desk.notices.batch", "Problem": "desk.notices.batch",
    "rmb_capitals": "desk.notices.capitals", "KINDS": "desk.notices.kinds",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(name)


def demo_step(out: Path) -> str:
    """``logidesk demo`` step: notices for the bundled sample register (see notices.demo)."""
    from desk.notices.demo import demo_step as step
    return step(out)


__all__ = ["issue", "IssuedNotice", "IssueBatch", "NoticeError", "DuplicateNoticeError",
           "Problem", "rmb_capitals", "KINDS", "demo_step"]
