"""Dates: DEADLINE for every event (DL-*, CPL-1, INV-1, COD-2, RPR-1, LAW-3/4),
DEADLINE_STATUS, WORKDAYS_ADD, IS_WORKDAY (DATE-1..5).

Weekdays used below (worked out by hand; 2026-01-01 is a Thursday):
  2026-02-01 Sun, 2026-03-01 Sun, 2026-04-01 Wed, 2026-05-01 Fri, 2026-09-01 Tue,
  2026-10-01 Thu. So 2026-03-02 Mon, 2026-02-13 Fri, 2026-02-14 Sat, 2026-09-18 Fri,
  2026-09-20 Sun, 2026-10-10 Sat, 2025-12-31 Wed.
2026 official schedule (国务院办公厅, 2025-11): off 01-01..03, 02-15..23, 04-04..06, 05-01..05,
06-19..21, 09-25..27, 10-01..07; make-up working days 01-04 (Sun), 02-14 (Sat), 02-28 (Sat),
05-09 (Sat), 09-20 (Sun), 10-10 (Sat).
"""
from __future__ import annotations

import datetime as dt

import chinese_calendar
import numpy as np
import pytest

import udfs
from udfs import RuleError

d = dt.date
T = dt.datetime
MON = d(2026, 3, 2)   # a plain Monday; no holiday in March 2026


# ----------------------------------------------------------------- DEADLINE, every event

@pytest.mark.parametrize("event, scope, expected", [
    ("索赔处理", None, d(2026, 4, 1)),       # DL-2 domestic 30 days: 03-02 + 30 (March has 31) = 04-01
    ("索赔处理", "国内", d(2026, 4, 1)),
    ("索赔处理", "港澳台", d(2026, 4, 1)),   # 30
    ("索赔处理", "国际", d(2026, 5, 1)),     # 60: 03-02 +30 → 04-01, +30 → 05-01
    ("赔款支付", None, d(2026, 3, 9)),       # DL-3 7 calendar days
    ("破损公告", None, d(2026, 3, 7)),       # DL-5 5 days
    ("遗失公告", None, d(2026, 3, 7)),       # DL-5 5 days
    ("延误公告", None, d(2026, 3, 5)),       # DL-5 3 days
    ("破损仲裁", None, d(2026, 3, 12)),      # DL-6 10 days
    ("遗失仲裁", None, d(2026, 4, 1)),       # DL-6 30 days
    ("客户资料", None, d(2026, 3, 5)),       # DL-7 3 days
    ("部门回复", None, d(2026, 3, 5)),       # DL-7 3 days
    ("保险单据", None, d(2026, 3, 3)),       # DL-7 1 day
    ("协商期限", None, d(2026, 3, 16)),      # DL-7 2 weeks = 14 days
    ("理赔报告", None, d(2026, 3, 3)),       # DL-7 1 day after agreement
    ("财务付款", None, d(2026, 3, 9)),       # DL-7 7 days
    ("内部理赔", None, d(2026, 4, 2)),       # DL-7 uninsured 1 month
    ("内部理赔", "未保价", d(2026, 4, 2)),
    ("内部理赔", "保价", d(2026, 5, 2)),     # insured 2 months
    ("投诉服务态度", None, d(2026, 3, 3)),   # CPL-1 1 working day: Tue
    ("投诉延误", None, d(2026, 3, 5)),       # CPL-1 3 working days: Tue, Wed, Thu
    ("投诉损毁", None, d(2026, 3, 9)),       # CPL-1 5 working days: Tue..Fri (4), Mon 03-09 (5)
    ("投诉法定答复", None, d(2026, 3, 9)),   # LAW-3 7 calendar days
    ("开票", None, d(2026, 4, 30)),          # INV-1 last day of the next month (April)
    ("代收货款提取", None, d(2026, 6, 2)),   # COD-2 3 months
    ("维修单台", None, d(2026, 3, 5)),       # RPR-1 3 working days
    ("维修三台", None, d(2026, 3, 11)),      # RPR-1 7: 3,4,5,6,9,10,11
    ("维修批量", None, d(2026, 3, 23)),      # RPR-1 15: 3,4,5,6,9,10,11,12,13,16,17,18,19,20,23
    ("维修报价", None, d(2026, 3, 4)),       # RPR-1 2 working days
])
def test_deadline_day_events_from_a_monday(event, scope, expected):
    got = udfs.deadline(event, MON, scope)
    assert type(got) is dt.date and got == expected


