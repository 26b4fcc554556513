"""Notices and letters (公告、函, RULES.md §7 NTC-1..7) as .docx/.pdf, numbered in the ledger.

Headless API (ribbon dispatcher, demo): :func:`issue`; command line: ``logidesk notices``
(:mod:`addin.notices.cli`). Templates: ``addin/notices/templates/<kind>.docx`` with
``{{字段}}`` placeholders (a company's own copies: settings 「模板目录」 or ``--templates``).
Crash safety of a batch: :mod:`addin.notices.staging`.
"""
from __future__ import annotations

from pathlib import Path

from addin.notices.batch import (DuplicateNoticeError, IssueBatch, IssuedNotice, NoticeError,
                                 Problem, issue)
from addin.notices.capitals import rmb_capitals
from addin.notices.kinds import KINDS


def demo_step(out: Path) -> str:
    """``logidesk demo`` step: notices for the bundled sample register (see notices.demo)."""
    from addin.notices.demo import demo_step as step
    return step(out)


__all__ = ["issue", "IssuedNotice", "IssueBatch", "NoticeError", "DuplicateNoticeError",
           "Problem", "rmb_capitals", "KINDS", "demo_step"]
