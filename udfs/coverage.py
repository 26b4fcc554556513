"""Early warning when the coming year's holidays are missing (DATE-5, DATE-6).

From 1 November (``WARN_FROM``), while the holiday data lacks the coming year, batch runs
and reminder checks (``logidesk process``, ``logidesk deadlines``, the ribbon's 检查时限, the
demo) say once: which year is missing, from which date each working-day deadline of the
deadline table stops working (computed with the working-day calendar itself, so it follows
the data), and the one command that fixes it. When the current year itself is missing,
every working-day deadline already fails and the warning says so, whatever the month.
"""
from __future__ import annotations

import datetime as dt
import sys
from typing import TextIO

from .errors import RuleError
from .rulebook import rulebook, rules_for, today as today_date

WARN_FROM = (11, 1)                                   # month, day (DATE-6: from 1 November)
FIX_COMMAND = "logidesk holidays import 通知.txt"
_printed: set[str] = set()


def _years_text(years: list[int]) -> str:
    return f"{years[0]}–{years[-1]}" if years else "无"


def stop_dates(today: dt.date) -> dict[dt.date, list[str]]:
    """For each day-based event of the deadline table in force today (and each of its
    scopes): the first start date, from today to the end of the covered years, whose
    deadline the engine refuses for want of the coming year's holidays — working-day
    limits, and legal periods extended past a rest day (DATE-7). Grouped by date."""
    from .deadlines import (  # lazy: numpy and pandas, 330 ms at start-up; needed from 1 November only
        TIMED_UNITS,
        deadline,
    )
    from .workcal import calendar  # lazy: numpy, 100 ms at start-up; needed from 1 November only
    cal = calendar()
    coming = f"{cal.last_year + 1}年"
    r = rules_for(today)
    first = max(today, dt.date(cal.last_year, 1, 1))
    days = [first + dt.timedelta(days=i) for i in range((dt.date(cal.last_year, 12, 31) - first).days + 1)]
    out: dict[dt.date, list[str]] = {}
    for name in r.deadlines.names:
        spec = r.deadlines[name]
        if spec.get("unit") in TIMED_UNITS:
            continue
        for scope in spec.get("scopes") or [None]:
            for day in days:
                try:
                    deadline(name, day, scope)
                except RuleError as e:
                    if e.rule == "DATE-5" and coming in str(e):
                        out.setdefault(day, []).append(f"{name}（{scope}）" if scope else name)
                        break
    return dict(sorted(out.items()))


def warning(today: dt.date | None = None) -> str | None:
    """The warning text for ``today`` (default: udfs.rulebook.today()), or None when the
    holiday data is complete enough or it is before 1 November."""
    today = today_date() if today is None else today
    if isinstance(today, dt.datetime):
        today = today.date()
    try:
        years = sorted(rulebook().holidays)
    except RuleError:
        return None                                    # the caller reports the load error itself
    if today.year not in years:
        if years and today.year < years[0]:
            return None
        return (f"【提醒】尚未收录 {today.year} 年的节假日安排（已收录 {_years_text(years)} 年），"
                f"所有按工作日计算的时限（如投诉处理、维修）现在都无法计算（DATE-5）。"
                f"请管理员取得《国务院办公厅关于{today.year}年部分节假日安排的通知》后运行：{FIX_COMMAND}")
    coming = today.year + 1
    if today < dt.date(today.year, *WARN_FROM) or coming in years:
        return None
    lines = [f"【提醒】尚未收录 {coming} 年的节假日安排（已收录 {_years_text(years)} 年）。"
             f"以下时限将无法计算（DATE-5）："]
    for day, names in stop_dates(today).items():
        when = "已无法计算" if day <= today else f"自 {day.isoformat()} 起"
        lines.append(f"  {when}：{'、'.join(names)}")
    lines.append(f"国务院办公厅发布《关于{coming}年部分节假日安排的通知》后，请管理员运行：{FIX_COMMAND}"
                 f"（写入公司规则文件，程序升级不受影响）")
    return "\n".join(lines)


def suffix(today: dt.date | None = None) -> str:
    """The warning as a paragraph to append to a message ("" when there is none)."""
    text = warning(today)
    return f"\n\n{text}" if text else ""


def print_once(today: dt.date | None = None, file: TextIO | None = None) -> str | None:
    """Print the warning (to stderr by default) the first time it is needed in this process."""
    text = warning(today)
    if text and text not in _printed:
        _printed.add(text)
        print(text, file=file or sys.stderr, flush=True)
    return text