@pytest.mark.parametrize("event, start, expected", [
    ("索赔受理", T(2026, 3, 2, 10, 30), T(2026, 3, 3, 10, 30)),   # DL-1 24 hours (DATE-3)
    ("索赔受理", MON, T(2026, 3, 3, 0, 0)),                        # a date starts at 00:00
    ("索赔受理", T(2026, 2, 28, 9, 15), T(2026, 3, 1, 9, 15)),    # over a month end
    ("查询答复", T(2026, 3, 2, 10, 30), T(2026, 3, 2, 11, 0)),    # DL-4 30 minutes
    ("查询答复", T(2026, 12, 31, 23, 45), T(2027, 1, 1, 0, 15)),  # over a year end
])
def test_deadline_timed_events_are_datetimes(event, start, expected):
    got = udfs.deadline(event, start)
    assert type(got) is dt.datetime and got == expected
    assert udfs.is_timed(event) is True


def test_day_event_with_datetime_start_is_a_date():
    # DATE-1: the start day is not counted; the time of day does not matter: 03-02 + 7 = 03-09
    got = udfs.deadline("赔款支付", T(2026, 3, 2, 23, 59))
    assert type(got) is dt.date and got == d(2026, 3, 9)
    assert udfs.is_timed("赔款支付") is False


def test_deadline_accepts_date_text():
    assert udfs.deadline("赔款支付", "2026-03-02") == d(2026, 3, 9)
    assert udfs.deadline("赔款支付", "2026年3月2日") == d(2026, 3, 9)
    assert udfs.deadline("索赔受理", "2026-03-02 10:30") == T(2026, 3, 3, 10, 30)   # 24 h


def test_calendar_day_deadlines_before_the_first_rules_version():
    # no older rules data: the first version applies; calendar days need no holiday data
    assert udfs.deadline("赔款支付", d(2022, 12, 28)) == d(2023, 1, 4)    # 28 + 7 → 01-04
    assert udfs.deadline("开票", d(2023, 1, 10)) == d(2023, 2, 28)        # INV-1
    # 2023 (2023-10-01 a Sunday): off 09-29..10-06, 10-07 (Sat) and 10-08 (Sun) work:
    # from Thu 09-28: 10-07 (1), 10-08 (2), 10-09 Mon (3)
    assert udfs.deadline("投诉延误", d(2023, 9, 28)) == d(2023, 10, 9)


# ----------------------------------------------------------------- working-day deadlines over holidays

@pytest.mark.parametrize("event, start, expected", [
    # Spring Festival 2026: off 02-15..02-23, 02-14 (Sat) and 02-28 (Sat) are working days
    ("投诉服务态度", d(2026, 2, 13), d(2026, 2, 14)),  # Fri → the 调休 Saturday
    ("投诉延误", d(2026, 2, 13), d(2026, 2, 25)),      # 02-14 (1), holiday, 02-24 Tue (2), 02-25 (3)
    ("投诉损毁", d(2026, 2, 13), d(2026, 2, 27)),      # 14, 24, 25, 26, 27
    ("投诉损毁", d(2026, 2, 14), d(2026, 2, 28)),      # 24, 25, 26, 27, 28 (Sat 调休)
    ("投诉服务态度", d(2026, 2, 15), d(2026, 2, 24)),  # started on a holiday
    # Mid-Autumn + National Day 2026: off 09-25..27 and 10-01..07; 09-20 (Sun), 10-10 (Sat) work
    ("投诉延误", d(2026, 9, 30), d(2026, 10, 10)),     # 10-08 (1), 10-09 (2), 10-10 Sat (3)
    ("投诉服务态度", d(2026, 9, 19), d(2026, 9, 20)),  # Sat → Sun 调休
    ("维修批量", d(2026, 9, 18), d(2026, 10, 15)),
    # 15 working days from Fri 09-18: 20(1) 21 22 23 24(5) [25-27 off] 28 29 30(8)
    # [10-01..07 off] 10-08(9) 09(10) 10 Sat(11) 12(12) 13 14 15(15)
    # Qingming 2026 off 04-04..06 (Sat..Mon)
    ("维修报价", d(2026, 4, 3), d(2026, 4, 8)),        # Fri → Tue 04-07 (1), Wed 04-08 (2)
    # Labour Day 2026 off 05-01..05, 05-09 (Sat) works
    ("维修三台", d(2026, 4, 30), d(2026, 5, 13)),      # 6,7,8,9(Sat),11,12,13
    # New Year 2026 off 01-01..03, 01-04 (Sun) works
    ("维修单台", d(2025, 12, 31), d(2026, 1, 6)),      # 01-04 (1), 01-05 (2), 01-06 (3)
])
def test_working_day_deadlines_follow_the_official_calendar(event, start, expected):
    assert udfs.deadline(event, start) == expected


