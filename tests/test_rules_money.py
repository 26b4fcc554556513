"""Money rules: INS-1..5 (premium, cover), COD-1, STO-1..3 (storage), LBL-1, NET-4.

Every expected value below is computed by hand from ../shared/domain/RULES.md; the
arithmetic is in the comment next to it. Money is compared as exact Decimal with two
places (MONEY-1: half-up to 0.01 yuan).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

import udfs

D = Decimal


def same(got, expected: str) -> None:
    """Exact yuan: a Decimal, equal value, exactly two places."""
    assert isinstance(got, Decimal), type(got)
    assert got == D(expected)
    assert got.as_tuple().exponent == -2, got


# ----------------------------------------------------------------- INS-1 premium

@pytest.mark.parametrize("declared, expected", [
    (0, "0.00"),              # INS-1: declared value 0 = not insured = premium 0
    (None, "0.00"),           # blank cell = not insured
    ("", "0.00"),             # empty text cell = blank
    (D("0.01"), "5.00"),      # 0.01 × 0.5% = 0.00005 → minimum 5 per waybill
    (D("999.99"), "5.00"),    # 999.99 × 0.005 = 4.99995 < 5 → 5.00
    (1000, "5.00"),           # 1000 × 0.005 = 5.00 (= minimum)
    (D("1000.01"), "5.00"),   # 1000.01 × 0.005 = 5.00005 → 5.00 (half-up at the fen: 0.005 fen down)
    (1001, "5.01"),           # 1001 × 0.005 = 5.005 → half-up 5.01 (banker's rounding would give 5.00)
    (D("1002.99"), "5.01"),   # 1002.99 × 0.005 = 5.01495 → 5.01
    (2000, "10.00"),          # 2000 × 0.005 = 10
    (100000, "500.00"),       # 100,000 × 0.005 = 500
    (D("100000.01"), "500.00"),   # 100,000.01 × 0.005 = 500.00005 → 500.00
    (200000, "1000.00"),      # 200,000 × 0.005 = 1,000
    (D("200000.01"), "1000.00"),  # 200,000.01 × 0.005 = 1,000.00005 → 1,000.00
    (1234.56, "6.17"),        # float input: 1234.56 × 0.005 = 6.1728 → 6.17
    ("1,500", "7.50"),        # thousands separator in a text cell: 1500 × 0.005 = 7.5
    ("¥3000元", "15.00"),     # currency marks: 3000 × 0.005 = 15
])
def test_insurance_premium_boundaries(declared, expected):
    same(udfs.insurance_premium(declared), expected)


def test_insurance_premium_sub_fen_input_uses_decimal_not_binary_float():
    # 2000.005 as typed (float repr '2000.005') is read half-up to 2000.01 yuan (MONEY-1);
    # 2000.01 × 0.005 = 10.00005 → 10.00. Either way the premium is 10.00.
    same(udfs.insurance_premium(2000.005), "10.00")
    # 1001.0 vs 1000.99: 1000.99 × 0.005 = 5.00495 → 5.00; 1001 → 5.005 → 5.01
    same(udfs.insurance_premium(1000.99), "5.00")


@pytest.mark.parametrize("declared, rate, minimum, expected", [
    (3000, D("0.01"), None, "30.00"),      # 3000 × 1% = 30 (rate given, default minimum 5)
    (3000, "1%", None, "30.00"),           # same rate written as a percentage text
    (500, D("0.01"), 10, "10.00"),         # 500 × 1% = 5 < minimum 10 → 10
    (100, None, 2, "2.00"),                # 100 × 0.5% = 0.5 < minimum 2 → 2
    (100, None, 0, "0.50"),                # 100 × 0.5% = 0.5, minimum 0 → 0.50
    (0, D("0.01"), 10, "0.00"),            # not insured → 0 whatever the minimum
    (D("1234.5"), D("0.003"), 0, "3.70"),  # 1234.5 × 0.003 = 3.7035 → 3.70
])
def test_insurance_premium_rate_and_minimum(declared, rate, minimum, expected):
    same(udfs.insurance_premium(declared, rate, minimum), expected)


# ----------------------------------------------------------------- INS-2..5 cover

@pytest.mark.parametrize("category, value, expected", [
    ("普通货物", 0, "可保价"),
    ("普通货物", 100000, "可保价"),                              # INS-2 only OVER 100,000
    ("普通货物", D("100000.01"), "可保价；需经理审批"),          # INS-2
    ("普通货物", 200000, "可保价；需经理审批"),                  # INS-3 only OVER 200,000
    ("普通货物", D("200000.01"), "可保价；需报集团安全办立案"),  # INS-3
    (None, D("150000"), "可保价；需经理审批"),                   # blank category = 普通货物
    ("易碎品", 5000, "只保灭失险"),                              # INS-5
    ("易潮湿", D("100000.01"), "只保灭失险；需经理审批"),
    ("包装不合格", 300000, "只保灭失险；需报集团安全办立案"),
    ("易污染", 100000, "只保灭失险"),
    ("珠宝", 5000, "不予保价"),                                  # INS-4
    ("珠宝", D("100000.01"), "不予保价"),                        # never appended to 不予保价
    ("古董", D("200000.01"), "不予保价"),
    ("工艺品", 300000, "不予保价"),
    ("精密仪器", 1, "不予保价"),
    ("玉雕", 1, "不予保价"), ("根雕", 1, "不予保价"), ("石雕", 1, "不予保价"),
    ("国外维修进口货品", 1, "不予保价"), ("客户退货", 1, "不予保价"),
])
def test_insurance_check(category, value, expected):
    assert udfs.insurance_check(category, value) == expected


def test_insurance_remark_only_for_loss_only_goods():
    remark = "只保灭失险，易碎品、易潮湿、易污染、包装不合格，在途中损坏承运方不承担责任"  # INS-5 text
    for cat in ("易碎品", "易潮湿", "易污染", "包装不合格"):
        assert udfs.insurance_remark(cat) == remark
    for cat in ("普通货物", "珠宝", None):
        assert udfs.insurance_remark(cat) == ""


# ----------------------------------------------------------------- COD-1

@pytest.mark.parametrize("amount, expected", [
    (0, "0.00"),               # nothing collected → 0
    (None, "0.00"),            # blank → 0
    ("", "0.00"),
    (D("0.01"), "5.00"),       # ≤ 2,000 → flat 5
    (1500, "5.00"),
    (2000, "5.00"),            # 2,000 itself is still the flat tier
    (D("2000.01"), "6.00"),    # 2,000.01 × 3‰ = 6.00003 → 6.00
    (2500, "7.50"),            # 2,500 × 0.003 = 7.5
    (2515, "7.55"),            # 2,515 × 0.003 = 7.545 → half-up 7.55 (banker's: 7.54)
    (D("3333.33"), "10.00"),   # 3,333.33 × 0.003 = 9.99999 → 10.00
    (5000, "15.00"),           # 5,000 × 0.003 = 15
    (9999, "30.00"),           # 9,999 × 0.003 = 29.997 → 30.00
    (10000, "30.00"),          # 10,000 × 0.003 = 30 (upper end of the 3‰ tier)
    (D("10000.01"), "30.00"),  # > 10,000 → capped 30
    (1000000, "30.00"),        # cap
    (1999.995, "5.00"),        # sub-fen: half-up to 2,000.00 → flat 5
    (2000.005, "6.00"),        # sub-fen: half-up to 2,000.01 → 6.00003 → 6.00
])
def test_cod_fee_boundaries(amount, expected):
    same(udfs.cod_fee(amount), expected)


# ----------------------------------------------------------------- STO-2 days

d = dt.date


@pytest.mark.parametrize("notice, pickup, expected", [
    (d(2026, 3, 1), d(2026, 3, 1), 0),    # same day: 0 − 3 → 0
    (d(2026, 3, 1), d(2026, 3, 4), 0),    # 3 days − 3 = 0 (STO-2 example: free)
    (d(2026, 3, 1), d(2026, 3, 5), 1),    # 4 days − 3 = 1 (STO-2 example)
    (d(2026, 3, 1), d(2026, 3, 31), 27),  # 30 − 3
    (d(2026, 2, 27), d(2026, 3, 5), 3),   # Feb 2026 has 28 days: 27→28 (1) + 5 = 6 days − 3 = 3
    (d(2028, 2, 27), d(2028, 3, 5), 4),   # 2028 is a leap year: 7 days − 3 = 4
    (d(2026, 12, 30), d(2027, 1, 8), 6),  # calendar days need no holiday data: 9 − 3 = 6
    (dt.datetime(2026, 3, 1, 18, 0), dt.datetime(2026, 3, 5, 8, 0), 1),  # times ignored: dates 1 → 5
    ("2026-03-01", "2026/3/5", 1),        # date text
])
def test_storage_days(notice, pickup, expected):
    got = udfs.storage_days(notice, pickup)
    assert type(got) is int and got == expected


# ----------------------------------------------------------------- STO-1/3 rates

@pytest.mark.parametrize("origin, dest, expected", [
    ("福州", "厦门", "0.10"),        # F–F → 10%
    ("福建", "泉州", "0.10"),        # province F, city F
    ("温州", "福州", "0.10"),        # 温州 is F although 浙江 is B (city before province)
    ("浙江省温州市", "厦门", "0.10"),  # province prefix and 市 suffix still find the city first
    ("温州市", "福州市", "0.10"),
    ("汕头", "厦门", "0.10"),        # 汕头 F
    ("广东汕头", "福州", "0.10"),
    ("杭州", "福州", "0.05"),        # B–F → min(5%, 10%) = 5%
    ("浙江", "福州", "0.05"),        # province 浙江 B
    ("福州", "上海", "0.05"),
    ("广州", "汕头", "0.05"),        # B–F → 5%
    ("深圳", "福州", "0.05"),
    ("江苏省苏州市", "福州", "0.05"),
    ("福州", "北京", "0.03"),        # F–C → 3%
    ("温州", "北京", "0.03"),        # min of two ends: F 10% vs C 3% → 3%
    ("上海", "北京", "0.03"),        # B–C → 3%
    ("山东", "厦门", "0.03"),        # province 山东 C
    ("青岛市", "福州", "0.03"),
    ("福州", "福建省", "0.10"),
])
def test_storage_rate(origin, dest, expected):
    got = udfs.storage_rate(origin, dest)
    assert got == D(expected) and got.as_tuple().exponent == -2


# ----------------------------------------------------------------- STO-1 fee

N = d(2026, 3, 1)


@pytest.mark.parametrize("freight, pickup, rate_or_origin, dest, expected", [
    (100, d(2026, 3, 4), "福州", "厦门", "0.00"),     # 0 chargeable days → 0
    (100, d(2026, 3, 5), "福州", "厦门", "10.00"),    # 100 × 10% × 1 day = 10
    (100, d(2026, 3, 11), "福州", "上海", "35.00"),   # 10 − 3 = 7 days; 100 × 5% × 7 = 35
    (100, d(2026, 3, 11), "温州", "福州", "70.00"),   # 温州 F: 100 × 10% × 7 = 70
    (100, d(2026, 3, 11), "浙江", "福州", "35.00"),   # 浙江 B: 100 × 5% × 7 = 35
    (100, d(2026, 3, 11), "温州", "北京", "21.00"),   # min(F, C) = 3%: 100 × 3% × 7 = 21
    (250, d(2026, 3, 11), D("0.03"), None, "52.50"),  # rate given: 250 × 0.03 × 7 = 52.5
    (250, d(2026, 3, 11), "3%", None, "52.50"),       # rate as percentage text
    (250, d(2026, 3, 11), "0.03", None, "52.50"),     # rate as numeric text
    (D("12.25"), d(2026, 3, 5), D("0.1"), None, "1.23"),   # 12.25 × 0.1 × 1 = 1.225 → half-up 1.23
    (D("10.09"), d(2026, 3, 7), D("0.05"), None, "1.51"),  # 3 days: 10.09 × 0.05 × 3 = 1.5135 → 1.51
    # (rounded once, MONEY-1; rounding each day 0.5045 → 0.50 × 3 would give 1.50)
    (D("33.33"), d(2026, 3, 7), D("0.05"), None, "5.00"),  # 33.33 × 0.05 × 3 = 4.9995 → 5.00
    (0, d(2026, 3, 11), "福州", "厦门", "0.00"),      # freight 0 → 0
])
def test_storage_fee(freight, pickup, rate_or_origin, dest, expected):
    same(udfs.storage_fee(freight, N, pickup, rate_or_origin, dest), expected)


# ----------------------------------------------------------------- LBL-1

@pytest.mark.parametrize("pieces, violation, expected", [
    (1, "未贴", "30.00"),            # < 50 pieces, missing → 30
    (49, "未贴", "30.00"),
    (49, "贴不全", "30.00"),         # < 50 pieces, incomplete → 30
    (50, "未贴", "30.00"),           # ≥ 50 pieces, all missing → 30
    (50, "贴不全", "20.00"),         # ≥ 50 pieces, incomplete → 20
    (200, "贴不全", "20.00"),
    (10, "旧标签未清除", "10.00"),   # old label not removed → 10
    (100, "旧标签未清除", "10.00"),
    (None, "旧标签未清除", "10.00"), # piece count irrelevant for old labels
    (50.0, "贴不全", "20.00"),       # Excel gives floats
])
def test_label_penalty(pieces, violation, expected):
    same(udfs.label_penalty(pieces, violation), expected)


# ----------------------------------------------------------------- NET-4

@pytest.mark.parametrize("amount, side, expected", [
    (1000, "罚款方", "60.00"),          # 1,000 × 6%
    (1000, "获赔方", "40.00"),          # 1,000 × 4%
    (D("333.33"), "罚款方", "20.00"),   # 333.33 × 0.06 = 19.9998 → 20.00
    (D("333.33"), "获赔方", "13.33"),   # 333.33 × 0.04 = 13.3332 → 13.33
    (D("0.75"), "罚款方", "0.05"),      # 0.75 × 0.06 = 0.045 → half-up 0.05 (banker's 0.04)
    (D("1.125"), "获赔方", "0.05"),     # 1.125 × 0.04 = 0.045 → half-up 0.05 (input read as 1.13: 0.0452 → 0.05 too)
    (0, "罚款方", "0.00"),
    (2500, "获赔方", "100.00"),         # 2,500 × 4%
])
def test_network_fee(amount, side, expected):
    same(udfs.network_fee(amount, side), expected)


# ----------------------------------------------------------------- STO-3 every named place

# Prefecture-level cities of the provinces RULES.md names, written out by hand from the
# administrative divisions (not read from rules.toml), and the cities STO-1 names.
FUJIAN = ["福州", "厦门", "泉州", "漳州", "莆田", "三明", "南平", "龙岩", "宁德"]          # 9
ZHEJIANG_B = ["杭州", "宁波", "嘉兴", "湖州", "绍兴", "金华", "衢州", "舟山", "台州", "丽水"]  # 11 minus 温州
JIANGSU = ["南京", "无锡", "徐州", "常州", "苏州", "南通", "连云港", "淮安", "盐城", "扬州",
           "镇江", "泰州", "宿迁"]                                                      # 13
SHANDONG = ["济南", "青岛", "淄博", "枣庄", "东营", "烟台", "潍坊", "济宁", "泰安", "威海",
            "日照", "临沂", "德州", "聊城", "滨州", "菏泽"]                               # 16
PRD = ["广州", "深圳", "东莞", "佛山", "珠海", "中山", "惠州", "江门", "肇庆"]             # STO-3
YRD_NAMED = ["上海", "武汉", "长沙", "合肥", "芜湖", "南昌"]                              # STO-1 list
JJT_NAMED = ["北京", "天津", "唐山", "沈阳", "郑州", "西安", "重庆", "成都"]              # STO-1 list


@pytest.mark.parametrize("place, expected", (
    [(c, "0.10") for c in FUJIAN + ["汕头", "温州"]]
    + [(c, "0.05") for c in ZHEJIANG_B + JIANGSU + PRD + YRD_NAMED]
    + [(c, "0.03") for c in SHANDONG + JJT_NAMED]
))
def test_every_named_place_has_its_class(place, expected):
    # against 福州 (F, 10 %) the route rate is the place's own class rate (min of the two ends)
    assert udfs.storage_rate(place, "福州") == D(expected)
    assert udfs.storage_rate(place + "市", "福州") == D(expected)    # with 市
    assert udfs.storage_rate("福州", place) == D(expected)           # either direction


# ----------------------------------------------------------------- MONEY-2 reading inputs

# MONEY-2 Decision: a money input is read at the fen, half-up, when it is read (what a cell
# formatted to two decimals shows); shares and rates are read exactly as given.

def test_cod_tier_uses_the_amount_read_at_the_fen():
    # 2000.004 is read as 2000.00 → ≤ 2,000 → 5.00 (COD-1)
    same(udfs.cod_fee(D("2000.004")), "5.00")
    same(udfs.cod_fee(2000.004), "5.00")
    # 2000.005 is read as 2000.01 → 3‰: 6.00003 → 6.00
    same(udfs.cod_fee(D("2000.005")), "6.00")


def test_premium_reads_the_value_at_the_fen():
    # 1000.995 is read as 1001.00: 1001.00 × 0.005 = 5.005 → 5.01 (INS-1)
    same(udfs.insurance_premium(D("1000.995")), "5.01")
    same(udfs.insurance_premium(1000.995), "5.01")          # float: shortest form 1000.995
    # 1000.994 → 1000.99: 5.00495 → 5.00
    same(udfs.insurance_premium(D("1000.994")), "5.00")


def test_insurance_check_reads_the_value_at_the_fen():
    # 100,000.004 is read as 100,000.00: not over 100,000 (INS-2)
    assert udfs.insurance_check("普通货物", D("100000.004")) == "可保价"
    # 100,000.005 → 100,000.01: over
    assert udfs.insurance_check("普通货物", D("100000.005")) == "可保价；需经理审批"


def test_shares_and_rates_are_read_exactly():
    # a share typed as =1/3 is 0.3333333333333333 (shortest form), not 0.333333
    same(udfs.compensation("破损", 900000, 10, 900000, 1 / 3), "300000.00")
    # rates too: 1,000,000 × 0.0050004 = 5,000.40 (a 1e-6 reading would give 5,000.00)
    same(udfs.insurance_premium(1000000, D("0.0050004")), "5000.40")
    # storage: 1,000 × 0.1000005 × 2 days = 200.001 → 200.00; × 10 days = 1,000.005 → 1,000.01
    same(udfs.storage_fee(1000, d(2026, 3, 1), d(2026, 3, 6), D("0.1000005")), "200.00")
    same(udfs.storage_fee(1000, d(2026, 3, 1), d(2026, 3, 14), D("0.1000005")), "1000.01")


def test_column_form_reads_money_and_shares_like_a_cell():
    import udfs.columns as C
    got = C.cod_fee([2000.004, 2000.005, D("2000.004")])
    assert got["value"].tolist() == [5.0, 6.0, 5.0]
    got = C.compensation(["破损"] * 3, [900000] * 3, [10] * 3, [900000] * 3, [1 / 3, 2 / 3, 0.5])
    assert got["value"].tolist() == [300000.0, 600000.0, 450000.0]
    got = C.insurance_premium([1000.995, 1000000], [None, 0.0050004])
    assert got["value"].tolist() == [5.01, 5000.40]


# ----------------------------------------------------------------- independent Decimal oracles

from decimal import ROUND_HALF_UP  # noqa: E402

CENT = D("0.01")


def r2(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def cod_oracle(a: Decimal) -> Decimal:           # COD-1 table
    if a == 0:
        return D("0.00")
    if a <= 2000:
        return D("5.00")
    if a <= 10000:
        return r2(a * D("0.003"))
    return D("30.00")


def premium_oracle(v: Decimal) -> Decimal:       # INS-1
    return D("0.00") if v == 0 else max(D("5.00"), r2(v * D("0.005")))


fen_amounts = st.decimals(min_value=0, max_value=D("250000"), places=2, allow_nan=False,
                          allow_infinity=False)


@settings(max_examples=400, deadline=None)
@given(fen_amounts)
def test_cod_fee_matches_the_table(a):
    same(udfs.cod_fee(a), str(cod_oracle(a)))


@settings(max_examples=400, deadline=None)
@given(fen_amounts)
def test_premium_matches_the_formula(v):
    same(udfs.insurance_premium(v), str(premium_oracle(v)))


@settings(max_examples=300, deadline=None)
@given(st.decimals(min_value=0, max_value=D("5000"), places=2),
       st.sampled_from([D("0.10"), D("0.05"), D("0.03")]),
       st.integers(min_value=0, max_value=60))
def test_storage_fee_matches_the_formula(freight, rate, span):
    notice = d(2026, 3, 1)
    pickup = notice + dt.timedelta(days=span)
    days = max(0, span - 3)                                  # STO-2
    same(udfs.storage_fee(freight, notice, pickup, rate), str(r2(freight * rate * days)))  # STO-1
    assert udfs.storage_days(notice, pickup) == days


# ----------------------------------------------------------------- STO-4 places as clerks write them

@pytest.mark.parametrize("destination, expected", [
    # issue 8: a district or county counts as its prefecture-level city (温州 → F 10 %)
    ("浙江省温州市鹿城区", "0.10"),    # was 0.05 (fell back to the province)
    ("浙江省温州市瑞安市", "0.10"),
    ("浙江温州瑞安", "0.10"),
    ("温州瑞安", "0.10"),
    ("瑞安", "0.10"), ("乐清", "0.10"), ("鹿城", "0.10"),      # STO-4 examples → 温州
    ("潮阳", "0.10"), ("澄海", "0.10"), ("广东汕头潮阳区", "0.10"),   # → 汕头 F
    ("晋江", "0.10"), ("福清", "0.10"),                         # Fujian counties → F
    ("温州市鹿城区", "0.10"),          # was 线路未定义
    ("上海市浦东新区", "0.05"),        # municipality district → 上海 B
    ("福州市鼓楼区", "0.10"),          # 鼓楼区 of 福州 (not 南京's)
    ("福州市鼓楼区五四路", "0.10"),    # the street part is not a place
    ("浙江省杭州市西湖区", "0.05"),    # Zhejiang city B
    ("济南市历下区", "0.03"),          # Shandong C
    ("深圳市南山区", "0.05"),          # PRD B
    ("北京市朝阳区", "0.03"),          # JJT C
    ("浙江省", "0.05"), ("浙江", "0.05"), ("浙 江 省", "0.05"),    # spaces and suffixes never change it
    ("温州", "0.10"), ("温州市", "0.10"),
])
def test_places_as_clerks_write_them(destination, expected):
    assert udfs.storage_rate("福州", destination) == D(expected)
    assert udfs.storage_rate(destination, "福州") == D(expected)


def test_full_width_and_spaces_never_change_the_answer():
    # NFKC folds full-width characters; spaces are removed (STO-4)
    assert udfs.storage_rate("福州", "温州　瑞安") == D("0.10")      # ideographic space
    assert udfs.storage_rate("福州", " 浙江省 温州市 ") == D("0.10")


def test_a_contradicting_province_and_city_is_an_error_naming_both():
    # STO-4: 山东省温州 (温州 is in 浙江) — was class F
    with pytest.raises(udfs.RuleError) as info:
        udfs.storage_rate("福州", "山东省温州")
    msg = str(info.value)
    assert info.value.rule == "STO-4" and "山东省" in msg and "温州" in msg and "浙江省" in msg
    with pytest.raises(udfs.RuleError, match="自相矛盾"):
        udfs.storage_rate("福州", "温州市鼓楼区")          # 鼓楼区 is not in 温州


def test_a_name_in_several_places_needs_its_city():
    # 朝阳区 is in 北京 (C) and 长春 (no class): ambiguous; with its city it resolves
    with pytest.raises(udfs.RuleError, match="有多处同名") as info:
        udfs.storage_rate("福州", "朝阳区")
    assert info.value.rule == "STO-4"
    assert udfs.storage_rate("福州", "北京朝阳区") == D("0.03")


def test_places_in_no_list_are_still_undefined():
    # STO-3: a real place outside every list is 线路未定义, naming the place
    with pytest.raises(udfs.RuleError, match="线路未定义：「拉萨」（西藏自治区拉萨市）") as info:
        udfs.storage_rate("福州", "拉萨")
    assert info.value.rule == "STO-3"
    with pytest.raises(udfs.RuleError, match="线路未定义：「火星」"):
        udfs.storage_rate("福州", "火星")


def test_storage_fee_column_form_reads_addresses_like_a_cell():
    import udfs.columns as C
    got = C.storage_fee([100] * 3, [d(2026, 3, 1)] * 3, [d(2026, 3, 6)] * 3,
                        ["福州"] * 3, ["浙江省温州市鹿城区", "山东省温州", "上海市浦东新区"])
    # 100 × 10 % × 2 days = 20.00; contradiction → the STO-4 error; 100 × 5 % × 2 = 10.00
    assert got["value"][0] == 20.0 and got["value"][2] == 10.0
    assert got["rule"][1] == "STO-4" and "山东省" in got["error"][1]


def test_division_table_version_is_recorded_in_the_rules_data():
    from udfs import places
    assert udfs.rules_for(d(2026, 3, 1)).storage["division_table"] == places.table_version()


# ----------------------------------------------------------------- vocabularies in the rules data

@pytest.mark.parametrize("pieces, violation, expected", [
    (50, "标签不全", "20.00"),        # LBL-1 Decision: exactly 50 counts as 50件以上 → the lower fine
    (49, "标签不全", "30.00"),
    (51, "贴不全", "20.00"),
    (50, "无标签", "30.00"),
    (3, "旧标签未覆盖", "10.00"),
])
def test_label_violation_aliases_come_from_the_rules_data(pieces, violation, expected):
    same(udfs.label_penalty(pieces, violation), expected)
    assert udfs.rules_in_force()["label_violations"] == ["未贴", "贴不全", "旧标签未清除"]


@pytest.mark.parametrize("side, expected", [("罚款方", "60.00"), ("责任方", "60.00"),
                                            ("获赔方", "40.00"), ("获赔", "40.00")])
def test_network_fee_sides_come_from_the_rules_data(side, expected):
    same(udfs.network_fee(1000, side), expected)            # NET-4: 6 % / 4 % of 1,000
    assert udfs.rules_in_force()["sides"] == ["罚款方", "获赔方"]


def test_a_company_can_rename_a_violation_in_the_rules_data(tmp_path, monkeypatch):
    import udfs.rulebook as rb
    text = rb.RULES_PATH.read_text(encoding="utf-8")
    text = text.replace('aliases = ["标签不全", "未贴全"]', 'aliases = ["标签不全", "未贴全", "半贴"]')
    text = text.replace('aliases = ["罚款", "被罚方", "责任方", "fined"]', 'aliases = ["罚款", "被罚方", "责任方", "fined", "扣款方"]')
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("LOGIDESK_RULES", str(path))
    rb.reload()
    try:
        same(udfs.label_penalty(60, "半贴"), "20.00")
        same(udfs.network_fee(1000, "扣款方"), "60.00")
    finally:
        monkeypatch.delenv("LOGIDESK_RULES")
        rb.reload()
    with pytest.raises(udfs.RuleError, match="未知的违规类型「半贴」"):
        udfs.label_penalty(60, "半贴")


def test_every_county_of_china_resolves_from_its_full_address():
    # STO-4 over the whole GB/T 2260 table: 省 + 市 + 区/县 names itself, exactly
    from udfs import places as P
    t = P.table()
    counties = [d for d in t.by_code.values() if d.level == P.COUNTY]
    assert len(counties) > 2800
    for d in counties:
        city = t.parent_city(d)
        text = t.by_code[d.province_code].name + (city.name if city else "") + d.name
        got = t.resolve(text)
        assert [g.county for g in got] == [d], text


def test_every_county_of_wenzhou_and_shantou_is_class_f():
    # STO-4: a district, county or county-level city counts as its prefecture-level city
    from udfs import places as P
    t = P.table()
    for city in ("温州市", "汕头市"):
        code = next(d.code for d in t.by_code.values() if d.name == city)
        counties = [d for d in t.by_code.values() if d.level == P.COUNTY and d.city_code == code]
        assert len(counties) >= 6
        for d in counties:
            assert udfs.storage_rate("福州", d.name) == D("0.10"), d.name
            assert udfs.storage_rate("上海", city + d.name) == D("0.05"), d.name   # min(F, B)
