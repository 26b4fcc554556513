"""Notices and letters (公告、函, RULES.md §7 NTC-1..7) as .docx/.pdf, numbered in the ledger.

Headless API (ribbon dispatcher, demo): :func:`issue`; command line: ``logidesk notices``
(:mod:`addin.notices.cli`). Templates: the bundled ``addin/notices/templates/<kind>.docx``
with ``{{字段}}`` placeholders, or the administrator's folder (:mod:`addin.config`), or an
explicit ``--templates``. Crash safety of a batch: :mod:`addin.notices.staging`.

Names are imported on first use, so ``logidesk notices --list`` starts without pandas.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

_LAZY = {
    "issue": "addin.notices.batch", "IssuedNotice": "addin.notices.batch",
    "IssueBatch": "addin.notices.batch", "NoticeError": "addin.notices.batch",
    "DuplicateNoticeError": "addin.notices.batch", "Problem": "addin.notices.batch",
    "rmb_capitals": "addin.notices.capitals", "KINDS": "addin.notices.kinds",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(name)


def demo_step(out: Path) -> str:
    """``logidesk demo`` step: notices for the bundled sample register (see notices.demo)."""
    from addin.notices.demo import demo_step as step
    return step(out)


__all__ = ["issue", "IssuedNotice", "IssueBatch", "NoticeError", "DuplicateNoticeError",
           "Problem", "rmb_capitals", "KINDS", "demo_step"]