# ----------------------------------------------------------------- month ends and leap days (DATE-4, INV-1)

@pytest.mark.parametrize("event, start, scope, expected", [
    ("代收货款提取", d(2026, 11, 30), None, d(2027, 2, 28)),   # DATE-4 example: +3 months, Feb has 28
    ("代收货款提取", d(2027, 11, 30), None, d(2028, 2, 29)),   # 2028 is a leap year
    ("代收货款提取", d(2026, 3, 31), None, d(2026, 6, 30)),    # June has 30 days
    ("内部理赔", d(2026, 1, 31), None, d(2026, 2, 28)),        # +1 month
    ("内部理赔", d(2026, 1, 31), "保价", d(2026, 3, 31)),      # +2 months
    ("内部理赔", d(2026, 3, 31), None, d(2026, 4, 30)),
    ("内部理赔", d(2027, 12, 31), "保价", d(2028, 2, 29)),
    ("索赔时效", d(2025, 2, 28), None, d(2026, 2, 28)),
    ("索赔时效", d(2024, 2, 28), None, d(2025, 2, 28)),        # Friday: not extended
    ("开票", d(2026, 1, 15), None, d(2026, 2, 28)),            # INV-1: last day of next month
    ("开票", d(2026, 1, 31), None, d(2026, 2, 28)),
    ("开票", d(2026, 12, 5), None, d(2027, 1, 31)),            # over the year end
    ("开票", d(2027, 12, 31), None, d(2028, 1, 31)),
    ("开票", d(2028, 1, 10), None, d(2028, 2, 29)),
    ("开票", d(2024, 3, 15), None, d(2024, 4, 30)),
    ("索赔处理", d(2026, 12, 15), None, d(2027, 1, 14)),       # calendar days need no holiday data
    ("赔款支付", d(2027, 2, 25), None, d(2027, 3, 4)),         # 2027 has 28 Feb days: 25+7 → 03-04
])
def test_month_ends_and_leap_days(event, start, scope, expected):
    assert udfs.deadline(event, start, scope) == expected


@pytest.mark.parametrize("event, expected", [
    ("索赔时效", d(2025, 2, 28)),    # DATE-4: 2024-02-29 + 12 months → 2025-02-28
])
def test_leap_day_2024_plus_months(event, expected):
    assert udfs.deadline(event, d(2024, 2, 29)) == expected


# ----------------------------------------------------------------- DEADLINE_STATUS

# 赔款支付 from 2026-03-02 is due 2026-03-09 (DL-3, 7 days)
@pytest.mark.parametrize("done, today, expected", [
    (None, d(2026, 3, 6), "剩余3天"),       # 9 − 6
    (None, d(2026, 3, 8), "剩余1天"),
    (None, d(2026, 3, 9), "今日到期"),
    (None, d(2026, 3, 10), "已逾期1天"),
    (None, d(2026, 3, 12), "已逾期3天"),    # 12 − 9
    (d(2026, 3, 5), d(2026, 3, 20), "按时完成"),
    (d(2026, 3, 9), None, "按时完成"),      # done on the due day
    (d(2026, 3, 10), None, "逾期1天完成"),
    (d(2026, 3, 2), None, "按时完成"),      # done on the start day
])
def test_deadline_status(done, today, expected):
    assert udfs.deadline_status("赔款支付", MON, done, today) == expected


