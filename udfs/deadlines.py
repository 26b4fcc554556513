"""Deadlines (DL-1..7, CPL-1, INV-1, COD-2, RPR-1, LAW-3/4) on the calendar of DATE-1..5.

DATE-1: a period of N days from day X ends on X+N. Working days skip official holidays and
count 调休 weekends (DATE-2). Months end on the same day or the month's last day (DATE-4).
Hour and minute limits are datetimes (DATE-3).
"""
from __future__ import annotations

import datetime as dt
import os
from typing import Any

import numpy as np
import pandas as pd

from . import colparse, values
from .errors import RuleError
from .rulebook import Rules, rulebook, rules_for, today as today_date
from .workcal import add_months, calendar, month_end_after

TIMED_UNITS = {"hours", "minutes"}


def _spec(r: Rules, event: Any, scope: Any) -> tuple[str, dict, int]:
    if values.is_blank(event):
        raise RuleError("缺少时限事件", "DL-1")
    name = r.deadlines.resolve(event)
    spec = r.deadlines[name]
    scopes = spec.get("scopes")
    if scopes:
        key = spec["default_scope"] if values.is_blank(scope) else str(scope).strip()
        if key not in scopes:
            raise RuleError(f"「{name}」的范围应为：{'、'.join(scopes)}，收到「{key}」", spec["rule"])
        return name, spec, int(scopes[key])
    return name, spec, int(spec["n"])   # a scope given to an event without scopes is ignored


def is_timed(event: Any) -> bool:
    """True when the event's limit is in hours or minutes (the result is a datetime)."""
    r = rules_for(None)
    return r.deadlines[r.deadlines.resolve(event)]["unit"] in TIMED_UNITS


def _due_days(unit: str, start: np.ndarray, n: int | np.ndarray) -> np.ndarray:
    if unit == "days":
        return start + np.asarray(n).astype("timedelta64[D]")
    if unit == "workdays":
        return calendar().add(start, np.asarray(n))
    if unit == "months":
        return add_months(start, np.asarray(n))
    if unit == "next_month_end":
        return month_end_after(start, int(n))
    raise ValueError(unit)


def deadline(event_name: Any, start: Any, scope: Any = None) -> dt.date | dt.datetime:
    """The deadline of event ``event_name`` counted from ``start`` (date, or datetime for
    hour limits). (Not called ``event``: Event is a reserved word in VBA.)"""
    probe = values.when(start, "起算日期", "DL-1", keep_time=True)
    r = rules_for(probe.date())
    name, spec, n = _spec(r, event_name, scope)
    unit = spec["unit"]
    if unit == "hours":
        return probe + dt.timedelta(hours=n)
    if unit == "minutes":
        return probe + dt.timedelta(minutes=n)
    day = np.array([probe.date()], "datetime64[D]")
    due = _due_days(unit, day, n)
    if not spec.get("extend_rest_day"):
        return due[0].item()
    try:
        return calendar().rest_day_extension(due)[0].item()
    except RuleError as e:
        if e.rule != "DATE-5":
            raise
        raise nominal_day_error(name, due[0].item()) from None


def nominal_day_error(name: str, last: dt.date) -> RuleError:
    """DATE-8: a legal period (DATE-7) whose nominal last day falls in a year without
    holiday data: the DATE-5 error, giving that nominal last day."""
    years = sorted(rulebook().holidays)
    have = f"{years[0]}–{years[-1]}" if years else "无"
    return RuleError(f"{name}：名义最后一日 {last.isoformat()}，如遇休息日顺延；{last.year} 年放假安排"
                     f"尚未收录（已收录 {have} 年），无法确定顺延后的最后一日；"
                     f"请管理员在规则数据中补充 {last.year} 年放假安排", "DATE-5")


def deadline_fast(event_name: pd.Series, start: pd.Series, scope: pd.Series):
    """Column form: one vectorised pass per distinct (event, scope) pair."""
    starts, sblank, ok = colparse.datetimes(start)
    ok = ok & ~sblank
    out = np.full(len(starts), np.datetime64("NaT"), dtype="datetime64[s]")
    if not ok.any():
        return out, ok
    r = rules_for(pd.Timestamp(starts[ok].min()).date())
    if r is not rules_for(pd.Timestamp(starts[ok].max()).date()):
        ok &= starts >= np.datetime64(rules_for(pd.Timestamp(starts[ok].max()).date()).effective_from)
        r = rules_for(pd.Timestamp(starts[ok].max()).date())
    keys = pd.DataFrame({"e": event_name.to_numpy(dtype=object), "s": scope.to_numpy(dtype=object)})
    groups = keys.groupby(["e", "s"], dropna=False, sort=False).indices
    for (e, sc), rows in groups.items():
        rows = rows[ok[rows]]
        if not len(rows):
            continue
        try:
            _, spec, n = _spec(r, e, sc)
        except RuleError:
            ok[rows] = False
            continue
        unit = spec["unit"]
        if unit in TIMED_UNITS:
            step = np.timedelta64(n, "h" if unit == "hours" else "m").astype("timedelta64[s]")
            out[rows] = starts[rows] + step
            continue
        days = starts[rows].astype("datetime64[D]")
        if unit == "workdays":
            bad = calendar().bad_rows(days, np.full(len(rows), n))
            ok[rows[bad]] = False
            rows, days = rows[~bad], days[~bad]
        due = _due_days(unit, days, n)
        if spec.get("extend_rest_day"):      # DATE-7; rows beyond the holiday data: per cell
            bad = calendar().bad_rows(due, np.ones(len(rows), np.int64))
            ok[rows[bad]] = False
            rows, due = rows[~bad], calendar().rest_day_extension(due[~bad])
        out[rows] = due.astype("datetime64[s]")
    return out, ok


