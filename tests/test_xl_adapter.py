"""The Excel adapter ``udfs.xl`` called with the Python values Excel/COM hands to xlwings:
floats (numbers are always floats), None (empty cell), str, bool, datetime, lists for
ranges (1-D for one column, 2-D lists of rows). Results: floats exact to the fen, datetimes,
ints, booleans, texts; bad cells give ``错误：<message>（rule）`` and nothing ever raises.
"""
from __future__ import annotations

import datetime as dt
import inspect
from decimal import Decimal

import pytest

import udfs
from udfs import xl

T = dt.datetime


def fen_exact(x) -> bool:
    """A float whose shortest repr has at most two decimals (exact to the fen)."""
    return isinstance(x, float) and -Decimal(repr(x)).as_tuple().exponent <= 2


# ----------------------------------------------------------------- single cells

@pytest.mark.parametrize("func, args, expected", [
    ("COD_FEE", (2000.0,), 5.0),                 # COD-1 ≤ 2,000 → 5
    ("COD_FEE", (2000.01,), 6.0),                # 2,000.01 × 3‰ = 6.00003 → 6.00
    ("COD_FEE", (10000.0,), 30.0),               # 10,000 × 3‰
    ("COD_FEE", (10000.01,), 30.0),              # cap
    ("COD_FEE", (None,), 0.0),                   # empty cell
    ("COD_FEE", (2515.0,), 7.55),                # 7.545 → half-up 7.55
    ("INSURANCE_PREMIUM", (1001.0,), 5.01),      # 1001 × 0.5% = 5.005 → 5.01
    ("INSURANCE_PREMIUM", (999.99,), 5.0),       # minimum 5
    ("INSURANCE_PREMIUM", (None,), 0.0),
    ("INSURANCE_PREMIUM", (3000.0, 0.01, None), 30.0),
    ("COMPENSATION", ("遗失", 1000.0, 100.0), 300.0),                   # min(1000, 3 × 100)
    ("COMPENSATION", ("破损", 1000.0, 100.0, 800.0, 0.5), 400.0),       # min(1000, 800) × 0.5
    ("COMPENSATION", ("破损", 1000.0, 100.0, 1000.0, 0.5, "易碎品"), 0.0),  # CMP-6
    ("COMPENSATION", ("遗失", 5000.0, 100.0, 5000.0, None, "珠宝"), 300.0),  # CMP-7
    ("FREIGHT_WAIVER", ("破损", 100.0, 0.5), 0.0),                      # partial damage
    ("FREIGHT_WAIVER", ("遗失", 88.88), 88.88),
    ("ECOM_COMPENSATION", ("遗失", 2500.0, None, "否", "否"), 700.0),   # ECM-3 non-practical
    ("ECOM_COMPENSATION", ("破损", 1000.0, 0.6), 500.0),                # 600 → ECM-1 cap 500
    ("NETWORK_COMPENSATION", ("延误", None, 6.0, 1.0), 250.0),          # 300 → ≤ 1 kg cap 250
    ("NETWORK_COMPENSATION", ("延误", None, 6.0, 1.01), 300.0),         # > 1 kg cap 500
    ("NETWORK_FEE", (333.33, "罚款方"), 20.0),                          # 19.9998 → 20.00
    ("NETWORK_FEE", (0.75, "罚款方"), 0.05),                            # 0.045 → half-up 0.05
    ("STORAGE_RATE", ("温州", "北京"), 0.03),                           # min(F 10 %, C 3 %)
    ("STORAGE_FEE", (100.0, T(2026, 3, 1), T(2026, 3, 11), "福州", "上海"), 35.0),  # 100 × 5 % × 7
    ("STORAGE_FEE", (12.25, T(2026, 3, 1), T(2026, 3, 5), 0.1), 1.23),  # 1.225 → 1.23
    ("LABEL_PENALTY", (50.0, "贴不全"), 20.0),
    ("LABEL_PENALTY", (49.0, "贴不全"), 30.0),
])
def test_money_cells_are_floats_exact_to_the_fen(func, args, expected):
    got = getattr(xl, func)(*args)
    assert type(got) is float and fen_exact(got), got
    assert got == expected


