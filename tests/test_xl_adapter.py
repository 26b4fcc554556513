"""The Excel adapter ``udfs.xl`` (generated) and its boundary ``udfs.xlcall``.

First part: called directly with Python values (floats, None, str, bool, datetime, flat lists
for a column, lists of rows for a block). Second part: called through tests/xlwings_standin.py,
i.e. with what xlwings 0.37.8 really passes from COM (error cells as SCODE ints turned into
their text by err_to_str, blanks as None, ranges as lists of rows with ndim=2, date serials as
floats). Results: floats exact to the fen, datetimes, ints, booleans, texts, or a block of the
same shape; bad cells give ``错误：<message>（rule）`` and nothing ever raises.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
from decimal import Decimal

import pytest

from udfs import registry, xl

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
    # the window's last day 2026-03-01 is a Sunday: it ends on Monday 03-02 (DATE-7)
    assert xl.CLAIM_CHECK(T(2025, 3, 1), T(2026, 3, 2)) == "受理"
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
    f = registry.FUNCTIONS["COD_FEE"]
    monkeypatch.setitem(registry.FUNCTIONS, "COD_FEE", dataclasses.replace(f, func=boom))
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


def test_ranges_of_different_shapes():
    assert xl.NETWORK_FEE([1.0, 2.0], ["罚款方", "获赔方", "罚款方"]) == "错误：各区域的大小不一致：2行×1列、3行×1列"
    assert xl.COD_FEE([[1.0, 2.0], [3.0]]) == "错误：区域不是矩形（各行的单元格数不同）"
    # a one-cell range is a single cell: it applies to every row, like a typed value
    assert xl.NETWORK_FEE([100.0, 50.0], ["罚款方"]) == [[6.0], [3.0]]       # 6 % (NET-4)


def test_network_fee_range_with_a_blank_side():
    assert xl.NETWORK_FEE([100.0, 100.0], ["罚款方", None]) == \
        [[6.0], ["错误：缺少承担方（NET-4）"]]     # 100 × 6 %


# ----------------------------------------------------------------- SAFE_SUM

def test_safe_sum_adds_exact_to_the_fen():
    assert xl.SAFE_SUM([[5.0], [6.0], [30.0]]) == 41.0
    assert xl.SAFE_SUM([[0.1], [0.2]]) == 0.3          # binary floats would give 0.30000000000000004
    assert xl.SAFE_SUM([0.1] * 10) == 1.0
    assert xl.SAFE_SUM([[5.0], [None], [""]]) == 5.0   # blank cells are nothing to add
    assert xl.SAFE_SUM([[5.0, 1.25], [None, 2.0]]) == 8.25   # a block of several columns
    assert xl.SAFE_SUM(5.01) == 5.01
    assert xl.SAFE_SUM(xl.COD_FEE([2000.0, 2000.01, 10000.01])) == 41.0   # 5 + 6 + 30


def test_safe_sum_refuses_a_range_with_an_error_and_names_the_cell():
    got = xl.SAFE_SUM([[5.0], ["错误：代收金额不能为负数：-1（COD-1）"], [6.0]])
    assert got == ("错误：区域内有 1 个单元格不能合计，第一个：第2行第1列是错误单元格「错误：代收金额不能为负数：-1（COD-1）」；"
                   "合计不可用，请先更正（MONEY-1）")
    assert xl.SAFE_SUM(xl.COD_FEE([2000.0, -1.0, "abc"])).startswith(
        "错误：区域内有 2 个单元格不能合计，第一个：第2行第1列是错误单元格")


@pytest.mark.parametrize("cell, why", [
    ("#N/A", "是 Excel 错误值 #N/A"),                       # err_to_str=True: the error's text
    (-2146828288 + 2045, "是 Excel 错误值 #SPILL!"),          # an SCODE xlwings does not map
    ("备注", "是文字「备注」，不是数字"),
    ("Could not activate Python COM server, hr = -2147221164 1000",   # xlwings's own failure text
     "是文字「Could not activate P」，不是数字"),
    ("15.00", "是文字「15.00」，不是数字"),                   # a number stored as text: SUM skips it
    (True, "是逻辑值 TRUE，不是数字"),
    (1e30, "的数字超出可计算范围：1e+30"),
])
def test_safe_sum_refuses_what_sum_would_skip(cell, why):
    got = xl.SAFE_SUM([[5.0, 1.0], [6.0, cell]])
    assert got == f"错误：区域内有 1 个单元格不能合计，第一个：第2行第2列{why}；合计不可用，请先更正（MONEY-1）"


def test_safe_sum_reads_each_amount_at_the_fen():
    assert xl.SAFE_SUM([[1.0], [0.125]]) == 1.13     # 0.125 → half-up 0.13 (MONEY-2)
    assert xl.SAFE_SUM([[0.004]] * 3) == 0.0         # each 0.004 is read as 0.00 (MONEY-2)


def test_safe_sum_of_a_huge_number():
    got = xl.SAFE_SUM([[1e30], [5.0]])
    assert isinstance(got, str) and got.startswith("错误：")


# ----------------------------------------------------------------- through xlwings (stand-in)
# tests/xlwings_standin.py runs xlwings's real decorators and conversion pipeline with its own
# Windows cleaning code: the values below are what pywin32 hands over from COM.

from xlwings_standin import MISSING, SCODE, Excel  # noqa: E402


@pytest.fixture(scope="module")
def excel():
    with Excel() as e:
        yield e


def _com(v):
    """An example argument as COM hands it over: numbers as floats, dates as datetimes."""
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, dt.datetime):
        return v
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day)
    if isinstance(v, (int, float)):
        return float(v)
    return v


def test_xlwings_itself_turns_error_cells_into_blanks_without_err_to_str(excel):
    """Why every argument declares err_to_str=True (xlwings/_xlwindows.py, cell_errors)."""
    assert excel.convert(SCODE["#N/A"], {}) is None                       # a blank!
    assert excel.convert(SCODE["#N/A"], {"err_to_str": True}) == "#N/A"
    assert excel.convert(SCODE["#SPILL!"], {"err_to_str": True}) == SCODE["#SPILL!"]  # not in its table
    assert excel.convert("", {"err_to_str": True}) is None                # an empty cell
    assert excel.convert(((1.0, None), (2.0, 3.0)), {"ndim": 2}) == [[1.0, None], [2.0, 3.0]]
    assert excel.convert(5.0, {"ndim": 2}) == [[5.0]]
    assert set(excel.cell_errors.values()) <= set(SCODE)


def test_every_argument_of_every_function_declares_err_to_str_and_ndim(excel):
    for name, f in registry.excel_functions().items():
        infos = excel.arg_options(name)
        assert [i["name"] for i in infos] == [p.name for p in f.params], name
        for info in infos:
            assert info["options"] == {"ndim": 2, "err_to_str": True}, (name, info)


def test_failed_lookup_is_an_error_not_a_blank(excel):
    # =COMPENSATION("遗失",3000,45,VLOOKUP(…)) with a failed lookup used to pay 135.00 (3 × 45)
    assert excel("COMPENSATION", "遗失", 3000.0, 45.0, SCODE["#N/A"]) == \
        "错误：保价金额是 Excel 错误值 #N/A（CMP-1）"
    assert excel("COMPENSATION", "遗失", 3000.0, 45.0, 3000.0) == 3000.0    # insured: min(3000, 3000), CMP-1
    assert excel("COMPENSATION", "遗失", 3000.0, 45.0) == 135.0             # omitted: not insured
    assert excel("COMPENSATION", "遗失", 3000.0, 45.0, None) == 135.0       # blank cell: not insured
    assert excel("COD_FEE", SCODE["#N/A"]) == "错误：代收金额是 Excel 错误值 #N/A（COD-1）"   # was 0.00
    assert excel("COD_FEE", SCODE["#DIV/0!"]) == "错误：代收金额是 Excel 错误值 #DIV/0!（COD-1）"
    assert excel("COD_FEE", SCODE["#SPILL!"]) == "错误：代收金额是 Excel 错误值 #SPILL!（COD-1）"
    assert excel("COD_FEE", "#VALUE!") == "错误：代收金额是 Excel 错误值 #VALUE!（COD-1）"


# (not the functions that take Excel's arguments as they are: SAFE_SUM judges a range itself,
# ROW_CHECK names a bad row cell by its column and rule, as 错误清单 does — tests/test_rows_differential.py)
CASES = [(name, i) for name, f in registry.excel_functions().items()
         if all(p.kind not in ("range", "any", "values") for p in f.params) for i in range(len(f.params))]


@pytest.mark.parametrize("name, i", CASES, ids=[f"{n}-{registry.FUNCTIONS[n].params[i].name}" for n, i in CASES])
@pytest.mark.parametrize("error", ["#N/A", "#REF!", "#VALUE!"])
def test_every_argument_receives_error_values_as_errors(excel, name, i, error):
    f = registry.FUNCTIONS[name]
    base = [_com(a) for a in f.examples[0].args]
    args = base + [MISSING] * (len(f.params) - len(base))
    assert not isinstance(excel(name, *args), str) or not excel(name, *args).startswith("错误")
    args[i] = SCODE[error]
    p = f.params[i]
    assert excel(name, *args) == f"错误：{p.label}是 Excel 错误值 {error}（{f.rule_of(p)}）"
    # the same error inside a range: that cell says so, the other cells compute
    column = [args[i] if k == 1 else (base[i] if i < len(base) else None) for k in range(3)]
    args[i] = tuple((v,) for v in column)
    got = excel(name, *args)
    assert isinstance(got, list) and len(got) == 3 and all(len(r) == 1 for r in got), got
    assert got[1][0] == f"错误：{p.label}是 Excel 错误值 {error}（{f.rule_of(p)}）"
    assert got[0] == got[2] and not str(got[0][0]).startswith("错误：") or i >= len(base)


def test_a_block_gives_back_a_block_of_the_same_shape(excel):
    block = ((2000.0, 5000.0, None), (10000.01, SCODE["#N/A"], 2515.0))
    assert excel("COD_FEE", block) == [[5.0, 15.0, 0.0],      # COD-1: 5; 5000 × 3‰; blank → 0
                                       [30.0, "错误：代收金额是 Excel 错误值 #N/A（COD-1）", 7.55]]
    assert excel("COD_FEE", ((2000.0, 5000.0),)) == [[5.0, 15.0]]             # one row stays a row
    assert excel("COD_FEE", ((2000.0,), (5000.0,))) == [[5.0], [15.0]]        # one column
    assert excel("COD_FEE", ((5000.0,),)) == 15.0                             # one cell
    # single cells broadcast over a block: 2 × 2 claims, freights per cell, one claim type
    got = excel("COMPENSATION", "遗失", ((1000.0, 100.0), (50.0, 1000.0)), ((100.0, 100.0), (100.0, 10.0)))
    assert got == [[300.0, 100.0], [50.0, 30.0]]      # min(value, 3 × freight), CMP-1
    assert excel("NETWORK_FEE", ((100.0, 200.0),), ((("罚款方",), ("获赔方",)))) == \
        "错误：各区域的大小不一致：1行×2列、2行×1列"


def test_dates_as_xlwings_passes_them(excel):
    # a date cell arrives as datetime; DATE(2026,3,2) typed in the formula arrives as its serial
    assert excel("DEADLINE", "赔款支付", dt.datetime(2026, 3, 2)) == dt.datetime(2026, 3, 9)   # +7 days
    assert excel("DEADLINE", "赔款支付", 46083.0) == dt.datetime(2026, 3, 9)    # serial 46083 = 2026-03-02
    assert excel("STORAGE_DAYS", ((dt.datetime(2026, 3, 1),), (46082.0,)),
                 ((dt.datetime(2026, 3, 5),), (dt.datetime(2026, 3, 11),))) == [[1], [7]]  # 4 − 3; 10 − 3
    assert excel("DEADLINE", "赔款支付", None) == "错误：缺少起算日期（DL-1）"


def test_safe_sum_through_xlwings(excel):
    assert excel("SAFE_SUM", ((5.0,), (None,), (6.25,))) == 11.25
    assert excel("SAFE_SUM", ((5.0,), (SCODE["#N/A"],))) == \
        "错误：区域内有 1 个单元格不能合计，第一个：第2行第1列是 Excel 错误值 #N/A；合计不可用，请先更正（MONEY-1）"
    assert excel("SAFE_SUM", ((5.0, "TypeError: unsupported operand"),)).startswith(
        "错误：区域内有 1 个单元格不能合计，第一个：第1行第2列是文字")


def test_an_error_in_a_single_cell_applies_to_every_row(excel):
    got = excel("COMPENSATION", SCODE["#N/A"], ((1000.0,), (500.0,)), 10.0)
    assert got == [["错误：索赔类型是 Excel 错误值 #N/A（CLM-1）"]] * 2
    # an earlier argument's error is reported first, row by row
    got = excel("COMPENSATION", (("遗失",), (SCODE["#REF!"],)), ((1000.0,), (500.0,)), SCODE["#N/A"])
    assert got == [["错误：运费是 Excel 错误值 #N/A（CMP-1）"], ["错误：索赔类型是 Excel 错误值 #REF!（CLM-1）"]]
    # a nested call's error text is shown unchanged
    assert excel("DEADLINE", "错误：未知的投诉类别「x」（CPL-1）", ((46083.0,),)) == "错误：未知的投诉类别「x」（CPL-1）"
    assert excel("DEADLINE", (("错误：未知的投诉类别「x」（CPL-1）",), ("赔款支付",)), 46083.0) == \
        [["错误：未知的投诉类别「x」（CPL-1）"], [dt.datetime(2026, 3, 9)]]


def _pool(f, p, i):
    """Values a clerk's column may hold for parameter p: the examples' values, blanks, error
    values, stray text, our own error text, numbers and dates near the examples'."""
    seen = [_com(ex.args[i]) for ex in f.examples if i < len(ex.args)]
    pool = [v for v in seen if v is not None] + [None, SCODE["#N/A"], SCODE["#VALUE!"], "#REF!", "abc",
                                                 "错误：上一步的错误（X-1）", 0.0, 1.0, -5.0, 2000.004, 1 / 3]
    if p.kind in ("date", "datetime"):
        pool += [dt.datetime(2026, 3, 2), dt.datetime(2026, 10, 1, 9, 30), 46083.0, dt.datetime(2099, 1, 5)]
    if p.kind in ("bool",):
        pool += ["是", "否", True, False]
    return pool


RANGE_CASES = [n for n, f in registry.excel_functions().items() if f.engine and f.params and f.examples]


@pytest.mark.parametrize("name", RANGE_CASES)
def test_a_range_gives_what_each_cell_gives(excel, name):
    """Column form = per-cell form at the Excel boundary, error values and nested errors included."""
    import random
    rnd = random.Random(name)
    f = registry.FUNCTIONS[name]
    pools = [_pool(f, p, i) for i, p in enumerate(f.params)]
    rows = [[rnd.choice(pool) for pool in pools] for _ in range(80)]
    block = excel(name, *[tuple((r[i],) for r in rows) for i in range(len(f.params))])
    cells = [[excel(name, *r)] for r in rows]
    for r, got, want in zip(rows, block, cells):
        assert got == want, r