def status_text(due: dt.date, done: dt.date | None, today: dt.date) -> str:
    """剩余N天 / 今日到期 / 已逾期N天 / 按时完成 / 逾期N天完成."""
    if done is not None:
        late = (done - due).days
        return "按时完成" if late <= 0 else f"逾期{late}天完成"
    left = (due - today).days
    if left > 0:
        return f"剩余{left}天"
    if left == 0:
        return "今日到期"
    return f"已逾期{-left}天"


def duration_text(span: dt.timedelta) -> str:
    """A positive span in hours and minutes, a started minute counting whole (DATE-3):
    5小时 / 2小时30分钟 / 30分钟."""
    minutes = -(-int(span.total_seconds()) // 60)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return f"{hours}小时{minutes}分钟"
    return f"{hours}小时" if hours else f"{minutes}分钟"


def timed_status_text(due: dt.datetime, done: dt.datetime | None, now: dt.datetime) -> str:
    """DATE-3: hour and minute limits compare datetimes: 按时完成 / 逾期5小时完成 /
    剩余3小时 / 已到期 / 已逾期2小时."""
    if done is not None:
        return "按时完成" if done <= due else f"逾期{duration_text(done - due)}完成"
    if now < due:
        return f"剩余{duration_text(due - now)}"
    if now == due:
        return "已到期"
    return f"已逾期{duration_text(now - due)}"


def now() -> dt.datetime:
    """The current moment; with ``LOGIDESK_TODAY`` fixed, the start of that day."""
    if os.environ.get("LOGIDESK_TODAY"):
        return dt.datetime.combine(today_date(), dt.time())
    return dt.datetime.now().replace(microsecond=0)


def deadline_status(event_name: Any, start: Any, done: Any = None, today: Any = None,
                    scope: Any = None) -> str:
    """时限状态 of an event: compares its deadline with the done date, or with today.
    Hour and minute limits compare datetimes and answer in hours (DATE-3); a done or today
    value without a time of day counts from 00:00 of that day."""
    due = deadline(event_name, start, scope)
    if isinstance(due, dt.datetime):
        begin_t = values.when(start, "起算日期", "DL-1", keep_time=True)
        done_t = values.when(done, "完成日期", "DL-1", required=False, keep_time=True)
        if done_t is not None and done_t < begin_t:
            raise RuleError(f"完成时间 {done_t.isoformat(sep=' ')} 早于起算时间 "
                            f"{begin_t.isoformat(sep=' ')}", "DATE-3")
        now_t = values.when(today, "今天", "DL-1", required=False, keep_time=True)
        return timed_status_text(due, done_t, now_t or now())
    begin = values.when(start, "起算日期", "DL-1")
    finished = values.when(done, "完成日期", "DL-1", required=False)
    if finished is not None and finished < begin:
        raise RuleError(f"完成日期 {finished.isoformat()} 早于起算日期 {begin.isoformat()}", "DL-1")
    current = values.when(today, "今天", "DL-1", required=False)
    return status_text(due, finished, current or today_date())


def workdays_add(start: Any, n: Any) -> dt.date:
    """The n-th working day after ``start`` (before it when n < 0) (DATE-2)."""
    day = values.when(start, "起始日期", "DATE-2")
    count = values.integer(n, "工作日数", "DATE-2", minimum=-100000, required=True)
    return calendar().add(np.array([day], "datetime64[D]"), np.array([count]))[0].item()


def is_workday(day: Any) -> bool:
    """TRUE on a working day of the official calendar, 调休 weekends included (DATE-2)."""
    day = values.when(day, "日期", "DATE-2")
    return bool(calendar().is_workday(np.array([day], "datetime64[D]"))[0])


def deadline_status_fast(event_name, start, done, today, scope):
    """Column form of deadline_status over the vectorised deadline."""
    due, ok = deadline_fast(event_name, start, scope)
    r = rules_for(None)

    def timed(u: Any) -> Any:
        name = r.deadlines.find(u) if isinstance(u, str) else None
        return None if name is None else r.deadlines[name]["unit"] in TIMED_UNITS
    is_timed_row, _, known = colparse.codes(event_name, timed)
    ok = ok & known & (is_timed_row != True)  # noqa: E712 - hour limits (DATE-3): per cell
    begin, _, _ = colparse.dates(start)
    finished, fblank, ok2 = colparse.dates(done)
    now, nblank, ok3 = colparse.dates(today)
    now = np.where(nblank, np.datetime64(today_date(), "D"), now)
    ok = ok & ok2 & ok3
    with np.errstate(invalid="ignore"):
        ok &= fblank | (finished >= begin)
    due_day = due.astype("datetime64[D]")
    late = (np.where(fblank, due_day, finished) - due_day).astype(np.int64)
    left = (due_day - now).astype(np.int64)
    text = np.where(~fblank,
                    np.where(late <= 0, "按时完成", "逾期" + late.astype(str) + "天完成"),
                    np.where(left > 0, "剩余" + left.astype(str) + "天",
                             np.where(left == 0, "今日到期", "已逾期" + (-left).astype(str) + "天")))
    return text.astype(object), ok