@pytest.mark.parametrize("func, args, expected", [
    ("DEADLINE", ("索赔处理", T(2026, 3, 2)), T(2026, 4, 1)),                  # +30 days
    ("DEADLINE", ("索赔处理", T(2026, 3, 2), "国际"), T(2026, 5, 1)),          # +60 days
    ("DEADLINE", ("索赔受理", T(2026, 3, 2, 10, 30)), T(2026, 3, 3, 10, 30)),  # +24 h
    ("DEADLINE", ("投诉延误", T(2026, 2, 13)), T(2026, 2, 25)),                # 02-14, 02-24, 02-25
    ("DEADLINE", ("代收货款提取", T(2026, 11, 30)), T(2027, 2, 28)),           # DATE-4
    ("DEADLINE", ("赔款支付", 46083.0), T(2026, 3, 9)),
    ("DEADLINE", ("索赔受理", 46083.4375), T(2026, 3, 3, 10, 30)),   # .4375 day = 10:30   # serial 46083 = 2026-03-02 (43831 = 2020-01-01 + 2192 + 59 + 1)
    ("WORKDAYS_ADD", (T(2026, 2, 14), 1.0), T(2026, 2, 24)),
    ("WORKDAYS_ADD", (T(2026, 10, 12), -1.0), T(2026, 10, 10)),
])
def test_date_cells_are_datetimes(func, args, expected):
    got = getattr(xl, func)(*args)
    assert type(got) is dt.datetime, type(got)
    assert got == expected


def test_other_single_cells():
    assert xl.STORAGE_DAYS(T(2026, 3, 1), T(2026, 3, 4)) == 0      # 3 − 3
    assert xl.STORAGE_DAYS(T(2026, 3, 1), T(2026, 3, 5)) == 1      # 4 − 3
    assert xl.IS_WORKDAY(T(2026, 2, 14)) is True                    # 调休 Saturday
    assert xl.IS_WORKDAY(T(2026, 2, 15)) is False                   # Spring Festival
    assert xl.CLAIM_CHECK(T(2025, 3, 1), T(2026, 3, 1)) == "受理"
    assert xl.CLAIM_CHECK(T(2025, 3, 1), T(2026, 3, 2)) == "受理"          # Sunday 03-01 → 03-02 (DATE-7)
    assert xl.CLAIM_CHECK(T(2025, 3, 1), T(2026, 3, 3)).startswith("不予受理：")
    assert xl.INSURANCE_CHECK("普通货物", 100000.01) == "可保价；需经理审批"
    assert xl.INSURANCE_CHECK("珠宝", 300000.0) == "不予保价"
    assert xl.DEADLINE_STATUS("赔款支付", T(2026, 3, 2), None, T(2026, 3, 12)) == "已逾期3天"
    assert xl.COMPLAINT_LEVEL("快件延误") == "复杂★★★（3个工作日）"    # CPL-1
    assert "CMP-1" in xl.COMPENSATION_EXPLAIN("遗失", 1000.0, 100.0)
    assert isinstance(xl.RULES_VERSION(), str) and "起施行" in xl.RULES_VERSION()


# ----------------------------------------------------------------- bad cells → 错误：…