def test_deadline_status_with_scope_and_timed_event():
    # 索赔处理 国际 from 03-02 due 05-01 (60 days); on 04-01 there are 30 days left
    assert udfs.deadline_status("索赔处理", MON, None, d(2026, 4, 1), "国际") == "剩余30天"
    # 索赔受理 from 03-02 10:00 is due 03-03 10:00 (DATE-3): a today without a time of day
    # counts from 00:00, so 10 hours are left
    assert udfs.deadline_status("索赔受理", T(2026, 3, 2, 10), None, d(2026, 3, 3)) == "剩余10小时"
    # working days: 投诉延误 from Fri 2026-02-13 due 02-25; on 02-20 that is 5 calendar days away
    assert udfs.deadline_status("投诉延误", d(2026, 2, 13), None, d(2026, 2, 20)) == "剩余5天"


def test_deadline_status_defaults_to_today(monkeypatch):
    monkeypatch.setenv("LOGIDESK_TODAY", "2026-03-06")
    assert udfs.deadline_status("赔款支付", MON) == "剩余3天"   # due 03-09, today 03-06


# ----------------------------------------------------------------- WORKDAYS_ADD

@pytest.mark.parametrize("start, n, expected", [
    (MON, 1, d(2026, 3, 3)),
    (MON, 5, d(2026, 3, 9)),                 # Tue..Fri + Mon
    (MON, 0, MON),                           # 0 = the day itself
    (d(2026, 3, 6), 1, d(2026, 3, 9)),       # Fri → Mon
    (d(2026, 3, 7), 1, d(2026, 3, 9)),       # Sat → Mon
    (d(2026, 2, 13), 1, d(2026, 2, 14)),     # Fri → Sat 调休
    (d(2026, 2, 14), 1, d(2026, 2, 24)),     # over the Spring Festival 02-15..23
    (d(2026, 2, 24), -1, d(2026, 2, 14)),    # backwards over it
    (d(2026, 2, 27), 1, d(2026, 2, 28)),     # Sat 02-28 is a working day
    (d(2026, 2, 28), 1, d(2026, 3, 2)),
    (d(2026, 10, 8), -1, d(2026, 9, 30)),    # backwards over National Day
    (d(2026, 10, 12), -1, d(2026, 10, 10)),  # Sat 10-10 is a working day
    (d(2026, 9, 30), 1, d(2026, 10, 8)),
    (d(2026, 1, 2), 1, d(2026, 1, 4)),       # from a holiday to Sun 01-04 调休
    (d(2025, 12, 31), 1, d(2026, 1, 4)),
    (d(2026, 5, 8), 1, d(2026, 5, 9)),       # Fri → Sat 05-09 调休
    (d(2026, 5, 9), 1, d(2026, 5, 11)),      # Sun 05-10 is off
    (d(2026, 4, 30), 1, d(2026, 5, 6)),      # Labour Day 05-01..05
    (d(2026, 3, 9), -5, MON),
    (d(2026, 3, 2), 20.0, d(2026, 3, 30)),   # float from Excel; 20 working days = 4 full weeks
])
def test_workdays_add(start, n, expected):
    got = udfs.workdays_add(start, n)
    assert type(got) is dt.date and got == expected


# ----------------------------------------------------------------- IS_WORKDAY

ADJUSTED_WORK_WEEKENDS_2026 = [d(2026, 1, 4), d(2026, 2, 14), d(2026, 2, 28), d(2026, 5, 9),
                               d(2026, 9, 20), d(2026, 10, 10)]


@pytest.mark.parametrize("day", ADJUSTED_WORK_WEEKENDS_2026)
def test_tiaoxiu_weekends_2026_are_workdays(day):
    assert day.weekday() >= 5                 # really a Saturday or Sunday
    assert udfs.is_workday(day) is True


