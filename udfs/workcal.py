"""The Chinese working-day calendar (DATE-2, DATE-5) and month arithmetic (DATE-4).

Holiday data comes from the rules data file. A working-day computation that touches a year
the data does not cover is a RuleError naming the year, never a silent guess (DATE-5).
Every operation works on numpy datetime64[D] arrays; the scalar helpers call them.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np

from .errors import RuleError
from .rulebook import Rulebook, rulebook

DAY = np.timedelta64(1, "D")


def missing_year_error(year: int, holidays: dict[int, dict] | None = None) -> RuleError:
    """DATE-5/DATE-6: the error naming the first year the computation needs that the
    holiday data lacks."""
    years = sorted(rulebook().holidays if holidays is None else holidays)
    have = f"{years[0]}–{years[-1]}" if years else "无"
    return RuleError(f"{year}年的节假日安排尚未收录（已收录 {have} 年），无法计算工作日；"
                     f"请管理员在规则数据中补充 {year} 年放假安排", "DATE-5")


class WorkCalendar:
    """Working days over the contiguous span of years the holiday data covers."""

    def __init__(self, holidays: dict[int, dict]) -> None:
        self.holidays = holidays
        years = sorted(holidays)
        if years != list(range(years[0], years[-1] + 1)):
            raise ValueError("holiday years must be contiguous")
        self.first_year, self.last_year = years[0], years[-1]
        self.origin = np.datetime64(f"{self.first_year}-01-01", "D")
        end = np.datetime64(f"{self.last_year + 1}-01-01", "D")
        days = np.arange(self.origin, end, DAY)
        weekday = (days.astype(np.int64) + 3) % 7          # 1970-01-01 was a Thursday (3)
        work = weekday < 5
        self.names: dict[dt.date, str] = {}
        for year in years:
            for span in holidays[year].get("off", []):
                a = np.datetime64(span["from"], "D")
                b = np.datetime64(span["to"], "D")
                work[(days >= a) & (days <= b)] = False
                d = span["from"]
                while d <= span["to"]:
                    self.names[d] = span["name"]
                    d += dt.timedelta(days=1)
            for day in holidays[year].get("work", []):
                work[days == np.datetime64(day, "D")] = True
        self.work = work
        self.cum = np.cumsum(work)                          # working days up to and incl. i

    def _index(self, days: np.ndarray) -> np.ndarray:
        return (days - self.origin).astype(np.int64)

    def _check(self, idx: np.ndarray) -> None:
        """A day outside the covered years: the error names that day's own year (DATE-6:
        IS_WORKDAY(2099-01-05) names 2099, not the first year after the data)."""
        bad = (idx < 0) | (idx >= len(self.work))
        if bad.any():
            day = self.origin + np.asarray(idx[bad][:1], dtype=np.int64).astype("timedelta64[D]")
            raise missing_year_error(int(day.astype("datetime64[Y]").astype(np.int64)[0]) + 1970,
                                     self.holidays)

    def rest_day_extension(self, days: np.ndarray) -> np.ndarray:
        """DATE-7 (民法典 art. 203): each day, or the next working day when it is a rest day
        (weekend or holiday; make-up working days are working days)."""
        idx = self._index(days)
        self._check(idx)
        rest = ~self.work[idx]
        out = days.copy()
        if rest.any():
            out[rest] = self.add(days[rest], np.ones(int(rest.sum()), dtype=np.int64))
        return out

    def is_workday(self, days: np.ndarray) -> np.ndarray:
        idx = self._index(days)
        self._check(idx)
        return self.work[idx]

    def add(self, days: np.ndarray, n: np.ndarray) -> np.ndarray:
        """The n-th working day after each day (n < 0: before; n == 0: the day itself)."""
        idx = self._index(days)
        self._check(idx)
        n = np.broadcast_to(np.asarray(n, dtype=np.int64), idx.shape)
        before = self.cum[idx] - self.work[idx]              # working days strictly before
        target = np.where(n > 0, self.cum[idx] + n, before + n + 1)
        out = np.searchsorted(self.cum, target, side="left")
        out = np.where(n == 0, idx, out)
        if ((target < 1) & (n < 0)).any():
            raise missing_year_error(self.first_year - 1, self.holidays)
        if (out >= len(self.work)).any():               # ran off the end of the data
            raise missing_year_error(self.last_year + 1, self.holidays)
        return self.origin + out.astype("timedelta64[D]")

    def bad_rows(self, days: np.ndarray, n: np.ndarray) -> np.ndarray:
        """Rows whose working-day addition would leave the covered years (for column paths)."""
        idx = self._index(days)
        inside = (idx >= 0) & (idx < len(self.work))
        safe = np.where(inside, idx, 0)
        n = np.broadcast_to(np.asarray(n, dtype=np.int64), idx.shape)
        before: np.ndarray = self.cum[safe] - self.work[safe]
        target = np.where(n > 0, self.cum[safe] + n, before + n + 1)
        out = np.searchsorted(self.cum, target, side="left")
        return ~inside | (out >= len(self.work)) | ((n < 0) & (target < 1))


@lru_cache(maxsize=4)
def _calendar_of(book: Rulebook) -> WorkCalendar:
    return WorkCalendar(book.holidays)


def calendar() -> WorkCalendar:
    """The working-day calendar of the rules data in use (rebuilt after rulebook.reload(),
    which therefore needs no import of this module: no import cycle)."""
    return _calendar_of(rulebook())




def add_months(days: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Same calendar day n months later, or that month's last day (DATE-4)."""
    days = np.asarray(days, dtype="datetime64[D]")
    months = days.astype("datetime64[M]")
    day_of_month = (days - months).astype(np.int64)          # 0-based
    target = months + np.asarray(n, dtype=np.int64).astype("timedelta64[M]")
    last = ((target + np.timedelta64(1, "M")).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(np.int64)
    return target.astype("datetime64[D]") + np.minimum(day_of_month, last - 1).astype("timedelta64[D]")


def month_end_after(days: np.ndarray, n: int = 1) -> np.ndarray:
    """The last day of the n-th following month (INV-1: 次月31日 = next month's last day)."""
    months = np.asarray(days, dtype="datetime64[D]").astype("datetime64[M]")
    return (months + np.timedelta64(n + 1, "M")).astype("datetime64[D]") - DAY