@pytest.mark.parametrize("func, args, expected", [
    ("COD_FEE", (-1.0,), "错误：代收金额不能为负数：-1（COD-1）"),
    ("COD_FEE", ("abc",), "错误：代收金额应为数字，收到文字「abc」（COD-1）"),
    ("COD_FEE", (True,), "错误：代收金额应为数字，收到逻辑值「True」（COD-1）"),
    ("STORAGE_DAYS", (T(2026, 3, 5), T(2026, 3, 1)),
     "错误：提货日期 2026-03-01 早于到货通知日期 2026-03-05（STO-2）"),
    ("COMPENSATION", ("破损", 100.0, 10.0, None, 1.5), "错误：损失比例应在 0 到 1 之间：1.5（CMP-2）"),
    ("COMPENSATION", ("被偷", 100.0, 10.0), "错误：未知的索赔类型「被偷」，可选：遗失、破损、内件不符、延误（CLM-1）"),
    ("NETWORK_FEE", (100.0, None), "错误：缺少承担方（NET-4）"),
    ("CLAIM_CHECK", (T(2026, 3, 5), T(2026, 3, 1)), "错误：索赔日期 2026-03-01 早于寄件日期 2026-03-05（CLM-7）"),
])
def test_bad_cells_show_chinese_error_text(func, args, expected):
    assert getattr(xl, func)(*args) == expected


@pytest.mark.parametrize("func, args, start, rule", [
    ("STORAGE_RATE", ("拉萨", "福州"), "错误：线路未定义：「拉萨」", "STO-3"),
    ("IS_WORKDAY", (T(2027, 1, 4),), "错误：2027年的节假日安排尚未收录", "DATE-5"),
    ("DEADLINE", ("投诉延误", T(2026, 12, 30)), "错误：2027年的节假日安排尚未收录", "DATE-5"),
    ("DEADLINE", ("开会", T(2026, 3, 2)), "错误：未知的时限事件「开会」", "DL-1"),
    ("INSURANCE_CHECK", ("火箭", 1.0), "错误：未知的货物类别「火箭」", "INS-4"),
])
def test_bad_cells_name_the_rule(func, args, start, rule):
    got = getattr(xl, func)(*args)
    assert got.startswith(start) and got.endswith(f"（{rule}）"), got


def test_internal_error_is_a_text_not_a_traceback(monkeypatch):
    def boom(*_):
        raise ZeroDivisionError("bug")
    monkeypatch.setattr(udfs, "cod_fee", boom)
    assert xl.COD_FEE(1.0) == "错误：内部错误，请联系管理员（详情见日志）"


UDFS = [name for name, f in inspect.getmembers(xl, inspect.isfunction)
        if name.isupper() and f.__module__ == xl.__name__]


def test_every_udf_is_covered():
    assert {"COD_FEE", "COMPENSATION", "DEADLINE", "SAFE_SUM", "IS_WORKDAY"} <= set(UDFS)


@pytest.mark.parametrize("name", UDFS)
def test_no_udf_ever_raises(name):
    f = getattr(xl, name)
    n = len(inspect.signature(f).parameters)
    junk = [object(), {"a": 1}, [[object(), None]], [1.0, 2.0, 3.0], -1e308, "", True]
    if name == "SAFE_SUM":
        junk.remove(-1e308)     # see test_safe_sum_of_a_huge_number
    for value in junk:
        result = f(*[value] * n)
        assert result is not None
        if isinstance(result, str) and result.startswith("错误"):
            assert "Traceback" not in result


# ----------------------------------------------------------------- ranges → columns

def test_one_column_range_gives_a_column_with_errors_per_cell():
    got = xl.COD_FEE([2000.0, 2000.01, None, 10000.01, -1.0, "abc"])
    assert got == [[5.0], [6.0], [0.0], [30.0],
                   ["错误：代收金额不能为负数：-1（COD-1）"],
                   ["错误：代收金额应为数字，收到文字「abc」（COD-1）"]]


def test_two_dimensional_range_and_number_only_range():
    assert xl.COD_FEE([[2000.0], [2000.01]]) == [[5.0], [6.0]]
    # all numbers (the float fast path): 1001 × 0.5% = 5.005 → 5.01; 2000.005 → 2000.01 × 0.5%
    # = 10.00005 → 10.00; 999.99 → min 5; blank and 0 → 0
    got = xl.INSURANCE_PREMIUM([1001.0, 2000.005, 999.99, None, 0.0])
    assert got == [[5.01], [10.0], [5.0], [0.0], [0.0]]
    assert all(fen_exact(r[0]) for r in got)


