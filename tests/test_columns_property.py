"""Property: the column form ``udfs.columns.<name>`` equals the per-cell ``udfs.<name>`` on
10,000 random rows, to the fen (issue 2, item 3 and Acceptance).

Rows are drawn with a seeded numpy generator (reproducible, fast): blanks (None, "", NaN),
text in number cells, logical values, negatives, values with sub-fen digits (0.005,
2000.005, 1.005, 2.675 …), shares inside and outside 0–1, every category / claim type plus
unknown ones, dates as date / datetime / Timestamp / text, out of order, and in 2027 (no
holiday data), and (issue 8) typo years such as 2926, YYMMDD numbers, pandas NA, shares
typed as =1/3 or =2/3, ambiguous number text, full addresses and batches. Error rows must carry exactly ``str(RuleError)`` and ``RuleError.rule`` of
the per-cell call.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

import udfs
from udfs import RuleError, columns

N = 10_000
NAN = float("nan")

CATEGORIES = ["普通货物", "工艺品", "精密仪器", "珠宝", "古董", "玉雕", "根雕", "石雕",
              "国外维修进口货品", "客户退货", "易碎品", "易潮湿", "易污染", "包装不合格",
              "fragile", "普货", "火箭", "", None, NAN, 3.0, pd.NA, 5, 7.5, " 珠宝 ", "ＦＲＡＧＩＬＥ"]
CLAIM_TYPES = ["遗失", "破损", "内件不符", "延误", "loss", "damage", "mismatch", "delay",
               "被偷", "", None, NAN, 2.0, True, pd.NA, 3]
EVENTS = ["索赔受理", "索赔处理", "赔款支付", "索赔时效", "查询答复", "破损公告", "遗失公告",
          "延误公告", "破损仲裁", "遗失仲裁", "客户资料", "部门回复", "保险单据", "协商期限",
          "理赔报告", "财务付款", "内部理赔", "投诉服务态度", "投诉延误", "投诉损毁",
          "投诉法定答复", "诉讼时效", "开票", "代收货款提取", "维修单台", "维修三台", "维修批量",
          "维修报价", "开会", "", None]
SCOPES = [None, None, None, "国内", "港澳台", "国际", "未保价", "保价", "火星", ""]
PLACES = ["福州", "厦门", "温州", "温州市", "浙江省温州市", "汕头", "广东汕头", "杭州", "浙江",
          "上海", "广州", "深圳", "北京", "天津", "青岛", "山东", "江苏省苏州市", "拉萨", "广东",
          # STO-4: full addresses, districts and counties, contradictions, ambiguous names
          "浙江省温州市鹿城区", "浙江省温州市瑞安市", "浙江温州瑞安", "温州瑞安", "瑞安", "乐清",
          "广东汕头潮阳区", "澄海", "晋江", "福清", "上海市浦东新区", "福州市鼓楼区",
          "福州市鼓楼区五四路", "山东省温州", "朝阳区", "北京朝阳区", "温州市鼓楼区", "浙 江 省",
          "温州　瑞安", pd.NA, 7]
SIDES = ["罚款方", "获赔方", " 罚款方 ", "第三方", 6.0, "责任方", "获赔"]
FLAGS = [None, "是", "否", True, False, 1, 0, 1.0, "y", "no", "maybe", 2, ""]
SPECIAL_MONEY = [None, "", NAN, 0, 0.0, 0.005, 0.01, 1.005, 2.675, 0.125, 999.99, 1000,
                 1000.01, 2000, 2000.005, 1999.995, 2000.01, 9999.995, 10000, 10000.005,
                 10000.01, 100000.01, 200000.005, 1e10, -1, -0.01, "abc", "1,000", "¥20",
                 "2000.005", True, Decimal("12.345"), Decimal("-3"), float("inf"),
                 np.int64(5000), 999999999.99, 1000000000, 1000000000.01, 123456789.125,
                 987654321.005,   # np.float64: see test_numpy_float_scalar_per_cell below
                 # issue 8: out-of-range amounts, ambiguous text, pandas NA
                 1e30, "1e30", Decimal("Infinity"), Decimal("-Infinity"), float("-inf"),
                 "1.000,50", "1,5", "12，50", "1,000,000.50", pd.NA, Decimal("1E+30")]
SPECIAL_SHARE = [None, "", NAN, 0, 0.5, 1, 1.0, 1.2, -0.1, "50%", "120%", "abc",
                 0.3333335, 0.0000005, 0.9999995, 1.0000004, Decimal("0.25"),
                 # MONEY-2: shares typed as formulas, at their shortest decimal form
                 1 / 3, 2 / 3, 1 / 7, 0.1 + 0.2, 5 / 6, pd.NA, "33.333333333333%",
                 Decimal("0.333333333333333333333333")]


@pytest.fixture()
def rng():
    return np.random.default_rng(20261123)


def pick(rng, pool, n=N):
    idx = rng.integers(0, len(pool), n)
    return [pool[i] for i in idx]


def money_col(rng, n=N, high=20000.0):
    """70 % plain numbers (ints, 2- and 3-decimal floats: sub-fen digits), 30 % specials."""
    out = []
    special = pick(rng, SPECIAL_MONEY, n)
    kind = rng.random(n)
    vals = rng.uniform(0, high, n)
    places = rng.integers(0, 4, n)
    for i in range(n):
        if kind[i] < 0.3:
            out.append(special[i])
        elif places[i] == 0:
            out.append(int(vals[i]) + 2)   # never 0 or 1, which equal False/True as dict keys
        else:
            v = round(float(vals[i]), int(places[i]))
            out.append(v + 2 if v in (0.0, 1.0) else v)   # same reason
    return out


def share_col(rng, n=N):
    out = []
    special = pick(rng, SPECIAL_SHARE, n)
    kind = rng.random(n)
    vals = rng.uniform(0, 1.05, n)
    for i in range(n):
        if kind[i] < 0.3:
            out.append(special[i])
        elif kind[i] < 0.5:
            out.append(None)
        else:
            out.append(round(float(vals[i]), int(rng.integers(1, 8))))
    return out


BASE = dt.date(2022, 12, 1)   # 2022 (no holiday data) … 2027 (none either)


def date_col(rng, n=N, base=None, spread=(0, 1900)):
    """Dates 2022-12 … 2027-12 (2022 and 2027: no holiday data) in every cell type."""
    offs = rng.integers(spread[0], spread[1], n)
    kind = rng.random(n)
    secs = rng.integers(0, 86400, n)
    out = []
    for i in range(n):
        b = BASE if base is None else base[i]
        if isinstance(b, (pd.Timestamp, dt.datetime)):
            b = b.date()
        if not isinstance(b, dt.date):
            b = BASE
        day = b + dt.timedelta(days=int(offs[i]))
        if day < BASE:
            day = BASE
        k = kind[i]
        if k < 0.55:
            out.append(day)
        elif k < 0.70:
            out.append(dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=int(secs[i])))
        elif k < 0.80:
            out.append(pd.Timestamp(day))
        elif k < 0.86:
            out.append(day.isoformat())
        elif k < 0.90:
            out.append(None)
        elif k < 0.92:
            out.append("")
        elif k < 0.94:
            out.append("昨天")
        elif k < 0.96:
            out.append(dt.date(2027, 1, 1) + dt.timedelta(days=int(offs[i]) % 365))
        elif k < 0.975:
            out.append(float((day - dt.date(1899, 12, 30)).days))   # Excel serial
        elif k < 0.98:
            out.append(True)
        else:   # issue 8: typo years, the edges of the accepted range, YYMMDD numbers, NA
            out.append(FAR[int(offs[i]) % len(FAR)])
    return out


FAR = [dt.date(2926, 3, 1), dt.datetime(2926, 3, 1, 10, 30), dt.date(1850, 1, 1),
       dt.date(2199, 12, 31), dt.date(2200, 1, 1), dt.date(1900, 1, 1), dt.date(2099, 1, 5),
       260902, 260902.0, 20260902, "2926-03-01", "1899-12-31", pd.NA, 61, 60.0,
       dt.datetime(2199, 12, 31, 23, 59)]


# ----------------------------------------------------------------- comparison

def _as_series(c):
    if isinstance(c, pd.Series) or not isinstance(c, list):
        return c                      # a Series, or a scalar the column form broadcasts
    return pd.Series(c, dtype=object)


def compare(name: str, cols: list, kind: str) -> None:
    table = getattr(columns, name)(*[_as_series(c) for c in cols])
    assert len(table) == N
    scalar = getattr(udfs, name)
    values = table["value"].tolist()
    errors = table["error"].tolist()
    rules = table["rule"].tolist()
    bad = []
    n_ok = n_err = 0
    # the per-cell reference gets Python values (a typed Series' cells as .tolist() gives them)
    plain = [c.tolist() if isinstance(c, pd.Series) else c for c in cols]
    for i in range(N):
        row = [c[i] if isinstance(c, list) else c for c in plain]
        try:
            expected, exp_err = scalar(*row), None
        except RuleError as e:
            expected, exp_err = None, (str(e), e.rule)
        got = values[i]
        if exp_err is not None:
            n_err += 1
            if (errors[i], rules[i]) != exp_err:
                bad.append((i, row, exp_err, (got, errors[i], rules[i])))
            continue
        n_ok += 1
        if errors[i] is not None:
            bad.append((i, row, expected, (got, errors[i], rules[i])))
        elif kind == "money":
            if not (isinstance(got, float) and got == got and Decimal(repr(got)) == expected):
                bad.append((i, row, expected, got))
        elif kind == "int":
            if got is pd.NA or int(got) != expected:
                bad.append((i, row, expected, got))
        elif kind == "datetime":
            if got is pd.NaT or pd.Timestamp(got) != pd.Timestamp(expected):
                bad.append((i, row, expected, got))
        elif kind == "text":
            if got != expected:
                bad.append((i, row, expected, got))
    assert not bad, f"{len(bad)} rows differ, first: {bad[:5]}"
    # the draw must exercise both sides, or the property says little
    assert n_ok > N // 10 and n_err > N // 50, (n_ok, n_err)


# ----------------------------------------------------------------- one property per function

def test_compensation_columns_equal_cells(rng):
    cols = [pick(rng, CLAIM_TYPES), money_col(rng), money_col(rng, high=500),
            [None if r < 0.5 else v for r, v in zip(rng.random(N), money_col(rng))],
            share_col(rng), pick(rng, CATEGORIES)]
    compare("compensation", cols, "money")


def test_freight_waiver_columns_equal_cells(rng):
    compare("freight_waiver", [pick(rng, CLAIM_TYPES), money_col(rng, high=500), share_col(rng)], "money")


def test_ecom_compensation_columns_equal_cells(rng):
    cols = [pick(rng, CLAIM_TYPES), money_col(rng, high=6000), share_col(rng),
            pick(rng, FLAGS), pick(rng, FLAGS)]
    compare("ecom_compensation", cols, "money")


def test_insurance_premium_columns_equal_cells(rng):
    rates = [None if r < 0.7 else v for r, v in zip(rng.random(N), share_col(rng))]
    mins = [None if r < 0.7 else v for r, v in zip(rng.random(N), money_col(rng, high=20))]
    compare("insurance_premium", [money_col(rng, high=300000), rates, mins], "money")


def test_cod_fee_columns_equal_cells(rng):
    compare("cod_fee", [money_col(rng, high=15000)], "money")


def test_storage_days_columns_equal_cells(rng):
    notice = date_col(rng)
    pickup = date_col(rng, base=notice, spread=(-4, 40))     # some before the notice
    compare("storage_days", [notice, pickup], "int")


def test_storage_fee_columns_equal_cells(rng):
    notice = date_col(rng)
    pickup = date_col(rng, base=notice, spread=(-4, 40))
    rate_pool = [0.1, 0.05, 0.03, "5%", "0.03", 1.5, -0.1, None, "", True] + PLACES
    compare("storage_fee", [money_col(rng, high=3000), notice, pickup,
                            pick(rng, rate_pool), pick(rng, PLACES + [None, ""])], "money")


def test_network_fee_columns_equal_cells(rng):
    # blank sides are left out here: see test_network_fee_column_blank_side below
    compare("network_fee", [money_col(rng, high=20000), pick(rng, SIDES)], "money")


def test_deadline_columns_equal_cells(rng):
    compare("deadline", [pick(rng, EVENTS), date_col(rng), pick(rng, SCOPES)], "datetime")


# vectorised text forms too (registers of 100k rows use them)
CAUSES = [None, None, "客户原因", "货物性质", "不可抗力", "客户自行包装", "签收后索赔", "运输途中",
          "天灾", "外星人", ""]


def test_claim_check_columns_equal_cells(rng):
    ship = date_col(rng)
    claim = date_col(rng, base=ship, spread=(-5, 420))      # around the one-year limit
    compare("claim_check", [ship, claim, pick(rng, CAUSES), pick(rng, FLAGS)], "text")


def test_deadline_status_columns_equal_cells(rng, monkeypatch):
    # a blank "today" means now: fix it, or the two forms may read clocks a minute apart
    monkeypatch.setenv("LOGIDESK_TODAY", "2026-11-23")
    start = date_col(rng)
    done = [None if r < 0.5 else v for r, v in zip(rng.random(N), date_col(rng, base=start, spread=(-3, 70)))]
    today = date_col(rng, base=start, spread=(0, 70))
    compare("deadline_status", [pick(rng, EVENTS), start, done, today, pick(rng, SCOPES)], "text")


BATCHES = [None, None, None, "", 0, 1, 1.0, 2, 20, 3, "是", "否", True, False, 2.5, -1, "3票",
           "abc", pd.NA, NAN, 10, 11]
NETWORKS = [None, "直营", "代理期", "第三方", "agency", "外星", pd.NA]


def test_network_compensation_columns_equal_cells(rng):
    # NET-1..10 with batches (NET-9): waybill counts, 是 without a count, bad counts
    days = pick(rng, [None, 0, 1, 3, 5, 6, 12, 30, 60, 200, -1, 2.5, "三天", pd.NA])
    weights = pick(rng, [None, 0.5, 1, 1.0000001, 1.01, 2, 20, -1, "重", pd.NA, 1 / 3])
    cols = [pick(rng, CLAIM_TYPES), money_col(rng, high=12000), days, weights,
            pick(rng, NETWORKS), pick(rng, BATCHES)]
    compare("network_compensation", cols, "money")


def test_is_workday_columns_equal_cells(rng):
    table = columns.is_workday(pd.Series(date_col(rng), dtype=object))
    cells = date_col(np.random.default_rng(20261123))
    for i, x in enumerate(cells[:2000]):
        try:
            want, err = udfs.is_workday(x), None
        except RuleError as e:
            want, err = None, str(e)
        assert table["error"].iloc[i] == err and (err or table["value"].iloc[i] == want), (x, table.iloc[i])


# ----------------------------------------------------------------- typed columns (numeric / datetime dtypes)

def test_typed_float_and_datetime_columns_equal_cells(rng):
    """float64 columns with NaN and datetime64 columns with NaT take the vectorised readers."""
    amounts = pd.Series([round(float(v), int(p)) for v, p in
                         zip(rng.uniform(-500, 15000, N), rng.integers(0, 4, N))], dtype="float64")
    amounts[rng.random(N) < 0.1] = np.nan
    amounts.iloc[:6] = [2000.005, 2000.0, 2000.01, 10000.005, 0.005, 1.005]
    compare("cod_fee", [amounts], "money")
    compare("insurance_premium", [amounts, None, None], "money")
    compare("network_fee", [amounts, pick(rng, ["罚款方", "获赔方"])], "money")
    notice = pd.Series(pd.to_datetime("2022-12-01") + pd.to_timedelta(rng.integers(0, 1850, N), "D"))
    pickup = notice + pd.to_timedelta(rng.integers(-3, 30, N), "D")
    notice[rng.random(N) < 0.05] = pd.NaT
    compare("storage_days", [notice, pickup], "int")
    compare("storage_fee", [amounts.abs(), notice, pickup, 0.05, None], "money")
    compare("deadline", [pick(rng, EVENTS[:-3]), notice, None], "datetime")
    # shares typed as float formulas (=1/3, =2/3): a float64 column, read exactly (MONEY-2)
    shares = pd.Series(pick(rng, [1 / 3, 2 / 3, 0.5, 0.25, 1 / 7, 0.1 + 0.2, 1.0, 0.0, np.nan]), dtype="float64")
    values = pd.Series(rng.integers(1, 900000, N).astype(float))
    compare("compensation", [pick(rng, ["破损", "内件不符", "延误", "遗失"]), values, 100.0, values,
                             shares, None], "money")
    # nullable dtypes with pd.NA
    compare("cod_fee", [amounts.astype("Float64").where(rng.random(N) > 0.1, pd.NA)], "money")


# ----------------------------------------------------------------- engine findings (kept correct)

@pytest.mark.parametrize("blank", ["", None])
def test_network_fee_column_blank_side(blank):
    table = columns.network_fee(pd.Series([100, 100], dtype=object),
                                pd.Series(["罚款方", blank], dtype=object))
    assert table["value"].iloc[0] == 6.0                           # 100 × 6%
    with pytest.raises(RuleError) as info:
        udfs.network_fee(100, blank)
    assert table["error"].iloc[1] == str(info.value) == "缺少承担方（NET-4）"


@pytest.mark.parametrize("name, args", [
    ("storage_days", ([dt.date(2023, 5, 1), dt.date(2026, 3, 1)], [dt.date(2023, 5, 10), dt.date(2026, 3, 5)])),
    ("storage_fee", ([100, 100], [dt.date(2023, 5, 1), dt.date(2026, 3, 1)],
                     [dt.date(2023, 5, 10), dt.date(2026, 3, 5)], 0.1, None)),
    ("deadline", ("赔款支付", [dt.date(2023, 5, 1), dt.date(2026, 3, 2)], None)),
])
def test_column_with_a_row_before_the_first_rules_version(name, args):
    """A 2023 row (before 2024.1 takes effect) next to a 2026 row: each row as per cell."""
    table = getattr(columns, name)(*[pd.Series(a, dtype=object) if isinstance(a, list) else a
                                     for a in args])
    for i in range(2):
        row = [a[i] if isinstance(a, list) else a for a in args]
        assert table["error"].iloc[i] is None
        got, want = table["value"].iloc[i], getattr(udfs, name)(*row)
        if name == "deadline":
            assert pd.Timestamp(got) == pd.Timestamp(want)
        else:
            assert float(got) == float(want)
    # by hand: storage 2023-05-01 → 05-10 is 9 − 3 = 6 days; 100 × 0.1 × 6 = 60.00;
    # 赔款支付 2023-05-01 + 7 = 2023-05-08
    first = {"storage_days": 6, "storage_fee": 60.0}.get(name)
    if first is not None:
        assert float(table["value"].iloc[0]) == first
    else:
        assert pd.Timestamp(table["value"].iloc[0]) == pd.Timestamp(2023, 5, 8)


def test_numpy_float_scalar_per_cell():
    # 2000.005 is read half-up to 2000.01 → COD 3‰: 6.00003 → 6.00 (COD-1)
    assert udfs.cod_fee(np.float64(2000.005)) == Decimal("6.00")


@pytest.mark.parametrize("name, cells, row, want", [
    # COD-1: a FALSE cell is an error, never 0.00 — even after a Decimal 0 row
    ("cod_fee", [[Decimal("0"), False]], 1, "代收金额应为数字，收到逻辑值「False」（COD-1）"),
    # INS-1 rate 1 (100 %) after a TRUE rate: 2000 × 1 = 2000.00, not the TRUE row's error
    ("insurance_premium", [[2000.005, 2000.005], [True, 1], [None, None]], 1, 2000.01),
    # INS-1: here the TRUE row comes second and must be the error, not 2000.01 × 100 %
    ("insurance_premium", [[2000.005, 2000.005], [1, True], [None, None]], 1,
     "保价费率应为数字，收到逻辑值「True」（INS-1）"),
    # CLM-1: the message quotes what the cell holds
    ("freight_waiver", [[True, 1.0], [10, 10], [None, None]], 1,
     "未知的索赔类型「1.0」，可选：遗失、破损、内件不符、延误（CLM-1）"),
])
def test_logical_and_numeric_cells_are_not_confused(name, cells, row, want):
    table = getattr(columns, name)(*[pd.Series(c, dtype=object) for c in cells])
    if isinstance(want, str):
        assert table["error"].iloc[row] == want
    else:
        # 2000.005 is read half-up as 2000.01; × rate 1 = 2000.01 (INS-1, MONEY-1)
        assert table["error"].iloc[row] is None and table["value"].iloc[row] == want


def test_issue8_cells_agree_in_both_forms():
    """The table rows of issue 8 that disagreed: pd.NA, a number in 货物类别, a typo year."""
    cats = pd.Series([pd.NA, 5, "珠宝", None], dtype=object)
    table = columns.compensation("遗失", 3000, 45, 3000, None, cats)
    for i, c in enumerate(cats):
        try:
            want, err = float(udfs.compensation("遗失", 3000, 45, 3000, None, c)), None
        except RuleError as e:
            want, err = None, str(e)
        assert table["error"].iloc[i] == err
        if err is None:
            assert table["value"].iloc[i] == want
    # pd.NA is blank (普通货物): min(3000, 3000) = 3000; 5 is an unknown category (INS-4);
    # 珠宝 is INS-4: insured value ignored → min(3000, 3 × 45) = 135 (CMP-7)
    assert table["value"].tolist()[0] == 3000.0 and table["rule"].iloc[1] == "INS-4"
    assert table["value"].iloc[2] == 135.0 and table["value"].iloc[3] == 3000.0
    starts = pd.Series([dt.date(2926, 3, 1), np.datetime64("2026-03-02"), pd.NA], dtype=object)
    table = columns.deadline("破损公告", starts)
    assert table["error"].iloc[0] == "起算日期不是有效日期：2926-03-01（年份应在 1900–2199 之间）（DL-1）"
    assert pd.Timestamp(table["value"].iloc[1]) == pd.Timestamp(2026, 3, 7)    # DL-5: +5 days
    assert table["error"].iloc[2] == "缺少起算日期（DL-1）"


def test_large_k_multiple_does_not_overflow_int64(tmp_path, monkeypatch):
    # k = 100 (a company's own multiple) × freight 1e9 yuan = 1e19 fen-units > int64: the
    # column form switches to exact Python ints and still equals the cell
    import udfs.rulebook as rb
    text = rb.RULES_PATH.read_text(encoding="utf-8").replace(
        'uninsured_freight_multiple = "3"', 'uninsured_freight_multiple = "100"')
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("LOGIDESK_RULES", str(path))
    rb.reload()
    try:
        args = (["遗失", "遗失"], [1_000_000_000, 500], [1_000_000_000, 2], None, None, None)
        table = columns.compensation(*args)
        # min(1e9, 100 × 1e9) = 1e9; min(500, 100 × 2 = 200) = 200
        assert table["value"].tolist() == [1e9, 200.0]
        assert udfs.compensation("遗失", 1_000_000_000, 1_000_000_000) == Decimal("1000000000.00")
    finally:
        monkeypatch.delenv("LOGIDESK_RULES")
        rb.reload()