@pytest.mark.parametrize("day", [d(2025, 1, 26), d(2025, 2, 8), d(2025, 4, 27), d(2025, 9, 28),
                                 d(2025, 10, 11), d(2024, 2, 4), d(2024, 2, 18), d(2024, 10, 12),
                                 d(2023, 1, 28), d(2023, 10, 8)])
def test_tiaoxiu_weekends_other_years(day):
    assert day.weekday() >= 5 and udfs.is_workday(day) is True


def _span(a: dt.date, b: dt.date) -> list[dt.date]:
    return [a + dt.timedelta(days=i) for i in range((b - a).days + 1)]


@pytest.mark.parametrize("day", _span(d(2026, 2, 15), d(2026, 2, 23)) + _span(d(2026, 10, 1), d(2026, 10, 7))
                         + _span(d(2026, 1, 1), d(2026, 1, 3)) + _span(d(2026, 5, 1), d(2026, 5, 5))
                         + _span(d(2026, 9, 25), d(2026, 9, 27)) + _span(d(2026, 6, 19), d(2026, 6, 21))
                         + _span(d(2026, 4, 4), d(2026, 4, 6)))
def test_holidays_2026_are_not_workdays(day):
    assert udfs.is_workday(day) is False


@pytest.mark.parametrize("day, expected", [
    (d(2026, 2, 24), True),    # first day back after Spring Festival (Tue)
    (d(2026, 10, 8), True),    # first day back after National Day (Thu)
    (d(2026, 3, 7), False),    # plain Saturday
    (d(2026, 3, 8), False),    # plain Sunday
    (MON, True),
    (T(2026, 2, 14, 9, 0), True),   # datetime: the date counts
    ("2026-10-10", True),
])
def test_is_workday_plain_days(day, expected):
    assert udfs.is_workday(day) is expected


def test_holiday_data_matches_chinese_calendar_2023_to_2026():
    """Every day of 2023–2026 against the chinese_calendar package (official schedules)."""
    wrong = [day for day in _span(d(2023, 1, 1), d(2026, 12, 31))
             if udfs.is_workday(day) != chinese_calendar.is_workday(day)]
    assert wrong == []


# ----------------------------------------------------------------- DATE-5: a year without holiday data

def _date5(exc: RuleError, year: int) -> None:
    assert exc.rule == "DATE-5"
    assert f"{year}年的节假日安排尚未收录" in str(exc)
    assert "（DATE-5）" in str(exc)


@pytest.mark.parametrize("call, year", [
    (lambda: udfs.is_workday(d(2027, 1, 4)), 2027),
    (lambda: udfs.is_workday(d(2022, 12, 30)), 2022),
    (lambda: udfs.workdays_add(d(2027, 3, 1), 1), 2027),
    (lambda: udfs.workdays_add(d(2026, 12, 30), 3), 2027),     # 12-31 (1), then 2027
    (lambda: udfs.workdays_add(d(2023, 1, 3), -5), 2022),      # back into 2022
    (lambda: udfs.deadline("投诉延误", d(2026, 12, 30)), 2027),
    (lambda: udfs.deadline("投诉服务态度", d(2026, 12, 31)), 2027),
    (lambda: udfs.deadline("维修单台", d(2027, 1, 4)), 2027),
    (lambda: udfs.deadline("维修批量", d(2026, 12, 20)), 2027),
    (lambda: udfs.deadline_status("投诉损毁", d(2026, 12, 28), None, d(2026, 12, 29)), 2027),
])
def test_missing_holiday_year_is_an_error_naming_it(call, year):
    with pytest.raises(RuleError) as info:
        call()
    _date5(info.value, year)


def test_deadline_in_2022_names_the_missing_year():
    with pytest.raises(RuleError) as info:
        udfs.deadline("投诉延误", d(2022, 12, 28))
    _date5(info.value, 2022)


def test_workdays_within_covered_years_do_not_error_at_the_edges():
    assert udfs.workdays_add(d(2026, 12, 30), 1) == d(2026, 12, 31)   # Wed → Thu
    assert udfs.workdays_add(d(2023, 1, 4), -1) == d(2023, 1, 3)      # 2023-01-01..02 off