def test_single_cells_broadcast_against_a_range():
    got = xl.DEADLINE("赔款支付", [T(2026, 3, 2), T(2026, 2, 27), None])
    # 03-02 + 7 = 03-09; 02-27 + 7 = 03-06 (Feb 2026 has 28 days); blank start → error
    assert got == [[T(2026, 3, 9)], [T(2026, 3, 6)], ["错误：缺少起算日期（DL-1）"]]
    assert all(type(r[0]) is dt.datetime for r in got[:2])


def test_range_of_mixed_events_keeps_hours():
    got = xl.DEADLINE(["索赔受理", "赔款支付", "投诉延误"],
                      [T(2026, 3, 2, 10, 30), T(2026, 3, 2), T(2026, 9, 30)])
    assert got == [[T(2026, 3, 3, 10, 30)], [T(2026, 3, 9)], [T(2026, 10, 10)]]


def test_money_range_two_columns():
    got = xl.COMPENSATION(["遗失", "破损", "破损", "火箭"], [1000.0, 1000.0, 1000.0, 1.0],
                          [100.0, 100.0, 100.0, 1.0], [None, 800.0, None, None],
                          [None, 0.5, 1.5, None])
    assert got == [[300.0],                 # min(1000, 300)
                   [400.0],                 # min(1000, 800) × 0.5
                   ["错误：损失比例应在 0 到 1 之间：1.5（CMP-2）"],
                   ["错误：未知的索赔类型「火箭」，可选：遗失、破损、内件不符、延误（CLM-1）"]]


def test_storage_days_and_workday_ranges():
    assert xl.STORAGE_DAYS(T(2026, 3, 1), [T(2026, 3, 4), T(2026, 3, 5)]) == [[0], [1]]
    assert xl.IS_WORKDAY([T(2026, 1, 4), T(2026, 2, 14), T(2026, 2, 28), T(2026, 5, 9),
                          T(2026, 9, 20), T(2026, 10, 10), T(2026, 10, 1)]) == \
        [[True]] * 6 + [[False]]


def test_ranges_of_different_lengths():
    assert xl.NETWORK_FEE([1.0, 2.0], ["罚款方"]) == "错误：各区域的行数不一致：[1, 2]"


def test_network_fee_range_with_a_blank_side():
    assert xl.NETWORK_FEE([100.0, 100.0], ["罚款方", None]) == \
        [[6.0], ["错误：缺少承担方（NET-4）"]]     # 100 × 6 %


# ----------------------------------------------------------------- SAFE_SUM

def test_safe_sum_adds_exact_to_the_fen():
    assert xl.SAFE_SUM([[5.0], [6.0], [30.0]]) == 41.0
    assert xl.SAFE_SUM([[0.1], [0.2]]) == 0.3          # binary floats would give 0.30000000000000004
    assert xl.SAFE_SUM([0.1] * 10) == 1.0
    assert xl.SAFE_SUM([[5.0], [None], ["备注"], [True]]) == 5.0   # blanks, notes, logicals ignored
    assert xl.SAFE_SUM(5.01) == 5.01
    assert xl.SAFE_SUM(xl.COD_FEE([2000.0, 2000.01, 10000.01])) == 41.0   # 5 + 6 + 30


def test_safe_sum_refuses_a_range_with_an_error():
    got = xl.SAFE_SUM([[5.0], ["错误：代收金额不能为负数：-1（COD-1）"], [6.0]])
    assert got.startswith("错误：") and "1 个错误单元格" in got
    assert xl.SAFE_SUM(xl.COD_FEE([2000.0, -1.0, "abc"])).startswith("错误：区域内有 2 个错误单元格")


def test_safe_sum_rounds_half_up():
    assert xl.SAFE_SUM([[1.0], [0.125]]) == 1.13     # 1.125 → half-up 1.13 (MONEY-1)


def test_safe_sum_of_a_huge_number():
    got = xl.SAFE_SUM([[1e30], [5.0]])
    assert isinstance(got, str) and got.startswith("错误：")