# ----------------------------------------------------------------- DATE-3 hour limits

@pytest.mark.parametrize("done, today, expected", [
    # 索赔受理 (DL-1, 24 h) from 2026-03-01 10:00 is due 2026-03-02 10:00
    (T(2026, 3, 2, 15), None, "逾期5小时完成"),          # issue 8: was 按时完成
    (T(2026, 3, 2, 10), None, "按时完成"),              # exactly at the limit
    (T(2026, 3, 2, 10, 0, 1), None, "逾期1分钟完成"),    # a started minute counts
    (T(2026, 3, 2, 11, 30), None, "逾期1小时30分钟完成"),
    (T(2026, 3, 1, 18), None, "按时完成"),
    (d(2026, 3, 2), None, "按时完成"),                  # a date without time: 00:00
    (None, T(2026, 3, 2, 7), "剩余3小时"),
    (None, T(2026, 3, 1, 10), "剩余24小时"),
    (None, T(2026, 3, 2, 9, 59), "剩余1分钟"),
    (None, T(2026, 3, 2, 10), "已到期"),
    (None, T(2026, 3, 2, 12), "已逾期2小时"),
    (None, T(2026, 3, 4, 10), "已逾期48小时"),
])
def test_hour_limits_compare_datetimes(done, today, expected):
    start = T(2026, 3, 1, 10)
    assert udfs.deadline_status("索赔受理", start, done, today) == expected
    import udfs.columns as C
    got = C.deadline_status(["索赔受理"], [start], [done], [today])
    assert got["value"].tolist() == [expected]


def test_minute_limit_status():
    # DL-4 查询答复: 30 minutes from 2026-03-01 10:00 → due 10:30
    assert udfs.deadline_status("查询答复", T(2026, 3, 1, 10), T(2026, 3, 1, 10, 45)) == "逾期15分钟完成"
    assert udfs.deadline_status("查询答复", T(2026, 3, 1, 10), None, T(2026, 3, 1, 10, 5)) == "剩余25分钟"


def test_hour_limit_done_before_start_is_an_error():
    with pytest.raises(RuleError, match="完成时间 2026-03-01 09:00:00 早于起算时间"):
        udfs.deadline_status("索赔受理", T(2026, 3, 1, 10), T(2026, 3, 1, 9))


# ----------------------------------------------------------------- DATE-6 the missing year

@pytest.mark.parametrize("call, year", [
    (lambda: udfs.is_workday(d(2099, 1, 5)), 2099),        # DATE-6 example (was 2027)
    (lambda: udfs.is_workday(d(1900, 1, 1)), 1900),        # (was 2022)
    (lambda: udfs.is_workday(d(2027, 6, 1)), 2027),
    (lambda: udfs.is_workday(d(2022, 12, 31)), 2022),
    (lambda: udfs.workdays_add(d(2026, 12, 28), 5), 2027), # DATE-6 example: runs into 2027
    (lambda: udfs.workdays_add(d(2023, 1, 4), -5), 2022),  # runs back into 2022
    (lambda: udfs.workdays_add(d(2099, 1, 5), 1), 2099),
    (lambda: udfs.deadline("投诉延误", d(2030, 5, 6)), 2030),
])
def test_missing_year_names_the_first_year_needed(call, year):
    with pytest.raises(RuleError) as info:
        call()
    assert str(info.value).startswith(f"{year}年的节假日安排尚未收录"), str(info.value)


def test_missing_year_in_column_form_names_the_same_year():
    import udfs.columns as C
    got = C.is_workday([d(2099, 1, 5), d(1900, 1, 1), d(2026, 10, 10)])
    assert got["error"][0].startswith("2099年") and got["error"][1].startswith("1900年")
    assert got["value"][2] is True or got["value"][2] == True  # noqa: E712 - 调休 Saturday


# ----------------------------------------------------------------- DATE-7 legal periods

@pytest.mark.parametrize("event, start, expected", [
    # DL-4 / CLM-7 one-year window (DATE-4), extended when the last day is a rest day
    ("索赔时效", d(2025, 3, 3), d(2026, 3, 3)),     # Tuesday: not extended
    ("索赔时效", d(2025, 3, 1), d(2026, 3, 2)),     # Sunday 03-01 → Monday 03-02
    ("索赔时效", d(2025, 10, 1), d(2026, 10, 8)),   # National Day 10-01..07 → 10-08
    ("索赔时效", d(2025, 2, 28), d(2026, 2, 28)),   # Saturday, but a make-up working day: not extended
    ("索赔时效", d(2025, 2, 15), d(2026, 2, 24)),   # Spring Festival 02-15..23 → Tuesday 02-24
    ("索赔时效", d(2024, 10, 11), d(2025, 10, 11)), # make-up working Saturday 2025-10-11
    ("索赔时效", d(2024, 10, 12), d(2025, 10, 13)), # Sunday 2025-10-12 → Monday
    # LAW-3 7 calendar days
    ("投诉法定答复", d(2026, 3, 2), d(2026, 3, 9)),   # Monday: not extended
    ("投诉法定答复", d(2026, 2, 28), d(2026, 3, 9)),  # 03-07 Saturday → Monday 03-09
    ("投诉法定答复", d(2026, 9, 24), d(2026, 10, 8)), # 10-01 holiday → 10-08
    ("投诉法定答复", d(2026, 10, 3), d(2026, 10, 10)),  # 10-10 make-up working Saturday
    # LAW-4 3 years
    ("诉讼时效", d(2023, 3, 2), d(2026, 3, 2)),     # Monday
    ("诉讼时效", d(2023, 3, 1), d(2026, 3, 2)),     # Sunday 2026-03-01 → 03-02
    ("诉讼时效", d(2023, 10, 1), d(2026, 10, 8)),   # National Day
    # company-internal deadlines are not extended (DATE-7)
    ("赔款支付", d(2026, 2, 28), d(2026, 3, 7)),    # DL-3: Saturday stays
    ("代收货款提取", d(2025, 12, 1), d(2026, 3, 1)),   # COD-2: Sunday stays
    ("内部理赔", d(2026, 9, 1), d(2026, 10, 1)),    # DL-7: holiday stays
])
def test_legal_periods_end_on_a_working_day(event, start, expected):
    assert udfs.deadline(event, start) == expected
    import udfs.columns as C
    got = C.deadline([event], [start])
    assert got["value"][0].date() == expected and got["error"][0] is None


@pytest.mark.parametrize("event, start, nominal", [
    ("索赔时效", d(2026, 3, 2), "2027-03-02"),      # 2027 not in the data
    ("诉讼时效", d(2025, 3, 1), "2028-03-01"),
    ("诉讼时效", d(2025, 8, 31), "2028-08-31"),     # DATE-8's example
    ("投诉法定答复", d(2026, 12, 28), "2027-01-04"),
])
def test_legal_period_beyond_the_holiday_data_is_the_date5_error(event, start, nominal):
    # DATE-8: the DATE-5 error, giving the nominal last day and the missing year
    year = nominal[:4]
    message = (f"{event}：名义最后一日 {nominal}，如遇休息日顺延；{year} 年放假安排尚未收录"
               f"（已收录 2023–2026 年），无法确定顺延后的最后一日；"
               f"请管理员在规则数据中补充 {year} 年放假安排（DATE-5）")
    with pytest.raises(RuleError) as info:
        udfs.deadline(event, start)
    assert str(info.value) == message and info.value.rule == "DATE-5"
    import udfs.columns as C
    got = C.deadline([event], [start])
    assert got["error"][0] == message and got["rule"][0] == "DATE-5"


def test_rulebook_does_not_import_the_calendar():
    # issue 8: no rulebook ↔ workcal import cycle; the calendar follows reload() on its own
    import ast
    import inspect

    import udfs.rulebook as rb
    import udfs.workcal as wc
    tree = ast.parse(inspect.getsource(rb))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert "workcal" not in imported
    before = wc.calendar()
    rb.reload()
    after = wc.calendar()
    assert after is not before and after.is_workday(np.array([np.datetime64("2026-10-10")]))[0]
